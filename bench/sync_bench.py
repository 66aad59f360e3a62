"""Benchmark: sync 100,000 invoices of one tenant into PostgreSQL, beside a raw COPY.

Prints rows per second of the portal's sync (batched upserts through the ORM, one
transaction per batch) and of a plain ``COPY`` of the same rows into a scratch table in the
same database, and the ratio between them. Not a test: a measurement to compare runs.

    python bench/sync_bench.py [--database-url postgresql+psycopg://postgres@127.0.0.1/portal_bench]
        [--accounts 2000] [--invoices-per-account 50] [--batch-size 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time
from decimal import Decimal

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.billing.contract import (
    AccountRecord,
    AccountSnapshot,
    Address,
    ChangeBatch,
    InvoiceRecord,
    InvoiceStatus,
    Money,
)
from core.demo.backend import DemoBackend


class SyntheticBackend(DemoBackend):
    """Accounts with many invoices and nothing else, made on the fly (no generation cost)."""

    def __init__(self, accounts: int, invoices_per_account: int) -> None:  # noqa: D107
        self.currency = "PLN"
        self.accounts = accounts
        self.per_account = invoices_per_account
        self.now = dt.datetime.now(dt.UTC)

    def prepare(self) -> None:
        """Make every snapshot up front, so the timing measures the sync and not this generator."""
        self.made = {f"{i:010d}": self._make(f"{i:010d}") for i in range(self.accounts)}

    def snapshot(self, number: str) -> AccountSnapshot:
        made = getattr(self, "made", {})
        return made[number] if number in made else self._make(number)

    def _make(self, number: str) -> AccountSnapshot:
        index = int(number)
        invoices = []
        for n in range(self.per_account):
            issued = dt.date(2020, 1, 1) + dt.timedelta(days=30 * n)
            amount = Decimal(100 + (index * 7 + n * 13) % 400) + Decimal("0.45")
            invoices.append(InvoiceRecord(
                number=f"B/{index:06d}/{n:04d}", issued_on=issued, period_start=issued - dt.timedelta(days=30),
                period_end=issued - dt.timedelta(days=1), due_on=issued + dt.timedelta(days=14),
                gross=Money(amount, "PLN"), paid=Money(amount, "PLN"), status=InvoiceStatus.PAID,
            ))
        account = AccountRecord(number, f"Customer {index}", Address("ul. Testowa 1", "00-001", "Warszawa", "PL"),
                                Money(Decimal("0.00"), "PLN"), self.now)
        return AccountSnapshot(account, (), tuple(invoices), ())

    def changes_since(self, cursor: str | None, limit: int = 100) -> ChangeBatch:
        start = int(cursor or 0)
        end = min(start + limit, self.accounts)
        snapshots = tuple(self.snapshot(f"{i:010d}") for i in range(start, end))
        return ChangeBatch(snapshots, str(end), end < self.accounts)


def _ensure_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--invoices-per-account", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    rows = args.accounts * args.invoices_per_account

    from flask_migrate import upgrade

    from core import create_app
    from core.framework.descriptions import SupplierInfo
    from core.framework.extensions import db
    from core.framework.sync import sync_tenant
    from core.framework.tenancy import tenant_context
    from core.hookspecs import hookimpl

    backend = SyntheticBackend(args.accounts, args.invoices_per_account)
    backend.prepare()

    class BenchSupplier:
        @hookimpl
        def portal_supplier(self):
            return SupplierInfo(code="bench", name="Bench", country="PL", currency="PLN", timezone="Europe/Warsaw",
                                default_locale="pl", supported_locales=("pl", "en"), theme="innogy")

        @hookimpl
        def portal_billing_adapter(self, tenant):
            return backend

    _ensure_database(args.database_url)
    app = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.database_url, "PLUGINS": [],
        "TENANTS": {"bench": {"plugin": "bench", "hosts": ["bench.test"]}}, "DEFAULT_TENANT": None,
    }, plugins=[BenchSupplier()])
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with db.engine.begin() as conn:
            for table in ("invoice", "payment", "supply_point", "billing_account", "sync_state"):
                conn.execute(text(f"DELETE FROM {table} WHERE tenant = 'bench'"))  # noqa: S608 - fixed table names
        tenant = app.extensions["portal_tenants"]["bench"]
        with tenant_context("bench"):
            started = time.perf_counter()
            report = sync_tenant(tenant, args.batch_size)
            sync_seconds = time.perf_counter() - started
        synced = db.session.execute(text("SELECT count(*) FROM invoice WHERE tenant = 'bench'")).scalar_one()
        db.session.remove()
    assert synced == rows and report.error is None, (synced, report)

    # The same rows, written with COPY into a scratch table shaped like the invoice table.
    buffer = io.StringIO()
    for i in range(args.accounts):
        for invoice in backend.snapshot(f"{i:010d}").invoices:
            buffer.write("\t".join([
                "bench", str(i), invoice.number, invoice.issued_on.isoformat(), invoice.period_start.isoformat(),
                invoice.period_end.isoformat(), invoice.due_on.isoformat(), str(invoice.gross.amount),
                str(invoice.paid.amount), "PLN", str(invoice.status), invoice.kind,
            ]) + "\n")
    dsn = make_url(args.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute("CREATE TABLE bench_copy (LIKE invoice INCLUDING DEFAULTS)")
        conn.execute("ALTER TABLE bench_copy ALTER COLUMN id DROP NOT NULL")
        started = time.perf_counter()
        columns = ("tenant, account_id, number, issued_on, period_start, period_end, due_on, "
                   "gross_amount, paid_amount, currency, status, kind")
        with conn.cursor().copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        conn.commit()
        copy_seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")

    sync_rate, copy_rate = rows / sync_seconds, rows / copy_seconds
    print(f"invoices:            {rows:,} ({args.accounts:,} accounts, batches of {args.batch_size} accounts)")
    print(f"portal sync:         {sync_seconds:8.2f} s  {sync_rate:12,.0f} rows/s")
    print(f"raw COPY:            {copy_seconds:8.2f} s  {copy_rate:12,.0f} rows/s")
    print(f"COPY / sync:         {copy_rate / sync_rate:8.1f} x")


if __name__ == "__main__":
    main()
