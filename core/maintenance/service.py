"""Planned maintenance of the portal, announced on every page before it happens.

A supplier's operator adds a window with ``portal maintenance add --tenant CODE --from
"2026-12-05 22:00" --to "2026-12-06 02:00"`` (times in the tenant's time zone); from
``MAINTENANCE_ANNOUNCE_DAYS`` days before its start until its end, every page of the
tenant shows it in the reader's language. Suppliers switch this on with the
``maintenance_banner`` capability.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from core.framework.extensions import cache, db
from core.framework.tenancy import Tenant, current_tenant, current_tenant_code
from core.maintenance.models import MaintenanceWindow
from core.models import utcnow

CAPABILITY = "maintenance_banner"
log = logging.getLogger(__name__)


class MaintenanceError(ValueError):
    """The window cannot be announced as given."""


def offered(tenant: Tenant) -> bool:
    return CAPABILITY in tenant.supplier.capabilities


def local_datetime(tenant: Tenant, text: str) -> dt.datetime:
    """``2026-12-05 22:00`` on the tenant's clock, as an aware datetime."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise MaintenanceError(f"not a date and time (YYYY-MM-DD HH:MM): {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tenant.timezone))
    return value


def local_text(tenant: Tenant, value: dt.datetime) -> str:
    """A moment on the tenant's clock, for operators: ``2026-12-05 22:00 CET``."""
    return f"{value.astimezone(ZoneInfo(tenant.timezone)):%Y-%m-%d %H:%M %Z}"


def add_window(
    tenant: Tenant, starts_at: dt.datetime, ends_at: dt.datetime, *,
    announce_days: int | None = None, note: str | None = None,
) -> MaintenanceWindow:
    """Store a window of the current tenant, announced ``announce_days`` before it starts."""
    if not offered(tenant):
        raise MaintenanceError(f"supplier {tenant.supplier.code!r} does not announce maintenance in the portal")
    if ends_at <= starts_at:
        raise MaintenanceError("the window must end after it starts")
    if ends_at <= utcnow():
        raise MaintenanceError("the window is already over")
    days = current_app.config["MAINTENANCE_ANNOUNCE_DAYS"] if announce_days is None else announce_days
    if days < 0:
        raise MaintenanceError("announce the window zero or more days before it starts")
    window = MaintenanceWindow(
        starts_at=starts_at, ends_at=ends_at, announce_from=starts_at - dt.timedelta(days=days),
        note=(note or "").strip() or None,
    )
    db.session.add(window)
    db.session.commit()
    cache.delete(_cache_key(tenant.code))
    return window


def windows(include_past: bool = False) -> list[MaintenanceWindow]:
    """The current tenant's windows, soonest first."""
    query = select(MaintenanceWindow).order_by(MaintenanceWindow.starts_at, MaintenanceWindow.id)
    if not include_past:
        query = query.where(MaintenanceWindow.ends_at > utcnow())
    return list(db.session.execute(query).scalars())


def remove_window(window_id: int) -> bool:
    window = db.session.get(MaintenanceWindow, window_id)
    if window is None or window.tenant != current_tenant_code():
        return False
    db.session.delete(window)
    db.session.commit()
    cache.delete(_cache_key(window.tenant))
    return True


@dataclass(frozen=True)
class Announcement:
    """A window as the pages show it (what the cache keeps)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    announce_from: dt.datetime
    note: str | None

    @property
    def started(self) -> bool:
        return self.starts_at <= utcnow()


def _cache_key(tenant_code: str) -> str:
    return f"maintenance:{tenant_code}"


def announced(tenant: Tenant | None) -> list[Announcement]:
    """Windows of ``tenant`` to show on its pages: from their announcement to their end.

    Every page asks, so the windows still to come are cached per tenant; adding or removing
    one deletes the tenant's entry.
    """
    if tenant is None or not offered(tenant):
        return []
    upcoming = cache.get(_cache_key(tenant.code))
    if upcoming is None:
        try:
            upcoming = [
                Announcement(w.starts_at, w.ends_at, w.announce_from, w.note)
                for w in windows()
            ]
        except SQLAlchemyError:  # an error page must render even when the database is down
            log.exception("could not read the maintenance windows")
            return []
        cache.set(_cache_key(tenant.code), upcoming)
    now = utcnow()
    return [window for window in upcoming if window.announce_from <= now < window.ends_at]


def ensure_demo_window(tenant: Tenant) -> str | None:
    """The demo shows a banner: a night's maintenance the day after tomorrow, unless one is planned."""
    if not offered(tenant) or windows():
        return None
    zone = ZoneInfo(tenant.timezone)
    day = dt.datetime.now(zone).date() + dt.timedelta(days=2)
    starts_at = dt.datetime.combine(day, dt.time(22, 0), tzinfo=zone)
    window = add_window(tenant, starts_at, starts_at + dt.timedelta(hours=4))
    return f"  planned maintenance announced for {local_text(tenant, window.starts_at)} (4 hours)"


def init_app(app: Flask) -> None:
    @app.template_global()
    def maintenance_windows() -> list[Announcement]:
        """The windows to show on the page being rendered."""
        return announced(current_tenant(default=None))
