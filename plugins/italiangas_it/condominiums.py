"""The condominium administrator's Area Clienti: every condominium of the studio at once.

A login becomes an administrator's when it links condominiums with the Codice
Amministratore; from then on every account linked to it is one of the condominiums it
administers (more are added with their PIN, and removed by unlinking: the billing data
stay with the supplier). A new billing address for all files one service request per
condominium through the core's request engine and outbox, each with a key derived from
the form's submission key: sending the same form twice files nothing twice, and a run
cut short is completed by sending it again. Bills by e-mail for all are the core's
e-invoice consent (core.consents.service), given for every condominium at once.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from core.plugin_api import (
    AccountLink,
    BillingAccount,
    Invoice,
    ServiceRequest,
    User,
    db,
    file_request,
    owned,
)
from plugins.italiangas_it.i18n import _
from plugins.italiangas_it.identity import ADMIN_CODE_METHOD

CAPABILITY = "condominium_administrators"
INVOICES_PAGE_SIZE = 20
SUBMISSION_KEY_LENGTH = range(16, 49)
"""The form's key, short enough that ``key:account id`` fits a request's 64 characters."""


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


def _mine(user: User):
    return owned(select(BillingAccount), user)


def condominiums(user: User) -> list[BillingAccount]:
    """The condominiums of the administrator's login, with their supplies (two queries)."""
    return list(db.session.execute(
        _mine(user).order_by(BillingAccount.holder_name, BillingAccount.number)
        .options(selectinload(BillingAccount.supply_points))
    ).scalars())


def condominium(user: User, account_id: int) -> BillingAccount | None:
    """One of the administrator's condominiums; ``None`` for anybody else's."""
    return db.session.execute(_mine(user).where(BillingAccount.id == account_id)).scalar_one_or_none()


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
        owned(select(Invoice, BillingAccount).join(BillingAccount, Invoice.account_id == BillingAccount.id), user)
        .order_by(Invoice.issued_on.desc(), BillingAccount.holder_name, Invoice.id.desc())
        .offset((page - 1) * INVOICES_PAGE_SIZE)
        .limit(INVOICES_PAGE_SIZE + 1)
    ).all()
    return rows[:INVOICES_PAGE_SIZE], len(rows) > INVOICES_PAGE_SIZE
