"""Benchmark: how long a bundled supplier's demo back-end takes to invent its customers, and
to build many accounts through the portal's own sync.

Without ``--sync`` it prints, per supplier and number of customers, the time the demo
generator takes (wall clock and CPU) and the time to walk ``changes_since`` over every
account (the snapshots the sync reads), with the time per 1,000 customers: the same
figure at every size means the generator is linear.

With ``--sync N`` it makes ``N`` customers of one supplier (``--supplier``) and stores them
in PostgreSQL through ``sync_tenant``, as ``portal sync`` does, under a tenant of its own
(``bench``), printing the time of each phase. Not a test: a measurement to compare runs.

    python bench/demo_data.py [--suppliers innogy_pl cez_cz] [--sizes 1000 2000 4000 10000]
    python bench/demo_data.py --sync 100000 [--supplier innogy_pl] [--batch-size 100]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_demo]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from importlib.metadata import entry_points
from typing import Any

from scratch import ensure_database
from sqlalchemy import text

from core.billing.contract import BillingAdapter, ChangeBatch
from core.demo.backend import DemoBackend, forget_generated

PLUGIN_GROUP = "utility_portal"
TENANT = "bench"


class Clock:
    """Wall-clock and CPU seconds of a block (``with clock.phase(name):``), kept in order."""

    def __init__(self) -> None:  # noqa: D107
        self.phases: list[tuple[str, float, float]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block as ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.phases.append((name, time.perf_counter() - wall, time.process_time() - cpu))

    def last(self) -> tuple[float, float]:
        """Wall and CPU seconds of the latest phase."""
        return self.phases[-1][1], self.phases[-1][2]


def bundled_suppliers() -> list[str]:
    """The codes of the installed supplier plugins."""
    return sorted(ep.name for ep in entry_points(group=PLUGIN_GROUP))


def demo_backend(supplier: str, customers: int, as_of: dt.date) -> DemoBackend:
    """A new demo back-end of ``supplier`` (its plugin's own) with ``customers`` customers,
    describing ``as_of``; nothing is generated yet."""
    (plugin,) = entry_points(group=PLUGIN_GROUP, name=supplier)
    backend = plugin.load().portal_demo_backend()
    return resized(backend, customers, as_of)


def resized(backend: BillingAdapter, customers: int, as_of: dt.date | None) -> DemoBackend:
    """``backend`` (a demo back-end not read yet) with ``customers`` customers."""
    if not isinstance(backend, DemoBackend):
        raise SystemExit(f"{type(backend).__name__} is not a demo back-end")
    if as_of is not None:
        backend.set_anchor(as_of)
    backend.profile = replace(backend.profile, customers=customers)
    return backend


def walk_changes(backend: BillingAdapter, batch_size: int = 100) -> int:
    """Read every account's snapshot the way the sync does; the number of snapshots."""
    cursor, more, count = None, True, 0
    while more:
        batch = backend.changes_since(cursor, batch_size)
        cursor, more, count = batch.cursor, batch.more, count + len(batch.snapshots)
    return count


def generation(suppliers: list[str], sizes: list[int], as_of: dt.date) -> None:
    """Print the generator's time per supplier and size."""
    print(f"demo data as of {as_of.isoformat()}; seconds wall (CPU)")
    print(f"{'supplier':<14} {'customers':>9} {'generate':>17} {'per 1k':>7} {'snapshots':>17} {'per 1k':>7}")
    for supplier in suppliers:
        for size in sizes:
            forget_generated()
            gc.collect()
            clock = Clock()
            backend = demo_backend(supplier, size, as_of)
            with clock.phase("generate"):
                numbers = backend.account_numbers()
            generate = clock.last()
            with clock.phase("snapshots"):
                snapshots = walk_changes(backend)
            walk = clock.last()
            assert len(numbers) == snapshots == size, (len(numbers), snapshots, size)
            print(
                f"{supplier:<14} {size:>9,} {generate[0]:>8.2f} ({generate[1]:>6.2f}) {generate[0] / size * 1000:>7.2f}"
                f" {walk[0]:>8.2f} ({walk[1]:>6.2f}) {walk[0] / size * 1000:>7.2f}",
                flush=True,
            )
            del backend, numbers
    forget_generated()




class _Timed:
    """A back-end's ``changes_since`` that counts the seconds spent in it and notes when each
    batch was asked for (so the time between two calls is the previous batch's storing)."""

    def __init__(self, method: Callable[..., ChangeBatch]) -> None:  # noqa: D107
        self.method = method
        self.seconds = 0.0
        self.asked: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> ChangeBatch:
        started = time.perf_counter()
        self.asked.append(started)
        try:
            return self.method(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def rates(self, ended: float, batch_size: int) -> tuple[float, float]:
        """Accounts per second over the first and the last tenth of the batches."""
        marks = [*self.asked, ended]
        tenth = max(1, (len(marks) - 1) // 10)
        first = marks[tenth] - marks[0]
        last = marks[-1] - marks[-1 - tenth]
        return tenth * batch_size / first, tenth * batch_size / last


def build(supplier: str, customers: int, url: str, batch_size: int, as_of: dt.date) -> None:
    """Make ``customers`` accounts of ``supplier`` and store them through the sync."""
    from flask_migrate import upgrade

    from core import create_app
    from core.framework.extensions import db
    from core.framework.sync import sync_tenant
    from core.framework.tenancy import tenant_context

    clock = Clock()
    with clock.phase("schema"):
        ensure_database(url)
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": url,
                "PLUGINS": [supplier],
                "DEFAULT_TENANT": None,
                "TENANTS": {TENANT: {"plugin": supplier, "hosts": ["bench.test"]}},
            }
        )
        app_context = app.app_context()
        app_context.push()
        upgrade(directory=app.extensions["migrate"].directory)
    tables = [table for table in db.metadata.sorted_tables if "tenant" in table.c]
    with clock.phase("clear the tenant's rows"), db.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete().where(table.c.tenant == TENANT))
    tenant = app.extensions["portal_tenants"][TENANT]
    backend = resized(tenant.adapter, customers, as_of)
    with clock.phase(f"generate {customers:,} customers"):
        numbers = len(backend.account_numbers())
    timed = _Timed(backend.changes_since)
    backend.changes_since = timed  # type: ignore[method-assign]
    with clock.phase("sync (sync_tenant)"), tenant_context(TENANT):
        report = sync_tenant(tenant, batch_size)
        ended = time.perf_counter()
    if report.error is not None or report.accounts != numbers:
        raise SystemExit(f"the sync stopped: {report}")
    sync_wall = clock.last()[0]
    early, late = timed.rates(ended, batch_size)
    with clock.phase("count"):
        rows = {}
        with db.engine.connect() as conn:
            for table in tables:
                count = conn.execute(
                    text(f"SELECT count(*) FROM {table.name} WHERE tenant = :t"),  # noqa: S608 - table names of the schema
                    {"t": TENANT},
                ).scalar_one()
                if count:
                    rows[table.name] = count
    db.session.remove()
    app_context.pop()

    stored = sum(rows.values())
    print(
        f"{supplier}: {customers:,} customers as of {as_of.isoformat()}, {report.batches:,} batches of {batch_size}"
    )
    print(f"{'phase':<34} {'wall s':>9} {'CPU s':>9}")
    for name, wall, cpu in clock.phases:
        print(f"{name:<34} {wall:>9.2f} {cpu:>9.2f}")
        if name.startswith("sync"):
            print(f"{'  of which the back-end (snapshots)':<34} {timed.seconds:>9.2f}")
            print(f"{'  of which storing them':<34} {wall - timed.seconds:>9.2f}")
    print("rows stored: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    print(f"sync: {stored / sync_wall:,.0f} rows/s, {customers / sync_wall:,.0f} accounts/s")
    print(f"sync: {early:,.0f} accounts/s over the first tenth of the batches, {late:,.0f} over the last")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--suppliers", nargs="+", help="suppliers to time the generator of (default: every bundled one)"
    )
    parser.add_argument(
        "--sizes", nargs="+", type=int, default=[1000, 2000, 4000], help="numbers of customers"
    )
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="the demo's anchor date"
    )
    parser.add_argument("--sync", type=int, metavar="N", help="build N accounts through the sync instead")
    parser.add_argument("--supplier", default="innogy_pl", help="the supplier --sync builds")
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_demo"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="accounts per sync batch")
    args = parser.parse_args()
    if args.sync:
        build(args.supplier, args.sync, args.database_url, args.batch_size, args.as_of)
    else:
        generation(args.suppliers or bundled_suppliers(), args.sizes, args.as_of)


if __name__ == "__main__":
    main()
