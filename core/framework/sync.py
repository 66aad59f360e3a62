"""Keeping the portal's copy of the supplier's billing data up to date.

Pages read only this copy and show when it was taken ("data as of"). The sync pulls the
accounts changed since the tenant's cursor in batches: each batch is upserted in one
transaction together with the new cursor, so a repeated batch makes no duplicates and a
failed one leaves nothing half-applied.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    TableClause,
    TextClause,
    and_,
    bindparam,
    or_,
    select,
    sql,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from core.billing.contract import AccountSnapshot, BackendUnavailable
from core.framework.extensions import cache, db
from core.framework.tenancy import Tenant, current_tenant_code
from core.models import (
    COUNTS,
    BillingAccount,
    Invoice,
    Meter,
    MeterReading,
    Payment,
    SupplyPoint,
    SyncState,
    utcnow,
)


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


def _merge_rows(table: Table, keys: tuple[str, ...], columns: tuple[str, ...], rows: Iterable[tuple],
                *, inserted: Mapping[str, Any] | None = None, created: tuple[str, Collection[int]] = ("", ()),
                index_where: ColumnElement[bool] | TextClause | None = None,
                update_where: ColumnElement[bool] | None = None) -> None:
    """Insert or update ``rows`` (values of ``columns``) of the current tenant keyed by (tenant, ``keys``).

    For the long tables (invoices, payments, readings) whose rows the sync does not need back:
    the database merges them in bulk instead of the ORM loading and comparing objects. The
    tenant is set on every row and is part of the key, so only the tenant's rows are touched.
    A row whose values did not change is not rewritten. ``inserted`` holds columns set to the
    same value on every new row and left as they are on existing ones. ``index_where`` is the
    predicate of a partial unique index on the key (the rows it leaves out make way for a new
    one), ``update_where`` a further condition on an existing row for it to be updated. Within
    ``rows``, the last one of a key wins.

    On PostgreSQL the rows are copied into a temporary table and merged with one INSERT ...
    SELECT ... ON CONFLICT. ``created`` names a column and the ids in it of parents created in
    this transaction (new accounts, new supply points): their rows are new as a rule and are
    copied straight into the table (COPY, the fastest way in); should one be there after all
    (an invoice that moved to a new account, a row another transaction stored meanwhile),
    nothing is copied and they are merged with the others.
    """
    key = operator.itemgetter(*(columns.index(name) for name in keys))
    unique = {key(row): row for row in rows}  # one row per key, or the database refuses
    if not unique:
        return
    fixed = {"tenant": current_tenant_code(), **(inserted or {})}
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(_on_conflict(sqlite.insert(table), keys, columns, index_where, update_where),
                           [{**fixed, **dict(zip(columns, row, strict=True))} for row in unique.values()])
        return
    merged = list(unique.values())
    if created[1]:
        parent, fresh = columns.index(created[0]), created[1]
        new = [row for row in merged if row[parent] in fresh]
        if new and _copy_new_rows(connection, table, columns, new, fixed):
            merged = [row for row in merged if row[parent] not in fresh]
    if merged:
        source = _copy_to_staging(connection, table, columns, merged)
        values = select(*(bindparam(name, value, type_=table.c[name].type) for name, value in fixed.items()),
                        *source.c)
        insert = postgresql.insert(table).from_select([*fixed, *columns], values)
        db.session.execute(_on_conflict(insert, keys, columns, index_where, update_where))
        db.session.execute(text(f"DROP TABLE {source.name}"))


def _copy_new_rows(connection: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple],
                   fixed: Mapping[str, Any]) -> bool:
    """COPY ``rows`` (with the ``fixed`` values) straight into ``table``, in a savepoint; False when
    a row of one of their keys is there after all, and nothing was copied."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in (*fixed, *columns))
    prefix = tuple(fixed.values())
    driver = connection.connection.driver_connection
    assert driver is not None  # the session's connection is open
    try:
        with driver.transaction(), driver.cursor() as cursor:
            cursor.execute(f"SELECT {names} FROM {quote(table.name)} LIMIT 0")  # noqa: S608 - the model's names
            types = [description.type_code for description in cursor.description]
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:  # as in _copy_to_staging
                    copy.write_row(prefix + row)
    except psycopg.errors.UniqueViolation:
        return False
    return True


def _on_conflict(insert: postgresql.Insert | sqlite.Insert, keys: tuple[str, ...], columns: tuple[str, ...],
                 index_where: ColumnElement[bool] | TextClause | None, update_where: ColumnElement[bool] | None):
    """``insert`` ON CONFLICT (tenant, ``keys``) DO UPDATE the other ``columns`` of the rows where one changed."""
    table = insert.table
    updated = [name for name in columns if name not in keys]
    changed = or_(*(table.c[name].is_distinct_from(insert.excluded[name]) for name in updated))
    return insert.on_conflict_do_update(
        index_elements=[table.c.tenant, *(table.c[name] for name in keys)],
        index_where=index_where,
        set_={name: insert.excluded[name] for name in updated},
        where=changed if update_where is None else and_(update_where, changed),
    )


def _staging(table: Table) -> str:
    return f"portal_sync_{table.name}"


def _copy_to_staging(connection: Connection, table: Table, columns: tuple[str, ...], rows: Iterable[tuple]
                     ) -> TableClause:
    """COPY ``rows`` into a temporary table of ``columns`` typed as in ``table`` (dropped at the end of
    the transaction at the latest, for one INSERT ... SELECT); that table."""
    quote = connection.dialect.identifier_preparer.quote
    staging, names = _staging(table), ", ".join(quote(name) for name in columns)
    connection.exec_driver_sql(  # names of the model's own table and columns
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {names} FROM {quote(table.name)} WITH NO DATA")
    driver = connection.connection.driver_connection
    assert driver is not None  # the session's connection is open
    with driver.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {staging} LIMIT 0")  # noqa: S608 - the types of its columns
        types = [description.type_code for description in cursor.description]
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            # the values as the records hold them: psycopg's binary dumpers take Decimal, date and
            # aware datetimes (of any offset) and refuse a naive datetime, as the column types do
            for row in rows:
                copy.write_row(row)
    return sql.table(staging, *(sql.column(name) for name in columns))


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
    created = {number for number, account in accounts.items() if account.id is None}
    db.session.flush()
    owner = {snap.account.number: accounts[snap.account.number].id for snap in snapshots}
    created_accounts = {accounts[number].id for number in created}
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
    created = {identifier for identifier, point in points.items() if point.id is None}
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
    _merge_rows(
        Invoice.__table__,
        ("number",),
        INVOICE_COLUMNS,
        (
            (inv.number, owner[snap.account.number], inv.issued_on, inv.period_start, inv.period_end, inv.due_on,
             inv.gross.amount, inv.paid.amount, inv.gross.currency, str(inv.status), inv.kind, inv.supply_point)
            for snap in snapshots
            for inv in snap.invoices
        ),
        created=("account_id", created_accounts),
    )
    _merge_rows(
        Payment.__table__,
        ("reference",),
        PAYMENT_COLUMNS,
        (
            (pay.reference, owner[snap.account.number], pay.booked_at, pay.amount.amount, pay.amount.currency,
             pay.invoice_number, pay.method)
            for snap in snapshots
            for pay in snap.payments
        ),
        created=("account_id", created_accounts),
    )
    _store_readings(snapshots, {identifier: point.id for identifier, point in points.items()},
                    {points[identifier].id for identifier in created})
    db.session.flush()
    return [accounts[snap.account.number] for snap in snapshots]


INVOICE_COLUMNS = ("number", "account_id", "issued_on", "period_start", "period_end", "due_on", "gross_amount",
                   "paid_amount", "currency", "status", "kind", "supply_point_identifier")
PAYMENT_COLUMNS = ("reference", "account_id", "booked_at", "amount", "currency", "invoice_number", "method")
READING_KEY = ("supply_point_id", "meter_serial", "register", "read_at")
READING_COLUMNS = (*READING_KEY, "value", "unit", "source")


def _store_readings(snapshots: list[AccountSnapshot], point_ids: dict[str, int], created: set[int]) -> None:
    """Upsert the back-end's readings keyed by (supply point, meter, register, read_at).

    A customer's own submission that comes back from the back-end is the same reading:
    its row keeps its values and the status the customer follows instead of becoming a
    second row. A rejected reading makes way for another: the back-end's becomes a new row.
    ``point_ids`` are the ids of the supply points already known by identifier (``created``: of
    those made in this transaction); a reading of a supply point the portal does not have is
    left out.
    """
    readings = [reading for snap in snapshots for reading in snap.readings]
    if missing := {r.supply_point for r in readings} - point_ids.keys():
        point_ids = point_ids | dict(db.session.execute(
            select(SupplyPoint.identifier, SupplyPoint.id).where(SupplyPoint.identifier.in_(missing))
        ).tuples().all())
    table = MeterReading.__table__
    _merge_rows(
        table,
        READING_KEY,
        READING_COLUMNS,
        (
            (point_ids[r.supply_point], r.meter_serial, r.register, r.read_at, r.value, r.unit, str(r.source))
            for r in readings
            if r.supply_point in point_ids
        ),
        inserted={"status": "recorded", "created_at": utcnow()},
        created=("supply_point_id", created),
        index_where=COUNTS,  # the rows of uq_meter_reading_moment: a rejected one makes way for another
        update_where=table.c.submission_key.is_(None),  # a customer's submission keeps its row as it is
    )


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
