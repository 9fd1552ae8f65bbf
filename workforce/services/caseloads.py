"""Caseloads: case types, weighting schemes and snapshots.

- **Case types** are a list administrators keep: add, rename, take out of use (never delete:
  snapshots and schemes refer to them). Codes are short, lower-case and unique.
- **Weighting schemes** are versioned data. Each has an effective date (unique); the scheme
  in force on a day is the one with the latest effective date on or before it. A new
  version starts as a copy of the scheme in force. Refused with a message: a duplicate
  effective date, negative points, a maximum of zero, an ASYE maximum above the full-time
  maximum, bands that overlap or leave a gap (``workforce.metrics.caseload.band_problems``),
  and no band within the desired level.
- **Snapshots** are one worker's caseload on one date: cases per type and tier, and points
  for extra responsibilities. Refused: negative counts or points, a date in the future, a
  date before the worker started or after they left (or between two posts), a second
  snapshot for the same worker and date (change that one instead).

**Stored figures.** Each snapshot keeps its ``total_cases`` (cases of every type and tier)
and ``case_points`` (cases x points per case under the scheme in force on its date, without
the stable element and extra points; ``workforce.metrics.caseload.case_points``), so reports
over millions of counts read one row per snapshot. They are set whenever a snapshot is saved
or imported, and ``case_points`` is recomputed in the database (one set-based UPDATE per
scheme period) for the snapshots whose dates a scheme change touches: a new scheme, a
changed effective date, changed points per case type and tier. Whoever writes snapshots or
counts without these services calls ``recompute_snapshot_totals`` afterwards.

Every change is validated here, added and flushed; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement, and_, func, literal, select, update

from workforce.audit import record_event
from workforce.extensions import db
from workforce.metrics import caseload as metrics
from workforce.metrics.caseload import Band, Standing
from workforce.metrics.fte import fte as fte_of
from workforce.models import (
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    CaseWeight,
    EmploymentSpell,
    Staff,
    UtilisationBand,
    WeightingScheme,
)
from workforce.models.workforce_planning import COMPLEXITY_TIERS, RAG
from workforce.services import ServiceError
from workforce.services.reference import SEEDS_DIR

#: The most points a case, a stable element or a maximum may carry (the column holds 8.2).
MAX_POINTS = Decimal("99999")
#: The most cases of one type and tier one snapshot may hold.
MAX_CASES = 10_000
CODE = re.compile(r"^[a-z0-9_]{1,40}$")
#: Snapshot ids per UPDATE when recomputing given snapshots (SQLite's bound-parameter limit).
ID_CHUNK = 900


def load_caseload_defaults(path: Path | None = None) -> tuple[int, int]:
    """Add the shipped case types and default scheme when there are none yet; return how
    many case types and schemes were added."""
    data = yaml.safe_load((path or SEEDS_DIR / "caseload_weighting.yaml").read_text())
    added_types = 0
    if not db.session.scalar(select(func.count()).select_from(CaseType)):
        for position, item in enumerate(data["case_types"], start=1):
            db.session.add(CaseType(code=item["code"], label=item["label"], position=position))
            added_types += 1
        db.session.flush()
    if db.session.scalar(select(func.count()).select_from(WeightingScheme)):
        return added_types, 0
    types = {t.code: t for t in db.session.scalars(select(CaseType))}
    spec = data["scheme"]
    effective = spec["effective_from"]
    scheme = WeightingScheme(
        name=spec["name"],
        effective_from=effective if isinstance(effective, date) else date.fromisoformat(effective),
        stable_points=Decimal(str(spec["stable_points"])),
        full_time_max=Decimal(str(spec["full_time_max"])),
        asye_max=Decimal(str(spec["asye_max"])),
    )
    scheme.weights = [
        CaseWeight(case_type_id=types[code].id, tier=tier, points=Decimal(str(points)))
        for code, by_tier in spec["weights"].items()
        if code in types
        for tier, points in enumerate(by_tier, start=1)
    ]
    scheme.bands = [
        UtilisationBand(
            name=band["name"],
            lower_pct=Decimal(str(band["lower_pct"])),
            upper_pct=None if band["upper_pct"] is None else Decimal(str(band["upper_pct"])),
            rag=band["rag"],
            within_desired=bool(band["within_desired"]),
        )
        for band in spec["bands"]
    ]
    before = _scheme_dates()
    db.session.add(scheme)
    db.session.flush()
    _after_scheme_change(before, scheme, changed=True)
    return added_types, 1


# --- case types ---------------------------------------------------------------------------


def case_types(*, active_only: bool = False) -> list[CaseType]:
    """Case types in their order (active ones only, if asked)."""
    query = select(CaseType).order_by(CaseType.position, CaseType.label)
    if active_only:
        query = query.where(CaseType.active.is_(True))
    return list(db.session.scalars(query))


def _code_from(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "case_type"


def _check_case_type(case_type: CaseType | None, label: str, code: str) -> None:
    if not label:
        raise ServiceError("Enter the name of the case type", "label")
    if len(label) > 120:
        raise ServiceError("The name must be 120 characters or fewer", "label")
    if not CODE.match(code):
        raise ServiceError(
            "The code must be up to 40 lower-case letters, digits or underscores", "code"
        )
    own = case_type.id if case_type is not None else None
    same_label = db.session.scalar(
        select(CaseType.label).where(
            func.lower(CaseType.label) == label.lower(), CaseType.id != own
        )
    )
    if same_label is not None:
        raise ServiceError(f"There is already a case type called {same_label}", "label")
    same_code = db.session.scalar(
        select(CaseType.id).where(CaseType.code == code, CaseType.id != own)
    )
    if same_code is not None:
        raise ServiceError(f"There is already a case type with the code {code}", "code")


def add_case_type(label: str, code: str | None = None) -> CaseType:
    """Add a case type at the end of the list."""
    label = (label or "").strip()
    code = (code or "").strip().lower() or _code_from(label)
    _check_case_type(None, label, code)
    position = (db.session.scalar(select(func.max(CaseType.position))) or 0) + 1
    case_type = CaseType(code=code, label=label, position=position, active=True)
    db.session.add(case_type)
    db.session.flush()
    return case_type


def update_case_type(case_type: CaseType, label: str, active: bool) -> CaseType:
    """Rename a case type, or take it out of use (or back into use). The code stays."""
    label = (label or "").strip()
    _check_case_type(case_type, label, case_type.code)
    case_type.label = label
    case_type.active = bool(active)
    db.session.flush()
    return case_type


def parse_tier(text: str) -> int:
    """A complexity tier from 1, 2 or 3 or its label; blank is tier 1 (standard)."""
    text = (text or "").strip().lower()
    if not text:
        return 1
    if text in ("1", "2", "3"):
        return int(text)
    for tier, label in COMPLEXITY_TIERS.items():
        if text == label.lower():
            return tier
    raise ValueError("must be 1, 2 or 3 (" + ", ".join(COMPLEXITY_TIERS.values()).lower() + ")")


# --- weighting schemes ----------------------------------------------------------------------


@dataclass
class BandDetails:
    """One band as entered."""

    name: str
    lower_pct: Decimal | None
    upper_pct: Decimal | None
    rag: str
    within_desired: bool


@dataclass
class SchemeDetails:
    """A scheme as entered: its figures, points per (case type id, tier) and bands."""

    name: str
    effective_from: date | None
    stable_points: Decimal | None
    full_time_max: Decimal | None
    asye_max: Decimal | None
    notes: str | None = None
    weights: dict[tuple[int, int], Decimal | None] = field(default_factory=dict)
    bands: list[BandDetails] = field(default_factory=list)


def schemes() -> list[WeightingScheme]:
    """Every scheme, the latest effective first."""
    return list(
        db.session.scalars(select(WeightingScheme).order_by(WeightingScheme.effective_from.desc()))
    )


def scheme_in_force(on: date) -> WeightingScheme | None:
    """The scheme in force on ``on``: the latest effective date on or before it."""
    return db.session.scalar(
        select(WeightingScheme)
        .where(WeightingScheme.effective_from <= on)
        .order_by(WeightingScheme.effective_from.desc())
        .limit(1)
    )


def details_of(scheme: WeightingScheme) -> SchemeDetails:
    """A scheme's details, to edit it or to start a new version from it."""
    return SchemeDetails(
        name=scheme.name,
        effective_from=scheme.effective_from,
        stable_points=scheme.stable_points,
        full_time_max=scheme.full_time_max,
        asye_max=scheme.asye_max,
        notes=scheme.notes,
        weights={(w.case_type_id, w.tier): w.points for w in scheme.weights},
        bands=[
            BandDetails(b.name, b.lower_pct, b.upper_pct, b.rag, b.within_desired)
            for b in scheme.bands
        ],
    )


def _points(
    value: Decimal | None, what: str, field_name: str, *, positive: bool = False
) -> Decimal:
    if value is None:
        raise ServiceError(f"Enter the {what}", field_name)
    if value < 0:
        raise ServiceError(f"The {what} cannot be negative", field_name)
    if positive and value == 0:
        raise ServiceError(f"The {what} must be more than zero", field_name)
    if value > MAX_POINTS:
        raise ServiceError(f"The {what} must be {MAX_POINTS} or less", field_name)
    return value.quantize(metrics.TWO_PLACES)


def _check_scheme(scheme: WeightingScheme | None, details: SchemeDetails) -> SchemeDetails:
    name = (details.name or "").strip()
    if not name:
        raise ServiceError("Enter a name for the scheme", "name")
    if len(name) > 150:
        raise ServiceError("The name must be 150 characters or fewer", "name")
    if details.effective_from is None:
        raise ServiceError("Enter the date the scheme takes effect", "effective_from")
    own = scheme.id if scheme is not None else None
    clash = db.session.scalar(
        select(WeightingScheme.name).where(
            WeightingScheme.effective_from == details.effective_from, WeightingScheme.id != own
        )
    )
    if clash is not None:
        raise ServiceError(
            f"The scheme {clash} already takes effect on "
            f"{details.effective_from.strftime('%-d %B %Y')}: choose another date",
            "effective_from",
        )
    stable = _points(details.stable_points, "stable element", "stable_points")
    full = _points(details.full_time_max, "full-time maximum", "full_time_max", positive=True)
    asye = _points(details.asye_max, "ASYE maximum", "asye_max", positive=True)
    if asye > full:
        raise ServiceError("The ASYE maximum cannot be more than the full-time maximum", "asye_max")
    known = {t.id: t for t in db.session.scalars(select(CaseType))}
    weights: dict[tuple[int, int], Decimal | None] = {}
    for (type_id, tier), points in details.weights.items():
        if type_id not in known or tier not in COMPLEXITY_TIERS:
            raise ServiceError("Points were given for an unknown case type or tier", "weights")
        if points is None:
            continue
        label = f"points for {known[type_id].label}, {COMPLEXITY_TIERS[tier].lower()}"
        weights[(type_id, tier)] = _points(points, label, f"weight_{type_id}_{tier}")
    bands: list[BandDetails] = []
    for index, band in enumerate(details.bands, start=1):
        band_name = (band.name or "").strip()
        if not band_name and band.lower_pct is None and band.upper_pct is None:
            continue  # an empty row of the form
        if not band_name:
            raise ServiceError(f"Enter a name for band {index}", f"band_{index}_name")
        if len(band_name) > 80:
            raise ServiceError(
                f"Band {index}'s name must be 80 characters or fewer", f"band_{index}_name"
            )
        if band.lower_pct is None:
            raise ServiceError(f"Enter where band {index} starts", f"band_{index}_lower")
        if band.lower_pct < 0 or (band.upper_pct is not None and band.upper_pct < 0):
            raise ServiceError(
                f"Band {index}'s percentages cannot be negative", f"band_{index}_lower"
            )
        if band.rag not in RAG:
            raise ServiceError(f"Choose band {index}'s RAG colour", f"band_{index}_rag")
        bands.append(
            BandDetails(band_name, band.lower_pct, band.upper_pct, band.rag, band.within_desired)
        )
    problems = metrics.band_problems(
        [
            Band(b.name, b.lower_pct or Decimal(0), b.upper_pct, b.rag, b.within_desired)
            for b in bands
        ]
    )
    if problems:
        raise ServiceError("; ".join(problems), "bands")
    if not any(b.within_desired for b in bands):
        raise ServiceError("Mark at least one band as within the desired level", "bands")
    notes = (details.notes or "").strip() or None
    return SchemeDetails(name, details.effective_from, stable, full, asye, notes, weights, bands)


def _apply(scheme: WeightingScheme, details: SchemeDetails) -> None:
    scheme.name = details.name
    scheme.effective_from = details.effective_from  # type: ignore[assignment]
    scheme.stable_points = details.stable_points  # type: ignore[assignment]
    scheme.full_time_max = details.full_time_max  # type: ignore[assignment]
    scheme.asye_max = details.asye_max  # type: ignore[assignment]
    scheme.notes = details.notes
    existing = {(w.case_type_id, w.tier): w for w in scheme.weights}
    for key, weight in existing.items():
        if key not in details.weights:
            scheme.weights.remove(weight)
    for (type_id, tier), points in details.weights.items():
        if (type_id, tier) in existing:
            if existing[(type_id, tier)].points != points:
                existing[(type_id, tier)].points = points  # type: ignore[assignment]
        else:
            scheme.weights.append(CaseWeight(case_type_id=type_id, tier=tier, points=points))
    wanted = sorted(details.bands, key=lambda b: b.lower_pct or Decimal(0))
    current = list(scheme.bands)
    for band, new in zip(current, wanted, strict=False):
        band.name, band.lower_pct, band.upper_pct = new.name, new.lower_pct, new.upper_pct  # type: ignore[assignment]
        band.rag, band.within_desired = new.rag, new.within_desired
    for band in current[len(wanted) :]:
        scheme.bands.remove(band)
    for new in wanted[len(current) :]:
        scheme.bands.append(
            UtilisationBand(
                name=new.name,
                lower_pct=new.lower_pct,
                upper_pct=new.upper_pct,
                rag=new.rag,
                within_desired=new.within_desired,
            )
        )


def create_scheme(details: SchemeDetails) -> WeightingScheme:
    """Add a new version of the scheme, in force from its effective date (the case points
    of the snapshots it covers are recomputed)."""
    checked = _check_scheme(None, details)
    before = _scheme_dates()
    scheme = WeightingScheme()
    scheme.weights = []
    scheme.bands = []
    _apply(scheme, checked)
    db.session.add(scheme)
    db.session.flush()
    _after_scheme_change(before, scheme, changed=True)
    return scheme


def update_scheme(scheme: WeightingScheme, details: SchemeDetails) -> WeightingScheme:
    """Change a scheme (every snapshot it covers is judged by the changed figures; case
    points are recomputed where its points per case or its effective date changed)."""
    checked = _check_scheme(scheme, details)
    before = _scheme_dates()
    old_weights = {(w.case_type_id, w.tier): w.points for w in scheme.weights}
    _apply(scheme, checked)
    db.session.flush()
    db.session.expire(scheme, ["bands"])
    _after_scheme_change(before, scheme, changed=old_weights != checked.weights)
    return scheme


# --- stored totals ---------------------------------------------------------------------------


def _scheme_dates() -> dict[int, date]:
    """Every scheme's effective date by id, as the database holds them."""
    rows = db.session.execute(select(WeightingScheme.id, WeightingScheme.effective_from))
    return dict(rows.tuples().all())


def _after_scheme_change(
    before: Mapping[int, date], scheme: WeightingScheme, changed: bool
) -> None:
    """Recompute the case points of the snapshots a change of ``scheme`` touches."""
    periods = metrics.periods_to_recompute(before, _scheme_dates(), [scheme.id] if changed else [])
    if not periods:
        return
    recomputed = recompute_case_points(periods)
    if recomputed:
        spans = "; ".join(
            f"from {start.isoformat()}" + (f" to before {end.isoformat()}" if end else "")
            for start, end in periods
        )
        record_event(
            "recompute",
            "CaseloadSnapshot",
            f"Recomputed the case points of {recomputed:,} caseload snapshots after "
            f"{scheme.name} changed ({spans})",
            {"scheme_id": scheme.id, "snapshots": recomputed},
        )
        db.session.flush()


def _counted(
    snapshot: Any, scheme_id: int | None
) -> tuple[ColumnElement[int], ColumnElement[Decimal]]:
    """SQL: a snapshot's total cases and its case points under ``scheme_id`` (zero for
    none), from its counts (``snapshot``: the ``caseload_snapshot`` table being updated)."""
    count = CaseloadCount.__table__
    weight = CaseWeight.__table__
    total = (
        select(func.coalesce(func.sum(count.c.cases), 0))
        .where(count.c.snapshot_id == snapshot.c.id)
        .scalar_subquery()
    )
    if scheme_id is None:
        return total, literal(Decimal(0), snapshot.c.case_points.type)
    points = (
        select(func.coalesce(func.sum(count.c.cases * weight.c.points), 0))
        .select_from(count)
        .join(
            weight,
            and_(
                weight.c.scheme_id == scheme_id,
                weight.c.case_type_id == count.c.case_type_id,
                weight.c.tier == count.c.tier,
            ),
        )
        .where(count.c.snapshot_id == snapshot.c.id)
        .scalar_subquery()
    )
    return total, points


def _recompute(
    periods: Sequence[tuple[date | None, date | None]],
    *,
    with_cases: bool,
    snapshot_ids: Sequence[int] | None = None,
) -> int:
    """Set case points (and total cases, ``with_cases``) from the counts for the snapshots
    dated in ``periods`` ((from, until before) ranges; None: no bound) and among
    ``snapshot_ids`` if given: one UPDATE per scheme period overlapping each range, with
    that scheme's id (none before the first scheme). Returns how many rows were set."""
    table = CaseloadSnapshot.__table__
    in_force = metrics.scheme_periods(_scheme_dates())
    first = in_force[0][1] if in_force else None
    schedule: list[tuple[int | None, date | None, date | None]] = [(None, None, first)]
    schedule += in_force
    chunks: list[Sequence[int] | None] = (
        [None]
        if snapshot_ids is None
        else [snapshot_ids[n : n + ID_CHUNK] for n in range(0, len(snapshot_ids), ID_CHUNK)]
    )
    done = 0
    for start, end in periods:
        for scheme_id, begins, ends in schedule:
            low = begins if start is None else start if begins is None else max(start, begins)
            high = ends if end is None else end if ends is None else min(end, ends)
            if low is not None and high is not None and low >= high:
                continue
            total, points = _counted(table, scheme_id)
            # a recomputation is not a change to the snapshot: updated_at stays
            values: dict[str, Any] = {"case_points": points, "updated_at": table.c.updated_at}
            if with_cases:
                values["total_cases"] = total
            where: list[Any] = []
            if low is not None:
                where.append(table.c.taken_on >= low)
            if high is not None:
                where.append(table.c.taken_on < high)
            for chunk in chunks:
                condition = where if chunk is None else [*where, table.c.id.in_(chunk)]
                result = db.session.execute(update(table).where(*condition).values(**values))
                done += result.rowcount or 0
    # the rows changed under the session: what it holds of them is stale
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, CaseloadSnapshot):
            db.session.expire(obj, ["total_cases", "case_points"])
    return done


def recompute_case_points(periods: Sequence[tuple[date | None, date | None]]) -> int:
    """Recompute, in the database, the case points of every snapshot dated in ``periods``
    ((from, until before; None: no end) ranges) under the scheme now in force on its date;
    return how many snapshots were recomputed."""
    db.session.flush()
    return _recompute(periods, with_cases=False)


def recompute_snapshot_totals(snapshot_ids: Sequence[int] | None = None) -> int:
    """Set ``total_cases`` and ``case_points`` from the counts, in the database, for the
    snapshots ``snapshot_ids`` (every snapshot when None); return how many were set. For
    whoever writes snapshots and counts in bulk without ``save_snapshot`` or the import
    (call it after adding the counts, before committing)."""
    db.session.flush()
    if snapshot_ids is not None and not snapshot_ids:
        return 0
    ids = None if snapshot_ids is None else sorted(set(snapshot_ids))
    return _recompute([(None, None)], with_cases=True, snapshot_ids=ids)


def weights_in_force(on: date) -> dict[tuple[int, int], Decimal] | None:
    """Points per (case type id, tier) of the scheme in force on ``on`` (None: no scheme)."""
    scheme = scheme_in_force(on)
    return None if scheme is None else {(w.case_type_id, w.tier): w.points for w in scheme.weights}


def set_totals(
    snapshot: CaseloadSnapshot,
    counts: Mapping[tuple[int, int], int],
    weights: Mapping[Any, Decimal] | None,
) -> None:
    """Set a snapshot's stored ``total_cases`` and ``case_points`` from the counts it holds
    and the points per case of the scheme in force on its date (None: no scheme, no case
    points)."""
    rows = [(type_id, tier, cases) for (type_id, tier), cases in counts.items()]
    cases = metrics.total_cases(rows)
    points = Decimal(0) if weights is None else metrics.case_points(rows, weights)
    if snapshot.total_cases != cases:
        snapshot.total_cases = cases
    if snapshot.case_points is None or Decimal(snapshot.case_points) != points:
        snapshot.case_points = points.quantize(metrics.TWO_PLACES)


def as_metrics_scheme(scheme: WeightingScheme) -> metrics.Scheme:
    """A scheme as ``workforce.metrics.caseload`` takes it (weights keyed by case type id)."""
    return metrics.Scheme(
        effective_from=scheme.effective_from,
        stable_points=scheme.stable_points,
        full_time_max=scheme.full_time_max,
        asye_max=scheme.asye_max,
        weights={(w.case_type_id, w.tier): w.points for w in scheme.weights},
        bands=tuple(
            Band(b.name, b.lower_pct, b.upper_pct, b.rag, b.within_desired)
            for b in sorted(scheme.bands, key=lambda b: b.lower_pct)
        ),
    )


def metrics_schemes() -> dict[int, metrics.Scheme]:
    """Every scheme by id, as the calculations take them."""
    return {scheme.id: as_metrics_scheme(scheme) for scheme in schemes()}


def judging_schemes() -> dict[int, metrics.Scheme]:
    """Every scheme by id, the latest effective first, as ``metrics_schemes`` gives them
    but without their points per case type and tier (empty ``weights``): all that judging
    snapshots by their stored case points needs (``workforce.reports.caseload.judge_rows``),
    read in one query of plain rows (bands in order) rather than as objects with their
    weights in four, which took four times as long."""
    scheme, band = WeightingScheme, UtilisationBand
    rows = db.session.execute(
        select(
            scheme.id,
            scheme.effective_from,
            scheme.stable_points,
            scheme.full_time_max,
            scheme.asye_max,
            band.name,
            band.lower_pct,
            band.upper_pct,
            band.rag,
            band.within_desired,
        )
        .outerjoin(band, band.scheme_id == scheme.id)
        .order_by(scheme.effective_from.desc(), band.lower_pct, band.id)
    ).all()
    figures: dict[int, tuple[Any, ...]] = {}
    bands: dict[int, list[Band]] = {}
    for scheme_id, effective, stable, full, asye, *held in rows:
        figures.setdefault(scheme_id, (effective, stable, full, asye))
        found = bands.setdefault(scheme_id, [])
        if held[0] is not None:
            name, lower, upper, rag, within = held
            found.append(Band(name, lower, upper, rag, within))
    return {
        scheme_id: metrics.Scheme(
            effective_from=effective,
            stable_points=stable,
            full_time_max=full,
            asye_max=asye,
            weights={},
            bands=tuple(bands[scheme_id]),
        )
        for scheme_id, (effective, stable, full, asye) in figures.items()
    }


# --- snapshots -------------------------------------------------------------------------------


@dataclass
class SnapshotDetails:
    """A worker's caseload on a date as entered: cases per (case type id, tier)."""

    taken_on: date | None
    counts: dict[tuple[int, int], int | None] = field(default_factory=dict)
    extra_points: Decimal | None = None


def in_post_problem(staff: Staff, on: date) -> str | None:
    """Why ``staff`` cannot have a caseload on ``on`` (not yet started, left, between posts),
    or None when they were in post."""
    spells = sorted(staff.spells, key=lambda s: s.start_date)
    if not spells:
        return f"{staff.full_name} has no employment recorded"
    if any(s.is_current_on(on) for s in spells):
        return None
    first = spells[0].start_date
    if on < first:
        return f"{staff.full_name} started on {first.strftime('%-d %B %Y')}: choose a date on or after it"
    ends = [s.end_date for s in spells]
    if all(end is not None for end in ends):
        last = max(end for end in ends if end is not None)
        if on > last:
            return f"{staff.full_name} left on {last.strftime('%-d %B %Y')}: choose a date on or before it"
    return f"{staff.full_name} was not in post on {on.strftime('%-d %B %Y')}"


def _clean_counts(
    counts: Mapping[tuple[int, int], int | None], allowed_inactive: set[int]
) -> dict[tuple[int, int], int]:
    known = {t.id: t for t in db.session.scalars(select(CaseType))}
    clean: dict[tuple[int, int], int] = {}
    for (type_id, tier), cases in counts.items():
        case_type = known.get(type_id)
        if case_type is None or tier not in COMPLEXITY_TIERS:
            raise ServiceError("Cases were given for an unknown case type or tier", "counts")
        if cases is None or cases == 0:
            continue
        where = f"count_{type_id}_{tier}"
        what = f"{case_type.label}, {COMPLEXITY_TIERS[tier].lower()}"
        if cases < 0:
            raise ServiceError(f"Cases of {what} cannot be negative", where)
        if cases > MAX_CASES:
            raise ServiceError(f"Cases of {what} must be {MAX_CASES:,} or fewer", where)
        if not case_type.active and type_id not in allowed_inactive:
            raise ServiceError(f"{case_type.label} is no longer in use", where)
        clean[(type_id, tier)] = int(cases)
    return clean


def save_snapshot(
    staff: Staff,
    details: SnapshotDetails,
    snapshot: CaseloadSnapshot | None = None,
    *,
    today: date | None = None,
    source: str = "entered",
) -> CaseloadSnapshot:
    """Record ``staff``'s caseload on a date, or change ``snapshot``."""
    today = today or date.today()
    on = details.taken_on
    if on is None:
        raise ServiceError("Enter the date of the caseload", "taken_on")
    if on > today:
        raise ServiceError("The date cannot be in the future", "taken_on")
    problem = in_post_problem(staff, on)
    if problem:
        raise ServiceError(problem, "taken_on")
    clash = db.session.scalar(
        select(CaseloadSnapshot.id).where(
            CaseloadSnapshot.staff_id == staff.id,
            CaseloadSnapshot.taken_on == on,
            CaseloadSnapshot.id != (snapshot.id if snapshot is not None else None),
        )
    )
    if clash is not None:
        raise ServiceError(
            f"{staff.full_name} already has a caseload on {on.strftime('%-d %B %Y')}: "
            "change that one instead",
            "taken_on",
        )
    extra = details.extra_points if details.extra_points is not None else Decimal(0)
    if extra < 0:
        raise ServiceError("Extra responsibility points cannot be negative", "extra_points")
    if extra > MAX_POINTS:
        raise ServiceError(
            f"Extra responsibility points must be {MAX_POINTS} or less", "extra_points"
        )
    held = {c.case_type_id for c in snapshot.counts} if snapshot is not None else set()
    counts = _clean_counts(details.counts, held)
    weights = weights_in_force(on)
    if snapshot is None:
        snapshot = CaseloadSnapshot(staff_id=staff.id, counts=[])
        db.session.add(snapshot)
    snapshot.taken_on = on
    snapshot.extra_points = extra.quantize(metrics.TWO_PLACES)
    snapshot.source = source
    replace_counts(snapshot, counts)
    set_totals(snapshot, counts, weights)
    db.session.flush()
    return snapshot


def replace_counts(snapshot: CaseloadSnapshot, counts: Mapping[tuple[int, int], int]) -> bool:
    """Make ``snapshot`` hold exactly ``counts`` (positive counts only); whether it changed."""
    changed = False
    existing = {(c.case_type_id, c.tier): c for c in snapshot.counts}
    for key, count in existing.items():
        if counts.get(key, 0) <= 0:
            snapshot.counts.remove(count)
            changed = True
    for (type_id, tier), cases in counts.items():
        if cases <= 0:
            continue
        if (type_id, tier) in existing:
            if existing[(type_id, tier)].cases != cases:
                existing[(type_id, tier)].cases = cases
                changed = True
        else:
            snapshot.counts.append(CaseloadCount(case_type_id=type_id, tier=tier, cases=cases))
            changed = True
    return changed


def delete_snapshot(snapshot: CaseloadSnapshot) -> None:
    """Remove a snapshot recorded in error."""
    db.session.delete(snapshot)
    db.session.flush()


def spell_on(staff_id: int, on: date) -> EmploymentSpell | None:
    """The spell in force on ``on`` (the latest started, where two overlap)."""
    return db.session.scalar(
        select(EmploymentSpell)
        .where(EmploymentSpell.staff_id == staff_id, EmploymentSpell.current_on(on))
        .order_by(EmploymentSpell.start_date.desc(), EmploymentSpell.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class JudgedSnapshot:
    """A snapshot with the scheme in force on its date and what it says."""

    snapshot: CaseloadSnapshot
    scheme: WeightingScheme | None
    fte: Decimal | None
    asye: bool
    standing: Standing | None


def judge_snapshot(
    snapshot: CaseloadSnapshot,
    schemes_by_id: Mapping[int, metrics.Scheme] | None = None,
    *,
    all_schemes: Sequence[WeightingScheme] | None = None,
    staff: Staff | None = None,
) -> JudgedSnapshot:
    """Points, capacity, utilisation and band of one snapshot: the scheme in force on its
    date, and the worker's FTE and ASYE status from the spell in force that day.

    Judging many snapshots, pass ``all_schemes`` (every scheme, the latest effective first)
    and the worker as ``staff`` (with their spells) so neither is read again for each."""
    if all_schemes is None:
        scheme = scheme_in_force(snapshot.taken_on)
    else:
        scheme = next((s for s in all_schemes if s.effective_from <= snapshot.taken_on), None)
    on = snapshot.taken_on
    spell = spell_on(snapshot.staff_id, on) if staff is None else staff.spell_on(on)
    if spell is None:
        return JudgedSnapshot(snapshot, scheme, None, False, None)
    worker_fte = fte_of(spell.contracted_hours, spell.standard_hours)
    asye = metrics.in_asye(
        spell.cfkss_status, spell.start_origin, spell.start_date, snapshot.taken_on
    )
    if scheme is None:
        return JudgedSnapshot(snapshot, None, worker_fte, asye, None)
    figures = (schemes_by_id or {}).get(scheme.id) or as_metrics_scheme(scheme)
    result = metrics.standing(
        figures,
        [(c.case_type_id, c.tier, c.cases) for c in snapshot.counts],
        fte=worker_fte,
        asye=asye,
        extra_points=snapshot.extra_points,
    )
    return JudgedSnapshot(snapshot, scheme, worker_fte, asye, result)


def history(staff: Staff) -> list[JudgedSnapshot]:
    """Every snapshot of ``staff``, the latest first, each judged."""
    snapshots = db.session.scalars(
        select(CaseloadSnapshot)
        .where(CaseloadSnapshot.staff_id == staff.id)
        .order_by(CaseloadSnapshot.taken_on.desc())
    ).all()
    if not snapshots:
        return []
    all_schemes = schemes()
    by_id = {scheme.id: as_metrics_scheme(scheme) for scheme in all_schemes}
    return [
        judge_snapshot(snapshot, by_id, all_schemes=all_schemes, staff=staff)
        for snapshot in snapshots
    ]


def parse_decimal(text: Any) -> Decimal | None:
    """A number from text (None when blank); ValueError when it is not a number."""
    text = str(text if text is not None else "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError("must be a number") from error
    if not value.is_finite():
        raise ValueError("must be a number")
    return value


def count_choices(types: Sequence[CaseType]) -> list[tuple[int, int, str]]:
    """(case type id, tier, label) for every case type and tier, in order."""
    return [
        (t.id, tier, f"{t.label}, {label.lower()}")
        for t in types
        for tier, label in COMPLEXITY_TIERS.items()
    ]
