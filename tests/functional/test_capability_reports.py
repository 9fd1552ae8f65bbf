"""The capability reports as pages, CSV, XLSX and JSON, and from ``flask --app wsgi report``;
who may run them. The data is the hand-counted world of
``tests/integration/test_capability_reports.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from tests import builders
from tests.integration.test_capability_reports import build_world
from workforce.extensions import db
from workforce.models import AuditEvent

GAPS = "/reports/capability-gaps?on=2026-01-15"
APPRAISALS = "/reports/appraisals?year=2025"


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def exports() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        )
    )


def sign_in_as_boss(client: Any, world: dict[str, Any]) -> None:
    """Sign in with the supervisor account the world links to boss."""
    response = client.post(
        "/login", data={"email": world["supervisor"].email, "password": builders.PASSWORD}
    )
    assert response.status_code == 302


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


# --- who may run them --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "ld_officer", "senior_leader", "supervisor", "admin"])
def test_the_reports_are_listed_for_their_roles(client, login, role):
    login(role)
    page = text(client.get("/reports"))
    assert 'href="/reports/capability-gaps"' in page
    assert 'href="/reports/appraisals"' in page


def test_a_practitioner_may_not_run_them(client, login, world):
    login("practitioner", staff=world["people"]["a1"])
    for address in (GAPS, APPRAISALS, f"{GAPS}&format=csv", f"{APPRAISALS}&format=json"):
        assert client.get(address).status_code == 403
    assert exports() == []


# --- pages ----------------------------------------------------------------------------


def test_gaps_page_has_the_chart_its_figures_and_the_people(client, login, world):
    login("hr")
    response = client.get(GAPS)
    assert response.status_code == 200
    page = text(response)
    assert '<h1 class="govuk-heading-l">Capability gaps</h1>' in page
    assert "Standing on 15 January 2026" in page
    chart = json.loads(re.search(r"data-chart='([^']*)'", page).group(1).replace("&#34;", '"'))
    assert chart["labels"] == ["Practice", "Partnership", "Leadership"]
    assert chart["datasets"][0]["data"] == [16.7, 66.7, 33.3]
    assert chart["percent"] is True
    assert "People meeting expectation by domain: the figures in the chart" in page
    assert "Adams, Ann" in page and "Hill, Hal" not in page  # the leaver has gone
    assert f'href="/staff/{world["people"]["a1"].id}"' in page
    assert "Practice; Partnership; Leadership" in page  # boss's gaps, as judgements
    assert "Seen in practice" not in page  # never the evidence
    assert "People with at least one gap" in page


def test_gaps_page_for_a_supervisor_shows_only_their_staff(client, login, world):
    sign_in_as_boss(client, world)
    page = text(client.get(GAPS))
    assert "Evans, Eve" in page  # line-managed in another team
    assert "Ford, Fay" not in page and "Green, Gus" not in page
    assert "Boss, Bea" not in page  # not their own record


def test_gaps_page_filters_by_team(client, login, world):
    login("ld_officer")
    page = text(client.get(f"{GAPS}&team={world['beta'].id}"))
    assert "Team: Beta." in page
    assert "Evans, Eve" in page and "Adams, Ann" not in page


def test_appraisals_page_by_quarter(client, login, world):
    login("senior_leader")
    response = client.get(f"{APPRAISALS}&by=quarter")
    assert response.status_code == 200
    page = text(response)
    assert "Capability appraisals" in page
    assert "From 1 April 2025 to 31 March 2026" in page
    chart = json.loads(re.search(r"data-chart='([^']*)'", page).group(1).replace("&#34;", '"'))
    assert chart["labels"] == [
        "April to June 2025",
        "July to September 2025",
        "October to December 2025",
        "January to March 2026",
    ]
    assert [d["label"] for d in chart["datasets"]] == [
        "Annual appraisals",
        "Supervisor assessments",
        "ASYE reviews",
    ]
    assert chart["datasets"][0]["data"] == [4, 2, 0, 0]
    assert chart["stacked"] is True
    assert "Annual appraisals completed" in page


def test_appraisals_page_refuses_a_bad_grouping(client, login, world):
    login("hr")
    page = text(client.get(f"{APPRAISALS}&by=week"))
    assert "Group by one of: month, quarter, team" in page


# --- downloads ------------------------------------------------------------------------


def test_gaps_csv(client, login, world):
    user = login("hr")
    response = client.get(f"{GAPS}&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="capability-gaps-2026-01-15.csv"'
    )
    rows = csv_rows(response)
    assert rows[0][:4] == ["Name", "Staff number", "Team", "Post"]
    boss = next(r for r in rows if r[0] == "Boss, Bea")
    header = rows[0]
    assert boss[header.index("Last assessed")] == "2024-12-01"
    assert boss[header.index("Below expectation")] == "3"
    assert len(rows) == 8
    (event,) = exports()
    assert event.actor_user_id == user.id
    assert event.changes["report"] == "capability-gaps"
    assert event.changes["rows"] == 7


def test_gaps_xlsx_has_the_domain_sheet(client, login, world):
    login("ld_officer")
    response = client.get(f"{GAPS}&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == [
        "Capability gaps",
        "Meeting expectation by domain",
        "About this report",
    ]
    domains = book["Meeting expectation by domain"]
    header = [c.value for c in domains[1]]
    practice = list(next(domains.iter_rows(min_row=2)))
    rate = practice[header.index("Meeting expectation (%)")]
    assert (rate.value, rate.number_format) == (0.1667, "0.0%")


def test_appraisals_csv_xlsx_and_json(client, login, world):
    sign_in_as_boss(client, world)
    rows = csv_rows(client.get(f"{APPRAISALS}&by=team&format=csv"))
    assert rows[0][0] == "Team"
    assert [r[0] for r in rows[1:]] == ["Alpha", "Beta"]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{APPRAISALS}&by=month&format=xlsx").get_data())
    )
    assert book.sheetnames == ["Capability appraisals", "About this report"]
    assert book.worksheets[0].max_row == 13  # header and twelve months
    document = client.get(f"{APPRAISALS}&format=json").get_json()
    assert list(document) == ["report", "parameters", "generated_at", "columns", "rows", "summary"]
    assert document["parameters"]["by"] == "month"
    assert document["summary"]["appraisals"] == 3  # the supervisor's staff only
    assert document["summary"]["not_assessed_12m"] == 1
    assert [e.changes["format"] for e in exports()] == ["csv", "xlsx", "json"]


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def cli(app_ctx: Any) -> Any:
    runner = app_ctx.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(args=["report", *args])

    return invoke


def test_cli_runs_both_reports(cli, world, tmp_path):
    result = cli("capability-gaps", "--format", "csv", "--on", "2026-01-15", "--team", "Alpha")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[0] for r in rows[1:]] == ["Adams, Ann", "Baker, Ben", "Boss, Bea", "Cole, Cat"]

    target = tmp_path / "appraisals.json"
    result = cli(
        "appraisals",
        "--format",
        "json",
        "--year",
        "2025",
        "--by",
        "quarter",
        "--output",
        str(target),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    assert document["summary"]["appraisals"] == 6
    assert [row["appraisal"] for row in document["rows"]] == [4, 2, 0, 0]

    target = tmp_path / "gaps.xlsx"
    result = cli(
        "capability-gaps", "--format", "xlsx", "--on", "2026-01-15", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(target).worksheets[0].max_row == 8
    assert [e.actor_user_id for e in exports()] == [None, None, None]


def test_cli_refuses_a_parameter_the_report_does_not_take(cli, world):
    result = cli("capability-gaps", "--year", "2025")
    assert result.exit_code == 2
    assert "does not take --year" in result.output


def test_a_user_without_roles_sees_no_capability_report(client, login):
    login("practitioner", staff=builders.make_staff())
    assert client.get("/reports/capability-gaps").status_code == 403
