"""marshmallow fields for what customers type the way they write it at home.

A Polish, Czech, Ukrainian or Italian customer writes ``123,45``; an English one writes
``123.45``; both group digits with spaces. These fields accept either and hand the
schema a clean value, so every plugin does not reinvent the parsing.

Identifiers are checked with their real algorithms and handed on in one canonical form:
:class:`Gsrn18` (a PPE or EAN of a supply point), :class:`Eic`, :class:`Iban` and
:class:`PodPdr` (Italian supply points). A form about one of the customer's own supply
points does not make them type its code: :class:`SupplyPointOfAccount` is a select of the
chosen account's supply points, filled in by the core, which also refuses on submit a
value that is not one of them.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers
from babel.numbers import get_group_symbol
from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from core.framework.identifiers import (
    EIC_LENGTH,
    GSRN_LENGTH,
    compact_iban,
    is_valid_eic,
    is_valid_gsrn18,
    is_valid_iban,
    is_valid_pdr,
    is_valid_pod,
    normalize_code,
    normalize_digits,
)
from core.framework.validation import one_of_choices

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


_DOT_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")


def parse_localized_decimal(text: str, group_symbol: str | None = None) -> str:
    """``text`` with a ``.`` decimal point whichever of ``,`` and ``.`` the writer used.

    When both appear, the last one is the decimal separator and the other groups
    thousands (``1.234,56`` and ``1,234.56``); a lone comma is a decimal comma. A lone
    point is a decimal point, except in a language that groups digits with it (Italian,
    ``group_symbol="."``), where ``12.345`` is twelve thousand, as the portal itself
    prints it.
    """
    text = _GROUPING.sub("", text.strip())
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        text = text.replace(grouping, "").replace(decimal_mark, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif group_symbol == "." and _DOT_GROUPED.fullmatch(text):
        text = text.replace(".", "")
    return text


def _group_symbol() -> str | None:
    """How the customer's language groups digits ("." in Italian), for what a person typed
    into a web form; an API client's JSON is read the same in every language."""
    if not has_request_context() or request.is_json:
        return None
    locale = get_locale()
    return get_group_symbol(locale) if locale is not None else None


class LocalizedDecimal(_LazyMessages, fields.Decimal):
    """A decimal typed with a decimal comma or point, with optional digit grouping.

    With ``places`` set, more decimal places than that are refused rather than rounded:
    an amount that silently rounds could match a figure the customer never typed.
    """

    default_error_messages: dict[str, Any] = {
        "invalid": _l("Enter a number, for example 123.45."),
        "special": _l("Enter a number, for example 123.45."),
    }
    """marshmallow's messages by error key, in the customer's language; pass
    ``error_messages={...}`` to reword one."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> decimal.Decimal:
        if isinstance(value, str):
            value = parse_localized_decimal(value, _group_symbol())
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

    default_error_messages: dict[str, Any] = {
        "digits": _l("Use digits only."),
    }
    """marshmallow's messages by error key (``"digits"``: not only digits), in the
    customer's language; pass ``error_messages={...}`` to reword one."""

    def __init__(self, *, length: int | tuple[int, int] | None = None, **kwargs: Any) -> None:
        self.length = (length, length) if isinstance(length, int) else length
        """The allowed number of digits as ``(minimum, maximum)``, or ``None`` for any."""
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


def email_field(*, required: bool = True, **metadata: Any) -> fields.Email:
    """An e-mail address of at most 254 characters; ``metadata`` overrides the label or
    the autocomplete hint. Not ``required``: it may be left out (``None``)."""
    return fields.Email(
        validate=validate.Length(max=254, error=_l("Use at most {max} characters.")),
        metadata={"label": _l("E-mail address"), "autocomplete": "email", **metadata},
        **_presence(required, None),
    )


def choice_field(
    choices: Mapping[str, Any] | Iterable[tuple[str, Any]], *, label: Any, error: Any, required: bool = True,
    **metadata: Any,
) -> fields.String:
    """A select of ``choices``: what the customer reads by code, a ``{code: label}`` dict
    or ``(code, label)`` pairs. It takes only their codes (``error`` otherwise) and keeps
    the code. Not ``required``: it may be left out (``None``). ``metadata`` adds ``help``
    and the like."""
    pairs = tuple(choices.items() if isinstance(choices, Mapping) else choices)
    return fields.String(
        validate=one_of_choices(pairs, error),
        metadata={"label": label, "choices": pairs, **metadata},
        **_presence(required, None),
    )


def text_field(
    label: Any, *, maximum: int = 500, minimum: int = 0, required: bool = False, error: Any = None, **metadata: Any
) -> fields.String:
    """Free text in a text area (a note, a comment, a reason) of at most ``maximum``
    characters and, when given, at least ``minimum``; not ``required``, it may be left
    empty (``""``). ``error`` rewords the message about the length (``{min}`` and ``{max}``
    are filled in); ``metadata`` adds ``help`` and the like."""
    if error is None:
        error = _l("Write {min} to {max} characters.") if minimum else _l("Use at most {max} characters.")
    return fields.String(
        validate=validate.Length(min=minimum or None, max=maximum, error=error),
        metadata={"label": label, "widget": "textarea", **metadata},
        **_presence(required, ""),
    )


def _presence(required: bool, empty: Any) -> dict[str, Any]:
    """``required``, or the value a field left out loads as."""
    return {"required": True} if required else {"load_default": empty}


class Gsrn18(DigitString):
    """An 18-digit GS1 GSRN: a Polish PPE, a Czech electricity EAN, any GS1 supply point code.

    ``prefix`` (the GS1 country prefix and more, ``590`` or ``859182400``) is required at
    the start when given. Kept as 18 digits.
    """

    default_error_messages: dict[str, Any] = {
        "check": _l("The check digit does not match: one of the 18 digits is mistyped. Copy the code from your invoice."),
    }
    """marshmallow's messages by error key (``"check"``: the GS1 check digit is wrong)."""

    def __init__(self, *, prefix: str = "", **kwargs: Any) -> None:
        kwargs["metadata"] = {"inputmode": "numeric", "autocomplete": "off", **kwargs.get("metadata", {})}
        self.prefix = prefix
        """The prefix every code must start with (``""``: any)."""
        super().__init__(length=GSRN_LENGTH, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        if not code.startswith(self.prefix):
            raise _invalid(_l("This code starts with %(prefix)s: copy it from your invoice.", prefix=self.prefix))
        if not is_valid_gsrn18(code):
            raise self.make_error("check")
        return code


class Eic(_LazyMessages, fields.String):
    """A 16-character EIC (a Ukrainian metering point, a Czech gas supply point), in capitals.

    ``prefix`` (``62Z`` for Ukrainian metering points, ``27ZG`` for Czech gas) is required
    at the start when given.
    """

    default_error_messages: dict[str, Any] = {
        "format": _l("An EIC code has 16 letters and digits: copy it from your invoice."),
        "check": _l("The check character of the EIC code does not match: one of the 16 characters is mistyped."),
    }
    """marshmallow's messages by error key (length, characters, check character)."""

    def __init__(self, *, prefix: str = "", **kwargs: Any) -> None:
        kwargs["metadata"] = {"autocomplete": "off", **kwargs.get("metadata", {})}
        self.prefix = prefix.upper()
        """The prefix every code must start with, in capitals (``""``: any)."""
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = normalize_code(super()._deserialize(value, attr, data, **kwargs))
        if len(code) != EIC_LENGTH or not code.isascii() or not code.replace("-", "").isalnum():
            raise self.make_error("format")
        if not code.startswith(self.prefix):
            raise _invalid(_l("This EIC code starts with %(prefix)s: copy it from your invoice.", prefix=self.prefix))
        if not is_valid_eic(code):
            raise self.make_error("check")
        return code


class Iban(_LazyMessages, fields.String):
    """An IBAN typed with or without spaces, kept compact in capitals (``PL61109010...``).

    ``countries`` (ISO codes) limits the banks' countries, for example to where the
    supplier can debit or refund.
    """

    default_error_messages: dict[str, Any] = {
        "invalid_iban": _l("This IBAN is not valid: check it against your bank statement."),
    }
    """marshmallow's messages by error key (an IBAN that fails its check)."""

    def __init__(self, *, countries: tuple[str, ...] = (), **kwargs: Any) -> None:
        kwargs["metadata"] = {"autocomplete": "off", **kwargs.get("metadata", {})}
        self.countries = tuple(code.upper() for code in countries)
        """ISO country codes of the banks accepted (empty: any country)."""
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = compact_iban(super()._deserialize(value, attr, data, **kwargs))
        if not is_valid_iban(code):
            raise self.make_error("invalid_iban")
        if self.countries and code[:2] not in self.countries:
            raise _invalid(_l("Enter the IBAN of an account held in %(countries)s.", countries=_CountryNames(self.countries)))
        return code


class _CountryNames:
    """Country names in the reader's language, joined when the message is shown."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        self.codes = codes

    def __str__(self) -> str:
        from flask_babel import get_locale

        locale = get_locale()
        names = locale.territories if locale is not None else {}
        return ", ".join(names.get(code, code) for code in self.codes)


POD, PDR = "pod", "pdr"
"""The kinds of Italian supply point codes: electricity (POD) and gas (PDR)."""


class PodPdr(_LazyMessages, fields.String):
    """An Italian supply point: a POD (electricity) or a PDR (gas); ``kinds`` may allow one.

    Kept in capitals without spaces (``IT001E12345678``, ``00881234567890``).
    """

    default_error_messages: dict[str, Any] = {
        POD: _l("Enter the POD: IT, three digits, E and eight digits, for example IT001E12345678."),
        PDR: _l("Enter the PDR: fourteen digits, as printed on your gas bill."),
        "either": _l("Enter the POD (IT001E12345678) or the PDR (14 digits) as printed on your bill."),
    }
    """marshmallow's messages by error key (``"pod"``, ``"pdr"``, ``"either"``)."""

    def __init__(self, *, kinds: tuple[str, ...] = (POD, PDR), **kwargs: Any) -> None:
        if not kinds or set(kinds) - {POD, PDR}:
            raise ValueError(f"kinds are {POD!r} and {PDR!r}, not {kinds!r}")
        kwargs["metadata"] = {"autocomplete": "off", **kwargs.get("metadata", {})}
        self.kinds = tuple(kinds)
        """The kinds of code accepted: ``POD``, ``PDR`` or both."""
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if POD in self.kinds and is_valid_pod(text):
            return normalize_code(text)
        if PDR in self.kinds and is_valid_pdr(text):
            return normalize_digits(text)
        raise self.make_error(self.kinds[0] if len(self.kinds) == 1 else "either")


class SupplyPointOfAccount(_LazyMessages, fields.String):
    """One of the supply points of the account the request is about, chosen from a list.

    The value is the supply point's identifier (its PPE, EAN, EIC, POD...), as the
    back-end knows it. The core fills the list with the customer's own supply points
    (:func:`offer_supply_points`; only the chosen account's once it is known) and refuses
    on submit, by the web form and the API alike, a value that is not a supply point of
    the chosen account (:func:`foreign_supply_points`). ``commodity`` (``"electricity"``,
    ``"gas"``) offers only supply points of that energy.
    """

    def __init__(self, *, commodity: str | None = None, **kwargs: Any) -> None:
        kwargs["metadata"] = {"widget": "select", "choices": (), **kwargs.get("metadata", {})}
        self.commodity = commodity
        """Only supply points of this commodity (``None``: any)."""
        super().__init__(**kwargs)

    def offers(self, supply_point: Any) -> bool:
        """Whether ``supply_point`` (a portal ``SupplyPoint``) belongs in the list."""
        return self.commodity is None or supply_point.commodity == self.commodity

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:  # str, or None
        identifier = super()._deserialize(value, attr, data, **kwargs).strip()
        if identifier:
            return identifier
        if self.required:  # none chosen: as when the field is left out
            raise self.make_error("required")
        return None


def supply_point_fields(schema: Any) -> dict[str, SupplyPointOfAccount]:
    """The schema's :class:`SupplyPointOfAccount` fields by their attribute name."""
    return {name: field for name, field in schema.fields.items() if isinstance(field, SupplyPointOfAccount)}


def offer_supply_points(schema: Any, accounts: Any, label: Any) -> Any:
    """``schema`` with the choices of its supply point fields: the supply points of ``accounts``.

    ``label(account, supply_point)`` is what the customer reads for each. The schema is
    changed in place (marshmallow gives each schema instance its own fields) and returned.
    """
    for field in supply_point_fields(schema).values():
        choices = tuple(
            (point.identifier, label(account, point))
            for account in accounts
            for point in account.supply_points
            if field.offers(point)
        )
        field.metadata = {**field.metadata, "choices": choices}
    return schema


def foreign_supply_points(schema: Any, account: Any, data: Any) -> dict[str, list[Any]]:
    """Errors, by input name, for every supply point field of the loaded ``data`` whose value
    is not a supply point of ``account`` (a forged or stale value)."""
    errors: dict[str, list[Any]] = {}
    for name, field in supply_point_fields(schema).items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if not any(point.identifier == value and field.offers(point) for point in account.supply_points):
            errors[field.data_key or name] = [_l("Choose one of the supply points of the chosen customer account.")]
    return errors


E164 = re.compile(r"\+[1-9]\d{7,14}")
"""A phone number in international form as :class:`PhoneNumber` keeps it (``+48601234567``)."""
_MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def phone_example(country: str, *, international: bool = False) -> str:
    """A mobile number of ``country`` as its people write it ("512 345 678" in Poland,
    "312 345 6789" in Italy), or in international form ("+48 512 345 678")."""
    number = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "+44 7400 123456"
    style = phonenumbers.PhoneNumberFormat.INTERNATIONAL if international else phonenumbers.PhoneNumberFormat.NATIONAL
    return phonenumbers.format_number(number, style)


def phone_in_words(e164: str | None, country: str) -> str:
    """A stored number as the customer of ``country`` reads it: national form at home
    ("601 234 567"), international form for a number abroad ("+420 601 123 456")."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(number) == country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


class PhoneNumber(_LazyMessages, fields.String):
    """A phone number of the supplier's ``country`` written as its people write it
    ("601 234 567", "0601 234 567") or in international form ("+48 601 234 567",
    "0048 601 234 567"), checked against the numbering plan (the ``phonenumbers``
    library) and kept in E.164 (``+48601234567``). ``mobile=True`` refuses landlines, for
    text messages. Use :func:`phone_example` for a help text in the same style.
    """

    def __init__(self, *, country: str, mobile: bool = False, **kwargs: Any) -> None:
        self.country = country
        """ISO 3166-1 alpha-2 code of the market: a number without a country code is of it."""
        self.mobile = mobile
        """Only mobile numbers (text messages go to nothing else)."""
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        example = phone_example(self.country)
        try:
            number = phonenumbers.parse(text, self.country)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise _invalid(_l("Enter a phone number, for example %(example)s.", example=example))
        if self.mobile and phonenumbers.number_type(number) not in _MOBILE:
            raise _invalid(_l("Text messages go to mobile phones only: enter a mobile number, for example "
                              "%(example)s.", example=example))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
