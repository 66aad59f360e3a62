"""The API's meter readings: the history of a supply point, and submitting a reading
through the same checks and outbox as the web form."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core.api import idempotency
from core.api.base import (
    ApiEndpoints,
    ApiError,
    json_body,
    load,
    own_supply_point,
    paginated,
    query_args,
    replayed_headers,
    validation_failed,
)
from core.api.schemas import PageQuery
from core.framework.extensions import db
from core.models import MeterReading
from core.readings.schemas import ReadingInput, ReadingPage, ReadingSchema, SubmissionSchema
from core.readings.service import ReadingRefused, field_name, meter_form, submission, submit_and_confirm

endpoints = ApiEndpoints()
READINGS = _l("Meter readings")


@endpoints.operation("/supply-points/<identifier>/readings", summary=_l("Meter readings of a supply point, newest first"),
                     tag=READINGS, response=ReadingPage, query=PageQuery)
def readings(identifier: str):
    point = own_supply_point(identifier)
    statement = (select(MeterReading).where(MeterReading.supply_point_id == point.id)
                 .order_by(MeterReading.read_at.desc(), MeterReading.register, MeterReading.id.desc()))
    return paginated(statement, query_args(PageQuery), ReadingSchema().dump)


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


@endpoints.operation(
    "/supply-points/<identifier>/readings", "POST", summary=_l("Submit a meter reading"), tag=READINGS,
    body=ReadingInput, response=SubmissionSchema, status=202, write=True, headers=(idempotency.PARAMETER,),
    description=_l("Checked like the web form: never older or lower than the previous reading; a value "
                   "far above the usual consumption is refused with the code implausible_reading until "
                   "it is sent again with confirm set to true and a reason."))
def submit_meter_reading(identifier: str):
    form = meter_form(g.tenant, own_supply_point(identifier))
    if form is None:
        raise ApiError(404)
    body = json_body()
    load(ReadingInput, body)
    key = idempotency.idempotency(body)
    if key.replayed():
        return _answer(submission(key.submission_key), replayed=True)
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
    return _answer(rows, replayed=not created)


def _answer(rows: list[MeterReading], replayed: bool):
    for row in rows:
        db.session.refresh(row)
    return SubmissionSchema().dump({"status": rows[0].status, "readings": rows}), 202, replayed_headers(replayed)
