"""A customer's own rows: everything a login reaches goes through its account links.

One helper answers "this customer's rows" for any statement that has an account column,
so no query writes the ``AccountLink.user_id`` filter by hand and another customer's row
is simply not found::

    owned(select(Invoice), user, Invoice.account_id).where(Invoice.number == number)

The join keeps ``AccountLink`` in the statement, so callers may order by the link
(``AccountLink.id``: the order in which the customer linked their accounts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute

from core.models import AccountLink, BillingAccount, Invoice, SupplyPoint
from core.models.database import db


class _Owner:
    id: BindParameter[int] = bindparam("owner_id")


OWNER: Any = _Owner()
"""Stands for the customer in a statement built once, for a query every page runs:
``owned(select(...), OWNER)``, executed with ``{"owner_id": user.id}``."""


def owned(statement: Select, user: Any, account_column: InstrumentedAttribute = BillingAccount.id) -> Select:
    """``statement`` limited to rows of the accounts ``user`` has linked.

    :param account_column: the column of the statement that holds the billing account's id
        (``BillingAccount.id``, ``Invoice.account_id``, ``SupplyPoint.account_id``, ...).
    """
    return statement.join(AccountLink, AccountLink.account_id == account_column).where(
        AccountLink.user_id == user.id
    )


def own_accounts(user: Any) -> Select:
    """The billing accounts ``user`` has linked, in the order they were linked."""
    return owned(select(BillingAccount), user).order_by(AccountLink.id)


def own_account_ids(user: Any):
    """The ids of the accounts ``user`` has linked, as a subquery (``Invoice.account_id.in_(...)``)."""
    return select(AccountLink.account_id).where(AccountLink.user_id == user.id).scalar_subquery()


def own_supply_points(user: Any) -> Select:
    """The supply points of the accounts ``user`` has linked: by account in link order, then
    by identifier."""
    return owned(select(SupplyPoint), user, SupplyPoint.account_id).order_by(AccountLink.id, SupplyPoint.identifier)


def linked_accounts(user: Any) -> list[BillingAccount]:
    """The customer's own accounts, in the order they were linked."""
    return list(db.session.execute(own_accounts(user)).scalars())


def invoice_of(user: Any, invoice_id: int) -> tuple[Invoice, BillingAccount] | None:
    """The invoice if it is on one of the customer's accounts, with that account."""
    row = db.session.execute(
        owned(select(Invoice, BillingAccount).join(BillingAccount, Invoice.account_id == BillingAccount.id), user)
        .where(Invoice.id == invoice_id)
    ).first()
    return (row[0], row[1]) if row else None
