"""Check digits of energy identifiers.

Polish PPE codes and Czech EAN codes of supply points are 18-digit GS1 GSRNs: the last
digit is the GS1 mod-10 check digit over the first 17. ``stdnum.ean.validate`` only
accepts retail lengths (8, 12, 13, 14), so the length is checked here and the digit is
computed with ``stdnum.ean.calc_check_digit``, which works at any length.
"""

from __future__ import annotations

import re

from stdnum import ean

_SEPARATORS = re.compile(r"[\s\-]+")


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
        len(code) == 18
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
