"""What every performance view shares: finding a measure, checking who may change it, and
judging it safely (a computed measure's calculation may refuse to run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort
from flask_login import current_user

from workforce.extensions import db
from workforce.metrics.judgements import (
    DIRECTION_LABELS,
    DIRECTION_SYMBOLS,
    RAG_LABELS,
    RAG_SYMBOLS,
)
from workforce.metrics.periods import Period, span_label
from workforce.models.performance import Measure
from workforce.services import measure_calculations
from workforce.services import performance as service
from workforce.services.measure_calculations import CalculationError
from workforce.services.measures import (
    NO_FIGURE,
    Figure,
    MeasureReader,
    MeasureStatus,
    format_figure,
)


def measure_or_404(measure_id: int) -> Measure:
    """The measure, or "Page not found"."""
    return db.session.get(Measure, measure_id) or abort(404)


def editable_measure(measure_id: int) -> Measure:
    """The measure, if the signed-in user may change it; otherwise 403 (404 if missing)."""
    measure = measure_or_404(measure_id)
    if not service.can_edit(current_user, measure):
        abort(403)
    return measure


@dataclass
class Judged:
    """A measure judged for its latest period, or why it could not be."""

    measure: Measure
    status: MeasureStatus | None
    problem: str | None = None
    #: For a computed measure listed without working out its figures: the period it
    #: reports, and the target it is judged against (see ``outline``).
    period: Period | None = None
    target: Figure = NO_FIGURE
    target_label: str | None = None
    target_is_later: bool = False


def outline(reader: MeasureReader, measure: Measure, on: date) -> Judged:
    """A computed measure as a list shows it without working out its figures (which read
    the app's records: that is done on its own page and on scorecards): the period a
    scorecard would report on ``on`` and the target for it; or why it cannot be computed,
    where that can be told without reading any data."""
    try:
        measure_calculations.check(measure.calculation or "", measure.calculation_argument)
    except CalculationError as error:
        return Judged(measure, None, f"Cannot be computed: {error}")
    period = reader.latest_period(measure, on)
    target, later = reader.target_for(measure, period)
    return Judged(
        measure,
        None,
        period=period,
        target=Figure(target.value, target.note) if target else NO_FIGURE,
        target_label=span_label(measure.frequency, target.start, target.end_on) if target else None,
        target_is_later=later,
    )


def judge(reader: MeasureReader, measure: Measure, on: date, history: int = 2) -> Judged:
    """``measure`` judged for the period a scorecard would report on ``on``."""
    try:
        period = reader.latest_period(measure, on)
        return Judged(measure, reader.status(measure, period, history=history))
    except CalculationError as error:
        return Judged(measure, None, f"Cannot be computed: {error}")


def figure_text(measure: Measure, value: Decimal | None) -> str:
    """A figure in the measure's unit and decimal places."""
    return format_figure(value, measure.unit, measure.decimals)


def proportion_text(value: Decimal | None, signed: bool = False) -> str:
    """A proportion (0.962) as a percentage ("96.2%", or "+3.8%" signed)."""
    if value is None:
        return ""
    percent = value * 100
    return f"{percent:+,.1f}%" if signed else f"{percent:,.1f}%"


#: What the templates need to show RAG and direction as a symbol and words.
JUDGEMENT_WORDS = {
    "rag_labels": RAG_LABELS,
    "rag_symbols": RAG_SYMBOLS,
    "direction_labels": DIRECTION_LABELS,
    "direction_symbols": DIRECTION_SYMBOLS,
    "figure_text": figure_text,
    "proportion_text": proportion_text,
}
