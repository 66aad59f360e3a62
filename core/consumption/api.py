"""The API's consumption per month, derived from the meter readings like the page."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

from core.api.base import ApiEndpoints, own_supply_point, query_args
from core.api.schemas import YearQuery
from core.consumption.schemas import ConsumptionSchema
from core.consumption.service import monthly_consumption
from core.readings.service import local_today

endpoints = ApiEndpoints()


@endpoints.operation("/supply-points/<identifier>/consumption", summary=_l("Consumption per month and register"),
                     tag=_l("Meter readings"), response=ConsumptionSchema, query=YearQuery,
                     description=_l("Derived from the meter readings on record, like the consumption page, beside "
                                    "the previous year."))
def consumption(identifier: str):
    point = own_supply_point(identifier)
    year = query_args(YearQuery).get("year") or local_today(g.tenant).year
    return ConsumptionSchema().dump({"identifier": point.identifier, "year": year,
                                     "months": monthly_consumption(point, year)})
