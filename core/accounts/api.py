"""The API's token owner, linked accounts and supply points, read from the portal's copy."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.accounts.schemas import AccountPage, AccountSchema, MeSchema, SupplyPointPage, SupplyPointSchema
from core.api.base import ApiEndpoints, one, own_supply_point, paginated, query_args
from core.api.schemas import PageQuery
from core.framework.extensions import db
from core.framework.ownership import own_accounts, own_supply_points
from core.models import BillingAccount, SupplyPoint
from core.readings.service import accepts_readings

endpoints = ApiEndpoints()
ACCOUNTS, POINTS = _l("Accounts"), _l("Supply points")


def _dump_point(point: SupplyPoint) -> dict[str, Any]:
    return SupplyPointSchema().dump(point) | {"accepts_readings": accepts_readings(g.tenant, point)}


@endpoints.operation("/me", summary=_l("The token's owner"), tag=ACCOUNTS, response=MeSchema)
def me():
    numbers = db.session.execute(own_accounts(current_user).with_only_columns(BillingAccount.number)).scalars().all()
    return MeSchema().dump({
        "email": current_user.email, "locale": str(get_locale()), "brand": g.tenant.code,
        "supplier": g.tenant.supplier.name, "accounts": numbers, "token": g.api_token,
    })


@endpoints.operation("/accounts", summary=_l("Your linked customer accounts"), tag=ACCOUNTS,
                     response=AccountPage, query=PageQuery)
def accounts():
    return paginated(own_accounts(current_user), query_args(PageQuery), AccountSchema().dump)


@endpoints.operation("/accounts/<number>", summary=_l("One customer account"), tag=ACCOUNTS,
                     response=AccountSchema)
def account(number: str):
    return AccountSchema().dump(one(own_accounts(current_user).where(BillingAccount.number == number)))


@endpoints.operation("/supply-points", summary=_l("Your supply points"), tag=POINTS,
                     response=SupplyPointPage, query=PageQuery)
def supply_points():
    return paginated(own_supply_points(current_user), query_args(PageQuery), _dump_point)


@endpoints.operation("/supply-points/<identifier>", summary=_l("One supply point"), tag=POINTS,
                     response=SupplyPointSchema)
def supply_point(identifier: str):
    return _dump_point(own_supply_point(identifier))
