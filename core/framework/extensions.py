"""Flask extensions, created unbound and attached to an app in the factory."""

from __future__ import annotations

from flask import g, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from core.models.database import db

__all__ = ["db", "migrate", "babel", "login_manager", "csrf", "limiter", "mail", "cache", "client_key"]


def client_key() -> str:
    """Rate-limit key: the tenant and the client address, so brands never share limits."""
    tenant = g.get("tenant")
    return f"{tenant.code if tenant is not None else '-'}:{request.remote_addr or '-'}"


migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_key, default_limits=[])
"""Flask-Limiter, keyed by tenant and client address:
``@limiter.limit(limit("VERIFY"), methods=["POST"])`` limits a view."""
mail = Mail()
cache = Cache()
"""Flask-Caching, for what every page of a tenant reads and seldom changes (the maintenance
windows, whether the sync is failing): keys name the tenant, and whoever changes the data
deletes its key. In-process by default; a deployment with several servers shares Redis
(``CACHE_TYPE = "RedisCache"``) so that a change shows on every server at once."""
