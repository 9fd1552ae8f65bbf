"""Demo performance data for the demo authority built by ``workforce.demo``: targets,
entered figures, commentary, turn-the-curve plans and the Northbrook workforce scorecard.

- **Reference data.** The shipped measures, North East Lincolnshire's evaluation model and
  the three published scorecards (``workforce.services.performance_seed``), loaded first if
  missing.
- **Targets for the computed measures**, one per financial year (a quarterly measure's
  target spans the year's four quarters), for the years the demo has data for that area:
  the current one and the one or two before it (three for turnover, stability and
  caseloads, whose history is three years), and the next one, set ahead. Each year asks a
  little more than the last; the figures are pitched near what the demo's data gives, so the
  scorecard shows a mix of green, amber and red.
- **Entered figures** for the last three completed financial years (two for early help step
  downs), with targets: referrals into MASH rated good quality (improving), early help
  assessments stepped down, the rate of looked after children (falling, so improving) and
  cases rated good by managers' audits (a dip in the latest year, with commentary saying
  why). "Staff satisfied with and understanding the requirements of early help" is left
  without any figure: the staff survey has not run, and the evaluation model shows "no data
  yet" for it.
- **Commentary** on a few measures by the HR business partner or the L&D officer (the
  owners), a **turn-the-curve plan** (story behind the curve, partners, what works) for
  turnover, supervision within policy and the rate of looked after children, and **actions**
  with owners named as the demo people they are (HR business partner, L&D officer, the
  Assessment North team manager, the head of service, the director), due relative to today:
  one done, one overdue, the rest open.
- **The Northbrook workforce scorecard** of the app's computed measures: how much did we do,
  how well did we do it, is anyone better off.

Figures are never written for computed measures: they are worked out from the demo's own
data. Deterministic for the ``rng`` it is given; everything is added in one flush.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics.periods import Period, period_containing, shift
from workforce.models import EmploymentSpell, Staff, User
from workforce.models.performance import (
    Measure,
    MeasureAction,
    MeasureCommentary,
    MeasureFigure,
    Scorecard,
    ScorecardMeasure,
)
from workforce.services.performance_seed import load_performance_seeds

SCORECARD_CODE = "northbrook-workforce"
SCORECARD_NAME = "Northbrook workforce scorecard"


@dataclass(frozen=True)
class _TargetPlan:
    """Targets for a computed measure: the current financial year's figure, the change a
    year asks for, and how many years back the demo has data for it."""

    current: Decimal
    step: Decimal
    years_back: int


def _plan(current: str, step: str, years_back: int) -> _TargetPlan:
    return _TargetPlan(Decimal(current), Decimal(step), years_back)


#: Targets of the computed measures (the demo's training data and ASYE outcomes cover a
#: year, supervision and capability two, turnover and caseloads three).
COMPUTED_TARGETS: dict[str, _TargetPlan] = {
    "training-places-delivered": _plan("400", "25", 1),
    "staff-trained-signs-of-safety": _plan("35", "5", 1),
    "staff-trained-restorative-practice": _plan("25", "5", 1),
    "staff-trained-outcomes-based-accountability": _plan("12", "2", 1),
    "staff-trained-family-group-conferencing": _plan("15", "3", 1),
    "training-evaluations-good-or-better": _plan("85", "2.5", 1),
    "asye-completion": _plan("85", "5", 1),
    "capability-appraisals": _plan("200", "20", 2),
    "supervisions-per-person": _plan("11", "0.5", 2),
    "supervision-within-policy": _plan("80", "5", 2),
    "supervision-audits-good-or-better": _plan("75", "2.5", 2),
    "asye-retention": _plan("90", "2.5", 2),
    "sw-turnover": _plan("12", "-1", 3),
    "sw-stability": _plan("88", "1", 3),
    "caseload-within-desired": _plan("75", "2.5", 3),
    "average-caseload": _plan("16.5", "-0.5", 3),
}


@dataclass(frozen=True)
class _EnteredPlan:
    """Entered figures for the last ``len(actuals)`` completed financial years (oldest
    first, before a little noise) and targets for those years and the current one."""

    actuals: tuple[str, ...]
    targets: tuple[str, ...]
    noise: str


ENTERED: dict[str, _EnteredPlan] = {
    "mash-referrals-good-quality": _EnteredPlan(("71", "75.5", "79"), ("75", "78", "80", "82"),
                                                "1.5"),
    "early-help-stepped-down": _EnteredPlan(("31.5", "35"), ("33", "36", "38"), "1.5"),
    "lac-rate-per-10k": _EnteredPlan(("68.5", "66", "63.5"), ("67", "65", "63", "61"), "0.8"),
    "cases-rated-good-by-audit": _EnteredPlan(("58", "64", "61.5"), ("60", "65", "70", "72"),
                                              "1"),
}  # fmt: skip
#: The entered measure the demo leaves without any figure.
NO_DATA = "staff-understand-early-help"

#: The scorecard's measures, in the order of the three questions.
SCORECARD_MEASURES = (
    "training-places-delivered",
    "staff-trained-signs-of-safety",
    "staff-trained-restorative-practice",
    "staff-trained-outcomes-based-accountability",
    "staff-trained-family-group-conferencing",
    "capability-appraisals",
    "supervisions-per-person",
    "training-evaluations-good-or-better",
    "supervision-within-policy",
    "supervision-audits-good-or-better",
    "caseload-within-desired",
    "average-caseload",
    "asye-completion",
    "asye-retention",
    "sw-turnover",
    "sw-stability",
)

TURN_THE_CURVE = {
    "sw-turnover": (
        "Turnover peaked two years ago, when the assessment teams lost experienced social "
        "workers to agency work and to neighbouring councils paying a market supplement. It "
        "has come down since the recruitment and retention offer (a market supplement at the "
        "front door, protected caseloads in the first year, a clear route to senior "
        "practitioner). Exit interviews still name workload as the main reason for leaving.",
        "Team managers; HR business partners; the social work academy; the regional "
        "workforce partnership (agency pay caps, the memorandum of cooperation); trade "
        "unions; the staff forum.",
        "Manageable caseloads and good supervision keep social workers (DfE workforce "
        "census; the LGA health check). Stay conversations find out why people might leave "
        "before they do; career routes that keep practitioners in practice; agreeing agency "
        "pay rates across the region.",
    ),
    "supervision-within-policy": (
        "Most of those outside policy are in two teams where a team manager post was vacant "
        "for part of the year. Sessions have restarted, but the 12-month count lags behind "
        "for people who missed several months.",
        "Team managers; the head of service; the principal social worker; HR (cover for "
        "vacant manager posts).",
        "Supervision booked a year ahead in diaries; cover supervisors named for any "
        "vacancy; supervision compliance reviewed at the monthly performance clinic; group "
        "reflective supervision alongside one-to-one sessions.",
    ),
    "lac-rate-per-10k": (
        "The rate has fallen for three years as the edge of care service and family group "
        "conferences helped more children stay safely at home. It is still above the target "
        "the partnership set.",
        "Early help and the family support hub; the edge of care service; schools; health "
        "visitors; the police; the family group conferencing service.",
        "Family group conferences before proceedings; intensive edge of care support at "
        "evenings and weekends; Signs of Safety safety planning with the family network.",
    ),
}


def _person(local: str, domain: str, fallback: str, today: date) -> str:
    """A demo account's person as an action's owner: "Name, post" (``fallback`` when the
    account has no staff record)."""
    user = db.session.scalar(select(User).where(User.email == f"{local}@{domain}"))
    staff = user.staff if user is not None else None
    return _named(staff, fallback, today)


def _named(staff: Staff | None, fallback: str, today: date) -> str:
    if staff is None:
        return fallback
    spell = staff.spell_on(today)
    post = spell.post_title if spell is not None else fallback
    return f"{staff.full_name}, {post}"


def _head_of_service(today: date) -> str:
    staff = db.session.scalar(
        select(Staff)
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .where(EmploymentSpell.post_title == "Head of service")
        .order_by(Staff.id)
        .limit(1)
    )
    return _named(staff, "Head of service", today)


def _year(today: date, offset: int) -> Period:
    return shift(period_containing("financial_year", today), offset)


def _target(measure: Measure, year: Period, value: Decimal) -> MeasureFigure:
    """A target for ``year`` (a quarterly measure's spans the year's four quarters)."""
    return MeasureFigure(
        measure=measure,
        kind="target",
        start=year.start,
        end_on=year.end,
        value=value,
        origin="entered",
    )


def build_performance_demo(rng: random.Random, today: date) -> str:
    """Add the demo's targets, figures, commentary, plans and scorecard; return a summary.
    The caller commits."""
    from workforce.demo import DEMO_DOMAIN  # here: workforce.demo imports this module

    load_performance_seeds()
    measures = {m.code: m for m in db.session.scalars(select(Measure))}
    hr, learning = (
        db.session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))
        for local in ("hr", "learning")
    )
    figures: list[MeasureFigure] = []

    # Targets for the computed measures, from the first year with data to next year.
    targets = 0
    for code, plan in COMPUTED_TARGETS.items():
        measure = measures[code]
        for offset in range(-plan.years_back, 2):
            value = plan.current + plan.step * offset
            figures.append(_target(measure, _year(today, offset), value))
            targets += 1

    # Entered figures for the completed years, with their targets.
    entered = 0
    for code, entered_plan in ENTERED.items():
        measure = measures[code]
        count = len(entered_plan.actuals)
        noise = float(entered_plan.noise)
        for index, base in enumerate(entered_plan.actuals):
            year = _year(today, index - count)
            wobble = Decimal(str(round(rng.uniform(-noise, noise), 1)))
            figures.append(
                MeasureFigure(
                    measure=measure,
                    kind="actual",
                    start=year.start,
                    end_on=year.end,
                    value=Decimal(base) + wobble,
                    origin="entered",
                )
            )
            entered += 1
        for index, value in enumerate(entered_plan.targets):
            figures.append(_target(measure, _year(today, index - count), Decimal(value)))
            targets += 1
    db.session.add_all(figures)

    # Commentary by the measures' owners.
    last_year, this_year = _year(today, -1), _year(today, 0)
    commentary = [
        MeasureCommentary(
            measure=measures["sw-turnover"],
            start=last_year.start,
            author=hr,
            body=(
                f"Turnover for {last_year.label} came in under target. Fewer social workers "
                "left the assessment teams after the retention offer started; most leavers "
                "went to other councils nearby rather than to agency work."
            ),
        ),
        MeasureCommentary(
            measure=measures["supervision-within-policy"],
            start=this_year.start,
            author=hr,
            body=(
                "Below target because two teams were without a team manager for part of the "
                "year. Cover supervisors are now in place; the figure should recover as the "
                "12-month count catches up."
            ),
        ),
        MeasureCommentary(
            measure=measures["cases-rated-good-by-audit"],
            start=last_year.start,
            author=hr,
            body=(
                "The dip follows the new audit tool, which grades the analysis in "
                "assessments more strictly. Moderation of a sample of audits found the "
                "grades fair; practice workshops on analysis are booked."
            ),
        ),
        MeasureCommentary(
            measure=measures["lac-rate-per-10k"],
            start=last_year.start,
            author=hr,
            body=(
                "A third year of falling numbers: more family group conferences before "
                "proceedings and the edge of care service's evening and weekend support."
            ),
        ),
        MeasureCommentary(
            measure=measures["training-evaluations-good-or-better"],
            start=None,
            author=learning,
            body=(
                "Evaluations are returned for most places. The lowest ratings are for "
                "e-learning modules, which we are replacing with short live sessions."
            ),
        ),
        MeasureCommentary(
            measure=measures["staff-trained-signs-of-safety"],
            start=this_year.start,
            author=learning,
            body=(
                "Signs of Safety foundation training is now open to the early help teams as "
                "well as social workers; two more sessions are planned this year."
            ),
        ),
    ]
    db.session.add_all(commentary)

    # Turn the curve: story, partners, what works, and actions.
    for code, (story, partners, what_works) in TURN_THE_CURVE.items():
        measure = measures[code]
        measure.story, measure.partners, measure.what_works = story, partners, what_works
    priya = _person("hr", DEMO_DOMAIN, "HR business partner", today)
    tom = _person("learning", DEMO_DOMAIN, "Learning and development officer", today)
    claire = _person("manager", DEMO_DOMAIN, "Team manager", today)
    helen = _person("director", DEMO_DOMAIN, "Director of children's services", today)
    marcus = _head_of_service(today)
    actions = [
        ("sw-turnover", "Hold a stay conversation with every social worker in the "
         "assessment teams", claire, 45, None),
        ("sw-turnover", "Review the recruitment and retention offer against the market "
         "supplement data and exit interviews", priya, 90, None),
        ("sw-turnover", "Publish the analysis of last year's exit interviews", priya, -30, -35),
        ("supervision-within-policy", "Name a cover supervisor for every team with a team "
         "manager vacancy", marcus, -7, None),
        ("supervision-within-policy", "Add supervision compliance to the monthly "
         "performance clinic", helen, 30, None),
        ("staff-trained-signs-of-safety", "Schedule two more Signs of Safety foundation "
         "sessions for the early help teams", tom, 60, None),
        ("lac-rate-per-10k", "Extend the edge of care service to weekends", marcus, 120, None),
    ]  # fmt: skip
    db.session.add_all(
        MeasureAction(
            measure=measures[code],
            description=description,
            owner=owner,
            due_on=today + timedelta(days=due),
            status="open" if done is None else "done",
            done_on=None if done is None else today + timedelta(days=done),
        )
        for code, description, owner, due, done in actions
    )

    # The Northbrook workforce scorecard of the app's computed measures.
    scorecard = db.session.scalar(select(Scorecard).where(Scorecard.code == SCORECARD_CODE))
    if scorecard is None:
        scorecard = Scorecard(
            code=SCORECARD_CODE,
            name=SCORECARD_NAME,
            description=(
                "Northbrook's workforce measures as the workforce board reads them each "
                "quarter: how much did we do (training, appraisals, supervision), how well "
                "did we do it (evaluations, supervision, caseloads) and is anyone better off "
                "(the ASYE, turnover and stability). Every figure is computed from the "
                "app's own data."
            ),
            source="Northbrook Children's Services workforce board (demo authority)",
            history=3,
        )
        scorecard.entries = [
            ScorecardMeasure(measure=measures[code], position=position, label="")
            for position, code in enumerate(SCORECARD_MEASURES, start=1)
        ]
        db.session.add(scorecard)
    db.session.flush()
    return (
        f"performance: {targets} targets, {entered} entered figures, {len(commentary)} "
        f"comments, {len(actions)} actions and the {SCORECARD_NAME} "
        f"({len(SCORECARD_MEASURES)} measures)"
    )
