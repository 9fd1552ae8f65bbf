"""The ``workforce-profile`` report: headcount and FTE of the people in post on a date, by
gender, age band, ethnic group or team (Lincolnshire's monitoring of "FTE, gender, age and
ethnicity" of its locality teams, seed 003). HR and admins only: it is built from personal
characteristics.

**Who counts.** Everyone with an employment spell in force on the date, other than agency
workers (they are not the council's employees; the census counts them separately). Each
person is counted once (headcount), in the team of their latest-started spell in force;
their FTE is the sum of the FTE of their spells in force (contracted over standard hours,
each capped at 1), so someone in two half-time posts is 1.0 FTE.

**Categories.** Gender as the census codes it (plus "Not recorded"); age on the date in the
bands Under 30, 30 to 39, 40 to 49, 50 to 59, 60 and over; ethnicity in the DfE's five
published groups (White, Mixed, Asian, Black, Other), with "Not known" for the census codes
REFU (refused) and NOBT (not yet obtained), and "Not recorded" where nothing is held; or the
team. Only categories with someone in them are listed.

**Suppression** (``suppress=yes``, for circulation beyond HR): every count from 1 to 4 is
shown as "<5" and its FTE and share are left out, in the page and in every download,
totals included. Only primary suppression is applied: a suppressed figure can sometimes be
worked out from the total and the other rows (no secondary suppression).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics.fte import fte as fte_of
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.people import spell_in_force
from workforce.reports.base import Chart, Column, Parameters, Report
from workforce.reports.registry import report
from workforce.services.reference import codes

if TYPE_CHECKING:
    from workforce.models import User

#: Counts below this are suppressed when asked.
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
NOT_RECORDED = "Not recorded"
NOT_KNOWN = "Not known"
#: (upper age, exclusive, or None; label)
AGE_BANDS: tuple[tuple[int | None, str], ...] = (
    (30, "Under 30"),
    (40, "30 to 39"),
    (50, "40 to 49"),
    (60, "50 to 59"),
    (None, "60 and over"),
)
#: The DfE's published ethnic groups, in the order it publishes them.
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
GROUPINGS = (
    ("gender", "Gender"),
    ("age", "Age band"),
    ("ethnicity", "Ethnic group"),
    ("team", "Team"),
)


def age_on(born: date, on: date) -> int:
    """Age in whole years on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: date | None, on: date) -> str:
    """The age band of someone born on ``born`` (``NOT_RECORDED`` when unknown)."""
    if born is None:
        return NOT_RECORDED
    age = age_on(born, on)
    for upper, label in AGE_BANDS:
        if upper is None or age < upper:
            return label
    raise AssertionError("unreachable")


def suppressed(count: int, suppress: bool) -> bool:
    """Whether ``count`` is hidden: 1 to 4 when suppressing (no one is no one)."""
    return suppress and 0 < count < SUPPRESS_BELOW


@dataclass
class _Person:
    team: str
    latest: tuple[date, int]
    fte: Decimal
    gender: str | None
    ethnicity: str | None
    born: date | None


def _people(on: date, team_id: int | None) -> list[_Person]:
    query = (
        select(
            EmploymentSpell.staff_id,
            EmploymentSpell.id,
            EmploymentSpell.start_date,
            EmploymentSpell.contracted_hours,
            EmploymentSpell.standard_hours,
            EmploymentSpell.team_id,
            Team.name,
            Staff.gender,
            Staff.ethnicity,
            Staff.date_of_birth,
        )
        .join(Staff, Staff.id == EmploymentSpell.staff_id)
        .join(Team, Team.id == EmploymentSpell.team_id)
        .where(spell_in_force(EmploymentSpell, on), EmploymentSpell.contract_type != "agency")
    )
    people: dict[int, _Person] = {}
    teams: dict[int, int] = {}
    for row in db.session.execute(query):
        value = fte_of(row.contracted_hours, row.standard_hours)
        found = people.get(row.staff_id)
        key = (row.start_date, row.id)
        if found is None:
            people[row.staff_id] = _Person(
                row.name, key, value, row.gender, row.ethnicity, row.date_of_birth
            )
            teams[row.staff_id] = row.team_id
            continue
        found.fte += value
        if key > found.latest:
            found.latest, found.team = key, row.name
            teams[row.staff_id] = row.team_id
    return [p for staff_id, p in people.items() if team_id is None or teams[staff_id] == team_id]


def _category_order(by: str) -> tuple[dict[str, str], list[str]]:
    """Code-to-category mapping (gender, ethnicity) and the order categories are listed in."""
    if by == "gender":
        entries = codes("gender", include_inactive=True)
        return {e.code: e.label for e in entries}, [e.label for e in entries] + [NOT_RECORDED]
    if by == "ethnicity":
        mapping = {e.code: e.group or NOT_KNOWN for e in codes("ethnicity", include_inactive=True)}
        return mapping, [*ETHNIC_GROUPS, NOT_KNOWN, NOT_RECORDED]
    if by == "age":
        return {}, [label for _, label in AGE_BANDS] + [NOT_RECORDED]
    return {}, []


def profile_rows(
    on: date, by: str, team_id: int | None = None, suppress: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per category with people in it, and the totals."""
    mapping, order = _category_order(by)
    headcount: dict[str, int] = defaultdict(int)
    fte: dict[str, Decimal] = defaultdict(Decimal)
    for person in _people(on, team_id):
        if by == "gender":
            category = mapping.get(person.gender or "", NOT_RECORDED)
        elif by == "ethnicity":
            category = mapping.get(person.ethnicity or "", NOT_RECORDED)
        elif by == "age":
            category = age_band(person.born, on)
        else:
            category = person.team
        headcount[category] += 1
        fte[category] += person.fte
    total = sum(headcount.values())
    total_fte = sum(fte.values(), Decimal(0))
    listed = [c for c in order if c in headcount] + sorted(
        (c for c in headcount if c not in order), key=str.casefold
    )
    rows = [_row(c, headcount[c], fte[c], total, suppress) for c in listed]
    summary = _row("Total", total, total_fte, total, suppress)
    summary.pop("category")
    return rows, summary


def _row(category: str, count: int, fte: Decimal, total: int, suppress: bool) -> dict[str, Any]:
    if suppressed(count, suppress):
        return {"category": category, "headcount": SUPPRESSED, "fte": None, "share": None}
    return {
        "category": category,
        "headcount": count,
        "fte": fte.quantize(Decimal("0.01")),
        "share": Decimal(count) / Decimal(total) if total else None,
    }


@report(
    "workforce-profile",
    title="Workforce profile",
    description=(
        "Headcount and FTE of the staff in post on a date by gender, age band, ethnic group "
        "or team, with an option to suppress counts under 5 for wider circulation."
    ),
    roles=("hr",),
    accepts=("on", "team", "by", "suppress"),
    by_choices=GROUPINGS,
)
def build_workforce_profile(params: Parameters, viewer: User | None) -> Report:
    """The workforce profile report."""
    on = params.on or date.today()
    by = params.by or GROUPINGS[0][0]
    suppress = bool(params.suppress)
    rows, summary = profile_rows(on, by, params.team_id, suppress)
    label = dict(GROUPINGS)[by]
    count_kind = "text" if suppress else "integer"
    notes = [
        "Staff with an employment spell in force on the date, agency workers excepted; each "
        "person counted once, in the team of their latest-started spell.",
        "FTE is contracted hours over the standard hours of the grade, capped at 1 for each "
        "spell, summed over a person's spells in force.",
    ]
    if by == "age":
        notes.append("Age is in whole years on the date.")
    if by == "ethnicity":
        notes.append(
            "Ethnic groups are the DfE's five published groups; 'Not known' is a declared "
            "refusal (REFU) or information not yet obtained (NOBT)."
        )
    if suppress:
        notes.append(
            'Counts from 1 to 4 are shown as "<5" and their FTE and share left out, for wider '
            "circulation. Only primary suppression is applied: a hidden figure may sometimes "
            "be worked out from the total and the other rows."
        )
    return Report(
        name="workforce-profile",
        title="Workforce profile",
        parameters={},
        columns=[
            Column("category", label),
            Column("headcount", "Headcount", count_kind, "People in post, each counted once."),
            Column("fte", "FTE", "decimal", "Full-time equivalent of the people in post."),
            Column("share", "Share of headcount", "percent"),
        ],
        rows=rows,
        summary=summary,
        figures=[
            Column("headcount", "Headcount", count_kind),
            Column("fte", "FTE", "decimal"),
            Column("share", "Share of headcount", "percent"),
        ],
        total_row=True,
        chart=None
        if suppress
        else Chart(title=f"Headcount by {label.lower()}", label="category", series=("headcount",)),
        notes=notes,
    )
