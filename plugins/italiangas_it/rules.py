"""Italiangas's business rules that look at more than one field.

SEPA direct debit (domiciliazione bancaria) may only be set up on a bank account the
customer holds: the back-office compares the name of the bank account's holder with the
holder of the supply contract, and the codice fiscale given with both. A person's
codice fiscale begins with three letters of the surname and three of the first name, so
it also catches a mandate filled in with someone else's tax code.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from plugins.italiangas_it.identifiers import (
    compact,
    first_name_code,
    is_personal_codice_fiscale,
    is_valid_codice_fiscale,
    surname_code,
)

_IGNORED_WORDS = frozenset({"SIG", "SIGRA", "SIGNOR", "SIGNORA", "DOTT", "DOTTSSA", "DR", "ING", "AVV"})
"""Titles some people put before their name; they are not part of it."""


def name_words(name: str) -> list[str]:
    """The words of a name, in capitals without accents and titles.

    Apostrophes and dots join (``D'Angelo``, ``S.r.l.``, ``Dott.ssa`` are one word each);
    other punctuation separates.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    cleaned = "".join(
        c if c.isalnum() else ("" if c in "'’`." else " ") for c in plain
    )
    return [word for word in cleaned.split() if word not in _IGNORED_WORDS]


def same_name(first: str, second: str) -> bool:
    """The same words in any order: "ROSSI MARIO" is "Mario Rossi"."""
    words = name_words(first)
    return bool(words) and Counter(words) == Counter(name_words(second))


def tax_code_matches_name(codice_fiscale: str, first_name: str, surname: str) -> bool:
    """Whether a person's codice fiscale begins with the letters of this name."""
    code = compact(codice_fiscale)
    if not is_personal_codice_fiscale(code):
        return False
    return code[:6] == surname_code(surname) + first_name_code(first_name)


def tax_code_matches_full_name(codice_fiscale: str, full_name: str) -> bool:
    """Like :func:`tax_code_matches_name` for a name written in one piece, whichever
    words are the first name and whichever the surname ("Maria Grazia De Luca",
    "DE LUCA MARIA GRAZIA")."""
    words = name_words(full_name)
    for split in range(1, len(words)):
        head, tail = " ".join(words[:split]), " ".join(words[split:])
        if tax_code_matches_name(codice_fiscale, head, tail) or tax_code_matches_name(
            codice_fiscale, tail, head
        ):
            return True
    return False


def holder_matches(account_holder_name: str, holder_name: str, codice_fiscale: str) -> bool:
    """Whether the holder of the bank account is the holder of the supply contract.

    ``account_holder_name`` is the bank account's holder as written on the mandate,
    ``holder_name`` the contract holder on the Italiangas account, ``codice_fiscale``
    the tax code written on the mandate. The names must be the same words; a person's
    16-character codice fiscale must also belong to that name. An 11-digit codice
    fiscale (companies, condominiums) carries no name, so only its check digit counts.
    """
    if not same_name(account_holder_name, holder_name):
        return False
    code = compact(codice_fiscale)
    if not is_valid_codice_fiscale(code):
        return False
    if len(code) == 16:
        return tax_code_matches_full_name(code, holder_name)
    return True
