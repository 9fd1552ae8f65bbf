"""A measure's turn-the-curve page (history and forecast, current status, the story behind
the curve, partners, what works, commentary and actions, where it is used), and changing
the measure, its plan, commentary and actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from workforce.blueprints.performance import bp
from workforce.blueprints.performance.common import (
    editable_measure,
    judge,
    measure_or_404,
)
from workforce.blueprints.performance.forms import (
    ActionForm,
    CommentaryForm,
    ConfirmForm,
    MeasureForm,
    PlanForm,
)
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.metrics import judgements
from workforce.metrics.periods import (
    EXAMPLES,
    FREQUENCIES,
    Period,
    period_key,
    period_label,
    shift,
)
from workforce.models import User
from workforce.models.performance import (
    COMPARATORS,
    OWNER_ROLES,
    RBA_QUESTIONS,
    SOURCES,
    UNITS,
    EvaluationEvidence,
    EvaluationStage,
    Measure,
    MeasureAction,
    MeasureCommentary,
    Scorecard,
    ScorecardMeasure,
    evidence_measure,
)
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services import performance as service
from workforce.services.measure_calculations import CALCULATIONS
from workforce.services.measures import MeasureReader

#: How many periods of history the page shows unless asked for another number.
HISTORY = 8
HISTORY_CHOICES = (4, 8, 12, 24)
#: How many periods the forecast looks ahead.
FORECAST_AHEAD = 3
#: Chart colours: GOV.UK blue for actuals, black for targets, purple (dashed) for forecast.
COLOURS = {"actual": "#1d70b8", "target": "#0b0c0c", "forecast": "#4c2c92"}


@dataclass
class CurveRow:
    """One period of the turn-the-curve chart and its table."""

    period: Period
    actual: Decimal | None
    note: str | None
    target: Decimal | None
    target_note: str | None
    rag: str | None
    forecast: Decimal | None
    is_forecast: bool


def _bounded(measure: Measure, value: Decimal) -> Decimal:
    """A forecast kept within what the unit can hold (a percentage 0 to 100, else not below
    zero, except a plain number)."""
    if measure.unit == "number":
        return value
    value = max(value, Decimal(0))
    return min(value, Decimal(100)) if measure.unit == "percent" else value


def _curve(
    measure: Measure, reader: MeasureReader, history: list[Any], last: Period
) -> list[CurveRow]:
    rows: list[CurveRow] = []

    def target(period: Period) -> tuple[Decimal | None, str | None]:
        found, later = reader.target_for(measure, period)
        if found is None or later:
            return None, None
        return found.value, found.note

    for period, figure in history:
        value, note = target(period)
        rows.append(
            CurveRow(
                period=period,
                actual=figure.value,
                note=figure.note,
                target=value,
                target_note=note,
                rag=judgements.rag(figure.value, value, measure.polarity, measure.tolerance),
                forecast=None,
                is_forecast=False,
            )
        )
    # Periods before the first figure or target say nothing: the table and chart start at it.
    while len(rows) > 1 and rows[0].actual is None and not rows[0].note and rows[0].target is None:
        rows.pop(0)
    ahead = judgements.forecast([figure.value for _, figure in history], FORECAST_AHEAD)
    for step, value in enumerate(ahead, start=1):
        period = shift(last, step)
        target_value, target_note = target(period)
        rows.append(
            CurveRow(
                period=period,
                actual=None,
                note=None,
                target=target_value,
                target_note=target_note,
                rag=None,
                forecast=_bounded(measure, value),
                is_forecast=True,
            )
        )
    return rows


def _chart(measure: Measure, rows: list[CurveRow]) -> dict[str, Any] | None:
    """What charts.mjs draws: a line each for actuals, targets and the forecast."""
    if not any(r.actual is not None or r.target is not None for r in rows):
        return None
    places = measure.decimals

    def number(value: Decimal | None) -> float | None:
        return None if value is None else round(float(value), places)

    datasets = [
        {
            "label": "Actual",
            "data": [number(r.actual) for r in rows],
            "colour": COLOURS["actual"],
        },
        {
            "label": "Target",
            "data": [number(r.target) for r in rows],
            "colour": COLOURS["target"],
            "stepped": True,
        },
    ]
    if any(r.is_forecast for r in rows):
        datasets.append(
            {
                "label": "Forecast",
                "data": [number(r.forecast) for r in rows],
                "colour": COLOURS["forecast"],
                "dashed": True,
            }
        )
    return {
        "type": "line",
        "title": f"{measure.name}: actuals, targets and forecast",
        "labels": [r.period.label + (" (forecast)" if r.is_forecast else "") for r in rows],
        "datasets": datasets,
        "percent": measure.unit == "percent",
    }


def _history_length() -> int:
    wanted = request.args.get("periods", HISTORY, type=int)
    return wanted if wanted in HISTORY_CHOICES else HISTORY


@bp.route("/measures/<int:measure_id>")
@roles_required(*service.READERS)
def measure_detail(measure_id: int) -> str:
    """The turn-the-curve page."""
    measure = measure_or_404(measure_id)
    reader = MeasureReader()
    count = _history_length()
    judged = judge(reader, measure, date.today(), history=count)
    rows: list[CurveRow] = []
    if judged.status is not None:
        rows = _curve(measure, reader, judged.status.history, judged.status.period)
    scorecards = db.session.scalars(
        select(Scorecard)
        .join(ScorecardMeasure)
        .where(ScorecardMeasure.measure_id == measure.id)
        .order_by(Scorecard.name)
    ).all()
    evidence = db.session.scalars(
        select(EvaluationEvidence)
        .join(evidence_measure, evidence_measure.c.evidence_id == EvaluationEvidence.id)
        .where(evidence_measure.c.measure_id == measure.id)
        .options(selectinload(EvaluationEvidence.stage).selectinload(EvaluationStage.strategy))
        .order_by(EvaluationEvidence.id)
    ).all()
    # Each item's author and their name read in two queries, not two per item.
    commentary = db.session.scalars(
        select(MeasureCommentary)
        .where(MeasureCommentary.measure_id == measure.id)
        .options(selectinload(MeasureCommentary.author).selectinload(User.staff))
        .order_by(MeasureCommentary.created_at.desc(), MeasureCommentary.id.desc())
    ).all()
    today = date.today()
    actions = sorted(measure.actions, key=lambda a: (a.status == "done", a.due_on, a.id))
    return render_template(
        "performance/measure.html",
        measure=measure,
        judged=judged,
        rows=rows,
        chart=_chart(measure, rows),
        history_count=count,
        history_choices=HISTORY_CHOICES,
        forecast_ahead=FORECAST_AHEAD,
        actuals=sorted(
            (f for f in measure.figures if f.kind == "actual"), key=lambda f: f.start, reverse=True
        ),
        targets=sorted(
            (f for f in measure.figures if f.kind == "target"), key=lambda f: f.start, reverse=True
        ),
        benchmarks=sorted(
            measure.benchmarks,
            key=lambda b: (list(COMPARATORS).index(b.comparator), b.start or date.min),
        ),
        actions=actions,
        commentary=commentary,
        scorecards=scorecards,
        evidence=evidence,
        can_edit=service.can_edit(current_user, measure),
        calculation=CALCULATIONS.get(measure.calculation or ""),
        figure_label=service.figure_label,
        period_key=period_key,
        period_label=period_label,
        today=today,
        confirm=ConfirmForm(),
        units=UNITS,
        questions=RBA_QUESTIONS,
        sources=SOURCES,
        owners=OWNER_ROLES,
        frequencies=FREQUENCIES,
        comparators=COMPARATORS,
        polarities=judgements.POLARITIES,
    )


# --- creating and changing a measure -------------------------------------------------------------


def _measure_form(measure: Measure | None) -> str | Response:
    allowed = service.owner_roles_for(current_user)
    if measure is not None and measure.owner_role not in allowed:
        allowed = [*allowed, measure.owner_role]
    form = MeasureForm(obj=measure)
    form.set_choices({role: OWNER_ROLES[role] for role in allowed})
    if measure is not None and not form.is_submitted():
        form.calculation.data = measure.calculation or ""
        if measure.baseline_start is not None:
            form.baseline_period.data = period_key(measure.frequency, measure.baseline_start)
        if measure.baseline_value is not None:
            form.baseline_value.data = format(measure.baseline_value.normalize(), "f")
    if form.validate_on_submit():
        details = service.MeasureDetails(
            name=form.name.data,
            code=form.code.data,
            description=form.description.data,
            rba_question=form.rba_question.data,
            unit=form.unit.data,
            polarity=form.polarity.data,
            frequency=form.frequency.data,
            source=form.source.data,
            calculation=form.calculation.data or None,
            calculation_argument=form.calculation_argument.data,
            owner_role=form.owner_role.data,
            tolerance=form.tolerance.data,
            decimals=form.decimals.data,
            baseline_period=form.baseline_period.data,
            baseline_value=form.baseline_value.data,
            baseline_note=form.baseline_note.data,
            active=form.active.data if measure is not None else True,
        )
        try:
            saved = service.save_measure(
                measure, details, owner_roles=service.owner_roles_for(current_user)
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Measure {saved.name} saved", "success")
            return redirect(url_for("performance.measure_detail", measure_id=saved.id))
    calculations = sorted(CALCULATIONS.values(), key=lambda c: c.label.lower())
    return render_template(
        "performance/measure_form.html",
        form=form,
        measure=measure,
        calculations=calculations,
        examples=EXAMPLES,
        units=UNITS,
    )


@bp.route("/measures/new", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def measure_new() -> str | Response:
    """Add a measure, owned by the user's role (admins: any)."""
    return _measure_form(None)


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def measure_edit(measure_id: int) -> str | Response:
    """Change a measure its owner role may change."""
    return _measure_form(editable_measure(measure_id))


# --- the turn-the-curve plan, commentary and actions ----------------------------------------------


@bp.route("/measures/<int:measure_id>/plan", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def plan_edit(measure_id: int) -> str | Response:
    """Change the story behind the curve, partners and what works."""
    measure = editable_measure(measure_id)
    form = PlanForm(obj=measure)
    if form.validate_on_submit():
        try:
            service.save_plan(measure, form.story.data, form.partners.data, form.what_works.data)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash("The turn-the-curve plan is saved", "success")
            return redirect(url_for("performance.measure_detail", measure_id=measure.id) + "#plan")
    return render_template("performance/plan_form.html", form=form, measure=measure)


@bp.route("/measures/<int:measure_id>/commentary/new", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def commentary_new(measure_id: int) -> str | Response:
    """Add commentary on a period (or the measure as a whole)."""
    measure = editable_measure(measure_id)
    form = CommentaryForm()
    form.period.description = (
        f"{EXAMPLES[measure.frequency].capitalize()}. Leave blank for commentary on the "
        "measure as a whole."
    )
    if form.validate_on_submit():
        try:
            service.add_commentary(measure, form.body.data, form.period.data, current_user)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash("Commentary added", "success")
            return redirect(
                url_for("performance.measure_detail", measure_id=measure.id) + "#commentary"
            )
    return render_template("performance/commentary_form.html", form=form, measure=measure)


def _action_form(measure: Measure, action: MeasureAction | None) -> str | Response:
    form = ActionForm(obj=action)
    if action is not None and not form.is_submitted():
        form.due_on.data = action.due_on
    if form.validate_on_submit():
        try:
            service.save_action(
                measure, form.description.data, form.owner.data, form.due_on.data, action=action
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash("Action saved", "success")
            return redirect(
                url_for("performance.measure_detail", measure_id=measure.id) + "#actions"
            )
    return render_template(
        "performance/action_form.html", form=form, measure=measure, action=action
    )


def _editable_action(action_id: int) -> MeasureAction:
    action = db.session.get(MeasureAction, action_id) or abort(404)
    editable_measure(action.measure_id)
    return action


@bp.route("/measures/<int:measure_id>/actions/new", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def action_new(measure_id: int) -> str | Response:
    """Add an action to the turn-the-curve plan."""
    return _action_form(editable_measure(measure_id), None)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def action_edit(action_id: int) -> str | Response:
    """Change an action."""
    action = _editable_action(action_id)
    return _action_form(action.measure, action)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@roles_required(*service.EDITORS)
def action_done(action_id: int) -> Response:
    """Mark an action done today (or open again)."""
    action = _editable_action(action_id)
    form = ConfirmForm()
    reopen = request.form.get("reopen") == "yes"
    if form.validate_on_submit():
        try:
            if reopen:
                service.reopen_action(action)
            else:
                service.complete_action(action, date.today())
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Action reopened" if reopen else "Action marked as done", "success")
    return redirect(
        url_for("performance.measure_detail", measure_id=action.measure_id) + "#actions"
    )
