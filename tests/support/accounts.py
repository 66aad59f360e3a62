"""Billing data stored as the sync stores it, linked to a login: exact, hand-made histories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.billing.contract import (
    AccountRecord,
    AccountSnapshot,
    Address,
    Commodity,
    InvoiceRecord,
    InvoiceStatus,
    MeterRecord,
    Money,
    PaymentRecord,
    ReadingRecord,
    ReadingSource,
    SupplyPointRecord,
)
from core.framework.extensions import db
from core.framework.sync import store_snapshot
from core.framework.tenancy import tenant_context
from core.models import AccountLink, MeterReading, SupplyPoint, User


def point_record(identifier: str, commodity: str = "electricity", registers: tuple[str, ...] = ("1.8.0",),
                 street: str = "ul. Prosta 1", serial: str | None = None, **extra) -> SupplyPointRecord:
    return SupplyPointRecord(
        identifier=identifier, commodity=Commodity(commodity),
        address=Address(street, "00-001", "Warszawa", "PL"), tariff=extra.pop("tariff", "G11"),
        meters=(MeterRecord(serial or f"M-{identifier[-6:]}", registers, dt.date(2019, 5, 6), "SEAL-77"),),
        **extra,
    )


def local(tenant_zone: str, year: int, month: int, day: int = 1, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=ZoneInfo(tenant_zone))


def readings(point: SupplyPointRecord, values: Iterable[tuple[dt.datetime, Decimal | int]],
             register: str = "1.8.0", unit: str = "kWh", serial: str | None = None) -> list[ReadingRecord]:
    return [
        ReadingRecord(point.identifier, serial or point.meters[0].serial_number, register, at, Decimal(value),
                      unit, ReadingSource.OPERATOR)
        for at, value in values
    ]


def store_and_link(app, tenant: str, email: str, number: str, points: list[SupplyPointRecord],
                   reading_records: Iterable[ReadingRecord] = (), holder: str = "Anna Nowak",
                   street: str = "ul. Prosta 1", currency: str = "PLN",
                   invoices: Iterable[InvoiceRecord] = (), payments: Iterable[PaymentRecord] = (),
                   balance: str = "0.00") -> dict[str, int]:
    """Store an account as the sync would and link it to ``email``'s login; the points' ids by code.
    ``balance`` is the back-end's (negative: to pay)."""
    snapshot = AccountSnapshot(
        account=AccountRecord(number, holder, Address(street, "00-001", "Warszawa", "PL"),
                              Money(Decimal(balance), currency), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        supply_points=tuple(points), invoices=tuple(invoices), payments=tuple(payments),
        readings=tuple(reading_records),
    )
    with app.app_context(), tenant_context(tenant):
        account = store_snapshot(snapshot)
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.add(AccountLink(user_id=user.id, account_id=account.id, method="test"))
        db.session.commit()
        return {p.identifier: p.id for p in db.session.execute(
            select(SupplyPoint).where(SupplyPoint.account_id == account.id)).scalars()}


def add_readings(app, tenant: str, reading_records: Iterable[ReadingRecord]) -> None:
    """More history for points already stored (as a later sync would bring)."""
    records = list(reading_records)
    with app.app_context(), tenant_context(tenant):
        ids = {p.identifier: p.id for p in db.session.execute(select(SupplyPoint)).scalars()}
        db.session.add_all(
            MeterReading(supply_point_id=ids[r.supply_point], meter_serial=r.meter_serial, register=r.register,
                         read_at=r.read_at, value=r.value, unit=r.unit, source=str(r.source), status="recorded")
            for r in records
        )
        db.session.commit()


def customer_reading(app, tenant: str, point_id: int, serial: str, at: dt.datetime, value: int,
                     status: str, register: str = "1.8.0", key: str = "k") -> None:
    """A customer's submission in a given state (waiting, accepted, rejected)."""
    with app.app_context(), tenant_context(tenant):
        db.session.add(MeterReading(supply_point_id=point_id, meter_serial=serial, register=register, read_at=at,
                                    value=Decimal(value), unit="kWh", source="customer", status=status,
                                    submission_key=f"{key}-{status}-{at:%Y%m%d}"))
        db.session.commit()


def monthly_history(number: str, point: SupplyPointRecord, years: int, until: dt.date = dt.date(2026, 10, 1),
                    currency: str = "PLN") -> tuple[list[InvoiceRecord], list[PaymentRecord], list[ReadingRecord]]:
    """``years`` of monthly invoices (all paid), their payments and meter readings, up to ``until``."""
    invoices, payments, values = [], [], []
    for k in range(years * 12):
        month = (until.year * 12 + until.month - 1) - k
        issued = dt.date(month // 12, month % 12 + 1, 1)
        amount = Money(Decimal(150 + k % 40), currency)
        invoices.append(InvoiceRecord(f"{number}/F/{k:04d}", issued, issued - dt.timedelta(days=30),
                                      issued - dt.timedelta(days=1), issued + dt.timedelta(days=14),
                                      amount, amount, InvoiceStatus.PAID, point.identifier))
        payments.append(PaymentRecord(f"{number}/P/{k:04d}",
                                      dt.datetime.combine(issued + dt.timedelta(days=10), dt.time(9), dt.UTC),
                                      amount, invoices[-1].number))
        values.append((dt.datetime.combine(issued, dt.time(), dt.UTC), 90_000 - 150 * k))
    return invoices, payments, readings(point, values)
