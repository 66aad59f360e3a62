"""Planned power outages (plánované bezproudí) of ČEZ's customers' supply points.

The distribution system operators announce them per area; the billing back-end knows
which of them touch a supply point. A back-end that cannot say (no ``planned_outages``)
announces none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.plugin_api import PlannedOutage


def planned_outages(tenant: Any, supply_points: Iterable[Any]) -> list[PlannedOutage]:
    lookup = getattr(tenant.adapter, "planned_outages", None)
    if lookup is None:
        return []
    found = []
    for point in supply_points:
        try:
            outages = lookup(point.identifier)
        except LookupError:  # no longer in the back-end: nothing to announce
            continue
        for outage in outages:
            streets = ", ".join(outage.streets)
            found.append(PlannedOutage(
                supply_point=point.identifier,
                starts_at=outage.starts_at,
                ends_at=outage.ends_at,
                details=f"{outage.reason}. {outage.city}: {streets}" if streets else f"{outage.reason}. {outage.city}",
            ))
    return found
