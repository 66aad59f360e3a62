"""The customer's supply points and the one they are looking at.

One login may hold several billing accounts, each with supply points of electricity
and gas (a condominium administrator: dozens). The header's selector chooses the
*current* supply point (a form: only a POST changes it); the choice is stored per login, so it is still there at the
next sign-in. Pages that show one supply point at a time ask :func:`current_supply_point`.

Supply points are only ever reached through the login's own account links, never by id
alone, so another customer's point is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from flask import abort, g
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.framework.extensions import db
from core.framework.ownership import OWNER, own_accounts
from core.models import BillingAccount, SupplyPoint, SupplyPointSelection, User, utcnow

_MY_ACCOUNTS = (  # every page asks: built once
    own_accounts(OWNER)
    .add_columns(
        select(SupplyPointSelection.supply_point_id)
        .where(SupplyPointSelection.user_id == OWNER.id).scalar_subquery()
    )
    .options(joinedload(BillingAccount.supply_points).joinedload(SupplyPoint.meters))
)


def my_accounts(user: User) -> list[BillingAccount]:
    """The login's billing accounts in the order they were linked, each with its supply points
    (by identifier) and their meters, and the supply point the login chose last.

    One query, read once per request: the header's selector and the page share it.
    """
    cache = g.setdefault("_my_accounts", {})
    if user.id not in cache:
        rows = db.session.execute(_MY_ACCOUNTS, {"owner_id": user.id}).unique().all()
        cache[user.id] = [account for account, _chosen in rows]
        g.setdefault("_chosen_supply_points", {}).setdefault(user.id, rows[0][1] if rows else None)
    return cache[user.id]


def my_supply_points(user: User) -> list[SupplyPoint]:
    """The login's supply points with their accounts, in the order the accounts were linked."""
    return [point for account in my_accounts(user) for point in account.supply_points]


def supply_point_of(user: User, point_id: int) -> SupplyPoint | None:
    """One of the login's own supply points, or ``None`` (whoever else's it is)."""
    return next((p for p in my_supply_points(user) if p.id == point_id), None)


def own_supply_point_or_404(user: User, point_id: int) -> SupplyPoint:
    point = supply_point_of(user, point_id)
    if point is None:
        abort(404)
    return point


def current_supply_point(user: User) -> SupplyPoint | None:
    """The supply point the login chose last, or its first one; ``None`` with no accounts."""
    points = my_supply_points(user)
    if not points:
        return None
    chosen = g._chosen_supply_points.get(user.id)
    return next((p for p in points if p.id == chosen), points[0])


def chosen_supply_point(user: User) -> SupplyPoint | None:
    """The supply point the login chose in the header, if it chose one (not the first one
    it is given until then)."""
    current = current_supply_point(user)
    return current if current is not None and g._chosen_supply_points.get(user.id) == current.id else None


def show_supply_point(user: User, point_id: int) -> SupplyPoint | None:
    """Treat ``point_id`` (if it is one of the login's) as the current point for this request
    only, header included: reading a page never changes the remembered choice."""
    point = supply_point_of(user, point_id)
    if point is not None:
        g.setdefault("_chosen_supply_points", {})[user.id] = point.id
    return point


def select_supply_point(user: User, point_id: int) -> SupplyPoint | None:
    """Remember ``point_id`` as the login's current supply point, if it is one of theirs."""
    point = supply_point_of(user, point_id)
    if point is None:
        return None
    row = db.session.get(SupplyPointSelection, user.id)
    if row is None:
        row = SupplyPointSelection(user_id=user.id)
        db.session.add(row)
    row.supply_point_id, row.chosen_at = point.id, utcnow()
    db.session.commit()
    g.setdefault("_chosen_supply_points", {})[user.id] = point.id
    return point


@dataclass(frozen=True)
class PointGroup:
    """Supply points of one billing account, shown as an ``<optgroup>``."""

    account: BillingAccount
    points: list[SupplyPoint]


@dataclass(frozen=True)
class SupplyPointChoice:
    """What the header's selector shows: the groups and the current point."""

    groups: list[PointGroup]
    current: SupplyPoint
    count: int


def supply_point_choice() -> SupplyPointChoice | None:
    """Template global for the header: ``None`` when there is nothing to choose from."""
    from flask_login import current_user

    if not current_user.is_authenticated:
        return None
    points = my_supply_points(current_user)
    if len(points) < 2:
        return None
    groups = [PointGroup(account, list(items)) for account, items in groupby(points, key=lambda p: p.account)]
    current = current_supply_point(current_user)
    assert current is not None, "a login with supply points has a current one"
    return SupplyPointChoice(groups, current, len(points))
