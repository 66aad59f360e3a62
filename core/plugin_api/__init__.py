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

docs/plugin-api.md describes every class field by field (``python docs/gen_plugin_api.py``
writes it from these docstrings).
"""

from __future__ import annotations

from core.accounts.linking import LinkOutcome, LinkResult, check_identity, link_account, link_proven
from core.accounts.proofs import (
    account_attempt_key,
    account_number_field,
    account_verifier,
    verify_account_holds,
)
from core.api.base import ApiEndpoints
from core.auth.schemas import RegistrationSchema
from core.auth.views import register_login
from core.consents.service import e_invoice_offered, e_invoice_states, set_e_invoice
from core.framework.descriptions import (
    IdentityMethod,
    NavigationItem,
    NotificationChannel,
    OutboxHandler,
    ReadingRules,
    RequestStep,
    RequestType,
    ScheduledJob,
    SupplierInfo,
    SupplyPointFact,
    VerificationOutcome,
)
from core.framework.extensions import db
from core.framework.fields import (
    DigitString,
    Eic,
    Gsrn18,
    Iban,
    LocalizedDecimal,
    PhoneNumber,
    PodPdr,
    SupplyPointOfAccount,
    choice_field,
    email_field,
    phone_example,
    text_field,
)
from core.framework.forms import load_form
from core.framework.i18n import money, plugin_domain
from core.framework.identifiers import (
    compact_iban,
    gs1_check_digit,
    is_valid_eic,
    is_valid_gsrn18,
    is_valid_iban,
    is_valid_pdr,
    is_valid_pod,
    is_valid_ppe,
    make_eic,
    make_gsrn18,
    make_ppe,
    normalize_code,
    normalize_digits,
)
from core.framework.mail import send_mail
from core.framework.outbox import enqueue, new_submission_key
from core.framework.ownership import own_accounts, owned
from core.framework.security import TokenInvalid, check_password, consume_token, make_token, read_token
from core.framework.supplier_hooks import SupplierHooks
from core.framework.sync import sync_tenant
from core.framework.tenancy import Tenant
from core.framework.urls import tenant_url
from core.framework.validation import date_from_tomorrow, one_of_choices, today_in, validation_error
from core.hookspecs import hookimpl
from core.models import AccountLink, BillingAccount, Invoice, MeterReading, Payment, SupplyPoint, User, utcnow
from core.notifications.service import PlannedOutage, ReadingPeriod
from core.payments.service import CallbackOutcome, InvalidCallback, PaymentOrder, PaymentProvider
from core.service_requests.models import ServiceRequest
from core.service_requests.service import file_request

__all__ = [
    # hooks and descriptions
    "hookimpl",
    "SupplierInfo",
    "SupplierHooks",
    "plugin_domain",
    "money",
    "IdentityMethod",
    "VerificationOutcome",
    "verify_account_holds",
    "account_verifier",
    "account_attempt_key",
    "account_number_field",
    "RequestType",
    "RequestStep",
    "ReadingRules",
    "NavigationItem",
    "ApiEndpoints",
    "NotificationChannel",
    "OutboxHandler",
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
    "Gsrn18",
    "Eic",
    "Iban",
    "PodPdr",
    "PhoneNumber",
    "phone_example",
    "SupplyPointOfAccount",
    "choice_field",
    "text_field",
    "email_field",
    "load_form",
    "validation_error",
    "one_of_choices",
    "today_in",
    "date_from_tomorrow",
    "normalize_digits",
    "normalize_code",
    "gs1_check_digit",
    "is_valid_gsrn18",
    "make_gsrn18",
    "is_valid_ppe",
    "make_ppe",
    "is_valid_eic",
    "make_eic",
    "is_valid_pod",
    "is_valid_pdr",
    "is_valid_iban",
    "compact_iban",
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
    "enqueue",
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
