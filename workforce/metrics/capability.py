"""Capability judgements: which role profile applies, and whether a rating meets expectation.

Pure functions on plain values (no Flask, no database), so they are tested on hand-made data.

**Ratings.** Every domain is rated against a framework level on one scale, in order:
not yet evident, developing, meets, exceeds. "Meets" and "exceeds" meet the level.

**Against expectation.** A person is expected to work at the level their role profile
gives. A domain's latest rating (from signed-off assessments other than self-assessments)
is judged against that level:

- rated at the expected level: *meets* when the rating meets the level, else *below*;
- rated at a higher level of the same framework: *meets* when the rating meets that level
  (capability at a higher level includes the lower one); otherwise *not assessed at the
  expected level* (a rating of "developing" at a higher level says nothing about the
  expected one);
- rated at a lower level (say, before a promotion): *below*, because capability at the
  expected level has not been shown;
- no rating, or no expected level: *not assessed*.

A domain counts as a gap when it is *below*. Completed training is shown as evidence
beside a gap, never as a rating.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: The rating scale, in order, with the label shown to people.
RATINGS: dict[str, str] = {
    "not_yet_evident": "Not yet evident",
    "developing": "Developing",
    "meets": "Meets",
    "exceeds": "Exceeds",
}
#: Ratings that meet the level they are given against.
MEETING = frozenset({"meets", "exceeds"})


class Judgement(StrEnum):
    """A domain's rating judged against the person's expected level."""

    MEETS = "meets"
    BELOW = "below"
    NOT_AT_LEVEL = "not_at_level"
    NOT_ASSESSED = "not_assessed"

    @property
    def label(self) -> str:
        """The judgement as people read it."""
        return JUDGEMENT_LABELS[self]


JUDGEMENT_LABELS = {
    Judgement.MEETS: "Meets expectation",
    Judgement.BELOW: "Below expectation",
    Judgement.NOT_AT_LEVEL: "Not assessed at expected level",
    Judgement.NOT_ASSESSED: "Not assessed",
}


def rating_label(rating: str | None) -> str:
    """The label of ``rating`` ("Not rated" when there is none)."""
    return RATINGS.get(rating, rating) if rating else "Not rated"


def is_rating(value: str | None) -> bool:
    """Whether ``value`` is on the rating scale."""
    return value in RATINGS


def judge(
    rating: str | None,
    assessed_position: int | None,
    expected_position: int | None,
) -> Judgement:
    """Judge a rating given at one level (by its position) against the expected level.

    Positions are the levels' orders within one framework; pass ``assessed_position`` as
    None when the rating was given in another framework.
    """
    if rating is None or assessed_position is None or expected_position is None:
        return Judgement.NOT_ASSESSED
    meets = rating in MEETING
    if assessed_position == expected_position:
        return Judgement.MEETS if meets else Judgement.BELOW
    if assessed_position > expected_position:
        return Judgement.MEETS if meets else Judgement.NOT_AT_LEVEL
    return Judgement.BELOW


@dataclass(frozen=True)
class RatingRow:
    """One domain's rating in one signed-off assessment."""

    domain_id: int
    rating: str
    assessed_on: date
    assessment_id: int
    level_position: int | None


def latest_ratings(rows: Iterable[RatingRow]) -> dict[int, RatingRow]:
    """The latest rating per domain: the latest assessment date, then the later assessment."""
    latest: dict[int, RatingRow] = {}
    for row in rows:
        held = latest.get(row.domain_id)
        if held is None or (row.assessed_on, row.assessment_id) > (
            held.assessed_on,
            held.assessment_id,
        ):
            latest[row.domain_id] = row
    return latest


@dataclass(frozen=True)
class ProfileCriteria:
    """What a role profile matches on; None matches anything."""

    post_title: str | None = None
    org_role: str | None = None
    grade: str | None = None

    @property
    def specificity(self) -> int:
        """How specific the profile is: a post title counts most, then grade, then role."""
        return (
            4 * (self.post_title is not None)
            + 2 * (self.grade is not None)
            + (self.org_role is not None)
        )

    def matches(self, post_title: str | None, org_role: str | None, grade: str | None) -> bool:
        """Whether every criterion set equals the spell's value (post titles ignore case)."""
        if self.post_title is not None and (
            post_title is None
            or self.post_title.strip().casefold() != post_title.strip().casefold()
        ):
            return False
        if self.org_role is not None and self.org_role != org_role:
            return False
        return self.grade is None or (
            grade is not None and self.grade.casefold() == grade.casefold()
        )


def match_profile(
    profiles: Sequence[ProfileCriteria],
    post_title: str | None,
    org_role: str | None,
    grade: str | None,
) -> int | None:
    """The index of the profile that applies to a spell: the most specific match, the first
    listed where two are equally specific. None when nothing matches."""
    best: int | None = None
    for index, profile in enumerate(profiles):
        if profile.matches(post_title, org_role, grade) and (
            best is None or profile.specificity > profiles[best].specificity
        ):
            best = index
    return best


def assessment_overdue(last_assessed: date | None, today: date, months: int = 12) -> bool:
    """Whether a person has had no assessment in the ``months`` before ``today``.

    The window starts on the same day ``months`` earlier (the 29 February rolls to 28).
    """
    if last_assessed is None:
        return True
    return last_assessed < months_before(today, months)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months before ``day`` (clamped to the month's end)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
