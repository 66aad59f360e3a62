"""Italian identifiers: POD, PDR, codice fiscale, partita IVA, IBAN, and Italiangas's own codes.

POD and PDR have no public check digit, so only their format is checked (DOMAIN.md);
codice fiscale, partita IVA and IBAN are checked with their real algorithms through
python-stdnum. The registration PIN and the administrator code are Italiangas's own:
they end with a Luhn mod-31 check character over an alphabet without the characters
people confuse (0/O, 1/I/L), so a typo is caught before it counts as a failed attempt.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata

from stdnum import iban, luhn
from stdnum.it import codicefiscale, iva

_NOISE = re.compile(r"[\s\-./]+")
_POD = re.compile(r"^IT\d{3}E\d{8}[A-Z0-9]?$")
_PDR = re.compile(r"^\d{14}$")

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Digits and capitals without 0, 1, I, L and O: what a PIN or code may contain."""

PIN_LENGTH = 8
ADMIN_CODE_PREFIX = "AM"
ADMIN_CODE_LENGTH = 10

SEPA_COUNTRIES = frozenset(
    {
        # European Union
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
        # the rest of the EEA, and the other countries of the SEPA schemes
        "IS", "LI", "NO", "CH", "GB", "GI", "MC", "SM", "VA", "AD",
        # admitted to the SEPA schemes in 2025
        "AL", "MD", "ME", "MK",
    }
)
"""Countries whose IBANs an Italian creditor can debit under a SEPA Core mandate."""


def compact(value: object) -> str:
    """``value`` in capitals, without the spaces, dashes, dots and slashes people type."""
    return _NOISE.sub("", str(value)).upper()


# --- supply points ---------------------------------------------------------------------


def is_valid_pod(value: object) -> bool:
    """An electricity POD: ``IT``, the distributor's three digits, ``E``, eight digits,
    and sometimes one more character (``IT001E12345678`` or ``IT001E12345678A``)."""
    return bool(_POD.match(compact(value)))


def is_valid_pdr(value: object) -> bool:
    """A gas PDR (punto di riconsegna): exactly fourteen digits."""
    return bool(_PDR.match(compact(value)))


def supply_point_kind(value: object) -> str | None:
    """``"pod"``, ``"pdr"`` or ``None``: what a supply point code typed by a customer is."""
    if is_valid_pod(value):
        return "pod"
    if is_valid_pdr(value):
        return "pdr"
    return None


# --- tax and bank identifiers ---------------------------------------------------------------


def is_valid_codice_fiscale(value: object) -> bool:
    """A person's 16-character codice fiscale, or the 11-digit one of a company or a
    condominium, with its check character."""
    return codicefiscale.is_valid(compact(value))


def is_personal_codice_fiscale(value: object) -> bool:
    """True for a valid 16-character codice fiscale, the kind only people have."""
    code = compact(value)
    return len(code) == 16 and codicefiscale.is_valid(code)


_VOWELS = frozenset("AEIOU")
_MONTH_LETTERS = "ABCDEHLMPRST"


def name_letters(name: str) -> str:
    """The letters of a name as the codice fiscale sees them: capitals, no accents,
    no spaces or apostrophes (``D'Angelo`` -> ``DANGELO``)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed.upper() if "A" <= c <= "Z")


def surname_code(surname: str) -> str:
    """The three letters for the surname: consonants, then vowels, then ``X``."""
    letters = name_letters(surname)
    consonants = [c for c in letters if c not in _VOWELS]
    vowels = [c for c in letters if c in _VOWELS]
    return "".join(consonants + vowels + ["X"] * 3)[:3]


def first_name_code(first_name: str) -> str:
    """The three letters for the first name: with four consonants or more, the first,
    third and fourth; otherwise as for the surname."""
    letters = name_letters(first_name)
    consonants = [c for c in letters if c not in _VOWELS]
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    vowels = [c for c in letters if c in _VOWELS]
    return "".join(consonants + vowels + ["X"] * 3)[:3]


def make_codice_fiscale(
    surname: str, first_name: str, birth_date: dt.date, female: bool, comune: str
) -> str:
    """A person's codice fiscale from its parts; ``comune`` is the cadastral code of the
    place of birth (``H501`` for Rome)."""
    day = birth_date.day + (40 if female else 0)
    body = (
        f"{surname_code(surname)}{first_name_code(first_name)}{birth_date:%y}"
        f"{_MONTH_LETTERS[birth_date.month - 1]}{day:02d}{comune}"
    )
    return body + codicefiscale.calc_check_digit(body)


def is_valid_partita_iva(value: object) -> bool:
    """An 11-digit partita IVA with its Luhn check digit and a real tax-office code."""
    code = compact(value)
    if code.startswith("IT"):
        code = code[2:]
    return iva.is_valid(code)


def make_partita_iva(body: str) -> str:
    """The 11-digit number (partita IVA, or the codice fiscale of a company or a
    condominium) made of ten digits and their Luhn check digit."""
    if len(body) != 10 or not body.isdigit():
        raise ValueError(f"a partita IVA body has ten digits, not {body!r}")
    return body + luhn.calc_check_digit(body)


def is_valid_iban(value: object) -> bool:
    return iban.is_valid(compact(value))


def is_sepa_iban(value: object) -> bool:
    """A valid IBAN of a country in the SEPA schemes (Italy included)."""
    code = compact(value)
    return iban.is_valid(code) and code[:2] in SEPA_COUNTRIES


# --- Italiangas's own codes ---------------------------------------------------------------------


def _with_check_character(body: str) -> str:
    return body + luhn.calc_check_digit(body, CODE_ALPHABET)


def _has_valid_check_character(code: str) -> bool:
    return all(c in CODE_ALPHABET for c in code) and luhn.is_valid(code, CODE_ALPHABET)


def make_pin(rng: random.Random) -> str:
    """A new registration PIN: seven random characters and the check character."""
    return _with_check_character("".join(rng.choice(CODE_ALPHABET) for _ in range(PIN_LENGTH - 1)))


def is_valid_pin(value: object) -> bool:
    """Eight characters of :data:`CODE_ALPHABET`, the last one checking the others."""
    code = compact(value)
    return len(code) == PIN_LENGTH and _has_valid_check_character(code)


def make_admin_code(rng: random.Random) -> str:
    """A new Codice Amministratore: ``AM``, seven random characters, the check character."""
    body = ADMIN_CODE_PREFIX + "".join(
        rng.choice(CODE_ALPHABET) for _ in range(ADMIN_CODE_LENGTH - len(ADMIN_CODE_PREFIX) - 1)
    )
    return _with_check_character(body)


def is_valid_admin_code(value: object) -> bool:
    """``AM`` and eight characters of :data:`CODE_ALPHABET`, the last a check character."""
    code = compact(value)
    return (
        len(code) == ADMIN_CODE_LENGTH
        and code.startswith(ADMIN_CODE_PREFIX)
        and _has_valid_check_character(code)
    )
