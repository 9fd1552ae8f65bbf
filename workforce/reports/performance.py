"""Performance reports: a scorecard (``scorecard``) and a strategy's impact evaluation model
(``evaluation-model``).

Both read measures through ``workforce.services.measures.MeasureReader``: computed measures
are recomputed for the periods shown, entered ones read as entered, and every judgement
(RAG, target met, variance, direction of travel, trend) comes from the pure functions of
``workforce.metrics.judgements``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from workforce.extensions import db
from workforce.metrics import judgements
from workforce.metrics.periods import Period, period_containing, shift
from workforce.models.performance import (
    COMPARATORS,
    POLARITIES,
    RBA_QUESTIONS,
    STAGE_KINDS,
    UNITS,
    EvaluationEvidence,
    EvaluationStage,
    Measure,
    Scorecard,
    ScorecardMeasure,
    Strategy,
)
from workforce.reports.base import Chart, Column, Parameters, Report, Table, YearSpec
from workforce.reports.registry import report
from workforce.services.measures import Figure, MeasureReader, MeasureStatus, number_text

if TYPE_CHECKING:
    from workforce.models import User

PERFORMANCE_REPORT_ROLES = ("senior_leader", "hr", "ld_officer")
#: The evaluation model's year: a financial year, and by default the latest one ended.
EVALUATION_YEAR = YearSpec(
    4,
    "start",
    "financial year: 1 April to 31 March, named by its first year",
    default_completed=True,
)
#: Periods of actuals (ending with the one reported) that trends and charts look back over.
HISTORY = 4
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


def show_figure(figure: Figure, measure: Measure) -> str:
    """A figure as a scorecard prints it: the number (with % for a percentage), the note
    beside it ("12 (12 / 285)"), or the note alone where there is no number ("N.A.")."""
    if figure.value is None:
        return figure.note or ""
    text = number_text(figure.value, measure.decimals)
    if measure.unit == "percent":
        text += "%"
    return f"{text} ({figure.note})" if figure.note else text


def _number(value: Decimal | None, places: int = 4) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def direction_text(direction: str | None, against: str = "") -> str:
    """Words for a direction of travel, and what it is against."""
    if direction is None:
        return ""
    words = judgements.DIRECTION_LABELS[direction]
    return f"{words} (since {against})" if against == "baseline" else words


def _rag_text(rag: str | None) -> str:
    return RAG_WORDS.get(rag or "", "")


def _met_text(met: bool | None) -> str:
    return "" if met is None else ("Yes" if met else "No")


# --- scorecard ----------------------------------------------------------------------------


def _scorecard(code: str) -> Scorecard:
    return (
        db.session.scalars(
            select(Scorecard)
            .where(Scorecard.code == code)
            .options(joinedload(Scorecard.entries).joinedload(ScorecardMeasure.measure))
        )
        .unique()
        .one()
    )


def _column_periods(
    entries: list[ScorecardMeasure], reader: MeasureReader, on: date, history: int
) -> tuple[list[str], list[str]]:
    """The labels of the actual columns and of the target columns.

    Actual columns: each measure's latest ``history`` periods that have a figure (or a
    note), grouped by frequency (in the order the scorecard first uses each) and in date
    order within it. Target columns: each target span that does not end before the
    earliest actual column of its measure's frequency.
    """
    frequencies: list[str] = []
    actual: dict[str, tuple[int, date]] = {}
    first_shown: dict[str, date] = {}
    for entry in entries:
        measure = entry.measure
        if measure.frequency not in frequencies:
            frequencies.append(measure.frequency)
        order = frequencies.index(measure.frequency)
        period = reader.latest_period(measure, on)
        shown = 0
        for _ in range(history):
            if (
                reader.actual(measure, period).present
                or reader.entered_actual(measure, period).note
            ):
                actual.setdefault(period.label, (order, period.start))
                first = first_shown.get(measure.frequency)
                first_shown[measure.frequency] = min(first, period.start) if first else period.start
                shown += 1
            period = shift(period, -1)
    actual_labels = sorted(actual, key=lambda label: actual[label])
    targets: dict[str, tuple[int, date]] = {}
    for entry in entries:
        measure = entry.measure
        order = frequencies.index(measure.frequency)
        first = first_shown.get(measure.frequency)
        for figure in reader.targets(measure):
            if first is not None and figure.end_on < first:
                continue
            label = _span(measure, figure.start, figure.end_on)
            targets.setdefault(label, (order, figure.start))
    target_labels = sorted(targets, key=lambda label: targets[label])
    return actual_labels, target_labels


def _span(measure: Measure, start: date, end: date) -> str:
    from workforce.metrics.periods import span_label

    return span_label(measure.frequency, start, end)


SCORECARD_FIXED = [
    Column("measure", "Measure"),
    Column("polarity", "Polarity", description="Whether higher or lower is better."),
    Column("unit", "Unit"),
    Column("baseline", "Baseline", description="The baseline figure, and its period."),
]
SCORECARD_JUDGED = [
    Column("latest_period", "Latest period"),
    Column("latest", "Latest"),
    Column(
        "target_compared",
        "Target compared",
        description=(
            "The target the latest figure is judged against: the one for its period, or "
            "where there is none, the next one after it."
        ),
    ),
    Column(
        "rag",
        "RAG",
        description=(
            "Green: target met. Amber: missing it by no more than the measure's tolerance "
            "(a % of the target). Red: missing it by more."
        ),
    ),
    Column("target_met", "Target met?"),
    Column(
        "variance",
        "Variance from target",
        "percent",
        "(actual - target) / target. For a measure where lower is better, below zero is good.",
    ),
    Column("percent_of_target", "% of target", "percent", "actual / target."),
    Column(
        "direction",
        "Direction of travel",
        description=(
            "Against the previous period where it has a figure, otherwise against the "
            "baseline; where neither has a figure, as the source published it."
        ),
    ),
    Column(
        "trend",
        "Current trend",
        description="How many period-to-period changes in a row went the same way.",
    ),
    Column(
        "baseline_change",
        "Change since baseline",
        "percent",
        "(latest - baseline) / baseline.",
    ),
]


def scorecard_rows(
    scorecard: Scorecard, on: date, reader: MeasureReader
) -> tuple[list[Column], list[dict[str, Any]], list[dict[str, Any]], list[MeasureStatus]]:
    """The scorecard table (columns and rows), the figures behind its charts (one row per
    measure and period), and each measure's status."""
    entries = list(scorecard.entries)
    prefetch_scorecard(entries, reader, on, scorecard.history)
    actual_labels, target_labels = _column_periods(entries, reader, on, scorecard.history)
    benchmarks = [
        key
        for key in COMPARATORS
        if any(b.comparator == key for e in entries for b in reader.benchmark_rows(e.measure))
    ]
    columns = list(SCORECARD_FIXED)
    columns += [Column(f"bench_{key}", COMPARATORS[key]) for key in benchmarks]
    columns += [Column(f"actual_{i}", f"Actual {label}") for i, label in enumerate(actual_labels)]
    columns += [Column(f"target_{i}", f"Target {label}") for i, label in enumerate(target_labels)]
    columns += SCORECARD_JUDGED
    rows: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    statuses: list[MeasureStatus] = []
    for entry in entries:
        measure = entry.measure
        period = reader.latest_period(measure, on)
        status = reader.status(measure, period, history=HISTORY)
        statuses.append(status)
        row: dict[str, Any] = {
            "_measure_id": measure.id,
            "_rag": status.rag or "",
            "measure": entry.label or measure.name,
            "polarity": POLARITIES[measure.polarity],
            "unit": UNITS[measure.unit],
            "baseline": show_figure(status.baseline, measure)
            + (
                f" ({status.baseline_label})"
                if status.baseline_label and status.baseline.present
                else ""
            ),
        }
        shown = {b.comparator: b for b in status.benchmarks}
        for key in benchmarks:
            bench = shown.get(key)
            row[f"bench_{key}"] = (
                show_figure(Figure(bench.value, bench.note), measure) if bench else ""
            )
        by_label = {
            p.label: f
            for p, f in reader.actuals(measure, _periods_labelled(measure, period, actual_labels))
        }
        for i, label in enumerate(actual_labels):
            figure = by_label.get(label)
            row[f"actual_{i}"] = show_figure(figure, measure) if figure else ""
        targets = {_span(measure, f.start, f.end_on): f for f in reader.targets(measure)}
        for i, label in enumerate(target_labels):
            target = targets.get(label)
            row[f"target_{i}"] = (
                show_figure(Figure(target.value, target.note), measure) if target else ""
            )
        travel, against = status.travel
        direction = direction_text(travel, against)
        if not direction and entry.published_direction:
            direction = (
                judgements.DIRECTION_LABELS.get(
                    entry.published_direction, entry.published_direction
                )
                + " (as published)"
            )
        row.update(
            {
                "latest_period": period.label,
                "latest": show_figure(status.actual, measure)
                if status.actual.present or status.actual.note
                else reader.problems.get(measure.id, "No data yet"),
                "target_compared": (
                    f"{status.target_label} (next target)"
                    if status.target_is_later
                    else status.target_label
                )
                if status.target_label
                else "No target",
                "rag": _rag_text(status.rag),
                "target_met": _met_text(status.met),
                "variance": _number(status.variance),
                "percent_of_target": _number(status.percent_of_target),
                "direction": direction,
                "_direction": travel or (entry.published_direction or ""),
                "trend": status.trend.label if status.trend.direction else "",
                "baseline_change": _number(status.baseline_change),
            }
        )
        rows.append(row)
        series.extend(_series_rows(entry, status, reader))
    return columns, rows, series, statuses


def prefetch_scorecard(
    entries: list[ScorecardMeasure], reader: MeasureReader, on: date, history: int
) -> None:
    """Work out, together, the computed measures' actuals the scorecard shows: each one's
    latest periods (for its columns, judgement and trend), its baseline, and the first
    period of each of its targets up to the latest (for its chart)."""
    wanted = []
    for entry in entries:
        measure = entry.measure
        if not measure.computed:
            continue
        latest = reader.latest_period(measure, on)
        periods = reader.periods_for_status(measure, latest, history=max(history, HISTORY))
        for figure in reader.targets(measure):
            first = period_containing(measure.frequency, figure.start)
            if first.start <= latest.start:
                periods.append(first)
        wanted.append((measure, periods))
    reader.prefetch(wanted)


def _periods_labelled(measure: Measure, latest: Period, labels: list[str]) -> list[Period]:
    """The measure's periods (up to 40 back from ``latest``) whose labels are ``labels``."""
    wanted = set(labels)
    found = []
    period = latest
    for _ in range(40):
        if period.label in wanted:
            found.append(period)
        period = shift(period, -1)
    return found


def _series_rows(
    entry: ScorecardMeasure, status: MeasureStatus, reader: MeasureReader
) -> list[dict[str, Any]]:
    """Actual against target for each period of the measure's chart: the recent history,
    every period with an entered figure, the baseline, and the first period of each target
    (so the chart shows where the targets are heading)."""
    measure = entry.measure
    periods = {period for period, _ in status.history}
    if not measure.computed:
        periods = {p for p, figure in status.history if figure.present}
        periods |= set(reader.entered_periods(measure))
    if measure.baseline_start is not None:
        periods.add(period_containing(measure.frequency, measure.baseline_start))
    periods |= {
        period_containing(measure.frequency, figure.start) for figure in reader.targets(measure)
    }
    rows = []
    for period in sorted(periods):
        actual = Figure(None)
        if period.start <= status.period.start or not measure.computed:
            actual = reader.actual(measure, period)
        if period.start == measure.baseline_start and not actual.present:
            actual = status.baseline
        target_row, later = reader.target_for(measure, period)
        rows.append(
            {
                "measure": entry.label or measure.name,
                "_measure_id": measure.id,
                "period": period.label,
                "actual": _number(actual.value),
                "note": actual.note or "",
                "target": _number(target_row.value) if target_row and not later else None,
            }
        )
    return rows


ACTUAL_COLOUR = "#1d70b8"
TARGET_COLOUR = "#d4351c"


def measure_charts(scorecard: Scorecard, series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line chart per measure (actual against target by period), as charts.mjs draws
    them, each with the rows of the same figures for the table beside it."""
    charts = []
    by_measure: dict[int, list[dict[str, Any]]] = {}
    for row in series:
        by_measure.setdefault(row["_measure_id"], []).append(row)
    for entry in scorecard.entries:
        rows = by_measure.get(entry.measure_id, [])
        if not rows:
            continue
        measure = entry.measure

        def values(key: str, rows: list[dict[str, Any]] = rows) -> list[float | None]:
            return [None if row[key] is None else float(row[key]) for row in rows]

        charts.append(
            {
                "measure_id": entry.measure_id,
                "title": entry.label or measure.name,
                "unit": UNITS[measure.unit],
                "rows": [
                    {
                        "period": row["period"],
                        "actual": show_figure(Figure(row["actual"], row["note"] or None), measure),
                        "target": show_figure(Figure(row["target"]), measure),
                    }
                    for row in rows
                ],
                "spec": {
                    "title": entry.label or measure.name,
                    "type": "line",
                    "labels": [row["period"] for row in rows],
                    "datasets": [
                        {"label": "Actual", "data": values("actual"), "colour": ACTUAL_COLOUR},
                        {"label": "Target", "data": values("target"), "colour": TARGET_COLOUR},
                    ],
                    "stacked": False,
                    "horizontal": False,
                    "percent": measure.unit == "percent",
                },
            }
        )
    return charts


SERIES_COLUMNS = [
    Column("measure", "Measure"),
    Column("period", "Period"),
    Column("actual", "Actual", "decimal"),
    Column("note", "Note", description="What the source prints beside or instead of a figure."),
    Column("target", "Target", "decimal"),
]


@report(
    "scorecard",
    title="Scorecard",
    description=(
        "A plan's or strategy's measures with baseline, benchmarks, actuals and targets by "
        "period, RAG against target, target met, variance, % of target, direction of travel "
        "and current trend; a chart of each measure's actuals against its targets."
    ),
    roles=PERFORMANCE_REPORT_ROLES,
    accepts=("scorecard", "on"),
)
def build_scorecard(params: Parameters, viewer: User | None) -> Report:
    """A scorecard."""
    on = params.on or date.today()
    scorecard = _scorecard(params.scorecard or "")
    reader = MeasureReader(tolerant=True)
    reader.load([entry.measure for entry in scorecard.entries])
    columns, rows, series, statuses = scorecard_rows(scorecard, on, reader)
    rags = Counter(status.rag for status in statuses)
    summary = {
        "measures": len(statuses),
        "green": rags["green"],
        "amber": rags["amber"],
        "red": rags["red"],
        "no_rag": sum(1 for s in statuses if s.rag is None),
        "with_data": sum(1 for s in statuses if s.has_data),
    }
    figures = [
        Column("measures", "Measures", "integer"),
        Column("green", "Green (target met)", "integer"),
        Column("amber", "Amber (within tolerance)", "integer"),
        Column("red", "Red (off target)", "integer"),
        Column("no_rag", "Without a RAG (no figure, no target or no polarity)", "integer"),
        Column("with_data", "With a figure for the latest period", "integer"),
    ]
    notes = [
        f"{scorecard.name}. {scorecard.description}".strip(),
        *([f"Source: {scorecard.source}"] if scorecard.source else []),
        f"Standing on {on.isoformat()}: each measure is reported for its latest period with "
        "a figure (a computed measure: its latest period ended).",
        "Computed measures are recomputed from the app's own data for every period shown; "
        "entered measures show what was entered or seeded from the source.",
        "A percentage is shown as printed (73.5%); variance, % of target and change since "
        "baseline are proportions in the downloads (0.05 is 5%).",
    ]
    return Report(
        page={"charts": measure_charts(scorecard, series)},
        name="scorecard",
        title=f"Scorecard: {scorecard.name}",
        parameters={},
        columns=columns,
        rows=rows,
        summary=summary,
        figures=figures,
        sections=[Table("series", "Actuals and targets by period", SERIES_COLUMNS, series)],
        notes=notes,
        template="reports/_scorecard.html",
    )


# --- evaluation model ----------------------------------------------------------------------


def _strategy(code: str) -> Strategy:
    return db.session.scalars(
        select(Strategy)
        .where(Strategy.code == code)
        .options(
            selectinload(Strategy.stages).options(
                selectinload(EvaluationStage.activities),
                selectinload(EvaluationStage.evidence).selectinload(EvaluationEvidence.measures),
            )
        )
    ).one()


def period_in_year(measure: Measure, start: date, end: date, reader: MeasureReader) -> Period:
    """The period a measure reports for the year ``start`` to ``end``: its last period
    ending within the year (for an entered measure, the last of those with a figure)."""
    last = period_containing(measure.frequency, end)
    if last.end > end:
        last = shift(last, -1)
    if measure.computed:
        return last
    candidates = []
    period = last
    while period.end >= start:
        candidates.append(period)
        period = shift(period, -1)
    for period in candidates:
        if reader.actual(measure, period).present:
            return period
    return last


EVALUATION_COLUMNS = [
    Column("stage", "Stage"),
    Column("question", "Question"),
    Column("item", "Item", description="An activity (what we did) or a source of evidence."),
    Column("text", "Text"),
    Column("measure", "Measure"),
    Column("period", "Period"),
    Column("value", "Value"),
    Column("target", "Target"),
    Column("rag", "RAG"),
    Column("direction", "Direction of travel"),
    Column("trend", "Current trend"),
    Column(
        "status",
        "Evidence",
        description=(
            "Measured: a linked measure has a figure for the period. No data yet: linked "
            "measures have no figure for it. Not measured in the app: no measure is linked "
            "(evidence gathered outside the app)."
        ),
    ),
]
NO_DATA = "No data yet"
NOT_MEASURED = "Not measured in the app"
MEASURED = "Measured"


def evaluation_rows(
    strategy: Strategy, start: date, end: date, reader: MeasureReader
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per activity and per evidence-and-measure, and the evidence count per stage."""
    rows: list[dict[str, Any]] = []
    tallies: list[dict[str, Any]] = []
    # Every computed measure's periods worked out together: one query per kind of figure.
    reader.prefetch(
        (
            measure,
            reader.periods_for_status(
                measure, period_in_year(measure, start, end, reader), history=HISTORY
            ),
        )
        for stage in strategy.stages
        for evidence in stage.evidence
        for measure in evidence.measures
        if measure.computed
    )
    for stage in strategy.stages:
        common = {"stage": stage.title, "question": stage.question, "_stage_id": stage.id}
        for activity in stage.activities:
            rows.append({**common, "item": "Activity", "text": activity.text})
        counts: Counter[str] = Counter()
        for evidence in stage.evidence:
            base = {
                **common,
                "item": "Evidence",
                "text": evidence.text,
                "_evidence_id": evidence.id,
            }
            if not evidence.measures:
                rows.append({**base, "status": NOT_MEASURED})
                counts[NOT_MEASURED] += 1
                continue
            measured = False
            for measure in evidence.measures:
                period = period_in_year(measure, start, end, reader)
                status = reader.status(measure, period, history=HISTORY)
                travel, against = status.travel
                measured = measured or status.has_data
                rows.append(
                    {
                        **base,
                        "_measure_id": measure.id,
                        "_rag": status.rag or "",
                        "_direction": travel or "",
                        "measure": measure.name,
                        "period": period.label,
                        "value": show_figure(status.actual, measure) if status.has_data else "",
                        "target": show_figure(status.target, measure)
                        if status.target_label
                        else "",
                        "rag": _rag_text(status.rag),
                        "direction": direction_text(travel, against),
                        "trend": status.trend.label if status.trend.direction else "",
                        "status": MEASURED
                        if status.has_data
                        else reader.problems.get(measure.id, NO_DATA),
                        "_question": RBA_QUESTIONS[measure.rba_question],
                    }
                )
            counts[MEASURED if measured else NO_DATA] += 1
        tallies.append(
            {
                "stage": stage.title,
                "kind": STAGE_KINDS[stage.kind],
                "activities": len(stage.activities),
                "evidence": len(stage.evidence),
                "measured": counts[MEASURED],
                "no_data": counts[NO_DATA],
                "not_measured": counts[NOT_MEASURED],
            }
        )
    return rows, tallies


TALLY_COLUMNS = [
    Column("stage", "Stage"),
    Column("kind", "Kind of stage"),
    Column("activities", "Activities", "integer"),
    Column("evidence", "Sources of evidence", "integer"),
    Column("measured", "Measured", "integer"),
    Column("no_data", NO_DATA, "integer"),
    Column("not_measured", NOT_MEASURED, "integer"),
]


@report(
    "evaluation-model",
    title="Impact evaluation model",
    description=(
        "A strategy's evaluation model for a year: inputs, outputs, intermediate and "
        "long-term outcomes, each with what was done and its sources of evidence, with the "
        "current value, target, RAG and trend of every measure linked to the evidence, and "
        "plainly which evidence has no data yet."
    ),
    roles=PERFORMANCE_REPORT_ROLES,
    accepts=("period", "strategy"),
    year=EVALUATION_YEAR,
)
def build_evaluation_model(params: Parameters, viewer: User | None) -> Report:
    """A strategy's impact evaluation model for a year."""
    strategy = _strategy(params.strategy or "")
    assert params.start is not None and params.end is not None
    reader = MeasureReader(tolerant=True)
    reader.load(
        [m for stage in strategy.stages for evidence in stage.evidence for m in evidence.measures]
    )
    rows, tallies = evaluation_rows(strategy, params.start, params.end, reader)
    evidence_rows = [r for r in rows if r["item"] == "Evidence"]
    judged = Counter(r.get("_rag") for r in evidence_rows if r.get("_measure_id"))
    summary = {
        "stages": len(strategy.stages),
        "activities": sum(t["activities"] for t in tallies),
        "evidence": sum(t["evidence"] for t in tallies),
        "measured": sum(t["measured"] for t in tallies),
        "no_data": sum(t["no_data"] for t in tallies),
        "not_measured": sum(t["not_measured"] for t in tallies),
        "green": judged["green"],
        "amber": judged["amber"],
        "red": judged["red"],
    }
    figures = [
        Column("stages", "Stages", "integer"),
        Column("activities", "Activities", "integer"),
        Column("evidence", "Sources of evidence", "integer"),
        Column("measured", "Evidence measured this year", "integer"),
        Column("no_data", "Evidence with measures but no data yet", "integer"),
        Column("not_measured", "Evidence not measured in the app", "integer"),
        Column("green", "Measures green", "integer"),
        Column("amber", "Measures amber", "integer"),
        Column("red", "Measures red", "integer"),
    ]
    notes = [
        f"{strategy.model_title or strategy.name}: {strategy.name}"
        + (f", {strategy.authority}" if strategy.authority else "")
        + ".",
        *([f"Source: {strategy.source}"] if strategy.source else []),
        "Each measure is shown for its last period ending in the year (an entered measure: "
        "the last such period with a figure), judged against its target for that period or "
        "the next one after it.",
        "Computed measures are recomputed from the app's own data; entered ones are as "
        "entered or uploaded.",
    ]
    stages = []
    for stage in strategy.stages:
        mine = [row for row in rows if row["_stage_id"] == stage.id]
        evidence: dict[int, dict[str, Any]] = {}
        for row in mine:
            if row["item"] != "Evidence":
                continue
            item = evidence.setdefault(
                row["_evidence_id"], {"text": row["text"], "status": row["status"], "measures": []}
            )
            if row.get("_measure_id"):
                item["measures"].append(row)
                if row["status"] == MEASURED:
                    item["status"] = MEASURED
        stages.append(
            {
                "kind": STAGE_KINDS[stage.kind],
                "question": stage.question,
                "title": stage.title,
                "description": stage.description,
                "activities": [a.text for a in stage.activities],
                "evidence": list(evidence.values()),
            }
        )
    return Report(
        page={"stages": stages, "model_title": strategy.model_title, "strategy": strategy.name},
        name="evaluation-model",
        title=f"Impact evaluation model: {strategy.name}",
        parameters={},
        columns=EVALUATION_COLUMNS,
        rows=rows,
        summary=summary,
        figures=figures,
        sections=[Table("stages", "Evidence by stage", TALLY_COLUMNS, tallies)],
        chart=Chart(
            "Sources of evidence by stage",
            "stage",
            ("measured", "no_data", "not_measured"),
            table="stages",
            stacked=True,
        ),
        notes=notes,
        template="reports/_evaluation_model.html",
    )
