"""Reading a performance measure's figures and judging them.

``MeasureReader`` gives a measure's actual for any period (computed measures through their
calculation, entered ones from what was entered), its target for the period, its baseline
and benchmarks, and ``status``: everything a scorecard row or an evaluation model's line
shows for one period, judged by the pure functions of ``workforce.metrics.judgements``.

A reader remembers what it has computed, so a page that shows the same measure in several
places computes each period once. Use one reader per request or command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics import judgements
from workforce.metrics.periods import Period, period_containing, period_starting, shift, span_label
from workforce.models.performance import COMPARATORS, Measure, MeasureBenchmark, MeasureFigure
from workforce.services import measure_calculations


@dataclass(frozen=True)
class Figure:
    """A figure for a period: the value (None where there is none) and what the source
    says beside it ("N.A.", "12 / 285")."""

    value: Decimal | None
    note: str | None = None

    @property
    def present(self) -> bool:
        return self.value is not None


NO_FIGURE = Figure(None)


class FigureRow(NamedTuple):
    """What a reader reads of a ``MeasureFigure``: an actual or a target for a span."""

    kind: str
    start: date
    end_on: date
    value: Decimal | None
    note: str | None


class BenchmarkRow(NamedTuple):
    """What a reader reads of a ``MeasureBenchmark``."""

    comparator: str
    start: date | None
    value: Decimal | None
    note: str | None


@dataclass(frozen=True)
class Benchmark:
    comparator: str
    label: str
    value: Decimal | None
    note: str | None
    period_label: str | None


@dataclass
class MeasureStatus:
    """One measure judged for one period."""

    measure: Measure
    period: Period
    actual: Figure
    previous: Figure
    #: The target compared with: the one covering ``period``, or failing that the next
    #: one after it. ``target_label`` says which ("2019/20", "April 2021 to March 2023").
    target: Figure
    target_label: str | None
    target_is_later: bool
    baseline: Figure
    baseline_label: str | None
    rag: str | None
    met: bool | None
    variance: Decimal | None
    percent_of_target: Decimal | None
    direction: str | None
    trend: judgements.Trend
    baseline_change: Decimal | None
    #: The direction of travel from the baseline to ``period``.
    baseline_direction: str | None
    benchmarks: list[Benchmark] = field(default_factory=list)
    #: Actuals of the periods up to ``period`` (oldest first), for charts and trends.
    history: list[tuple[Period, Figure]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """Whether there is any figure at all for the period."""
        return self.actual.present

    @property
    def travel(self) -> tuple[str | None, str]:
        """The direction of travel a scorecard shows, and against what: the previous
        period where it has a figure, otherwise the baseline."""
        if self.direction is not None:
            return self.direction, "previous period"
        if self.baseline_direction is not None:
            return self.baseline_direction, "baseline"
        return None, ""


class MeasureReader:
    """A measure's figures by period, computed or entered, remembered once read."""

    def __init__(self, *, tolerant: bool = False) -> None:
        """``tolerant``: a computed measure whose calculation cannot run (a practice model
        renamed, say) reads as no figure, with the reason in ``problems``, instead of
        raising ``CalculationError`` (reports use it, so one such measure does not stop
        the whole scorecard)."""
        self.tolerant = tolerant
        #: Why a computed measure has no figures, by measure id (tolerant readers only).
        self.problems: dict[int, str] = {}
        self._computed: dict[tuple[int, date], Figure] = {}
        #: Reports built for calculations, shared by measures read from the same report.
        self._builds: dict[tuple[object, ...], object] = {}
        #: Each entered measure's actuals by period start, and its targets, read from its
        #: figures once (a scorecard asks for them period by period, many times over).
        self._entered: dict[Measure, dict[date, Figure]] = {}
        self._targets: dict[Measure, list[FigureRow]] = {}
        #: Each measure's figures and benchmarks, by measure id (see ``load``).
        self._figures: dict[int, list[FigureRow]] = {}
        self._benchmarks: dict[int, list[BenchmarkRow]] = {}

    def load(self, measures: Sequence[Measure]) -> None:
        """Read the figures and benchmarks of ``measures`` in one query each, as plain rows.

        A scorecard or an evaluation model reads a few hundred of them; loaded as ORM
        objects they took half the time of a published scorecard. Measures not loaded
        are read through their relationships when asked for."""
        ids = sorted({m.id for m in measures} - self._figures.keys())
        if not ids:
            return
        for measure_id in ids:
            self._figures[measure_id] = []
            self._benchmarks[measure_id] = []
        figure, benchmark = MeasureFigure, MeasureBenchmark
        figures = db.session.execute(
            select(figure.measure_id, *(getattr(figure, name) for name in FigureRow._fields))
            .where(figure.measure_id.in_(ids))
            .order_by(figure.measure_id, figure.start, figure.kind, figure.id)
        )
        for measure_id, *values in figures:
            self._figures[measure_id].append(FigureRow(*values))
        benchmarks = db.session.execute(
            select(benchmark.measure_id, *(getattr(benchmark, n) for n in BenchmarkRow._fields))
            .where(benchmark.measure_id.in_(ids))
            .order_by(benchmark.measure_id, benchmark.id)
        )
        for measure_id, *values in benchmarks:
            self._benchmarks[measure_id].append(BenchmarkRow(*values))

    def figures(self, measure: Measure) -> list[FigureRow]:
        """The measure's actuals and targets, by start (an actual before a target)."""
        found = self._figures.get(measure.id)
        if found is None:
            found = self._figures[measure.id] = [
                FigureRow(*(getattr(f, name) for name in FigureRow._fields))
                for f in measure.figures
            ]
        return found

    def benchmark_rows(self, measure: Measure) -> list[BenchmarkRow]:
        """The measure's benchmark figures, in the order they were recorded."""
        found = self._benchmarks.get(measure.id)
        if found is None:
            found = self._benchmarks[measure.id] = [
                BenchmarkRow(*(getattr(b, name) for name in BenchmarkRow._fields))
                for b in measure.benchmarks
            ]
        return found

    def period(self, measure: Measure, day: date) -> Period:
        """The measure's period containing ``day``."""
        return period_containing(measure.frequency, day)

    def actual(self, measure: Measure, period: Period) -> Figure:
        """The measure's actual for ``period`` (``NO_FIGURE`` when there is none)."""
        if measure.computed:
            key = (measure.id, period.start)
            if key not in self._computed:
                try:
                    with measure_calculations.sharing(self._builds):
                        value = measure_calculations.compute(
                            measure.calculation or "",
                            period.start,
                            period.end,
                            measure.calculation_argument,
                        )
                except measure_calculations.CalculationError as error:
                    if not self.tolerant:
                        raise
                    self.problems[measure.id] = f"Cannot be computed: {error}"
                    value = None
                self._computed[key] = Figure(value)
            return self._computed[key]
        return self._entered_actuals(measure).get(period.start, NO_FIGURE)

    def entered_actual(self, measure: Measure, period: Period) -> Figure:
        """The actual entered for ``period`` (computed measures too: a note, say)."""
        return self._entered_actuals(measure).get(period.start, NO_FIGURE)

    def _entered_actuals(self, measure: Measure) -> dict[date, Figure]:
        found = self._entered.get(measure)
        if found is None:
            found = self._entered[measure] = {}
            for figure in self.figures(measure):
                if figure.kind == "actual":
                    found.setdefault(figure.start, Figure(figure.value, figure.note))
        return found

    def actuals(self, measure: Measure, periods: Iterable[Period]) -> list[tuple[Period, Figure]]:
        """The measure's actual for each of ``periods``."""
        periods = list(periods)
        self.prefetch([(measure, periods)])
        return [(period, self.actual(measure, period)) for period in periods]

    def prefetch(self, wanted: Iterable[tuple[Measure, Iterable[Period]]]) -> None:
        """Work out the actuals of computed measures for the periods given, all the periods
        of one calculation together (``measure_calculations.compute_many``: one query per
        kind of figure, not one per period), remembered for ``actual``.

        A calculation that cannot run is left for ``actual`` to report as it does (a
        problem, or ``CalculationError``), so one broken measure stops no other."""
        groups: dict[tuple[str, str | None, str], tuple[list[Measure], set[Period]]] = {}
        for measure, periods in wanted:
            if not measure.computed:
                continue
            missing = {p for p in periods if (measure.id, p.start) not in self._computed}
            if not missing:
                continue
            key = (measure.calculation or "", measure.calculation_argument, measure.frequency)
            measures, found = groups.setdefault(key, ([], set()))
            measures.append(measure)
            found |= missing
        for (name, argument, _), (measures, found) in groups.items():
            ordered = sorted(found)
            try:
                with measure_calculations.sharing(self._builds):
                    values = measure_calculations.compute_many(
                        name, [(p.start, p.end) for p in ordered], argument
                    )
            except measure_calculations.CalculationError:
                continue
            for measure in measures:
                for period, value in zip(ordered, values, strict=True):
                    self._computed.setdefault((measure.id, period.start), Figure(value))

    def entered_periods(self, measure: Measure, kind: str = "actual") -> list[Period]:
        """The periods an entered measure has figures of ``kind`` for, in order."""
        return [
            period_starting(measure.frequency, figure.start)
            for figure in self.figures(measure)
            if figure.kind == kind
        ]

    def latest_period(self, measure: Measure, on: date) -> Period:
        """The period a scorecard reports on ``on``: for an entered measure, its latest
        period with an actual up to ``on`` (or the last one ended, without any); for a
        computed one, the last period ended by ``on``."""
        current = period_containing(measure.frequency, on)
        last_ended = current if current.end <= on else shift(current, -1)
        if measure.computed:
            return last_ended
        entered = [p for p in self.entered_periods(measure) if p.start <= on]
        return entered[-1] if entered else last_ended

    def targets(self, measure: Measure) -> list[FigureRow]:
        """The measure's targets, by start."""
        targets = self._targets.get(measure)
        if targets is None:
            targets = self._targets[measure] = [
                f for f in self.figures(measure) if f.kind == "target"
            ]
        return targets

    def target_for(self, measure: Measure, period: Period) -> tuple[FigureRow | None, bool]:
        """The target covering ``period``, or the first one after it; and whether it is a
        later one."""
        targets = self.targets(measure)
        later: FigureRow | None = None
        for figure in targets:
            if figure.start <= period.start and figure.end_on >= period.end:
                return figure, False
            if figure.start > period.start and (later is None or figure.start < later.start):
                later = figure
        return later, later is not None

    def baseline(self, measure: Measure) -> tuple[Figure, str | None]:
        """The baseline figure and its period's label."""
        if measure.baseline_start is None:
            if measure.baseline_value is not None or measure.baseline_note:
                return Figure(measure.baseline_value, measure.baseline_note), None
            return NO_FIGURE, None
        period = period_starting(measure.frequency, measure.baseline_start)
        if measure.baseline_value is not None or measure.computed:
            value = measure.baseline_value
            if value is None:
                value = self.actual(measure, period).value
            return Figure(value, measure.baseline_note), period.label
        entered = self.actual(measure, period)
        note = measure.baseline_note or entered.note
        return Figure(entered.value, note), period.label

    def benchmarks(self, measure: Measure, period: Period | None = None) -> list[Benchmark]:
        """For each comparator, its latest figure up to ``period`` (any, without one);
        a figure with no stated period counts as the latest."""
        found: dict[str, Benchmark] = {}
        ordered = sorted(
            self.benchmark_rows(measure), key=lambda b: (b.start is None, b.start or date.min)
        )
        for benchmark in ordered:
            if (
                period is not None
                and benchmark.start is not None
                and benchmark.start > period.start
            ):
                continue
            found[benchmark.comparator] = Benchmark(
                benchmark.comparator,
                COMPARATORS[benchmark.comparator],
                benchmark.value,
                benchmark.note,
                span_label(measure.frequency, benchmark.start, benchmark.start)
                if benchmark.start
                else None,
            )
        return [found[key] for key in COMPARATORS if key in found]

    @staticmethod
    def periods_for_status(measure: Measure, period: Period, *, history: int = 6) -> list[Period]:
        """The periods whose actuals ``status`` reads: ``history`` periods up to ``period``
        (at least the one before it) and the baseline's."""
        periods = [shift(period, -offset) for offset in range(max(history, 2) - 1, -1, -1)]
        if measure.baseline_start is not None and measure.baseline_value is None:
            periods.append(period_starting(measure.frequency, measure.baseline_start))
        return periods

    def status(self, measure: Measure, period: Period, *, history: int = 6) -> MeasureStatus:
        """``measure`` judged for ``period``, with ``history`` periods of actuals up to it."""
        periods = [shift(period, -offset) for offset in range(history - 1, -1, -1)]
        self.prefetch([(measure, self.periods_for_status(measure, period, history=history))])
        series = self.actuals(measure, periods)
        actual = series[-1][1]
        previous = series[-2][1] if len(series) > 1 else self.actual(measure, shift(period, -1))
        target_row, later = self.target_for(measure, period)
        target = Figure(target_row.value, target_row.note) if target_row else NO_FIGURE
        target_label = (
            span_label(measure.frequency, target_row.start, target_row.end_on)
            if target_row
            else None
        )
        baseline, baseline_label = self.baseline(measure)
        polarity = measure.polarity
        return MeasureStatus(
            measure=measure,
            period=period,
            actual=actual,
            previous=previous,
            target=target,
            target_label=target_label,
            target_is_later=later,
            baseline=baseline,
            baseline_label=baseline_label,
            rag=judgements.rag(actual.value, target.value, polarity, measure.tolerance),
            met=judgements.target_met(actual.value, target.value, polarity),
            variance=judgements.variance_from_target(actual.value, target.value),
            percent_of_target=judgements.percent_of_target(actual.value, target.value),
            direction=judgements.direction(actual.value, previous.value, polarity),
            trend=judgements.trend([figure.value for _, figure in series], polarity),
            baseline_change=judgements.baseline_change(actual.value, baseline.value),
            baseline_direction=judgements.direction(actual.value, baseline.value, polarity)
            if measure.baseline_start is None or measure.baseline_start < period.start
            else None,
            benchmarks=self.benchmarks(measure, period),
            history=series,
        )


def number_text(value: Decimal, decimals: int = 1) -> str:
    """A figure rounded to ``decimals`` places with trailing zeros dropped, as scorecards
    print them: 78.0 is "78", 61.30 is "61.3", 2383 is "2,383"."""
    rounded = value.quantize(Decimal(1).scaleb(-max(decimals, 0)), ROUND_HALF_UP)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_figure(value: Decimal | None, unit: str, decimals: int = 1) -> str:
    """A figure as pages print it, with its unit, to the measure's decimal places:
    "73.5%", "1,234", "45.0 per 10,000"; empty for none."""
    if value is None:
        return ""
    places = 0 if unit == "count" and value == value.to_integral_value() else decimals
    text = f"{value:,.{places}f}"
    if unit == "percent":
        return f"{text}%"
    if unit == "rate_10k":
        return f"{text} per 10,000"
    if unit in ("days", "weeks"):
        return f"{text} {unit}"
    return text
