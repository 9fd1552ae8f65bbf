"""Field rules shared by forms and imports, so both say the same thing."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

SWE_PATTERN = re.compile(r"^[A-Za-z]{2}\d{10}$")
STAFF_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,29}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_WEEKLY_HOURS = Decimal("48")


WHITESPACE = re.compile(r"\s+")


def normalise_swe(value: str | None) -> str | None:
    """Upper-case a Social Work England number and drop spaces; None when empty."""
    if value is None:
        return None
    # Letters and digits alone (as numbers are stored) hold no white space to drop.
    cleaned = (value if value.isalnum() else WHITESPACE.sub("", value)).upper()
    return cleaned or None


def swe_problem(value: str | None) -> str | None:
    """Why a Social Work England number is invalid: two letters and ten digits, e.g. SW1234567890."""
    if value and not SWE_PATTERN.match(value):
        return (
            "Social Work England number must be 2 letters followed by 10 digits, like SW1234567890"
        )
    return None


def staff_number_problem(value: str | None) -> str | None:
    """Why a staff number is invalid."""
    if not value:
        return "Enter a staff number"
    if not STAFF_NUMBER_PATTERN.match(value):
        return "Staff number must be up to 30 letters, digits, dashes, dots, slashes or underscores"
    return None


def email_problem(value: str | None) -> str | None:
    """Why an email address is invalid (an empty one is allowed)."""
    if value and (len(value) > 320 or not EMAIL_PATTERN.match(value)):
        return "Enter an email address in the correct format, like name@example.org"
    return None


def date_of_birth_problem(value: date | None, today: date | None = None) -> str | None:
    """A date of birth must make the person between 16 and 100 years old."""
    if value is None:
        return None
    today = today or date.today()
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if value > today:
        return "Date of birth must be in the past"
    if age < 16:
        return "Date of birth must make the person at least 16 years old"
    if age > 100:
        return "Date of birth must be within the last 100 years"
    return None


def hours_problem(contracted: Decimal | None, standard: Decimal | None) -> tuple[str, str] | None:
    """(field, message) when contracted or standard weekly hours are impossible."""
    if contracted is None:
        return "contracted_hours", "Enter contracted hours a week"
    if standard is None:
        return "standard_hours", "Enter standard hours a week for the grade"
    if contracted < 0:
        return "contracted_hours", "Contracted hours cannot be negative"
    if contracted > MAX_WEEKLY_HOURS:
        return "contracted_hours", f"Contracted hours must be {MAX_WEEKLY_HOURS} or fewer a week"
    if standard <= 0 or standard > MAX_WEEKLY_HOURS:
        return (
            "standard_hours",
            f"Standard hours must be more than 0 and no more than {MAX_WEEKLY_HOURS}",
        )
    return None


def parse_decimal(value: object) -> Decimal | None:
    """Read a number from text or a spreadsheet cell; None when empty; ValueError when not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a number") from error
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number
