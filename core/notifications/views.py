"""Notification settings: which alerts a customer wants per supply point, and on which channel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.framework.fields import phone_in_words
from core.framework.forms import load_form
from core.framework.selection import my_supply_points
from core.notifications import service as notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.before_request
def offered():
    if not notifications.offered_kinds(g.tenant):
        abort(404)


def _render_index(phone_values: dict | None = None, phone_errors: dict | None = None, status: int = 200):
    points = [
        dict(point=point, kinds=notifications.point_kinds(g.tenant, point),
             chosen=notifications.chosen(current_user, point))
        for point in my_supply_points(current_user)
    ]
    phone = notifications.phone_of(current_user)
    return render_template(
        "notifications/index.html", points=points, channels=notifications.channels(g.tenant),
        kind_labels=notifications.KIND_LABELS, uses_phone=notifications.uses_phone(g.tenant),
        phone_schema=notifications.phone_schema(g.tenant),
        phone_values=phone_values if phone_values is not None else {"phone": phone_in_words(phone, g.tenant.supplier.country)},
        phone_errors=phone_errors or {}, phone=phone,
    ), status


@bp.get("/")
@login_required
def index():
    return _render_index()


def _my_point(point_id: int):
    point = next((p for p in my_supply_points(current_user) if p.id == point_id), None)
    if point is None or not notifications.point_kinds(g.tenant, point):
        abort(404)
    return point


@bp.route("/points/<int:point_id>", methods=["GET", "POST"])
@login_required
def point(point_id: int):
    point = _my_point(point_id)
    schema = notifications.preference_schema(g.tenant, point)
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(schema, request.form)
        if data is not None:
            errors = notifications.save_preferences(g.tenant, current_user, point, data)
            if not errors:
                flash(_("Your notification settings for supply point %(point)s have been saved.",
                        point=point.identifier), "success")
                return redirect(url_for("notifications.index"))
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    else:
        values = {notifications.field_name(kind, channel): "1"
                  for kind, channel in notifications.chosen(current_user, point)}
    return render_template(
        "notifications/point.html", point=point, schema=schema, values=values, errors=errors,
        kind_labels=notifications.KIND_LABELS, kinds=notifications.point_kinds(g.tenant, point),
        has_phone=bool(notifications.phone_of(current_user)), uses_phone=notifications.uses_phone(g.tenant),
    ), 400 if errors else 200


@bp.post("/phone")
@login_required
def phone():
    if not notifications.uses_phone(g.tenant):
        abort(404)
    data, errors = load_form(notifications.phone_schema(g.tenant), request.form)
    if errors:
        return _render_index({"phone": request.form.get("phone", "")}, errors, 400)
    notifications.save_phone(g.tenant, current_user, data["phone"])
    if data["phone"]:
        flash(_("Text messages will go to %(phone)s.", phone=data["phone"]), "success")
    else:
        flash(_("Your phone number has been removed; you will get no more text messages."), "success")
    return redirect(url_for("notifications.index"))
