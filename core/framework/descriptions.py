"""What a supplier plugin describes: itself, its identity methods, request types, rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import marshmallow

if TYPE_CHECKING:
    from core.billing.contract import BillingAdapter


@dataclass(frozen=True)
class SupplierInfo:
    """A supplier served by a plugin.

    ``capabilities`` are feature switches of the whole supplier (``"e_invoice"``,
    ``"meter_readings"``, ...); what varies per supply point lives on the supply point.
    ``payment_note`` is the supplier's word on the payments page (for example that
    payments show after a few days), translated by the plugin.
    """

    code: str
    name: str
    country: str
    currency: str
    timezone: str
    default_locale: str
    supported_locales: tuple[str, ...]
    theme: str
    capabilities: frozenset[str] = frozenset()
    gettext_domain: str | None = None
    translations_dir: str | None = None
    templates_dir: str | None = None
    support_phone: str | None = None
    support_email: str | None = None
    payment_note: Any = None

    def __post_init__(self) -> None:
        if self.default_locale not in self.supported_locales:
            raise ValueError(
                f"supplier {self.code!r}: default locale {self.default_locale!r} "
                "is not among its supported locales"
            )


@dataclass(frozen=True)
class VerificationOutcome:
    """What an identity method found: the billing accounts it proves, or nothing.

    Most methods prove one account; an administrator's code may prove several (all the
    supplies of the condominiums one person administers). ``message`` replaces the core's
    generic "the data do not match" answer when the supplier's customers expect another
    wording (for example "subscriber not found"); it must not say which field was wrong.
    """

    account_numbers: tuple[str, ...] = ()
    message: Any = None

    @classmethod
    def match(cls, *account_numbers: str) -> VerificationOutcome:
        if not account_numbers:
            raise ValueError("a match names at least one account")
        return cls(tuple(account_numbers))

    @classmethod
    def no_match(cls, message: Any = None) -> VerificationOutcome:
        return cls((), message)

    @property
    def matched(self) -> bool:
        return bool(self.account_numbers)

    @property
    def account_number(self) -> str | None:
        return self.account_numbers[0] if self.account_numbers else None


@dataclass(frozen=True)
class IdentityMethod:
    """A way to prove that a billing account belongs to the person linking it.

    ``schema`` validates the input (and renders the form); ``verify`` is given the
    adapter and the validated data and returns the account number on a match.
    ``attempt_key`` names the billing account an attempt targets, so failed attempts
    are counted per account as well as per user (a lockout protects the account even
    when the attacker uses several logins).
    """

    code: str
    label: Any
    schema: type[marshmallow.Schema]
    verify: Callable[[BillingAdapter, Mapping[str, Any]], VerificationOutcome]
    attempt_key: Callable[[Mapping[str, Any]], str]
    help_text: Any = None


@dataclass(frozen=True)
class RequestStep:
    """One page of a request filed in steps: its heading and the schema fields it asks for."""

    label: Any
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RequestType:
    """A kind of service request a customer can file with the supplier.

    ``schema`` validates what the customer typed; ``check(adapter, account, data)``, when
    given, applies the rules that depend on the chosen account (a new advance within the
    limits of its expected consumption, a supply point of that account) and returns error
    messages by field name, or nothing. When the back-end cannot be asked
    (:class:`~core.billing.contract.BackendUnavailable`) the request is taken and the
    back-end judges it on delivery.

    ``steps`` splits the web form into pages (each a :class:`RequestStep` naming its
    fields, together all of the schema's): a step is validated before the next is shown,
    no step can be skipped, and the whole schema validates the request at the end. The
    JSON API takes all fields at once.

    ``examples`` are valid requests of the type, each a dict of field name to value as an
    API client sends it in ``data`` (JSON: strings, numbers, ``true`` and ``false``; the
    web form gets the same values typed as text, a box ticked for ``true``). When what is
    valid depends on the customer's account (its supply points, its invoices, the advance
    its consumption allows) or on today's date, give instead a function
    ``examples(adapter, account)`` returning them for that account: it gets the same
    ``adapter`` and ``account`` as ``check``. The conformance suite files every example
    through the form and the API and calls ``check`` with it; the OpenAPI document shows
    a list of examples (a function's cannot be shown there). Every type needs one.
    """

    code: str
    label: Any
    schema: type[marshmallow.Schema]
    eligible: Callable[[Any], bool] = lambda account: True
    description: Any = None
    check: Callable[[Any, Any, Mapping[str, Any]], Mapping[str, list[Any]] | None] | None = None
    steps: tuple[RequestStep, ...] = ()
    examples: Sequence[Mapping[str, Any]] | Callable[[Any, Any], Sequence[Mapping[str, Any]]] = ()

    def examples_for(self, adapter: Any, account: Any) -> list[dict[str, Any]]:
        """The examples for ``account``: the list given, or what the function returns for it."""
        given = self.examples(adapter, account) if callable(self.examples) else self.examples
        return [dict(example) for example in given or ()]

    @property
    def fixed_examples(self) -> list[dict[str, Any]]:
        """The examples that hold for any account (none when they come from a function)."""
        return [] if callable(self.examples) else [dict(example) for example in self.examples]


@dataclass(frozen=True)
class ReadingRules:
    """Plausibility rules for meter readings of one supply point."""

    accepts_readings: bool = True
    decimals: int = 0
    max_daily_consumption: Decimal | None = None
    registers: tuple[str, ...] = ("1.8.0",)


@dataclass(frozen=True)
class NotificationChannel:
    """A way to reach a customer (e-mail, SMS, ...): ``send(recipient, subject, body)``.

    ``address_kind`` says what a recipient is for this channel (``"email"``, ``"phone"``).
    """

    code: str
    label: Any
    address_kind: str
    send: Callable[[str, str, str], None]


@dataclass(frozen=True)
class ScheduledJob:
    """Work a plugin needs done on a schedule for a tenant (e.g. overnight bills).

    ``run(tenant)`` is called by a Celery worker (or ``portal jobs run``) inside the
    tenant's context; ``every`` is the interval, ``at_hour`` (tenant's local time) makes
    it a daily job instead.
    """

    name: str
    run: Callable[[Any], None]
    every: Any = None  # datetime.timedelta
    at_hour: int | None = None


@dataclass(frozen=True)
class NavigationItem:
    """An entry in the main navigation."""

    endpoint: str
    label: Any
    order: int = 100
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxHandler:
    """How the outbox delivers one kind of message to the back-end, and records the answer.

    Attributes:
        kind: the message kind, as given to ``outbox.enqueue(kind, object_id)``; one handler per kind.
        deliver: ``deliver(tenant, message) -> SubmissionResult``: sends the message's row (found by
            ``message.object_id``) with ``message.idempotency_key``; raises ``BackendUnavailable`` to be
            retried later, ``SubmissionRefused`` when the back-end turns it down.
        apply: ``apply(message, result)``: records the answer, accepted or rejected (a refusal arrives
            as a rejected ``SubmissionResult`` with its ``reason_code``), in the relay's transaction.
    """

    kind: str
    deliver: Callable[[Any, Any], Any]
    apply: Callable[[Any, Any], None]


@dataclass(frozen=True)
class SupplyPointFact:
    """A line the supplier adds to a supply point's details (a Czech main circuit breaker, ...)."""

    label: Any
    value: str
