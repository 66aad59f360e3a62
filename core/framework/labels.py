"""Labels shown to customers for the portal's stored codes, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

COMMODITIES = {"electricity": _l("Electricity"), "gas": _l("Gas")}
REGISTER_NAMES = {
    "1.8.0": _l("Single rate"),
    "1.8.1": _l("High tariff (T1) / day"),
    "1.8.2": _l("Low tariff (T2) / night"),
    "volume": _l("Gas volume"),
}


UNITS = {
    "kwh": _l("kWh"),
    "m3": _l("m³"),
    "smc": _l("Smc"),
    "kw": _l("kW"),
}
"""Units of measure as the customer's language writes them (Ukrainian "кВт·год"), by the
stored unit in lower case; a unit not listed is shown as stored."""


def unit_label(unit: str) -> str:
    """A stored unit ("kWh", "m3") as the customer reads it ("kWh", "m³", "кВт·год")."""
    return str(UNITS.get(unit.lower(), unit))


def register_label(code: str) -> str:
    """"1.8.1 · High tariff (T1) / day" for an OBIS code the customer sees on the meter, else the name."""
    name = REGISTER_NAMES.get(code)
    if name is None:
        return code
    return f"{code} · {name}" if code[:1].isdigit() else str(name)


def commodity_label(commodity: str) -> str:
    """"Electricity" or "Gas" in the customer's language (a template global)."""
    return str(COMMODITIES.get(commodity, commodity))
