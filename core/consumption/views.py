"""Consumption pages: a year per month and register beside the previous one, and the CSV export.

The supply point is the one chosen in the header's selector (:mod:`core.framework.selection`); the
figures come from :mod:`core.consumption.service`.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import get_month_names
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from core.consumption.service import available_years, by_register, chart_for, monthly_consumption
from core.framework.labels import register_label
from core.framework.selection import current_supply_point, own_supply_point_or_404
from core.models import SupplyPoint
from core.readings.service import local_today

bp = Blueprint("consumption", __name__, url_prefix="/consumption")
TENTH = Decimal("0.1")


@bp.get("/")
@login_required
def index():
    point = current_supply_point(current_user)
    if point is None:
        return redirect(url_for("accounts.link"))
    year, years = _year(point)
    series = by_register(monthly_consumption(point, year))
    locale = get_locale()
    return render_template(
        "consumption/index.html", point=point, year=year, years=years,
        series=[(s, chart_for(s)) for s in series], register_label=register_label,
        month_names=get_month_names("wide", context="stand-alone", locale=locale),
        month_abbreviations=get_month_names("abbreviated", context="stand-alone", locale=locale), amount=_shown,
    )


@bp.get("/<int:point_id>.csv")
@login_required
def export(point_id: int):
    """One row per month and register; values with a decimal point, as the header says."""
    point = own_supply_point_or_404(current_user, point_id)
    year, _years = _year(point)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        _("Month"), pgettext("meter", "Register"), _("Unit"),
        _("Consumption %(year)s (decimal point)", year=year),
        _("Consumption %(year)s (decimal point)", year=year - 1),
    ])
    for row in monthly_consumption(point, year):
        writer.writerow([f"{year}-{row.month:02d}", row.register, row.unit,
                         _plain(row.value), _plain(row.previous_year_value)])
    filename = secure_filename(f"consumption-{point.identifier}-{year}.csv")
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _year(point: SupplyPoint) -> tuple[int, list[int]]:
    """The year asked for (this one by default) and those on offer; another year is 404."""
    years = available_years(point, local_today(g.tenant))
    year = request.args.get("year", years[0], type=int)
    if year not in years:
        abort(404)
    return year, years


def _shown(value: Decimal) -> str:
    """A figure on the page: to a tenth, in the customer's number format (the CSV keeps all places)."""
    return format_decimal(value.quantize(TENTH, ROUND_HALF_UP), "#,##0.0")


def _plain(value) -> str:
    return "" if value is None else format(value.normalize(), "f")
