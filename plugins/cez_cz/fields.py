"""marshmallow fields for what Czech customers type: EAN/EIC, phone, PSČ, bank account.

Each field accepts the usual ways of writing the value (spaces, prefixes, an IBAN for an
account number), checks it with the real algorithm and hands the schema one canonical
form, so the back-office never receives the same thing written three ways.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from marshmallow import ValidationError, fields
from stdnum import iban
from stdnum.cz import bankaccount

from core.plugin_api import LocalizedDecimal
from plugins.cez_cz.codes import (
    InvalidSupplyPointCode,
    Kind,
    Problem,
    SupplyPointCode,
    parse_supply_point_code,
)
from plugins.cez_cz.i18n import _

_PHONE_NOISE = re.compile(r"[\s\-().]+")
_PHONE = re.compile(r"^(?:\+420|00420)?([2-9]\d{8})$")
_POSTCODE = re.compile(r"^([1-7]\d{2})\s?(\d{2})$")
_DOMESTIC_ACCOUNT = re.compile(r"^(?:(\d{1,6})-)?(\d{2,10})/(\d{4})$")
MAX_METER_VALUE = decimal.Decimal(99_999_999)


def fail(message: Any) -> ValidationError:
    """An error holding one (lazy) message in a list, as marshmallow holds plain ones."""
    return ValidationError([message])


_CODE_MESSAGES = {
    Problem.UNRECOGNISED: _(
        "Enter the EAN of an electricity supply point (18 digits starting 859182400) "
        "or the EIC of a gas supply point (16 characters starting 27ZG)."
    ),
    Problem.EAN_LENGTH: _("An EAN has exactly 18 digits. Copy it from your invoice, not the meter number."),
    Problem.EAN_PREFIX: _("A Czech electricity EAN starts with 859182400."),
    Problem.EAN_AREA: _("The 10th digit of the EAN names no Czech distribution area; check the code on your invoice."),
    Problem.EAN_CHECK: _("The EAN's check digit does not match: one of the 18 digits is mistyped."),
    Problem.EIC_FORMAT: _("A gas EIC has 16 letters and digits and starts with 27ZG, for example 27ZG600Z0123456X."),
    Problem.EIC_CHECK: _("The EIC's check character does not match: one of the 16 characters is mistyped."),
}


class SupplyPointCodeField(fields.String):
    """The EAN (electricity) or EIC (gas) of a supply point; ``kinds`` may allow just one."""

    def __init__(self, *, kinds: tuple[Kind, ...] = (Kind.EAN, Kind.EIC), **kwargs: Any) -> None:
        self.kinds = kinds
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return self.parse(super()._deserialize(value, attr, data, **kwargs)).code

    def parse(self, text: str) -> SupplyPointCode:
        try:
            code = parse_supply_point_code(text)
        except InvalidSupplyPointCode as exc:
            raise fail(_CODE_MESSAGES[exc.problem]) from None
        if code.kind not in self.kinds:
            if Kind.EAN in self.kinds:
                raise fail(_("This request is for electricity: enter the EAN of an electricity supply point."))
            raise fail(_("This request is for gas: enter the EIC of a gas supply point."))
        return code


class CzechPhone(fields.String):
    """A Czech phone number typed any usual way, kept as ``+420`` and nine digits."""

    def __init__(self, *, mobile: bool = False, **kwargs: Any) -> None:
        self.mobile = mobile
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _PHONE_NOISE.sub("", super()._deserialize(value, attr, data, **kwargs))
        match = _PHONE.match(text)
        if match is None:
            raise fail(_("Enter a Czech phone number of nine digits, for example 601 234 567."))
        if self.mobile and match.group(1)[0] not in "67":
            raise fail(_("Text messages go to mobile numbers only: they start with 6 or 7."))
        return f"+420{match.group(1)}"


def is_mobile(phone: str) -> bool:
    """True for a canonical Czech mobile number (+420 6xx or 7xx)."""
    return phone.startswith("+420") and phone[4:5] in ("6", "7")


class Postcode(fields.String):
    """A Czech postcode (PSČ), three and two digits, kept as ``110 00``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        match = _POSTCODE.match(text)
        if match is None:
            raise fail(_("Enter a postcode (PSČ) of five digits, for example 110 00."))
        return f"{match.group(1)} {match.group(2)}"


class ForeignAccount(ValueError):
    """An IBAN of a bank outside Czechia: refunds and direct debits are in CZK at home."""


def domestic_account(text: str) -> str:
    """A Czech account ``prefix-number/bank`` or a Czech IBAN, as ``prefix-number/bank``.

    Raises :class:`ForeignAccount` for another country's IBAN and ``ValueError`` (or a
    python-stdnum error) for anything that is not a valid Czech account.
    """
    compact = "".join(text.split()).upper()
    if compact[:2].isalpha():
        if not compact.startswith("CZ"):
            raise ForeignAccount(compact[:2])
        iban.validate(compact)
        bank, prefix, number = compact[4:8], compact[8:14], compact[14:24]
    else:
        match = _DOMESTIC_ACCOUNT.match(compact)
        if match is None:
            raise ValueError("not an account number")
        prefix, number, bank = match.group(1) or "0", match.group(2), match.group(3)
    bankaccount.validate(f"{prefix}-{number}/{bank}")
    prefix, number = prefix.lstrip("0"), number.lstrip("0")
    return f"{prefix}-{number}/{bank}" if prefix else f"{number}/{bank}"


class BankAccount(fields.String):
    """A Czech bank account, typed domestically or as an IBAN; checked and kept domestic."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return domestic_account(text)
        except ForeignAccount:
            raise fail(_("Enter an account held with a bank in the Czech Republic (an IBAN starting CZ).")) from None
        except (ValueError, bankaccount.ValidationError, iban.ValidationError):
            raise fail(
                _("This is not a valid Czech bank account: check the number, for example 19-2000145399/0800 or CZ65 0800 0000 1920 0014 5399.")
            ) from None


class MeterValue(LocalizedDecimal):
    """A meter state in whole units (kWh or m³), as the self-reading rules ask."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> decimal.Decimal:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number != number.to_integral_value():
            raise fail(_("Enter the whole number on the meter, without the digits after the decimal point."))
        if number < 0 or number > MAX_METER_VALUE:
            raise fail(_("Enter the meter state as shown, at most eight digits."))
        return number.quantize(decimal.Decimal(1))


class WholeCrowns(LocalizedDecimal):
    """An amount in whole Czech crowns (advances are never set in hellers)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> decimal.Decimal:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number != number.to_integral_value():
            raise fail(_("Enter the amount in whole crowns."))
        return number.quantize(decimal.Decimal(1))
