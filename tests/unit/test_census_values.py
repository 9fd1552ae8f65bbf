"""The census return's text helpers give what they always gave: a Social Work England
number normalised, and the qualifying institutions split, on their quick paths too."""

from __future__ import annotations

import random
import re

import pytest

from workforce.services.census import split_institutions
from workforce.validation import normalise_swe

#: Letters, digits, separators and white space of several kinds (Unicode ones included),
#: and characters whose upper case is longer than they are.
ALPHABET = "aZ09 ;\t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u3000ßﬁİıé-"


def swe_as_it_was(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = re.sub(r"\s+", "", value).upper()
    return cleaned or None


def institutions_as_they_were(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


@pytest.mark.parametrize("seed", range(20))
def test_the_quick_paths_give_what_the_rules_always_gave(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(2000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 10)))
        assert normalise_swe(text) == swe_as_it_was(text), repr(text)
        assert split_institutions(text) == institutions_as_they_were(text), repr(text)


@pytest.mark.parametrize(
    "text", [None, "", " ", ";", " ; ", "a;", " Leeds ", "Leeds", "Leeds; York", "sw1234567890"]
)
def test_edges(text: str | None) -> None:
    assert normalise_swe(text) == swe_as_it_was(text)
    assert split_institutions(text) == institutions_as_they_were(text)


def test_no_white_space_is_a_letter_or_digit() -> None:
    """``normalise_swe`` skips the white space removal for text of letters and digits
    alone: no character is both."""
    assert not [c for c in map(chr, range(0x110000)) if c.isalnum() and re.fullmatch(r"\s", c)]
