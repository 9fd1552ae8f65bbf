"""Changing performance measures: the measures themselves, their figures (entered actuals,
targets and benchmarks), commentary, the turn-the-curve plan and its actions, and the CSV
upload of figures.

Who may change what: administrators change every measure; HR and L&D officers change the
measures whose ``owner_role`` they hold, and create measures owned by their own role.
Senior leaders read everything and change nothing (the views check; ``can_edit`` says).

Rules checked here, each refused with a message naming the field:

- a measure has a name, a code of lower-case letters, digits and hyphens (unique), a
  known unit, polarity, frequency, question, source and owner; a computed measure names a
  registered calculation (with its argument, when it takes one) in the calculation's
  unit, an entered one names none; a tolerance of 0 to 100 (% of target) and 0 to 4
  decimal places; a baseline period written for the frequency; the frequency of a measure
  with figures, dated benchmarks or dated commentary does not change, and a measure with
  entered actuals does not become computed;
- a figure's period is written for the measure's frequency ("'2019-05' is not a
  financial year, like 2019/20"); a figure has a value or a note; a percentage is 0 to
  100, a count a whole number of 0 or more, a rate, days or weeks 0 or more; at most 4
  decimal places;
- a computed measure's actuals are never typed or uploaded (its targets and benchmarks
  are); one actual per period; a target needs a period, and targets of one measure do not
  overlap; one benchmark per comparator and period.

An upload (``plan_figure_upload``) checks every row first and lists every problem by its
spreadsheet row number; ``apply_figure_upload`` writes all of a clean file or nothing. A
figure already held for the same measure, kind and (first) period is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from workforce.audit import record_event
from workforce.extensions import db
from workforce.metrics.judgements import POLARITIES
from workforce.metrics.periods import (
    EXAMPLES,
    FREQUENCIES,
    Period,
    PeriodError,
    parse_period,
    period_containing,
    shift,
    span_label,
)
from workforce.models import User
from workforce.models.performance import (
    COMPARATORS,
    FIGURE_KINDS,
    OWNER_ROLES,
    RBA_QUESTIONS,
    SOURCES,
    UNITS,
    Measure,
    MeasureAction,
    MeasureBenchmark,
    MeasureCommentary,
    MeasureFigure,
)
from workforce.services import ServiceError
from workforce.services.measure_calculations import CALCULATIONS
from workforce.services.tabular import RowError, cell_text, spreadsheet_rows

#: Roles that may read the performance pages (admins always may).
READERS = ("senior_leader", "hr", "ld_officer")
#: Roles that may change the measures they own (admins change every one).
EDITORS = ("hr", "ld_officer")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
#: A number whose commas separate thousands: 1,234 or -12,345.5.
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
#: The largest figure a measure holds (Numeric(14, 4): ten digits before the point).
MAX_FIGURE = Decimal("9999999999")
MAX_PLACES = 4
MAX_NOTE = 200
MAX_TEXT = 10_000
MAX_DECIMALS = 4


# --- who may do what ------------------------------------------------------------------------


def owner_roles_for(user: User) -> list[str]:
    """The owner roles whose measures ``user`` may change (and create)."""
    if "admin" in user.roles:
        return list(OWNER_ROLES)
    return [role for role in OWNER_ROLES if role in EDITORS and role in user.roles]


def can_edit(user: User, measure: Measure) -> bool:
    """Whether ``user`` may change ``measure`` and enter its figures and commentary."""
    return measure.owner_role in owner_roles_for(user)


def can_create(user: User) -> bool:
    """Whether ``user`` may create measures at all."""
    return bool(owner_roles_for(user))


# --- the list of measures ---------------------------------------------------------------------

MEASURE_STATES = {"active": "In use", "inactive": "Not in use", "all": "In use or not"}
_QUESTION_ORDER = case(
    {key: index for index, key in enumerate(RBA_QUESTIONS)}, value=Measure.rba_question
)
MEASURE_SORTS: dict[str, Any] = {
    "question": _QUESTION_ORDER,
    "name": func.lower(Measure.name),
    "code": Measure.code,
    "owner": Measure.owner_role,
    "frequency": Measure.frequency,
    "source": Measure.source,
}


@dataclass
class MeasureFilters:
    """The home page's search, filters and sort."""

    q: str = ""
    source: str | None = None
    owner: str | None = None
    question: str | None = None
    state: str = "active"
    sort: str = "question"
    descending: bool = False


def measure_query(filters: MeasureFilters) -> Select[Any]:
    """The measures matching ``filters``, in their order."""
    query = select(Measure).options(selectinload(Measure.figures), selectinload(Measure.benchmarks))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Measure.name).like(like),
                func.lower(Measure.code).like(like),
                func.lower(Measure.description).like(like),
            )
        )
    if filters.source in SOURCES:
        query = query.where(Measure.source == filters.source)
    if filters.owner in OWNER_ROLES:
        query = query.where(Measure.owner_role == filters.owner)
    if filters.question in RBA_QUESTIONS:
        query = query.where(Measure.rba_question == filters.question)
    if filters.state == "active":
        query = query.where(Measure.active.is_(True))
    elif filters.state == "inactive":
        query = query.where(Measure.active.is_(False))
    key = MEASURE_SORTS.get(filters.sort, _QUESTION_ORDER)
    ordered = key.desc() if filters.descending else key.asc()
    return query.order_by(ordered, func.lower(Measure.name), Measure.id)


# --- values and periods -------------------------------------------------------------------------


def parse_value(
    raw: str | Decimal | int | float | None, unit: str, label: str = "value"
) -> Decimal | None:
    """A figure typed or uploaded for a measure counted in ``unit``, checked; None for blank.

    "1,234" and (for a percentage) "73.5%" are read; anything else that is not a plain
    number, a formula like "=SUM(A1:A3)" or a decimal comma like "7,5" included, is refused.
    """
    if raw is None:
        return None
    if isinstance(raw, Decimal | int | float):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip()
        if not text:
            return None
        if unit == "percent" and text.endswith("%"):
            text = text[:-1].strip()
        if "," in text:
            # A comma only separates thousands (1,234): "7,5" is not read as 75.
            if not THOUSANDS.match(text):
                raise ServiceError(
                    f"The {label} must be a number written with a point for decimals, like "
                    f"{_example_value(unit)}, not {str(raw).strip()!r}"
                )
            text = text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise ServiceError(
                f"The {label} must be a number, like {_example_value(unit)}, not {str(raw).strip()!r}"
            )
    check_value(value, unit, label)
    return value


def _example_value(unit: str) -> str:
    return {"percent": "73.5", "count": "12"}.get(unit, "4.5")


def check_value(value: Decimal, unit: str, label: str = "value") -> None:
    """Refuse a figure its unit cannot hold (ServiceError with a message)."""
    if abs(value) > MAX_FIGURE:
        raise ServiceError(f"The {label} is too large: at most {MAX_FIGURE:,}")
    if value != value.quantize(Decimal(1).scaleb(-MAX_PLACES)):
        raise ServiceError(f"Give the {label} to no more than {MAX_PLACES} decimal places")
    shown = _plain(value)
    if unit == "percent" and not Decimal(0) <= value <= Decimal(100):
        raise ServiceError(
            f"A percentage must be between 0 and 100 (73.5 means 73.5%), so the {label} "
            f"{shown} cannot be right"
        )
    if unit == "count":
        if value < 0:
            raise ServiceError(
                f"A count cannot be negative, so the {label} {shown} cannot be right"
            )
        if value != value.to_integral_value():
            raise ServiceError(
                f"A count must be a whole number, so the {label} {shown} cannot be right"
            )
    if unit in ("rate_10k", "days", "weeks") and value < 0:
        what = {"rate_10k": "A rate", "days": "A number of days", "weeks": "A number of weeks"}
        raise ServiceError(
            f"{what[unit]} cannot be negative, so the {label} {shown} cannot be right"
        )


def _plain(value: Decimal) -> str:
    """A figure as typed: 104, 73.5, -2 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _period(frequency: str, text: str | None, field_name: str, *, what: str = "") -> Period:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ServiceError(f"Enter the period{what}: {EXAMPLES[frequency]}", field_name)
    try:
        return parse_period(frequency, cleaned)
    except PeriodError as error:
        raise ServiceError(str(error), field_name) from error


def _optional_period(frequency: str, text: str | None, field_name: str) -> Period | None:
    if not (text or "").strip():
        return None
    return _period(frequency, text, field_name)


def _text(value: str | None, limit: int, label: str, field_name: str) -> str | None:
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        raise ServiceError(f"{label} must be {limit:,} characters or fewer", field_name)
    return cleaned or None


def _figure(
    measure: Measure, raw: str | Decimal | None, note: str | None
) -> tuple[Decimal | None, str | None]:
    try:
        value = parse_value(raw, measure.unit)
    except ServiceError as error:
        raise ServiceError(error.message, "value") from error
    cleaned_note = _text(note, MAX_NOTE, "The note", "note")
    if value is None and cleaned_note is None:
        raise ServiceError(
            "Enter the value, or a note saying why there is none (like N.A.)", "value"
        )
    return value, cleaned_note


# --- measures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureDetails:
    """What the measure form gives."""

    name: str | None
    code: str | None
    unit: str | None
    polarity: str | None
    frequency: str | None
    rba_question: str | None
    source: str | None
    owner_role: str | None
    description: str | None = ""
    calculation: str | None = None
    calculation_argument: str | None = None
    tolerance: Decimal | None = Decimal("5")
    decimals: int | None = 1
    baseline_period: str | None = None
    baseline_value: str | Decimal | None = None
    baseline_note: str | None = None
    active: bool = True


def _choice(value: str | None, allowed: dict[str, str], message: str, field_name: str) -> str:
    if value not in allowed:
        raise ServiceError(message, field_name)
    assert value is not None
    return value


def _has_dated_figures(measure: Measure) -> int:
    """How many figures, dated benchmarks and dated commentary tie the measure to its
    frequency."""
    return (
        len(measure.figures)
        + sum(1 for b in measure.benchmarks if b.start is not None)
        + sum(1 for c in measure.commentary if c.start is not None)
    )


def save_measure(
    measure: Measure | None, details: MeasureDetails, *, owner_roles: Iterable[str]
) -> Measure:
    """Create a measure (``measure`` None) or change one; ``owner_roles`` are the owners the
    person saving may choose. The caller commits."""
    name = _text(details.name, 300, "The name", "name")
    if not name:
        raise ServiceError("Enter the measure's name", "name")
    code = (details.code or "").strip().lower()
    if not code:
        raise ServiceError("Enter a code for the measure, like referrals-rated-good", "code")
    if not CODE_PATTERN.match(code):
        raise ServiceError(
            "The code must be up to 60 lower-case letters, digits and hyphens, starting with a "
            "letter or digit, like referrals-rated-good",
            "code",
        )
    clash = db.session.scalar(
        select(Measure.id).where(
            Measure.code == code, Measure.id != (measure.id if measure else -1)
        )
    )
    if clash is not None:
        raise ServiceError(f"Another measure has the code {code}: choose another", "code")
    description = _text(details.description, MAX_TEXT, "The description", "description") or ""
    question = _choice(
        details.rba_question,
        RBA_QUESTIONS,
        "Choose the question the measure answers: how much did we do, how well did we do it, "
        "or is anyone better off",
        "rba_question",
    )
    unit = _choice(details.unit, UNITS, "Choose the unit the measure is counted in", "unit")
    polarity = _choice(
        details.polarity, POLARITIES, "Choose whether higher or lower is better", "polarity"
    )
    frequency = _choice(
        details.frequency, FREQUENCIES, "Choose how often the measure is reported", "frequency"
    )
    source = _choice(
        details.source, SOURCES, "Choose whether the measure is computed or entered", "source"
    )
    allowed = list(owner_roles)
    if details.owner_role not in OWNER_ROLES:
        raise ServiceError("Choose who owns the measure", "owner_role")
    if details.owner_role not in allowed:
        yours = " or ".join(OWNER_ROLES[role] for role in allowed) or "no role"
        raise ServiceError(
            f"You can only give measures to {yours}, the role you hold", "owner_role"
        )
    owner_role = details.owner_role
    calculation: str | None = None
    argument: str | None = None
    if source == "computed":
        if not CALCULATIONS:
            raise ServiceError(
                "No calculations are available yet, so the measure cannot be computed: "
                "make it entered",
                "source",
            )
        if not details.calculation:
            raise ServiceError("Choose the calculation that computes the measure", "calculation")
        found = CALCULATIONS.get(details.calculation)
        if found is None:
            raise ServiceError("Choose one of the calculations listed", "calculation")
        calculation = found.name
        argument = (details.calculation_argument or "").strip() or None
        if found.argument:
            if argument is None:
                raise ServiceError(
                    f"The calculation {found.label!r} needs a {found.argument}: enter it",
                    "calculation_argument",
                )
            if found.choices is not None:
                listed = dict(found.choices())
                if argument not in listed:
                    names = ", ".join(sorted(listed)) or "none"
                    raise ServiceError(
                        f"There is no {found.argument} {argument!r}; choose one of: {names}",
                        "calculation_argument",
                    )
            if len(argument) > 200:
                raise ServiceError(
                    f"The {found.argument} must be 200 characters or fewer",
                    "calculation_argument",
                )
        elif argument is not None:
            raise ServiceError(
                f"The calculation {found.label!r} takes no argument: leave it blank",
                "calculation_argument",
            )
        if found.unit != unit:
            raise ServiceError(
                f"The calculation {found.label!r} gives a figure in the unit "
                f"{UNITS[found.unit].lower()}: choose that unit",
                "unit",
            )
    elif (details.calculation or "").strip() or (details.calculation_argument or "").strip():
        raise ServiceError(
            "An entered measure has no calculation: leave the calculation blank, or make the "
            "measure computed",
            "calculation",
        )
    tolerance = details.tolerance
    if tolerance is None:
        raise ServiceError(
            "Enter the tolerance, as a percentage of the target (0 for none)", "tolerance"
        )
    if not Decimal(0) <= tolerance <= Decimal(100):
        raise ServiceError("The tolerance must be between 0 and 100 (% of the target)", "tolerance")
    if tolerance != tolerance.quantize(Decimal("0.01")):
        raise ServiceError("Give the tolerance to no more than 2 decimal places", "tolerance")
    decimals = details.decimals
    if decimals is None or not 0 <= decimals <= MAX_DECIMALS:
        raise ServiceError(
            f"Enter how many decimal places to show, from 0 to {MAX_DECIMALS}", "decimals"
        )
    if measure is not None:
        if frequency != measure.frequency and _has_dated_figures(measure):
            raise ServiceError(
                f"The frequency cannot change: {measure.name} has figures, benchmarks or "
                f"commentary for {FREQUENCIES[measure.frequency].lower()} periods. Add a new "
                "measure instead",
                "frequency",
            )
        if source == "computed" and any(f.kind == "actual" for f in measure.figures):
            raise ServiceError(
                "The measure has entered actuals: delete them before making it computed",
                "source",
            )
        if unit != measure.unit:
            _check_held_figures(measure, unit)
    baseline = _optional_period(frequency, details.baseline_period, "baseline_period")
    try:
        baseline_value = parse_value(details.baseline_value, unit, "baseline value")
    except ServiceError as error:
        raise ServiceError(error.message, "baseline_value") from error
    if source == "computed" and baseline_value is not None:
        raise ServiceError(
            "A computed measure's baseline is its computed figure for the baseline period: "
            "leave the baseline value blank",
            "baseline_value",
        )
    baseline_note = _text(details.baseline_note, MAX_NOTE, "The baseline note", "baseline_note")
    if measure is None:
        measure = Measure()
        db.session.add(measure)
    measure.name = name
    measure.code = code
    measure.description = description
    measure.rba_question = question
    measure.unit = unit
    measure.polarity = polarity
    measure.frequency = frequency
    measure.source = source
    measure.calculation = calculation
    measure.calculation_argument = argument
    measure.owner_role = owner_role
    measure.tolerance = tolerance
    measure.decimals = decimals
    measure.baseline_start = baseline.start if baseline else None
    measure.baseline_value = baseline_value
    measure.baseline_note = baseline_note
    measure.active = details.active
    db.session.flush()
    return measure


def _check_held_figures(measure: Measure, unit: str) -> None:
    """Refuse a new unit that a figure the measure holds cannot be counted in (a count of
    250 does not become 250%)."""
    held: list[tuple[str, Decimal | None]] = [
        (f"the {f.kind} for {figure_label(f)}", f.value) for f in measure.figures
    ]
    held += [(f"the {comparator_words(b.comparator)} figure", b.value) for b in measure.benchmarks]
    for what, value in held:
        if value is None:
            continue
        try:
            check_value(value, unit)
        except ServiceError as error:
            raise ServiceError(
                f"The unit cannot change to {UNITS[unit].lower()}: {what} is {_plain(value)}, "
                "which that unit cannot hold. Change or remove that figure first",
                "unit",
            ) from error


def save_plan(
    measure: Measure, story: str | None, partners: str | None, what_works: str | None
) -> None:
    """Change the turn-the-curve plan's words: the story behind the curve, partners and what
    works. The caller commits."""
    measure.story = _text(story, MAX_TEXT, "The story behind the curve", "story") or ""
    measure.partners = _text(partners, MAX_TEXT, "Partners", "partners") or ""
    measure.what_works = _text(what_works, MAX_TEXT, "What works", "what_works") or ""
    db.session.flush()


# --- figures --------------------------------------------------------------------------------------


def computed_refusal(measure: Measure) -> str:
    """Why a computed measure's actual cannot be typed."""
    return (
        f"{measure.name} is computed from the app's own data, so its actuals cannot be typed "
        "or uploaded; they are worked out for any period. Its targets and benchmarks can be "
        "entered."
    )


def save_actual(
    measure: Measure,
    period_text: str | None,
    value: str | Decimal | None,
    note: str | None = None,
    *,
    figure: MeasureFigure | None = None,
    origin: str = "entered",
) -> MeasureFigure:
    """Add an actual for a period of an entered measure, or change ``figure``."""
    if measure.computed:
        raise ServiceError(computed_refusal(measure), "value")
    period = _period(measure.frequency, period_text, "period")
    amount, cleaned_note = _figure(measure, value, note)
    for other in measure.figures:
        if other.kind == "actual" and other.start == period.start and other is not figure:
            raise ServiceError(
                f"There is already an actual for {period.label}: change that one instead",
                "period",
            )
    if figure is None:
        figure = MeasureFigure(kind="actual")
        measure.figures.append(figure)
    figure.start, figure.end_on = period.start, period.end
    figure.value, figure.note, figure.origin = amount, cleaned_note, origin
    db.session.flush()
    return figure


def _overlapping_target(
    measure: Measure, start: date, end: date, ignore: Iterable[MeasureFigure | None] = ()
) -> MeasureFigure | None:
    skipped = [item for item in ignore if item is not None]
    for other in measure.figures:
        if other.kind != "target" or any(other is item for item in skipped):
            continue
        if other.start <= end and other.end_on >= start:
            return other
    return None


def save_target(
    measure: Measure,
    from_text: str | None,
    to_text: str | None,
    value: str | Decimal | None,
    note: str | None = None,
    *,
    figure: MeasureFigure | None = None,
    origin: str = "entered",
) -> MeasureFigure:
    """Add a target for a period, or for a span of periods from one to another (``to_text``
    blank: one period), or change ``figure``."""
    first = _period(measure.frequency, from_text, "start", what=" the target is for")
    last = _optional_period(measure.frequency, to_text, "end") or first
    if last.start < first.start:
        raise ServiceError(
            f"The last period ({last.label}) is before the first ({first.label})", "end"
        )
    amount, cleaned_note = _figure(measure, value, note)
    clash = _overlapping_target(measure, first.start, last.end, [figure])
    if clash is not None:
        raise ServiceError(
            f"This target overlaps the target for "
            f"{span_label(measure.frequency, clash.start, clash.end_on)}: change or delete "
            "that one first",
            "start",
        )
    if figure is None:
        figure = MeasureFigure(kind="target")
        measure.figures.append(figure)
    figure.start, figure.end_on = first.start, last.end
    figure.value, figure.note, figure.origin = amount, cleaned_note, origin
    db.session.flush()
    return figure


def delete_figure(figure: MeasureFigure) -> None:
    """Remove an actual or a target (the audit trail keeps what it was)."""
    figure.measure.figures.remove(figure)
    db.session.delete(figure)
    db.session.flush()


def figure_label(figure: MeasureFigure) -> str:
    """The period or span a figure covers, as a page shows it."""
    return span_label(figure.measure.frequency, figure.start, figure.end_on)


def comparator_words(comparator: str) -> str:
    """A comparator as a sentence names it: "England average", "regional average"."""
    label = COMPARATORS[comparator]
    return label if comparator == "england" else label.lower()


def save_benchmark(
    measure: Measure,
    comparator: str | None,
    period_text: str | None,
    value: str | Decimal | None,
    note: str | None = None,
    *,
    benchmark: MeasureBenchmark | None = None,
) -> MeasureBenchmark:
    """Add a comparator's figure (for a period, or none stated), or change ``benchmark``."""
    which = _choice(
        comparator,
        COMPARATORS,
        "Choose the comparator: England, the region or statistical neighbours",
        "comparator",
    )
    period = _optional_period(measure.frequency, period_text, "period")
    amount, cleaned_note = _figure(measure, value, note)
    start = period.start if period else None
    for other in measure.benchmarks:
        if other.comparator == which and other.start == start and other is not benchmark:
            when = f"for {period.label}" if period else "with no period stated"
            raise ServiceError(
                f"There is already {_article(comparator_words(which))} figure {when}: "
                "change that one instead",
                "period" if period else "comparator",
            )
    if benchmark is None:
        benchmark = MeasureBenchmark()
        measure.benchmarks.append(benchmark)
    benchmark.comparator, benchmark.start = which, start
    benchmark.value, benchmark.note = amount, cleaned_note
    db.session.flush()
    return benchmark


def _article(words: str) -> str:
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def delete_benchmark(benchmark: MeasureBenchmark) -> None:
    """Remove a benchmark figure."""
    benchmark.measure.benchmarks.remove(benchmark)
    db.session.delete(benchmark)
    db.session.flush()


# --- commentary and actions --------------------------------------------------------------------


def add_commentary(
    measure: Measure, body: str | None, period_text: str | None, author: User | None
) -> MeasureCommentary:
    """Add commentary on a measure, for a period or in general."""
    text = _text(body, MAX_TEXT, "The commentary", "body")
    if not text:
        raise ServiceError("Enter the commentary", "body")
    period = _optional_period(measure.frequency, period_text, "period")
    item = MeasureCommentary(
        start=period.start if period else None,
        body=text,
        author_id=author.id if author is not None else None,
    )
    measure.commentary.insert(0, item)
    db.session.flush()
    return item


def save_action(
    measure: Measure,
    description: str | None,
    owner: str | None,
    due_on: date | None,
    *,
    action: MeasureAction | None = None,
) -> MeasureAction:
    """Add an action to the turn-the-curve plan, or change ``action``."""
    text = _text(description, 2000, "The action", "description")
    if not text:
        raise ServiceError("Describe the action", "description")
    who = _text(owner, 200, "The owner", "owner")
    if not who:
        raise ServiceError("Enter who owns the action (a person or a team)", "owner")
    if due_on is None:
        raise ServiceError("Enter the date the action is due", "due_on")
    if action is None:
        action = MeasureAction(status="open")
        measure.actions.append(action)
    action.description, action.owner, action.due_on = text, who, due_on
    db.session.flush()
    return action


def complete_action(action: MeasureAction, on: date) -> None:
    """Mark an action done on ``on``."""
    if action.status == "done":
        raise ServiceError("The action is already done", "submit")
    action.status, action.done_on = "done", on
    db.session.flush()


def reopen_action(action: MeasureAction) -> None:
    """Mark a done action open again."""
    if action.status != "done":
        raise ServiceError("The action is open already", "submit")
    action.status, action.done_on = "open", None
    db.session.flush()


# --- uploading figures ------------------------------------------------------------------------

#: The upload's columns, in order, with a description for the page and the template.
UPLOAD_COLUMNS: dict[str, str] = {
    "measure": "Required. The measure's code, shown on its page (like referrals-rated-good).",
    "kind": "Required. actual or target.",
    "period": "The period, written for the measure's frequency: 2019/20 for a financial or "
    "academic year, 2019/20 Q1 for a quarter, 2016-03 for a month, 2019 for a calendar "
    "year. An actual needs it; a target needs it, or from and to.",
    "from": "For a target over several periods: the first period (leave period blank).",
    "to": "For a target over several periods: the last period.",
    "value": "The figure, like 73.5. A percentage is 0 to 100: type 73.5, not an Excel "
    "percentage cell (which holds 0.735). Leave blank only with a note.",
    "note": "Optional. What the source says beside the figure (N.A., 12 / 285), or why there "
    "is none.",
}
_ORDER = list(UPLOAD_COLUMNS)


@dataclass
class PlannedFigure:
    """One good row of an upload: the figure it would write and what it would replace
    (with the replaced figure's value and note as they were when checked)."""

    row: int
    measure: Measure
    kind: str
    start: date
    end_on: date
    value: Decimal | None
    note: str | None
    replaces: MeasureFigure | None = None
    held_value: Decimal | None = None
    held_note: str | None = None
    unchanged: bool = False

    @property
    def label(self) -> str:
        return span_label(self.measure.frequency, self.start, self.end_on)


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


@dataclass
class FigureUploadPlan:
    """What an upload would do, or every reason it cannot."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    figures: list[PlannedFigure] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(1 for f in self.figures if f.replaces is None)

    @property
    def replaced(self) -> list[PlannedFigure]:
        """The rows that replace a figure held already with a different one."""
        return [f for f in self.figures if f.replaces is not None and not f.unchanged]

    @property
    def unchanged(self) -> int:
        return sum(1 for f in self.figures if f.unchanged)

    @property
    def measures(self) -> int:
        return len({f.measure.id for f in self.figures})

    def messages(self) -> list[str]:
        """Every problem as "Row 4: ..."."""
        return [f"Row {error.row}: {error.message}" for error in self.errors]

    def describe(self) -> str:
        """One sentence of what would change."""
        return (
            f"{self.rows} row{'' if self.rows == 1 else 's'} for {self.measures} "
            f"measure{'' if self.measures == 1 else 's'}: {self.new} new, "
            f"{len(self.replaced)} replaced, {self.unchanged} unchanged."
        )


def template_frame(user: User | None = None) -> pd.DataFrame:
    """The upload template: its columns, with example rows for a measure the user owns
    (or a made-up one)."""
    measure = None
    if user is not None:
        owned = db.session.scalars(
            select(Measure)
            .where(
                Measure.source == "entered",
                Measure.active.is_(True),
                Measure.owner_role.in_(owner_roles_for(user)),
            )
            .order_by(Measure.code)
        ).first()
        measure = owned
    if measure is not None:
        frequency, code = measure.frequency, measure.code
        last = period_containing(frequency, date.today())
        last = shift(last, -1)
        first_target = shift(last, 1)
        rows = [
            {"measure": code, "kind": "actual", "period": last.key, "from": "", "to": "",
             "value": "", "note": ""},
            {"measure": code, "kind": "target", "period": first_target.key, "from": "",
             "to": "", "value": "", "note": ""},
            {"measure": code, "kind": "target", "period": "", "from": shift(first_target, 1).key,
             "to": shift(first_target, 3).key, "value": "", "note": ""},
        ]  # fmt: skip
    else:
        rows = [
            {"measure": "referrals-rated-good", "kind": "actual", "period": "2024/25",
             "from": "", "to": "", "value": "73.5", "note": ""},
            {"measure": "referrals-rated-good", "kind": "target", "period": "2025/26",
             "from": "", "to": "", "value": "75", "note": ""},
            {"measure": "referrals-rated-good", "kind": "target", "period": "", "from": "2026/27",
             "to": "2028/29", "value": "80", "note": "Three-year plan"},
        ]  # fmt: skip
    return pd.DataFrame(rows, columns=_ORDER)


def plan_figure_upload(frame: pd.DataFrame, user: User) -> FigureUploadPlan:
    """Check every row of an upload and work out what it would do, writing nothing."""
    plan = FigureUploadPlan(rows=len(frame))
    columns = set(frame.columns)
    missing = [name for name in ("measure", "kind", "value") if name not in columns]
    if "period" not in columns and "from" not in columns:
        missing.append("period (or from and to)")
    if missing:
        plan.errors.append(
            RowError(
                1,
                ", ".join(missing),
                f"The header row lacks the column{'' if len(missing) == 1 else 's'} "
                f"{', '.join(missing)}: use the template's header row",
            )
        )
        return plan
    unknown = sorted(columns - set(UPLOAD_COLUMNS))
    if unknown:
        plan.errors.append(
            RowError(
                1,
                ", ".join(unknown),
                f"The header row has column{'' if len(unknown) == 1 else 's'} this upload does "
                f"not read: {', '.join(unknown)}. Use the template's columns only",
            )
        )
        return plan
    if frame.empty:
        plan.errors.append(RowError(2, "measure", "The file has no rows to upload"))
        return plan
    measures = {
        m.code.lower(): m
        for m in db.session.scalars(select(Measure).options(selectinload(Measure.figures)))
    }
    allowed = set(owner_roles_for(user))
    seen: dict[tuple[int, str, date], int] = {}
    targets: dict[int, list[tuple[int, date, date]]] = {}
    for number, raw in spreadsheet_rows(frame):
        planned = _plan_row(number, raw, measures, allowed, plan.errors)
        if planned is None:
            continue
        key = (planned.measure.id, planned.kind, planned.start)
        if key in seen:
            plan.errors.append(
                RowError(
                    number,
                    "period",
                    f"Row {seen[key]} already gives the {planned.kind} of "
                    f"{planned.measure.code} for {period_containing(planned.measure.frequency, planned.start).label}",
                )
            )
            continue
        seen[key] = number
        if planned.kind == "target":
            clash = next(
                (
                    (row, start, end)
                    for row, start, end in targets.get(planned.measure.id, [])
                    if start <= planned.end_on and end >= planned.start
                ),
                None,
            )
            if clash is not None:
                plan.errors.append(
                    RowError(
                        number,
                        "period",
                        f"This target for {planned.label} overlaps the target in row "
                        f"{clash[0]} ({span_label(planned.measure.frequency, clash[1], clash[2])})",
                    )
                )
                continue
            targets.setdefault(planned.measure.id, []).append(
                (number, planned.start, planned.end_on)
            )
        plan.figures.append(planned)
    # Targets held already that the file does not replace must not overlap the file's.
    replaced_starts = {(f.measure.id, f.start) for f in plan.figures if f.kind == "target"}
    for planned in plan.figures:
        if planned.kind != "target":
            continue
        for held in planned.measure.figures:
            if held.kind != "target" or (planned.measure.id, held.start) in replaced_starts:
                continue
            if held.start <= planned.end_on and held.end_on >= planned.start:
                plan.errors.append(
                    RowError(
                        planned.row,
                        "period",
                        f"This target for {planned.label} overlaps the target held for "
                        f"{span_label(planned.measure.frequency, held.start, held.end_on)}: "
                        "change or delete that one first, or give it in the file with the "
                        "same first period",
                    )
                )
                break
    plan.errors.sort(
        key=lambda e: (e.row, _ORDER.index(e.column) if e.column in _ORDER else len(_ORDER))
    )
    if plan.errors:
        plan.figures = []
    return plan


def _plan_row(
    number: int,
    raw: dict[str, Any],
    measures: dict[str, Measure],
    allowed: set[str],
    errors: list[RowError],
) -> PlannedFigure | None:
    """One row checked: its planned figure, or None with its problems added to ``errors``."""
    found: list[RowError] = []
    code = cell_text(raw.get("measure"))
    measure = measures.get(code.lower()) if code else None
    if not code:
        found.append(RowError(number, "measure", "Give the measure's code"))
    elif measure is None:
        found.append(RowError(number, "measure", f"There is no measure with the code {code!r}"))
    kind = cell_text(raw.get("kind")).lower()
    if kind not in FIGURE_KINDS:
        shown = f", not {cell_text(raw.get('kind'))!r}" if kind else ""
        found.append(RowError(number, "kind", f"The kind must be actual or target{shown}"))
    if measure is not None and measure.owner_role not in allowed:
        found.append(
            RowError(
                number,
                "measure",
                f"You cannot enter figures for {measure.code}: it is owned by "
                f"{OWNER_ROLES[measure.owner_role]}",
            )
        )
        errors.extend(found)
        return None
    if measure is not None and kind == "actual" and measure.computed:
        found.append(
            RowError(
                number,
                "kind",
                f"{measure.code} is computed from the app's own data, so its actuals cannot be "
                "uploaded (its targets can)",
            )
        )
        errors.extend(found)
        return None
    period_text = _period_cell(raw.get("period"))
    from_text = _period_cell(raw.get("from"))
    to_text = _period_cell(raw.get("to"))
    start: Period | None = None
    end: Period | None = None
    if measure is not None and kind in FIGURE_KINDS:
        try:
            start, end = _row_periods(measure, kind, period_text, from_text, to_text)
        except RowProblem as problem:
            found.append(RowError(number, problem.column, problem.message))
    value: Decimal | None = None
    note = cell_text(raw.get("note")) or None
    if note is not None and len(note) > MAX_NOTE:
        found.append(RowError(number, "note", f"The note must be {MAX_NOTE} characters or fewer"))
    value_text = cell_text(raw.get("value"))
    if measure is not None:
        try:
            value = parse_value(value_text, measure.unit)
        except ServiceError as error:
            found.append(RowError(number, "value", error.message))
        else:
            if value is None and note is None:
                found.append(
                    RowError(number, "value", "Give the value, or a note saying why there is none")
                )
    if found:
        errors.extend(found)
        return None
    assert measure is not None and start is not None and end is not None
    replaces = next((f for f in measure.figures if f.kind == kind and f.start == start.start), None)
    return PlannedFigure(
        row=number,
        measure=measure,
        kind=kind,
        start=start.start,
        end_on=end.end,
        value=value,
        note=note,
        replaces=replaces,
        held_value=replaces.value if replaces else None,
        held_note=replaces.note if replaces else None,
        unchanged=(
            replaces is not None
            and replaces.end_on == end.end
            and _same(replaces.value, value)
            and (replaces.note or None) == note
        ),
    )


def _period_cell(value: Any) -> str:
    """A period cell as text; a spreadsheet that turned "2016-03" into a date gives its
    month back."""
    if isinstance(value, datetime | pd.Timestamp | date):
        return f"{value.year}-{value.month:02d}"
    return cell_text(value)


class RowProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _parse_in(measure: Measure, text: str, column: str) -> Period:
    try:
        return parse_period(measure.frequency, text)
    except PeriodError as error:
        raise RowProblem(column, str(error)) from error


def _row_periods(
    measure: Measure, kind: str, period_text: str, from_text: str, to_text: str
) -> tuple[Period, Period]:
    example = EXAMPLES[measure.frequency]
    if kind == "actual":
        if from_text or to_text:
            raise RowProblem(
                "from", "An actual is for one period: give it in the period column, not from and to"
            )
        if not period_text:
            raise RowProblem("period", f"An actual needs its period: {example}")
        period = _parse_in(measure, period_text, "period")
        return period, period
    if period_text and (from_text or to_text):
        raise RowProblem("period", "Give the target's period, or from and to for a span, not both")
    if period_text:
        period = _parse_in(measure, period_text, "period")
        return period, period
    if not from_text:
        if to_text:
            raise RowProblem("from", "A target with a to period needs a from period too")
        raise RowProblem("period", f"A target needs a period (or from and to): {example}")
    first = _parse_in(measure, from_text, "from")
    last = _parse_in(measure, to_text, "to") if to_text else first
    if last.start < first.start:
        raise RowProblem("to", f"The to period ({last.label}) is before the from ({first.label})")
    return first, last


def apply_figure_upload(plan: FigureUploadPlan, source: str) -> int:
    """Write a checked upload, all of it; return how many figures were added or replaced.
    The caller commits."""
    if plan.errors:
        raise ValueError("An upload with problems cannot be applied")
    written = 0
    for planned in plan.figures:
        if planned.unchanged:
            continue
        figure = planned.replaces
        if figure is None:
            figure = MeasureFigure(kind=planned.kind, start=planned.start)
            planned.measure.figures.append(figure)
        figure.end_on = planned.end_on
        figure.value, figure.note, figure.origin = planned.value, planned.note, "upload"
        written += 1
    db.session.flush()
    record_event(
        "import",
        "MeasureFigure",
        f"Uploaded measure figures from {source}: {plan.describe()}",
        {
            "source": source,
            "rows": plan.rows,
            "written": written,
            "measures": sorted({f.measure.code for f in plan.figures}),
        },
    )
    db.session.flush()
    return written
