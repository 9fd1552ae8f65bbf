"""The turnover report's rounding on hand-made data: FTE as the census records it (six
places) and working days lost added up exactly before anything is rounded, the same on
SQLite and PostgreSQL.

Census year 2024: 1 October 2023 to 30 September 2024. Role 5, permanent, unless said.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests import builders
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.workforce_planning import Absence
from workforce.reports.base import CENSUS_YEAR, Parameters
from workforce.reports.registry import get

D = Decimal
YEAR_2024 = dict(zip(("start", "end"), CENSUS_YEAR.bounds(2024), strict=True))


def person(team: Team, hours: str = "37", standard: str = "37", **values: Any) -> Staff:
    staff = Staff(
        staff_number=f"R{db.session.query(Staff).count() + 1:04d}",
        first_name="Round",
        last_name="Tester",
    )
    db.session.add(staff)
    db.session.flush()
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title="Social worker",
            org_role="5",
            contracted_hours=D(hours),
            standard_hours=D(standard),
            contract_type="permanent",
            team_id=team.id,
            start_date=values.pop("start", date(2020, 1, 6)),
            **values,
        )
    )
    db.session.flush()
    return staff


def run(by: str) -> Any:
    params = Parameters(**{**YEAR_2024, "year": 2024, "by": by})
    return get("turnover").build(params, None)


def test_turnover_rate_from_six_place_fte_rounds_half_up(db_session: Any) -> None:
    """Two full-time workers in post at the end; two leave: one full time, one on 26.93
    hours of a 37.77-hour week, 0.712999735... exactly but 0.713000 as the census records
    it. Leavers FTE 1.713 over 2.0 in post is 85.65%, exactly on the half: 85.7%, not the
    85.6% the unrounded quotient gives."""
    team = builders.make_team("Team R")
    person(team)
    person(team)
    left = {"end_date": date(2024, 6, 30), "leaving_reason": "1"}
    person(team, **left)
    person(team, hours="26.93", standard="37.77", **left)
    db.session.commit()
    summary = run("team").summary
    assert (summary["headcount"], summary["fte"]) == (2, D("2.0"))
    assert (summary["leavers_headcount"], summary["leavers_fte"]) == (2, D("1.7"))
    assert summary["turnover_rate"] == D("0.857")


def test_days_lost_add_up_unrounded_on_every_database(db_session: Any) -> None:
    """Two people in different teams, each off sick for 0.4 working days over the ten
    calendar days 22 September to 1 October 2023, one of which is in the census year: 0.04
    days each in the year, 0.08 together, shown as 0.1 (adding each team's 0.0 would give
    0.0)."""
    teams = [builders.make_team("Team S"), builders.make_team("Team T")]
    for team in teams:
        staff = person(team)
        db.session.add(
            Absence(
                staff_id=staff.id,
                start_date=date(2023, 9, 22),
                end_date=date(2023, 10, 1),
                working_days_lost=D("0.4"),
                reason="SIC",
            )
        )
    db.session.commit()
    by_role = run("role")
    (row,) = by_role.rows
    assert (row["days_lost_sickness"], row["days_lost"]) == (D("0.1"), D("0.1"))
    assert by_role.summary["days_lost_sickness"] == D("0.1")
    by_team = {r["group"]: r for r in run("team").rows}
    assert by_team["Team S"]["days_lost_sickness"] == D("0.0")
    absence = {r["reason"]: r["days_lost"] for r in by_role.sections[-1].rows}
    assert absence[next(k for k in absence if k.startswith("SIC"))] == D("0.1")
