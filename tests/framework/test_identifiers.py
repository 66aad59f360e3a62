"""GS1 check digits of 18-digit supply point codes (Polish PPE, Czech EAN)."""

from __future__ import annotations

import pytest

from core.framework.identifiers import (
    gs1_check_digit,
    is_valid_gsrn18,
    is_valid_ppe,
    make_ppe,
    normalize_digits,
)

VALID_PPE = make_ppe("59054300012345678")


def test_published_gs1_examples_give_their_check_digits():
    # GS1 General Specifications, check digit example: GTIN-13 629104150021 + 3.
    assert gs1_check_digit("629104150021") == "3"
    # GS1 US example SSCC (company prefix 0614141): 18 digits, same algorithm.
    assert gs1_check_digit("10614141123456789") == "7"
    assert is_valid_gsrn18("106141411234567897")


def test_made_ppe_is_valid_and_starts_with_its_body():
    assert len(VALID_PPE) == 18
    assert VALID_PPE.startswith("59054300012345678")
    assert is_valid_ppe(VALID_PPE)


def test_ppe_may_be_typed_with_spaces_and_dashes():
    grouped = f"{VALID_PPE[:3]} {VALID_PPE[3:9]}-{VALID_PPE[9:]}"
    assert is_valid_ppe(grouped)
    assert normalize_digits(grouped) == VALID_PPE


@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != VALID_PPE[-1]])
def test_wrong_check_digit_is_refused(wrong):
    assert not is_valid_ppe(VALID_PPE[:-1] + wrong)


def test_any_single_mistyped_digit_is_caught():
    for position in range(17):
        digit = VALID_PPE[position]
        typo = str((int(digit) + 1) % 10)
        assert not is_valid_ppe(VALID_PPE[:position] + typo + VALID_PPE[position + 1 :])


@pytest.mark.parametrize(
    "code",
    [
        VALID_PPE[:-1],  # 17 digits
        VALID_PPE + "0",  # 19 digits
        "",
        "59054300012345678X",
        "PL0037910000000001",
        "５９０５４３０００１２３４５６７８" + VALID_PPE[-1],  # full-width digits
    ],
)
def test_wrong_shapes_are_refused(code):
    assert not is_valid_ppe(code)


def test_make_ppe_needs_seventeen_digits():
    with pytest.raises(ValueError):
        make_ppe("5905430001234567")
    with pytest.raises(ValueError):
        gs1_check_digit("59054300O12345678")
