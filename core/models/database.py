"""The database handle every model and query uses, created unbound and attached in the app factory."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine

naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
"""Flask-SQLAlchemy: ``db.session`` is the session of the request (or job), and every
query of a tenant's data through it is limited to the current tenant's rows
(``db.session.execute(owned(select(Invoice), user, Invoice.account_id))``)."""

if TYPE_CHECKING:
    from typing import ClassVar

    import flask_sqlalchemy.model
    from sqlalchemy import Table
    from sqlalchemy.orm import DeclarativeBase

    class Model(flask_sqlalchemy.model.Model, DeclarativeBase):
        """``db.Model`` to a type checker, which cannot take an attribute as a base class:
        Flask-SQLAlchemy's model on a declarative base (SQLAlchemy types the
        ``declarative_base()`` that makes ``db.Model`` as ``Any``)."""

        __table__: ClassVar[Table]
        """Every model of the portal maps one declared table."""

else:
    Model = db.Model
"""The base class of every table: ``db.Model``."""


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(dbapi_connection, connection_record) -> None:
    """SQLite in WAL mode lets readers go on while one writer writes."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def ping_connections_idle_for(engine: Engine, seconds: float) -> None:
    """Check a pooled connection before use once it has been idle for ``seconds``.

    The database may have closed it meanwhile (a restart, a failover, an idle timeout): a
    dead one is replaced before the request uses it. A connection that served a moment ago
    is used as it is, since a check is a round trip: on a busy server, SQLAlchemy's
    ``pool_pre_ping`` would add one to every request.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.get("checked_in_at")
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:  # the pool replaces it and tries again
            raise exc.DisconnectionError(f"a pooled connection was closed: {error}") from error
