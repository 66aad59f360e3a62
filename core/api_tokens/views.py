"""The customer's personal access tokens for the API: make one (shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.api_tokens.service import MAX_ACTIVE, TokenSchema, active_count, create_token, revoke, user_tokens
from core.framework.forms import load_form

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens")


def _page(errors: dict | None = None, new_token: str | None = None, status: int = 200):
    values = {k: v for k, v in request.form.items() if k != "csrf_token"} if errors else {}
    schema = TokenSchema()
    return render_template(
        "api_tokens/index.html", schema=schema, values=values, errors=errors or {},
        tokens=user_tokens(current_user), new_token=new_token,
        scopes=dict(schema.fields["scope"].metadata["choices"]),
    ), status


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/")
@login_required
def create():
    data, errors = load_form(TokenSchema(), request.form)
    if not errors and active_count(current_user) >= MAX_ACTIVE:
        errors = {"_schema": [_("You have %(num)d active tokens. Revoke one you no longer use first.", num=MAX_ACTIVE)]}
    if errors:
        return _page(errors, status=400)
    token = create_token(current_user, data["name"], data["scope"])[1]
    # shown on this answer only, never put in the session or a redirect
    return _page(new_token=token, status=201)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not revoke(current_user, token_id):
        abort(404)
    flash(_("The token has been revoked. Apps using it can no longer reach your data."), "success")
    return redirect(url_for("api_tokens.index"))
