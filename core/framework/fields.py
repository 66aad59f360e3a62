"""marshmallow fields for what customers type the way they write it at home.

A Polish, Czech, Ukrainian or Italian customer writes ``123,45``; an English one writes
``123.45``; both group digits with spaces. These fields accept either and hand the
schema a clean value, so every plugin does not reinvent the parsing.
"""

from __future__ import annotations

import decimal
import re
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from core.framework.identifiers import normalize_digits

_GROUPING = re.compile(r"[\s\u00a0\u202f']+")


def _invalid(message: Any) -> ValidationError:
    """An error holding a (lazy) message in a list, as marshmallow holds plain ones."""
    return ValidationError([message])


class _LazyMessages:
    """Keeps lazily translated default messages in a list like marshmallow's own.

    marshmallow only wraps ``str`` messages in a list; a lazy string would otherwise be
    taken for the list of messages itself.
    """

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        error = super().make_error(key, **kwargs)  # type: ignore[misc]
        if not isinstance(error.messages, (list, dict)):
            return _invalid(error.messages)
        return error


def parse_localized_decimal(text: str) -> str:
    """``text`` with a ``.`` decimal point whichever of ``,`` and ``.`` the writer used.

    When both appear, the last one is the decimal separator and the other groups
    thousands (``1.234,56`` and ``1,234.56``); a lone comma is a decimal comma.
    """
    text = _GROUPING.sub("", text.strip())
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        text = text.replace(grouping, "").replace(decimal_mark, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    return text


class LocalizedDecimal(_LazyMessages, fields.Decimal):
    """A decimal typed with a decimal comma or point, with optional digit grouping.

    With ``places`` set, more decimal places than that are refused rather than rounded:
    an amount that silently rounds could match a figure the customer never typed.
    """

    default_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": _l("Enter a number, for example 123.45."),
        "special": _l("Enter a number, for example 123.45."),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> decimal.Decimal:
        if isinstance(value, str):
            value = parse_localized_decimal(value)
        number = super()._deserialize(value, attr, data, **kwargs)
        if self.places is not None and not isinstance(value, bool):
            places = -int(self.places.as_tuple().exponent)
            exponent = decimal.Decimal(str(value)).as_tuple().exponent
            if isinstance(exponent, int) and -exponent > places:
                raise _invalid(_l("Use at most %(num)d decimal places.", num=places))
        return number


class DigitString(_LazyMessages, fields.String):
    """A number that is an identifier, not a quantity: customer, account, PPE, EAN.

    Spaces and dashes people type to group digits are dropped; leading zeros are kept.
    ``length`` is an exact count, or a ``(minimum, maximum)`` pair.
    """

    default_error_messages: ClassVar[dict[str, Any]] = {
        "digits": _l("Use digits only."),
    }

    def __init__(self, *, length: int | tuple[int, int] | None = None, **kwargs: Any) -> None:
        self.length = (length, length) if isinstance(length, int) else length
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        digits = normalize_digits(super()._deserialize(value, attr, data, **kwargs))
        if not digits or not digits.isdigit() or not digits.isascii():
            raise self.make_error("digits")
        if self.length is not None:
            minimum, maximum = self.length
            if minimum == maximum and len(digits) != minimum:
                raise _invalid(_l("Enter exactly %(num)d digits.", num=minimum))
            if not minimum <= len(digits) <= maximum:
                raise _invalid(_l("Enter %(low)d to %(high)d digits.", low=minimum, high=maximum))
        return digits


def email_field(**metadata: Any) -> fields.Email:
    """A required e-mail address of at most 254 characters (``metadata`` overrides label or autocomplete)."""
    return fields.Email(
        required=True,
        validate=validate.Length(max=254, error=_l("Use at most {max} characters.")),
        metadata={"label": _l("E-mail address"), "autocomplete": "email", **metadata},
    )
