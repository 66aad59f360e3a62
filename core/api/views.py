"""The API's endpoints: the token owner's accounts, supply points, invoices, payments,
meter readings and requests, read from the portal's copy; writes go through the same
schemas, checks and outbox as the web forms."""

from __future__ import annotations

from typing import Any

from flask import Response, g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import extract, select

from core.api import idempotency
from core.api import schemas as s
from core.api.base import ApiError, bp, json_body, load, operation, paginated, query_args, validation_failed
from core.billing.contract import BackendUnavailable
from core.consumption.service import monthly_consumption
from core.framework.extensions import db
from core.framework.ownership import owned
from core.models import (
    AccountLink,
    BillingAccount,
    Invoice,
    MeterReading,
    Payment,
    ServiceRequest,
    SupplyPoint,
)
from core.readings.service import (
    ReadingRefused,
    field_name,
    local_today,
    meter_form,
    meter_of,
    reading_rules,
    submission,
    submit_and_confirm,
)
from core.service_requests.service import account_errors, file_and_confirm, filed_request

ACCOUNTS, POINTS, BILLING, READINGS, REQUESTS = (
    _l("Accounts"), _l("Supply points"), _l("Invoices and payments"), _l("Meter readings"), _l("Requests"))


# --- the token owner's data, only through their linked accounts -------------------


def _linked(statement, account_column=BillingAccount.id):
    return owned(statement, current_user, account_column)


def _accounts():
    return _linked(select(BillingAccount)).order_by(AccountLink.id)


def _points():
    return _linked(select(SupplyPoint), SupplyPoint.account_id).order_by(AccountLink.id, SupplyPoint.identifier)


def _one(statement):
    found = db.session.execute(statement).first()
    if found is None:
        raise ApiError(404)
    return found if len(found) > 1 else found[0]


def _point(identifier: str) -> SupplyPoint:
    return _one(_points().where(SupplyPoint.identifier == identifier))


def _dump_point(point: SupplyPoint) -> dict[str, Any]:
    accepts = reading_rules(g.tenant, point).accepts_readings and meter_of(point) is not None
    return s.SupplyPointSchema().dump(point) | {"accepts_readings": accepts}


def _dump_invoice(invoice: Invoice, account_number: str) -> dict[str, Any]:
    return s.InvoiceSchema().dump(invoice) | {"account_number": account_number}


def _dump_payment(payment: Payment, account_number: str) -> dict[str, Any]:
    return s.PaymentSchema().dump(payment) | {"account_number": account_number}


# --- read ------------------------------------------------------------------------


@operation("/me", summary=_l("The token's owner"), tag=ACCOUNTS, response=s.MeSchema)
def me():
    numbers = db.session.execute(_linked(select(BillingAccount.number)).order_by(AccountLink.id)).scalars().all()
    return s.MeSchema().dump({
        "email": current_user.email, "locale": str(get_locale()), "brand": g.tenant.code,
        "supplier": g.tenant.supplier.name, "accounts": numbers, "token": g.api_token,
    })


@operation("/accounts", summary=_l("Your linked customer accounts"), tag=ACCOUNTS,
           response=s.AccountPage, query=s.PageQuery)
def accounts():
    return paginated(_accounts(), query_args(s.PageQuery), s.AccountSchema().dump)


@operation("/accounts/<number>", summary=_l("One customer account"), tag=ACCOUNTS, response=s.AccountSchema)
def account(number: str):
    return s.AccountSchema().dump(_one(_accounts().where(BillingAccount.number == number)))


@operation("/supply-points", summary=_l("Your supply points"), tag=POINTS,
           response=s.SupplyPointPage, query=s.PageQuery)
def supply_points():
    return paginated(_points(), query_args(s.PageQuery), _dump_point)


@operation("/supply-points/<identifier>", summary=_l("One supply point"), tag=POINTS, response=s.SupplyPointSchema)
def supply_point(identifier: str):
    return _dump_point(_point(identifier))


def _invoices():
    return _linked(select(Invoice, BillingAccount.number).join(BillingAccount, Invoice.account_id == BillingAccount.id))


@operation("/invoices", summary=_l("Your invoices, newest first"), tag=BILLING,
           response=s.InvoicePage, query=s.InvoiceQuery)
def invoices():
    args = query_args(s.InvoiceQuery)
    statement = _invoices().order_by(Invoice.issued_on.desc(), Invoice.id.desc())
    if "year" in args:
        statement = statement.where(extract("year", Invoice.issued_on) == args["year"])
    if "status" in args:
        statement = statement.where(Invoice.status == args["status"])
    return paginated(statement, args, _dump_invoice)


@operation("/invoices/<path:number>", summary=_l("One invoice"), tag=BILLING, response=s.InvoiceSchema)
def invoice(number: str):
    return _dump_invoice(*_one(_invoices().where(Invoice.number == number)))


@operation("/invoices/<path:number>/pdf", summary=_l("An invoice as PDF, from the billing system"), tag=BILLING,
           media_type="application/pdf", errors=(503,))
def invoice_pdf(number: str):
    found, account_number = _one(_invoices().where(Invoice.number == number))
    try:
        pdf = g.tenant.adapter.invoice_pdf(account_number, found.number)
    except BackendUnavailable:
        raise ApiError(503) from None
    except LookupError:
        raise ApiError(404) from None
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{found.number.replace("/", "-")}.pdf"'})


@operation("/payments", summary=_l("Payments received, newest first"), tag=BILLING,
           response=s.PaymentPage, query=s.PageQuery)
def payments():
    statement = _linked(
        select(Payment, BillingAccount.number).join(BillingAccount, Payment.account_id == BillingAccount.id)
    ).order_by(Payment.booked_at.desc(), Payment.id.desc())
    return paginated(statement, query_args(s.PageQuery), _dump_payment)


@operation("/supply-points/<identifier>/readings", summary=_l("Meter readings of a supply point, newest first"),
           tag=READINGS, response=s.ReadingPage, query=s.PageQuery)
def readings(identifier: str):
    point = _point(identifier)
    statement = (select(MeterReading).where(MeterReading.supply_point_id == point.id)
                 .order_by(MeterReading.read_at.desc(), MeterReading.register, MeterReading.id.desc()))
    return paginated(statement, query_args(s.PageQuery), s.ReadingSchema().dump)


@operation("/supply-points/<identifier>/consumption", summary=_l("Consumption per month and register"),
           tag=READINGS, response=s.ConsumptionSchema, query=s.YearQuery,
           description=_l("Derived from the meter readings on record, like the consumption page, beside the "
                          "previous year."))
def consumption(identifier: str):
    point = _point(identifier)
    year = query_args(s.YearQuery).get("year") or local_today(g.tenant).year
    return s.ConsumptionSchema().dump({"identifier": point.identifier, "year": year,
                                       "months": monthly_consumption(point, year)})


@operation("/requests", summary=_l("Your requests, newest first"), tag=REQUESTS,
           response=s.ServiceRequestPage, query=s.PageQuery)
def requests():
    statement = (select(ServiceRequest).where(ServiceRequest.user_id == current_user.id)
                 .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()))
    return paginated(statement, query_args(s.PageQuery), s.ServiceRequestSchema().dump)


@operation("/requests/<int:request_id>", summary=_l("One request and its history"), tag=REQUESTS,
           response=s.ServiceRequestSchema)
def request_detail(request_id: int):
    return s.ServiceRequestSchema().dump(_one(
        select(ServiceRequest).where(ServiceRequest.id == request_id, ServiceRequest.user_id == current_user.id)))


# --- write -----------------------------------------------------------------------


def _reading_values(body: dict[str, Any], registers: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API body as the web form's fields (``values`` per register), and the way back for errors."""
    values = body["values"]
    unknown = {f"values.{code}": [_("This meter has no register %(code)s.", code=code)]
               for code in values if code not in registers}
    if unknown:
        raise validation_failed(unknown)
    form = {key: body[key] for key in ("read_on", "meter_replaced", "confirm", "reason") if body.get(key) is not None}
    form.update({field_name(code): value for code, value in values.items()})
    return form, {field_name(code): f"values.{code}" for code in registers}


@operation("/supply-points/<identifier>/readings", "POST", summary=_l("Submit a meter reading"), tag=READINGS,
           body=s.ReadingInput, response=s.SubmissionSchema, status=202, write=True, headers=(idempotency.PARAMETER,),
           description=_l("Checked like the web form: never older or lower than the previous reading; a value "
                          "far above the usual consumption is refused with the code implausible_reading until "
                          "it is sent again with confirm set to true and a reason."))
def submit_meter_reading(identifier: str):
    form = meter_form(g.tenant, _point(identifier))
    if form is None:
        raise ApiError(404)
    body = json_body()
    load(s.ReadingInput, body)
    key = idempotency.idempotency(body)
    if key.replayed():
        return _submission_answer(submission(key.submission_key), replayed=True)
    values, names = _reading_values(body, form.registers)
    try:
        rows, created = submit_and_confirm(form, current_user, values, key.submission_key, along=key.records())
    except ReadingRefused as refused:
        if refused.errors:
            raise validation_failed({names.get(k, k): v for k, v in refused.errors.items()}) from None
        raise validation_failed({}, code="implausible_reading", message=_(
            "This reading means much more consumption than usual since the previous reading. Check the value; "
            "if it is right, send it again with confirm set to true and a reason.")) from None
    if not created:
        key.replayed()  # a parallel request with this key was stored first: a 422 unless it was this one
    return _submission_answer(rows, replayed=not created)


def _submission_answer(rows: list[MeterReading], replayed: bool):
    for row in rows:
        db.session.refresh(row)
    body = s.SubmissionSchema().dump({"status": rows[0].status, "readings": rows})
    return body, 202, {"Idempotent-Replayed": "true"} if replayed else {}


@operation("/requests", "POST", summary=_l("File a request"), tag=REQUESTS, body=s.RequestInput,
           response=s.ServiceRequestSchema, status=202, write=True, headers=(idempotency.PARAMETER,),
           description=_l("The request types and their fields are those of the web form; data is validated "
                          "by the request type's own rules."))
def file_service_request():
    raw = json_body()
    body = load(s.RequestInput, raw)
    key = idempotency.idempotency(raw)
    if key.replayed():
        return _request_answer(filed_request(key.submission_key), replayed=True)
    request_type = next((t for t in g.tenant.request_types() if t.code == body["type"]), None)
    if request_type is None:
        raise validation_failed({"type": [_("There is no such request type.")]})
    account = db.session.execute(_accounts().where(BillingAccount.number == body["account"])).scalar_one_or_none()
    if account is None or not request_type.eligible(account):
        raise validation_failed({"account": [_("Choose the customer account this request is about.")]})
    data = load(request_type.schema(), body["data"], rename=lambda name: "data" if name == "_schema" else f"data.{name}")
    errors = account_errors(g.tenant, request_type, account, data)
    if errors:
        raise validation_failed({f"data.{name}": [str(m) for m in messages] for name, messages in errors.items()})
    filed, created = file_and_confirm(g.tenant, current_user, account, request_type, data, key.submission_key,
                                      along=key.records())
    if not created:
        key.replayed()  # a parallel request with this key was stored first: a 422 unless it was this one
    return _request_answer(filed, replayed=not created)


def _request_answer(filed: ServiceRequest, replayed: bool):
    db.session.refresh(filed)
    return s.ServiceRequestSchema().dump(filed), 202, {"Idempotent-Replayed": "true"} if replayed else {}


@bp.route("/<anypath:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def no_such_address(rest: str):
    """Any other address under the API answers in JSON too."""
    raise ApiError(404)
