"""Input schemas of the account pages (and later of the API): one schema, both ends."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.framework.fields import email_field
from core.framework.passwords import too_easy


def _new_password(label) -> fields.String:
    return fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=256, error=_l("Use at most {max} characters.")),
        metadata={"label": label, "widget": "password", "autocomplete": "new-password",
                  "help": _l("At least 10 characters.")},
    )


def _repeat_password(label) -> fields.String:
    return fields.String(
        required=True, load_only=True,
        metadata={"label": label, "widget": "password", "autocomplete": "new-password"},
    )


class _PasswordPair(Schema):
    """A new password typed twice (``password``, ``password_confirm``), long enough, not
    the e-mail address, and not easy to guess (:mod:`core.framework.passwords`)."""

    @validates_schema(skip_on_field_errors=False)  # with the other fields' errors, all at once
    def check_password_pair(self, data, **kwargs):
        password = data.get("password", "")
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        email = data.get("email") or (current_user.email if current_user.is_authenticated else None)
        errors = {}
        if len(password) < minimum:
            errors["password"] = [_l("The password must have at least %(num)d characters.", num=minimum)]
        elif email and password.strip().lower() == email.lower():
            errors["password"] = [_l("The password must not be your e-mail address.")]
        elif too_easy(password, email):
            errors["password"] = [_l("This password is too common or too easy to guess. "
                                     "Choose a longer one, for example a few unusual words.")]
        if "password_confirm" in data and password != data["password_confirm"]:
            errors["password_confirm"] = [_l("The two passwords do not match.")]
        if errors:
            raise ValidationError(errors)


class RegistrationSchema(_PasswordPair):
    """The registration form: e-mail address, a new password twice, the terms accepted.

    A plugin with its own registration steps (a PIN first, say) asks it as its last step
    and hands what it loaded to ``register_login``. The password must be long enough
    (``PASSWORD_MIN_LENGTH``), not the e-mail address and not easy to guess.
    """

    email = email_field()
    """The e-mail address the login signs in with (at most 254 characters)."""
    password = _new_password(_l("Password"))
    """The new password (load only)."""
    password_confirm = _repeat_password(_l("Repeat the password"))
    """The same password again (load only)."""
    accept_terms = fields.Boolean(
        required=True,
        metadata={"label": _l("I have read and accept the terms of service of the portal.")},
    )
    """The terms of service accepted: must be true."""

    @validates_schema(skip_on_field_errors=False)
    def check_terms(self, data, **kwargs):
        """Refuses the form unless ``accept_terms`` is true."""
        if not data.get("accept_terms"):
            raise ValidationError(_l("You must accept the terms of service to register."), "accept_terms")


class LoginSchema(Schema):
    email = email_field(autocomplete="username")
    password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(max=256, error=_l("Use at most {max} characters.")),
        metadata={"label": _l("Password"), "widget": "password", "autocomplete": "current-password"},
    )


class ForgotPasswordSchema(Schema):
    email = email_field()


class ResetPasswordSchema(_PasswordPair):
    password = _new_password(_l("New password"))
    password_confirm = _repeat_password(_l("Repeat the new password"))


class ChangePasswordSchema(_PasswordPair):
    current_password = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Current password"), "widget": "password", "autocomplete": "current-password"},
    )
    password = _new_password(_l("New password"))
    password_confirm = _repeat_password(_l("Repeat the new password"))
