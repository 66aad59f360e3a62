"""The public plugin API: the only part of the core a supplier plugin imports.

Everything a plugin needs is here, under a stable name; the modules behind these names
are the core's own business and move as the core grows. An import-linter contract in
``setup.cfg`` keeps the bundled plugins to this package (``lint-imports`` runs in CI).

- :mod:`core.plugin_api` (this module): ``hookimpl``, the description classes a plugin
  returns from its hooks, form fields, identifier checks, the portal's data model and the
  services a plugin may call (link an account, file a request, register a login, send mail
  after commit, a tenant's absolute URL outside a request, a customer's own rows);
- :mod:`core.plugin_api.billing`: the billing back-end contract, its records and errors,
  and the invoice PDF's labels;
- :mod:`core.plugin_api.demo`: building blocks of a deterministic demo back-end;
- :mod:`core.plugin_api.web`: for a plugin's own pages (forms, rate limits, paging);
- :mod:`core.plugin_api.testing`: the conformance suite (``from core.plugin_api.testing import *``).

docs/plugins.md describes every class field by field.
"""

from __future__ import annotations

from core.consents import e_invoice_offered, e_invoice_states, set_e_invoice
from core.extensions import db
from core.fields import DigitString, LocalizedDecimal
from core.forms import load_form
from core.hookspecs import hookimpl
from core.identifiers import gs1_check_digit, is_valid_gsrn18, is_valid_ppe, make_ppe, normalize_digits
from core.linking import LinkOutcome, LinkResult, check_identity, link_account, link_proven
from core.mail import send_mail
from core.models import (
    AccountLink,
    BillingAccount,
    Invoice,
    MeterReading,
    Payment,
    ServiceRequest,
    SupplyPoint,
    User,
    utcnow,
)
from core.notifications import PlannedOutage, ReadingPeriod
from core.ownership import own_accounts, owned
from core.payments import CallbackOutcome, InvalidCallback, PaymentOrder, PaymentProvider
from core.schemas import RegistrationSchema
from core.security import TokenInvalid, check_password, consume_token, make_token, read_token
from core.service_requests import file_request, new_submission_key
from core.supplier import (
    IdentityMethod,
    NavigationItem,
    NotificationChannel,
    ReadingRules,
    RequestStep,
    RequestType,
    ScheduledJob,
    SupplierInfo,
    SupplyPointFact,
    VerificationOutcome,
)
from core.sync import sync_tenant
from core.tenancy import Tenant
from core.urls import tenant_url
from core.views.auth import register_login

__all__ = [
    # hooks and descriptions
    "hookimpl",
    "SupplierInfo",
    "IdentityMethod",
    "VerificationOutcome",
    "RequestType",
    "RequestStep",
    "ReadingRules",
    "NavigationItem",
    "NotificationChannel",
    "ScheduledJob",
    "SupplyPointFact",
    "PlannedOutage",
    "ReadingPeriod",
    "PaymentProvider",
    "PaymentOrder",
    "CallbackOutcome",
    "InvalidCallback",
    "Tenant",
    # fields and identifiers
    "DigitString",
    "LocalizedDecimal",
    "load_form",
    "normalize_digits",
    "gs1_check_digit",
    "is_valid_gsrn18",
    "is_valid_ppe",
    "make_ppe",
    # data
    "db",
    "User",
    "BillingAccount",
    "AccountLink",
    "SupplyPoint",
    "Invoice",
    "Payment",
    "MeterReading",
    "ServiceRequest",
    "utcnow",
    "owned",
    "own_accounts",
    # services
    "LinkOutcome",
    "LinkResult",
    "check_identity",
    "link_account",
    "link_proven",
    "file_request",
    "new_submission_key",
    "register_login",
    "RegistrationSchema",
    "send_mail",
    "tenant_url",
    "sync_tenant",
    "make_token",
    "read_token",
    "consume_token",
    "TokenInvalid",
    "check_password",
    "e_invoice_offered",
    "e_invoice_states",
    "set_e_invoice",
]
