"""Keeping the portal's copy of the supplier's billing data up to date.

Pages read only this copy and show when it was taken ("data as of"). The sync pulls the
accounts changed since the tenant's cursor in batches: each batch is upserted in one
transaction together with the new cursor, so a repeated batch makes no duplicates and a
failed one leaves nothing half-applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite

from core.billing.contract import AccountSnapshot, BackendUnavailable
from core.framework.extensions import cache, db
from core.framework.tenancy import Tenant, current_tenant_code
from core.models import BillingAccount, Invoice, Meter, MeterReading, Payment, SupplyPoint, SyncState, utcnow


def _upsert_many(model, key_column: str, rows: dict) -> dict:
    """Insert or update rows of ``model`` keyed by ``key_column``, in one query."""
    column = getattr(model, key_column)
    existing = {
        getattr(row, key_column): row
        for row in db.session.execute(select(model).where(column.in_(list(rows)))).scalars()
    } if rows else {}
    for key, values in rows.items():
        row = existing.get(key)
        if row is None:
            row = existing[key] = model(**{key_column: key}, **values)
            db.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
    return existing


def _upsert_rows(model, key_column: str, rows: list[dict]) -> None:
    """Insert or update many rows keyed by (tenant, ``key_column``) with INSERT ... ON CONFLICT.

    For the long tables (invoices, payments) whose rows the sync does not need back: the
    database merges them in bulk statements instead of loading and comparing objects.
    """
    if not rows:
        return
    table = model.__table__
    dialect = db.session.get_bind().dialect.name
    inserts: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
        "postgresql": postgresql.insert, "sqlite": sqlite.insert,
    }
    insert = inserts[dialect]
    tenant = current_tenant_code()
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.tenant, table.c[key_column]],
        set_={name: statement.excluded[name] for name in rows[0] if name != key_column},
    )
    unique = {row[key_column]: row for row in rows}  # one row per key, or the database refuses
    # RETURNING makes SQLAlchemy send the rows as multi-row VALUES pages ("insertmanyvalues")
    db.session.execute(statement.returning(table.c.id), [{"tenant": tenant, **row} for row in unique.values()])


def store_snapshot(snapshot: AccountSnapshot) -> BillingAccount:
    """Upsert one account and everything under it; idempotent."""
    return store_snapshots([snapshot])[0]


def store_snapshots(snapshots: list[AccountSnapshot]) -> list[BillingAccount]:
    """Upsert a batch of accounts and everything under them, a few queries per table.

    Idempotent: the same batch stored twice changes nothing the second time.
    """
    now = utcnow()
    accounts = _upsert_many(
        BillingAccount,
        "number",
        {
            snap.account.number: dict(
                holder_name=snap.account.holder_name,
                street=snap.account.address.street,
                postcode=snap.account.address.postcode,
                city=snap.account.address.city,
                balance_amount=snap.account.balance.amount,
                currency=snap.account.balance.currency,
                data_as_of=now,
            )
            for snap in snapshots
        },
    )
    db.session.flush()
    owner = {snap.account.number: accounts[snap.account.number].id for snap in snapshots}
    points = _upsert_many(
        SupplyPoint,
        "identifier",
        {
            sp.identifier: dict(
                account_id=owner[snap.account.number],
                commodity=str(sp.commodity),
                street=sp.address.street,
                postcode=sp.address.postcode,
                city=sp.address.city,
                tariff=sp.tariff,
                contracted_power_kw=sp.contracted_power_kw,
                distribution_operator=sp.distribution_operator,
                capabilities=sorted(sp.capabilities),
            )
            for snap in snapshots
            for sp in snap.supply_points
        },
    )
    if points:
        db.session.flush()
        meters = {
            (m.supply_point_id, m.serial_number): m
            for m in db.session.execute(
                select(Meter).where(Meter.supply_point_id.in_([p.id for p in points.values()]))
            ).scalars()
        }
        for snap in snapshots:
            for sp in snap.supply_points:
                point = points[sp.identifier]
                for meter in sp.meters:
                    row = meters.get((point.id, meter.serial_number))
                    if row is None:
                        row = Meter(supply_point_id=point.id, serial_number=meter.serial_number)
                        db.session.add(row)
                    row.registers = list(meter.registers)
                    row.installed_on = meter.installed_on
                    row.seal_number = meter.seal_number
    _upsert_rows(
        Invoice,
        "number",
        [
            dict(
                number=inv.number,
                account_id=owner[snap.account.number],
                issued_on=inv.issued_on,
                period_start=inv.period_start,
                period_end=inv.period_end,
                due_on=inv.due_on,
                gross_amount=inv.gross.amount,
                paid_amount=inv.paid.amount,
                currency=inv.gross.currency,
                status=str(inv.status),
                kind=inv.kind,
                supply_point_identifier=inv.supply_point,
            )
            for snap in snapshots
            for inv in snap.invoices
        ],
    )
    _upsert_rows(
        Payment,
        "reference",
        [
            dict(
                reference=pay.reference,
                account_id=owner[snap.account.number],
                booked_at=pay.booked_at,
                amount=pay.amount.amount,
                currency=pay.amount.currency,
                invoice_number=pay.invoice_number,
                method=pay.method,
            )
            for snap in snapshots
            for pay in snap.payments
        ],
    )
    db.session.flush()
    for snap in snapshots:
        _store_readings(snap)
    db.session.flush()
    return [accounts[snap.account.number] for snap in snapshots]


def _store_readings(snapshot: AccountSnapshot) -> None:
    """Upsert the back-end's readings keyed by (supply point, meter, register, read_at).

    A customer's own submission that comes back from the back-end is the same reading:
    its row keeps the status the customer follows instead of becoming a second row.
    """
    if not snapshot.readings:
        return
    identifiers = {r.supply_point for r in snapshot.readings}
    points = {
        p.identifier: p
        for p in db.session.execute(select(SupplyPoint).where(SupplyPoint.identifier.in_(identifiers))).scalars()
    }
    existing = {
        (row.supply_point_id, row.meter_serial, row.register, row.read_at): row
        for row in db.session.execute(
            select(MeterReading).where(MeterReading.supply_point_id.in_([p.id for p in points.values()]),
                                       MeterReading.status != "rejected")  # rejected: makes way for another
        ).scalars()
    }
    for reading in snapshot.readings:
        point = points.get(reading.supply_point)
        if point is None:
            continue
        key = (point.id, reading.meter_serial, reading.register, reading.read_at)
        row = existing.get(key)
        if row is None:
            row = existing[key] = MeterReading(
                supply_point_id=point.id, meter_serial=reading.meter_serial, register=reading.register,
                read_at=reading.read_at, status="recorded",
            )
            db.session.add(row)
        elif row.submission_key is not None:
            continue
        row.value, row.unit, row.source = reading.value, reading.unit, str(reading.source)


def import_account(tenant: Tenant, number: str) -> BillingAccount:
    """Fetch an account from the tenant's back-end and store the copy."""
    return store_snapshot(tenant.adapter.snapshot(number))


log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    batches: int = 0
    accounts: int = 0
    error: str | None = None


def sync_state() -> SyncState:
    state = db.session.execute(select(SyncState)).scalar_one_or_none()
    if state is None:
        state = SyncState()
        db.session.add(state)
        db.session.flush()
    return state


def sync_failing() -> bool:
    """Whether the current tenant's last sync attempt failed, so that pages can say their copy
    may be out of date. Every dashboard asks: cached per tenant, and each sync attempt deletes
    the tenant's entry."""
    key = f"sync-failing:{current_tenant_code()}"
    failing = cache.get(key)
    if failing is None:
        state = db.session.execute(select(SyncState)).scalar_one_or_none()
        failing = state is not None and state.failing
        cache.set(key, failing)
    return failing


def _attempted() -> None:
    cache.delete(f"sync-failing:{current_tenant_code()}")


def sync_tenant(tenant: Tenant, batch_size: int = 100, max_batches: int | None = None) -> SyncReport:
    """Pull every change since the tenant's cursor; one transaction per batch.

    Call it in the tenant's context (a request of the tenant, a scheduled job's ``run``).
    It stops after ``max_batches`` (``None``: when nothing more is waiting) or when the
    back-end cannot be reached; the report counts the ``batches`` and ``accounts`` stored
    and gives the back-end's ``error``, if any.
    """
    report = SyncReport()
    while max_batches is None or report.batches < max_batches:
        state = sync_state()
        state.last_attempt_at = utcnow()
        try:
            batch = tenant.adapter.changes_since(state.cursor, batch_size)
            if batch.snapshots:
                store_snapshots(list(batch.snapshots))
        except BackendUnavailable as exc:
            db.session.rollback()
            state = sync_state()
            state.last_attempt_at, state.last_error = utcnow(), str(exc)[:2000]
            db.session.commit()
            _attempted()
            log.warning("sync of tenant %s stopped: %s", tenant.code, exc)
            report.error = str(exc)
            return report
        except Exception:
            db.session.rollback()
            raise
        state.cursor = batch.cursor
        state.last_success_at, state.last_error = utcnow(), None
        db.session.commit()
        _attempted()
        report.batches += 1
        report.accounts += len(batch.snapshots)
        if not batch.more:
            break
    return report
