"""The supervision reports as pages, CSV, XLSX and JSON, and from ``flask --app wsgi report``;
who may run them; and that no session note or audit comment reaches any of them. The data is
the hand-counted world of ``tests/integration/test_supervision_reports.py``.
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
from tests.integration.test_supervision_reports import (
    AUDIT_COMMENT,
    NOTE,
    build_audits,
    build_world,
)
from workforce.extensions import db
from workforce.models import AuditEvent

COMPLIANCE = "/reports/supervision-compliance?on=2026-01-15"
AUDIT = "/reports/supervision-audit?year=2025"


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


@pytest.fixture
def audited(world: dict[str, Any]) -> dict[str, Any]:
    """The world with its six audits (which add sessions and a supervisor, deputy)."""
    build_audits(world)
    return world


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def exports() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        )
    )


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def chart_of(page: str) -> dict[str, Any]:
    return json.loads(re.search(r"data-chart='([^']*)'", page).group(1).replace("&#34;", '"'))


def sign_in(client: Any, user: Any) -> None:
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    assert response.status_code == 302


def xlsx_text(response: Any) -> str:
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


# --- who may run them -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "ld_officer", "senior_leader", "supervisor", "admin"])
def test_the_reports_are_listed_for_their_roles(client, login, role):
    login(role)
    page = text(client.get("/reports"))
    assert 'href="/reports/supervision-compliance"' in page
    assert 'href="/reports/supervision-audit"' in page


def test_a_practitioner_may_not_run_them(client, login, audited):
    login("practitioner", staff=audited["people"]["steady"])
    assert 'href="/reports/supervision-compliance"' not in text(client.get("/reports"))
    for address in (
        COMPLIANCE,
        AUDIT,
        f"{COMPLIANCE}&format=csv",
        f"{COMPLIANCE}&format=xlsx",
        f"{AUDIT}&format=json",
    ):
        assert client.get(address).status_code == 403
    assert exports() == []


# --- pages ----------------------------------------------------------------------------------


def test_compliance_page_by_person(client, login, world):
    login("hr")
    response = client.get(COMPLIANCE)
    assert response.status_code == 200
    page = text(response)
    assert '<h1 class="govuk-heading-l">Supervision compliance</h1>' in page
    assert "Standing on 15 January 2026" in page
    chart = chart_of(page)
    assert chart["labels"] == ["Within policy", "Short of sessions", "Overdue"]
    assert sum(chart["datasets"][0]["data"]) == 11
    assert f'href="/staff/{world["people"]["steady"].id}"' in page
    assert "Steady, Sue" in page and "Leaver, Lee" not in page
    assert "Short of sessions" in page and "Overdue" in page
    assert "Sessions per person per year" in page
    assert "divided by the number of those people" in page  # the definition is given


def test_compliance_page_by_team(client, login, world):
    login("senior_leader")
    page = text(client.get(f"{COMPLIANCE}&by=team"))
    chart = chart_of(page)
    assert chart["labels"] == ["Alpha", "Beta"]
    assert chart["percent"] is True
    assert chart["datasets"][0]["data"][1] == 0.0  # nobody in Beta is within policy
    assert "People in post with a policy" in page


def test_compliance_page_for_a_supervisor_shows_only_their_staff(client, world):
    sign_in(client, world["boss_user"])
    page = text(client.get(COMPLIANCE))
    assert "Steady, Sue" in page and "Asye, Asha" in page
    assert "Quiet, Quin" not in page and "Boss, Bea" not in page


def test_compliance_page_refuses_a_bad_grouping(client, login, world):
    login("hr")
    assert "Group by one of: person, team" in text(client.get(f"{COMPLIANCE}&by=week"))


def test_audit_page(client, login, audited):
    login("ld_officer")
    response = client.get(AUDIT)
    assert response.status_code == 200
    page = text(response)
    assert "Supervision audits" in page
    assert "From 1 April 2025 to 31 March 2026" in page
    chart = chart_of(page)
    assert chart["labels"] == [
        "April to June 2025",
        "July to September 2025",
        "October to December 2025",
        "January to March 2026",
    ]
    assert chart["datasets"][0]["data"] == [100.0, 0.0, 50.0, None]
    assert "Reflective discussion evident (%)" in page


# --- downloads ------------------------------------------------------------------------------


def test_compliance_csv(client, login, world):
    user = login("hr")
    response = client.get(f"{COMPLIANCE}&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="supervision-compliance-2026-01-15.csv"'
    )
    rows = csv_rows(response)
    header = rows[0]
    assert header[:3] == ["Name", "Staff number", "Team"]
    steady = next(r for r in rows if r[0] == "Steady, Sue")
    assert steady[header.index("Sessions expected")] == "12"
    assert steady[header.index("Sessions held")] == "13"
    assert steady[header.index("Last session")] == "2026-01-10"
    assert steady[header.index("Longest gap (days)")] == "30"
    assert steady[header.index("Status")] == "Within policy"
    assert len(rows) == 12
    (event,) = exports()
    assert event.actor_user_id == user.id
    assert event.changes["report"] == "supervision-compliance"
    assert event.changes["rows"] == 11


def test_compliance_xlsx_and_json(client, login, world):
    login("admin")
    response = client.get(f"{COMPLIANCE}&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Supervision compliance", "People by status", "About this report"]
    assert book.worksheets[0].max_row == 12
    document = client.get(f"{COMPLIANCE}&by=team&format=json").get_json()
    assert document["parameters"]["by"] == "team"
    assert [row["team"] for row in document["rows"]] == ["Alpha", "Beta"]
    assert document["summary"]["people"] == 11
    beta = document["rows"][1]
    assert (beta["people"], beta["within"], beta["overdue"], beta["sessions"]) == (4, 0, 3, 3)
    assert [e.changes["format"] for e in exports()] == ["xlsx", "json"]


def test_audit_csv_xlsx_and_json(client, audited):
    sign_in(client, audited["head_user"])
    rows = csv_rows(client.get(f"{AUDIT}&by=team&format=csv"))
    assert rows[0][0] == "Team"
    assert [r[0] for r in rows[1:]] == ["Alpha", "Beta"]
    assert rows[1][rows[0].index("Good or better (%)")] == "1.0000"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{AUDIT}&by=month&format=xlsx").get_data())
    )
    assert book.sheetnames == ["Supervision audits", "About this report"]
    assert book.worksheets[0].max_row == 13  # header and twelve months
    document = client.get(f"{AUDIT}&format=json").get_json()
    assert document["parameters"]["by"] == "quarter"
    assert document["summary"]["audits"] == 5


def test_no_note_or_audit_comment_in_any_format(client, login, audited):
    login("admin")
    for address in (COMPLIANCE, f"{COMPLIANCE}&by=team", AUDIT, f"{AUDIT}&by=team"):
        for suffix in ("", "&format=csv", "&format=json", "&format=xlsx"):
            response = client.get(address + suffix)
            assert response.status_code == 200, address + suffix
            body = xlsx_text(response) if suffix.endswith("xlsx") else text(response)
            assert body.strip(), address + suffix
            assert NOTE not in body and "Acacia" not in body, address + suffix
            assert AUDIT_COMMENT not in body, address + suffix


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def cli(app_ctx: Any) -> Any:
    runner = app_ctx.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(args=["report", *args])

    return invoke


def test_cli_runs_both_reports(cli, world, tmp_path):
    result = cli(
        "supervision-compliance", "--format", "csv", "--on", "2026-01-15", "--team", "Beta"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[0] for r in rows[1:]] == [
        "Beta, Bill",
        "FormerNqsw, Fern",
        "Never, Nev",
        "Quiet, Quin",
    ]
    assert NOTE not in result.stdout

    build_audits(world)
    target = tmp_path / "audit.json"
    result = cli(
        "supervision-audit", "--format", "json", "--year", "2025", "--by", "team",
        "--output", str(target),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    assert [(row["period"], row["audits"]) for row in document["rows"]] == [
        ("Alpha", 3),
        ("Beta", 2),
    ]
    assert AUDIT_COMMENT not in target.read_text()
    assert [e.actor_user_id for e in exports()] == [None, None]


def test_cli_refuses_a_parameter_the_report_does_not_take(cli, world):
    result = cli("supervision-compliance", "--year", "2025")
    assert result.exit_code == 2
    assert "does not take --year" in result.output
