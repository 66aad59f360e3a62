"""Input schemas of the account pages (and later of the API): one schema, both ends."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema


def _email(**metadata) -> fields.Email:
    return fields.Email(
        required=True,
        validate=validate.Length(max=254, error=_l("Use at most {max} characters.")),
        metadata={"label": _l("E-mail address"), "autocomplete": "email", **metadata},
    )


def _new_password(label) -> fields.String:
    return fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=256, error=_l("Use at most {max} characters.")),
        metadata={"label": label, "widget": "password", "autocomplete": "new-password",
                  "help": _l("At least 10 characters.")},
    )


class _PasswordPair(Schema):
    """A new password typed twice, long enough, and not the e-mail address."""

    def _check_pair(self, data, new: str, confirm: str, email: str | None = None) -> None:
        password = data.get(new, "")
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(password) < minimum:
            raise ValidationError(
                _l("The password must have at least %(num)d characters.", num=minimum), new
            )
        if email and password.strip().lower() == email.lower():
            raise ValidationError(_l("The password must not be your e-mail address."), new)
        if password != data.get(confirm):
            raise ValidationError(_l("The two passwords do not match."), confirm)


class RegistrationSchema(_PasswordPair):
    email = _email()
    password = _new_password(_l("Password"))
    password_confirm = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Repeat the password"), "widget": "password", "autocomplete": "new-password"},
    )
    accept_terms = fields.Boolean(
        required=True,
        metadata={"label": _l("I have read and accept the terms of service of the portal.")},
    )

    @validates_schema
    def check(self, data, **kwargs):
        if not data.get("accept_terms"):
            raise ValidationError(_l("You must accept the terms of service to register."), "accept_terms")
        self._check_pair(data, "password", "password_confirm", data.get("email"))


class LoginSchema(Schema):
    email = _email(autocomplete="username")
    password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(max=256, error=_l("Use at most {max} characters.")),
        metadata={"label": _l("Password"), "widget": "password", "autocomplete": "current-password"},
    )


class ForgotPasswordSchema(Schema):
    email = _email()


class ResetPasswordSchema(_PasswordPair):
    password = _new_password(_l("New password"))
    password_confirm = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Repeat the new password"), "widget": "password", "autocomplete": "new-password"},
    )

    @validates_schema
    def check(self, data, **kwargs):
        self._check_pair(data, "password", "password_confirm")


class ChangePasswordSchema(_PasswordPair):
    current_password = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Current password"), "widget": "password", "autocomplete": "current-password"},
    )
    password = _new_password(_l("New password"))
    password_confirm = fields.String(
        required=True, load_only=True,
        metadata={"label": _l("Repeat the new password"), "widget": "password", "autocomplete": "new-password"},
    )

    @validates_schema
    def check(self, data, **kwargs):
        self._check_pair(data, "password", "password_confirm")
