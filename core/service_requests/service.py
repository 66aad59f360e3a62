"""Service requests: filed through a form built from the plugin's schema, delivered through
the outbox, and followed by the customer through their lifecycle."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from core.billing.contract import BackendUnavailable, RequestSubmission, SubmissionResult, SubmissionStatus
from core.framework import outbox
from core.framework.descriptions import RequestStep, RequestType
from core.framework.extensions import db
from core.framework.fields import foreign_supply_points, offer_supply_points
from core.framework.labels import commodity_label
from core.framework.mail import send_mail
from core.framework.rejections import code_of
from core.framework.security import TokenInvalid, make_token, read_token
from core.framework.tenancy import Tenant
from core.framework.urls import tenant_url
from core.models import BillingAccount, OutboxMessage, User
from core.service_requests.models import ServiceRequest, ServiceRequestEvent

RECEIVED, ACCEPTED, COMPLETED, REJECTED = "received", "accepted", "completed", "rejected"
KIND = "service_request"


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))


STEPS_PURPOSE = "request-steps"


@dataclass(frozen=True)
class StepProgress:
    """How far a customer got in a request filed in steps: what they typed, steps done.

    Carried through the form as a signed token bound to the login, the request type and
    the submission key, so a step cannot be skipped nor its answers altered unseen.
    """

    values: dict[str, str] = field(default_factory=dict)
    done: int = 0

    def token(self, user: User, code: str, submission_key: str) -> str:
        return make_token(STEPS_PURPOSE, uid=user.id, code=code, key=submission_key,
                          values=self.values, done=self.done)

    @classmethod
    def read(cls, token: str | None, user: User, code: str, submission_key: str) -> StepProgress:
        """The progress a token proves, or none at all (missing, altered, expired, another form's)."""
        try:
            claims = read_token(STEPS_PURPOSE, token or "", current_app.config["REQUEST_STEPS_MAX_AGE"])
        except TokenInvalid:
            return cls()
        if (claims.get("uid"), claims.get("code"), claims.get("key")) != (user.id, code, submission_key):
            return cls()
        return cls(dict(claims["values"]), int(claims["done"]))


def request_steps(request_type: RequestType) -> tuple[RequestStep, ...]:
    """The pages of the request's form: its own steps, or one page with every field."""
    return request_type.steps or (RequestStep(None, tuple(request_type.schema().fields)),)


def offer_account_points(schema: Any, accounts: list[BillingAccount]) -> Any:
    """The schema with its supply point lists: the points of ``accounts``, as the customer
    reads them (energy, code and address; the account number too when there are several)."""
    several = len(accounts) > 1

    def label(account: BillingAccount, point: Any) -> str:
        text = f"{commodity_label(point.commodity)} · {point.identifier} · {point.street}, {point.postcode} {point.city}"
        return f"{account.number}: {text}" if several else text

    return offer_supply_points(schema, accounts, label)


def account_errors(tenant: Tenant, request_type: RequestType, account: BillingAccount, data: dict[str, Any]) -> dict:
    """What depends on the chosen account, errors by field: every supply point chosen from
    a list is one of the account's (a forged value is refused before any rule sees it), then
    the request type's own rules (``RequestType.check``)."""
    foreign = foreign_supply_points(request_type.schema(), account, data)
    if foreign:
        return foreign
    if request_type.check is None:
        return {}
    try:
        return dict(request_type.check(tenant.adapter, account, data) or {})
    except BackendUnavailable:
        return {}


def file_request(
    user: User, account: BillingAccount, request_type: str, data: dict[str, Any], submission_key: str,
    along: Iterable[Any] = (), confirm: Callable[[ServiceRequest], Any] | None = None,
) -> tuple[ServiceRequest, bool]:
    """Store the request and its outbox message (and ``along``, rows of the same write) in one transaction.

    ``confirm(request)`` adds what else belongs to the write (its confirmation mail) to the
    same transaction. Returns the request and whether it is new; the same
    ``submission_key`` twice (double click, replay, parallel posts) returns the first
    request and confirms nothing.
    """
    request = ServiceRequest(
        user_id=user.id, account_id=account.id, request_type=request_type,
        data=json_safe(data), status=RECEIVED, submission_key=submission_key,
    )
    request.events.append(ServiceRequestEvent(status=RECEIVED))
    db.session.add_all([request, *along])
    try:
        db.session.flush()
        outbox.enqueue(KIND, request.id, ordering_key=outbox.account_order(account.id))
        if confirm is not None:
            confirm(request)
        db.session.commit()
        return request, True
    except IntegrityError:
        db.session.rollback()
        return filed_request(submission_key), False


def filed_request(submission_key: str) -> ServiceRequest:
    """The request filed with ``submission_key``."""
    return db.session.execute(
        db.select(ServiceRequest).where(ServiceRequest.submission_key == submission_key)
    ).scalar_one()


def file_and_confirm(
    tenant: Tenant, user: User, account: BillingAccount, request_type: RequestType, data: dict[str, Any],
    submission_key: str, *, along: Iterable[Any] = (),
) -> tuple[ServiceRequest, bool]:
    """File the request with its confirmation mail; both leave after commit.

    The same ``submission_key`` again returns the first request and sends nothing;
    ``along`` are rows stored in the same transaction (the API's idempotency key).
    """
    def confirm(filed: ServiceRequest) -> None:
        send_mail(user.email, "request_received", locale=user.locale, request=filed, label=request_type.label,
                  link=tenant_url(tenant, "requests.detail", request_id=filed.id))

    return file_request(user, account, request_type.code, data, submission_key, along, confirm)


def deliver(tenant: Tenant, message: OutboxMessage) -> SubmissionResult:
    request = db.session.get_one(ServiceRequest, message.object_id)
    submission = RequestSubmission(
        account_number=request.account.number, request_type=request.request_type, data=dict(request.data)
    )
    return tenant.adapter.submit_request(submission, message.idempotency_key)


def apply_answer(message: OutboxMessage, result: SubmissionResult) -> None:
    request = db.session.get_one(ServiceRequest, message.object_id)
    if result.status == SubmissionStatus.ACCEPTED:
        request.status, request.supplier_reference = ACCEPTED, result.reference
    else:
        request.status, request.reject_reason = REJECTED, code_of(result)
    db.session.add(ServiceRequestEvent(request_id=request.id, status=request.status))
