"""Demo-only pages: the mailbox of captured messages. Registered only in demo mode."""

from __future__ import annotations

import re

from flask import Blueprint, render_template
from markupsafe import Markup, escape
from sqlalchemy import select

from core.extensions import db
from core.models import CapturedMail

bp = Blueprint("demo", __name__, url_prefix="/demo")
_URL = re.compile(r"https?://\S+")


def linkify(text: str) -> Markup:
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.get("/mailbox")
def mailbox():
    messages = db.session.execute(
        select(CapturedMail).order_by(CapturedMail.id.desc()).limit(200)
    ).scalars().all()
    return render_template("demo/mailbox.html", messages=messages, linkify=linkify)
