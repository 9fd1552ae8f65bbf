"""Import caseloads from a case-management extract (CSV or XLSX).

Two shapes of file are read, told apart by their header row:

- **counts**: one row per worker, date, case type and tier with a number of cases
  (``cases`` column);
- **cases**: one row per case (``case_reference`` column); the worker's count for a type
  and tier is the number of rows.

The worker is named by ``staff_number`` or ``swe_number`` (Social Work England number;
either will do, and if both are given they must be the same person). ``date`` is the date
of the caseload, ``case_type`` a case type's code or name, ``tier`` 1, 2 or 3 or its label
(blank is 1, standard). An optional ``extra_points`` column gives the worker's points for
extra responsibilities on that date (the same on every row of the worker and date that gives
it; left out, a snapshot keeps the extra points it had).

The file's rows for one worker and date **replace** that worker's snapshot on that date (a
case type missing from the file is removed from it), so importing the same file again changes
nothing. Each snapshot written gets its stored total cases and case points (under the scheme
in force on its date) with its counts. Every row is checked before anything is written, and
every problem is listed by row and column; a file with any bad row writes nothing. Lookups are
loaded once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select, tuple_

from workforce.audit import record_event
from workforce.extensions import db
from workforce.metrics.caseload import TWO_PLACES, scheme_in_force
from workforce.models import CaseloadSnapshot, CaseType, EmploymentSpell, Staff
from workforce.services.caseloads import MAX_CASES, MAX_POINTS, parse_decimal, parse_tier
from workforce.services.tabular import RowError, cell_date, cell_text, spreadsheet_rows
from workforce.validation import normalise_swe

#: Columns of each shape, in order, with a description for the page and the template.
PERSON_COLUMNS: dict[str, str] = {
    "staff_number": "The worker's staff number. Give this or swe_number.",
    "swe_number": "The worker's Social Work England number (like SW1234567890). Give this or "
    "staff_number.",
    "date": "Required. The date of the caseload, like 2025-09-30 or 30/09/2025; not in the "
    "future, and a day the worker was in post.",
    "case_type": "Required. The case type's code or name (see Case types).",
    "tier": "Complexity tier: 1 (standard), 2 (complex) or 3 (highly complex). Blank is 1.",
}
COUNT_COLUMNS: dict[str, str] = {
    **PERSON_COLUMNS,
    "cases": "Required. How many cases of this type and tier the worker holds (0 or more).",
    "extra_points": "Optional. Points for extra responsibilities on that date (0 or more).",
}
CASE_COLUMNS: dict[str, str] = {
    **PERSON_COLUMNS,
    "case_reference": "Required. The case's reference in the case-management system; one row "
    "per case.",
    "extra_points": "Optional. Points for extra responsibilities on that date (0 or more).",
}
SHAPES = {"counts": COUNT_COLUMNS, "cases": CASE_COLUMNS}
CHUNK = 900

Key = tuple[int, date]


@dataclass
class CaseloadPlan:
    """What an import would do, or why it cannot."""

    shape: str = "counts"
    errors: list[RowError] = field(default_factory=list)
    #: (staff id, date) -> {(case type id, tier): cases}
    snapshots: dict[Key, dict[tuple[int, int], int]] = field(default_factory=dict)
    #: (staff id, date) -> extra points, where the file gives them
    extra: dict[Key, Decimal] = field(default_factory=dict)
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def workers(self) -> int:
        """Distinct workers in the file."""
        return len({staff_id for staff_id, _ in self.snapshots})

    def describe(self) -> str:
        """One sentence of what would change."""
        return (
            f"{self.rows} rows for {self.workers} worker{'' if self.workers == 1 else 's'}: "
            f"{self.new} new caseload snapshots, {self.changed} replaced, "
            f"{self.unchanged} unchanged."
        )


def template_frame(shape: str = "counts") -> pd.DataFrame:
    """The template for a shape, with two example rows."""
    person = {"staff_number": "E12345", "swe_number": "", "date": "2025-09-30"}
    if shape == "cases":
        rows = [
            {**person, "case_type": "cp", "tier": "1", "case_reference": "C-000123",
             "extra_points": ""},
            {**person, "case_type": "Looked after child", "tier": "2",
             "case_reference": "C-000456", "extra_points": ""},
        ]  # fmt: skip
    else:
        rows = [
            {**person, "case_type": "cin", "tier": "1", "cases": "6", "extra_points": "5"},
            {**person, "case_type": "Child protection", "tier": "2", "cases": "3",
             "extra_points": "5"},
        ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(SHAPES.get(shape, COUNT_COLUMNS)))


class _Lookups:
    """Workers, case types and employment loaded once."""

    def __init__(self) -> None:
        self.by_number: dict[str, int] = {}
        self.by_swe: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for staff_id, number, swe, first, last in db.session.execute(
            select(
                Staff.id, Staff.staff_number, Staff.swe_number, Staff.first_name, Staff.last_name
            )
        ):
            self.by_number[number.lower()] = staff_id
            if swe:
                self.by_swe[swe.upper()] = staff_id
            self.names[staff_id] = f"{first} {last}"
        self.types: dict[str, CaseType] = {}
        for case_type in db.session.scalars(select(CaseType)):
            self.types[case_type.code.lower()] = case_type
            self.types[case_type.label.lower()] = case_type
        self.spells: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
        for staff_id, start, end in db.session.execute(
            select(EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.end_date)
        ):
            self.spells[staff_id].append((start, end))

    def post_problem(self, staff_id: int, on: date) -> str | None:
        spells = self.spells.get(staff_id, [])
        name = self.names[staff_id]
        if not spells:
            return f"{name} has no employment recorded"
        if any(start <= on and (end is None or end >= on) for start, end in spells):
            return None
        first = min(start for start, _ in spells)
        if on < first:
            return f"{name} started on {first.isoformat()}, after this date"
        ends = [end for _, end in spells]
        if all(end is not None for end in ends):
            last = max(end for end in ends if end is not None)
            if on > last:
                return f"{name} left on {last.isoformat()}, before this date"
        return f"{name} was not in post on {on.isoformat()}"


def _person(
    number: int, raw: dict[str, Any], lookups: _Lookups, errors: list[RowError]
) -> tuple[int | None, str]:
    staff_number = cell_text(raw.get("staff_number"))
    swe_text = cell_text(raw.get("swe_number"))
    column = "staff_number" if staff_number else "swe_number"
    if not staff_number and not swe_text:
        errors.append(RowError(number, "staff_number", "give a staff number or an SWE number"))
        return None, column
    staff_id: int | None = None
    if staff_number:
        staff_id = lookups.by_number.get(staff_number.lower())
        if staff_id is None:
            errors.append(
                RowError(number, "staff_number", f"no staff record has staff number {staff_number}")
            )
    if swe_text:
        swe = normalise_swe(swe_text) or swe_text.upper()
        by_swe = lookups.by_swe.get(swe.upper())
        if by_swe is None:
            errors.append(
                RowError(number, "swe_number", f"no staff record has the SWE number {swe_text}")
            )
            return None, column
        if staff_number and staff_id is not None and by_swe != staff_id:
            errors.append(
                RowError(
                    number, "swe_number", "belongs to a different person from the staff number"
                )
            )
            return None, column
        staff_id = by_swe if staff_id is None and not staff_number else staff_id
    return staff_id, column


def plan_caseload_import(frame: pd.DataFrame, *, today: date | None = None) -> CaseloadPlan:
    """Check every row and work out what would change, writing nothing."""
    today = today or date.today()
    columns = set(frame.columns)
    shape = "cases" if "case_reference" in columns else "counts"
    plan = CaseloadPlan(shape=shape, rows=len(frame))
    missing = [c for c in ("date", "case_type") if c not in columns]
    if "staff_number" not in columns and "swe_number" not in columns:
        missing.insert(0, "staff_number or swe_number")
    if "cases" not in columns and "case_reference" not in columns:
        missing.append("cases or case_reference")
    if missing:
        plan.errors.append(RowError(1, ", ".join(missing), "column missing from the header row"))
        return plan
    if "cases" in columns and "case_reference" in columns:
        plan.errors.append(
            RowError(
                1,
                "cases, case_reference",
                "give either a cases column (one row per worker and type) or a case_reference "
                "column (one row per case), not both",
            )
        )
        return plan
    if frame.empty:
        plan.errors.append(RowError(2, "date", "the file has no rows to import"))
        return plan
    lookups = _Lookups()
    counts: dict[Key, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    seen_counts: dict[tuple[int, date, int, int], int] = {}
    seen_cases: dict[tuple[int, date, str], int] = {}
    extra_rows: dict[Key, tuple[Decimal, int]] = {}
    for number, raw in spreadsheet_rows(frame):
        errors: list[RowError] = []
        staff_id, person_column = _person(number, raw, lookups, errors)
        on: date | None = None
        try:
            on = cell_date(raw.get("date"))
        except ValueError as error:
            errors.append(RowError(number, "date", str(error)))
        else:
            if on is None:
                errors.append(RowError(number, "date", "is required"))
            elif on > today:
                errors.append(RowError(number, "date", "cannot be in the future"))
            elif staff_id is not None:
                problem = lookups.post_problem(staff_id, on)
                if problem:
                    errors.append(RowError(number, "date", problem))
                    on = None
        if on is not None and on > today:
            on = None
        type_text = cell_text(raw.get("case_type"))
        case_type = lookups.types.get(type_text.lower()) if type_text else None
        if not type_text:
            errors.append(RowError(number, "case_type", "is required"))
        elif case_type is None:
            errors.append(RowError(number, "case_type", f"there is no case type {type_text}"))
        elif not case_type.active:
            errors.append(RowError(number, "case_type", f"{case_type.label} is no longer in use"))
            case_type = None
        tier: int | None = None
        try:
            tier = parse_tier(cell_text(raw.get("tier")))
        except ValueError as error:
            errors.append(RowError(number, "tier", str(error)))
        cases: int | None = None
        reference = ""
        if shape == "counts":
            text = cell_text(raw.get("cases"))
            if not text:
                errors.append(RowError(number, "cases", "is required"))
            elif not text.lstrip("-").isdigit():
                errors.append(RowError(number, "cases", "must be a whole number"))
            elif int(text) < 0:
                errors.append(RowError(number, "cases", "cannot be negative"))
            elif int(text) > MAX_CASES:
                errors.append(RowError(number, "cases", f"must be {MAX_CASES:,} or fewer"))
            else:
                cases = int(text)
        else:
            reference = cell_text(raw.get("case_reference"))
            if not reference:
                errors.append(RowError(number, "case_reference", "is required"))
            cases = 1
        extra: Decimal | None = None
        if "extra_points" in columns:
            try:
                extra = parse_decimal(cell_text(raw.get("extra_points")))
            except ValueError as error:
                errors.append(RowError(number, "extra_points", str(error)))
            else:
                if extra is not None and extra < 0:
                    errors.append(RowError(number, "extra_points", "cannot be negative"))
                    extra = None
                elif extra is not None and extra > MAX_POINTS:
                    errors.append(RowError(number, "extra_points", f"must be {MAX_POINTS} or less"))
                    extra = None
        known = staff_id is not None and on is not None
        if known and case_type is not None and tier is not None:
            assert staff_id is not None and on is not None
            if shape == "counts":
                key4 = (staff_id, on, case_type.id, tier)
                if key4 in seen_counts:
                    errors.append(
                        RowError(
                            number,
                            "case_type",
                            f"row {seen_counts[key4]} already gives this worker's "
                            f"{case_type.label.lower()} cases, tier {tier}, on {on.isoformat()}",
                        )
                    )
                seen_counts.setdefault(key4, number)
            elif reference:
                key3 = (staff_id, on, reference.lower())
                if key3 in seen_cases:
                    errors.append(
                        RowError(
                            number,
                            "case_reference",
                            f"row {seen_cases[key3]} already lists case {reference} for this "
                            "worker on this date",
                        )
                    )
                seen_cases.setdefault(key3, number)
        if known and extra is not None:
            assert staff_id is not None and on is not None
            earlier = extra_rows.get((staff_id, on))
            if earlier is not None and earlier[0] != extra:
                errors.append(
                    RowError(
                        number,
                        "extra_points",
                        f"row {earlier[1]} gives this worker {earlier[0]} extra points on this "
                        "date",
                    )
                )
            extra_rows.setdefault((staff_id, on), (extra, number))
        if not errors and known and case_type is not None and tier is not None:
            assert staff_id is not None and on is not None and cases is not None
            counts[(staff_id, on)][(case_type.id, tier)] += cases
        elif known:
            assert staff_id is not None and on is not None
            counts.setdefault((staff_id, on), defaultdict(int))
        plan.errors.extend(errors)
        del person_column
    order = list(SHAPES[shape])
    plan.errors.sort(key=lambda e: (e.row, order.index(e.column) if e.column in order else 99))
    if plan.errors:
        return plan
    plan.snapshots = {key: {k: v for k, v in by.items() if v > 0} for key, by in counts.items()}
    plan.extra = {key: value.quantize(TWO_PLACES) for key, (value, _) in extra_rows.items()}
    existing = _existing(list(plan.snapshots))
    for key, wanted in plan.snapshots.items():
        found = existing.get(key)
        if found is None:
            plan.new += 1
            continue
        held, extra_held = found
        extra_wanted = plan.extra.get(key, extra_held)
        if held == wanted and extra_held == extra_wanted:
            plan.unchanged += 1
        else:
            plan.changed += 1
    return plan


def _existing(keys: list[Key]) -> dict[Key, tuple[dict[tuple[int, int], int], Decimal]]:
    """The snapshots already held for ``keys``: their counts and extra points."""
    out: dict[Key, tuple[dict[tuple[int, int], int], Decimal]] = {}
    for snapshot in _snapshots(keys):
        out[(snapshot.staff_id, snapshot.taken_on)] = (
            {(c.case_type_id, c.tier): c.cases for c in snapshot.counts},
            Decimal(str(snapshot.extra_points)).quantize(TWO_PLACES),
        )
    return out


def _snapshots(keys: list[Key]) -> list[CaseloadSnapshot]:
    found: list[CaseloadSnapshot] = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found.extend(
            db.session.scalars(
                select(CaseloadSnapshot).where(
                    tuple_(CaseloadSnapshot.staff_id, CaseloadSnapshot.taken_on).in_(chunk)
                )
            )
        )
    return found


def apply_caseload_import(plan: CaseloadPlan, source: str) -> int:
    """Write a checked plan; return how many snapshots were added or replaced. The caller
    commits."""
    from workforce.services.caseloads import metrics_schemes, replace_counts, set_totals

    if plan.errors:
        raise ValueError("An import with errors cannot be applied")
    existing = {(s.staff_id, s.taken_on): s for s in _snapshots(list(plan.snapshots))}
    schemes = list(metrics_schemes().values())
    written = 0
    for key, wanted in plan.snapshots.items():
        in_force = scheme_in_force(schemes, key[1])
        weights = in_force.weights if in_force is not None else None
        snapshot = existing.get(key)
        if snapshot is None:
            snapshot = CaseloadSnapshot(
                staff_id=key[0],
                taken_on=key[1],
                extra_points=plan.extra.get(key, Decimal(0)),
                source="import",
                counts=[],
            )
            db.session.add(snapshot)
            replace_counts(snapshot, wanted)
            set_totals(snapshot, wanted, weights)
            written += 1
            continue
        changed = replace_counts(snapshot, wanted)
        set_totals(snapshot, wanted, weights)
        extra = plan.extra.get(key)
        if extra is not None and Decimal(str(snapshot.extra_points)) != extra:
            snapshot.extra_points = extra
            changed = True
        if changed:
            snapshot.source = "import"
            written += 1
    db.session.flush()
    record_event(
        "import",
        "CaseloadSnapshot",
        f"Imported caseloads from {source}: {plan.describe()}",
        {"source": source, "rows": plan.rows, "shape": plan.shape, "written": written},
    )
    db.session.flush()
    return written
