"""Tenant scoping of the data: every customer row carries its tenant, and queries are scoped to it.

Every customer-data model inherits :class:`TenantScoped`; the session adds the current
tenant to every SELECT, UPDATE and DELETE of such a model and stamps it on new rows, so
a view cannot forget the filter. Code that really must cross tenants (operators' tools)
says so with ``execution_options(all_tenants=True)``. The current tenant is the request's
(``g.tenant``) or the one named by :func:`tenant_context` (CLI, jobs, tests).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import weakref
from collections.abc import Iterator
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria


class NoTenant(RuntimeError):
    """Tenant-scoped data was touched with no tenant active."""


class TenantMismatch(RuntimeError):
    """A row of one tenant was about to be written while serving another."""


_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "portal_tenant", default=None
)


def current_tenant_code(default: Any = NoTenant) -> str:
    code = _override.get()
    if code is None and has_app_context():
        tenant = g.get("tenant")
        code = tenant.code if tenant is not None else None
    if code is None:
        if default is NoTenant:
            raise NoTenant("no tenant is active; use tenant_context() outside requests")
        return default
    return code


@contextlib.contextmanager
def tenant_context(code: str) -> Iterator[None]:
    """Act as ``code`` outside a request (CLI, jobs, tests): queries, mail and templates."""
    token = _override.set(code)
    in_app = has_app_context()
    previous = g.get("tenant") if in_app else None
    if in_app:
        g.tenant = current_app.extensions["portal_tenants"].by_code.get(code)
    try:
        yield
    finally:
        _override.reset(token)
        if in_app:
            g.tenant = previous


class TenantScoped:
    """Mixin for every model that holds customer data."""

    @declared_attr
    def tenant(cls) -> Mapped[str]:  # noqa: N805 - SQLAlchemy declared_attr
        """The code of the tenant the row belongs to, stamped on new rows; every query of
        the model is limited to the current tenant's rows."""
        return mapped_column(String(64), index=True, nullable=False)


def _scope_statements(state) -> None:
    if state.execution_options.get("all_tenants"):
        return
    if state.is_select and (state.is_column_load or state.is_relationship_load):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    code = current_tenant_code()
    statement = state.statement
    try:  # a statement built once (module level) is scoped once per tenant, keeping its cache key
        by_tenant = _scoped_statements.setdefault(statement, {})
    except TypeError:  # not one that can be weakly referenced
        by_tenant = {}
    scoped = by_tenant.get(code)
    if scoped is None:
        scoped = by_tenant[code] = statement.options(_tenant_criteria(code))
    state.statement = scoped


_scoped_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.cache
def _tenant_criteria(code: str):
    """The tenant's filter as a loader option, made once per tenant (every query adds it)."""
    return with_loader_criteria(TenantScoped, lambda cls: cls.tenant == code, include_aliases=True)


def _stamp_new_rows(session: Session, flush_context, instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        code = current_tenant_code()
        if obj.tenant is None:
            obj.tenant = code
        elif obj.tenant != code:
            raise TenantMismatch(
                f"{type(obj).__name__} of tenant {obj.tenant!r} written while serving {code!r}"
            )


def install_tenant_scoping(session_class: type[Session] = Session) -> None:
    if not event.contains(session_class, "do_orm_execute", _scope_statements):
        event.listen(session_class, "do_orm_execute", _scope_statements)
        event.listen(session_class, "before_flush", _stamp_new_rows)
