"""The customer's overview page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from core.dashboard.service import dashboard_for

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    overview = dashboard_for(current_user)
    if not overview.accounts:
        return redirect(url_for("accounts.link"))
    return render_template("dashboard/index.html", overview=overview, today=dt.datetime.now(ZoneInfo(g.tenant.timezone)).date())
