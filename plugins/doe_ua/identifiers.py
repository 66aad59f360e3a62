"""Identifiers a Дніпрообленерго customer types: personal account, meter number, EIC, phone.

Ukrainian metering points carry a 16-character EIC issued by the Ukrainian office (``62``)
for an object of type ``Z`` (a metering point); the last character is the ENTSO-E check
character, computed and validated with ``stdnum.eu.eic``. The personal account
(особовий рахунок) is ten digits. Phone numbers are kept in the international ``+380``
form with the nine digits of the national number.
"""

from __future__ import annotations

import re

from stdnum.eu import eic

ACCOUNT_DIGITS = 10
EIC_LENGTH = 16
EIC_PREFIX = "62Z"
"""Ukraine's EIC issuing office (62) and the object type of metering points (Z)."""

_WHITESPACE = re.compile(r"\s+")
_SERIAL_NOISE = re.compile(r"[\s\-./№#]+")
_SERIAL = re.compile(r"^[0-9A-Z]{4,20}$")
_PHONE_NOISE = re.compile(r"[\s\-().]+")
_PHONE = re.compile(r"^(?:\+?380|80|0)([3-9]\d{8})$")


def normalize_eic(value: object) -> str:
    """An EIC as typed, in capitals and without spaces (``-`` belongs to the code)."""
    return _WHITESPACE.sub("", str(value)).upper()


def is_valid_eic(code: object) -> bool:
    """Any EIC (area, party or point) whose ENTSO-E check character is right."""
    return eic.is_valid(normalize_eic(code))


def is_valid_point_eic(code: object) -> bool:
    """A Ukrainian metering point: ``62Z`` + 12 characters + a valid check character."""
    text = normalize_eic(code)
    return len(text) == EIC_LENGTH and text.startswith(EIC_PREFIX) and eic.is_valid(text)


def make_point_eic(body: str) -> str | None:
    """The EIC made of ``body`` (15 characters) and its check character.

    ``None`` when the check character would be ``-``: the standard does not allow it, so
    such a body is never issued.
    """
    if len(body) != EIC_LENGTH - 1 or not body.startswith(EIC_PREFIX):
        raise ValueError(f"an EIC body is 15 characters starting with {EIC_PREFIX}: {body!r}")
    check = eic.calc_check_digit(body)
    return None if check == "-" else body + check


def normalize_meter_serial(value: object) -> str:
    """A meter's factory number as printed on its plate: no spaces, dashes or ``№``."""
    return _SERIAL_NOISE.sub("", str(value)).upper()


def is_valid_meter_serial(value: object) -> bool:
    return bool(_SERIAL.match(normalize_meter_serial(value)))


def normalize_phone(value: object) -> str | None:
    """``+380`` and nine digits, from any usual way of writing a Ukrainian number.

    Accepts ``+380 67 123 45 67``, ``380671234567``, ``067 123 45 67`` and the old
    trunk prefix ``8 067 ...``; ``None`` when it is not a Ukrainian number.
    """
    match = _PHONE.match(_PHONE_NOISE.sub("", str(value)))
    return f"+380{match.group(1)}" if match else None
