"""Benchmark: sync invoices, payments and meter readings of one tenant into PostgreSQL, beside COPY.

For each table it syncs ``--accounts`` accounts that carry ``--rows-per-account`` rows of that
table and nothing else (readings: under one supply point with one meter) through the portal's
sync (one transaction per batch with the cursor), then syncs them all again unchanged (a
replayed cursor), and writes the same rows with a plain ``COPY`` into a scratch table made
``LIKE`` the real one ``INCLUDING ALL`` (its columns, defaults and every index, the unique
ones too; not its foreign keys). It prints rows per second of each (the best of ``--repeat``
runs) and the ratio sync / COPY.
The sync's time includes what it stores beside the rows (accounts, supply points, meters, the
cursor). Another tenant's accounts and supply points stay in the database between runs. Not a
test: a measurement to compare runs.

    python bench/sync_bench.py [--database-url postgresql+psycopg://postgres@127.0.0.1/portal_bench]
        [--accounts 2000] [--rows-per-account 50] [--batch-size 100]
        [--tables invoice,payment,meter_reading] [--repeat 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time
from collections.abc import Callable, Iterable
from decimal import Decimal

import psycopg
from scratch import ensure_database
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.billing.contract import (
    AccountRecord,
    AccountSnapshot,
    Address,
    ChangeBatch,
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
from core.demo.backend import DemoBackend

TABLES = ("invoice", "payment", "meter_reading")
TENANT_TABLES = ("meter_reading", "meter", "invoice", "payment", "supply_point", "billing_account", "sync_state")
"""Every table the bench writes for its tenant, children first."""


class SyntheticBackend(DemoBackend):
    """Accounts with many rows of one table and nothing else, made up front (no generation cost)."""

    def __init__(self, accounts: int, rows_per_account: int) -> None:  # noqa: D107
        self.currency = "PLN"
        self.accounts = accounts
        self.per_account = rows_per_account
        self.now = dt.datetime.now(dt.UTC)
        self.table = "invoice"
        self.made: dict[str, AccountSnapshot] = {}

    def prepare(self, table: str) -> None:
        """Make every snapshot of ``table``'s run, so the timing measures the sync and not this generator."""
        self.table = table
        self.made = {}
        self.made = {f"{i:010d}": self._make(f"{i:010d}") for i in range(self.accounts)}

    def snapshot(self, number: str) -> AccountSnapshot:
        return self.made[number] if number in self.made else self._make(number)

    def _make(self, number: str) -> AccountSnapshot:
        index = int(number)
        account = AccountRecord(number, f"Customer {index}", Address("ul. Testowa 1", "00-001", "Warszawa", "PL"),
                                Money(Decimal("0.00"), "PLN"), self.now)
        if self.table == "invoice":
            return AccountSnapshot(account, (), tuple(self._invoices(index)), ())
        if self.table == "payment":
            return AccountSnapshot(account, (), (), tuple(self._payments(index)))
        point = SupplyPointRecord(
            identifier=f"PL{index:016d}", commodity=Commodity.ELECTRICITY,
            address=Address("ul. Testowa 1", "00-001", "Warszawa", "PL"), tariff="G11",
            meters=(MeterRecord(f"M{index:08d}", ("1.8.0",), dt.date(2019, 5, 6), "SEAL-1"),),
            capabilities=frozenset({"meter_readings"}),
        )
        return AccountSnapshot(account, (point,), (), (), tuple(self._readings(index, point)))

    def _invoices(self, index: int) -> Iterable[InvoiceRecord]:
        for n in range(self.per_account):
            issued = dt.date(2020, 1, 1) + dt.timedelta(days=30 * n)
            amount = Decimal(100 + (index * 7 + n * 13) % 400) + Decimal("0.45")
            yield InvoiceRecord(
                number=f"B/{index:06d}/{n:04d}", issued_on=issued, period_start=issued - dt.timedelta(days=30),
                period_end=issued - dt.timedelta(days=1), due_on=issued + dt.timedelta(days=14),
                gross=Money(amount, "PLN"), paid=Money(amount, "PLN"), status=InvoiceStatus.PAID,
            )

    def _payments(self, index: int) -> Iterable[PaymentRecord]:
        for n in range(self.per_account):
            booked = dt.datetime(2020, 1, 10, 9, 30, tzinfo=dt.UTC) + dt.timedelta(days=30 * n)
            amount = Decimal(100 + (index * 7 + n * 13) % 400) + Decimal("0.45")
            yield PaymentRecord(f"P/{index:06d}/{n:04d}", booked, Money(amount, "PLN"), f"B/{index:06d}/{n:04d}")

    def _readings(self, index: int, point: SupplyPointRecord) -> Iterable[ReadingRecord]:
        meter = point.meters[0]
        for n in range(self.per_account):
            yield ReadingRecord(point.identifier, meter.serial_number, "1.8.0",
                                dt.datetime(2020, 1, 1, 6, tzinfo=dt.UTC) + dt.timedelta(days=n),
                                Decimal(1000 + 7 * n + index % 5) + Decimal("0.125"), "kWh", ReadingSource.OPERATOR)

    def changes_since(self, cursor: str | None, limit: int = 100) -> ChangeBatch:
        start = int(cursor or 0)
        end = min(start + limit, self.accounts)
        snapshots = tuple(self.snapshot(f"{i:010d}") for i in range(start, end))
        return ChangeBatch(snapshots, str(end), end < self.accounts)




def _copy_text(values: Iterable[object]) -> str:
    """One line of COPY's text format (the bench's values hold no tabs, newlines or backslashes)."""
    return "\t".join(r"\N" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
                     for value in values) + "\n"


def _copy_rows(table: str, backend: SyntheticBackend, ids: Callable[[str], int]) -> tuple[str, str]:
    """The columns and COPY text of ``table``'s rows, as the sync stores them; ``ids`` gives the
    database id of an account (by number) or a supply point (by identifier)."""
    buffer = io.StringIO()
    now = dt.datetime.now(dt.UTC)
    for number, snap in backend.made.items():
        if table == "invoice":
            columns = ("tenant, account_id, number, issued_on, period_start, period_end, due_on, gross_amount, "
                       "paid_amount, currency, status, kind, supply_point_identifier")
            for inv in snap.invoices:
                buffer.write(_copy_text((
                    "bench", ids(number), inv.number, inv.issued_on, inv.period_start, inv.period_end, inv.due_on,
                    inv.gross.amount, inv.paid.amount, inv.gross.currency, inv.status, inv.kind, inv.supply_point)))
        elif table == "payment":
            columns = "tenant, account_id, reference, booked_at, amount, currency, invoice_number, method"
            for pay in snap.payments:
                buffer.write(_copy_text((
                    "bench", ids(number), pay.reference, pay.booked_at, pay.amount.amount, pay.amount.currency,
                    pay.invoice_number, pay.method)))
        else:
            columns = ("tenant, supply_point_id, meter_serial, register, read_at, value, unit, source, status, "
                       "created_at")
            for r in snap.readings:
                buffer.write(_copy_text((
                    "bench", ids(r.supply_point), r.meter_serial, r.register, r.read_at, r.value, r.unit, r.source,
                    "recorded", now)))
    return columns, buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--rows-per-account", "--invoices-per-account", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1, help="runs per table; the best time of each is shown")
    parser.add_argument("--tables", default=",".join(TABLES), help="comma-separated, of: " + ", ".join(TABLES))
    args = parser.parse_args()
    tables = [t for t in args.tables.split(",") if t]
    if unknown := set(tables) - set(TABLES):
        parser.error(f"unknown tables: {', '.join(sorted(unknown))}")
    rows = args.accounts * args.rows_per_account

    from flask_migrate import upgrade

    from core import create_app
    from core.framework.descriptions import SupplierInfo
    from core.framework.extensions import db
    from core.framework.sync import sync_tenant
    from core.framework.tenancy import tenant_context
    from core.hookspecs import hookimpl

    backend = SyntheticBackend(args.accounts, args.rows_per_account)

    class BenchSupplier:
        @hookimpl
        def portal_supplier(self):
            return SupplierInfo(code="bench", name="Bench", country="PL", currency="PLN", timezone="Europe/Warsaw",
                                default_locale="pl", supported_locales=("pl", "en"), theme="innogy")

        @hookimpl
        def portal_billing_adapter(self, tenant):
            return backend

    ensure_database(args.database_url)
    dsn = make_url(args.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    app = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.database_url, "PLUGINS": [],
        "TENANTS": {"bench": {"plugin": "bench", "hosts": ["bench.test"]}}, "DEFAULT_TENANT": None,
    }, plugins=[BenchSupplier()])
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    tenant = app.extensions["portal_tenants"]["bench"]

    def clean() -> None:
        """Delete the bench tenant's rows; another tenant's accounts and supply points stay, so the
        planner has the statistics of a database in use (on emptied tables it plans the foreign key
        checks as sequential scans, and the sync slows down batch by batch)."""
        with psycopg.connect(dsn, autocommit=True) as conn:
            for table in TENANT_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE tenant = 'bench'")  # noqa: S608 - fixed table names
            conn.execute(
                "INSERT INTO billing_account (tenant, number, holder_name, street, postcode, city, balance_amount, "
                "currency, data_as_of) SELECT 'bench-other', lpad(g::text, 10, '0'), 'Other', 'ul. Inna 1', "
                "'00-001', 'Warszawa', 0, 'PLN', now() FROM generate_series(0, %s - 1) g ON CONFLICT DO NOTHING",
                (args.accounts,))
            conn.execute(
                "INSERT INTO supply_point (tenant, account_id, identifier, commodity, street, postcode, city, tariff, "
                "capabilities) SELECT tenant, id, 'PL' || number, 'electricity', street, postcode, city, 'G11', '[]' "
                "FROM billing_account WHERE tenant = 'bench-other' ON CONFLICT DO NOTHING")
            for table in TENANT_TABLES:
                conn.execute(f"VACUUM ANALYZE {table}")

    def timed_sync() -> float:
        with app.app_context(), tenant_context("bench"):
            db.session.execute(text("DELETE FROM sync_state WHERE tenant = 'bench'"))
            db.session.commit()
            started = time.perf_counter()
            report = sync_tenant(tenant, args.batch_size)
            seconds = time.perf_counter() - started
            db.session.remove()
        assert report.error is None and report.accounts == args.accounts, report
        return seconds

    def timed_copy(table: str) -> float:
        """COPY the rows the sync stored into a new table like ``table``, with all its indexes."""
        with psycopg.connect(dsn) as conn:
            stored = conn.execute(f"SELECT count(*) FROM {table} WHERE tenant = 'bench'").fetchone()  # noqa: S608
            assert stored is not None and stored[0] == rows, (table, stored, rows)
            key = "identifier" if table == "meter_reading" else "number"
            parent = "supply_point" if table == "meter_reading" else "billing_account"
            ids = dict(conn.execute(f"SELECT {key}, id FROM {parent} WHERE tenant = 'bench'").fetchall())  # noqa: S608
            columns, data = _copy_rows(table, backend, ids.__getitem__)
            scratch = f"bench_copy_{table}"
            conn.execute(f"DROP TABLE IF EXISTS {scratch}")
            conn.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor().copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
                copy.write(data)
            conn.commit()
            seconds = time.perf_counter() - started
            conn.execute(f"DROP TABLE {scratch}")
            conn.commit()
        return seconds

    print(f"{rows:,} rows per table ({args.accounts:,} accounts of {args.rows_per_account}, "
          f"batches of {args.batch_size} accounts; best of {args.repeat})")
    print(f"{'table':<14} {'sync s':>8} {'sync rows/s':>12} {'again s':>8} {'again rows/s':>12} "
          f"{'COPY s':>8} {'COPY rows/s':>12} {'sync/COPY':>9}")
    for table in tables:
        backend.prepare(table)
        timings = []
        for _ in range(args.repeat):
            clean()
            sync_seconds = timed_sync()
            again_seconds = timed_sync()  # the same accounts again, nothing changed
            timings.append((sync_seconds, again_seconds, timed_copy(table)))
        sync_seconds, again_seconds, copy_seconds = (min(each) for each in zip(*timings, strict=True))
        sync_rate, again_rate, copy_rate = rows / sync_seconds, rows / again_seconds, rows / copy_seconds
        print(f"{table:<14} {sync_seconds:8.2f} {sync_rate:12,.0f} {again_seconds:8.2f} {again_rate:12,.0f} "
              f"{copy_seconds:8.2f} {copy_rate:12,.0f} {sync_rate / copy_rate:8.3f}x")
    clean()


if __name__ == "__main__":
    main()
