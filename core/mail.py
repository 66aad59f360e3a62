"""Outgoing mail, in the recipient's language and the tenant's brand.

Sent over SMTP with Flask-Mail (``PORTAL_MAIL_*``); in demo mode (``MAIL_CAPTURE``)
kept in the database instead and shown on the demo mailbox page.
"""

from __future__ import annotations

import logging

from flask import current_app, g, render_template
from flask_babel import force_locale
from flask_mail import Message

from core.extensions import db, mail
from core.models import CapturedMail

log = logging.getLogger(__name__)


def send_mail(recipient: str, template: str, *, locale: str | None = None, **context) -> None:
    """Render ``mail/<template>.txt`` (or a plugin's ``<code>/mail/<name>.txt``) in the
    recipient's language and send it.

    The first line of the text template is the subject; templates can be overridden by
    the theme or the plugin like any other.
    """
    deliver(recipient, *render_mail(template, locale=locale, **context))


def render_mail(template: str | list[str], *, locale: str | None = None, **context) -> tuple[str, str]:
    """``(subject, body)`` of a text template in ``locale``; a list means the first that exists."""
    tenant = g.tenant
    names = [template] if isinstance(template, str) else template
    with force_locale(locale or tenant.default_locale):
        text = render_template(
            [name if name.endswith(".txt") else f"mail/{name}.txt" for name in names], tenant=tenant, **context
        )
        subject, _, body = text.partition("\n")
    return subject.strip(), body.strip()


def deliver(recipient: str, subject: str, body: str) -> None:
    """Send a plain-text message from the tenant's sender (or keep it, in demo mode)."""
    sender = g.tenant.settings.get("mail_sender") or current_app.config["MAIL_DEFAULT_SENDER"]
    if current_app.config["MAIL_CAPTURE"]:
        db.session.add(CapturedMail(sender=sender, recipient=recipient, subject=subject, text_body=body))
        db.session.flush()
        return
    mail.send(Message(subject=subject, recipients=[recipient], body=body, sender=sender))


def send_mail_quietly(recipient: str, template: str, **context) -> None:
    """Send, but let no mail problem change the answer (nor reveal an account): log it."""
    try:
        send_mail(recipient, template, **context)
    except Exception:  # noqa: BLE001 - SMTP and socket errors alike
        log.exception("could not send %s mail for tenant %s", template, g.tenant.code)
