"""Capability judgements on hand-made values."""

from __future__ import annotations

from datetime import date

import pytest

from workforce.metrics.capability import (
    Judgement,
    ProfileCriteria,
    RatingRow,
    assessment_overdue,
    judge,
    latest_ratings,
    match_profile,
    months_before,
)


@pytest.mark.parametrize(
    ("rating", "assessed", "expected", "judgement"),
    [
        ("meets", 6, 6, Judgement.MEETS),
        ("exceeds", 6, 6, Judgement.MEETS),
        ("developing", 6, 6, Judgement.BELOW),
        ("not_yet_evident", 6, 6, Judgement.BELOW),
        # Meeting a higher level meets the lower one...
        ("meets", 7, 6, Judgement.MEETS),
        # ...but developing at a higher level says nothing about the expected one.
        ("developing", 7, 6, Judgement.NOT_AT_LEVEL),
        # Meeting a lower level (before a promotion) has not shown the expected one.
        ("exceeds", 5, 6, Judgement.BELOW),
        (None, 6, 6, Judgement.NOT_ASSESSED),
        ("meets", None, 6, Judgement.NOT_ASSESSED),
        ("meets", 6, None, Judgement.NOT_ASSESSED),
    ],
)
def test_judge(
    rating: str | None, assessed: int | None, expected: int | None, judgement: Judgement
) -> None:
    assert judge(rating, assessed, expected) is judgement


def test_latest_rating_per_domain_takes_latest_date_then_later_assessment() -> None:
    rows = [
        RatingRow(1, "developing", date(2025, 3, 1), 10, 6),
        RatingRow(1, "meets", date(2025, 9, 1), 11, 6),
        RatingRow(1, "exceeds", date(2025, 6, 1), 12, 6),
        RatingRow(2, "meets", date(2025, 9, 1), 13, 6),
        RatingRow(2, "developing", date(2025, 9, 1), 14, 6),
    ]
    latest = latest_ratings(rows)
    assert latest[1].rating == "meets"
    assert latest[2].assessment_id == 14
    assert latest_ratings([]) == {}


def test_most_specific_profile_wins() -> None:
    profiles = [
        ProfileCriteria(),  # the default
        ProfileCriteria(org_role="5"),
        ProfileCriteria(org_role="5", grade="SW1"),
        ProfileCriteria(post_title="Practice educator"),
    ]
    assert match_profile(profiles, "Social worker", "5", "SW2") == 1
    assert match_profile(profiles, "Social worker", "5", "sw1") == 2
    assert match_profile(profiles, "practice EDUCATOR ", "6", "AP1") == 3
    assert match_profile(profiles, "Family support worker", None, "FSW") == 0
    assert match_profile(profiles[1:], "Family support worker", None, "FSW") is None
    assert match_profile([], "Social worker", "5", "SW2") is None


def test_equally_specific_profiles_take_the_first_listed() -> None:
    profiles = [ProfileCriteria(grade="SW2"), ProfileCriteria(grade="SW2")]
    assert match_profile(profiles, "Social worker", "5", "SW2") == 0


def test_a_profile_needing_a_value_does_not_match_a_spell_without_it() -> None:
    assert not ProfileCriteria(grade="SW2").matches("Social worker", "5", None)
    assert not ProfileCriteria(post_title="Social worker").matches(None, "5", "SW2")
    assert not ProfileCriteria(org_role="5").matches("Social worker", None, "SW2")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 22), 12, date(2025, 11, 22)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_assessment_overdue_after_twelve_months() -> None:
    today = date(2026, 11, 22)
    assert assessment_overdue(None, today)
    assert not assessment_overdue(date(2025, 11, 22), today)
    assert assessment_overdue(date(2025, 11, 21), today)


def test_domain_bitmasks_split_into_words_and_back() -> None:
    """Capability gaps carry each assessment's ratings as bitmasks of domains, split into
    words of 62 bits in SQL: a framework past the first word reads back whole."""
    from types import SimpleNamespace

    from workforce.reports.capability import WORD_BITS, _DomainBits

    many = {1: [SimpleNamespace(id=i) for i in range(1, 71)], 2: [SimpleNamespace(id=71)]}
    bits = _DomainBits.of(many)  # type: ignore[arg-type]
    assert bits.words == 2 and bits.offset == {1: 0, 2: 70}
    assert bits.bit_of[71] == 70 and 70 // WORD_BITS == 1
    assert bits.combine([None, None]) is None
    assert bits.combine([3, 1]) == 3 + (1 << WORD_BITS)
    assert bits.combine([None, 1 << 8]) == 1 << 70
