"""Consumption of a supply point per month and tariff register, derived from meter readings.

Method
------
The portal holds meter readings: copied from the back-end by the sync (``recorded``) or
submitted by the customer and ``accepted`` by the supplier. Only those count; readings
still waiting, under review or rejected do not.

For each meter and register, consecutive readings are paired. The difference between
the two values is the consumption of that interval, spread over the calendar months the
interval covers (in the supplier's time zone) in proportion to the time it spends in
each (local days and hours, so a month of a clock change is not an hour short): 590 kWh
read on 1 January and 1 March of a common year give 310 kWh to January and 280 kWh to
February. Readings of different meters are never paired (a replaced meter
starts again from its own first reading); the consumptions of a register add up over the
meters. An interval whose value went down (a meter reset without a new serial number)
counts as not measured.

A month no interval covers has no value (``None``): not measured is not zero. A month
only partly covered (the first reading came mid-month) shows what was measured in it.

Cost: a year is shown beside the previous one, so the readings of those two years are
loaded, plus per meter and register the last reading before them and the first after
them (intervals crossing the window's edges are spread too). That is two queries for the
figures and one for the years on offer, however long the history is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select, tuple_, union_all

from core.framework.extensions import db
from core.framework.labels import unit_label
from core.models import MeterReading, SupplyPoint
from core.readings.service import ACCEPTED, RECORDED

COUNTED = (RECORDED, ACCEPTED)
PLACES = Decimal("0.001")


@dataclass(frozen=True)
class MonthlyConsumption:
    """One month of one register: this year's value and the same month a year earlier."""

    month: int
    register: str
    value: Decimal | None
    unit: str
    previous_year_value: Decimal | None


def monthly_consumption(point: SupplyPoint, year: int) -> list[MonthlyConsumption]:
    """Twelve rows per register of ``point`` (by month, then register); empty with no readings."""
    zone = _zone(point)
    start, end = _year_start(year - 1, zone), _year_start(year + 1, zone)
    readings = _readings_around(point, start, end)
    if not readings:
        return []
    per_month: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    units: dict[str, str] = {}
    by_meter: dict[tuple[str, str], list[MeterReading]] = defaultdict(list)
    for reading in readings:
        by_meter[(reading.meter_serial, reading.register)].append(reading)
        units[reading.register] = unit_label(reading.unit)
    for (_serial, register), series in by_meter.items():
        series.sort(key=lambda r: r.read_at)
        for earlier, later in zip(series, series[1:], strict=False):
            if later.value >= earlier.value:
                for (y, m), share in _spread(earlier.read_at, later.read_at, later.value - earlier.value, zone):
                    per_month[(y, m, register)] += share

    def value(y: int, m: int, register: str) -> Decimal | None:
        found = per_month.get((y, m, register))
        return None if found is None else found.quantize(PLACES, ROUND_HALF_UP)

    return [
        MonthlyConsumption(m, register, value(year, m, register), units[register], value(year - 1, m, register))
        for m in range(1, 13)
        for register in sorted(units)
    ]


def available_years(point: SupplyPoint, today: dt.date) -> list[int]:
    """The years from the first counted reading to this one, newest first."""
    first = db.session.execute(
        select(func.min(MeterReading.read_at))
        .where(MeterReading.supply_point_id == point.id, MeterReading.status.in_(COUNTED))
    ).scalar_one_or_none()
    if first is None:
        return [today.year]
    oldest = min(first.astimezone(_zone(point)).year, today.year)
    return list(range(today.year, oldest - 1, -1))


# --- the chart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterSeries:
    """One register's twelve months, with the totals of both years."""

    register: str
    unit: str
    months: list[MonthlyConsumption]

    @property
    def total(self) -> Decimal | None:
        return _sum(m.value for m in self.months)

    @property
    def previous_total(self) -> Decimal | None:
        return _sum(m.previous_year_value for m in self.months)


def by_register(rows: list[MonthlyConsumption]) -> list[RegisterSeries]:
    registers = list(dict.fromkeys(r.register for r in rows))
    return [
        RegisterSeries(register, next(r.unit for r in rows if r.register == register),
                       [r for r in rows if r.register == register])
        for register in registers
    ]


@dataclass(frozen=True)
class Bar:
    month: int
    kind: str  # "current" or "previous"
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: Decimal
    y: float


@dataclass(frozen=True)
class Chart:
    """Geometry of a bar chart (SVG user units); the template draws and labels it."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    month_x: list[float]  # centre of each month's pair of bars


CHART_WIDTH, CHART_HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 8, 12, 28
TICKS = 5


def chart_for(series: RegisterSeries) -> Chart:
    """Bars per month for this year and the previous one, on a scale with round ticks."""
    top, bottom = MARGIN_TOP, CHART_HEIGHT - MARGIN_BOTTOM
    left, right = MARGIN_LEFT, CHART_WIDTH - MARGIN_RIGHT
    values = [v for m in series.months for v in (m.value, m.previous_year_value) if v is not None]
    scale = _round_ceiling(max(values, default=Decimal(0)))
    slot = (right - left) / 12
    bar_width = slot * 0.36
    bars = []
    for m in series.months:
        centre = left + slot * (m.month - 0.5)
        for kind, value, x in (("previous", m.previous_year_value, centre - bar_width - 1),
                               ("current", m.value, centre + 1)):
            if value is None:
                continue
            height = float(value / scale) * (bottom - top)
            bars.append(Bar(m.month, kind, round(x, 2), round(bottom - height, 2), round(bar_width, 2), round(height, 2)))
    ticks = [Tick((scale * i / TICKS).normalize(), round(bottom - (bottom - top) * i / TICKS, 2))
             for i in range(TICKS + 1)]
    month_x = [round(left + slot * (i + 0.5), 2) for i in range(12)]
    return Chart(CHART_WIDTH, CHART_HEIGHT, left, right, top, bottom, bars, ticks, month_x)


# --- internals -----------------------------------------------------------------------------


def _zone(point: SupplyPoint) -> ZoneInfo:
    return ZoneInfo(current_app.extensions["portal_tenants"].by_code[point.tenant].timezone)


def _year_start(year: int, zone: ZoneInfo) -> dt.datetime:
    """Local midnight of 1 January, as a UTC instant."""
    return dt.datetime(year, 1, 1, tzinfo=zone).astimezone(dt.UTC)


def _readings_around(point: SupplyPoint, start: dt.datetime, end: dt.datetime) -> list[MeterReading]:
    """Counted readings in [start, end), and per meter and register the nearest on each side,
    in one query."""
    counted = and_(MeterReading.supply_point_id == point.id, MeterReading.status.in_(COUNTED))
    key = (MeterReading.meter_serial, MeterReading.register)
    edges = union_all(
        select(*key, func.max(MeterReading.read_at)).where(counted, MeterReading.read_at < start).group_by(*key),
        select(*key, func.min(MeterReading.read_at)).where(counted, MeterReading.read_at >= end).group_by(*key),
    )
    return list(db.session.execute(
        select(MeterReading).where(counted, or_(
            and_(MeterReading.read_at >= start, MeterReading.read_at < end),
            tuple_(*key, MeterReading.read_at).in_(edges),
        ))
    ).scalars())


def _spread(
    start: dt.datetime, end: dt.datetime, amount: Decimal, zone: ZoneInfo
) -> Iterable[tuple[tuple[int, int], Decimal]]:
    """``amount`` shared over the calendar months between two instants, by local time spent in each."""
    start, end = _wall_clock(start, zone), _wall_clock(end, zone)
    total = Decimal((end - start).total_seconds())
    if total <= 0:
        return
    cursor = start
    while cursor < end:
        piece_end = min(dt.datetime(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1), end)
        yield (cursor.year, cursor.month), amount * Decimal((piece_end - cursor).total_seconds()) / total
        cursor = piece_end


def _wall_clock(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Local date and time without the zone: every day counts 24 hours, whatever the clock change."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _round_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (the chart's top)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(value))
    return next(step * power for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
                if value <= step * power)
