"""The turnover report on a small hand-made authority, checked against hand counts.

Census year 2024: 1 October 2023 to 30 September 2024, stock at 30 September 2024 (a year
before: 30 September 2023). Standard hours 37 throughout, so 37 hours is 1.0 FTE, 29.6 is
0.8 and 18.5 is 0.5. Role 5 (case holder) and permanent unless said otherwise.

Team A (funded 5.0 from 1 April 2022, 6.0 from 1 April 2024, 9.0 from 15 October 2024):
- stay: from 2020, 1.0.             - part: from April 2021, 0.5.
- starter: from 15 January 2024, 0.8 (start origin 2): a starter.
- leaver: 1 March 2019 to 30 June 2024, 1.0, resignation, to another LA: a leaver after 5
  years' service.
- mover: team A (role 5) from October 2018 to 29 February 2024, then team B (role 4) from
  1 March 2024: neither starter nor leaver.
- two_posts: team A role 3 (18.5 hours) and team B role 5 (18.5 hours), both from 2022:
  one head under team A and role 3, 0.5 FTE in each team.
- nqsw_2024: newly qualified (origin 1) from 2 October 2023, 1.0: a starter; cohort 2024.
- in_year: 1 February to 31 July 2024, 1.0: starter and leaver (dismissed; destination 8).
- nqsw_2022: newly qualified from 4 October 2021, left 30 June 2023: cohort 2022, in post
  after one year, not after two.
- agency_plain: agency, from November 2023, 0.5, not covering a vacancy.
- outside: business support (no organisational role): outside every figure.

Team B (funded 3.0 from 1 January 2023):
- nqsw_2023: newly qualified from 3 October 2022, 1.0, still in post: cohort 2023.
- nqsw_left: newly qualified from 1 November 2022, left 31 December 2023 (resignation, to
  an agency): cohort 2023 (in post after one year); leaver, under 2 years' service.
- moved_out: 6 January 2020 to 31 March 2024, then a post without a role (reason 7): a
  leaver, 4 years' service, destination not recorded.
- returner: 2015 to 2018, back 1 May 2023 (a starter in 2023) to 30 September 2024, 0.5:
  a leaver (reason 8, no destination) with 1 year's unbroken service.
- agency_cover: agency from 1 May 2024, 1.0, covering a vacancy.

In post at 30 September 2024: team A stay 1.0, part 0.5, starter 0.8, two_posts 0.5,
nqsw_2024 1.0 (3.8 FTE, 5 heads); team B mover 1.0, two_posts 0.5, nqsw_2023 1.0 (2.5 FTE,
2 heads). Total 6.3 FTE, 7 heads.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from tests import builders
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.workforce_planning import (
    Absence,
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    TeamEstablishment,
)
from workforce.reports.base import CENSUS_YEAR, Parameters
from workforce.reports.registry import get

D = Decimal
YEAR_2024 = dict(zip(("start", "end"), CENSUS_YEAR.bounds(2024), strict=True))


def person(name: str) -> Staff:
    staff = Staff(staff_number=name, first_name=name.title(), last_name="Tester")
    db.session.add(staff)
    db.session.flush()
    return staff


def spell(
    staff: Staff,
    team: Team,
    start: date,
    end: date | None = None,
    *,
    hours: str = "37",
    role: str | None = "5",
    contract: str = "permanent",
    **values: Any,
) -> EmploymentSpell:
    made = EmploymentSpell(
        staff_id=staff.id,
        post_title="Social worker",
        org_role=role,
        contracted_hours=D(hours),
        standard_hours=D("37"),
        contract_type=contract,
        team_id=team.id,
        start_date=start,
        end_date=end,
        **values,
    )
    db.session.add(made)
    return made


def absence(staff: Staff, start: date, end: date | None, days: str, reason: str) -> None:
    db.session.add(
        Absence(
            staff_id=staff.id,
            start_date=start,
            end_date=end,
            working_days_lost=D(days),
            reason=reason,
        )
    )


def snapshot(staff: Staff, on: date, cases: int, case_type: CaseType) -> None:
    taken = CaseloadSnapshot(staff_id=staff.id, taken_on=on)
    taken.counts = [CaseloadCount(case_type_id=case_type.id, tier=1, cases=cases)]
    db.session.add(taken)


@pytest.fixture
def authority(db_session: Any) -> dict[str, Any]:
    a = builders.make_team("Team A")
    b = builders.make_team("Team B")
    db.session.add_all(
        [
            TeamEstablishment(team_id=a.id, effective_from=date(2022, 4, 1), funded_fte=D("5")),
            TeamEstablishment(team_id=a.id, effective_from=date(2024, 4, 1), funded_fte=D("6")),
            TeamEstablishment(team_id=a.id, effective_from=date(2024, 10, 15), funded_fte=D("9")),
            TeamEstablishment(team_id=b.id, effective_from=date(2023, 1, 1), funded_fte=D("3")),
        ]
    )
    p = {name: person(name) for name in NAMES}
    spell(p["stay"], a, date(2020, 1, 6))
    spell(p["part"], a, date(2021, 4, 1), hours="18.5")
    spell(p["starter"], a, date(2024, 1, 15), hours="29.6", start_origin="2")
    spell(
        p["leaver"],
        a,
        date(2019, 3, 1),
        date(2024, 6, 30),
        leaving_reason="1",
        leaver_destination="1",
    )
    spell(p["mover"], a, date(2018, 10, 1), date(2024, 2, 29))
    spell(p["mover"], b, date(2024, 3, 1), role="4")
    spell(p["two_posts"], a, date(2022, 1, 1), hours="18.5", role="3")
    spell(p["two_posts"], b, date(2022, 1, 1), hours="18.5")
    spell(p["nqsw_2024"], a, date(2023, 10, 2), start_origin="1")
    spell(
        p["in_year"],
        a,
        date(2024, 2, 1),
        date(2024, 7, 31),
        leaving_reason="4",
        leaver_destination="8",
    )
    spell(p["nqsw_2022"], a, date(2021, 10, 4), date(2023, 6, 30), start_origin="1")
    spell(p["agency_plain"], a, date(2023, 11, 1), hours="18.5", contract="agency")
    spell(p["outside"], a, date(2020, 1, 6), role=None)
    spell(p["nqsw_2023"], b, date(2022, 10, 3), start_origin="1")
    spell(
        p["nqsw_left"],
        b,
        date(2022, 11, 1),
        date(2023, 12, 31),
        start_origin="1",
        leaving_reason="1",
        leaver_destination="3",
    )
    spell(p["moved_out"], b, date(2020, 1, 6), date(2024, 3, 31), leaving_reason="7")
    spell(p["moved_out"], b, date(2024, 4, 1), role=None)
    spell(p["returner"], b, date(2015, 1, 1), date(2018, 12, 31), leaving_reason="1")
    spell(p["returner"], b, date(2023, 5, 1), date(2024, 9, 30), hours="18.5", leaving_reason="8")
    spell(p["agency_cover"], b, date(2024, 5, 1), contract="agency", covers_vacancy=True)
    spell(p["agency_old"], b, date(2022, 1, 1), date(2023, 3, 31), contract="agency")

    absence(p["stay"], date(2024, 1, 8), date(2024, 1, 12), "5", "SIC")
    absence(p["stay"], date(2022, 2, 1), date(2022, 2, 3), "3", "SIC")  # another year
    # 25 September to 6 October 2023: 12 calendar days, 6 of them in census year 2024.
    absence(p["part"], date(2023, 9, 25), date(2023, 10, 6), "6", "SIC")
    absence(p["leaver"], date(2024, 3, 4), date(2024, 3, 5), "2", "TRN")
    absence(p["mover"], date(2024, 4, 1), date(2024, 6, 28), "64", "MAT")
    absence(p["outside"], date(2024, 2, 1), date(2024, 2, 14), "10", "SIC")
    absence(p["agency_plain"], date(2024, 2, 1), date(2024, 2, 5), "3", "SIC")

    kind = CaseType(code="cin_test", label="Child in need (test)")
    db.session.add(kind)
    db.session.flush()
    snapshot(p["stay"], date(2024, 8, 1), 20, kind)
    snapshot(p["stay"], date(2024, 9, 15), 12, kind)
    snapshot(p["stay"], date(2024, 10, 5), 30, kind)  # after the end
    snapshot(p["part"], date(2024, 9, 1), 6, kind)
    snapshot(p["agency_cover"], date(2024, 9, 20), 15, kind)
    snapshot(p["two_posts"], date(2024, 9, 10), 4, kind)
    snapshot(p["nqsw_2023"], date(2024, 9, 10), 0, kind)
    snapshot(p["leaver"], date(2024, 6, 1), 18, kind)  # left: not in post
    db.session.commit()
    return {"a": a, "b": b, **p}


NAMES = (
    "stay",
    "part",
    "starter",
    "leaver",
    "mover",
    "two_posts",
    "nqsw_2024",
    "in_year",
    "nqsw_2022",
    "agency_plain",
    "outside",
    "nqsw_2023",
    "nqsw_left",
    "moved_out",
    "returner",
    "agency_cover",
    "agency_old",
)


def run(by: str = "team", **values: Any) -> Any:
    params = Parameters(**{**YEAR_2024, "year": 2024, "by": by, **values})
    return get("turnover").build(params, None)


def rows_by_group(result: Any) -> dict[str, dict[str, Any]]:
    return {row["group"]: row for row in result.rows}


def section(result: Any, key: str) -> list[dict[str, Any]]:
    return result.table(key)[1]


def test_totals_for_the_census_year(authority):
    s = run().summary
    assert (s["headcount"], s["fte"]) == (7, D("6.3"))
    assert (s["starters_headcount"], s["starters_fte"]) == (3, D("2.8"))
    assert (s["leavers_headcount"], s["leavers_fte"]) == (5, D("4.5"))
    assert s["turnover_rate"] == D("0.714")  # 4.5 / 6.3
    assert s["turnover_rate_headcount"] == D("0.714")  # 5 / 7
    # Team A 6.0 - 3.8 = 2.2, team B 3.0 - 2.5 = 0.5; 2.7 / (2.7 + 6.3)
    assert (s["funded_fte"], s["vacancies_fte"], s["vacancy_rate"]) == (
        D("9.0"),
        D("2.7"),
        D("0.300"),
    )
    assert (s["agency_headcount"], s["agency_fte"]) == (2, D("1.5"))
    assert s["agency_rate"] == D("0.192")  # 1.5 / 7.8
    assert (s["agency_cover_fte"], s["agency_cover_rate"]) == (D("1.0"), D("0.667"))
    assert s["vacancy_agency_cover_rate"] == D("0.370")  # 1.0 / 2.7
    # Sickness: 5 days + 6 x 6/12 of the absence running over 1 October 2023.
    assert s["days_lost_sickness"] == D("8.0")
    assert s["absence_rate"] == D("0.005")  # 8 / (6.3 x 253) = 0.00502
    assert s["days_lost"] == D("74.0")  # 8 + 2 training + 64 maternity
    assert s["absence_rate_all"] == D("0.046")  # 74 / 1593.9
    # Case holders: stay 12 (1.0), part 6 (0.5), agency_cover 15 (1.0), two_posts 4 (1.0).
    assert (s["case_holders"], s["case_holding_fte"], s["cases"]) == (4, D("3.5"), 37)
    assert s["caseload"] == D("10.6")
    assert s["stability_rate"] == D("0.556")  # 5 of 9


def test_by_team(authority):
    rows = rows_by_group(run())
    a, b = rows["Team A"], rows["Team B"]
    assert (a["headcount"], a["fte"], b["headcount"], b["fte"]) == (5, D("3.8"), 2, D("2.5"))
    assert (a["starters_headcount"], a["starters_fte"], b["starters_headcount"]) == (3, D("2.8"), 0)
    assert (a["leavers_headcount"], a["leavers_fte"]) == (2, D("2.0"))
    assert (b["leavers_headcount"], b["leavers_fte"]) == (3, D("2.5"))
    assert (a["turnover_rate"], b["turnover_rate"]) == (D("0.526"), D("1.000"))
    assert (a["funded_fte"], a["vacancies_fte"], a["vacancy_rate"]) == (
        D("6.0"),
        D("2.2"),
        D("0.367"),
    )
    assert (b["funded_fte"], b["vacancies_fte"], b["vacancy_rate"]) == (
        D("3.0"),
        D("0.5"),
        D("0.167"),
    )
    assert (a["agency_fte"], a["agency_cover_rate"]) == (D("0.5"), D("0.000"))
    assert (b["agency_fte"], b["agency_cover_rate"]) == (D("1.0"), D("1.000"))
    assert (a["days_lost_sickness"], a["days_lost"], b["days_lost"]) == (
        D("8.0"),
        D("10.0"),
        D("64.0"),
    )
    # two_posts' cases and both posts' FTE go with the more senior post, in team A.
    assert (a["case_holders"], a["case_holding_fte"], a["cases"]) == (3, D("2.5"), 22)
    assert (b["case_holders"], b["cases"], b["caseload"]) == (1, 15, D("15.0"))
    assert "Team of nobody" not in rows
    stability = {r["group"]: r for r in section(run(), "stability")}
    assert (stability["Team A"]["year_before"], stability["Team A"]["still_in_post"]) == (5, 4)
    assert stability["Team B"]["stability_rate"] == D("0.250")


def test_by_role(authority):
    rows = rows_by_group(run("role"))
    assert set(rows) == {"First line manager", "Senior practitioner", "Case holder"}
    assert (rows["First line manager"]["headcount"], rows["First line manager"]["fte"]) == (
        1,
        D("0.5"),
    )
    assert (rows["Senior practitioner"]["headcount"], rows["Senior practitioner"]["fte"]) == (
        1,
        D("1.0"),
    )
    assert (rows["Case holder"]["headcount"], rows["Case holder"]["fte"]) == (5, D("4.8"))
    assert all(
        row["vacancies_fte"] is None and row["vacancy_rate"] is None for row in rows.values()
    )


def test_by_year(authority):
    result = run("year")
    rows = result.rows
    assert [row["group"][:12] for row in rows] == [
        "2019 to 2020",
        "2020 to 2021",
        "2021 to 2022",
        "2022 to 2023",
        "2023 to 2024",
    ]
    latest, before = rows[-1], rows[-2]
    assert (latest["fte"], latest["turnover_rate"], latest["vacancies_fte"]) == (
        D("6.3"),
        D("0.714"),
        D("2.7"),
    )
    # At 30 September 2023: stay, leaver, mover, two_posts, nqsw_2023, nqsw_left, moved_out
    # 1.0 each, part and returner 0.5: 8.0 FTE, 9 heads.
    assert (before["headcount"], before["fte"]) == (9, D("8.0"))
    # Starters: nqsw_2023, nqsw_left, returner (back after four years): 2.5 FTE.
    assert (before["starters_headcount"], before["starters_fte"]) == (3, D("2.5"))
    assert (before["leavers_headcount"], before["leavers_fte"], before["turnover_rate"]) == (
        1,
        D("1.0"),
        D("0.125"),
    )
    # Team A 5.0 - (stay, part, leaver, mover, two_posts A) 4.0 = 1.0; team B 3.0 - 4.0 -> 0.
    assert before["vacancies_fte"] == D("1.0")
    assert before["days_lost_sickness"] == D("3.0")  # 6 x 6/12 before 1 October
    assert result.summary["fte"] == D("6.3")


def test_leaver_sections(authority):
    result = run()
    reasons = {r["label"]: r for r in section(result, "leavers_by_reason")}
    assert reasons["Resignation"]["leavers_headcount"] == 2
    assert reasons["Resignation"]["leavers_fte"] == D("2.0")
    assert reasons["Resignation"]["share"] == D("0.400")
    assert reasons["Dismissed"]["leavers_headcount"] == 1
    assert reasons["Moved to a non-child and family social work role within the LA"][
        "leavers_fte"
    ] == D("1.0")
    assert reasons["Other"]["leavers_fte"] == D("0.5")
    destinations = {r["label"]: r for r in section(result, "leavers_by_destination")}
    assert destinations["Not recorded"]["leavers_headcount"] == 2
    assert destinations["Not recorded"]["leavers_fte"] == D("1.5")
    assert (
        destinations["Agency or consultancy in social work (in England)"]["leavers_headcount"] == 1
    )
    service = {r["band"]: r["leavers_headcount"] for r in section(result, "length_of_service")}
    assert service == {
        "Less than 2 years": 3,
        "2 to less than 5 years": 1,
        "5 to less than 10 years": 1,
        "10 to less than 20 years": 0,
        "20 to less than 30 years": 0,
        "30 years or more": 0,
    }


def test_asye_cohorts(authority):
    cohorts = {r["cohort"]: r for r in section(run(), "asye_cohorts")}
    assert list(cohorts) == [
        "2019 to 2020",
        "2020 to 2021",
        "2021 to 2022",
        "2022 to 2023",
        "2023 to 2024",
    ]
    c22, c23, c24 = cohorts["2021 to 2022"], cohorts["2022 to 2023"], cohorts["2023 to 2024"]
    assert (c22["started"], c22["retained_1"], c22["retention_1"]) == (1, 1, D("1.000"))
    assert (c22["eligible_2"], c22["retained_2"], c22["retention_2"]) == (1, 0, D("0.000"))
    assert (c23["started"], c23["eligible_1"], c23["retained_1"]) == (2, 2, 2)
    assert (c23["eligible_2"], c23["retention_2"]) == (0, None)
    assert (c24["started"], c24["eligible_1"], c24["retention_1"]) == (1, 0, None)


def test_team_filter(authority):
    result = run(team_id=authority["b"].id, team_name="Team B")
    assert [row["group"] for row in result.rows] == ["Team B"]
    s = result.summary
    assert (s["headcount"], s["fte"], s["leavers_fte"], s["vacancies_fte"]) == (
        2,
        D("2.5"),
        D("2.5"),
        D("0.5"),
    )
    cohorts = {r["cohort"]: r["started"] for r in section(result, "asye_cohorts")}
    assert cohorts["2022 to 2023"] == 2 and cohorts["2021 to 2022"] == 0


def test_date_range(authority):
    # 1 January to 30 June 2024: stock on 30 June; leaver leaves that day, so is a leaver
    # and not in post.
    result = run(start=date(2024, 1, 1), end=date(2024, 6, 30), year=None)
    s = result.summary
    # stay 1.0, part 0.5, starter 0.8, mover 1.0, two_posts 1.0, nqsw_2024 1.0,
    # nqsw_2023 1.0, returner 0.5, in_year 1.0 (moved_out gone on 31 March)
    assert (s["headcount"], s["fte"]) == (9, D("7.8"))
    # starter, in_year; leavers: moved_out, leaver (30 June)
    assert (s["starters_headcount"], s["leavers_headcount"], s["leavers_fte"]) == (2, 2, D("2.0"))
    # An absence open on today's date is not involved; stay's 5 days are in range.
    assert s["days_lost_sickness"] == D("5.0")


def test_open_absence_runs_to_today(authority, monkeypatch):
    from workforce.reports import turnover

    # From 22 September 2024, still open on 1 October: 10 calendar days, 9 in the year.
    absence(authority["nqsw_2023"], date(2024, 9, 22), None, "5", "SIC")
    db.session.commit()
    figures = turnover.count_figures(
        [turnover.Period(2024, *CENSUS_YEAR.bounds(2024))], today=date(2024, 10, 1)
    )
    days = sum((c.days_lost.get("SIC", D(0)) for c in figures.cells.values()), D(0))
    # 8 already + 5 x 9/10
    assert days.quantize(D("0.01")) == D("12.50")


def test_empty_authority(db_session):
    result = run()
    assert list(result.rows) == []
    assert result.summary["turnover_rate"] is None
    assert result.summary["caseload"] is None
    assert [r["started"] for r in section(result, "asye_cohorts")] == [0, 0, 0, 0, 0]


def test_reports_render(authority):
    from workforce.reports.render import to_csv, to_json, to_xlsx

    result = run()
    assert b"Team A" in to_csv(result)
    assert b'"turnover_rate"' in to_json(result)
    assert load_workbook(io.BytesIO(to_xlsx(result)))["Turnover and retention"] is not None
