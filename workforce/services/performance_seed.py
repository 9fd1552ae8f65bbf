"""The shipped performance reference data: the app's measures, North East Lincolnshire's
impact evaluation model and three published scorecards (``seeds/performance``).

``load_performance_seeds`` reads and checks every file first and writes nothing unless all
of them are sound: a bad file is refused with ``PerformanceSeedError`` naming the file, the
item and what is wrong. It is idempotent and never overwrites what a council changed:

- a measure is added when no measure has its code yet (an existing one is left as it is,
  figures and all);
- a strategy, with its stages, activities, sources of evidence and their links to measures,
  is added when no strategy has its code yet;
- a scorecard is added when no scorecard has its code yet; the measures it publishes are
  entered measures of its own (``northumberland-01``), added like any other measure with
  their published figures (origin "seed"), baseline and benchmarks.

Periods are written as ``workforce.metrics.periods.parse_period`` reads them for the
measure's frequency ("2019/20", "18/19", "2016-03"); a target spans one period
(``period``) or a run of them (``from`` and ``to``). Percentages are 0 to 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from workforce.audit import record_event
from workforce.extensions import db
from workforce.metrics.judgements import DIRECTION_LABELS, POLARITIES
from workforce.metrics.periods import FREQUENCIES, PeriodError, parse_period
from workforce.models.performance import (
    COMPARATORS,
    OWNER_ROLES,
    RBA_QUESTIONS,
    SOURCES,
    STAGE_KINDS,
    UNITS,
    EvaluationActivity,
    EvaluationEvidence,
    EvaluationStage,
    Measure,
    MeasureBenchmark,
    MeasureFigure,
    Scorecard,
    ScorecardMeasure,
    Strategy,
)
from workforce.services import measure_calculations
from workforce.services.reference import SEEDS_DIR

#: Where the performance seeds live: measures.yaml, one file per strategy, scorecards/.
PERFORMANCE_DIR = SEEDS_DIR / "performance"
MEASURES_FILE = "measures.yaml"
SCORECARDS_FOLDER = "scorecards"
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_DECIMALS = 4
MAX_HISTORY = 24
ORIGIN = "seed"

_MEASURE_KEYS = {
    "code",
    "name",
    "description",
    "unit",
    "polarity",
    "frequency",
    "rba_question",
    "source",
    "calculation",
    "calculation_argument",
    "owner_role",
    "tolerance",
    "decimals",
}
#: What a scorecard's own (entered) measure may say besides a measure's fields.
_ENTRY_KEYS = {"label", "published_direction", "baseline", "benchmarks", "actuals", "targets"}
_STRATEGY_KEYS = {
    "code",
    "name",
    "authority",
    "starts_on",
    "ends_on",
    "model_title",
    "description",
    "source",
    "stages",
}
_STAGE_KEYS = {"kind", "question", "title", "description", "activities", "evidence"}
_SCORECARD_KEYS = {"code", "name", "description", "source", "history", "measures"}


class PerformanceSeedError(ValueError):
    """A performance seed file that cannot be loaded; the message says where and why."""


@dataclass
class FigureSpec:
    kind: str
    start: date
    end_on: date
    value: Decimal | None
    note: str | None


@dataclass
class BenchmarkSpec:
    comparator: str
    start: date | None
    value: Decimal | None
    note: str | None


@dataclass
class MeasureSpec:
    """A measure as a seed file gives it, checked."""

    code: str
    values: dict[str, Any]
    baseline_start: date | None = None
    baseline_value: Decimal | None = None
    baseline_note: str | None = None
    figures: list[FigureSpec] = field(default_factory=list)
    benchmarks: list[BenchmarkSpec] = field(default_factory=list)


@dataclass
class EntrySpec:
    code: str
    label: str
    published_direction: str | None


@dataclass
class ScorecardSpec:
    code: str
    name: str
    description: str
    source: str
    history: int
    entries: list[EntrySpec]


@dataclass
class EvidenceSpec:
    text: str
    measures: list[str]


@dataclass
class StageSpec:
    kind: str
    question: str
    title: str
    description: str
    activities: list[str]
    evidence: list[EvidenceSpec]


@dataclass
class StrategySpec:
    code: str
    name: str
    authority: str
    starts_on: date | None
    ends_on: date | None
    model_title: str
    description: str
    source: str
    stages: list[StageSpec]


@dataclass
class PerformanceSeeds:
    """Everything in the seed folder, checked and cross-referenced."""

    measures: list[MeasureSpec]
    strategies: list[StrategySpec]
    scorecards: list[ScorecardSpec]


# --- reading and checking --------------------------------------------------------------------


class _Where:
    """Builds error messages that say which file and which item is at fault."""

    def __init__(self, path: Path, item: str = "") -> None:
        self.path = path
        self.item = item

    def at(self, item: str) -> _Where:
        return _Where(self.path, f"{self.item}, {item}" if self.item else item)

    def error(self, message: str) -> PerformanceSeedError:
        where = f"{self.path.name}: {self.item}" if self.item else self.path.name
        return PerformanceSeedError(f"{where}: {message}")


def _mapping(value: object, where: _Where, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"{what} must be a mapping of fields")
    return value


def _list(value: object, where: _Where, what: str, *, required: bool = True) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise where.error(f"{what} must be a list with at least one item")
    return value


def _keys(data: dict[str, Any], allowed: set[str], where: _Where) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise where.error(
            f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )


def _text(
    data: dict[str, Any], key: str, where: _Where, *, required: bool, limit: int | None = None
) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise where.error(f"{key} is missing")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise where.error(f"{key} must be text")
    text = str(value).strip()
    if required and not text:
        raise where.error(f"{key} is empty")
    if limit is not None and len(text) > limit:
        raise where.error(f"{key} must be {limit} characters or fewer")
    return text


def _choice(data: dict[str, Any], key: str, choices: dict[str, str], where: _Where) -> str:
    value = data.get(key)
    if value not in choices:
        raise where.error(f"{key} {value!r} is not one of {', '.join(choices)}")
    return str(value)


def _code(data: dict[str, Any], where: _Where) -> str:
    code = _text(data, "code", where, required=True, limit=60)
    if not CODE.match(code):
        raise where.error(
            f"code {code!r} must be lower-case letters and digits in words joined by hyphens, "
            "like sw-turnover"
        )
    return code


def _number(value: object, where: _Where, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise where.error(f"{what} {value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise where.error(f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise where.error(f"{what} {value!r} is not a number")
    return number


def _figure_value(value: object, unit: str, where: _Where, what: str) -> Decimal | None:
    if value is None:
        return None
    number = _number(value, where, what)
    if number < 0:
        raise where.error(f"{what} {number} is negative")
    if unit == "percent" and number > 100:
        raise where.error(f"{what} {number} is a percentage over 100")
    if abs(number) >= Decimal("1e10"):
        raise where.error(f"{what} {number} is too large")
    return number


def _note(data: dict[str, Any], where: _Where) -> str | None:
    note = _text(data, "note", where, required=False, limit=200)
    return note or None


def _period(frequency: str, value: object, where: _Where, what: str) -> tuple[date, date]:
    if value is None or isinstance(value, bool):
        raise where.error(f"{what} is missing")
    try:
        period = parse_period(frequency, str(value))
    except PeriodError as error:
        raise where.error(f"{what}: {error}") from None
    return period.start, period.end


def _day(value: object, where: _Where, what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise where.error(f"{what} {value!r} is not a date like 2016-04-01") from None


def _practice_models() -> set[str]:
    data = yaml.safe_load((SEEDS_DIR / "training.yaml").read_text())
    return {str(item["name"]) for item in data.get("practice_models", [])}


def _measure(
    data: dict[str, Any], where: _Where, *, entered_only: bool, default_owner: str
) -> MeasureSpec:
    code = _code(data, where)
    where = where.at(code)
    source = data.get("source", "entered" if entered_only else None)
    if entered_only and source != "entered":
        raise where.error("a scorecard's own measures are entered measures (source: entered)")
    values: dict[str, Any] = {
        "code": code,
        "name": _text(data, "name", where, required=True, limit=300),
        "description": _text(data, "description", where, required=False),
        "unit": _choice(data, "unit", UNITS, where),
        "polarity": _choice(data, "polarity", POLARITIES, where),
        "frequency": _choice(data, "frequency", FREQUENCIES, where),
        "rba_question": _choice(data, "rba_question", RBA_QUESTIONS, where),
        "source": _choice({"source": source}, "source", SOURCES, where),
        "owner_role": _choice(
            {"owner_role": data.get("owner_role", default_owner)}, "owner_role", OWNER_ROLES, where
        ),
    }
    calculation = _text(data, "calculation", where, required=False, limit=60) or None
    argument = _text(data, "calculation_argument", where, required=False, limit=200) or None
    if values["source"] == "computed":
        if calculation is None:
            raise where.error("a computed measure needs a calculation")
        found = measure_calculations.CALCULATIONS.get(calculation)
        if found is None:
            known = ", ".join(sorted(measure_calculations.CALCULATIONS)) or "none registered"
            raise where.error(f"there is no calculation called {calculation!r} (known: {known})")
        if found.unit != values["unit"]:
            raise where.error(
                f"unit {values['unit']!r} is not the calculation's unit {found.unit!r}"
            )
        if found.argument and not argument:
            raise where.error(f"the calculation {calculation!r} needs a {found.argument}")
        if not found.argument and argument:
            raise where.error(f"the calculation {calculation!r} takes no argument")
        if found.argument == "practice model" and argument not in _practice_models():
            raise where.error(
                f"{argument!r} is not a practice model of seeds/training.yaml "
                f"({', '.join(sorted(_practice_models()))})"
            )
    elif calculation or argument:
        raise where.error("an entered measure has no calculation")
    values["calculation"] = calculation
    values["calculation_argument"] = argument
    tolerance = _number(data.get("tolerance", 5), where, "tolerance")
    if tolerance < 0 or tolerance > 100:
        raise where.error(f"tolerance {tolerance} must be from 0 to 100 (a % of target)")
    values["tolerance"] = tolerance
    decimals = data.get("decimals", 1)
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise where.error(f"decimals {decimals!r} must be a whole number")
    if not 0 <= decimals <= MAX_DECIMALS:
        raise where.error(f"decimals {decimals} must be from 0 to {MAX_DECIMALS}")
    values["decimals"] = decimals
    return MeasureSpec(code=code, values=values)


def _published_figures(spec: MeasureSpec, data: dict[str, Any], where: _Where) -> None:
    """Read an entered measure's published baseline, benchmarks, actuals and targets."""
    frequency, unit = spec.values["frequency"], spec.values["unit"]
    where = where.at(spec.code)
    baseline = data.get("baseline")
    if baseline is not None:
        here = where.at("baseline")
        baseline = _mapping(baseline, here, "baseline")
        _keys(baseline, {"period", "value", "note"}, here)
        if "period" in baseline:
            spec.baseline_start = _period(frequency, baseline["period"], here, "period")[0]
        spec.baseline_value = _figure_value(baseline.get("value"), unit, here, "value")
        spec.baseline_note = _note(baseline, here)
        if spec.baseline_value is None and spec.baseline_note is None:
            raise here.error("give a value or a note")
    seen_benchmarks: set[tuple[str, date | None]] = set()
    for index, item in enumerate(
        _list(data.get("benchmarks"), where, "benchmarks", required=False), start=1
    ):
        here = where.at(f"benchmark {index}")
        item = _mapping(item, here, "a benchmark")
        _keys(item, {"comparator", "period", "value", "note"}, here)
        comparator = _choice(item, "comparator", COMPARATORS, here)
        start = _period(frequency, item["period"], here, "period")[0] if "period" in item else None
        value = _figure_value(item.get("value"), unit, here, "value")
        note = _note(item, here)
        if value is None and note is None:
            raise here.error("give a value or a note")
        if (comparator, start) in seen_benchmarks:
            raise here.error(f"a second {comparator} benchmark for the same period")
        seen_benchmarks.add((comparator, start))
        spec.benchmarks.append(BenchmarkSpec(comparator, start, value, note))
    seen: set[tuple[str, date]] = set()
    for kind, key in (("actual", "actuals"), ("target", "targets")):
        for index, item in enumerate(_list(data.get(key), where, key, required=False), start=1):
            here = where.at(f"{kind} {index}")
            item = _mapping(item, here, f"an {kind}" if kind == "actual" else f"a {kind}")
            allowed = {"period", "value", "note"} | ({"from", "to"} if kind == "target" else set())
            _keys(item, allowed, here)
            if "period" in item:
                if "from" in item or "to" in item:
                    raise here.error("give a period, or from and to, not both")
                start, end_on = _period(frequency, item["period"], here, "period")
            elif kind == "target" and ("from" in item or "to" in item):
                start = _period(frequency, item.get("from"), here, "from")[0]
                end_on = _period(frequency, item.get("to"), here, "to")[1]
                if end_on < start:
                    raise here.error("the target ends before it starts")
            else:
                raise here.error(
                    f"an {kind} needs a period"
                    if kind == "actual"
                    else "a target needs a period, or from and to"
                )
            value = _figure_value(item.get("value"), unit, here, "value")
            note = _note(item, here)
            if value is None and note is None:
                raise here.error("give a value or a note")
            if (kind, start) in seen:
                raise here.error(f"a second {kind} for the period starting {start.isoformat()}")
            seen.add((kind, start))
            spec.figures.append(FigureSpec(kind, start, end_on, value, note))
    targets = sorted((f for f in spec.figures if f.kind == "target"), key=lambda f: f.start)
    for earlier, later in zip(targets, targets[1:], strict=False):
        if later.start <= earlier.end_on:
            raise where.error(
                f"targets overlap: the one from {later.start.isoformat()} starts before the "
                f"one from {earlier.start.isoformat()} ends"
            )


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PerformanceSeedError(f"{path.name}: not valid YAML: {error}") from None
    except OSError as error:
        raise PerformanceSeedError(f"{path.name}: cannot be read: {error}") from None
    return _mapping(data, _Where(path), "the file")


def read_measures(path: Path) -> list[MeasureSpec]:
    """The measures of ``measures.yaml``, checked (no figures: they are the council's)."""
    data = _load_yaml(path)
    where = _Where(path)
    _keys(data, {"measures"}, where)
    specs = []
    for index, item in enumerate(_list(data.get("measures"), where, "measures"), start=1):
        here = where.at(f"measure {index}")
        item = _mapping(item, here, "a measure")
        _keys(item, _MEASURE_KEYS, here.at(str(item.get("code", ""))))
        specs.append(_measure(item, here, entered_only=False, default_owner="hr"))
    return specs


def read_scorecard(path: Path) -> tuple[ScorecardSpec, list[MeasureSpec]]:
    """A scorecard file: the scorecard and its own entered measures with their figures."""
    data = _load_yaml(path)
    where = _Where(path)
    _keys(data, _SCORECARD_KEYS, where)
    code = _code(data, where)
    history = data.get("history", 3)
    if isinstance(history, bool) or not isinstance(history, int):
        raise where.error(f"history {history!r} must be a whole number")
    if not 1 <= history <= MAX_HISTORY:
        raise where.error(f"history {history} must be from 1 to {MAX_HISTORY}")
    entries: list[EntrySpec] = []
    measures: list[MeasureSpec] = []
    for index, item in enumerate(_list(data.get("measures"), where, "measures"), start=1):
        here = where.at(f"measure {index}")
        item = _mapping(item, here, "a measure")
        _keys(
            item,
            (_MEASURE_KEYS - {"calculation", "calculation_argument"}) | _ENTRY_KEYS,
            here.at(str(item.get("code", ""))),
        )
        spec = _measure(item, here, entered_only=True, default_owner="admin")
        _published_figures(spec, item, here)
        direction = item.get("published_direction")
        if direction is not None and direction not in DIRECTION_LABELS:
            raise here.at(spec.code).error(
                f"published_direction {direction!r} is not one of {', '.join(DIRECTION_LABELS)}"
            )
        label = _text(item, "label", here.at(spec.code), required=False, limit=400)
        if spec.code in {entry.code for entry in entries}:
            raise here.error(f"the measure {spec.code} is on the scorecard twice")
        entries.append(EntrySpec(spec.code, label, direction))
        measures.append(spec)
    scorecard = ScorecardSpec(
        code=code,
        name=_text(data, "name", where, required=True, limit=300),
        description=_text(data, "description", where, required=False),
        source=_text(data, "source", where, required=True),
        history=history,
        entries=entries,
    )
    return scorecard, measures


def read_strategy(path: Path) -> StrategySpec:
    """A strategy file: the strategy and its evaluation model, checked (measure codes are
    checked against the other files by ``read_seeds``)."""
    data = _load_yaml(path)
    where = _Where(path)
    _keys(data, _STRATEGY_KEYS, where)
    code = _code(data, where)
    starts_on = _day(data.get("starts_on"), where, "starts_on")
    ends_on = _day(data.get("ends_on"), where, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise where.error("ends_on is before starts_on")
    stages: list[StageSpec] = []
    for index, item in enumerate(_list(data.get("stages"), where, "stages"), start=1):
        here = where.at(f"stage {index}")
        item = _mapping(item, here, "a stage")
        _keys(item, _STAGE_KEYS, here)
        kind = _choice(item, "kind", STAGE_KINDS, here)
        if kind in {stage.kind for stage in stages}:
            raise here.error(f"a second {kind} stage")
        activities = []
        for number, text in enumerate(
            _list(item.get("activities"), here, "activities", required=False), start=1
        ):
            if not isinstance(text, str) or not text.strip():
                raise here.at(f"activity {number}").error("must be text")
            activities.append(text.strip())
        evidence = []
        for number, source in enumerate(
            _list(item.get("evidence"), here, "evidence", required=False), start=1
        ):
            there = here.at(f"evidence {number}")
            source = _mapping(source, there, "a source of evidence")
            _keys(source, {"text", "measures"}, there)
            codes = _list(source.get("measures"), there, "measures", required=False)
            if any(not isinstance(c, str) for c in codes) or len(set(codes)) != len(codes):
                raise there.error("measures must be a list of different measure codes")
            evidence.append(EvidenceSpec(_text(source, "text", there, required=True), codes))
        stages.append(
            StageSpec(
                kind=kind,
                question=_text(item, "question", here, required=False, limit=200),
                title=_text(item, "title", here, required=True, limit=200),
                description=_text(item, "description", here, required=False),
                activities=activities,
                evidence=evidence,
            )
        )
    missing = [label for kind, label in STAGE_KINDS.items() if kind not in {s.kind for s in stages}]
    if missing:
        raise where.error(f"the evaluation model has no stage for: {', '.join(missing)}")
    order = list(STAGE_KINDS)
    if [stage.kind for stage in stages] != order:
        raise where.error(f"the stages must come in order: {', '.join(order)}")
    return StrategySpec(
        code=code,
        name=_text(data, "name", where, required=True, limit=300),
        authority=_text(data, "authority", where, required=False, limit=200),
        starts_on=starts_on,
        ends_on=ends_on,
        model_title=_text(data, "model_title", where, required=False, limit=300),
        description=_text(data, "description", where, required=False),
        source=_text(data, "source", where, required=True),
        stages=stages,
    )


def read_seeds(folder: Path | None = None) -> PerformanceSeeds:
    """Read and check every file of the performance seed folder; raise
    ``PerformanceSeedError`` at the first problem."""
    folder = folder or PERFORMANCE_DIR
    measures_path = folder / MEASURES_FILE
    if not measures_path.is_file():
        raise PerformanceSeedError(f"{folder}: there is no {MEASURES_FILE}")
    measures: list[MeasureSpec] = []
    origin: dict[str, str] = {}

    def add(spec: MeasureSpec, path: Path) -> None:
        if spec.code in origin:
            where = "twice" if origin[spec.code] == path.name else f"in {origin[spec.code]} too"
            raise PerformanceSeedError(f"{path.name}: the measure code {spec.code} is used {where}")
        origin[spec.code] = path.name
        measures.append(spec)

    for spec in read_measures(measures_path):
        add(spec, measures_path)

    scorecards: list[ScorecardSpec] = []
    scorecard_paths = sorted((folder / SCORECARDS_FOLDER).glob("*.yaml"))
    for path in scorecard_paths:
        scorecard, own = read_scorecard(path)
        if scorecard.code in {s.code for s in scorecards}:
            raise PerformanceSeedError(
                f"{path.name}: the scorecard code {scorecard.code} is used by another file"
            )
        for spec in own:
            add(spec, path)
        scorecards.append(scorecard)

    strategies: list[StrategySpec] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == MEASURES_FILE:
            continue
        strategy = read_strategy(path)
        if strategy.code in {s.code for s in strategies}:
            raise PerformanceSeedError(
                f"{path.name}: the strategy code {strategy.code} is used by another file"
            )
        for stage in strategy.stages:
            for number, evidence in enumerate(stage.evidence, start=1):
                unknown = [code for code in evidence.measures if code not in origin]
                if unknown:
                    raise PerformanceSeedError(
                        f"{path.name}: {stage.kind} stage, evidence {number} "
                        f"({evidence.text[:60]}): no seeded measure has the code(s) "
                        f"{', '.join(unknown)}"
                    )
        strategies.append(strategy)
    return PerformanceSeeds(measures=measures, strategies=strategies, scorecards=scorecards)


# --- loading ---------------------------------------------------------------------------------


def _new_measure(spec: MeasureSpec) -> Measure:
    measure = Measure(
        **spec.values,
        baseline_start=spec.baseline_start,
        baseline_value=spec.baseline_value,
        baseline_note=spec.baseline_note,
        active=True,
    )
    measure.figures = [
        MeasureFigure(
            kind=f.kind,
            start=f.start,
            end_on=f.end_on,
            value=f.value,
            note=f.note,
            origin=ORIGIN,
        )
        for f in spec.figures
    ]
    measure.benchmarks = [
        MeasureBenchmark(comparator=b.comparator, start=b.start, value=b.value, note=b.note)
        for b in spec.benchmarks
    ]
    return measure


def _new_strategy(spec: StrategySpec, measures: dict[str, Measure]) -> Strategy:
    strategy = Strategy(
        code=spec.code,
        name=spec.name,
        authority=spec.authority,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        model_title=spec.model_title,
        description=spec.description,
        source=spec.source,
    )
    for position, stage_spec in enumerate(spec.stages, start=1):
        stage = EvaluationStage(
            kind=stage_spec.kind,
            position=position,
            question=stage_spec.question,
            title=stage_spec.title,
            description=stage_spec.description,
        )
        stage.activities = [
            EvaluationActivity(position=number, text=text)
            for number, text in enumerate(stage_spec.activities, start=1)
        ]
        stage.evidence = [
            EvaluationEvidence(
                position=number,
                text=evidence.text,
                measures=[measures[code] for code in evidence.measures],
            )
            for number, evidence in enumerate(stage_spec.evidence, start=1)
        ]
        strategy.stages.append(stage)
    return strategy


def load_performance_seeds(folder: Path | None = None) -> dict[str, int]:
    """Add the shipped measures, strategies and scorecards that are missing (by code) and
    return how many of each (and of figures and benchmarks) were added. Nothing is written
    when any file is refused (``PerformanceSeedError``). The caller commits."""
    seeds = read_seeds(folder)
    existing = {m.code: m for m in db.session.scalars(select(Measure))}
    added = {"measures": 0, "figures": 0, "benchmarks": 0, "strategies": 0, "scorecards": 0}
    for spec in seeds.measures:
        if spec.code in existing:
            continue
        measure = _new_measure(spec)
        db.session.add(measure)
        existing[spec.code] = measure
        added["measures"] += 1
        added["figures"] += len(spec.figures)
        added["benchmarks"] += len(spec.benchmarks)

    known_strategies = set(db.session.scalars(select(Strategy.code)))
    new_strategies = []
    for strategy_spec in seeds.strategies:
        if strategy_spec.code in known_strategies:
            continue
        strategy = _new_strategy(strategy_spec, existing)
        db.session.add(strategy)
        new_strategies.append(strategy)
        added["strategies"] += 1

    known_scorecards = set(db.session.scalars(select(Scorecard.code)))
    for scorecard_spec in seeds.scorecards:
        if scorecard_spec.code in known_scorecards:
            continue
        scorecard = Scorecard(
            code=scorecard_spec.code,
            name=scorecard_spec.name,
            description=scorecard_spec.description,
            source=scorecard_spec.source,
            history=scorecard_spec.history,
        )
        scorecard.entries = [
            ScorecardMeasure(
                measure=existing[entry.code],
                position=position,
                label=entry.label,
                published_direction=entry.published_direction,
            )
            for position, entry in enumerate(scorecard_spec.entries, start=1)
        ]
        db.session.add(scorecard)
        added["scorecards"] += 1
    db.session.flush()

    # The links between sources of evidence and measures are rows of a plain table, which
    # the audit trail does not see: one event per strategy records them.
    for strategy in new_strategies:
        links = {
            str(evidence.id): [m.code for m in evidence.measures]
            for stage in strategy.stages
            for evidence in stage.evidence
            if evidence.measures
        }
        if links:
            record_event(
                "link",
                "EvaluationEvidence",
                f"Linked {len(links)} sources of evidence of the {strategy.name} evaluation "
                f"model to measures (seeded)",
                {"strategy": strategy.code, "evidence_measures": links},
            )
    db.session.flush()
    return added
