"""The API's service requests: the request types with their fields, the customer's
requests, and filing one through the same schema, checks and outbox as the web form."""

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
    json_body,
    load,
    one,
    paginated,
    query_args,
    replayed_headers,
    validation_failed,
)
from core.api.schemas import PageQuery
from core.api.spec import json_schema
from core.framework.descriptions import RequestType
from core.framework.extensions import db
from core.framework.ownership import linked_accounts, own_accounts
from core.models import BillingAccount
from core.service_requests.models import ServiceRequest
from core.service_requests.schemas import (
    RequestInput,
    RequestTypeListSchema,
    ServiceRequestPage,
    ServiceRequestSchema,
)
from core.service_requests.service import (
    account_errors,
    file_and_confirm,
    filed_request,
    json_safe,
    offer_account_points,
)

endpoints = ApiEndpoints()
REQUESTS = _l("Requests")
REQUEST_DATA = "RequestData_{}"
REQUEST_INPUT = "RequestInput_{}"


def _described(request_type: RequestType) -> dict[str, Any]:
    """The type's title, description and fixed example, as its fields' JSON schema shows them."""
    described: dict[str, Any] = {"title": str(request_type.label)}
    if request_type.description:
        described["description"] = str(request_type.description)
    examples = request_type.fixed_examples
    if examples:
        described["example"] = json_safe(examples[0])
    return described


@endpoints.operation("/request-types", summary=_l("The request types you can file, with their fields"),
                     tag=REQUESTS, response=RequestTypeListSchema,
                     description=_l("Each type's data is described as a JSON schema (the same as in this "
                                    "document's RequestData components, with your own supply points to choose "
                                    "from), with the accounts it can be filed for."))
def request_types():
    accounts = linked_accounts(current_user)
    items = []
    for request_type in g.tenant.request_types():
        eligible = [account for account in accounts if request_type.offered_to(account)]
        schema = offer_account_points(request_type.schema(), eligible)  # its supply points: the customer's
        items.append({
            "type": request_type.code,
            "label": str(request_type.label),
            "description": str(request_type.description) if request_type.description else None,
            "accounts": [account.number for account in eligible],
            "data": json_schema(schema, **_described(request_type)),
        })
    return RequestTypeListSchema().dump({"items": items})


@endpoints.operation("/requests", summary=_l("Your requests, newest first"), tag=REQUESTS,
                     response=ServiceRequestPage, query=PageQuery)
def requests():
    statement = (select(ServiceRequest).where(ServiceRequest.user_id == current_user.id)
                 .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()))
    return paginated(statement, query_args(PageQuery), ServiceRequestSchema().dump)


@endpoints.operation("/requests/<int:request_id>", summary=_l("One request and its history"), tag=REQUESTS,
                     response=ServiceRequestSchema)
def request_detail(request_id: int):
    return ServiceRequestSchema().dump(one(
        select(ServiceRequest).where(ServiceRequest.id == request_id, ServiceRequest.user_id == current_user.id)))


def request_input(spec) -> dict[str, Any] | None:
    """The body of ``POST /requests`` in the brand's OpenAPI document: one object per request
    type, told apart by ``type``; ``None`` when the brand has no request types.

    Each type's fields are a component of their own, ``RequestData_<code>``, generated
    from its schema (with the label, help and choices of the web form, and the type's
    fixed examples); ``RequestInput_<code>`` is the body that files it.
    """
    account = RequestInput().fields["account"]
    mapping: dict[str, str] = {}
    data_of: dict[type, str] = {}  # two types may share a schema: one component
    for request_type in g.tenant.request_types():
        body = REQUEST_INPUT.format(request_type.code)
        described = _described(request_type)
        data = data_of.setdefault(request_type.schema, REQUEST_DATA.format(request_type.code))
        if data not in spec.components.schemas:
            spec.components.schema(data, described, schema=request_type.schema)
        required = bool(spec.components.schemas[data].get("required"))
        spec.components.schema(body, {
            "type": "object",
            "title": str(request_type.label),
            "properties": {
                "type": {"type": "string", "enum": [request_type.code]},
                "account": {"type": "string", "maxLength": 64, "description": str(account.metadata["description"])},
                "data": {"$ref": f"#/components/schemas/{data}"},
            },
            "required": ["type", "account", "data"] if required else ["type", "account"],
            "additionalProperties": False,
            **({"example": {"type": request_type.code, "account": "…", "data": described["example"]}}
               if "example" in described else {}),
        })
        mapping[request_type.code] = f"#/components/schemas/{body}"
    if not mapping:
        return None
    return {"oneOf": [{"$ref": ref} for ref in mapping.values()],
            "discriminator": {"propertyName": "type", "mapping": mapping}}


def _type_codes() -> str:
    codes = [request_type.code for request_type in g.tenant.request_types()]
    return _("Request types: %(types)s.", types=", ".join(codes)) if codes else ""


@endpoints.operation("/requests", "POST", summary=_l("File a request"), tag=REQUESTS, body=RequestInput,
                     response=ServiceRequestSchema, status=202, write=True, headers=(idempotency.PARAMETER,),
                     description=_l("The request types and their fields are those of the web form; data is "
                                    "validated by the request type's own rules."),
                     body_document=request_input, describe=_type_codes)
def file_service_request():
    raw = json_body()
    body = load(RequestInput, raw)
    key = idempotency.idempotency(raw)
    if key.replayed():
        return _answer(filed_request(key.submission_key), replayed=True)
    request_type = next((t for t in g.tenant.request_types() if t.code == body["type"]), None)
    if request_type is None:
        raise validation_failed({"type": [_("There is no such request type.")]})
    account = db.session.execute(
        own_accounts(current_user).where(BillingAccount.number == body["account"])).scalar_one_or_none()
    if account is None or not request_type.offered_to(account):
        raise validation_failed({"account": [_("Choose the customer account this request is about.")]})
    data = load(request_type.schema(), body["data"], rename=lambda name: "data" if name == "_schema" else f"data.{name}")
    errors = account_errors(g.tenant, request_type, account, data)
    if errors:
        raise validation_failed({f"data.{name}": [str(m) for m in messages] for name, messages in errors.items()})
    filed, created = file_and_confirm(g.tenant, current_user, account, request_type, data, key.submission_key,
                                      along=key.records())
    if not created:
        key.replayed()  # a parallel request with this key was stored first: a 422 unless it was this one
    return _answer(filed, replayed=not created)


def _answer(filed: ServiceRequest, replayed: bool):
    db.session.refresh(filed)
    return ServiceRequestSchema().dump(filed), 202, replayed_headers(replayed)
