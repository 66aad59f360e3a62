"""Refusing passwords that are easy to guess, wherever a password is chosen.

Two checks, both offline: the shipped list of the 20,000 most common passwords
(``core/data/common-passwords.txt.gz``, see the LICENSE beside it), and zxcvbn's estimate
of how many guesses a password takes, which also catches keyboard walks, repeats,
sequences, dates and words with digits around them. The brand's name and the customer's
e-mail address count as known words, and spaces or punctuation between guessable parts do
not make them strong.
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

from flask import current_app, g
from zxcvbn import zxcvbn

COMMON_PASSWORDS = Path(__file__).parent.parent / "data" / "common-passwords.txt.gz"
ESTIMATED_LENGTH = 100  # zxcvbn slows down on long input; the first 100 characters decide
SEPARATORS = re.compile(r"[\s\W_]+")


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _known_words(email: str | None) -> list[str]:
    """What a guesser tries first for this customer: the brand, the e-mail and its parts."""
    words = []
    tenant = g.get("tenant")
    if tenant is not None:
        words += [tenant.code, tenant.supplier.name, str(tenant.theme.label)]
    if email:
        words += [email, *re.split(r"[@._+-]+", email)]
    return [word for word in words if word]


def too_easy(password: str, email: str | None = None) -> bool:
    """True for a common password or one zxcvbn scores below ``PASSWORD_MIN_STRENGTH`` (0-4)."""
    if password.strip().lower() in common_passwords():
        return True
    words = _known_words(email)
    # spaces and punctuation between guessable parts ("innogy innogy") add little: estimated
    # both with and without them, the weaker estimate counts
    candidates = {password[:ESTIMATED_LENGTH], SEPARATORS.sub("", password)[:ESTIMATED_LENGTH]} - {""}
    score = min(zxcvbn(candidate, user_inputs=words)["score"] for candidate in candidates)
    return score < current_app.config["PASSWORD_MIN_STRENGTH"]
