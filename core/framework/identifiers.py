"""Check digits and formats of energy and bank identifiers.

Polish PPE codes and Czech EAN codes of supply points are 18-digit GS1 GSRNs: the last
digit is the GS1 mod-10 check digit over the first 17. ``stdnum.ean.validate`` only
accepts retail lengths (8, 12, 13, 14), so the length is checked here and the digit is
computed with ``stdnum.ean.calc_check_digit``, which works at any length.

An EIC (ENTSO-E Energy Identification Code: Ukrainian metering points, Czech gas supply
points) has 16 characters, the last a check character (``stdnum.eu.eic``). Italian
supply points have no public check digit: a POD (electricity) is ``IT``, the
distributor's three digits, ``E`` and eight digits (sometimes one more character), a
PDR (gas) fourteen digits. An IBAN is checked with ``stdnum.iban``.
"""

from __future__ import annotations

import re

from stdnum import ean, iban
from stdnum.eu import eic

_SEPARATORS = re.compile(r"[\s\-]+")
_WHITESPACE = re.compile(r"\s+")
_POD = re.compile(r"IT\d{3}E\d{8}[A-Z0-9]?")
_PDR = re.compile(r"\d{14}")
GSRN_LENGTH = 18
EIC_LENGTH = 16


def normalize_digits(value: object) -> str:
    """``value`` as typed, without the spaces and dashes people group digits with."""
    return _SEPARATORS.sub("", str(value))


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of ``body`` (the digits before the check digit)."""
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"not a string of digits: {body!r}")
    return ean.calc_check_digit(body)


def is_valid_gsrn18(code: str) -> bool:
    """True for exactly 18 digits whose last one is the GS1 check digit of the rest."""
    return (
        len(code) == GSRN_LENGTH
        and code.isdigit()
        and code.isascii()
        and gs1_check_digit(code[:-1]) == code[-1]
    )


def is_valid_ppe(code: str) -> bool:
    """True for a Polish supply point code (PPE), spaces and dashes allowed."""
    return is_valid_gsrn18(normalize_digits(code))


def make_ppe(body17: str) -> str:
    """The PPE made of 17 digits and their check digit."""
    if len(body17) != 17:
        raise ValueError(f"a PPE body has 17 digits, not {len(body17)}")
    return body17 + gs1_check_digit(body17)


def make_gsrn18(body17: str) -> str:
    """The 18-digit GSRN made of 17 digits (GS1 prefix, company, serial) and their check digit."""
    if len(body17) != GSRN_LENGTH - 1:
        raise ValueError(f"a GSRN body has 17 digits, not {len(body17)}")
    return body17 + gs1_check_digit(body17)


def normalize_code(value: object) -> str:
    """A code as typed, in capitals and without spaces (a dash may belong to an EIC)."""
    return _WHITESPACE.sub("", str(value)).upper()


def is_valid_eic(code: str) -> bool:
    """True for a 16-character EIC whose check character is right."""
    code = normalize_code(code)
    return len(code) == EIC_LENGTH and eic.is_valid(code)


def make_eic(body15: str) -> str | None:
    """The EIC made of 15 characters and their check character.

    ``None`` when that character would be ``-``: the standard never issues such a code.
    """
    body15 = normalize_code(body15)
    if len(body15) != EIC_LENGTH - 1:
        raise ValueError(f"an EIC body has 15 characters, not {len(body15)}")
    check = eic.calc_check_digit(body15)
    return None if check == "-" else body15 + check


def is_valid_pod(code: str) -> bool:
    """An Italian electricity POD: ``IT001E12345678``, sometimes with one more character."""
    return bool(_POD.fullmatch(normalize_code(code)))


def is_valid_pdr(code: str) -> bool:
    """An Italian gas PDR (punto di riconsegna): fourteen digits."""
    return bool(_PDR.fullmatch(normalize_digits(code)))


def compact_iban(value: object) -> str:
    """An IBAN as typed, in capitals and without spaces and dashes."""
    return iban.compact(str(value))


def is_valid_iban(value: object) -> bool:
    """An IBAN with a valid check and the length and format its country prescribes."""
    return iban.is_valid(compact_iban(value))
