"""The customer's profile and privacy: contact data, e-mail change, activity log, export, deletion.

Contact data the supplier must know (phone, correspondence address, e-mail) go to it
through the outbox, one :class:`ContactUpdate` per linked billing account. The export
is everything the portal holds about a login, as JSON files in a ZIP built while it is
sent. Deleting a login erases what belongs to it and keeps what belongs to its billing
accounts (their copy of invoices, payments, readings and requests).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import Any, cast

from babel import Locale
from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema
from pyuca import Collator
from sqlalchemy import Table, delete, inspect, select, update
from sqlalchemy.orm import selectinload
from ua_parser import parse as ua_parse

from core.billing.contract import RequestSubmission, SubmissionResult, SubmissionStatus
from core.framework import outbox
from core.framework.extensions import db
from core.framework.fields import PhoneNumber, email_field, phone_example
from core.framework.i18n import language_name
from core.framework.ownership import own_account_ids
from core.framework.rejections import code_of
from core.framework.tenancy import Tenant
from core.models import (
    Invoice,
    LoginSession,
    MeterReading,
    OutboxMessage,
    Payment,
    SupplyPoint,
    TermsAcceptance,
    User,
)
from core.models.database import Model
from core.profile.models import ActivityEvent, ConsentEvent, ContactUpdate, CustomerProfile
from core.service_requests.models import ServiceRequest

log = logging.getLogger(__name__)

RECEIVED, ACCEPTED, REJECTED = "received", "accepted", "rejected"
KIND = "profile"
REQUEST_TYPE = "contact_details"
CONTACT_FIELDS = ("phone", "street", "postcode", "city", "country")
ADDRESS_LINES = ("street", "postcode", "city")

# --- activity log -----------------------------------------------------------------

ACTIVITY_LABELS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in (wrong password)"),
    "logout": _l("Signed out"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset by e-mail link"),
    "email_change_requested": _l("Change of e-mail address requested"),
    "email_changed": _l("E-mail address changed"),
    "profile_changed": _l("Contact details changed"),
    "language_changed": _l("Language changed"),
    "terms_accepted": _l("Terms of service accepted"),
    "consent_changed": _l("Consent changed"),
    "data_exported": _l("Data downloaded"),
}


def record_activity(user: User | None, kind: str, *, commit: bool = False) -> None:
    """Note ``kind`` in the login's activity log (nothing for an unknown login)."""
    if user is None:
        return
    in_request = has_request_context()
    db.session.add(ActivityEvent(
        user_id=user.id, kind=kind,
        ip_address=request.remote_addr if in_request else None,
        user_agent=(request.user_agent.string or "")[:255] if in_request else None,
    ))
    if commit:
        db.session.commit()


def browser_in_words(user_agent: str | None) -> str:
    """"Firefox 128 on Windows 10" for the browser a sign-in came from, as the activity log
    shows it (the raw user-agent string stays in the data export); "—" when unknown."""
    browser, system = _browser_and_system(user_agent or "")
    if not browser:
        return "—"
    return _("%(browser)s on %(system)s", browser=browser, system=system) if system else browser


@lru_cache(maxsize=256)
def _browser_and_system(user_agent: str) -> tuple[str, str]:
    found = ua_parse(user_agent)

    def name(part: Any) -> str:
        return " ".join(p for p in (part.family, part.major) if p) if part and part.family != "Other" else ""

    return name(found.user_agent), name(found.os)


def activity_page(user: User, page: int, size: int) -> tuple[list[ActivityEvent], bool]:
    """One page of the log, newest first, and whether an older page follows."""
    rows = db.session.execute(
        select(ActivityEvent).where(ActivityEvent.user_id == user.id)
        .order_by(ActivityEvent.created_at.desc(), ActivityEvent.id.desc())
        .offset((page - 1) * size).limit(size + 1)
    ).scalars().all()
    return list(rows[:size]), len(rows) > size


# --- contact data -----------------------------------------------------------------

POSTCODES = {
    "PL": re.compile(r"\d{2}-\d{3}"),
    "CZ": re.compile(r"\d{3} ?\d{2}"),
    "IT": re.compile(r"\d{5}"),
    "UA": re.compile(r"\d{5}"),
}
ANY_POSTCODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{1,9}")


NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})
"""CLDR's two-letter regions that are no country of an address: unions, pseudo-locales,
"unknown region", islands reserved for other uses."""


@cache
def _collator() -> Collator:
    return Collator()


def _countries() -> list[tuple[str, str]]:
    """Two-letter country codes with their names in the page's language, in alphabetical
    order as people read it (Unicode collation: "Bułgaria" before "Burundi", "Česko"
    among the C, "Італія" among the І)."""
    names = Locale.parse(str(get_locale())).territories
    countries = [(code, name) for code, name in names.items()
                 if re.fullmatch(r"[A-Z]{2}", code) and code not in NOT_COUNTRIES]
    return sorted(countries, key=lambda item: _collator().sort_key(item[1]))


def _optional_text(label, maximum: int, autocomplete: str) -> fields.String:
    return fields.String(
        load_default=None, validate=validate.Length(max=maximum, error=_l("Use at most {max} characters.")),
        metadata={"label": label, "autocomplete": autocomplete},
    )


def contact_schema(market: str) -> Schema:
    """The contact form: a phone number and a correspondence address, each optional; a
    phone number without a country code is one of ``market`` (the supplier's country).

    An address is whole or absent; the postcode is checked against its country's format.
    """
    countries = _countries()
    codes = [code for code, _name in countries]

    class ContactSchema(Schema):
        phone = PhoneNumber(
            country=market, load_default=None, validate=validate.Length(max=30),
            metadata={"label": _l("Phone number"), "widget": "tel", "autocomplete": "tel", "inputmode": "tel",
                      "help": _l("For example %(example)s, or with its country code for a number abroad.",
                                 example=phone_example(market))},
        )
        street = _optional_text(_l("Street and house number"), 255, "street-address")
        postcode = _optional_text(_l("Postcode"), 16, "postal-code")
        city = _optional_text(_l("City"), 128, "address-level2")
        country = fields.String(
            load_default=None, validate=validate.OneOf(codes, error=_l("Choose a country from the list.")),
            metadata={"label": _l("Country"), "choices": countries, "autocomplete": "country"},
        )

        @validates_schema
        def check_address(self, data, **kwargs):
            parts = ("street", "postcode", "city", "country")
            given = [name for name in ADDRESS_LINES if data.get(name)]
            if given and not all(data.get(name) for name in parts):
                raise ValidationError(
                    {name: [_l("Fill in the whole address, or none of it.")] for name in parts if not data.get(name)}
                )
            rule = POSTCODES.get(data.get("country") or "", ANY_POSTCODE)
            if data.get("postcode") and not rule.fullmatch(data["postcode"]):
                raise ValidationError(_l("This postcode does not exist in the chosen country."), "postcode")

        @post_load
        def normalize(self, data, **kwargs):
            if not any(data.get(name) for name in ADDRESS_LINES):
                data["country"] = None  # the country list always sends one
            return data

    return ContactSchema()


def profile_of(user: User) -> CustomerProfile:
    """The login's profile (a new, unsaved one when nothing was entered yet)."""
    return db.session.get(CustomerProfile, user.id) or CustomerProfile(user_id=user.id)


def contact_data(user: User, profile: CustomerProfile) -> dict[str, Any]:
    return {"email": user.email, **{name: getattr(profile, name) for name in CONTACT_FIELDS}}


def _send_contact_data(user: User, data: dict[str, Any]) -> list[ContactUpdate]:
    """Queue the contact data for the supplier, once per linked billing account."""
    updates = []
    for link in user.links:
        update_row = ContactUpdate(user_id=user.id, account_id=link.account_id, data=data, status=RECEIVED)
        db.session.add(update_row)
        db.session.flush()
        outbox.enqueue(KIND, update_row.id, ordering_key=outbox.account_order(link.account_id))
        updates.append(update_row)
    return updates


def save_contact(user: User, data: dict[str, Any]) -> bool:
    """Store validated contact data and tell the supplier; commits. False when nothing changed."""
    profile = profile_of(user)
    before = contact_data(user, profile)
    for name in CONTACT_FIELDS:
        setattr(profile, name, data.get(name) or None)
    after = contact_data(user, profile)
    if after == before:
        db.session.rollback()
        return False
    db.session.add(profile)
    _send_contact_data(user, after)
    record_activity(user, "profile_changed")
    db.session.commit()
    return True


def contact_updates(user: User, limit: int = 10) -> list[ContactUpdate]:
    return list(db.session.execute(
        select(ContactUpdate).where(ContactUpdate.user_id == user.id)
        .order_by(ContactUpdate.created_at.desc(), ContactUpdate.id.desc()).limit(limit)
    ).scalars())


def deliver(tenant: Tenant, message: OutboxMessage) -> SubmissionResult:
    row = db.session.get_one(ContactUpdate, message.object_id)
    submission = RequestSubmission(account_number=row.account.number, request_type=REQUEST_TYPE, data=dict(row.data))
    return tenant.adapter.submit_request(submission, message.idempotency_key)


def settle(row: ConsentEvent | ContactUpdate, result: SubmissionResult) -> None:
    """Record the supplier's answer on a change; one whose login is gone is erased now."""
    if row.user_id is None:
        db.session.delete(row)
    elif result.status == SubmissionStatus.ACCEPTED:
        row.status, row.supplier_reference = ACCEPTED, result.reference
    else:
        row.status, row.reject_reason = REJECTED, code_of(result)



def apply_answer(message: OutboxMessage, result: SubmissionResult) -> None:
    """Record the back-end's answer to the message on its row."""
    settle(db.session.get_one(ContactUpdate, message.object_id), result)


# --- language -----------------------------------------------------------------------

def language_schema(locales: Iterable[str]) -> Schema:
    choices = [(code, language_name(code)) for code in locales]
    return Schema.from_dict({
        "locale": fields.String(
            required=True, validate=validate.OneOf([c for c, _n in choices]),
            metadata={"label": _l("Language of the portal and of our e-mails"), "choices": choices},
        ),
    }, name="LanguageForm")()


def set_language(user: User, locale: str) -> None:
    if user.locale != locale:
        user.locale = locale
        record_activity(user, "language_changed")
    db.session.commit()


# --- e-mail change -------------------------------------------------------------------

class EmailChangeSchema(Schema):
    email = email_field(label=_l("New e-mail address"))
    current_password = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Current password"), "widget": "password", "autocomplete": "current-password"},
    )


class EmailTaken(Exception):
    """The new address belongs to another login (found when the change is confirmed)."""


def email_in_use(email: str) -> bool:
    return db.session.execute(select(User.id).where(User.email == email.lower())).first() is not None


def change_email(user: User, new_email: str) -> str:
    """Make the confirmed address the login's; tell the supplier; commits. Returns the old one."""
    new_email = new_email.lower()
    if email_in_use(new_email):
        raise EmailTaken(new_email)
    old = user.email
    user.email = new_email
    profile = profile_of(user)
    _send_contact_data(user, contact_data(user, profile))
    record_activity(user, "email_changed")
    db.session.commit()
    return old


# --- export ---------------------------------------------------------------------------

def _secret(name: str) -> bool:
    return "hash" in name or "secret" in name


def _row(obj: Any) -> dict[str, Any]:
    """An ORM row as a dict of its columns, without hashes and secrets."""
    return {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs if not _secret(attr.key)}


def _json_value(value: Any) -> Any:
    """Dates in ISO 8601, amounts as exact decimal strings, anything else as text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _json(data: Any) -> bytes:
    return json.dumps(data, default=_json_value, ensure_ascii=False, indent=2).encode()


def _rows(query) -> list[dict[str, Any]]:
    return [_row(obj) for obj in db.session.execute(query).scalars()]


def export_files(user: User) -> Iterator[tuple[str, bytes]]:
    """Everything the portal holds about ``user``, as ``(file name, JSON)`` pairs."""
    account_ids = own_account_ids(user)
    point_ids = select(SupplyPoint.id).where(SupplyPoint.account_id.in_(account_ids)).scalar_subquery()
    profile = db.session.get(CustomerProfile, user.id)
    yield "user.json", _json({**_row(user), "profile": _row(profile) if profile else None})
    yield "accounts.json", _json([
        {**_row(link.account), "linked_at": link.linked_at, "link_method": link.method} for link in user.links
    ])
    points = db.session.execute(
        select(SupplyPoint).where(SupplyPoint.id.in_(point_ids)).options(selectinload(SupplyPoint.meters))
    ).scalars()
    yield "supply_points.json", _json([{**_row(p), "meters": [_row(m) for m in p.meters]} for p in points])
    yield "invoices.json", _json(_rows(select(Invoice).where(Invoice.account_id.in_(account_ids)).order_by(Invoice.id)))
    yield "payments.json", _json(_rows(select(Payment).where(Payment.account_id.in_(account_ids)).order_by(Payment.id)))
    yield "readings.json", _json(_rows(
        select(MeterReading).where(MeterReading.supply_point_id.in_(point_ids)).order_by(MeterReading.id)
    ))
    requests = db.session.execute(
        select(ServiceRequest).where(ServiceRequest.user_id == user.id).order_by(ServiceRequest.id)
    ).scalars()
    yield "requests.json", _json([{**_row(r), "events": [_row(e) for e in r.events]} for r in requests])
    yield "consents.json", _json({
        "terms": _rows(select(TermsAcceptance).where(TermsAcceptance.user_id == user.id).order_by(TermsAcceptance.id)),
        "consents": _rows(select(ConsentEvent).where(ConsentEvent.user_id == user.id).order_by(ConsentEvent.id)),
        "contact_updates": _rows(select(ContactUpdate).where(ContactUpdate.user_id == user.id).order_by(ContactUpdate.id)),
    })
    yield "activity.json", _json(_rows(
        select(ActivityEvent).where(ActivityEvent.user_id == user.id).order_by(ActivityEvent.id)
    ))
    yield "sessions.json", _json(_rows(
        select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
    ))
    yield from _other_tables(user)


_EXPORTED = {"user_account", "account_link", "service_request", "terms_acceptance", "consent_event",
             "contact_update", "activity_event", "login_session", "customer_profile", "meter_reading"}


def _other_tables(user: User) -> Iterator[tuple[str, bytes]]:
    """Rows of the other features' tables that name the login (``user_id``), one file each."""
    # every model maps one table (SQLAlchemy types a mapper's selectable as any FROM clause)
    for mapper in sorted(Model.registry.mappers, key=lambda m: cast(Table, m.persist_selectable).name):
        table = cast(Table, mapper.persist_selectable)
        if table.name in _EXPORTED or "user_id" not in table.c:
            continue
        query = select(mapper.class_).where(table.c.user_id == user.id)
        yield f"other/{table.name}.json", _json(_rows(query))


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out piece by piece."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_stream(files: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """A ZIP archive of ``files``, produced a file at a time (never whole in memory)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in files:
            archive.writestr(name, payload)
            yield sink.take()
    yield sink.take()


# --- deletion ---------------------------------------------------------------------------

class DeleteAccountSchema(Schema):
    password = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Your password"), "widget": "password", "autocomplete": "current-password"},
    )
    confirm = fields.Boolean(
        required=True, metadata={"label": _l("I understand that my login and its data will be erased.")},
    )

    @validates_schema(skip_on_field_errors=False)  # with the password's error, at once
    def check_confirmed(self, data, **kwargs):
        if not data.get("confirm"):
            raise ValidationError(_l("Tick the box to confirm."), "confirm")


def _erase(table: Table, where) -> None:
    """Delete rows, first following the ``ON DELETE`` rules of the foreign keys pointing at
    them (SQLite does not enforce them), so tables of every feature are covered."""
    for child in db.metadata.sorted_tables:
        for key in child.foreign_keys:
            if key.column.table is not table:
                continue
            referenced = key.parent.in_(select(key.column).where(where))
            if key.ondelete == "CASCADE":
                _erase(child, referenced)
            elif key.ondelete == "SET NULL":
                db.session.execute(update(child).where(referenced).values({key.parent.name: None}))
    db.session.execute(delete(table).where(where))


def delete_login(user: User) -> None:
    """Erase the login and what belongs to it; commits.

    Requests, readings and the copy of billing data stay with their billing accounts;
    changes still on their way to the supplier are delivered, then erased.
    """
    for model in (ConsentEvent, ContactUpdate):
        db.session.execute(delete(model).where(model.user_id == user.id, model.status != RECEIVED))
    user_id, tenant = user.id, user.tenant
    users = User.__table__
    _erase(users, (users.c.id == user_id) & (users.c.tenant == tenant))
    db.session.commit()
    db.session.expunge_all()
    log.info("login %s of tenant %s deleted by its owner", user_id, tenant)
