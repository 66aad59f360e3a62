"""Linking billing accounts to the login, the list of linked accounts, supply point details
and the header's supply point selector."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from core.accounts.linking import LinkOutcome, link_account
from core.framework.extensions import limiter
from core.framework.forms import load_form
from core.framework.labels import register_label
from core.framework.selection import (
    my_supply_points,
    own_supply_point_or_404,
    select_supply_point,
    supply_point_choice,
)
from core.framework.web import limit, safe_next

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
bp.add_app_template_global(supply_point_choice)  # the header's selector, on every page

_MESSAGES = {
    LinkOutcome.NO_MATCH: lambda: _(
        "The data you entered do not match our records. Check them against your invoice and try again."
    ),
    LinkOutcome.LOCKED: lambda: _(
        "Too many unsuccessful attempts. For your security, linking is blocked for a while. "
        "Try again later or contact customer service."
    ),
    LinkOutcome.LINKED_ELSEWHERE: lambda: _(
        "This customer account is already linked to another login. If you did not do this, "
        "contact customer service."
    ),
    LinkOutcome.UNAVAILABLE: lambda: _(
        "We cannot check your data right now because our billing system is not responding. "
        "Nothing has been changed; please try again in a few minutes."
    ),
}


@bp.get("/")
@login_required
def index():
    links = current_user.links
    points = my_supply_points(current_user)
    return render_template("accounts/index.html", links=links, points=points)


@bp.get("/points/<int:point_id>")
@login_required
def supply_point(point_id: int):
    point = own_supply_point_or_404(current_user, point_id)  # its meters loaded with it
    facts = [fact for group in g.tenant.hook.portal_supply_point_facts(tenant=g.tenant, supply_point=point)
             for fact in group]
    return render_template("accounts/supply_point.html", point=point, facts=facts, register_label=register_label)


@bp.post("/supply-point")
@login_required
def select_point():
    """The header's selector: remember the choice and go back to the page it was made on."""
    point = select_supply_point(current_user, request.form.get("point", type=int) or 0)
    if point is None:
        abort(404)
    return redirect(_same_page_for(point.id, safe_next(request.form.get("next"), url_for("dashboard.index"))))


def _same_page_for(point_id: int, target: str) -> str:
    """``target``, or the same page of the newly chosen point when it names one (``point_id``,
    or a ``point`` query argument, which the new choice replaces)."""
    path, _sep, query = target.partition("?")
    query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "point"])
    try:
        endpoint, values = current_app.url_map.bind("portal").match(path, method="GET")
    except HTTPException:  # not a page of ours: leave the target as it is
        return target
    if "point_id" in values:
        path = url_for(endpoint, **{**values, "point_id": point_id})
    return path + (f"?{query}" if query else "")


@bp.route("/link", methods=["GET", "POST"])
@login_required
@limiter.limit(limit("VERIFY"), methods=["POST"])
def link():
    methods = g.tenant.identity_methods()
    if not methods:
        abort(404)
    code = request.values.get("method") or methods[0].code
    method = g.tenant.identity_method(code)
    if method is None:
        abort(404)
    schema = method.schema()
    context = dict(methods=methods, method=method, schema=schema)
    if request.method == "GET":
        return render_template("accounts/link.html", values={}, errors={}, **context)
    data, errors = load_form(schema, request.form)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if errors:
        return render_template("accounts/link.html", values=values, errors=errors, **context), 400
    result = link_account(g.tenant, current_user._get_current_object(), method, data)
    if result.outcome in (LinkOutcome.LINKED, LinkOutcome.ALREADY_YOURS):
        _flash_linked(result)
        return redirect(url_for("dashboard.index"))
    status = {LinkOutcome.LOCKED: 429, LinkOutcome.UNAVAILABLE: 503}.get(result.outcome, 400)
    message = result.message or _MESSAGES[result.outcome]()
    errors = {"_schema": [str(message)]}
    return render_template("accounts/link.html", values=values, errors=errors, **context), status


def _flash_linked(result) -> None:
    count = len(result.accounts)
    if result.outcome == LinkOutcome.ALREADY_YOURS:
        flash(_("Customer account %(number)s is already linked to your login.", number=result.account.number), "info")
    elif count == 1:
        flash(_("Customer account %(number)s is now linked to your login.", number=result.account.number), "success")
    else:
        flash(ngettext("%(num)d customer account is now linked to your login.",
                       "%(num)d customer accounts are now linked to your login.", count), "success")
    if result.refused:
        flash(ngettext("%(num)d customer account was not linked: it is already linked to another login.",
                       "%(num)d customer accounts were not linked: they are already linked to another login.",
                       result.refused), "error")
