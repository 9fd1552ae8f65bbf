"""Establishment and absence pages, who may use them, refusals shown on the form, and the
turnover report as a page, CSV, XLSX (read back) and JSON, on the hand-counted authority of
``tests/integration/test_turnover_report.py``."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from tests import builders
from tests.integration.test_turnover_report import authority  # noqa: F401  (fixture)
from workforce.extensions import db
from workforce.models.workforce_planning import Absence, TeamEstablishment

REPORT = "/reports/turnover?year=2024"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def day(name: str, value: date) -> dict[str, str]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


@pytest.mark.parametrize(
    ("roles", "establishment", "absence"),
    [
        (("hr",), 200, 200),
        (("admin",), 200, 200),
        (("senior_leader",), 200, 403),
        (("supervisor",), 403, 403),
        (("practitioner",), 403, 403),
    ],
)
def test_who_may_see_the_pages(client, login, db_session, roles, establishment, absence):
    login(*roles)
    assert client.get("/planning/establishment").status_code == establishment
    assert client.get("/planning/absence").status_code == absence
    assert client.get("/planning/absence/new").status_code == absence


def test_signed_out_people_are_sent_to_sign_in(client, db_session):
    assert client.get("/planning/establishment").status_code == 302


def test_hr_records_a_change_of_establishment_and_sees_vacancies(client, login, db_session):
    team = builders.make_team("Court team")
    builders.make_staff(team, start=date(2020, 1, 6))
    builders.make_staff(team, start=date(2020, 1, 6), hours="18.5")
    login("hr")
    response = client.post(
        f"/planning/establishment/teams/{team.id}",
        data={**day("effective_from", date(2024, 4, 1)), "funded_fte": "4"},
    )
    assert response.status_code == 302
    page = text(client.get("/planning/establishment?on=2024-09-30"))
    assert "Court team" in page and "4.00" in page and "1.50" in page and "2.50" in page
    assert "62.5%" in page  # 2.5 / (2.5 + 1.5)
    history = text(client.get(f"/planning/establishment/teams/{team.id}"))
    assert "1 April 2024" in history and "Record a change of establishment" in history


def test_refusals_are_shown_on_the_establishment_form(client, login, db_session):
    team = builders.make_team("Court team")
    db.session.add(
        TeamEstablishment(team_id=team.id, effective_from=date(2024, 4, 1), funded_fte=Decimal(3))
    )
    db.session.commit()
    login("hr")
    url = f"/planning/establishment/teams/{team.id}"
    page = text(
        client.post(url, data={**day("effective_from", date(2024, 5, 1)), "funded_fte": "-2"})
    )
    assert "The funded FTE cannot be negative" in page and "Error:" in page
    page = text(
        client.post(url, data={**day("effective_from", date(2024, 4, 1)), "funded_fte": "5"})
    )
    assert "Court team already has an establishment from 1 April 2024" in page
    page = text(
        client.post(url, data={**day("effective_from", date(2024, 5, 1)), "funded_fte": "lots"})
    )
    assert "The funded FTE must be a number, like 12.5" in page
    assert len(db.session.scalars(select(TeamEstablishment)).all()) == 1


def test_senior_leaders_read_but_do_not_change_the_establishment(client, login, db_session):
    team = builders.make_team("Court team")
    record = TeamEstablishment(
        team_id=team.id, effective_from=date(2024, 4, 1), funded_fte=Decimal(3)
    )
    db.session.add(record)
    db.session.commit()
    login("senior_leader")
    page = text(client.get(f"/planning/establishment/teams/{team.id}"))
    assert "3.00" in page and "Record a change" not in page
    assert "/planning/establishment/records/" not in page
    response = client.post(
        f"/planning/establishment/teams/{team.id}",
        data={**day("effective_from", date(2024, 5, 1)), "funded_fte": "5"},
    )
    assert response.status_code == 403
    assert client.get(f"/planning/establishment/records/{record.id}/edit").status_code == 403


def test_edit_and_delete_an_establishment_record_after_confirming(client, login, db_session):
    team = builders.make_team("Court team")
    record = TeamEstablishment(
        team_id=team.id, effective_from=date(2024, 4, 1), funded_fte=Decimal(3)
    )
    db.session.add(record)
    db.session.commit()
    record_id = record.id
    login("hr")
    edit = f"/planning/establishment/records/{record_id}/edit"
    assert "3.00" in text(client.get(edit))
    response = client.post(
        edit, data={**day("effective_from", date(2024, 4, 1)), "funded_fte": "3.5"}
    )
    assert response.status_code == 302
    confirm = text(client.get(f"/planning/establishment/records/{record_id}/delete"))
    assert "Delete this establishment record?" in confirm and "3.50" in confirm
    assert client.post(f"/planning/establishment/records/{record_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(TeamEstablishment, record_id) is None


def test_hr_records_changes_and_deletes_an_absence(client, login, db_session):
    team = builders.make_team("Court team")
    person = builders.make_staff(
        team, start=date(2020, 1, 6), staff_number="S100", last_name="Okafor"
    )
    login("hr")
    response = client.post(
        "/planning/absence/new",
        data={
            "staff_number": "S100",
            **day("start_date", date(2024, 1, 8)),
            **day("end_date", date(2024, 1, 12)),
            "working_days_lost": "5",
            "reason": "SIC",
        },
    )
    assert response.status_code == 302
    absence = db.session.scalars(select(Absence)).one()
    assert (absence.staff_id, absence.working_days_lost) == (person.id, Decimal("5.0"))
    listing = text(client.get("/planning/absence?reason=SIC&q=okafor"))
    assert "Okafor" in listing and "Sick leave" in listing and "8 January 2024" in listing
    assert "No absences match" in text(client.get("/planning/absence?reason=TRN"))
    response = client.post(
        f"/planning/absence/{absence.id}/edit",
        data={
            "staff_number": "S100",
            **day("start_date", date(2024, 1, 8)),
            **day("end_date", date(2024, 1, 9)),
            "working_days_lost": "2",
            "reason": "SIC",
        },
    )
    assert response.status_code == 302
    assert "Delete this absence?" in text(client.get(f"/planning/absence/{absence.id}/delete"))
    assert client.post(f"/planning/absence/{absence.id}/delete").status_code == 302
    assert db.session.scalars(select(Absence)).all() == []


def test_absence_refusals_are_shown_on_the_form(client, login, db_session):
    team = builders.make_team("Court team")
    builders.make_staff(team, start=date(2020, 1, 6), staff_number="S100")
    login("hr")

    def post(**values: Any) -> str:
        data = {
            "staff_number": "S100",
            **day("start_date", date(2024, 1, 8)),
            **day("end_date", date(2024, 1, 12)),
            "working_days_lost": "5",
            "reason": "SIC",
        }
        data.update(values)
        return text(client.post("/planning/absence/new", data=data))

    assert "The working days lost cannot be negative" in post(working_days_lost="-3")
    assert "The last day must be on or after the first day" in post(
        **day("end_date", date(2024, 1, 1))
    )
    assert "Choose a census absence reason" in post(reason="HOL")
    assert "There is no one with this staff number" in post(staff_number="NOBODY")
    assert "This person was not employed on 6 January 2019" in post(
        **day("start_date", date(2019, 1, 6))
    )
    assert db.session.scalars(select(Absence)).all() == []


def test_turnover_report_is_not_for_practitioners(client, login, authority):  # noqa: F811
    login("practitioner", "supervisor")
    assert client.get(REPORT).status_code == 403


def test_turnover_report_page(client, login, authority):  # noqa: F811
    login("senior_leader")
    page = text(client.get(REPORT))
    assert "Turnover and retention" in page and "Team A" in page
    assert "71.4%" in page  # the turnover rate
    assert "the DfE publishes sickness absence (reason SIC)" in page  # the notes


def test_turnover_report_csv_xlsx_and_json(client, login, authority):  # noqa: F811
    login("hr")
    rows = list(
        csv.reader(io.StringIO(client.get(f"{REPORT}&format=csv").get_data().decode("utf-8-sig")))
    )
    header = rows[0]
    team_a = dict(zip(header, next(r for r in rows if r[0] == "Team A"), strict=True))
    assert team_a["Headcount in post"] == "5" and team_a["FTE in post"] == "3.8"
    response = client.get(f"{REPORT}&by=role&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    assert headings[:3] == ["Organisational role", "Headcount in post", "FTE in post"]
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    case_holder = values["Case holder"]
    assert case_holder[1] == 5 and float(case_holder[2]) == pytest.approx(4.8)
    rate_cell = sheet.cell(row=2, column=headings.index("Turnover rate") + 1)
    assert "%" in rate_cell.number_format
    assert sheet.freeze_panes == "A2"
    assert {"Leavers by reason", "Retention of ASYE cohorts"} <= {
        ws.title[:25] for ws in book.worksheets
    } | {ws.title for ws in book.worksheets}
    document = client.get(f"{REPORT}&by=year&format=json").get_json()
    assert document["report"] == "turnover"
    assert document["parameters"]["by"] == "year"
    assert [c["key"] for c in document["columns"]][:3] == ["group", "headcount", "fte"]
    assert len(document["rows"]) == 5
    latest = document["rows"][-1]
    assert latest["fte"] == pytest.approx(6.3) and latest["turnover_rate"] == pytest.approx(0.714)
    assert document["summary"]["caseload"] == pytest.approx(10.6)
    cohorts = {c["cohort"]: c for c in document["summary"]["asye_cohorts"]}
    assert cohorts["2021 to 2022"]["retention_2"] == 0
    reasons = {r["label"]: r["leavers_headcount"] for r in document["summary"]["leavers_by_reason"]}
    assert reasons["Resignation"] == 2


def test_turnover_report_refuses_bad_parameters(client, login, authority):  # noqa: F811
    login("hr")
    page = text(client.get("/reports/turnover?by=grade"))
    assert "Group by one of: team, role, year" in page
