"""Benchmark: what one page costs, beside the floor of a bare Flask page.

Builds a PostgreSQL database of one tenant's demo data (``--accounts`` customers with
``--history-months`` of invoices, payments and readings, stored through the portal's own sync)
and a signed-in customer, serves it with gunicorn (2 sync workers) as a deployment does, and
drives ``--connections`` concurrent connections at, in turn and ``--rounds`` times over:

- ``fortunes`` of a stand-alone Flask app (``bench/read_path_apps.py``): one query, a sort, a
  small escaped template: the floor;
- the same route inside the portal, signed in: the floor plus the framework's per-request work;
- the dashboard, the invoice list and the consumption page of the signed-in customer.

Prints requests per second, latency, the app's CPU per request (the gunicorn workers' own
CPU time, whatever the client costs), the SQL statements each page issues, and each route's
speed as a share of the stand-alone fortunes. Not a test: a measurement to compare runs.

    python bench/read_path.py [--accounts 1000] [--history-months 24] [--seconds 5] [--rounds 2]
        [--connections 16] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_read]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import free_port, fresh_database
from sqlalchemy import event, text

BENCH = Path(__file__).resolve().parent
TENANT, HOST = "innogy", "innogy.localhost"
EMAIL, PASSWORD = "bench@innogy.example", "bench-portal-2026"
SECRET = "bench-read-path-secret-key-0123456789"
ROUTES = (
    ("stand-alone fortunes", "standalone", "/fortunes"),
    ("portal fortunes", "portal", "/bench/fortunes"),
    ("dashboard", "portal", "/"),
    ("invoices", "portal", "/invoices/"),
    ("consumption", "portal", "/consumption/"),
)




def build_database(url: str, accounts: int, months: int) -> None:
    """The demo data of ``accounts`` innogy customers, stored by the sync, and a bench login."""
    fresh_database(url)
    from flask_migrate import upgrade
    from read_path_apps import FORTUNES

    from core import create_app
    from core.framework.extensions import db
    from core.framework.security import hash_password
    from core.framework.sync import store_snapshots
    from core.framework.tenancy import tenant_context
    from core.models import AccountLink, BillingAccount, TermsAcceptance, User, utcnow
    from core.plugin_api.demo import DemoBackend
    from plugins.innogy_pl.adapter import INNOGY_PROFILE

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    started = time.perf_counter()
    backend = DemoBackend(dataclasses.replace(INNOGY_PROFILE, customers=accounts, history_months=months))
    first = backend.account_numbers()[0]
    generated = time.perf_counter()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with tenant_context(TENANT):
            cursor, more = None, True
            while more:
                batch = backend.changes_since(cursor, 500)
                store_snapshots(list(batch.snapshots))
                db.session.commit()
                cursor, more = batch.cursor, batch.more
            now, version = utcnow(), app.config["TERMS_VERSION"]
            user = User(
                email=EMAIL,
                password_hash=hash_password(PASSWORD),
                terms_version=version,
                terms_accepted_at=now,
                activated_at=now,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(TermsAcceptance(user_id=user.id, version=version, accepted_at=now))
            account = db.session.execute(
                db.select(BillingAccount).where(BillingAccount.number == first)
            ).scalar_one()
            db.session.add(AccountLink(user_id=user.id, account_id=account.id, method="bench"))
            db.session.commit()
        db.session.execute(
            text("CREATE TABLE fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL)")
        )
        db.session.execute(
            text("INSERT INTO fortune VALUES (:id, :message)"),
            [{"id": n, "message": m} for n, m in enumerate(FORTUNES, 1)],
        )
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        counts = {
            table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in ("billing_account", "invoice", "payment", "meter_reading")
        }
    print(
        f"built in {time.perf_counter() - started:.0f} s (generation {generated - started:.0f} s): "
        + ", ".join(f"{n:,} {table}" for table, n in counts.items())
    )


def count_queries(url: str) -> dict[str, int]:
    """SQL statements per portal page, for the signed-in bench customer (in this process)."""
    from read_path_apps import portal

    os.environ.update(PORTAL_SQLALCHEMY_DATABASE_URI=url, PORTAL_SECRET_KEY=SECRET)
    app = portal()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    client = app.test_client()
    base = f"https://{HOST}"
    response = client.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    from core.framework.extensions import db

    with app.app_context():
        engine = db.engine
    counts = {}
    for name, server, path in ROUTES:
        if server != "portal":
            continue
        client.get(base + path)  # warm: the first request of a process loads what it caches
        statements: list[str] = []

        def record(conn, cursor, statement, *args, statements=statements) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(base + path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        counts[name] = len(statements)
    return counts


@dataclasses.dataclass
class Server:
    process: subprocess.Popen
    port: int

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def cpu_seconds(self) -> float:
        ticks = 0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


def serve(factory: str, env: dict[str, str]) -> Server:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            "sync",
            "--pythonpath",
            str(BENCH),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            f"read_path_apps:{factory}()",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise SystemExit(f"{factory} did not start on port {port}")
    while len(Server(process, port).workers()) < 2:
        time.sleep(0.1)
    return Server(process, port)


async def _fetch(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    response = await reader.read()
    writer.close()
    return int(response[9:12]), response


def _request(path: str, cookie: str = "", method: str = "GET", body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: close", "Accept-Language: pl"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if body:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def sign_in(port: int) -> str:
    """Signs the bench customer in through the login form; the cookies to send."""
    from urllib.parse import urlencode

    def cookies(response: bytes, jar: dict[str, str]) -> dict[str, str]:
        for name, value in re.findall(rb"(?im)^set-cookie: ([^=]+)=([^;]*)", response):
            jar[name.decode()] = value.decode()
        return jar

    _status, page = asyncio.run(_fetch(port, _request("/login")))
    jar = cookies(page, {})
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    body = urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, answer = asyncio.run(_fetch(port, _request("/login", cookie, "POST", body)))
    assert status == 302, answer[:2000]
    jar = cookies(answer, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclasses.dataclass
class Run:
    requests: int
    seconds: float
    latencies: list[float]
    cpu: float
    failures: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def load(server: Server, path: str, cookie: str, seconds: float, connections: int) -> Run:
    request = _request(path, cookie)
    latencies: list[float] = []
    failures = 0

    async def connection(stop: float) -> None:
        nonlocal failures
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _body = await _fetch(server.port, request)
            latencies.append(time.perf_counter() - started)
            failures += status != 200

    async def drive() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(connection(started + seconds) for _ in range(connections)))
        return time.perf_counter() - started

    asyncio.run(drive())  # warm-up: every worker has served the route once or more
    latencies.clear()
    cpu = server.cpu_seconds()
    elapsed = asyncio.run(drive())
    return Run(len(latencies), elapsed, latencies, server.cpu_seconds() - cpu, failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_read"
    )
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run as it is")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    url = args.database_url
    if not args.keep:
        build_database(url, args.accounts, args.history_months)
    queries = count_queries(url)

    env = {**os.environ, "PORTAL_SQLALCHEMY_DATABASE_URI": url, "PORTAL_SECRET_KEY": SECRET}
    servers = {"standalone": serve("standalone", env), "portal": serve("portal", env)}
    try:
        cookie = sign_in(servers["portal"].port)
        runs: dict[str, list[Run]] = {name: [] for name, _server, _path in ROUTES}
        for _round in range(args.rounds):
            for name, server, path in ROUTES:
                runs[name].append(
                    load(
                        servers[server],
                        path,
                        cookie if server == "portal" else "",
                        args.seconds,
                        args.connections,
                    )
                )
    finally:
        for server in servers.values():
            server.process.terminate()
            server.process.wait()

    print(
        f"{args.accounts:,} accounts, {args.history_months} months of history; PostgreSQL; gunicorn, 2 sync "
        f"workers; {args.connections} connections; {args.rounds} rounds of {args.seconds:g} s per route"
    )
    print(
        f"{'route':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}{'queries':>9}"
        f"{'x stand-alone':>15}"
    )
    floor = statistics.median(run.rps for run in runs["stand-alone fortunes"])
    for name, *_ in ROUTES:
        rps = statistics.median(run.rps for run in runs[name])
        cpu = statistics.median(run.cpu / run.requests * 1000 for run in runs[name])
        p50 = statistics.median(run.percentile(0.5) for run in runs[name])
        p99 = statistics.median(run.percentile(0.99) for run in runs[name])
        failures = sum(run.failures for run in runs[name])
        print(
            f"{name:<22}{rps:>9,.0f}{p50:>9.1f}{p99:>9.1f}{cpu:>12.2f}{queries.get(name, 1):>9}"
            f"{rps / floor:>14.3f}x" + (f"  ({failures} answers not 200)" if failures else "")
        )


if __name__ == "__main__":
    main()
