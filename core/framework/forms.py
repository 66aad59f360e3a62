"""HTML forms from marshmallow schemas: one schema validates the form and the API.

A field's ``metadata`` says how it is shown: ``label``, ``help``, ``widget`` (``text``,
``email``, ``password``, ``checkbox``, ``select``), ``autocomplete``, ``inputmode``,
``choices`` (value, label pairs). Errors come back translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict


def _marshmallow_default_messages() -> set[str]:
    messages: set[str] = set()
    for obj in vars(fields).values():
        if isinstance(obj, type) and issubclass(obj, fields.Field):
            for cls in obj.__mro__:
                messages.update(str(m) for m in getattr(cls, "default_error_messages", {}).values())
    messages.update(str(m) for m in marshmallow.Schema._default_error_messages.values())
    return messages


_DEFAULTS = _marshmallow_default_messages()
_KNOWN = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Not a valid email address.": _l("Enter a valid e-mail address."),
    "Not a valid number.": _l("Enter a number."),
    "Not a valid decimal.": _l("Enter a number."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid date.": _l("Enter a valid date."),
    "Not a valid boolean.": _l("Choose yes or no."),
    "Unknown field.": _l("This field is not expected here."),
}


def translate_message(message: Any) -> str:
    text = str(message)
    if text in _KNOWN:
        return str(_KNOWN[text])
    if text in _DEFAULTS or (isinstance(message, str) and _looks_like_default(text)):
        return _("This value is not valid.")
    return text


def _looks_like_default(text: str) -> bool:
    return text.startswith(("Shorter than", "Longer than", "Length must be", "Must be ", "Not a valid"))


def translate_errors(messages: Mapping[str, Any] | list) -> dict[str, list[str]]:
    """Flatten marshmallow's error dict to ``{field: [translated messages]}``."""
    result: dict[str, list[str]] = {}
    if isinstance(messages, list):
        return {"_schema": [translate_message(m) for m in messages]}
    for name, value in messages.items():
        if isinstance(value, Mapping):
            for sub, texts in translate_errors(value).items():
                result.setdefault(name if sub == "_schema" else f"{name}.{sub}", []).extend(texts)
        else:
            result[name] = [translate_message(m) for m in (value if isinstance(value, list) else [value])]
    return result


def form_input(schema: marshmallow.Schema, form: MultiDict) -> dict[str, Any]:
    """What a browser sent, shaped for the schema: empty text means "not given"."""
    data: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        if isinstance(field, fields.Boolean):
            data[key] = key in form
            continue
        value = form.get(key)
        if value is None or value.strip() == "":
            continue
        data[key] = value if field.metadata.get("widget") == "password" else value.strip()
    return data


def null_characters(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """An error for each field whose text holds a NUL character (no database column stores one)."""
    def holds(value: Any) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, Mapping):
            return any(holds(v) for v in value.values())
        if isinstance(value, list | tuple):
            return any(holds(v) for v in value)
        return False

    return {name: [_("Remove the invisible control characters from this text.")]
            for name, value in data.items() if holds(value)}


def load_form(schema: marshmallow.Schema, form: MultiDict) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """Validate a submitted form: ``(data, {})`` or ``(None, errors)``."""
    data = form_input(schema, form)
    refused = null_characters(data)
    if refused:
        return None, refused
    try:
        return schema.load(data), {}
    except marshmallow.ValidationError as exc:
        return None, translate_errors(exc.messages)


def widget_for(field: fields.Field) -> str:
    widget = field.metadata.get("widget")
    if widget:
        return widget
    if isinstance(field, fields.Boolean):
        return "checkbox"
    if isinstance(field, fields.Email):
        return "email"
    if isinstance(field, fields.Date) and not isinstance(field, fields.DateTime):
        return "date"
    if field.metadata.get("choices"):
        return "select"
    return "text"


def field_max_length(field: fields.Field) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    return None


