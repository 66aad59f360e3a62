"""Passwords, signed single-use links, server-side login sessions and HTTP headers."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any, TypedDict, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import parse_many
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from core.config import ConfigurationError
from core.framework.extensions import db, limiter, login_manager
from core.models import LoginSession, UsedToken, User, utcnow


class HashParameters(TypedDict, total=False):
    """What PASSWORD_HASH_PARAMETERS may set; the type stays argon2id."""

    time_cost: int
    memory_cost: int
    parallelism: int
    hash_len: int
    salt_len: int


HASH_PARAMETERS = tuple(HashParameters.__annotations__)


class PasswordHashing:
    """The app's argon2id hasher, made from ``PASSWORD_HASH_PARAMETERS`` (empty: argon2-cffi's
    defaults, RFC 9106's low-memory profile). Every argon2 hash verifies whatever its
    parameters; one made with others is rehashed at the next sign-in."""

    def __init__(self, parameters: dict[str, int]) -> None:
        unknown = set(parameters) - set(HASH_PARAMETERS)
        if unknown:
            raise ConfigurationError(
                f"PASSWORD_HASH_PARAMETERS: unknown {', '.join(sorted(unknown))} (known: {', '.join(HASH_PARAMETERS)})"
            )
        self.hasher = PasswordHasher(**cast(HashParameters, parameters))  # only its keys, checked above

    @functools.cached_property
    def dummy_hash(self) -> str:
        """A hash to verify against when the e-mail is unknown, so both cases take as long."""
        return self.hasher.hash(secrets.token_urlsafe(16))


def _hashing() -> PasswordHashing:
    return current_app.extensions["portal_password_hashing"]


def hash_password(password: str) -> str:
    return _hashing().hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Verify, spending the same effort whether or not the user exists; rehash if due."""
    hashing = _hashing()
    stored = user.password_hash if user is not None else hashing.dummy_hash
    try:
        hashing.hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hashing.hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    return True


# --- signed links ------------------------------------------------------------


class TokenInvalid(Exception):
    """The link is forged, expired, already used or meant for something else."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def make_token(purpose: str, **claims: Any) -> str:
    """A signed, URL-safe token carrying ``claims`` (JSON values) for one ``purpose``.

    It is signed with the portal's secret key and a salt of its own per purpose, and gets
    a unique ``jti`` so :func:`consume_token` can make it single-use.
    """
    return _serializer(purpose).dumps({**claims, "jti": secrets.token_hex(16)})


def read_token(purpose: str, token: str, max_age: dt.timedelta) -> dict[str, Any]:
    """The claims of a token made by :func:`make_token` for ``purpose`` at most ``max_age`` ago.

    Raises :class:`TokenInvalid` when it is expired, forged, made for another purpose or malformed.
    """
    try:
        claims = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise TokenInvalid("expired") from exc
    except BadSignature as exc:
        raise TokenInvalid("bad signature") from exc
    if not isinstance(claims, dict) or "jti" not in claims:
        raise TokenInvalid("malformed")
    return claims


def consume_token(purpose: str, claims: dict[str, Any]) -> None:
    """Mark a link as used; a second use raises :class:`TokenInvalid`."""
    db.session.add(UsedToken(jti=claims["jti"], purpose=purpose))
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise TokenInvalid("already used") from exc


# --- server-side login sessions -----------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> None:
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            user_agent=(request.user_agent.string or "")[:255],
        )
    )
    user.login_session_token = token
    user.last_login_at = utcnow()
    login_user(user)


def end_session(user: User) -> None:
    token = getattr(user, "login_session_token", None)
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    logout_user()


def end_other_sessions(user: User) -> None:
    """After a password change: every other browser of this user is signed out."""
    keep = _token_hash(user.login_session_token or "")
    db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.token_hash != keep)
    )


_SESSION_AND_LOGIN = (  # every signed-in request runs it: built once, one query
    select(LoginSession, User).join(User, User.id == LoginSession.user_id)
    .where(LoginSession.token_hash == bindparam("token_hash"))
)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    found = db.session.execute(_SESSION_AND_LOGIN, {"token_hash": _token_hash(token)}).one_or_none()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if now - row.last_seen_at > current_app.config["SESSION_IDLE_TIMEOUT"]:
        db.session.delete(row)
        db.session.commit()
        return None
    if now - row.last_seen_at > dt.timedelta(minutes=1):
        row.last_seen_at = now
        db.session.commit()
    user.login_session_token = token
    return user


# --- failed sign-ins per account ------------------------------------------------

DEVICE_COOKIE = "portal_device"


class SignInThrottle:
    """Failed sign-ins counted per account, in the rate limiter's storage (shared by every
    worker: Redis in production), so guesses spread over many addresses still add up.

    The account is the e-mail address within the tenant, known or not, so a paused address
    tells nothing about whether it has a login. A browser that has signed in to the login
    before (its device cookie) is counted on its own: someone guessing elsewhere cannot keep
    the owner out of their own browsers, and the owner opens the e-mailed unlock link to give
    a new browser such a cookie. ``RATELIMIT_LOGIN_ACCOUNT`` sets how many failures a window allows.
    """

    def __init__(self, email: str, user: User | None) -> None:
        from core.framework.tenancy import current_tenant_code

        # nothing is counted where rate limits are switched off (RATELIMIT_ENABLED)
        self.limits = parse_many(current_app.config["RATELIMIT_LOGIN_ACCOUNT"]) if limiter.enabled else []
        tenant = current_tenant_code(default="-")
        device = _device_of(user)
        if device is not None:
            self.identifiers = ("login-failures", tenant, "device", device)
        else:
            self.identifiers = ("login-failures", tenant, "account", hashlib.sha256(email.lower().encode()).hexdigest())

    @property
    def paused(self) -> bool:
        return not all(limiter.limiter.test(item, *self.identifiers) for item in self.limits)

    def failed(self) -> None:
        for item in self.limits:
            limiter.limiter.hit(item, *self.identifiers)

    def succeeded(self) -> None:
        for item in self.limits:
            limiter.limiter.clear(item, *self.identifiers)


def _device_of(user: User | None) -> str | None:
    """This browser's device id, if its cookie proves an earlier sign-in to ``user``."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if user is None or not raw:
        return None
    try:
        claims = _serializer("device").loads(raw, max_age=int(current_app.config["LOGIN_DEVICE_MAX_AGE"].total_seconds()))
    except BadSignature:
        return None
    return claims.get("device") if isinstance(claims, dict) and claims.get("uid") == user.id else None


def remember_device(response, user: User):
    """Mark this browser as one ``user`` has proven to own (a sign-in, an unlock link)."""
    value = _serializer("device").dumps({"uid": user.id, "device": secrets.token_urlsafe(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=current_app.config["LOGIN_DEVICE_MAX_AGE"],
                        secure=cookie_secure(), httponly=True, samesite="Lax")
    return response


# --- headers -------------------------------------------------------------------

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def cookie_secure() -> bool:
    """Cookies are ``Secure`` when configured so, and always on an HTTPS request: the demo
    (plain HTTP on a laptop) behind a TLS proxy is no exception."""
    return bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure()


def retry_after_only_when_refused(response):
    """Flask-Limiter sets ``Retry-After`` on every answer of a limited endpoint; it means "wait
    before trying again", so only a refusal (429, or 503 while the service is away) keeps it."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask) -> None:
    app.extensions["portal_password_hashing"] = PasswordHashing(dict(app.config["PASSWORD_HASH_PARAMETERS"]))
    app.session_interface = SessionInterface()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and not (request.endpoint or "").startswith("theme"):
            # Personal pages must not be kept by browsers or shared caches.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        response.vary.add("Cookie")
        return response
