"""Text messages (SMS) to customers, for planned power outages (plánované bezproudí).

Every message goes through an :class:`SmsGateway`. :class:`HttpSmsGateway` posts it as
JSON to the SMS provider's HTTP API, with a timeout, so a slow provider never holds a
worker; the URL and timeout come from the tenant's settings (``sms_gateway_url``,
``sms_gateway_timeout``, ``sms_sender``, ``sms_gateway_token``).
Without a URL the tenant gets :class:`DemoSmsGateway`, which keeps the messages in memory
for the demo and the tests. Messages are written without Czech diacritics, as Czech
operators' SMS usually are, so a notice fits 160-character segments; Cyrillic and other
scripts are kept as they are.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import re
import threading
import unicodedata
import urllib.error
import urllib.request
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.plugin_api import NotificationChannel
from plugins.cez_cz.i18n import _

DEFAULT_TIMEOUT = 5.0
MAX_SEGMENTS = 3
_PHONE_NOISE = re.compile(r"[\s\-().]+")
_CZECH = re.compile(r"^(?:\+420|00420)?([2-9]\d{8})$")
_INTERNATIONAL = re.compile(r"^(?:\+|00)([1-9]\d{7,14})$")
# The GSM 03.38 basic character set: such text goes 160 characters to a segment.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


class SmsError(Exception):
    """The message could not be handed to the provider; the sender may retry later."""


class InvalidPhoneNumber(ValueError):
    """Not a number a text message can be sent to."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    sent_at: dt.datetime
    reference: str | None = None


def normalize_phone(number: str) -> str:
    """A Czech number (nine digits, with or without +420) or any international one, as E.164."""
    text = _PHONE_NOISE.sub("", number)
    czech = _CZECH.match(text)
    if czech:
        return f"+420{czech.group(1)}"
    international = _INTERNATIONAL.match(text)
    if international:
        return f"+{international.group(1)}"
    raise InvalidPhoneNumber(number)


def plain_latin(text: str) -> str:
    """``text`` with diacritics dropped from Latin letters only (``Plánované`` -> ``Planovane``)."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFKD", char)[0]
        out.append(base if base.isascii() and not char.isascii() else char)
    return "".join(out)


def segment_size(text: str) -> int:
    """Characters per segment of a multi-part message: GSM-7 text or UCS-2."""
    return 153 if set(text) <= _GSM_BASIC else 67


def compose(subject: str, body: str, max_segments: int = MAX_SEGMENTS) -> str:
    """One SMS text from a notification's subject and body, cut to ``max_segments``."""
    text = " ".join(f"{subject}: {body}".split()) if subject else " ".join(body.split())
    text = plain_latin(text)
    single = 160 if set(text) <= _GSM_BASIC else 70
    if len(text) <= single:
        return text
    limit = segment_size(text) * max_segments
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


class SmsGateway(abc.ABC):
    """Where text messages go: checks the number, then :meth:`deliver` hands it over."""

    def send(self, to: str, text: str) -> SmsMessage:
        """Send one message; raise :class:`SmsError` if it cannot be handed over."""
        return self.deliver(SmsMessage(normalize_phone(to), text, dt.datetime.now(dt.UTC)))

    def notify(self, recipient: str, subject: str, body: str) -> None:
        """The notification channel's ``send(recipient, subject, body)``."""
        self.send(recipient, compose(subject, body))

    @abc.abstractmethod
    def deliver(self, message: SmsMessage) -> SmsMessage:
        """Hand the message over; return it with the provider's reference."""


class HttpSmsGateway(SmsGateway):
    """The SMS provider's HTTP API: one JSON POST per message, answered with an ``id``."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, sender: str | None = None, token: str | None = None
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"the SMS gateway URL must be http(s): {url!r}")
        if timeout <= 0:
            raise ValueError("the SMS gateway timeout must be positive")
        self.url = url
        self.timeout = float(timeout)
        self.sender = sender
        self.token = token

    def deliver(self, message: SmsMessage) -> SmsMessage:
        payload = {"to": message.to, "text": message.text}
        if self.sender:
            payload["from"] = self.sender
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"SMS gateway {self.url} did not take the message: {exc}") from exc
        try:
            reference = json.loads(answer or b"{}").get("id")
        except (ValueError, AttributeError):
            reference = None
        return SmsMessage(message.to, message.text, message.sent_at, str(reference) if reference else None)


class DemoSmsGateway(SmsGateway):
    """Keeps messages in memory instead of sending them (demo, tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[SmsMessage] = []

    def deliver(self, message: SmsMessage) -> SmsMessage:
        with self._lock:
            stored = SmsMessage(message.to, message.text, message.sent_at, f"DEMO-{len(self._sent) + 1:06d}")
            self._sent.append(stored)
        return stored

    @property
    def messages(self) -> list[SmsMessage]:
        """Messages "sent" so far, oldest first."""
        with self._lock:
            return list(self._sent)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()


def make_gateway(settings: Mapping[str, Any]) -> SmsGateway:
    """The gateway a tenant's settings ask for: HTTP when ``sms_gateway_url`` is set."""
    url = settings.get("sms_gateway_url")
    if not url:
        return DemoSmsGateway()
    return HttpSmsGateway(
        str(url),
        timeout=float(settings.get("sms_gateway_timeout", DEFAULT_TIMEOUT)),
        sender=settings.get("sms_sender"),
        token=settings.get("sms_gateway_token"),
    )


_gateways: dict[int, SmsGateway] = {}
_gateways_lock = threading.Lock()


def gateway_for(tenant: Any) -> SmsGateway:
    """One gateway per tenant object, so the demo outbox lives as long as the tenant."""
    key = id(tenant)
    with _gateways_lock:
        gateway = _gateways.get(key)
        if gateway is None:
            gateway = _gateways[key] = make_gateway(getattr(tenant, "settings", None) or {})
            weakref.finalize(tenant, _gateways.pop, key, None)
    return gateway


def sms_channel(tenant: Any) -> NotificationChannel:
    """The "sms" notification channel of a tenant, sending through its gateway."""
    return NotificationChannel("sms", _("Text message (SMS)"), "phone", gateway_for(tenant).notify)
