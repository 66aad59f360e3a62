"""The API's notification settings: which alerts go where, per supply point, and the
mobile number for text messages, with the same routines as the notifications page."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.api.base import ApiEndpoints, ApiError, json_body, load, own_supply_point, validation_failed
from core.framework.extensions import db
from core.framework.ownership import own_supply_points
from core.models import SupplyPoint
from core.notifications import service as notifications
from core.notifications.schemas import AlertsInput, NotificationSettingsSchema, PhoneInput, PointAlertsSchema

endpoints = ApiEndpoints()
NOTIFICATIONS = _l("Notifications")


def _alerts(point: SupplyPoint) -> dict[str, Any]:
    chosen = notifications.chosen(current_user, point)
    kinds = notifications.point_kinds(g.tenant, point)
    return {"identifier": point.identifier, "kinds": kinds,
            "alerts": {kind: sorted(channel for k, channel in chosen if k == kind) for kind in kinds}}


def _settings() -> dict[str, Any]:
    if not notifications.offered_kinds(g.tenant):
        raise ApiError(404)  # the supplier sends no alerts
    points = db.session.execute(own_supply_points(current_user)).scalars()
    return NotificationSettingsSchema().dump({
        "phone": notifications.phone_of(current_user),
        "kinds": [{"code": kind, "label": str(notifications.KIND_LABELS[kind])}
                  for kind in notifications.offered_kinds(g.tenant)],
        "channels": [{"code": code, "label": str(channel.label), "address": channel.address_kind}
                     for code, channel in notifications.channels(g.tenant).items()],
        "supply_points": [_alerts(point) for point in points if notifications.point_kinds(g.tenant, point)],
    })


@endpoints.operation("/notification-settings", summary=_l("Your notification settings"), tag=NOTIFICATIONS,
                     response=NotificationSettingsSchema, errors=(404,))
def notification_settings():
    return _settings()


@endpoints.operation("/supply-points/<identifier>/notifications", "PUT",
                     summary=_l("Choose the alerts of a supply point"), tag=NOTIFICATIONS, body=AlertsInput,
                     response=PointAlertsSchema, write=True)
def put_supply_point_alerts(identifier: str):
    point = own_supply_point(identifier)
    kinds = notifications.point_kinds(g.tenant, point)
    if not kinds:
        raise ApiError(404)
    wanted = load(AlertsInput, json_body())["alerts"]
    offered = notifications.channels(g.tenant)
    errors = {f"alerts.{kind}": [_("This supply point has no such alert.")] for kind in wanted if kind not in kinds}
    errors |= {f"alerts.{kind}": [_("There is no such channel: %(channel)s.", channel=code)]
               for kind, codes in wanted.items() if kind in kinds for code in codes if code not in offered}
    if errors:
        raise validation_failed(errors)
    data = {notifications.field_name(kind, code): True for kind, codes in wanted.items() for code in codes}
    refused = notifications.save_preferences(g.tenant, current_user, point, data)
    if refused:
        raise validation_failed({"alerts": [str(message) for message in refused["_schema"]]})
    return PointAlertsSchema().dump(_alerts(point))


@endpoints.operation("/notification-settings/phone", "PUT", summary=_l("Set the number for text messages"),
                     tag=NOTIFICATIONS, body=PhoneInput, response=NotificationSettingsSchema, write=True,
                     errors=(404,))
def put_notification_phone():
    if not notifications.uses_phone(g.tenant):
        raise ApiError(404)
    body = load(PhoneInput, json_body())
    phone = None
    if body["phone"] and body["phone"].strip():
        phone = load(notifications.phone_schema(g.tenant), {"phone": body["phone"]})["phone"]
    notifications.save_phone(g.tenant, current_user, phone)
    return _settings()
