"""Service request pages: the supplier's request types, the form, the list and the history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core import jobs
from core.extensions import db
from core.forms import load_form
from core.mail import send_mail
from core.models import AccountLink, BillingAccount, ServiceRequest
from core.service_requests import account_errors, file_request, new_submission_key

bp = Blueprint("requests", __name__, url_prefix="/requests")
PAGE_SIZE = 20


def _my_accounts() -> list[BillingAccount]:
    return list(db.session.execute(
        select(BillingAccount).join(AccountLink).where(AccountLink.user_id == current_user.id).order_by(AccountLink.id)
    ).scalars())


def _request_type(code: str):
    found = next((t for t in g.tenant.request_types() if t.code == code), None)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@login_required
def index():
    page = max(request.args.get("page", 1, type=int), 1)
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
    accounts = [a for a in _my_accounts() if request_type.eligible(a)]
    if not accounts:
        abort(404)
    schema = request_type.schema()
    context = dict(request_type=request_type, schema=schema, accounts=accounts)
    if request.method == "GET":
        return render_template("requests/new.html", values={}, errors={},
                               submission_key=new_submission_key(), **context)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    submission_key = request.form.get("submission_key", "")
    account = next((a for a in accounts if str(a.id) == request.form.get("account")), None)
    data, errors = load_form(schema, request.form)
    if account is None:
        errors = {**errors, "account": [_("Choose the customer account this request is about.")]}
    elif not errors:
        errors = account_errors(g.tenant, request_type, account, data)
    if errors or not 16 <= len(submission_key) <= 64:
        return render_template("requests/new.html", values=values, errors=errors or {"_schema": [_("The form has expired. Please fill it in again.")]},
                               submission_key=new_submission_key(), **context), 400
    filed, created = file_request(current_user, account, code, data, submission_key)
    if created:
        send_mail(current_user.email, "request_received", locale=current_user.locale,
                  request=filed, label=request_type.label,
                  link=url_for("requests.detail", request_id=filed.id, _external=True))
        db.session.commit()
        jobs.deliver_pending(g.tenant)
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
    fields = _request_type(filed.request_type).schema().fields if label != filed.request_type else {}
    return render_template("requests/detail.html", filed=filed, label=label, fields=fields)
