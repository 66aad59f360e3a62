"""Service request pages: the supplier's request types, the form, the list and the history."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import fields as mfields
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.billing.contract import BackendUnavailable
from core.framework.extensions import db
from core.framework.fields import E164, SupplyPointOfAccount, phone_in_words
from core.framework.forms import load_form
from core.framework.outbox import new_submission_key
from core.framework.selection import chosen_supply_point, my_accounts
from core.framework.web import page_number
from core.service_requests.labels import request_status_label
from core.service_requests.models import ServiceRequest
from core.service_requests.service import (
    ACCEPTED,
    COMPLETED,
    REJECTED,
    StepProgress,
    account_errors,
    file_and_confirm,
    offer_account_points,
    request_steps,
)

bp = Blueprint("requests", __name__, url_prefix="/requests")
log = logging.getLogger(__name__)
bp.add_app_template_global(request_status_label)
PAGE_SIZE = 20


def _request_type(code: str):
    found = next((t for t in g.tenant.request_types() if t.code == code), None)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@login_required
def index():
    page = page_number()
    rows = db.session.execute(
        select(ServiceRequest).where(ServiceRequest.user_id == current_user.id)
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).scalars().all()
    labels = {t.code: t.label for t in g.tenant.request_types()}
    return render_template(
        "requests/index.html", requests=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, page=page,
        types=g.tenant.request_types(), labels=labels,
    )


@bp.route("/new/<code>", methods=["GET", "POST"])
@login_required
def new(code: str):
    request_type = _request_type(code)
    accounts = [a for a in my_accounts(current_user) if request_type.offered_to(a)]
    if not accounts:
        abort(404)
    steps = request_steps(request_type)

    def show(step: int, progress: StepProgress, submission_key: str, errors: dict | None = None, status: int = 200):
        account = next((a for a in accounts if str(a.id) == progress.values.get("account")), None)
        schema = offer_account_points(  # past the first step the account is chosen: only its points
            request_type.schema(only=steps[step - 1].fields), [account] if account and step > 1 else accounts
        )
        about = account or (accounts[0] if len(accounts) == 1 else None)
        facts = _facts(request_type, about) if request_type.facts and about else []
        return render_template(
            "requests/new.html", request_type=request_type, accounts=accounts, account=account, facts=facts,
            schema=schema, values=progress.values, errors=errors or {},
            steps=steps, step=step, submission_key=submission_key,
            progress=progress.token(current_user, code, submission_key),
        ), status

    submission_key = request.form.get("submission_key", "")
    if request.method == "GET" or not 16 <= len(submission_key) <= 64:
        expired = {} if request.method == "GET" else {"_schema": [_("The form has expired. Please fill it in again.")]}
        return show(1, StepProgress(_chosen_in_the_header(request_type, accounts)), new_submission_key(),
                    expired, 400 if expired else 200)
    progress = StepProgress.read(request.form.get("progress"), current_user, code, submission_key)
    step = min(max(request.form.get("step", 1, type=int), 1), len(steps))
    typed = {k: v for k, v in request.form.items() if k in steps[step - 1].fields or (step == 1 and k == "account")}
    progress = StepProgress({**progress.values, **typed}, progress.done)
    if request.form.get("back") and step > 1:
        return show(step - 1, StepProgress(progress.values, min(progress.done, step - 2)), submission_key)
    if step > progress.done + 1:  # a step cannot be skipped
        return show(progress.done + 1, progress, submission_key,
                    {"_schema": [_("Please complete this step first.")]}, 400)

    account = next((a for a in accounts if str(a.id) == progress.values.get("account")), None)
    last = step == len(steps)
    schema = request_type.schema() if last else request_type.schema(only=steps[step - 1].fields)
    data, errors = load_form(schema, MultiDict(progress.values))
    if account is None:
        errors = {**errors, "account": [_("Choose the customer account this request is about.")]}
    elif not errors and last:
        assert data is not None, "a form without errors has its data"
        errors = account_errors(g.tenant, request_type, account, data)
    if errors:  # shown on the first page that asks for a field in error
        first = next((n for n, s in enumerate(steps, 1) if set(errors) & {*s.fields, *(["account"] if n == 1 else [])}), step)
        return show(min(first, step), StepProgress(progress.values, min(first, step) - 1), submission_key, errors, 400)
    if not last:
        return show(step + 1, StepProgress(progress.values, step), submission_key)
    assert account is not None and data is not None, "no errors: the account is chosen, the form valid"

    filed, created = file_and_confirm(g.tenant, current_user, account, request_type, data, submission_key)
    if created:  # delivered in process already, the supplier's answer may be in
        if filed.status == REJECTED:
            flash(_("Your request has been received, but the supplier did not accept it. The reason is below."),
                  "warning")
        elif filed.status in (ACCEPTED, COMPLETED):
            flash(_("Your request has been received and accepted by the supplier."), "success")
        else:
            flash(_("Your request has been received."), "success")
    return redirect(url_for("requests.detail", request_id=filed.id))


@bp.get("/<int:request_id>")
@login_required
def detail(request_id: int):
    filed = db.session.execute(
        select(ServiceRequest).where(ServiceRequest.id == request_id, ServiceRequest.user_id == current_user.id)
    ).scalar_one_or_none()
    if filed is None:
        abort(404)
    label = next((t.label for t in g.tenant.request_types() if t.code == filed.request_type), filed.request_type)
    fields = (
        offer_account_points(_request_type(filed.request_type).schema(), [filed.account]).fields
        if label != filed.request_type else {}
    )
    return render_template("requests/detail.html", filed=filed, label=label, shown=shown_data(filed.data, fields))


def _facts(request_type, account) -> list:
    """What the form shows about ``account`` first; none while the back-end cannot tell
    (the form still works: the facts only spare the customer a look at an old invoice)."""
    try:
        return list(request_type.facts(g.tenant.adapter, account))
    except BackendUnavailable as exc:
        log.warning("request type %s: no facts for account %s: %s", request_type.code, account.number, exc)
        return []


def _chosen_in_the_header(request_type, accounts) -> dict[str, str]:
    """A new form starts with the supply point the customer chose in the header (and its
    account), where the request is about a point of that kind and may be filed for the account;
    without a choice a select of several points starts at "Choose…"."""
    point = chosen_supply_point(current_user)
    if point is None or point.account not in accounts:
        return {}
    fields = [name for name, field in request_type.schema().fields.items()
              if isinstance(field, SupplyPointOfAccount) and field.offers(point)]
    return {"account": str(point.account.id), **dict.fromkeys(fields, point.identifier)} if fields else {}


def shown_data(data: dict[str, Any], schema_fields: dict[str, mfields.Field]) -> list[tuple[str, str]]:
    """What the customer asked for, as they read it: each field's label and its value in
    words (a choice by its label, yes or no, a date and a number in the customer's format);
    fields left empty are left out."""
    rows = []
    for name, value in data.items():
        if value is None or value == "":
            continue
        field = schema_fields.get(name)
        label = field.metadata.get("label") if field is not None else None
        rows.append((str(label or name), _in_words(field, value)))
    return rows


def _in_words(field: mfields.Field | None, value: Any) -> str:
    if isinstance(value, bool) or isinstance(field, mfields.Boolean):
        return _("Yes") if value else _("No")
    # stored as JSON: a Decimal or date choice comes back as its string
    choices = {str(code): label for code, label in field.metadata.get("choices") or ()} if field is not None else {}
    if str(value) in choices:
        return str(choices[str(value)])
    try:
        if isinstance(field, mfields.Date):
            return format_date(dt.date.fromisoformat(str(value)))
        if isinstance(field, mfields.Decimal | mfields.Float | mfields.Integer) or isinstance(value, int | float):
            return format_decimal(Decimal(str(value)))
    except (ValueError, ArithmeticError):
        pass
    if isinstance(value, str) and E164.fullmatch(value):  # a phone number the form kept in international form
        return phone_in_words(value, g.tenant.supplier.country)
    return str(value)
