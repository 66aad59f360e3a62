"""What a supplier plugin describes: itself, its identity methods, request types, rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import marshmallow

from core.framework.fields import supply_point_fields

if TYPE_CHECKING:
    from core.billing.contract import BillingAdapter


@dataclass(frozen=True)
class SupplierInfo:
    """A supplier served by a plugin: what ``portal_supplier()`` returns.

    Raises ``ValueError`` when ``default_locale`` is not among ``supported_locales``.
    """

    code: str
    """Short and stable (``"innogy_pl"``): a tenant names its supplier plugin by it
    (``PORTAL_TENANTS``), and it is the folder of the plugin's own templates."""
    name: str
    """The supplier's name as customers know it, shown on pages and in mails."""
    country: str
    """ISO 3166-1 alpha-2 code of the supplier's market (``"PL"``): phone numbers typed
    without a prefix get its calling code."""
    currency: str
    """ISO 4217 code of every amount of the supplier (``"PLN"``); the adapter's
    :class:`~core.billing.contract.Money` must be in it."""
    timezone: str
    """IANA time zone of the supplier (``"Europe/Warsaw"``): "today", daily jobs and the
    dates customers read are in it."""
    default_locale: str
    """The language of a visitor whose browser asks for none the tenant offers, unless the
    tenant names its own ``"default_locale"``."""
    supported_locales: tuple[str, ...]
    """The languages the plugin's catalogs cover; a tenant offers those of them that are in
    ``LANGUAGES`` unless it names its own ``"locales"``."""
    theme: str
    """Name of the theme (a folder with ``theme.json``) the supplier's tenants wear unless
    a tenant names another (``"theme"`` in ``PORTAL_TENANTS``)."""
    capabilities: frozenset[str] = frozenset()
    """Feature switches of the whole supplier: the core knows ``"e_invoice"``,
    ``"meter_readings"``, ``"planned_outages"`` and ``"maintenance_banner"``; a plugin may
    add its own. What varies per supply point lives on the supply point."""
    package: str | None = None
    """The plugin's package (``__package__``), when it is laid out as ``portal new-plugin``
    writes it: ``gettext_domain``, ``translations_dir`` and ``templates_dir`` left out are
    then its own, a domain named after the package (``"innogy_pl"`` for ``plugins.innogy_pl``)
    and its ``translations/`` and ``templates/`` folders, where it has them (see
    :func:`plugin_domain`)."""
    gettext_domain: str | None = None
    """The plugin's own gettext domain (usually its ``code``), so its strings never shadow
    the core's."""
    translations_dir: str | None = None
    """Folder holding the plugin's catalogs (``<locale>/LC_MESSAGES/<domain>.po``)."""
    templates_dir: str | None = None
    """Folder of the plugin's templates: overrides of core templates (reached after the
    theme's) and its own pages under ``<code>/``."""
    support_phone: str | None = None
    """Customer service phone number, shown in the footer, on the contact and
    accessibility pages."""
    support_email: str | None = None
    """Customer service e-mail address, shown beside ``support_phone``."""
    payment_note: Any = None
    """The supplier's word on the payments page (for example that payments show after a
    few days), translated by the plugin (a lazy string); ``None`` shows nothing."""
    invoice_kinds: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """What customers call each of the plugin's own kinds of invoice (``InvoiceRecord.kind``),
    translated by the plugin (lazy strings): ``{"advance": _("Advance payment schedule")}``
    makes a ČEZ advance read "Předpis zálohy 3261100850", not "Faktura"; the core names
    ``"regular"`` and ``"forecast"``."""

    def __post_init__(self) -> None:
        if self.default_locale not in self.supported_locales:
            raise ValueError(
                f"supplier {self.code!r}: default locale {self.default_locale!r} "
                "is not among its supported locales"
            )
        if self.package is not None:
            own = {
                "translations_dir": plugin_folder(self.package, "translations"),
                "gettext_domain": plugin_gettext_domain(self.package),
                "templates_dir": plugin_folder(self.package, "templates"),
            }
            for name, value in own.items():
                if getattr(self, name) is None:
                    object.__setattr__(self, name, value)


def plugin_folder(package: str, name: str) -> str | None:
    """The folder ``name`` (``"translations"``, ``"templates"``) inside the plugin package
    ``package``, or ``None`` where it has none."""
    folder = files(package) / name
    return str(folder) if folder.is_dir() else None


def plugin_gettext_domain(package: str) -> str:
    """The gettext domain of the plugin package ``package``: its own name
    (``"innogy_pl"`` for ``plugins.innogy_pl``), as ``portal new-plugin`` names it."""
    return package.rpartition(".")[2]


@dataclass(frozen=True)
class VerificationOutcome:
    """What an identity method found: the billing accounts it proves, or nothing.

    Most methods prove one account; an administrator's code may prove several (all the
    supplies of the condominiums one person administers). ``message`` replaces the core's
    generic "the data do not match" answer when the supplier's customers expect another
    wording (for example "subscriber not found"); it must not say which field was wrong.
    """

    account_numbers: tuple[str, ...] = ()
    """The billing accounts the data prove; empty when nothing matched."""
    message: Any = None
    """The supplier's own no-match wording (a lazy string), or ``None`` for the core's."""

    @classmethod
    def match(cls, *account_numbers: str) -> VerificationOutcome:
        """The data prove these accounts (at least one); raises ``ValueError`` for none."""
        if not account_numbers:
            raise ValueError("a match names at least one account")
        return cls(tuple(account_numbers))

    @classmethod
    def no_match(cls, message: Any = None) -> VerificationOutcome:
        """The data prove nothing; ``message`` optionally replaces the core's answer."""
        return cls((), message)

    @property
    def matched(self) -> bool:
        """Whether the data prove at least one account."""
        return bool(self.account_numbers)

    @property
    def account_number(self) -> str | None:
        """The first account proven, or ``None``."""
        return self.account_numbers[0] if self.account_numbers else None


@dataclass(frozen=True)
class IdentityMethod:
    """A way to prove that a billing account belongs to the person linking it.

    What ``portal_identity_methods(tenant)`` returns; the first is offered first. Failed
    attempts are counted per user and per billing account (``attempt_key``), so a lockout
    protects the account even when the attacker uses several logins; the answer never
    says which field was wrong.
    """

    code: str
    """Short and stable (``"invoice"``): it names the method in the link form's address
    (``?method=``) and in the attempts counted."""
    label: Any
    """The method's name on the link page (a lazy string)."""
    schema: type[marshmallow.Schema]
    """The marshmallow schema of what the customer types: it renders the form (each
    field's ``metadata``: ``label``, ``help``, ``widget``, ...) and validates the input."""
    verify: Callable[[BillingAdapter, Mapping[str, Any]], VerificationOutcome]
    """``verify(adapter, data)``: given the tenant's billing adapter and the data the
    schema loaded, the :class:`VerificationOutcome` (``match(account_number, ...)`` or
    ``no_match()``); it may raise
    :class:`~core.billing.contract.BackendUnavailable` (the customer is asked to try
    later, no attempt is counted)."""
    attempt_key: Callable[[Mapping[str, Any]], str]
    """``attempt_key(data)``: the billing account an attempt targets (its number as typed,
    normalised; at most 64 characters are kept), for counting failures per account."""
    help_text: Any = None
    """A sentence under the form (where to find the data on an invoice), or ``None``."""


@dataclass(frozen=True)
class RequestStep:
    """One page of a request filed in steps: its heading and the schema fields it asks for."""

    label: Any
    """The page's heading (a lazy string)."""
    fields: tuple[str, ...]
    """Names of the schema fields the page asks for, in order."""


@dataclass(frozen=True)
class RequestType:
    """A kind of service request a customer can file with the supplier.

    What ``portal_request_types(tenant)`` returns. A request is filed in this order: the
    customer picks one of their accounts that ``eligible`` accepts; ``schema`` validates
    what they typed (page by page with ``steps``, then whole); ``check`` applies the rules
    that depend on the chosen account; the request is stored and reaches the back-end
    through the outbox as a :class:`~core.billing.contract.RequestSubmission` with
    ``request_type=code`` and the loaded data (dates and decimals as strings).
    """

    code: str
    """Short and stable (``"advance_payment"``): it names the request type in URLs, the API
    and the submission to the back-end."""
    label: Any
    """The request type's name in the list of requests and on its form (a lazy string)."""
    schema: type[marshmallow.Schema]
    """The marshmallow schema of the request's data: it renders the form (each field's
    ``metadata``: ``label``, ``help``, ``choices``, ``widget``) and validates the web form
    and the API's ``data`` alike."""
    eligible: Callable[[Any], bool] = lambda account: True
    """``eligible(account)``: whether the request can be filed for this
    :class:`~core.models.BillingAccount` of the customer. The form offers only the
    accounts it accepts (none: the form is not found) and the API refuses the others.
    An account without a supply point for a required ``SupplyPointOfAccount`` field is
    left out by the core anyway (:meth:`offered_to`)."""
    description: Any = None
    """A sentence under the label in the list and on the form, or ``None``."""
    check: Callable[[Any, Any, Mapping[str, Any]], Mapping[str, list[Any]] | None] | None = None
    """``check(adapter, account, data)``: the rules that depend on the account, or ``None``.

    Called once per submission of a complete request, after ``schema`` has validated all
    of it without an error and before anything is stored: on the web form's last page,
    and for ``POST /api/v1/requests`` (not for a replay of a known ``Idempotency-Key``).
    ``adapter`` is the tenant's :class:`~core.billing.contract.BillingAdapter`;
    ``account`` is the :class:`~core.models.BillingAccount` row the customer chose (one of
    their own that ``eligible`` accepts: ``number``, ``supply_points``, ``balance``, ...);
    ``data`` is the ``dict`` the whole schema loaded (typed values: ``Decimal``,
    ``datetime.date``, ...; the account is not in it). It returns the errors by schema
    field name, each a list of messages (lazy strings are fine), shown beside the field
    on the form and as ``data.<field>`` in the API's 422 answer; ``None`` or ``{}`` lets
    the request be filed. When the back-end cannot be asked it raises
    :class:`~core.billing.contract.BackendUnavailable`: the request is then taken and the
    back-end judges it on delivery. Any other exception is a fault (the customer gets a
    server error)."""
    steps: tuple[RequestStep, ...] = ()
    """Pages of the web form (each a :class:`RequestStep`, together all the schema's
    fields); empty for one page. A step is validated before the next is shown, no step
    can be skipped (the progress travels in a signed token), and the whole schema
    validates the request at the end. The JSON API takes all fields at once."""
    examples: Sequence[Mapping[str, Any]] | Callable[[Any, Any], Sequence[Mapping[str, Any]]] = ()
    """Valid requests of the type, each a ``dict`` of field name to value as an API client
    sends it in ``data`` (JSON: strings, numbers, ``true``/``false``; the web form gets the
    same values typed as text, a box ticked for ``true``). When what is valid depends on the
    customer's account (its supply points and invoices, the advance its consumption allows)
    or on today's date, a function ``examples(adapter, account)`` instead, with the same
    ``adapter`` and ``account`` as ``check``, returning them for that account. Every type
    needs one: the conformance suite files each example through the form and the API and
    calls ``check`` with it; the OpenAPI document shows the first of a list as the type's
    ``example`` (a function's cannot be shown there)."""
    facts: Callable[[Any, Any], Sequence[Any]] | None = None
    """``facts(adapter, account)``: what the form shows about the chosen account before the
    customer fills it in, as :class:`SupplyPointFact` lines (the advance now prescribed on
    an advance change), so nobody has to look it up on an old invoice; ``None`` for none.
    It may raise ``BackendUnavailable``: the form is then shown without them."""

    def offered_to(self, account: Any) -> bool:
        """Whether the request can be filed for ``account``: ``eligible`` accepts it, and it
        has a supply point to choose for each required
        :class:`~core.framework.fields.SupplyPointOfAccount` field (of its commodity)."""
        if not self.eligible(account):
            return False
        points = list(getattr(account, "supply_points", None) or ())
        return all(any(field.offers(point) for point in points)
                   for field in supply_point_fields(self.schema()).values() if field.required)

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
    """Plausibility rules for meter readings of one supply point (``portal_reading_rules``)."""

    accepts_readings: bool = True
    """Whether customers may submit readings for the supply point at all."""
    decimals: int = 0
    """Decimal places a reading may have (0: whole units)."""
    max_daily_consumption: Decimal | None = None
    """The highest plausible consumption per day since the previous reading, in the
    meter's unit; more asks the customer to confirm and give a reason (the reading is
    then reviewed). ``None``: no limit."""
    registers: tuple[str, ...] = ("1.8.0",)
    """OBIS codes of the registers read, when the installed meter does not list its own."""


@dataclass(frozen=True)
class NotificationChannel:
    """A way to reach a customer (e-mail, SMS, ...), from ``portal_notification_channels``."""

    code: str
    """Short and stable (``"sms"``): stored with each customer's choice of channels."""
    label: Any
    """The channel's name on the notification settings page (a lazy string)."""
    address_kind: str
    """What a recipient is for this channel: ``"email"`` (the login's address) or
    ``"phone"`` (the number the customer gives, in international form)."""
    send: Callable[[str, str, str], object]
    """``send(recipient, subject, body)``: deliver one notification (the text of the mail
    template ``<name>.<code>.txt`` if there is one, else ``<name>.txt``); called by the
    alert jobs, and an exception leaves it to be tried again by the next run. What it
    returns is not used."""


@dataclass(frozen=True)
class ScheduledJob:
    """Work a plugin needs done on a schedule for a tenant (e.g. overnight bills).

    A deployment may move a job with the ``JOB_SCHEDULE`` setting.
    """

    name: str
    """Unique among the tenant's jobs: ``portal jobs run NAME --tenant CODE`` runs it by hand."""
    run: Callable[[Any], object]
    """``run(tenant)``: the work, called by a Celery worker (or ``portal jobs run``) inside
    the tenant's context. What it returns is not used."""
    every: Any = None
    """The interval (a ``datetime.timedelta``) between runs."""
    at_hour: int | None = None
    """Makes it a daily job instead, at this hour (0-23) of the tenant's clock."""


@dataclass(frozen=True)
class NavigationItem:
    """An entry in the main navigation for a signed-in customer (``portal_navigation``)."""

    endpoint: str
    """The Flask endpoint the entry links to (``"my_supplier.outages"``)."""
    label: Any
    """The entry's text (a lazy string)."""
    order: int = 100
    """Entries are sorted by it, then by label."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Arguments of the endpoint's URL (``url_for(endpoint, **values)``)."""
    group: str = "main"
    """``"main"``: the row of the supplier's services (invoices, readings, ...);
    ``"account"``: the menu of the customer's own settings under their e-mail address
    (profile, consents, notifications, API access), so the row fits one line."""


@dataclass(frozen=True)
class OutboxHandler:
    """How the outbox delivers one kind of message to the back-end, and records the answer
    (``portal_outbox_handlers``)."""

    kind: str
    """The message kind, as given to ``outbox.enqueue(kind, object_id)``; one handler per kind."""
    deliver: Callable[[Any, Any], Any]
    """``deliver(tenant, message) -> SubmissionResult``: sends the message's row (found by
    ``message.object_id``) with ``message.idempotency_key``; raises ``BackendUnavailable``
    to be retried later, ``SubmissionRefused`` when the back-end turns it down."""
    apply: Callable[[Any, Any], None]
    """``apply(message, result)``: records the answer, accepted or rejected (a refusal
    arrives as a rejected ``SubmissionResult`` with its ``reason_code``), in the relay's
    transaction."""


@dataclass(frozen=True)
class SupplyPointFact:
    """A line the supplier adds to a supply point's details (a Czech main circuit breaker, ...)."""

    label: Any
    """What the line is (a lazy string)."""
    value: str
    """Its value as shown, already formatted."""
