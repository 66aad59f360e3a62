"""Czech supply point codes (EAN, EIC) and main circuit breakers (jistič).

An electricity supply point (odběrné místo) has an 18-digit EAN: ``859182400``, one digit
naming the distribution area (EG.D 1-2, PREdistribuce 3, ČEZ Distribuce 4-8), seven
digits and the GS1 mod-10 check digit. A gas supply point has a 16-character EIC
``27ZG...`` whose last character is the ENTSO-E check character. Customers copy both from
the invoice, often with spaces, and mix them up with the meter number; telling exactly
what is wrong with a code saves a call to the hotline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from stdnum.eu import eic

from core.plugin_api import gs1_check_digit, is_valid_gsrn18
from core.plugin_api.billing import Commodity

EAN_PREFIX = "859182400"
EAN_LENGTH = 18
EIC_PREFIX = "27ZG"
EIC_LENGTH = 16

CEZ_DISTRIBUCE = "ČEZ Distribuce"
EGD = "EG.D"
PRE_DISTRIBUCE = "PREdistribuce"
GASNET = "GasNet"
PPD = "Pražská plynárenská Distribuce"

AREA_DIGITS: dict[str, tuple[str, ...]] = {
    EGD: ("1", "2"),
    PRE_DISTRIBUCE: ("3",),
    CEZ_DISTRIBUCE: ("4", "5", "6", "7", "8"),
}
"""The 10th digit of an EAN: which electricity distributor's area the point lies in."""

DISTRIBUTOR_BY_DIGIT = {digit: name for name, digits in AREA_DIGITS.items() for digit in digits}

_SPACES = re.compile(r"\s+")
_EIC_SHAPE = re.compile(r"^[0-9A-Z-]{16}$")

VOLTAGE = 230
"""Phase voltage of Czech low-voltage supplies, for the power a breaker allows."""


class Kind(StrEnum):
    EAN = "ean"
    EIC = "eic"


class Problem(StrEnum):
    """What is wrong with a typed supply point code, so the message can say it."""

    UNRECOGNISED = "unrecognised"
    EAN_LENGTH = "ean_length"
    EAN_PREFIX = "ean_prefix"
    EAN_AREA = "ean_area"
    EAN_CHECK = "ean_check"
    EIC_FORMAT = "eic_format"
    EIC_CHECK = "eic_check"


class InvalidSupplyPointCode(ValueError):
    def __init__(self, problem: Problem, value: str) -> None:
        super().__init__(f"{problem}: {value!r}")
        self.problem = problem
        self.value = value


@dataclass(frozen=True)
class SupplyPointCode:
    """A checked EAN or EIC in its compact form."""

    kind: Kind
    code: str

    @property
    def commodity(self) -> Commodity:
        return Commodity.ELECTRICITY if self.kind is Kind.EAN else Commodity.GAS

    @property
    def distributor(self) -> str | None:
        """The electricity distributor named by the EAN's 10th digit (None for gas)."""
        return DISTRIBUTOR_BY_DIGIT.get(self.code[9]) if self.kind is Kind.EAN else None


def compact_code(value: object) -> str:
    """The code without spaces, in capitals; dashes go only from an all-digit EAN."""
    text = _SPACES.sub("", str(value)).upper()
    if text and set(text) <= set("0123456789-"):
        text = text.replace("-", "")
    return text


def parse_supply_point_code(value: object) -> SupplyPointCode:
    """Check an EAN or EIC as typed; raise :class:`InvalidSupplyPointCode` naming the fault."""
    text = compact_code(value)
    if text.isdigit() and text.isascii():
        if len(text) != EAN_LENGTH:
            raise InvalidSupplyPointCode(Problem.EAN_LENGTH, text)
        if not text.startswith(EAN_PREFIX):
            raise InvalidSupplyPointCode(Problem.EAN_PREFIX, text)
        if text[9] not in DISTRIBUTOR_BY_DIGIT:
            raise InvalidSupplyPointCode(Problem.EAN_AREA, text)
        if not is_valid_gsrn18(text):
            raise InvalidSupplyPointCode(Problem.EAN_CHECK, text)
        return SupplyPointCode(Kind.EAN, text)
    if text.startswith("27"):
        if len(text) != EIC_LENGTH or not text.startswith(EIC_PREFIX) or not _EIC_SHAPE.match(text):
            raise InvalidSupplyPointCode(Problem.EIC_FORMAT, text)
        try:
            eic.validate(text)
        except eic.InvalidChecksum:
            raise InvalidSupplyPointCode(Problem.EIC_CHECK, text) from None
        except eic.ValidationError:
            raise InvalidSupplyPointCode(Problem.EIC_FORMAT, text) from None
        return SupplyPointCode(Kind.EIC, text)
    raise InvalidSupplyPointCode(Problem.UNRECOGNISED, text)


def is_valid_ean(value: object) -> bool:
    try:
        return parse_supply_point_code(value).kind is Kind.EAN
    except InvalidSupplyPointCode:
        return False


def is_valid_eic(value: object) -> bool:
    try:
        return parse_supply_point_code(value).kind is Kind.EIC
    except InvalidSupplyPointCode:
        return False


def make_ean(area_digit: str, serial: int) -> str:
    """The EAN of a point in the area ``area_digit`` with a seven-digit serial."""
    if area_digit not in DISTRIBUTOR_BY_DIGIT:
        raise ValueError(f"no distribution area has digit {area_digit!r}")
    body = f"{EAN_PREFIX}{area_digit}{serial:07d}"
    if len(body) != EAN_LENGTH - 1:
        raise ValueError(f"serial {serial} has more than seven digits")
    return body + gs1_check_digit(body)


def make_eic(area: str, serial: int) -> str:
    """A gas point's EIC: ``27ZG``, a three-digit area, ``Z``, seven digits, check character."""
    body = f"{EIC_PREFIX}{area}Z{serial:07d}"
    if len(body) != EIC_LENGTH - 1 or not area.isdigit():
        raise ValueError(f"area {area!r} or serial {serial} does not fit an EIC")
    return body + eic.calc_check_digit(body)


# -------------------------------------------------------------------------
# Main circuit breakers
# -------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class CircuitBreaker:
    """A main circuit breaker before the meter: phases x rated current."""

    phases: int
    amperes: int

    @property
    def label(self) -> str:
        return f"{self.phases}x{self.amperes} A"

    @property
    def code(self) -> str:
        """A form value without spaces: ``3x25``."""
        return f"{self.phases}x{self.amperes}"

    @property
    def power_kw(self) -> Decimal:
        """The power the breaker allows, kept as the supply point's contracted power."""
        return (Decimal(self.phases * self.amperes * VOLTAGE) / 1000).quantize(Decimal("0.01"))


BREAKERS: tuple[CircuitBreaker, ...] = tuple(
    CircuitBreaker(phases, amperes)
    for phases, amperes in (
        (1, 16), (1, 20), (1, 25), (1, 32),
        (3, 10), (3, 13), (3, 16), (3, 20), (3, 25), (3, 32), (3, 40), (3, 50), (3, 63),
    )
)
_BREAKER_TEXT = re.compile(r"^\s*([13])\s*[x×X]\s*(\d{1,3})\s*A?\s*$")


def breaker_for_power(power_kw: Decimal | None) -> CircuitBreaker | None:
    """The breaker a contracted power stands for, if it is one of the standard sizes."""
    if power_kw is None:
        return None
    return next((b for b in BREAKERS if b.power_kw == Decimal(power_kw)), None)


def parse_breaker(text: str) -> CircuitBreaker:
    """``3x25 A``, ``3×25A`` or ``3x25`` as one of the standard breakers."""
    match = _BREAKER_TEXT.match(text)
    if match:
        wanted = CircuitBreaker(int(match.group(1)), int(match.group(2)))
        if wanted in BREAKERS:
            return wanted
    raise ValueError(f"not a standard circuit breaker: {text!r}")
