"""ČEZ's business rules that need more than one form: advance limits, eligibility, readings.

The Energy Act lets a supplier ask advances no higher than the costs of the expected
consumption, and the customer may change them within reason: lowering an advance far
below the expected costs only moves the debt into the settlement (nedoplatek), raising
it far above ties up the customer's money. The portal offers a band around the expected
monthly cost and asks for a reason when the customer lowers it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from babel.numbers import format_decimal
from flask import has_request_context
from flask_babel import get_locale
from sqlalchemy import select

from core.plugin_api import BillingAccount, Invoice, ReadingPeriod, ReadingRules, db
from core.plugin_api.billing import InvoiceStatus
from core.plugin_api.demo import reading_rules_for as demo_reading_rules
from plugins.cez_cz.adapter import TARIFFS_BY_CODE
from plugins.cez_cz.i18n import _
from plugins.cez_cz.workdays import add_working_days

MINIMUM_ADVANCE = Decimal(100)
"""No advance below 100 CZK a month: smaller sums cost more to collect than they bring."""
LOWEST_SHARE = Decimal("0.75")
HIGHEST_SHARE = Decimal("1.20")
"""Advances from 75 % to 120 % of the expected monthly cost."""
ADVANCE_STEP = Decimal(10)

SELF_READING_WORKING_DAYS = 5
"""A self-reading for a price change counts when handed in within five working days."""

REGISTER_LABELS: dict[str, Any] = {
    "1.8.0": _("Single rate"),
    "1.8.1": _("High tariff VT (T1, 1.8.1)"),
    "1.8.2": _("Low tariff NT (T2, 1.8.2)"),
    "volume": _("Gas meter (m³)"),
}


def _amount(value: Any) -> Decimal:
    amount = getattr(value, "amount", value)
    if not isinstance(amount, Decimal):
        raise TypeError("an amount is a Decimal or a Money")
    return amount


def advance_payment_limits(expected_yearly_cost: Any) -> tuple[Decimal, Decimal]:
    """The lowest and highest monthly advance (whole CZK) for an expected yearly cost.

    ``expected_yearly_cost`` is a ``Decimal`` or a ``Money`` (gross, with VAT). The
    lowest is 75 % of the monthly cost rounded down to tens, never under 100 CZK; the
    highest is 120 % rounded up to tens, never under the lowest.
    """
    yearly = _amount(expected_yearly_cost)
    if not yearly.is_finite() or yearly <= 0:
        raise ValueError("the expected yearly cost must be a positive amount")
    monthly = yearly / 12
    lowest = max(MINIMUM_ADVANCE, _to_step(monthly * LOWEST_SHARE, ROUND_FLOOR))
    highest = max(lowest, _to_step(monthly * HIGHEST_SHARE, ROUND_CEILING))
    return lowest, highest


def _to_step(value: Decimal, rounding: str) -> Decimal:
    return (value / ADVANCE_STEP).to_integral_value(rounding=rounding) * ADVANCE_STEP


def _crowns(value: Decimal) -> str:
    locale = str(get_locale() or "cs") if has_request_context() else "cs"
    return format_decimal(value, format="#,##0", locale=locale)


def advance_payment_problem(amount: Any, expected_yearly_cost: Any) -> Any | None:
    """Why ``amount`` cannot be the new monthly advance, or ``None`` when it can."""
    lowest, highest = advance_payment_limits(expected_yearly_cost)
    value = _amount(amount)
    if lowest <= value <= highest:
        return None
    return _(
        "For your expected consumption the monthly advance can be from %(lowest)s to %(highest)s CZK.",
        lowest=_crowns(lowest),
        highest=_crowns(highest),
    )


# -------------------------------------------------------------------------
# Eligibility of request types
# -------------------------------------------------------------------------


def _points(account: Any) -> list[Any]:
    return list(getattr(account, "supply_points", None) or ())


def _commodity(point: Any) -> str:
    return str(getattr(point, "commodity", ""))


def has_supply_point(account: Any) -> bool:
    """Requests about a supply point need an account that has one."""
    return bool(_points(account))


def has_electricity(account: Any) -> bool:
    """Distribution rate and circuit breaker belong to electricity supply points."""
    return any(_commodity(point) == "electricity" for point in _points(account))


def has_overdue_invoice(account: Any) -> bool:
    """Whether an invoice of the account is overdue: from its invoices when it carries
    them (a back-end snapshot), else from the portal's copy of the account."""
    invoices = getattr(account, "invoices", None)
    if invoices is not None:
        return any(str(getattr(invoice, "status", "")) == InvoiceStatus.OVERDUE for invoice in invoices)
    if isinstance(account, BillingAccount):
        query = select(Invoice.id).where(Invoice.account_id == account.id, Invoice.status == InvoiceStatus.OVERDUE)
        return db.session.execute(query.limit(1)).first() is not None
    return False


def advance_change_eligible(account: Any) -> bool:
    """Advances can be changed online for an account with a supply point and no overdue
    invoice (the arrears are settled first, with customer service)."""
    return has_supply_point(account) and not has_overdue_invoice(account)


# -------------------------------------------------------------------------
# Meter readings
# -------------------------------------------------------------------------


def reading_rules_for(supply_point: Any) -> ReadingRules:
    """Self-reading rules: whole units, the meter's registers (T1/T2 for two-rate sazby),
    and the tariff's highest plausible daily consumption; every supply point takes them."""
    return demo_reading_rules(supply_point, TARIFFS_BY_CODE.values(), everywhere=True)


def self_reading_deadline(change_date: dt.date) -> dt.date:
    """The last day a self-reading for a change on ``change_date`` is accepted."""
    return add_working_days(change_date, SELF_READING_WORKING_DAYS)


def price_change_reading_period(today: dt.date) -> ReadingPeriod:
    """Self-readings (samoodečet) count at the 1 January price change: from New Year's Eve
    until the deadline, this year's period or, once it is over, next year's."""
    change = dt.date(today.year, 1, 1)
    if today > self_reading_deadline(change):
        change = dt.date(today.year + 1, 1, 1)
    return ReadingPeriod(f"price-change-{change.year}", change - dt.timedelta(days=1), self_reading_deadline(change))
