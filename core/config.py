"""Default settings. Overridden by the instance config file, then ``PORTAL_*`` variables."""

from __future__ import annotations

import datetime as dt

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - refused in production


class ConfigurationError(RuntimeError):
    """The settings would make the portal unsafe or cannot work."""


class DefaultConfig:
    # Durations are timedelta; set by an environment variable or JSON, a number is seconds.
    SECRET_KEY = DEFAULT_SECRET_KEY
    # None means "SQLite in the instance folder"; filled in by the app factory.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this long is checked before use (the database may have closed
    # it); None: never. SQLAlchemy's pool_pre_ping would check before every request.
    DATABASE_PING_AFTER_IDLE: dt.timedelta | None = dt.timedelta(seconds=10)

    # Demo mode: captured mail with a mailbox page, demo data, plain-HTTP cookies.
    DEMO = False

    # Tenants: code -> {"plugin": supplier code, "hosts": [...], "theme": optional,
    # "locales": optional list, "settings": optional dict for the adapter}.
    # A deployment that keeps the bundled brands and adds its own sets EXTRA_TENANTS.
    TENANTS: dict = {
        "innogy": {"plugin": "innogy_pl", "hosts": ["innogy.localhost"]},
        "cez": {"plugin": "cez_cz", "hosts": ["cez.localhost"]},
        "doe": {"plugin": "doe_ua", "hosts": ["doe.localhost"]},
        "italiangas": {"plugin": "italiangas_it", "hosts": ["italiangas.localhost"]},
    }
    # Tenants added to TENANTS (same shape); a code also in TENANTS replaces that entry.
    EXTRA_TENANTS: dict = {}
    DEFAULT_TENANT: str | None = "innogy"
    # Scheme of links built outside a request (mail sent by jobs); None: http in the demo, else https.
    PREFERRED_URL_SCHEME: str | None = None
    # Entry-point names of plugins to load; None loads every installed plugin.
    PLUGINS: list[str] | None = None
    # Extra theme directories (each holds <theme>/theme.json).
    THEME_PATHS: list[str] = []

    # Languages the portal offers; each tenant may narrow them.
    LANGUAGES = ["pl", "cs", "uk", "it", "en"]
    BABEL_DEFAULT_LOCALE = "en"

    # Terms of service; bumping the version makes customers accept again.
    TERMS_VERSION = "2026-01"
    # Where the terms are published (a tenant's "terms_url" setting wins); None: no link.
    TERMS_URL: str | None = None

    # Accounts
    ACTIVATION_MAX_AGE = dt.timedelta(hours=48)
    PASSWORD_RESET_MAX_AGE = dt.timedelta(hours=1)
    LOGIN_UNLOCK_MAX_AGE = dt.timedelta(hours=1)  # the link that lets a browser sign in again
    LOGIN_DEVICE_MAX_AGE = dt.timedelta(days=180)  # a browser that signed in is known this long
    EMAIL_CHANGE_MAX_AGE = dt.timedelta(hours=24)
    REQUEST_STEPS_MAX_AGE = dt.timedelta(hours=2)  # a request filed in steps must be finished within
    PASSWORD_MIN_LENGTH = 10
    # zxcvbn's score a new password needs (0 weakest .. 4); common passwords are refused anyway.
    PASSWORD_MIN_STRENGTH = 3
    # argon2id cost (time_cost, memory_cost in KiB, parallelism, hash_len, salt_len); empty:
    # argon2-cffi's defaults (RFC 9106 low-memory profile). Tests set the cheapest.
    PASSWORD_HASH_PARAMETERS: dict = {}
    SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    VERIFICATION_MAX_FAILURES = 5
    VERIFICATION_LOCKOUT = dt.timedelta(minutes=30)

    # Largest request body read, in bytes (forms and JSON): above it the answer is 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Largest form text held in memory (all non-file fields together).
    MAX_FORM_MEMORY_SIZE = 500_000

    # Cache of what every page of a tenant reads (Flask-Caching): in the process by default;
    # "RedisCache" with CACHE_REDIS_URL shares it between servers and the worker, so that a
    # change (a maintenance window, a failing sync) shows everywhere at once, not only after
    # CACHE_DEFAULT_TIMEOUT seconds.
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 60
    CACHE_KEY_PREFIX = "portal:"

    # Rate limits (Flask-Limiter); storage is memory unless RATELIMIT_STORAGE_URI is set.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;60 per hour"
    # failed sign-ins per account (e-mail address), from anywhere; a browser that signed in
    # before counts on its own, and the owner is e-mailed a link that lets a new one in
    RATELIMIT_LOGIN_ACCOUNT = "5 per 15 minutes;20 per day"
    RATELIMIT_REGISTER = "5 per minute;30 per hour"
    RATELIMIT_RESET = "5 per minute;30 per hour"
    RATELIMIT_VERIFY = "10 per minute;40 per hour"
    RATELIMIT_EMAIL_CHANGE = "3 per minute;10 per hour"
    RATELIMIT_EXPORT = "2 per minute;10 per day"
    RATELIMIT_INVOICE_PDF = "30 per minute;300 per hour"  # each one asks the back-end
    RATELIMIT_PAYMENT = "10 per minute;60 per hour"  # "pay now" and the demo bank
    RATELIMIT_PAYMENT_CALLBACK = "120 per minute"

    # Cookies and sessions
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = dt.timedelta(hours=12)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 3600 * 4

    # Mail (Flask-Mail), sent after commit through the outbox. MAIL_CAPTURE keeps messages
    # in the database for the demo mailbox page instead of sending them; left unset, the
    # demo captures mail unless MAIL_SERVER is set (then it sends it there).
    MAIL_SERVER: str | None = None  # None: localhost
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "portal@localhost"
    MAIL_CAPTURE: bool | None = None

    # Outbox: delivery of customer writes to the supplier's back-end.
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_BACKOFF_BASE = dt.timedelta(seconds=30)
    OUTBOX_BACKOFF_CAP = dt.timedelta(hours=1)
    # How long a relay keeps the messages it claimed: longer than it takes to deliver a claim
    # (RELAY_CLAIM messages, each up to the back-end's timeout). After a worker is killed, its
    # claimed messages (and the later ones of their ordering keys) wait this long.
    OUTBOX_LEASE = dt.timedelta(minutes=2)
    # Jobs (Celery). No broker: tasks run eagerly in the calling process.
    CELERY_BROKER_URL: str | None = None
    CELERY_RESULT_BACKEND: str | None = None
    CELERY_QUEUE = "portal"
    RELAY_INTERVAL = dt.timedelta(minutes=1)
    RELAY_BATCH = 100  # messages per relay task; a full batch queues the next one at once
    RELAY_CLAIM = 10  # messages a relay leases at a time (parallel relays share a backlog)
    RELAY_PARALLEL = 4  # relays per tenant on each beat tick
    SYNC_INTERVAL = dt.timedelta(minutes=15)
    # Plugins' jobs on another schedule: job name (every tenant) or "tenant:job" ->
    # {"every": seconds} or {"at_hour": hour of the tenant's clock}.
    JOB_SCHEDULE: dict = {}
    # Where beat keeps when each job last ran; None: celerybeat-schedule in the instance folder.
    BEAT_SCHEDULE_FILE: str | None = None

    # Sync: pages warn that data may be out of date past this age, or when the last
    # sync could not reach the back-end.
    SYNC_STALE_AFTER = dt.timedelta(hours=12)
    SYNC_BATCH_SIZE = 100

    # Notifications: reading reminders go out from this day of each month (a tenant's
    # settings.reading_reminder_day or its plugin may say otherwise); planned maintenance
    # is announced on every page this many days before it starts.
    READING_REMINDER_DAY = 25
    MAINTENANCE_ANNOUNCE_DAYS = 3

    # Proxy hops in front of the app (ProxyFix); 0 when served directly.
    PROXY_FIX_HOPS = 0
