"""Pooled database connections that the database closed behind the portal's back (a restart,
a failover, an idle timeout) are replaced before a page uses them, without a check on
every request (PostgreSQL: SQLite is a file)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import create_engine, text

from core.framework.extensions import db
from tests.conftest import client_for

pytestmark = pytest.mark.skipif(
    not os.environ.get("PORTAL_TEST_DATABASE_URL"), reason="the pool's checks concern PostgreSQL"
)


ONE_CONNECTION = {"pool_size": 1, "max_overflow": 0}  # the next query gets the same one back


def _backend_of_a_pooled_connection(app) -> int:
    """Serves one query, then returns its connection to the pool; the server process's id."""
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.remove()
        return pid


def _the_database_closes(pid: int, url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()


def test_a_connection_closed_while_idle_is_replaced_before_use(make_app, database_url):
    app = make_app(DATABASE_PING_AFTER_IDLE=dt.timedelta(0), SQLALCHEMY_ENGINE_OPTIONS=ONE_CONNECTION)  # every pooled connection counts as idle
    dead = _backend_of_a_pooled_connection(app)
    _the_database_closes(dead, database_url)
    with app.app_context():
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead


def test_a_connection_in_use_a_moment_ago_is_not_checked(make_app, monkeypatch):
    app = make_app(DATABASE_PING_AFTER_IDLE=dt.timedelta(hours=1), SQLALCHEMY_ENGINE_OPTIONS=ONE_CONNECTION)
    with app.app_context():
        dialect = type(db.engine.dialect)
    pings = []
    ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda self, connection: pings.append(1) or ping(self, connection))
    client = client_for(app)
    for _ in range(3):
        assert client.get("/login").status_code == 200
    assert pings == []  # no round trip spent on checks while the connection serves
