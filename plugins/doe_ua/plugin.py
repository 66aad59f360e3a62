"""Hook implementations of the Дніпрообленерго supplier plugin ("Особистий кабінет")."""

from __future__ import annotations

from typing import Any

from core.plugin_api import ReadingRules, ScheduledJob, SupplierHooks, hookimpl
from core.plugin_api.demo import reading_rules_for
from plugins.doe_ua.adapter import (
    ALREADY_BILLED,
    ALREADY_ORDERED,
    DATE_IN_FUTURE,
    IMPLAUSIBLE,
    NOT_WHOLE_KWH,
    TARIFFS,
    DoeDemoBackend,
)
from plugins.doe_ua.i18n import _
from plugins.doe_ua.identity import ACCOUNT_METER_METHOD
from plugins.doe_ua.request_types import REQUEST_TYPES
from plugins.doe_ua.supplier import SUPPLIER

REJECTION_REASONS = {
    ALREADY_ORDERED: _("A bill on actual readings is already ordered for this supply point. It is made overnight."),
    ALREADY_BILLED: _("The consumption up to the date of these readings is already billed on actual readings."),
    NOT_WHOLE_KWH: _("Meter readings are whole kilowatt-hours, without decimals."),
    DATE_IN_FUTURE: _("The date of the readings is in the future."),
    IMPLAUSIBLE: _("The consumption is implausibly high for the period. Please check the readings."),
}
"""What the customer reads when the back-end refuses an order for one of its own reasons."""


HOOKS = SupplierHooks(SUPPLIER, DoeDemoBackend, identity_methods=[ACCOUNT_METER_METHOD], request_types=REQUEST_TYPES)
portal_supplier = HOOKS.portal_supplier
portal_demo_backend = HOOKS.portal_demo_backend
portal_identity_methods = HOOKS.portal_identity_methods
portal_request_types = HOOKS.portal_request_types


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    """Whole kWh, one register per tariff zone of the installed meter."""
    return reading_rules_for(supply_point, TARIFFS)


@hookimpl
def portal_rejection_reasons(tenant: Any) -> dict[str, Any]:
    return dict(REJECTION_REASONS)


def send_ordered_bills(tenant: Any) -> None:
    """Overnight: bills ordered on actual readings are made, copied to the portal and
    announced by e-mail to the customers who ordered them."""
    import datetime as dt

    from sqlalchemy import select

    from core.plugin_api import AccountLink, Invoice, User, db, send_mail, sync_tenant, tenant_url

    generate = getattr(tenant.adapter, "generate_ordered_bills", None)
    made = generate(dt.datetime.now(dt.UTC)) if generate else []
    sync_tenant(tenant)
    if not made:
        return
    rows = db.session.execute(
        select(Invoice, User)
        .join(AccountLink, AccountLink.account_id == Invoice.account_id)
        .join(User, User.id == AccountLink.user_id)
        .where(Invoice.number.in_([bill.number for bill in made]))
    ).all()
    for invoice, owner in rows:
        send_mail(owner.email, "doe_ua/mail/actual_bill_ready.txt", locale=owner.locale, invoice=invoice,
                  link=tenant_url(tenant, "invoices.detail", invoice_id=invoice.id))
    db.session.commit()


@hookimpl
def portal_scheduled_jobs(tenant: Any) -> list[ScheduledJob]:
    return [ScheduledJob("ordered_bills", send_ordered_bills, at_hour=2)]
