"""The ``caseload`` report on a small hand-built world, checked against hand counts.

The world (``build_world``), standing on 30 September 2025, under the shipped default scheme
(effective 1 April 2020: stable element 15, full-time maximum 100, ASYE maximum 90; points
per case, tiers 1/2/3: child in need 4/5/6, child protection 6/7/8, looked after 5/6/7, care
proceedings 8/9/10, care leaver 3/4/5, early help 2/3/4; bands 0-85 and 85-100 green and
within the desired level, 100-110 amber, 110 and over red). Everyone works 37 hours (FTE 1)
from 6 January 2020 unless said otherwise. The window is the 45 days from 16 August 2025.

Alpha:
- Alice: 15 Sep: CIN t1 x5 (20) + CP t2 x4 (28) + LAC t1 x3 (15) = 63 + 15 = 78 points of
  100: 78%, "Capacity for more work", green, within; 12 cases. (1 Aug: CIN t1 x5: 35.)
- Bob (18.5 hours, FTE 0.5): 30 Sep: CP t1 x3 (18) + care proceedings t3 x2 (20) + 2 extra
  = 55 of 50: 110%, "Over capacity", red, over capacity; 5 cases.
- Cara (newly qualified, start origin 1, from 6 January 2025: in her ASYE, maximum 90): 1 Sep:
  CIN t1 x10 (40) + LAC t3 x5 (35) = 90 of 90: 100%, "Above the desired level", amber, not
  within, not over capacity (points equal capacity); 15 cases.
- Gail: left 20 Sep 2025 (snapshot 15 Sep): not in post on the 30th, not counted.
Beta:
- Dan: 20 Aug (41 days before): LAC t2 x10 (60) + care leaver t2 x2 (8) + 2 extra = 85: 85%
  (85 is the lower bound of "Within the desired level", inclusive), within; 12 cases.
- Erin: 10 Aug (51 days before: outside the window): not counted on the 30th. (30 Jun: CIN
  t1 x1: 19.)
- Finn: 10 Sep, no cases: 15 points, 15%, within; 0 cases (not a case holder).
- Hugo (29.6 hours, FTE 0.8): 29 Sep: CP t3 x6 (48) + CIN t2 x4 (20) = 83 of 80: 103.75%,
  amber, not within, over capacity; 10 cases.

By team: Alpha 3 workers, 1 within (33.33%), 1 over capacity, 32 cases over 2.5 case-holding
FTE = 12.8. Beta 3 workers, 2 within (66.67%), 1 over, 22 cases over 1.8 FTE (Finn holds
none) = 12.2. All: 6 workers, 3 within (50%), 2 over, 54 cases / 4.3 FTE = 12.6 (over all 5.3
FTE it would be 10.2: the DfE counts case holders only).

Trend: September as above; August (31 Aug, window from 17 July): Alice 1 Aug (35, 5 cases),
Dan 20 Aug (85, 12 cases), Erin 10 Aug (CP t1 x2: 27, 2 cases): 3 workers all within, 19
cases / 3 FTE = 6.3. July (31 Jul, from 16 June) and June (30 Jun, from 16 May): Erin 30 Jun
(19, 1 case): 1 worker. Earlier months: none.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    EmploymentSpell,
    Staff,
    Team,
)
from workforce.reports import check_parameters, run_report
from workforce.reports.registry import get
from workforce.services import caseloads as service

ON = date(2025, 9, 30)


def snapshot(staff: Staff, on: date, *counts: tuple[str, int, int], extra: str = "0") -> None:
    """A snapshot of (case type code, tier, cases), written directly, as a bulk loader
    would, then given its stored totals by ``recompute_snapshot_totals`` (committed)."""
    types = {t.code: t.id for t in db.session.scalars(select(CaseType))}
    taken = CaseloadSnapshot(
        staff_id=staff.id,
        taken_on=on,
        extra_points=Decimal(extra),
        counts=[
            CaseloadCount(case_type_id=types[code], tier=tier, cases=cases)
            for code, tier, cases in counts
        ],
    )
    db.session.add(taken)
    db.session.flush()
    assert service.recompute_snapshot_totals([taken.id]) == 1
    db.session.commit()


def build_world() -> dict[str, Any]:
    """The world described above; returns its people and teams by name."""
    builders.load_caseload_defaults()
    alpha = builders.make_team("Alpha")
    beta = builders.make_team("Beta")
    start = date(2020, 1, 6)
    people: dict[str, Any] = {"alpha": alpha, "beta": beta}

    def person(name: str, team: Team, **values: Any) -> Staff:
        staff = builders.make_staff(
            team, first_name=name, last_name="Worker", start=values.pop("start", start), **values
        )
        people[name.lower()] = staff
        return staff

    alice = person("Alice", alpha)
    bob = person("Bob", alpha, hours="18.5")
    cara = person("Cara", alpha, start=date(2025, 1, 6))
    db.session.execute(
        EmploymentSpell.__table__.update()
        .where(EmploymentSpell.staff_id == cara.id)
        .values(start_origin="1")
    )
    gail = person("Gail", alpha, end=date(2025, 9, 20), leaving_reason="1")
    dan = person("Dan", beta)
    erin = person("Erin", beta)
    finn = person("Finn", beta)
    hugo = person("Hugo", beta, hours="29.6")
    db.session.commit()
    snapshot(alice, date(2025, 9, 15), ("cin", 1, 5), ("cp", 2, 4), ("lac", 1, 3))
    snapshot(alice, date(2025, 8, 1), ("cin", 1, 5))
    snapshot(bob, ON, ("cp", 1, 3), ("care_proceedings", 3, 2), extra="2")
    snapshot(cara, date(2025, 9, 1), ("cin", 1, 10), ("lac", 3, 5))
    snapshot(gail, date(2025, 9, 15), ("cin", 1, 8))
    snapshot(dan, date(2025, 8, 20), ("lac", 2, 10), ("care_leaver", 2, 2), extra="2")
    snapshot(erin, date(2025, 8, 10), ("cp", 1, 2))
    snapshot(erin, date(2025, 6, 30), ("cin", 1, 1))
    snapshot(finn, date(2025, 9, 10))
    snapshot(hugo, date(2025, 9, 29), ("cp", 3, 6), ("cin", 2, 4))
    return people


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def run(viewer: Any = None, **raw: str) -> Any:
    definition = get("caseload")
    assert definition is not None
    params = check_parameters(definition, {"on": ON.isoformat(), **raw}, today=ON)
    return run_report(definition, params, viewer)


D = Decimal


def test_worker_rows_match_the_hand_counts(world: dict[str, Any]) -> None:
    result = run()
    got = {
        row["worker"]: (
            row["team"],
            row["taken_on"],
            row["fte"],
            row["asye"],
            row["cases"],
            row["points"],
            row["capacity"],
            row["utilisation"],
            row["band"],
            row["rag"],
            row["within_desired"],
            row["over_capacity"],
        )
        for row in result.rows
    }
    assert got == {
        "Worker, Alice": ("Alpha", date(2025, 9, 15), D("1.00"), "No", 12, D("78.00"),
                          D("100.00"), D("0.7800"), "Capacity for more work", "Green", "Yes",
                          "No"),
        "Worker, Bob": ("Alpha", ON, D("0.50"), "No", 5, D("55.00"), D("50.00"), D("1.1000"),
                        "Over capacity", "Red", "No", "Yes"),
        "Worker, Cara": ("Alpha", date(2025, 9, 1), D("1.00"), "Yes", 15, D("90.00"),
                         D("90.00"), D("1.0000"), "Above the desired level", "Amber", "No",
                         "No"),
        "Worker, Dan": ("Beta", date(2025, 8, 20), D("1.00"), "No", 12, D("85.00"), D("100.00"),
                        D("0.8500"), "Within the desired level", "Green", "Yes", "No"),
        "Worker, Finn": ("Beta", date(2025, 9, 10), D("1.00"), "No", 0, D("15.00"),
                         D("100.00"), D("0.1500"), "Capacity for more work", "Green", "Yes",
                         "No"),
        "Worker, Hugo": ("Beta", date(2025, 9, 29), D("0.80"), "No", 10, D("83.00"),
                         D("80.00"), D("1.0375"), "Above the desired level", "Amber", "No",
                         "Yes"),
    }  # fmt: skip
    assert [row["worker"] for row in result.rows] == [
        "Worker, Alice", "Worker, Bob", "Worker, Cara", "Worker, Dan", "Worker, Finn",
        "Worker, Hugo",
    ]  # fmt: skip
    assert result.summary == {
        "workers": 6,
        "within": 3,
        "within_rate": D("0.5000"),
        "over_capacity": 2,
        "cases": 54,
        "case_holder_fte": D("4.30"),
        "average_caseload": D("12.6"),
    }
    bands = {row["band"]: row["workers"] for row in result.sections[0].rows}
    assert bands == {
        "Capacity for more work": 2,
        "Within the desired level": 1,
        "Above the desired level": 2,
        "Over capacity": 1,
    }


def test_team_rows_use_the_dfe_caseload(world: dict[str, Any]) -> None:
    result = run(by="team")
    assert result.rows == [
        {"team": "Alpha", "workers": 3, "within": 1, "within_rate": D("0.3333"),
         "over_capacity": 1, "cases": 32, "case_holder_fte": D("2.50"),
         "average_caseload": D("12.8")},
        {"team": "Beta", "workers": 3, "within": 2, "within_rate": D("0.6667"),
         "over_capacity": 1, "cases": 22, "case_holder_fte": D("1.80"),
         "average_caseload": D("12.2")},
    ]  # fmt: skip


def test_team_filter(world: dict[str, Any]) -> None:
    result = run(by="worker", team=str(world["beta"].id))
    assert sorted(row["worker"] for row in result.rows) == [
        "Worker, Dan",
        "Worker, Finn",
        "Worker, Hugo",
    ]
    assert result.summary["average_caseload"] == D("12.2")


def test_trend_month_by_month(world: dict[str, Any]) -> None:
    result = run(by="trend")
    rows = result.rows
    assert len(rows) == 12
    assert rows[-1]["month"] == "September 2025" and rows[-1]["on"] == ON
    assert rows[0]["month"] == "October 2024"
    september = {k: rows[-1][k] for k in result.summary}
    assert september == result.summary == run().summary
    august = rows[-2]
    assert (august["month"], august["on"]) == ("August 2025", date(2025, 8, 31))
    assert {k: august[k] for k in result.summary} == {
        "workers": 3,
        "within": 3,
        "within_rate": D("1.0000"),
        "over_capacity": 0,
        "cases": 19,
        "case_holder_fte": D("3.00"),
        "average_caseload": D("6.3"),
    }
    july = rows[-3]
    assert (july["workers"], july["within"], july["cases"], july["average_caseload"]) == (
        1,
        1,
        1,
        D("1.0"),
    )
    june = rows[-4]
    assert (june["month"], june["workers"], june["cases"]) == ("June 2025", 1, 1)
    assert all(row["workers"] == 0 and row["within_rate"] is None for row in rows[:-4])


def test_the_scheme_in_force_on_the_snapshot_date(world: dict[str, Any]) -> None:
    """A new version from 20 September (stable element 20) applies to Bob's and Hugo's
    snapshots (30 and 29 Sep), not Alice's (15 Sep); the trend judges them the same way."""
    current = service.scheme_in_force(ON)
    assert current is not None
    details = service.details_of(current)
    details.name, details.effective_from, details.stable_points = (
        "Version 2",
        date(2025, 9, 20),
        D(20),
    )
    service.create_scheme(details)
    db.session.commit()
    points = {row["worker"]: row["points"] for row in run().rows}
    assert points["Worker, Alice"] == D("78.00")
    assert points["Worker, Bob"] == D("60.00")
    assert points["Worker, Hugo"] == D("88.00")
    # Hugo: 88 of 80 is 110%: "Over capacity" now
    row = next(r for r in run().rows if r["worker"] == "Worker, Hugo")
    assert (row["band"], row["rag"]) == ("Over capacity", "Red")
    assert run(by="trend").rows[-1]["within"] == run().summary["within"] == 3


def test_changed_points_per_case_reach_every_view(world: dict[str, Any]) -> None:
    """The report reads each snapshot's stored case points: when the default scheme's
    points for a standard child in need case go from 4 to 6, Alice has 15 + 5x6 + 4x7 + 3x5
    = 88 and Cara 15 + 10x6 + 5x7 = 110 of 90 (over capacity), in every view."""
    default = service.scheme_in_force(ON)
    assert default is not None
    cin = db.session.scalar(select(CaseType.id).where(CaseType.code == "cin"))
    details = service.details_of(default)
    details.weights[(cin, 1)] = D(6)
    service.update_scheme(default, details)
    db.session.commit()
    points = {row["worker"]: (row["points"], row["band"]) for row in run().rows}
    assert points["Worker, Alice"] == (D("88.00"), "Within the desired level")
    assert points["Worker, Cara"] == (D("110.00"), "Over capacity")
    assert run().summary["over_capacity"] == 3
    alpha = next(row for row in run(by="team").rows if row["team"] == "Alpha")
    assert (alpha["within"], alpha["over_capacity"]) == (1, 2)
    september = run(by="trend").rows[-1]
    assert (september["within"], september["over_capacity"]) == (3, 3)


def test_a_supervisor_sees_the_people_they_manage(world: dict[str, Any]) -> None:
    manager = builders.make_staff(world["alpha"], first_name="Mo", last_name="Manager")
    user = builders.make_user("supervisor", staff=manager)
    result = run(viewer=user)
    assert sorted(row["worker"] for row in result.rows) == [
        "Worker, Alice",
        "Worker, Bob",
        "Worker, Cara",
    ]
    assert run(viewer=user, by="trend").rows[-1]["workers"] == 3


def test_no_scheme_in_force(db_session: Any) -> None:
    """A snapshot dated before every scheme is listed without points or a band."""
    builders.load_caseload_defaults()
    team = builders.make_team("Gamma")
    staff = builders.make_staff(team, first_name="Ida", last_name="Early", start=date(2019, 1, 7))
    snapshot(staff, date(2020, 3, 20), ("cin", 1, 2))
    definition = get("caseload")
    assert definition is not None
    params = check_parameters(definition, {"on": "2020-03-31"}, today=ON)
    result = run_report(definition, params, None)
    (row,) = result.rows
    assert (row["cases"], row["points"], row["band"], row["within_desired"]) == (
        2,
        None,
        "No weighting scheme in force",
        "No",
    )
    assert result.summary["within_rate"] is None
    assert result.summary["average_caseload"] == D("2.0")


def test_nobody_in_scope_shows_no_case_holding_fte_alike_in_every_view(db_session: Any) -> None:
    """With nobody in scope, every trend month shows case-holding FTE 0.00, as the worker
    and team views' summaries do (not a blank), and no rates."""
    builders.load_caseload_defaults()
    definition = get("caseload")
    assert definition is not None
    nobody = {
        "workers": 0,
        "within": 0,
        "within_rate": None,
        "over_capacity": 0,
        "cases": 0,
        "case_holder_fte": D("0.00"),
        "average_caseload": None,
    }
    for by in ("worker", "team", "trend"):
        params = check_parameters(definition, {"on": "2025-09-30", "by": by}, today=ON)
        result = run_report(definition, params, None)
        assert result.summary == nobody, by
        if by == "trend":
            assert len(result.rows) == 12
            assert all({k: row[k] for k in nobody} == nobody for row in result.rows)
