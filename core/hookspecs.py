"""Hook specifications of the portal.

Every supplier is a plugin implementing some of these hooks; the core registers its own
defaults through the same hooks. Plugins are found through the ``utility_portal``
entry-point group. A hook called "for a tenant" only reaches the core and the plugin that
serves that tenant, so a supplier plugin never sees another supplier's calls.

pluggy rules worth knowing: the last registered implementation runs first, and an
implementation parameter with a default value is never passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from datetime import date

    from flask import Blueprint, Flask

    from core.plugin_api import (
        ApiEndpoints,
        IdentityMethod,
        NavigationItem,
        NotificationChannel,
        OutboxHandler,
        PaymentProvider,
        PlannedOutage,
        ReadingPeriod,
        ReadingRules,
        RequestType,
        ScheduledJob,
        SupplierInfo,
        SupplyPointFact,
        Tenant,
    )
    from core.plugin_api.billing import BillingAdapter

hookspec = pluggy.HookspecMarker("portal")
hookimpl = pluggy.HookimplMarker("portal")
"""Marks a plugin's hook implementations: ``@hookimpl`` above ``def portal_supplier(): ...``."""


# -------------------------------------------------------------------------
# Supplier description
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def portal_supplier() -> SupplierInfo | None:
    """Describe the supplier this plugin serves.

    Called once per plugin at start-up. A plugin that returns a description is a
    supplier plugin and can be chosen by a tenant.

    :return: the supplier's code, name, country, currency, timezone, default and
        supported locales, theme and capabilities, or ``None`` for a plugin that only
        adds features (blueprints, navigation) and serves no supplier.

    Stops at first non-None result.
    """


@hookspec
def portal_themes() -> list[str]:
    """Directories that hold themes (one sub-directory per theme, with ``theme.json``).

    :return: a list of filesystem paths. The core contributes the bundled ``themes/``
        folder; a plugin adds its own when it ships a theme.
    """


# -------------------------------------------------------------------------
# Identity verification and billing (called for a tenant)
# -------------------------------------------------------------------------


@hookspec
def portal_identity_methods(tenant: Tenant) -> list[IdentityMethod]:
    """The ways a customer of ``tenant`` proves that a billing account is theirs.

    :param tenant: the tenant being served.
    :return: a list of :class:`core.plugin_api.IdentityMethod`; the first one is offered
        first. Each carries a marshmallow schema (the form and API input) and a
        ``verify`` function that asks the billing adapter.
    """


@hookspec(firstresult=True)
def portal_billing_adapter(tenant: Tenant) -> BillingAdapter | None:
    """Create the object that talks to the supplier's production billing back-end.

    Not called when the tenant's settings name a ``backend_url`` (the portal then speaks
    its reference billing API over HTTP).

    :param tenant: the tenant being served; ``tenant.settings`` carries its
        configuration (credentials, endpoints, timeouts).
    :return: an object implementing :class:`core.plugin_api.billing.BillingAdapter`, or
        ``None`` to fall back to the demo back-end.

    Stops at first non-None result.
    """


@hookspec(firstresult=True)
def portal_demo_backend() -> BillingAdapter | None:
    """The supplier's deterministic demo back-end.

    Used in process by a tenant with no production adapter and no ``backend_url``, and
    served over HTTP by ``portal demo-backend``.

    :return: an object implementing :class:`core.plugin_api.billing.BillingAdapter` whose
        ``demo_identities()`` lists what demo customers type to verify.

    Stops at first non-None result.
    """


@hookspec
def portal_request_types(tenant: Tenant) -> list[RequestType]:
    """Service request types the supplier accepts (change of advance payment, ...).

    :param tenant: the tenant being served.
    :return: a list of :class:`core.plugin_api.RequestType`, each with a code, a label,
        a marshmallow schema, an eligibility rule and optionally a ``check(adapter,
        account, data)`` of the rules that depend on the chosen account (see
        docs/plugin-api.md for what it receives and returns).
    """


@hookspec(firstresult=True)
def portal_reading_rules(tenant: Tenant, supply_point: Any) -> ReadingRules | None:
    """Plausibility rules for meter readings of one supply point.

    :param tenant: the tenant being served.
    :param supply_point: the :class:`core.plugin_api.SupplyPoint` the reading is for.
    :return: :class:`core.plugin_api.ReadingRules`, or ``None`` to use the core's
        defaults.

    Stops at first non-None result.
    """


@hookspec
def portal_supply_point_facts(tenant: Tenant, supply_point: Any) -> list[SupplyPointFact]:
    """Facts of one supply point the core does not model, shown on its details page.

    :param tenant: the tenant being served.
    :param supply_point: the customer's :class:`core.plugin_api.SupplyPoint`.
    :return: a list of :class:`core.plugin_api.SupplyPointFact` (a label and a value), for
        example the main circuit breaker a Czech contracted power stands for.
    """


@hookspec(firstresult=True)
def portal_payment_provider(tenant: Tenant) -> PaymentProvider | None:
    """The payment provider behind the "pay now" button (a bank, a card gateway).

    :param tenant: the tenant being served; ``tenant.settings`` carries the provider's
        credentials.
    :return: a :class:`core.plugin_api.PaymentProvider` that starts a payment (the URL to
        send the customer to) and verifies the provider's signed callback, or ``None``
        when the supplier takes no online payments (the button is not shown). The core
        answers with its demo provider for tenants on a demo back-end.

    Stops at first non-None result.
    """


@hookspec
def portal_notification_channels(tenant: Tenant) -> list[NotificationChannel]:
    """Channels that can carry notifications (planned outages, reminders) to customers.

    The core contributes e-mail; a plugin adds SMS or others through its provider.

    :param tenant: the tenant being served.
    :return: a list of :class:`core.plugin_api.NotificationChannel`.
    """


@hookspec
def portal_planned_outages(tenant: Tenant, supply_points: list[Any]) -> list[PlannedOutage]:
    """Planned supply interruptions announced for some of ``tenant``'s supply points.

    Called by the planned-outage alerts job with every supply point a customer wants
    alerts for; each outage found is sent once per supply point, customer and channel.

    :param tenant: the tenant being served.
    :param supply_points: the :class:`core.plugin_api.SupplyPoint` rows to look up.
    :return: a list of :class:`core.plugin_api.PlannedOutage`, each naming the
        supply point's identifier, the window (aware datetimes) and the supplier's
        details (streets, reason).
    """


@hookspec(firstresult=True)
def portal_reading_period(tenant: Tenant, supply_point: Any, today: date) -> ReadingPeriod | None:
    """The reading period of a supply point that contains ``today`` or comes next.

    Customers who asked for reading reminders get one when a period opens (once per
    period), for supply points whose reading rules accept readings.

    :param tenant: the tenant being served.
    :param supply_point: the :class:`core.plugin_api.SupplyPoint` to remind about.
    :param today: the date in the tenant's time zone.
    :return: a :class:`core.plugin_api.ReadingPeriod` (key, first and last day), or
        ``None`` to use the core's rule: monthly, from the configured day
        (``READING_REMINDER_DAY``, or the tenant setting ``reading_reminder_day``) to the
        end of the month.

    Stops at first non-None result.
    """


@hookspec
def portal_rejection_reasons(tenant: Tenant) -> dict[str, Any]:
    """What the customer reads when the supplier's back-end turns a write down, by reason code.

    The back-end refuses with a stable code (``SubmissionRefused(code, detail)`` or
    ``SubmissionResult.rejected(code, detail)``); the portal shows the sentence for that code
    in the customer's language. The core knows the common codes (the codes listed in docs/plugins.md);
    a plugin adds its back-end's own, or rewords the core's.

    :param tenant: the tenant being served.
    :return: a dict of reason code to a translated (lazy) string.
    """


@hookspec
def portal_scheduled_jobs(tenant: Tenant) -> list[ScheduledJob]:
    """Jobs the plugin needs run on a schedule for ``tenant`` (overnight bills, ...).

    :param tenant: the tenant being served.
    :return: a list of :class:`core.plugin_api.ScheduledJob`; Celery beat runs each one,
        and ``portal jobs run NAME --tenant CODE`` runs one by hand.
    """


# -------------------------------------------------------------------------
# Web application
# -------------------------------------------------------------------------


@hookspec
def portal_blueprints(app: Flask) -> list[Blueprint]:
    """Flask blueprints of a plugin (and of each core feature), registered once at start-up.

    A supplier plugin's blueprints answer only on the hosts of tenants it serves; on
    other hosts they return 404.

    :param app: the application being created (read ``app.config`` to leave a page out);
        an implementation may leave this parameter out.
    :return: a list of :class:`flask.Blueprint`.
    """


@hookspec
def portal_api_endpoints() -> list[ApiEndpoints]:
    """Endpoints of the JSON API (``/api/v1``) of a plugin (and of each core feature).

    Called once per application at start-up. Each :class:`core.plugin_api.ApiEndpoints`
    is routed behind token authentication, the API's rate limit and JSON errors, and
    described in the OpenAPI document. A supplier plugin's endpoints answer only on the
    hosts of tenants it serves; on other hosts they return 404.

    :return: a list of :class:`core.plugin_api.ApiEndpoints`.
    """


@hookspec
def portal_outbox_handlers() -> list[OutboxHandler]:
    """How each kind of outbox message a plugin (or core feature) writes is delivered.

    Called once at start-up. A kind has exactly one handler; the relay looks it up for
    every message it delivers.

    :return: a list of :class:`core.plugin_api.OutboxHandler`.
    """


@hookspec
def portal_navigation(tenant: Tenant, user: Any) -> list[NavigationItem]:
    """Entries of the main navigation for a signed-in customer.

    :param tenant: the tenant being served.
    :param user: the signed-in :class:`core.plugin_api.User`.
    :return: a list of :class:`core.plugin_api.NavigationItem`, sorted by their
        ``order`` by the core.
    """
