"""Building blocks of a deterministic demo back-end, for a plugin's demo data.

:class:`DemoBackend` is a complete in-process back-end; a plugin describes its market with a
:class:`DemoProfile` (localities, tariffs, charges, distribution operators, payment habits)
and lets :class:`DemoGenerator` make customers from it, the same ones for the same seed.
"""

from __future__ import annotations

from core.demo.backend import (
    FORECAST,
    READINGS_CAPABILITY,
    REGULAR,
    Charge,
    ChargeBasis,
    DemoBackend,
    DemoCustomer,
    DemoGenerator,
    DemoProfile,
    DemoSupplyPoint,
    DistributionOperator,
    InvoiceDraft,
    Locality,
    PaymentBehaviour,
    PricedCharge,
    Tariff,
    add_months,
    eic_supply_point_id,
    gsrn18_supply_point_id,
    pod_pdr_supply_point_id,
    reading_rules_for,
    weighted_choice,
)

__all__ = [
    "DemoBackend",
    "DemoGenerator",
    "DemoProfile",
    "DemoCustomer",
    "DemoSupplyPoint",
    "Locality",
    "Tariff",
    "Charge",
    "ChargeBasis",
    "PricedCharge",
    "DistributionOperator",
    "PaymentBehaviour",
    "InvoiceDraft",
    "READINGS_CAPABILITY",
    "REGULAR",
    "FORECAST",
    "add_months",
    "gsrn18_supply_point_id",
    "eic_supply_point_id",
    "pod_pdr_supply_point_id",
    "reading_rules_for",
    "weighted_choice",
]
