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
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from workforce.extensions import db
from workforce.metrics.turnover import add_years
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.people import FTE_MILLIONTHS, fte_millionths, spell_in_force
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
#: FTE is shown to two places and shares as proportions to four, rounded half up.
TWO_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")
MILLION = Decimal(FTE_MILLIONTHS)
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


def share(count: int, total: int) -> Decimal | None:
    """``count`` over ``total`` as a proportion to four places, half up (as every report
    shows a share); None out of nobody."""
    if not total:
        return None
    return (Decimal(count) / Decimal(total)).quantize(SHARE_PLACES, ROUND_HALF_UP)


def suppressed(count: int, suppress: bool) -> bool:
    """Whether ``count`` is hidden: 1 to 4 when suppressing (no one is no one)."""
    return suppress and 0 < count < SUPPRESS_BELOW


def _age_limits(on: date) -> list[tuple[date, str]]:
    """(latest birthday, band) for each band with an upper age: someone born after the
    date is younger than the band's upper age on ``on`` (``age_on`` below it)."""
    limits = []
    for upper, label in AGE_BANDS:
        if upper is not None:
            limits.append((add_years(on, -upper), label))
    return limits


def _category_expression(by: str, on: date) -> Any:
    """SQL: the raw category of a person (gender or ethnicity code, age band, team name)."""
    if by == "gender":
        return Staff.gender
    if by == "ethnicity":
        return Staff.ethnicity
    if by == "age":
        bands = [(Staff.date_of_birth > day, label) for day, label in _age_limits(on)]
        return case(
            (Staff.date_of_birth.is_(None), NOT_RECORDED),
            *bands,
            else_=AGE_BANDS[-1][1],
        )
    return Team.name


def _counts(on: date, by: str, team_id: int | None) -> list[tuple[str | None, int, int]]:
    """(raw category, headcount, FTE in millionths) in one grouped query: each person once,
    in the team of their latest-started spell in force, with the FTE of all of them."""
    s = EmploymentSpell
    latest_first = (s.start_date.desc(), s.id.desc())
    staffed = (
        select(
            s.staff_id,
            s.team_id,
            func.row_number().over(partition_by=s.staff_id, order_by=latest_first).label("rank"),
            func.sum(fte_millionths(s)).over(partition_by=s.staff_id).label("fte"),
        )
        .where(spell_in_force(s, on), s.contract_type != "agency")
        .subquery("staffed")
    )
    person = select(staffed).where(staffed.c.rank == 1).subquery("person")
    category = _category_expression(by, on).label("category")
    query = (
        select(category, func.count(), func.sum(person.c.fte))
        .select_from(person)
        .join(Staff, Staff.id == person.c.staff_id)
        .group_by(category)
    )
    if by == "team":
        query = query.join(Team, Team.id == person.c.team_id)
    if team_id is not None:
        query = query.where(person.c.team_id == team_id)
    return [(raw, int(count), int(fte or 0)) for raw, count, fte in db.session.execute(query)]


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
    millionths: dict[str, int] = defaultdict(int)
    coded = by in ("gender", "ethnicity")
    for raw, count, fte_sum in _counts(on, by, team_id):
        category = mapping.get(raw or "", NOT_RECORDED) if coded else raw or NOT_RECORDED
        headcount[category] += count
        millionths[category] += fte_sum
    fte = {category: Decimal(value) / MILLION for category, value in millionths.items()}
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
        "fte": fte.quantize(TWO_PLACES, ROUND_HALF_UP),
        "share": share(count, total),
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
