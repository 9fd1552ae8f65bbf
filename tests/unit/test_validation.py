"""Field rules shared by forms and imports."""

from datetime import date
from decimal import Decimal

import pytest

from workforce.validation import (
    date_of_birth_problem,
    email_problem,
    hours_problem,
    normalise_swe,
    parse_decimal,
    staff_number_problem,
    swe_problem,
)


@pytest.mark.parametrize("value", ["SW1234567890", "sw1234567890", "AB0000000001"])
def test_valid_swe_numbers(value):
    assert swe_problem(value) is None


@pytest.mark.parametrize("value", ["SW123456789", "S11234567890", "SW12345678901", "1234567890SW"])
def test_invalid_swe_numbers(value):
    assert "2 letters followed by 10 digits" in swe_problem(value)


def test_swe_is_normalised():
    assert normalise_swe(" sw 1234 567890 ") == "SW1234567890"
    assert normalise_swe("  ") is None


def test_staff_number_rules():
    assert staff_number_problem("") == "Enter a staff number"
    assert staff_number_problem("E-123/4") is None
    assert staff_number_problem("has space") is not None


def test_email_rules():
    assert email_problem(None) is None
    assert email_problem("a@b.org") is None
    assert email_problem("not-an-email") is not None


def test_date_of_birth_must_be_plausible():
    today = date(2026, 11, 22)
    assert date_of_birth_problem(date(1990, 1, 1), today) is None
    assert date_of_birth_problem(date(2027, 1, 1), today) == "Date of birth must be in the past"
    assert "at least 16" in date_of_birth_problem(date(2011, 1, 1), today)
    assert "100 years" in date_of_birth_problem(date(1920, 1, 1), today)


def test_hours_rules():
    assert hours_problem(Decimal("37"), Decimal("37")) is None
    assert hours_problem(Decimal("-1"), Decimal("37"))[0] == "contracted_hours"
    assert hours_problem(Decimal("49"), Decimal("37"))[0] == "contracted_hours"
    assert hours_problem(Decimal("10"), Decimal("0"))[0] == "standard_hours"
    assert hours_problem(None, Decimal("37"))[0] == "contracted_hours"


def test_parse_decimal():
    assert parse_decimal(" 22.5 ") == Decimal("22.5")
    assert parse_decimal("") is None
    assert parse_decimal(None) is None
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal("twelve")
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal("nan")
