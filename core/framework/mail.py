"""Outgoing mail, in the recipient's language and the tenant's brand, sent after commit.

:func:`send_mail` renders the message and stores it with an outbox message in the caller's
transaction: nothing leaves before the write that causes it is committed, and nothing is
lost while the SMTP server is down (the outbox retries it with backoff, then parks it for
an operator). What the customer is told never depends on SMTP.

Sent over SMTP with Flask-Mail (``PORTAL_MAIL_*``). In demo mode (``MAIL_CAPTURE``) mail is
kept in the database instead and shown on the demo mailbox page, unless ``MAIL_SERVER`` is
set explicitly: then the demo sends it too.
"""

from __future__ import annotations

import secrets
import smtplib

from flask import current_app, has_request_context, render_template, session
from flask_babel import force_locale
from flask_mail import Message

from core.billing.contract import BackendUnavailable, SubmissionResult, SubmissionStatus
from core.framework import outbox
from core.framework.extensions import db, mail
from core.framework.tenancy import Tenant, current_tenant
from core.models import MailMessage, OutboxMessage, utcnow

KIND = outbox.MAIL
MAILBOX_KEY = "demo_mailbox"


def send_mail(recipient: str, template: str | list[str], *, locale: str | None = None, **context) -> MailMessage:
    """Render ``mail/<template>.txt`` (or a plugin's ``<code>/mail/<name>.txt``) in the
    recipient's language and queue it in the current transaction (the caller commits).

    The first line of the text template is the subject; templates can be overridden by
    the theme or the plugin like any other.
    """
    return queue(recipient, *render_mail(template, locale=locale, **context))


def render_mail(template: str | list[str], *, locale: str | None = None, **context) -> tuple[str, str]:
    """``(subject, body)`` of a text template in ``locale``; a list means the first that exists."""
    tenant = current_tenant()
    names = [template] if isinstance(template, str) else template
    with force_locale(locale or tenant.default_locale):
        text = render_template(
            [name if name.endswith(".txt") else f"mail/{name}.txt" for name in names], tenant=tenant, **context
        )
        subject, _, body = text.partition("\n")
    return subject.strip(), body.strip()


def queue(recipient: str, subject: str, body: str) -> MailMessage:
    """Store a plain-text message from the tenant's sender, to leave after commit."""
    sender = current_tenant().settings.get("mail_sender") or current_app.config["MAIL_DEFAULT_SENDER"]
    message = MailMessage(sender=sender, recipient=recipient, subject=subject, text_body=body,
                          mailbox=_mailbox_of_this_browser(recipient))
    db.session.add(message)
    db.session.flush()
    outbox.enqueue(KIND, message.id)
    return message


def demo_login(tenant_code: str) -> str:
    """The address of a brand's published demo login (its mail is shown only to whoever signed in as it)."""
    return f"demo@{tenant_code.replace('_', '-')}.example"


def _mailbox_of_this_browser(recipient: str) -> str | None:
    """In the demo: the mailbox of the browser session that causes the mail.

    Mail to a brand's published demo login is shown only to whoever is signed in as it:
    a visitor who asks for its password reset never reads the link.
    """
    if not (current_app.config["MAIL_CAPTURE"] and has_request_context()):
        return None
    if recipient == demo_login(current_tenant().code):
        return None
    if MAILBOX_KEY not in session:
        session[MAILBOX_KEY] = secrets.token_urlsafe(24)
    return session[MAILBOX_KEY]


def deliver(tenant: Tenant, message: OutboxMessage) -> SubmissionResult:
    row = db.session.get(MailMessage, message.object_id)
    if row is None or row.sent_at is not None:  # sent before a crash, or erased with its login
        return SubmissionResult(SubmissionStatus.ACCEPTED)
    if not current_app.config["MAIL_CAPTURE"]:
        try:
            mail.send(Message(subject=row.subject, recipients=[row.recipient], body=row.text_body, sender=row.sender))
        except (smtplib.SMTPException, OSError) as exc:  # the server is down or busy: try again later
            raise BackendUnavailable(f"SMTP: {exc}") from exc
    return SubmissionResult(SubmissionStatus.ACCEPTED)


def apply_answer(message: OutboxMessage, result: SubmissionResult) -> None:
    row = db.session.get(MailMessage, message.object_id)
    if row is None:
        return
    if current_app.config["MAIL_CAPTURE"]:
        row.sent_at = utcnow()  # kept for the demo mailbox
    else:
        db.session.delete(row)  # sent: its links are nobody's business any more
