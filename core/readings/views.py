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

from core.framework.extensions import db
from core.framework.forms import form_input
from core.framework.outbox import new_submission_key
from core.framework.selection import (
    current_supply_point,
    my_supply_points,
    own_supply_point_or_404,
    select_supply_point,
    show_supply_point,
)
from core.framework.web import page_number
from core.models import MeterReading
from core.readings.labels import reading_source_label, reading_status_label
from core.readings.service import (
    ACCEPTED,
    REJECTED,
    ReadingRefused,
    accepts_readings,
    field_name,
    meter_form,
    submit_and_confirm,
)

bp = Blueprint("readings", __name__, url_prefix="/readings")
bp.add_app_template_global(reading_status_label)
bp.add_app_template_global(reading_source_label)
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
    accepts = accepts_readings(g.tenant, point)
    others = [p for p in my_supply_points(current_user) if p.id != point.id]
    return render_template("readings/index.html", point=point, readings=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, accepts=accepts, others=others, shown=shown)


@bp.route("/new/<int:point_id>", methods=["GET", "POST"])
@login_required
def new(point_id: int):
    point = own_supply_point_or_404(current_user, point_id)
    form = meter_form(g.tenant, point)
    if form is None:
        abort(404)
    context = dict(point=point, meter=form.meter, previous=form.previous, registers=form.registers,
                   field_name=field_name)
    if request.method == "GET":
        return render_template("readings/new.html", schema=form.schema(confirmation=False), values={}, errors={},
                               warning=None, submission_key=new_submission_key(), **context)

    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    submission_key = request.form.get("submission_key", "")
    try:
        if not 16 <= len(submission_key) <= 64:
            raise ReadingRefused({"_schema": [_("The form has expired. Please fill it in again.")]})
        rows, created = submit_and_confirm(form, current_user, form_input(form.schema(), request.form),
                                           submission_key)
    except ReadingRefused as refused:
        warning = _(
            "This reading means much more consumption than usual since the previous reading. "
            "Check the value; if it is right, confirm it and tell us why."
        ) if refused.implausible else None
        key = submission_key if 16 <= len(submission_key) <= 64 else new_submission_key()
        return render_template("readings/new.html", schema=form.schema(confirmation=refused.implausible),
                               values=values, errors=refused.errors, warning=warning, submission_key=key,
                               **context), 400
    if created:  # delivered in process already, the supplier's answer may be in
        if any(row.status == REJECTED for row in rows):
            flash(_("Your meter reading has been received, but the supplier did not accept it. "
                    "The reason is shown in the list below."), "warning")
        elif rows and all(row.status == ACCEPTED for row in rows):
            flash(_("Your meter reading has been received and accepted by the supplier."), "success")
        else:
            flash(_("Your meter reading has been received."), "success")
    select_supply_point(current_user, point.id)  # the history shown next is this point's
    return redirect(url_for("readings.index"))
