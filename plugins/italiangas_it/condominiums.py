"""The condominium administrator's Area Clienti: every condominium of the studio at once.

A login becomes an administrator's when it links condominiums with the Codice
Amministratore. Its condominiums are the accounts linked with that code or added on the
condominium pages with their PIN (the link's method says which), and removed by
unlinking: the billing data stay with the supplier. The administrator's own supplies,
linked with their PIN at registration or on "My accounts", are not condominiums: they
are neither listed nor changed with them (one added on the condominium pages becomes a
condominium). A new billing address for all files one service request per condominium
through the core's request engine and outbox, each with a key derived from the form's
submission key: sending the same form twice files nothing twice, and a run cut short is
completed by sending it again. Bills by e-mail for all are the core's e-invoice consent
(core.consents.service), given for every condominium at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from core.plugin_api import (
    AccountLink,
    BillingAccount,
    IdentityMethod,
    Invoice,
    LinkOutcome,
    LinkResult,
    ServiceRequest,
    User,
    check_identity,
    db,
    e_invoice_states,
    file_request,
    link_proven,
    owned,
)
from plugins.italiangas_it.i18n import _
from plugins.italiangas_it.identity import ADMIN_CODE_METHOD, PIN_METHOD

CAPABILITY = "condominium_administrators"
INVOICES_PAGE_SIZE = 20
SUBMISSION_KEY_LENGTH = range(16, 49)
"""The form's key, short enough that ``key:account id`` fits a request's 64 characters."""
CONDOMINIUM_PIN_METHOD = replace(PIN_METHOD, code="condominium_pin")
"""A condominium's PIN typed on the condominium pages: checked, and its failures counted,
as any PIN; the link it makes says the account is a condominium."""
CONDOMINIUM_LINKS = (ADMIN_CODE_METHOD.code, CONDOMINIUM_PIN_METHOD.code)
"""The methods of the links that make an account one of the administrator's condominiums."""


class EmailBillsForAllSchema(Schema):
    """The administrator's yes to bills by e-mail for every condominium."""

    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=_("Tick the box to confirm that you want the bills by e-mail.")),
        metadata={"label": _("I want the bills of all my condominiums by e-mail instead of on paper.")},
    )


def is_administrator(user: User) -> bool:
    return db.session.execute(
        select(AccountLink.id).where(AccountLink.user_id == user.id, AccountLink.method == ADMIN_CODE_METHOD.code).limit(1)
    ).first() is not None


def condominium_method(method: IdentityMethod) -> IdentityMethod:
    """How an account proven with ``method`` on the condominium pages is linked: as a condominium."""
    return CONDOMINIUM_PIN_METHOD if method.code == PIN_METHOD.code else method


def _condominiums_only(statement):
    """``statement`` (owned: it joins the account links) limited to the condominiums."""
    return statement.where(AccountLink.method.in_(CONDOMINIUM_LINKS))


def _mine(user: User):
    return _condominiums_only(owned(select(BillingAccount), user))


def own_supplies(user: User) -> list[BillingAccount]:
    """The administrator's own accounts, linked otherwise than as condominiums."""
    return list(db.session.execute(
        owned(select(BillingAccount), user).where(AccountLink.method.not_in(CONDOMINIUM_LINKS))
        .order_by(AccountLink.id)
    ).scalars())


def condominiums(user: User) -> list[BillingAccount]:
    """The condominiums of the administrator's login, with their supplies (two queries)."""
    return list(db.session.execute(
        _mine(user).order_by(BillingAccount.holder_name, BillingAccount.number)
        .options(selectinload(BillingAccount.supply_points))
    ).scalars())


def condominium(user: User, account_id: int) -> BillingAccount | None:
    """One of the administrator's condominiums; ``None`` for anybody else's."""
    return db.session.execute(_mine(user).where(BillingAccount.id == account_id)).scalar_one_or_none()


def email_bill_states(user: User) -> list[Any]:
    """Bills by e-mail, condominium by condominium (the core's e-invoice consent)."""
    ids = {account.id for account in condominiums(user)}
    return [state for state in e_invoice_states(user) if state.account.id in ids]


def add(tenant: Any, user: User, method: IdentityMethod, data: dict[str, Any]) -> tuple[LinkResult, int]:
    """Link the condominiums ``data`` prove with ``method`` (a PIN, the Codice
    Amministratore) as condominiums; commits. Those already linked to the login as its own
    supplies become condominiums too. Returns the result of the link and how many
    condominiums the login has gained."""
    proof = check_identity(tenant, method, data, user)
    if proof.outcome != LinkOutcome.PROVEN:
        db.session.commit()  # the failed attempt counts
        return proof, 0
    as_condominium = condominium_method(method)
    proven = select(BillingAccount.id).where(BillingAccount.number.in_(proof.account_numbers))
    moved = db.session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.account_id.in_(proven),
               AccountLink.method.not_in(CONDOMINIUM_LINKS))
        .values(method=as_condominium.code)
    ).rowcount
    result = link_proven(tenant, user, as_condominium, proof.account_numbers)
    return result, moved + (len(result.accounts) if result.outcome == LinkOutcome.LINKED else 0)


def remove(user: User, account: BillingAccount) -> None:
    """Unlink a condominium from the login; its billing data stay with the supplier."""
    db.session.execute(delete(AccountLink).where(AccountLink.user_id == user.id, AccountLink.account_id == account.id))
    db.session.commit()


def account_key(submission_key: str, account: BillingAccount) -> str:
    """The submission key of one condominium's request in an operation for all."""
    return f"{submission_key}:{account.id}"


def file_for_all(
    user: User, accounts: list[BillingAccount], request_type: str, data: dict[str, Any], submission_key: str
) -> list[ServiceRequest]:
    """File the same request for every condominium; returns the requests filed now
    (those of an earlier run with the same key are not filed again)."""
    if len(submission_key) not in SUBMISSION_KEY_LENGTH:
        raise ValueError("the submission key must have 16 to 48 characters")
    filed = []
    for account in accounts:
        request, created = file_request(user, account, request_type, data, account_key(submission_key, account))
        if created:
            filed.append(request)
    return filed


def invoices_page(user: User, page: int) -> tuple[list[tuple[Invoice, BillingAccount]], bool]:
    """One page of the invoices of every condominium, newest first, in one query;
    and whether there is a next page."""
    rows = db.session.execute(
        _condominiums_only(owned(
            select(Invoice, BillingAccount).join(BillingAccount, Invoice.account_id == BillingAccount.id), user))
        .order_by(Invoice.issued_on.desc(), BillingAccount.holder_name, Invoice.id.desc())
        .offset((page - 1) * INVOICES_PAGE_SIZE)
        .limit(INVOICES_PAGE_SIZE + 1)
    ).all()
    return rows[:INVOICES_PAGE_SIZE], len(rows) > INVOICES_PAGE_SIZE
