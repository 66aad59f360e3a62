"""Customer notifications: planned outage alerts and meter reading reminders.

A customer chooses per supply point which alerts they want and on which channels
(:class:`core.framework.descriptions.NotificationChannel`: e-mail from the core, SMS and others from
the supplier's plugin). Two scheduled jobs send them; a :class:`SentNotification` row per
event, supply point, customer and channel makes sure nothing goes out twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import marshmallow
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.framework.descriptions import NotificationChannel, ScheduledJob
from core.framework.extensions import db
from core.framework.fields import PhoneNumber
from core.framework.mail import render_mail
from core.framework.tenancy import Tenant
from core.framework.urls import tenant_url
from core.models import AccountLink, SupplyPoint, User, utcnow
from core.notifications.models import NotificationContact, NotificationPreference, SentNotification
from core.readings.service import accepts_readings, local_today

log = logging.getLogger(__name__)

OUTAGE, READING = "planned_outage", "reading_reminder"
KIND_LABELS = {OUTAGE: _l("Planned outages"), READING: _l("Meter reading reminders")}
# The supplier capability that switches each kind of alert on.
KIND_CAPABILITIES = {OUTAGE: "planned_outages", READING: "meter_readings"}
PHONE = "phone"

# National numbers typed without a prefix get the supplier's country code; the trunk
# prefix ("0" in Ukraine) is dropped. Anyone can type a number in international form.


@dataclass(frozen=True)
class PlannedOutage:
    """A planned interruption of supply at one supply point (from ``portal_planned_outages``).

    Raises ``ValueError`` for a naive ``starts_at`` or ``ends_at``.
    """

    supply_point: str
    """The identifier of the supply point affected (``SupplyPoint.identifier``)."""
    starts_at: dt.datetime
    """When the supply stops (aware)."""
    ends_at: dt.datetime
    """When it is back (aware)."""
    details: str = ""
    """The supplier's own words (streets, reason), quoted in the alert."""
    reference: str | None = None
    """The supplier's reference of the outage: an outage announced again under the same
    reference (with a new window, say) is not sent again."""

    def __post_init__(self) -> None:
        if self.starts_at.utcoffset() is None or self.ends_at.utcoffset() is None:
            raise ValueError("outage windows are aware datetimes")

    @property
    def key(self) -> str:
        """What makes two announcements the same outage: the supplier's reference, or the window."""
        if self.reference:
            return f"ref:{self.reference}"
        return f"{self.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M}-{self.ends_at.astimezone(dt.UTC):%Y%m%dT%H%M}"


@dataclass(frozen=True)
class ReadingPeriod:
    """When readings of a supply point are due: a reminder goes out once per ``key``."""

    key: str
    """Names the period (``"2025-03"``): a customer is reminded once per key."""
    opens_on: dt.date
    """The first day readings are taken (the tenant's date)."""
    closes_on: dt.date
    """The last day, inclusive."""

    def is_open(self, day: dt.date) -> bool:
        """Whether ``day`` is within the period, both ends included."""
        return self.opens_on <= day <= self.closes_on


# --- what is offered -----------------------------------------------------------------


def channels(tenant: Tenant) -> dict[str, NotificationChannel]:
    """The tenant's channels by code, e-mail first."""
    ordered = sorted(tenant.notification_channels(), key=lambda channel: channel.code != "email")
    return {channel.code: channel for channel in ordered}


def offered_kinds(tenant: Tenant) -> list[str]:
    return [kind for kind, capability in KIND_CAPABILITIES.items() if capability in tenant.supplier.capabilities]


def point_kinds(tenant: Tenant, point: SupplyPoint) -> list[str]:
    """Alerts a supply point can have: reminders only where readings are taken online."""
    kinds = offered_kinds(tenant)
    if READING in kinds and not accepts_readings(tenant, point):
        kinds.remove(READING)
    return kinds


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


def preference_schema(tenant: Tenant, point: SupplyPoint) -> marshmallow.Schema:
    """A box per alert kind and channel of one supply point."""
    spec: dict[str, fields.Field] = {
        field_name(kind, code): fields.Boolean(
            load_default=False,
            metadata={"label": channel.label, "kind": kind, "channel": code},
        )
        for kind in point_kinds(tenant, point)
        for code, channel in channels(tenant).items()
    }
    return marshmallow.Schema.from_dict(spec, name="NotificationPreferencesForm")()


def phone_schema(tenant: Tenant) -> marshmallow.Schema:
    spec: dict[str, fields.Field] = {
        "phone": PhoneNumber(
            country=tenant.supplier.country,
            mobile=True,
            load_default=None,
            metadata={"label": _l("Mobile phone number for text messages"), "widget": "tel",
                      "autocomplete": "tel", "inputmode": "tel",
                      "help": _l("Leave empty to stop all text messages.")},
        )
    }
    return marshmallow.Schema.from_dict(spec, name="NotificationPhoneForm")()


def uses_phone(tenant: Tenant) -> bool:
    return any(channel.address_kind == PHONE for channel in channels(tenant).values())


# --- a customer's choices ------------------------------------------------------------------


def contact_of(user: User) -> NotificationContact | None:
    return db.session.execute(
        select(NotificationContact).where(NotificationContact.user_id == user.id)
    ).scalar_one_or_none()


def phone_of(user: User) -> str | None:
    contact = contact_of(user)
    return contact.phone if contact else None


def chosen(user: User, point: SupplyPoint) -> set[tuple[str, str]]:
    """``(kind, channel)`` pairs the customer wants for a supply point."""
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == user.id, NotificationPreference.supply_point_id == point.id)
    ).all()
    return {(row.kind, row.channel) for row in rows}


def save_preferences(tenant: Tenant, user: User, point: SupplyPoint, data: dict[str, bool]) -> dict[str, list[str]]:
    """Replace the customer's choices for a supply point; errors (nothing saved) or ``{}``."""
    offered = channels(tenant)
    wanted = {
        (kind, code) for kind in point_kinds(tenant, point) for code in offered if data.get(field_name(kind, code))
    }
    if any(offered[code].address_kind == PHONE for _kind, code in wanted) and not phone_of(user):
        return {"_schema": [_("Add your mobile phone number on the notifications page before you choose text messages.")]}
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id, NotificationPreference.supply_point_id == point.id,
    ))
    db.session.add_all(
        NotificationPreference(user_id=user.id, supply_point_id=point.id, kind=kind, channel=code)
        for kind, code in sorted(wanted)
    )
    db.session.commit()
    return {}


def save_phone(tenant: Tenant, user: User, phone: str | None) -> None:
    """Keep the customer's number; without one, text-message alerts stop."""
    contact = contact_of(user) or NotificationContact(user_id=user.id)
    contact.phone = phone
    db.session.add(contact)
    if phone is None:
        phone_channels = [code for code, c in channels(tenant).items() if c.address_kind == PHONE]
        db.session.execute(delete(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.channel.in_(phone_channels),
        ))
    db.session.commit()


# --- sending -------------------------------------------------------------------------------


@dataclass
class Subscription:
    preference: NotificationPreference
    user: User
    point: SupplyPoint


def subscriptions(kind: str) -> list[Subscription]:
    """Every customer's choice of ``kind``, for supply points still linked to that customer."""
    rows = db.session.execute(
        select(NotificationPreference, User, SupplyPoint)
        .join(User, User.id == NotificationPreference.user_id)
        .join(SupplyPoint, SupplyPoint.id == NotificationPreference.supply_point_id)
        .join(AccountLink, (AccountLink.account_id == SupplyPoint.account_id) & (AccountLink.user_id == User.id))
        .where(NotificationPreference.kind == kind, User.activated_at.is_not(None))
        .order_by(NotificationPreference.id)
    ).all()
    return [Subscription(*row) for row in rows]


def _locale_of(tenant: Tenant, user: User) -> str:
    return user.locale if user.locale in tenant.locales else tenant.default_locale


def send_once(
    tenant: Tenant, subscription: Subscription, event_key: str, template: str, **context: Any
) -> bool:
    """Send one alert unless it went out before; True when sent now.

    The record is written first and committed only once the channel took the message,
    so a failed send is tried again by the next run and a concurrent run cannot repeat it.
    """
    preference, user, point = subscription.preference, subscription.user, subscription.point
    channel = channels(tenant).get(preference.channel)
    if channel is None:
        return False
    recipient = user.email if channel.address_kind == "email" else phone_of(user) if channel.address_kind == PHONE else None
    if not recipient:
        return False
    done = db.session.execute(select(SentNotification.id).where(
        SentNotification.user_id == user.id, SentNotification.supply_point_id == point.id,
        SentNotification.kind == preference.kind, SentNotification.channel == channel.code,
        SentNotification.event_key == event_key,
    )).first()
    if done:
        return False
    subject, body = render_mail([f"{template}.{channel.code}", template], locale=_locale_of(tenant, user),
                                point=point, channel=channel, **context)
    db.session.add(SentNotification(user_id=user.id, supply_point_id=point.id, kind=preference.kind,
                                    channel=channel.code, event_key=event_key, recipient=recipient))
    try:
        db.session.flush()
    except IntegrityError:  # another run is sending it right now
        db.session.rollback()
        return False
    try:
        channel.send(recipient, subject, body)
    except Exception:  # noqa: BLE001 - one failing channel must not stop the others; retried next run
        db.session.rollback()
        log.exception("%s alert %s to user %s by %s failed", preference.kind, event_key, user.id, channel.code)
        return False
    db.session.commit()
    return True


def planned_outages(tenant: Tenant, points: Iterable[SupplyPoint]) -> list[PlannedOutage]:
    points = list(points)
    if not points:
        return []
    return [outage for group in tenant.hook.portal_planned_outages(tenant=tenant, supply_points=points)
            for outage in group]


def send_outage_alerts(tenant: Tenant) -> int:
    """Alert subscribed customers of outages still to come; returns how many messages went out."""
    subs = subscriptions(OUTAGE)
    points = {sub.point.id: sub.point for sub in subs}
    now = utcnow()
    by_point: dict[str, list[PlannedOutage]] = {}
    for outage in planned_outages(tenant, points.values()):
        if outage.ends_at > now:
            by_point.setdefault(outage.supply_point, []).append(outage)
    link = tenant_url(tenant, "notifications.index")
    sent = 0
    for sub in subs:
        for outage in sorted(by_point.get(sub.point.identifier, ()), key=lambda o: o.starts_at):
            sent += send_once(tenant, sub, outage.key, "planned_outage", outage=outage, link=link)
    return sent


def reading_period(tenant: Tenant, point: SupplyPoint, today: dt.date) -> ReadingPeriod:
    """The plugin's period for the supply point, or the core's monthly one."""
    return tenant.hook.portal_reading_period(tenant=tenant, supply_point=point, today=today) or monthly_period(
        tenant, today
    )


def monthly_period(tenant: Tenant, today: dt.date) -> ReadingPeriod:
    """From the reminder day (clamped to short months) to the end of ``today``'s month."""
    day = int(tenant.settings.get("reading_reminder_day") or current_app.config["READING_REMINDER_DAY"])
    last = calendar.monthrange(today.year, today.month)[1]
    return ReadingPeriod(
        key=f"{today:%Y-%m}", opens_on=today.replace(day=min(max(day, 1), last)), closes_on=today.replace(day=last)
    )


def send_reading_reminders(tenant: Tenant) -> int:
    """Remind subscribed customers while a reading period is open; returns how many went out."""
    today = local_today(tenant)
    sent = 0
    for sub in subscriptions(READING):
        if not accepts_readings(tenant, sub.point):
            continue
        period = reading_period(tenant, sub.point, today)
        if not period.is_open(today):
            continue
        link = tenant_url(tenant, "readings.new", point_id=sub.point.id)
        sent += send_once(tenant, sub, period.key, "reading_reminder", period=period, link=link)
    return sent


OUTAGE_JOB, READING_JOB = "planned-outage-alerts", "reading-reminders"
OUTAGE_ALERT_INTERVAL = dt.timedelta(hours=1)
READING_REMINDER_HOUR = 9  # the tenant's local time


def scheduled_jobs(tenant: Tenant) -> list[ScheduledJob]:
    """The alert jobs of the kinds the supplier offers."""
    kinds = offered_kinds(tenant)
    jobs = []
    if OUTAGE in kinds:
        jobs.append(ScheduledJob(OUTAGE_JOB, send_outage_alerts, every=OUTAGE_ALERT_INTERVAL))
    if READING in kinds:
        jobs.append(ScheduledJob(READING_JOB, send_reading_reminders, at_hour=READING_REMINDER_HOUR))
    return jobs
