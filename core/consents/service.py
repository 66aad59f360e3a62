"""Consents: the portal's terms of service, e-invoices per billing account, marketing.

Bumping ``TERMS_VERSION`` makes every customer accept the terms again before using the
portal. E-invoice consent (e-faktura, e-mail bills, bolletta via e-mail) is given per
billing account, where the supplier offers it (capability ``e_invoice``), and goes to the
supplier through the outbox; marketing consent belongs to the login. Every change is kept
with its date as the consent history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.billing.contract import RequestSubmission, SubmissionResult
from core.framework import outbox
from core.framework.extensions import db
from core.framework.tenancy import Tenant
from core.models import BillingAccount, OutboxMessage, TermsAcceptance, User, utcnow
from core.profile.models import ConsentEvent
from core.profile.service import RECEIVED, REJECTED, record_activity, settle

E_INVOICE, MARKETING = "e_invoice", "marketing"
CAPABILITY = "e_invoice"
RECORDED = "recorded"  # a consent the portal keeps itself (marketing)
KIND = "consent"
REQUEST_TYPE = "e_invoice_consent"

# What stays reachable before new terms are accepted.
TERMS_EXEMPT = frozenset({
    "consents.terms", "consents.terms_text", "auth.logout", "site.set_language", "site.theme_css", "site.theme_static",
    "site.health", "static",
    # whoever does not accept can still take their data and close the login
    "profile.privacy", "profile.export", "profile.delete",
    "help.index", "help.contact", "help.accessibility",
})


# --- terms of service -------------------------------------------------------------------

def terms_outdated(user: User) -> bool:
    """The user accepted another version of the terms than the one in force."""
    return user.terms_version != current_app.config["TERMS_VERSION"]


def accept_terms(user: User) -> None:
    version, now = current_app.config["TERMS_VERSION"], utcnow()
    user.terms_version, user.terms_accepted_at = version, now
    db.session.add(TermsAcceptance(user_id=user.id, version=version, accepted_at=now))
    record_activity(user, "terms_accepted")
    db.session.commit()


def terms_history(user: User) -> list[TermsAcceptance]:
    return list(db.session.execute(
        select(TermsAcceptance).where(TermsAcceptance.user_id == user.id)
        .order_by(TermsAcceptance.accepted_at.desc(), TermsAcceptance.id.desc())
    ).scalars())


class AcceptTermsSchema(Schema):
    accept_terms = fields.Boolean(
        required=True, metadata={"label": _l("I have read and accept the new terms of service of the portal.")},
    )


class SwitchSchema(Schema):
    """Switch a consent on or off; ``account`` is a billing account's id, or ``all``."""

    choice = fields.String(required=True, validate=validate.OneOf(["on", "off"]))
    account = fields.String(load_default=None, validate=validate.Regexp(r"^(all|\d{1,12})$"))


# --- history -------------------------------------------------------------------------------

def history(user: User, kind: str, account: BillingAccount | None = None) -> list[ConsentEvent]:
    """The user's changes of one consent, newest first."""
    query = select(ConsentEvent).where(ConsentEvent.user_id == user.id, ConsentEvent.kind == kind)
    if account is not None:
        query = query.where(ConsentEvent.account_id == account.id)
    return list(db.session.execute(
        query.order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
    ).scalars())


def _in_force(events: list[ConsentEvent]) -> bool:
    """The newest change the supplier did not turn down (one on its way counts)."""
    return next((event.granted for event in events if event.status != REJECTED), False)


# --- e-invoice ---------------------------------------------------------------------------

def e_invoice_offered(tenant: Tenant) -> bool:
    """Whether the tenant's supplier offers e-invoices (the ``"e_invoice"`` capability)."""
    return tenant.has(CAPABILITY)


@dataclass(frozen=True)
class EInvoiceState:
    account: BillingAccount
    enabled: bool
    history: list[ConsentEvent]

    @property
    def latest(self) -> ConsentEvent | None:
        return self.history[0] if self.history else None


def e_invoice_states(user: User) -> list[EInvoiceState]:
    """Per linked account of ``user``, in link order: the account, whether e-invoices are
    on (``enabled``) and the consent's ``history``, newest first."""
    states = []
    for link in user.links:
        events = history(user, E_INVOICE, link.account)
        states.append(EInvoiceState(link.account, _in_force(events), events))
    return states


class NotYourAccount(LookupError):
    """An account that is not linked to the user was named."""


def set_e_invoice(user: User, accounts: Iterable[BillingAccount], enabled: bool) -> list[ConsentEvent]:
    """Switch e-invoices on or off for several accounts in one transaction; commits.

    Accounts already as asked are left alone (a double click changes nothing); each
    change is queued for the supplier. Returns the changes made.
    """
    accounts = list(accounts)
    own = {link.account_id for link in user.links}
    if any(account.id not in own for account in accounts):
        raise NotYourAccount
    events = []
    for account in accounts:
        if _in_force(history(user, E_INVOICE, account)) == enabled:
            continue
        event = ConsentEvent(
            user_id=user.id, account_id=account.id, kind=E_INVOICE, granted=enabled,
            data={"enabled": enabled, "email": user.email}, status=RECEIVED,
        )
        db.session.add(event)
        db.session.flush()
        outbox.enqueue(KIND, event.id, ordering_key=outbox.account_order(account.id))
        events.append(event)
    if events:
        record_activity(user, "consent_changed")
    db.session.commit()
    return events


def deliver(tenant: Tenant, message: OutboxMessage) -> SubmissionResult:
    event = db.session.get_one(ConsentEvent, message.object_id)
    assert event.account is not None, "only e-invoice consents, which name their account, are sent"
    submission = RequestSubmission(account_number=event.account.number, request_type=REQUEST_TYPE, data=dict(event.data))
    return tenant.adapter.submit_request(submission, message.idempotency_key)



def apply_answer(message: OutboxMessage, result: SubmissionResult) -> None:
    """Record the back-end's answer to the message on its row."""
    settle(db.session.get_one(ConsentEvent, message.object_id), result)


# --- marketing -------------------------------------------------------------------------------

def marketing_consent(user: User) -> bool:
    """Whether the customer agreed to receive offers (for whoever sends them)."""
    return _in_force(history(user, MARKETING))


def set_marketing(user: User, granted: bool) -> bool:
    """Record a change of the marketing consent; commits. False when it was already so."""
    if marketing_consent(user) == granted:
        return False
    db.session.add(ConsentEvent(user_id=user.id, kind=MARKETING, granted=granted, status=RECORDED))
    record_activity(user, "consent_changed")
    db.session.commit()
    return True
