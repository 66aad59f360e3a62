"""Meter reading pages: the history of the current supply point (the header's selector), and the form.

``/readings/?point=<id>`` shows the history of another of the customer's supply points without
changing the remembered choice (only the header's selector, a form, does); sending a reading
chooses that reading's point.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core import jobs
from core.extensions import db
from core.forms import load_form
from core.mail import send_mail
from core.models import MeterReading
from core.readings import (
    RECEIVED,
    ReadingConflict,
    check_reading,
    field_name,
    meter_of,
    previous_readings,
    reading_rules,
    reading_schema,
    registers_of,
    submit_reading,
)
from core.selection import (
    current_supply_point,
    my_supply_points,
    own_supply_point_or_404,
    select_supply_point,
    show_supply_point,
)
from core.service_requests import new_submission_key
from core.views.common import page_number

bp = Blueprint("readings", __name__, url_prefix="/readings")
PAGE_SIZE = 20


@bp.get("/")
@login_required
def index():
    page = page_number()
    shown = {}
    if "point" in request.args:  # this point's history, without changing the remembered choice
        point = show_supply_point(current_user, request.args.get("point", type=int) or 0)
        if point is None:
            abort(404)
        shown = {"point": point.id}
    else:
        point = current_supply_point(current_user)
    if point is None:
        return render_template("readings/index.html", point=None)
    rows = db.session.execute(
        select(MeterReading).where(MeterReading.supply_point_id == point.id)
        .order_by(MeterReading.read_at.desc(), MeterReading.register, MeterReading.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).scalars().all()
    if page > 1 and not rows:  # e.g. the header chose a point with a shorter history
        return redirect(url_for("readings.index", **shown))
    accepts = reading_rules(g.tenant, point).accepts_readings and meter_of(point) is not None
    others = [p for p in my_supply_points(current_user) if p.id != point.id]
    return render_template("readings/index.html", point=point, readings=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, accepts=accepts, others=others, shown=shown)


@bp.route("/new/<int:point_id>", methods=["GET", "POST"])
@login_required
def new(point_id: int):
    point = own_supply_point_or_404(current_user, point_id)
    rules = reading_rules(g.tenant, point)
    meter = meter_of(point)
    if not rules.accepts_readings or meter is None:
        abort(404)
    registers = registers_of(point, rules)
    previous = previous_readings(point, meter.serial_number)
    context = dict(point=point, meter=meter, previous=previous, registers=registers, field_name=field_name)
    if request.method == "GET":
        schema = reading_schema(g.tenant, registers, rules.decimals, confirmation=False)
        return render_template("readings/new.html", schema=schema, values={}, errors={}, warning=None,
                               submission_key=new_submission_key(), **context)

    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    submission_key = request.form.get("submission_key", "")
    schema = reading_schema(g.tenant, registers, rules.decimals)
    data, errors = load_form(schema, request.form)
    check = check_reading(g.tenant, rules, previous, data) if data is not None else None
    if check is not None:
        errors = check.errors
    if not errors and not 16 <= len(submission_key) <= 64:
        errors = {"_schema": [_("The form has expired. Please fill it in again.")]}
    implausible = bool(check and check.implausible)
    if errors or implausible:
        warning = _(
            "This reading means much more consumption than usual since the previous reading. "
            "Check the value; if it is right, confirm it and tell us why."
        ) if implausible else None
        shown = reading_schema(g.tenant, registers, rules.decimals, confirmation=implausible)
        key = submission_key if 16 <= len(submission_key) <= 64 else new_submission_key()
        return render_template("readings/new.html", schema=shown, values=values, errors=errors,
                               warning=warning, submission_key=key, **context), 400

    status = "review" if check and check.review else RECEIVED
    try:
        rows, created = submit_reading(g.tenant, current_user, point, meter.serial_number, data, registers,
                                       previous, status, submission_key)
    except ReadingConflict:
        errors = {"read_on": [_("A reading of this meter for that date is already on record.")]}
        return render_template("readings/new.html", schema=schema, values=values, errors=errors,
                               warning=None, submission_key=new_submission_key(), **context), 400
    if created:
        send_mail(current_user.email, "reading_received", locale=current_user.locale,
                  readings=rows, point=point, link=url_for("readings.index", point=point.id, _external=True))
        db.session.commit()
        jobs.deliver_pending(g.tenant)
        flash(_("Your meter reading has been received."), "success")
    select_supply_point(current_user, point.id)  # the history shown next is this point's
    return redirect(url_for("readings.index"))
