"""The workforce-profile report's figures on a hand-made authority: headcount and FTE in
post by gender, age band, ethnic group and team, and suppression of counts under 5."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.builders import make_staff, make_team
from workforce.extensions import db
from workforce.models import EmploymentSpell
from workforce.reports import check_parameters, run_report
from workforce.reports.base import ParameterError
from workforce.reports.registry import get
from workforce.reports.workforce_profile import age_band, profile_rows

ON = date(2025, 3, 31)


@pytest.fixture
def authority(db_session: Any) -> dict[str, Any]:
    north = make_team("North")
    south = make_team("South")
    # North: six women (WBRI, 34 on the date), one part time.
    for n in range(6):
        make_staff(
            north,
            gender="2",
            ethnicity="WBRI",
            date_of_birth=date(1990, 4, 1),  # 34 on 31 March 2025
            hours="18.5" if n == 0 else "37",
        )
    # South: two men (BAFR; one turns 30 on the date), one with no characteristics.
    make_staff(south, gender="1", ethnicity="BAFR", date_of_birth=date(1995, 3, 31))
    make_staff(south, gender="1", ethnicity="REFU", date_of_birth=date(1964, 1, 1))
    make_staff(south)
    # One person in two half-time posts: counted once, FTE 1, in the later post's team.
    two = make_staff(north, gender="2", ethnicity="AIND", hours="18.5", start=date(2019, 1, 1))
    db.session.add(
        EmploymentSpell(
            staff_id=two.id,
            post_title="Senior practitioner",
            org_role="4",
            contracted_hours=Decimal("18.5"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=south.id,
            start_date=date(2024, 1, 1),
        )
    )
    db.session.commit()
    # Not counted: an agency worker, a leaver, someone not yet started.
    make_staff(north, gender="2", contract="agency")
    make_staff(north, gender="2", end=date(2025, 1, 31), leaving_reason="1")
    make_staff(north, gender="2", start=date(2025, 4, 1))
    return {"north": north, "south": south}


def table(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    return {r["category"]: (r["headcount"], r["fte"]) for r in rows}


def test_by_gender(authority: dict[str, Any]) -> None:
    rows, total = profile_rows(ON, "gender")
    assert table(rows) == {
        "Male": (2, Decimal("2.00")),
        "Female": (7, Decimal("6.50")),  # 5.5 in North and two half-time posts
        "Not recorded": (1, Decimal("1.00")),
    }
    assert [r["category"] for r in rows] == ["Male", "Female", "Not recorded"]
    assert total == {"headcount": 10, "fte": Decimal("9.50"), "share": Decimal(1)}
    assert rows[1]["share"] == Decimal("0.7")


def test_by_age_band(authority: dict[str, Any]) -> None:
    rows, _ = profile_rows(ON, "age")
    assert table(rows) == {
        "30 to 39": (7, Decimal("6.50")),  # six born 1990 and the one turning 30 on the date
        "60 and over": (1, Decimal("1.00")),
        "Not recorded": (2, Decimal("2.00")),
    }
    assert age_band(date(1995, 4, 1), ON) == "Under 30"
    assert age_band(date(1995, 3, 31), ON) == "30 to 39"


def test_by_ethnic_group(authority: dict[str, Any]) -> None:
    rows, _ = profile_rows(ON, "ethnicity")
    assert [r["category"] for r in rows] == ["White", "Asian", "Black", "Not known", "Not recorded"]
    assert table(rows)["White"] == (6, Decimal("5.50"))
    assert table(rows)["Not known"] == (1, Decimal("1.00"))


def test_by_team_and_for_one_team(authority: dict[str, Any]) -> None:
    rows, _ = profile_rows(ON, "team")
    assert table(rows) == {"North": (6, Decimal("5.50")), "South": (4, Decimal("4.00"))}
    rows, total = profile_rows(ON, "gender", team_id=authority["south"].id)
    assert table(rows) == {
        "Male": (2, Decimal("2.00")),
        "Female": (1, Decimal("1.00")),
        "Not recorded": (1, Decimal("1.00")),
    }
    assert total["headcount"] == 4


def test_suppression_hides_counts_under_5(authority: dict[str, Any]) -> None:
    rows, total = profile_rows(ON, "gender", suppress=True)
    assert rows == [
        {"category": "Male", "headcount": "<5", "fte": None, "share": None},
        {"category": "Female", "headcount": 7, "fte": Decimal("6.50"), "share": Decimal("0.7")},
        {"category": "Not recorded", "headcount": "<5", "fte": None, "share": None},
    ]
    assert total["headcount"] == 10
    _, small = profile_rows(ON, "gender", team_id=authority["south"].id, suppress=True)
    assert small == {"headcount": "<5", "fte": None, "share": None}


def test_the_report_takes_suppress(authority: dict[str, Any]) -> None:
    definition = get("workforce-profile")
    assert definition.roles == ("hr",)
    params = check_parameters(definition, {"on": "2025-03-31", "by": "age", "suppress": "yes"})
    result = run_report(definition, params, viewer=None)
    assert result.parameters == {
        "on": "2025-03-31",
        "team": None,
        "team_name": None,
        "by": "age",
        "suppress": True,
    }
    assert params.query_args()["suppress"] == "yes"
    assert result.chart is None
    assert {c.key: c.kind for c in result.columns}["headcount"] == "text"
    with pytest.raises(ParameterError, match="yes or no"):
        check_parameters(definition, {"suppress": "maybe"})
    unsuppressed = check_parameters(definition, {"on": "2025-03-31"})
    assert unsuppressed.suppress is False
    assert "suppress" not in unsuppressed.query_args()


def test_fte_and_share_round_half_up_as_every_report_does(db_session: Any) -> None:
    """FTE to two places and the share as a proportion to four places, both half up: one
    man of 0.125 FTE (5 hours of 40) among 32 people is 0.13 FTE (not 0.12, half to even)
    and a share of 0.0313 (1/32 is 0.03125)."""
    east = make_team("East")
    man = make_staff(east, gender="1", hours="5")
    for _ in range(31):
        make_staff(east, gender="2")
    db.session.execute(
        EmploymentSpell.__table__.update()
        .where(EmploymentSpell.staff_id == man.id)
        .values(standard_hours=Decimal("40"))
    )
    db.session.commit()
    rows, total = profile_rows(ON, "gender")
    assert rows == [
        {"category": "Male", "headcount": 1, "fte": Decimal("0.13"), "share": Decimal("0.0313")},
        {
            "category": "Female",
            "headcount": 31,
            "fte": Decimal("31.00"),
            "share": Decimal("0.9688"),
        },
    ]
    assert total == {"headcount": 32, "fte": Decimal("31.13"), "share": Decimal("1.0000")}
    assert str(rows[0]["share"]) == "0.0313"
