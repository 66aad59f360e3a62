"""Benchmark: catch-up after a back-end outage, through the processes a deployment runs.

Queues ``--messages`` customer requests (the outbox messages of 50 demo accounts of one
tenant) while the supplier's back-end is down and no worker runs, then starts
``portal demo-backend`` (HTTP, journaling every write to disk) and ``portal worker``
(Celery on Redis, PostgreSQL), asks for one relay (what beat does every
``RELAY_INTERVAL``), and prints how long the outbox takes to drain, and the rate. Not a test:
a measurement to compare runs. Checks at the end that the back-end journaled every
message exactly once.

    python bench/outbox_drain.py [--messages 10000] [--concurrency 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/portal_outbox_bench]
        [--broker redis://127.0.0.1:6379/3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from scratch import free_port, fresh_database
from sqlalchemy import create_engine, text

TENANT = "innogy"






def _portal(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from core.cli import main; main()", *args], env=env, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_outbox_bench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    port = free_port()
    tenants = {TENANT: {"plugin": "innogy_pl", "hosts": ["innogy.bench"],
                        "settings": {"backend_url": f"http://127.0.0.1:{port}/innogy_pl"}}}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")} | {
        "PORTAL_SECRET_KEY": "bench-secret-key-bench-secret-key",
        "PORTAL_SQLALCHEMY_DATABASE_URI": args.database_url,
        "PORTAL_CELERY_BROKER_URL": args.broker,
        "PORTAL_TENANTS": json.dumps(tenants),
        "PORTAL_DEFAULT_TENANT": "null",
        "PORTAL_INSTANCE_PATH": str(state / "instance"),
    }
    fresh_database(args.database_url)
    subprocess.run([sys.executable, "-c", "from core.cli import main; main()", "db", "upgrade"],
                   env=env, check=True, capture_output=True)

    from core import create_app
    from core.framework.extensions import db
    from core.framework.sync import import_account
    from core.framework.tenancy import tenant_context
    from core.models import OutboxMessage, User, utcnow
    from core.service_requests.service import file_request

    # The writes, stored by the routine the web form and the API use, while the back-end is
    # down: the loader's tenant reads the demo data in process, its deliveries wait in Redis.
    loader = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.database_url, "CELERY_BROKER_URL": args.broker,
        "TENANTS": {TENANT: {"plugin": "innogy_pl", "hosts": ["innogy.bench"]}}, "DEFAULT_TENANT": None,
    })
    started = time.perf_counter()
    with loader.app_context(), tenant_context(TENANT):
        tenant = loader.extensions["portal_tenants"][TENANT]
        now = utcnow()
        user = User(email="bench@example.com", password_hash="-", terms_version="bench", terms_accepted_at=now)
        db.session.add(user)
        accounts = [import_account(tenant, identity["account_number"]) for identity in tenant.adapter.demo_identities()]
        db.session.commit()
        for n in range(args.messages):
            file_request(user, accounts[n % len(accounts)], "contact_update",
                         {"email": f"customer{n}@example.com"}, f"bench-{n:08d}")
        loader.extensions["celery"].control.purge()  # the relay drains them, not 10,000 one-off tasks
        queued = db.session.query(OutboxMessage).filter(OutboxMessage.status == "pending").count()
        db.session.remove()
    print(f"queued:        {queued:,} messages of {len(accounts)} accounts in {time.perf_counter() - started:.1f} s"
          " (back-end down, no worker)")

    logs = state / "logs"
    logs.mkdir()
    backend = _portal("demo-backend", "--port", str(port), "--state-dir", str(state / "backend"),
                      "--supplier", "innogy_pl", env=env, stdout=open(logs / "backend.log", "w"), stderr=subprocess.STDOUT)
    worker = _portal("worker", "--concurrency", str(args.concurrency), "--without-heartbeat", "--without-gossip",
                     "--without-mingle", env=env, stdout=open(logs / "worker.log", "w"), stderr=subprocess.STDOUT)
    engine = create_engine(args.database_url)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the demo back-end did not start") from None
                time.sleep(0.1)
        time.sleep(3)  # the worker connects to Redis
        print("back-end up:   relay asked once (as beat does)")
        started = time.perf_counter()
        loader.extensions["celery"].send_task("portal.relay_all")
        left = queued
        while left:
            time.sleep(0.5)
            with engine.connect() as conn:
                left = conn.execute(text("SELECT count(*) FROM outbox_message WHERE status = 'pending'")).scalar_one()
            if time.perf_counter() - started > 900:
                raise RuntimeError(f"not drained after 15 minutes: {left} pending")
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            states = dict(conn.execute(text("SELECT status, count(*) FROM outbox_message GROUP BY status")).all())
    finally:
        worker.terminate()
        worker.wait(30)
        backend.terminate()
        backend.wait(30)
        engine.dispose()
    journal = (state / "backend" / "innogy_pl.journal").read_text().splitlines()
    keys = [json.loads(line)["key"] for line in journal]
    print(f"drained:       {seconds:8.2f} s  {queued / seconds:8,.0f} messages/s   states: {states}")
    print(f"back-end:      {len(keys):,} journaled, {len(set(keys)):,} distinct keys")
    assert len(keys) == len(set(keys)) == queued, "every message applied exactly once"


if __name__ == "__main__":
    main()
