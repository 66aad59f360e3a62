"""Counting the SQL statements a page issues (pages must not grow with a customer's history)."""

from __future__ import annotations

from sqlalchemy import event

from core.framework.extensions import db


def count_queries(app, client, path: str) -> int:
    """How many statements reach the database while ``client`` gets ``path`` (which must answer 200),
    once what the tenant's pages share is cached (the first request reads it)."""
    assert client.get(path).status_code == 200
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)
