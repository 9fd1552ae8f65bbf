"""The benchmark's hand-written SQL floors (``bench/floors.py``) agree with the reports.

The hand-made demo authority is built once per backend; every report in the registry is
run with its default parameters (as ``check_parameters`` gives them, on the demo's date) for
each ``by`` choice, plus a few other years, teams and scorecards, and checked against its
floor, which computes the same figures with plain SQL and no report code. Each check must
also notice a figure changed in the report's rows and in its summary, so a check that
compares nothing cannot pass. The census return is checked record by record, element by
element, with its vacancy items, and must notice a changed element and a dropped record.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.conftest import clean_database
from workforce.demo import build_demo
from workforce.extensions import db
from workforce.reports import check_parameters, run_report
from workforce.reports.registry import all_reports, get

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import floors  # noqa: E402

DEMO_TODAY = date(2026, 6, 15)

#: (report, raw parameters) run against their floors: every report's default parameters
#: with each ``by`` choice, then a completed year, a team, and the computed scorecard.
CASES: list[tuple[str, dict[str, str]]] = [
    *(("training", {"by": by}) for by in ("course", "team", "practice_model", "domain")),
    ("training", {"by": "team", "year": "2025"}),
    ("training", {"by": "course", "team": "Assessment North"}),
    ("training-evaluation", {}),
    ("training-evaluation", {"year": "2025"}),
    ("training-compliance", {}),
    ("capability-gaps", {}),
    *(("appraisals", {"by": by}) for by in ("month", "quarter", "team")),
    ("appraisals", {"by": "team", "year": "2025"}),
    *(("supervision-compliance", {"by": by}) for by in ("person", "team")),
    ("supervision-compliance", {"by": "person", "on": "2026-03-31", "team": "Assessment North"}),
    *(("supervision-audit", {"by": by}) for by in ("quarter", "month", "team")),
    ("supervision-audit", {"by": "quarter", "year": "2025"}),
    *(("caseload", {"by": by}) for by in ("worker", "team", "trend")),
    *(("turnover", {"by": by}) for by in ("team", "role", "year")),
    ("turnover", {"by": "team", "year": "2024", "team": "Assessment North"}),
    *(("workforce-profile", {"by": by}) for by in ("gender", "age", "ethnicity", "team")),
    ("workforce-profile", {"by": "team", "suppress": "yes"}),
    ("asye-cohort", {}),
    ("scorecard", {}),
    ("scorecard", {"scorecard": "northbrook-workforce"}),
    ("evaluation-model", {}),
]


@pytest.fixture(scope="module")
def demo(app: Flask, backend: str) -> Iterator[Flask]:
    """The demo authority of 290 staff, built once for the module on this backend."""
    with app.app_context():
        build_demo(5, today=DEMO_TODAY)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    yield app
    clean_database(app)


def test_every_report_has_a_floor_and_every_choice_is_checked():
    names = {definition.name for definition in all_reports()}
    assert names <= set(floors.FLOORS), sorted(names - set(floors.FLOORS))
    assert set(floors.FLOORS) - names == {"census-xml"}
    checked = {(name, raw.get("by")) for name, raw in CASES}
    for definition in all_reports():
        choices = [value for value, _ in definition.by_choices] or [None]
        for by in choices:
            assert (definition.name, by) in checked, (definition.name, by)


def _changed(value: Any) -> Any | None:
    """``value`` with a figure changed, or None for a value that is not a figure."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return value + 1
    return None


def _change_a_row(result: Any) -> bool:
    """Change the first figure of the rows (or, for the performance reports whose rows are
    text, the first value shown); False when the rows hold none."""
    for row in result.rows:
        if "_measure_id" in row:
            for key in ("latest", "value"):
                if row.get(key):
                    row[key] = f"{row[key]}?"
                    return True
            continue
        for key, value in row.items():
            new = None if key.startswith("_") else _changed(value)
            if new is not None:
                row[key] = new
                return True
    return False


def _change_the_summary(result: Any) -> bool:
    for key, value in result.summary.items():
        new = _changed(value)
        if new is not None:
            result.summary[key] = new
            return True
    return False


@pytest.mark.parametrize(
    ("name", "raw"), CASES, ids=[f"{n}-{'-'.join(r.values()) or 'default'}" for n, r in CASES]
)
def test_the_floor_agrees_with_the_report(demo: Flask, name: str, raw: dict[str, str]):
    with demo.app_context():
        definition = get(name)
        assert definition is not None
        params = check_parameters(definition, raw, today=DEMO_TODAY)
        result = run_report(definition, params, None)
        result.rows = list(result.rows)
        floor = floors.FLOORS[name]
        figures = floor.run(params)
        floor.check(result, figures)

        assert result.rows, f"{name} has no rows on the demo authority: nothing is compared"
        changed = copy.deepcopy(result)
        assert _change_a_row(changed)
        with pytest.raises(floors.FloorMismatch):
            floor.check(changed, figures)
        changed = copy.deepcopy(result)
        assert _change_the_summary(changed)
        with pytest.raises(floors.FloorMismatch):
            floor.check(changed, figures)
        db.session.rollback()


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_census_floor_computes_every_record(demo: Flask, year: int):
    from sqlalchemy import select

    from workforce.models import EmploymentSpell, Staff, Team
    from workforce.models.workforce_planning import Absence
    from workforce.services.census import build_return

    with demo.app_context():
        result = build_return(year)
        floor = floors.FLOORS["census-xml"]
        figures = floor.run(SimpleNamespace(year=year))
        floor.check(result, figures)
        records = figures["records"]
        assert len(records) > 100, "too few records on the demo authority to compare"
        assert any("RoleEndDate" in values for values in records.values()), "no leavers"
        assert any(values["AgencyWorker"] == ["1"] for values in records.values()), "no agency"
        assert any("ReasonAbsence" in values for values in records.values()), "no absence"
        assert any("Cases30" in values for values in records.values()), "no cases"

        changed = copy.deepcopy(result)
        record = next(r for r in changed.records if r.values.get("FTE30"))
        record.values["FTE30"] = [str(Decimal(record.values["FTE30"][0]) / 2)]
        with pytest.raises(floors.FloorMismatch, match="FTE30"):
            floor.check(changed, figures)

        changed = copy.deepcopy(result)
        dropped = changed.records.pop(len(changed.records) // 2)
        with pytest.raises(floors.FloorMismatch, match="missing from the report"):
            floor.check(changed, figures)
        assert dropped.staff_id

        changed = copy.deepcopy(result)
        changed.vacancies["NoAgencyHeadcount"] += "0"
        with pytest.raises(floors.FloorMismatch, match="NoAgencyHeadcount"):
            floor.check(changed, figures)

        # The demo has nobody with more than one record: add (unflushed, rolled back) a
        # person with a move of role, a second post, a leaver whose reason is inferred, two
        # agency spells starting the same day and absences over the year's first day.
        team = db.session.scalars(select(Team).order_by(Team.id)).first()
        assert team is not None
        person = Staff(
            staff_number="CENSUS-FLOOR",
            first_name="Ada",
            last_name="Floor",
            swe_number="sw 12345678",
            qual_inst="Uni A; ; Uni B",
            step_up_grad=False,
        )
        db.session.add(person)
        db.session.flush()
        y = year - 2025  # the same dates relative to each census year
        for role, contract, hours, start, end, reason, agency_cover in (
            ("3", "permanent", "37", date(2023 + y, 1, 2), date(2025 + y, 1, 31), None, False),
            ("2", "permanent", "37", date(2025 + y, 2, 3), None, None, False),
            ("5", "permanent", "18.5", date(2024 + y, 6, 1), None, None, False),
            ("5", "permanent", "37", date(2024 + y, 11, 1), date(2025 + y, 3, 31), None, False),
            (None, "permanent", "37", date(2025 + y, 4, 3), None, None, False),
            ("5", "agency", "37", date(2025 + y, 9, 1), None, None, True),
            ("4", "agency", "30", date(2025 + y, 9, 1), date(2025 + y, 12, 31), None, False),
        ):
            db.session.add(
                EmploymentSpell(
                    staff_id=person.id,
                    post_title="Social worker",
                    org_role=role,
                    contracted_hours=Decimal(hours),
                    standard_hours=Decimal("37"),
                    contract_type=contract,
                    team_id=team.id,
                    start_date=start,
                    end_date=end,
                    leaving_reason=reason,
                    covers_vacancy=agency_cover,
                    contract_weeks=Decimal("26.5") if contract == "agency" else None,
                )
            )
        for start, end, days, reason in (
            (date(2024 + y, 9, 23), date(2024 + y, 10, 11), "15.0", "SIC"),
            (date(2025 + y, 1, 6), date(2025 + y, 1, 7), "2.0", "UNA"),
            (date(2025 + y, 2, 10), date(2025 + y, 2, 10), "1.0", "SIC"),
            (date(2025 + y, 9, 29), None, "2.0", "MAT"),
        ):
            db.session.add(
                Absence(
                    staff_id=person.id,
                    start_date=start,
                    end_date=end,
                    working_days_lost=Decimal(days),
                    reason=reason,
                )
            )
        db.session.flush()
        result = build_return(year)
        figures = floor.run(SimpleNamespace(year=year))
        floor.check(result, figures)
        own = {key: values for key, values in figures["records"].items() if key[0] == person.id}
        assert len(own) == 5, sorted(own)
        assert (person.id, "1", date(2025 + y, 9, 1).isoformat(), 2) in own
        assert [v["OrgRole"] for v in own.values() if "WorkingDaysLost" in v] == [["2"]]
        assert [v.get("ReasonLeave") for v in own.values() if "RoleEndDate" in v] == [["7"]]
        db.session.rollback()


#: A scorecard row's judged figures: the floor must notice each one changed.
SCORECARD_JUDGED = (
    "baseline",
    "target_compared",
    "rag",
    "target_met",
    "variance",
    "percent_of_target",
    "direction",
    "trend",
    "baseline_change",
)
#: Another value of the same kind: a different RAG or answer, a figure a step off.
_OTHER = {"Green": "Amber", "Amber": "Red", "Red": "Green", "Yes": "No", "No": "Yes"}


def _other(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value + Decimal("0.0001")
    return _OTHER.get(value, f"{value}?")


def test_the_scorecard_floor_checks_targets_and_judgements(demo: Flask):
    """On each scorecard of the cases, every judged figure, every target column, a RAG
    where the floor has none and each RAG count of the summary, changed in turn, is
    noticed; between them the scorecards have a figure of every kind to change."""
    changed_keys: set[str] = set()
    with demo.app_context():
        definition = get("scorecard")
        assert definition is not None
        for raw in (raw for name, raw in CASES if name == "scorecard"):
            params = check_parameters(definition, raw, today=DEMO_TODAY)
            result = run_report(definition, params, None)
            result.rows = list(result.rows)
            floor = floors.FLOORS["scorecard"]
            figures = floor.run(params)
            floor.check(result, figures)
            targets = [c.key for c in result.columns if c.key.removeprefix("target_").isdigit()]
            for key in (*SCORECARD_JUDGED, *targets):
                changed = copy.deepcopy(result)
                row = next((r for r in changed.rows if r.get(key) not in (None, "")), None)
                if row is None:
                    continue
                row[key] = _other(row[key])
                with pytest.raises(floors.FloorMismatch, match=r"measure \d+: "):
                    floor.check(changed, figures)
                changed_keys.add("target" if key in targets else key)
            # A RAG or a target shown where the floor has none.
            for key in ("rag", *targets):
                changed = copy.deepcopy(result)
                row = next((r for r in changed.rows if r.get(key) == ""), None)
                if row is None:
                    continue
                row[key] = "Green" if key == "rag" else "60"
                with pytest.raises(floors.FloorMismatch, match=r"measure \d+: "):
                    floor.check(changed, figures)
                changed_keys.add(f"{'target' if key in targets else key} where none")
            for key in ("green", "amber", "red", "no_rag"):
                changed = copy.deepcopy(result)
                changed.summary[key] += 1
                with pytest.raises(floors.FloorMismatch, match=f"summary.*{key}"):
                    floor.check(changed, figures)
            db.session.rollback()

        # The demo's measures have no baselines: give the computed scorecard's measures one
        # of each kind in turn (a period alone, so its actual; a period with a stated value;
        # a value alone, with a note), check, change each figure shown from it, roll back.
        params = check_parameters(
            definition, {"scorecard": "northbrook-workforce"}, today=DEMO_TODAY
        )
        ids = [row["_measure_id"] for row in run_report(definition, params, None).rows]
        for n, measure_id in enumerate(ids):
            (frequency,) = db.session.execute(
                text("SELECT frequency FROM measure WHERE id = :id"), {"id": measure_id}
            ).one()
            start = floors._shift(floors._period_containing(frequency, DEMO_TODAY), -3).start
            db.session.execute(
                text(
                    "UPDATE measure SET baseline_start = :start, baseline_value = :value, "
                    "baseline_note = :note WHERE id = :id"
                ),
                [
                    {"start": start, "value": None, "note": None, "id": measure_id},
                    {"start": start, "value": 50, "note": None, "id": measure_id},
                    {"start": None, "value": 40, "note": "est.", "id": measure_id},
                ][n % 3],
            )
        db.session.expire_all()
        result = run_report(definition, params, None)
        result.rows = list(result.rows)
        floor = floors.FLOORS["scorecard"]
        figures = floor.run(params)
        floor.check(result, figures)
        for key in ("baseline", "baseline_change", "direction"):
            for row in (r for r in result.rows if r.get(key) not in (None, "")):
                changed = copy.deepcopy(result)
                changed.rows[result.rows.index(row)][key] = _other(row[key])
                with pytest.raises(floors.FloorMismatch, match=r"measure \d+: "):
                    floor.check(changed, figures)
                changed_keys.add(key)
        db.session.rollback()
    wanted = {*SCORECARD_JUDGED, "target", "rag where none", "target where none"}
    assert changed_keys == wanted, sorted(wanted - changed_keys)
