"""Help pages, public like the sign-in page: questions and answers, contact, accessibility.

The core's templates hold the content about the portal itself; a supplier's plugin or
theme adds its own by overriding ``help/*.html`` and filling the ``supplier_*`` blocks.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template

bp = Blueprint("help", __name__, url_prefix="/help")

ACCESSIBILITY_REVIEWED_ON = dt.date(2026, 11, 22)
"""When the accessibility statement was last checked against the portal."""


@bp.get("/")
def index():
    return render_template("help/index.html")


@bp.get("/contact")
def contact():
    return render_template("help/contact.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("help/accessibility.html", reviewed_on=ACCESSIBILITY_REVIEWED_ON)
