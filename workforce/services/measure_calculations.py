"""The named calculations behind computed performance measures.

A computed measure names one of these (``Measure.calculation``) and, when the calculation
takes one, an argument (``Measure.calculation_argument``: which practice model, say). A
calculation turns a period (its first and last day) into one figure from the app's own
data, or None when the data holds nothing to compute it from. Figures are in the measure's
unit: a percentage is 0 to 100 (73.5 is 73.5%), as scorecards print them.

Each calculation reuses the report that publishes the same figure, run for the whole
authority (no viewer), so a scorecard and the report it summarises always agree.

Two kinds of figure:

- **flows** count what happened in the period (training places, appraisals, audits, ASYE
  outcomes, leavers): the report is run from the period's first day to its last;
- **stocks** stand on one day (supervision compliance, ASYE retention, caseloads): the
  period's last day, or today while the period is under way (a standing on a day still to
  come would judge sessions and snapshots not yet taken).

A period still to come (its first day after today) has no figure (None), not a zero; a
period ending before it starts is a ``CalculationError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


class CalculationError(ValueError):
    """A calculation that cannot run as configured (an unknown practice model, say)."""


@dataclass(frozen=True)
class Calculation:
    """A named way of computing a measure's figure for a period."""

    name: str
    label: str
    description: str
    #: The unit the figure is in (one of ``workforce.models.performance.UNITS``).
    unit: str
    compute: Callable[[date, date, str | None], Decimal | None]
    #: What the argument is, for calculations that take one ("practice model"); None
    #: when it takes none.
    argument: str | None = None
    #: The argument's allowed values as (value, label), for the form; None for no list.
    choices: Callable[[], list[tuple[str, str]]] | None = None


CALCULATIONS: dict[str, Calculation] = {}

#: Reports already built while a ``sharing`` block is open, by builder and parameters:
#: measures taken from the same report for the same period (turnover and stability, say)
#: build it once.
_SHARED: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("shared_builds", default=None)


@contextmanager
def sharing(memo: dict[tuple[Any, ...], Any]) -> Iterator[None]:
    """Within the block, calculations share report builds through ``memo`` (keep one memo
    for one reading of the data, such as one page or one export)."""
    token = _SHARED.set(memo)
    try:
        yield
    finally:
        _SHARED.reset(token)


def _build(builder: Callable[..., Any], params: Any) -> Any:
    """``builder(params, None)``, once per ``sharing`` memo."""
    memo = _SHARED.get()
    if memo is None:
        return builder(params, None)
    key = (builder.__module__, builder.__qualname__, params)
    if key not in memo:
        memo[key] = builder(params, None)
    return memo[key]


def calculation(
    name: str,
    *,
    label: str,
    description: str,
    unit: str,
    argument: str | None = None,
    choices: Callable[[], list[tuple[str, str]]] | None = None,
) -> Callable[
    [Callable[[date, date, str | None], Decimal | None]],
    Callable[[date, date, str | None], Decimal | None],
]:
    """Register the decorated function as calculation ``name``."""

    def decorator(
        compute: Callable[[date, date, str | None], Decimal | None],
    ) -> Callable[[date, date, str | None], Decimal | None]:
        if name in CALCULATIONS:
            raise ValueError(f"a calculation named {name!r} is registered already")
        CALCULATIONS[name] = Calculation(name, label, description, unit, compute, argument, choices)
        return compute

    return decorator


def compute(name: str, start: date, end: date, argument: str | None = None) -> Decimal | None:
    """The figure calculation ``name`` gives for ``start`` to ``end``."""
    found = CALCULATIONS.get(name)
    if found is None:
        raise CalculationError(f"There is no calculation called {name!r}")
    if found.argument and not argument:
        raise CalculationError(f"The calculation {found.label!r} needs a {found.argument}")
    return found.compute(start, end, argument)


def _percent(share: object) -> Decimal | None:
    """A report's proportion (0.735) as a percentage (73.5)."""
    if share is None:
        return None
    value = Decimal(str(share))
    exponent = value.as_tuple().exponent
    percent = value * 100
    # Keep the report's precision, moved two places (0.7350 is 73.50, 0.159 is 15.9).
    if isinstance(exponent, int) and exponent < 0:
        return percent.quantize(Decimal(1).scaleb(min(exponent + 2, 0)))
    return percent


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- shared pieces --------------------------------------------------------------------------


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise CalculationError(
            f"The period must end on or after its first day ({start:%d %B %Y} is after "
            f"{end:%d %B %Y})"
        )


def _not_begun(start: date) -> bool:
    """Whether the period is still to come, so there is nothing yet to count."""
    return start > date.today()


def _standing_day(start: date, end: date) -> date | None:
    """The day a snapshot calculation stands on: the period's last day, or today while the
    period is under way; None for a period still to come."""
    _check_period(start, end)
    if _not_begun(start):
        return None
    return min(end, date.today())


def _period(start: date, end: date) -> bool:
    """Check the period; whether there is anything to count in it yet."""
    _check_period(start, end)
    return not _not_begun(start)


# --- training -------------------------------------------------------------------------------


@calculation(
    "training-places-delivered",
    label="Training places delivered",
    description=(
        "Places on training sessions starting in the period that were delivered (marked "
        "completed, or not cancelled with a marked register) where the person attended in "
        "full or in part: the training statistics report's 'Attended' plus 'Partly "
        "attended'. Did-not-attend, unmarked, waiting-list and cancelled places never count."
    ),
    unit="count",
)
def training_places_delivered(start: date, end: date, argument: str | None) -> Decimal | None:
    """Attended plus partly attended places of the training statistics report."""
    from workforce.reports.base import Parameters
    from workforce.reports.training import build_training

    if not _period(start, end):
        return None
    summary = _build(build_training, Parameters(start=start, end=end, by="practice_model")).summary
    return Decimal(summary["attended"] + summary["partly_attended"])


def _practice_model_choices() -> list[tuple[str, str]]:
    from sqlalchemy import select

    from workforce.extensions import db
    from workforce.models import PracticeModel

    names = db.session.scalars(
        select(PracticeModel.name)
        .where(PracticeModel.active.is_(True))
        .order_by(PracticeModel.name)
    )
    return [(name, name) for name in names]


@calculation(
    "staff-trained-in-practice-model",
    label="Staff trained in a practice model",
    description=(
        "Different people who attended in full at least one delivered session, starting in "
        "the period, of a course of the chosen practice model: the 'Staff trained' of that "
        "practice model's row in the training statistics report (by practice model). Partly "
        "attended places do not count."
    ),
    unit="count",
    argument="practice model",
    choices=_practice_model_choices,
)
def staff_trained_in_practice_model(start: date, end: date, argument: str | None) -> Decimal | None:
    """The practice model's staff trained in the training statistics report."""
    from sqlalchemy import select

    from workforce.extensions import db
    from workforce.models import PracticeModel
    from workforce.reports.base import Parameters
    from workforce.reports.training import build_training

    name = (argument or "").strip()
    if not name:
        raise CalculationError(
            "The calculation 'Staff trained in a practice model' needs a practice model"
        )
    memo = _SHARED.get()
    if memo is None:
        model_id = db.session.scalar(select(PracticeModel.id).where(PracticeModel.name == name))
    else:
        # Many measures read from one memo (a page of them) look their models up once.
        if ("practice models",) not in memo:
            memo["practice models",] = dict(
                db.session.execute(select(PracticeModel.name, PracticeModel.id)).all()
            )
        model_id = memo["practice models",].get(name)
    if model_id is None:
        raise CalculationError(f"There is no practice model called {name!r}")
    if not _period(start, end):
        return None
    result = _build(build_training, Parameters(start=start, end=end, by="practice_model"))
    for row in result.rows:
        if row["group"] == name and not row["_placeholder"]:
            return Decimal(row["staff_trained"])
    return Decimal(0)


@calculation(
    "training-evaluations-good-or-better",
    label="Training evaluations rating it good or better",
    description=(
        "Evaluations returned for places on delivered sessions starting in the period that "
        "rate the training 4 or 5 overall (of 1 to 5), over the evaluations returned: the "
        "training evaluation report's 'Good or better (%)'. None without evaluations."
    ),
    unit="percent",
)
def training_evaluations_good_or_better(
    start: date, end: date, argument: str | None
) -> Decimal | None:
    """The training evaluation report's good or better rate, as a percentage."""
    from workforce.reports.base import Parameters
    from workforce.reports.training import build_training_evaluation

    if not _period(start, end):
        return None
    summary = _build(build_training_evaluation, Parameters(start=start, end=end)).summary
    return _percent(summary["good_or_better_rate"])


# --- capability -----------------------------------------------------------------------------


@calculation(
    "capability-appraisals",
    label="Performance appraisals against the capabilities framework",
    description=(
        "Annual appraisals signed off with an assessment date in the period (drafts, "
        "supervisor assessments, ASYE reviews and self-assessments are not appraisals): the "
        "capability appraisals report's 'Annual appraisals completed'."
    ),
    unit="count",
)
def capability_appraisals(start: date, end: date, argument: str | None) -> Decimal | None:
    """The appraisals report's count of annual appraisals."""
    from workforce.reports.base import Parameters
    from workforce.reports.capability import build_appraisals

    if not _period(start, end):
        return None
    summary = _build(build_appraisals, Parameters(start=start, end=end, by="quarter")).summary
    return Decimal(summary["appraisals"])


# --- supervision ----------------------------------------------------------------------------


def _supervision_compliance(day: date) -> dict[str, Any]:
    from workforce.reports.base import Parameters
    from workforce.reports.supervision import build_supervision_compliance

    return _build(build_supervision_compliance, Parameters(on=day, by="team")).summary


@calculation(
    "supervisions-per-person",
    label="Supervisions held per person per year",
    description=(
        "Standing on the period's last day (today, while the period is under way): the "
        "supervision sessions held in the 12 months up to that day by the people in post on "
        "it with a supervision policy (days with a session held, each person's count; group "
        "sessions count for every attendee), divided by the number of those people: the "
        "supervision compliance report's 'Sessions per person per year'. None with nobody "
        "in post under a policy."
    ),
    unit="number",
)
def supervisions_per_person(start: date, end: date, argument: str | None) -> Decimal | None:
    """The supervision compliance report's sessions per person per year on the last day."""
    day = _standing_day(start, end)
    if day is None:
        return None
    return _decimal(_supervision_compliance(day)["sessions_per_person"])


@calculation(
    "supervision-within-policy",
    label="Staff supervised within policy",
    description=(
        "Standing on the period's last day (today, while the period is under way): people in "
        "post with a supervision policy who are within it (not overdue, and at least as many "
        "full-length sessions in the 12 months as the policy expects), over those people: the "
        "supervision compliance report's 'Within policy (%)'. None with nobody in post under "
        "a policy."
    ),
    unit="percent",
)
def supervision_within_policy(start: date, end: date, argument: str | None) -> Decimal | None:
    """The supervision compliance report's within-policy rate on the last day."""
    day = _standing_day(start, end)
    if day is None:
        return None
    return _percent(_supervision_compliance(day)["within_rate"])


@calculation(
    "supervision-audits-good-or-better",
    label="Supervision audits rated good or better",
    description=(
        "Quality audits of supervision records carried out in the period (by audit date) "
        "graded good or outstanding, over the audits carried out: the supervision audit "
        "report's 'Good or better (%)'. None without audits."
    ),
    unit="percent",
)
def supervision_audits_good_or_better(
    start: date, end: date, argument: str | None
) -> Decimal | None:
    """The supervision audit report's good or better rate, as a percentage."""
    from workforce.reports.base import Parameters
    from workforce.reports.supervision import build_supervision_audit

    if not _period(start, end):
        return None
    summary = _build(
        build_supervision_audit, Parameters(start=start, end=end, by="quarter")
    ).summary
    return _percent(summary["good_or_better_rate"])


# --- ASYE -----------------------------------------------------------------------------------


@calculation(
    "asye-completion",
    label="ASYE completed successfully",
    description=(
        "Of the ASYE enrolments whose outcome is dated in the period (passed, failed, "
        "deferred or withdrawn), the share that passed; enrolments still under way are left "
        "out. None when no outcome is dated in the period."
    ),
    unit="percent",
)
def asye_completion(start: date, end: date, argument: str | None) -> Decimal | None:
    """Passed over all outcomes dated in the period."""
    from sqlalchemy import func, select

    from workforce.extensions import db
    from workforce.metrics.training import rate
    from workforce.models.asye import AsyeEnrolment

    if not _period(start, end):
        return None
    counts = dict(
        db.session.execute(
            select(AsyeEnrolment.outcome, func.count())
            .where(
                AsyeEnrolment.outcome.is_not(None),
                AsyeEnrolment.outcome_on >= start,
                AsyeEnrolment.outcome_on <= end,
            )
            .group_by(AsyeEnrolment.outcome)
        ).all()
    )
    return _percent(rate(counts.get("passed", 0), sum(counts.values())))


@calculation(
    "asye-retention",
    label="Retention one year after passing the ASYE",
    description=(
        "Standing on the period's last day (today, while the period is under way): of the "
        "social workers who passed the ASYE and whose first anniversary of passing has come "
        "by that day, the share who held a post on that anniversary: the ASYE cohort "
        "dashboard's 'Retention one year after passing (%)'. None when nobody has reached "
        "the anniversary."
    ),
    unit="percent",
)
def asye_retention(start: date, end: date, argument: str | None) -> Decimal | None:
    """The ASYE cohort dashboard's one-year retention on the last day, computed by the
    dashboard's own retention function over every enrolment (without the rest of the
    dashboard: reviews, evidence, supervision windows and caseloads)."""
    from workforce.reports.asye import retention_on

    day = _standing_day(start, end)
    if day is None:
        return None
    return _percent(retention_on(day)[0]["retention_rate"])


# --- turnover (the DfE census definitions) --------------------------------------------------


def _turnover_summary(start: date, end: date) -> dict[str, Any]:
    from workforce.reports.base import Parameters
    from workforce.reports.turnover import build_turnover

    return _build(build_turnover, Parameters(start=start, end=end, by="team")).summary


@calculation(
    "sw-turnover",
    label="Social worker turnover",
    description=(
        "The DfE census turnover rate of child and family social workers over the period: "
        "the FTE of non-agency leavers in the period (the FTE of the roles ended; moves "
        "within the authority are not leaves) over the non-agency FTE in post on its last "
        "day, as the turnover report gives it (one decimal place). The DfE publishes it for "
        "the census year (1 October to 30 September); a shorter period is not annualised. "
        "None with nobody in post."
    ),
    unit="percent",
)
def sw_turnover(start: date, end: date, argument: str | None) -> Decimal | None:
    """The turnover report's turnover rate (FTE) for the period."""
    if not _period(start, end):
        return None
    return _percent(_turnover_summary(start, end)["turnover_rate"])


@calculation(
    "sw-stability",
    label="Social worker stability",
    description=(
        "Child and family social workers (non-agency) in post a year before the period's "
        "last day who are still in post on it, over those in post a year before: the "
        "turnover report's 'Stability' (one decimal place). It depends only on the last "
        "day. None with nobody in post a year before."
    ),
    unit="percent",
)
def sw_stability(start: date, end: date, argument: str | None) -> Decimal | None:
    """The turnover report's stability rate for the period."""
    if not _period(start, end):
        return None
    return _percent(_turnover_summary(start, end)["stability_rate"])


# --- caseload -------------------------------------------------------------------------------


def _caseload_summary(day: date) -> dict[str, Any]:
    from workforce.reports.base import Parameters
    from workforce.reports.caseload import build_caseload

    return _build(build_caseload, Parameters(on=day, by="team")).summary


@calculation(
    "caseload-within-desired",
    label="Social workers within the desired caseload",
    description=(
        "Standing on the period's last day (today, while the period is under way): workers in "
        "post whose latest caseload snapshot (taken in the 45 days up to that day) puts their "
        "weighted utilisation in a band within the desired level, over the workers with a "
        "capacity under a weighting scheme: the caseload report's 'Within the desired level "
        "(%)'. None without any such worker."
    ),
    unit="percent",
)
def caseload_within_desired(start: date, end: date, argument: str | None) -> Decimal | None:
    """The caseload report's within-desired rate on the last day."""
    day = _standing_day(start, end)
    if day is None:
        return None
    return _percent(_caseload_summary(day)["within_rate"])


@calculation(
    "average-caseload",
    label="Average caseload",
    description=(
        "Standing on the period's last day (today, while the period is under way): cases held "
        "by the workers in post with a caseload snapshot in the 45 days up to that day, over "
        "the FTE of those holding at least one case (the DfE census caseload, one decimal "
        "place): the caseload report's 'Average cases per case-holding FTE'. None without "
        "case holders."
    ),
    unit="number",
)
def average_caseload(start: date, end: date, argument: str | None) -> Decimal | None:
    """The caseload report's average cases per case-holding FTE on the last day."""
    day = _standing_day(start, end)
    if day is None:
        return None
    return _decimal(_caseload_summary(day)["average_caseload"])
