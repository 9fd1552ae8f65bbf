"""Report pages and their CSV, XLSX and JSON exports at the same address; who may see them;
the audit trail; bad parameters; ``flask --app wsgi report``; own gaps on the home page.

The data is the hand-counted world of ``tests/integration/test_training_reports.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from tests import builders
from tests.integration.test_training_reports import book, build_world, make_course, make_session
from workforce.extensions import db
from workforce.models import AuditEvent

YEAR = "year=2025"


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def exports() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        )
    )


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# --- the index and who may see what ---------------------------------------------------


@pytest.mark.parametrize("role", ["ld_officer", "hr", "senior_leader", "admin"])
def test_officers_see_every_training_report(client, login, role):
    login(role)
    page = text(client.get("/reports"))
    for name in (
        "/reports/training",
        "/reports/training-evaluation",
        "/reports/training-compliance",
    ):
        assert f'href="{name}"' in page
    assert '<a class="govuk-service-navigation__link" href="/reports"' in page


def test_a_supervisor_sees_only_the_compliance_report(client, login, world):
    login("supervisor", staff=world["people"]["a1"])
    page = text(client.get("/reports"))
    assert 'href="/reports/training-compliance"' in page
    assert 'href="/reports/training"' not in page
    assert client.get("/reports/training").status_code == 403
    assert client.get("/reports/training?format=csv").status_code == 403
    assert client.get("/reports/training-compliance").status_code == 200


def test_a_practitioner_may_not_see_reports(client, login, world):
    login("practitioner", staff=world["people"]["a2"])
    assert client.get("/reports").status_code == 403
    for name in ("training", "training-evaluation", "training-compliance"):
        assert client.get(f"/reports/{name}").status_code == 403
        assert client.get(f"/reports/{name}?format=json").status_code == 403
    assert 'href="/reports"' not in text(client.get("/"))
    assert exports() == []


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get("/reports/training?format=csv")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_unknown_report_is_not_found(client, login):
    login("ld_officer")
    assert client.get("/reports/nonsense").status_code == 404


# --- the page -------------------------------------------------------------------------


def test_training_page_has_a_chart_and_the_same_figures_in_a_table(client, login, world):
    login("ld_officer")
    response = client.get(f"/reports/training?{YEAR}")
    assert response.status_code == 200
    page = text(response)
    canvas = re.search(r"<canvas[^>]*data-chart='([^']*)'", page)
    assert canvas is not None
    chart = json.loads(canvas.group(1).replace("&#34;", '"').replace("&amp;", "&"))
    assert chart["labels"] == [world["courses"]["B"].title, world["courses"]["A"].title]
    assert [d["label"] for d in chart["datasets"]] == [
        "Attended",
        "Partly attended",
        "Did not attend",
    ]
    assert chart["datasets"][0]["data"] == [0, 3]
    assert '<caption class="govuk-table__caption govuk-table__caption--s">' in page
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Cost per attendee</th>'
        in page
    )
    assert f'<th scope="row" class="govuk-table__header">{world["courses"]["A"].title}</th>' in page
    for figure in ("80.0%", "20.0%", "£500.00", "£125.00"):
        assert f">{figure}</td>" in page
    assert "From 1 April 2025 to 31 March 2026" in page
    # CSP: scripts come from files only, and the chart library is loaded.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "vendor/chartjs/chart.umd.min.js" in page and "src/charts.mjs" in page
    # The download links pin the period.
    assert 'href="/reports/training?format=xlsx&amp;year=2025&amp;by=course"' in page
    assert exports() == []  # looking is not exporting


def test_the_training_page_groups_by_team_on_request(client, login, world):
    login("hr")
    page = text(client.get(f"/reports/training?{YEAR}&by=team&team={world['beta'].id}"))
    assert '<th scope="row" class="govuk-table__header">Beta</th>' in page
    assert '<th scope="row" class="govuk-table__header">Alpha</th>' not in page
    assert "Team: Beta" in page


def test_compliance_page_shows_the_matrix_in_words_and_the_chart_table(client, login, world):
    login("ld_officer")
    page = text(client.get("/reports/training-compliance?on=2025-10-01&window=60"))
    assert "Expired 2025-06-01" in page
    assert ">Missing</strong>" in page
    assert "Valid until 2025-12-01" in page
    assert "Mandatory training by course: the figures in the chart" in page
    assert f'href="/staff/{world["people"]["a1"].id}"' in page
    assert "data-chart=" in page


def test_the_matrix_is_paged_but_the_chart_tables_are_whole(client, login, world, monkeypatch):
    from workforce.blueprints.reports import routes

    monkeypatch.setattr(routes, "ROWS_PER_PAGE", 3)
    login("ld_officer")
    page = text(client.get("/reports/training-compliance?on=2025-10-01"))
    assert "Showing rows 1 to 3 of 7" in page
    assert ">Adams, Ann</a>" in page and ">Dale, Dan</a>" not in page
    page = text(client.get("/reports/training-compliance?on=2025-10-01&page=2"))
    assert ">Dale, Dan</a>" in page and ">Adams, Ann</a>" not in page
    # The training table carries the chart's figures, so it shows every row.
    page = text(client.get(f"/reports/training?{YEAR}&by=domain"))
    assert "Showing rows" not in page
    assert page.count('<th scope="row" class="govuk-table__header">') == 3  # 2 domains and Total


def test_a_supervisor_sees_only_managed_people_in_the_matrix(client, login, world):
    manager = builders.make_staff(builders.make_team("Gamma"), first_name="Mo", last_name="Manager")
    world["people"]["a2"].spells[0].line_manager_id = manager.id
    db.session.commit()
    login("supervisor", staff=manager)
    page = text(client.get("/reports/training-compliance?format=json"))
    names = {row["name"] for row in json.loads(page)["rows"]}
    assert names == {"Baker, Ben", "Manager, Mo"}


# --- the exports at the same address --------------------------------------------------


def test_csv_export(client, login, world):
    user = login("ld_officer")
    response = client.get(f"/reports/training?{YEAR}&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="training-2025-04-01-to-2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Course", "Practice model", "PCF domains", "Sessions delivered"]
    course_a = next(r for r in rows if r[0] == world["courses"]["A"].title)
    assert course_a[3:8] == ["2", "8", "5", "3", "1"]
    assert course_a[-2:] == ["500.00", "125.00"]
    (event,) = exports()
    assert event.actor_user_id == user.id
    assert event.entity_type == "Report"
    assert event.changes["report"] == "training"
    assert event.changes["format"] == "csv"
    assert event.changes["parameters"]["from"] == "2025-04-01"
    assert event.changes["rows"] == 2


def test_xlsx_export(client, login, world):
    login("hr")
    response = client.get(f"/reports/training?{YEAR}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book_ = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book_.worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert all(c.font.bold for c in sheet[1])
    values = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    course_a = values[world["courses"]["A"].title]
    rate = course_a[header.index("Attendance rate")]
    assert (rate.value, rate.number_format) == (0.8, "0.0%")
    cost = course_a[header.index("Cost per attendee")]
    assert (cost.value, cost.number_format) == (125, '"£"#,##0.00')
    assert course_a[header.index("Places filled")].value == 5
    assert exports()[0].changes["format"] == "xlsx"


def test_json_export(client, login, world):
    login("senior_leader")
    response = client.get(f"/reports/training-evaluation?{YEAR}&format=json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert list(document) == ["report", "parameters", "generated_at", "columns", "rows", "summary"]
    assert document["report"] == "training-evaluation"
    assert document["parameters"]["year"] == 2025
    (row,) = document["rows"]
    assert row["good_or_better_rate"] == 0.6667
    assert row["evaluations"] == 3
    assert exports()[0].changes["format"] == "json"


def test_compliance_exports_carry_the_matrix_and_the_counts(client, login, world):
    login("ld_officer")
    document = client.get("/reports/training-compliance?on=2025-10-01&format=json").get_json()
    assert document["parameters"]["on"] == "2025-10-01"
    assert document["parameters"]["window_days"] == 60
    assert document["summary"]["missing"] == 2
    assert len(document["summary"]["by_course"]) == 2
    book_ = openpyxl.load_workbook(
        io.BytesIO(client.get("/reports/training-compliance?on=2025-10-01&format=xlsx").get_data())
    )
    assert book_.sheetnames == [
        "Mandatory training compliance",
        "Compliance by course",
        "About this report",
    ]
    assert len(exports()) == 2


# --- bad parameters -------------------------------------------------------------------


def test_bad_dates_show_a_message_not_an_error(client, login, world):
    login("ld_officer")
    response = client.get("/reports/training?from=2025-06-01&to=2025-01-01")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert '<a href="#to">The end date must be on or after the start date</a>' in page
    assert 'value="2025-06-01"' in page  # what was typed is kept
    assert "<canvas" not in page

    page = text(client.get("/reports/training?from=31/02/2025&to=soon"))
    assert "The start date must be a real date" in page
    assert "The end date must be a real date" in page
    page = text(client.get("/reports/training-compliance?window=lots&team=99999"))
    assert "The warning window must be a whole number of days" in page
    assert "There is no team" in page


def test_bad_parameters_refuse_the_export(client, login, world):
    login("ld_officer")
    response = client.get("/reports/training?year=20x5&format=csv")
    assert response.status_code == 400
    assert "The year must be four digits" in text(response)
    response = client.get("/reports/training?from=2025-06-01&to=2025-01-01&format=json")
    assert response.status_code == 400
    assert response.get_json() == {
        "errors": [{"field": "to", "message": "The end date must be on or after the start date"}]
    }
    assert client.get("/reports/training?format=pdf").status_code == 400
    assert exports() == []


# --- the home page ---------------------------------------------------------------------


def test_home_page_shows_a_persons_own_gaps(client, login, db_session):
    team = builders.make_team("Delta")
    done, gap = builders.make_staff(team), builders.make_staff(team)
    course = make_course("Safeguarding level 3", refresher_months=24, mandatory_for=("5",))
    recent = make_session(course, date.today() - timedelta(days=10))
    book(recent, done, "attended")
    db.session.commit()

    login("practitioner", staff=gap)
    page = text(client.get("/"))
    assert "Your mandatory training" in page
    assert course.title in page
    assert "Missing" in page
    client.post("/logout")

    login("practitioner", staff=done)
    page = text(client.get("/"))
    assert "You are up to date with your mandatory training (1 course)." in page
    assert "Missing" not in page


def test_home_page_for_a_user_without_a_staff_record_has_no_training_section(client, login):
    login("ld_officer")
    assert "Your mandatory training" not in text(client.get("/"))


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def cli(app_ctx: Any) -> Any:
    runner = app_ctx.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(args=["report", *args])

    return invoke


def test_cli_lists_every_report(cli):
    result = cli("--list")
    assert result.exit_code == 0, result.output
    for name in ("training", "training-evaluation", "training-compliance"):
        assert re.search(rf"^{re.escape(name)}\t", result.output, re.MULTILINE)
    assert "1 April to 31 March" in result.output


def test_cli_writes_csv_to_standard_output(cli, world):
    result = cli("training", "--format", "csv", "--year", "2025", "--by", "team")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "Team"
    assert [r[0] for r in rows[1:]] == ["Alpha", "Beta"]
    (event,) = exports()
    assert event.actor_label == "command line: report training"
    assert event.actor_user_id is None
    assert event.changes["parameters"]["by"] == "team"


def test_cli_writes_json_and_xlsx_files(cli, world, tmp_path):
    target = tmp_path / "evaluation.json"
    result = cli(
        "training-evaluation",
        "--format",
        "json",
        "--from",
        "2025-04-01",
        "--to",
        "2026-03-31",
        "--team",
        "Alpha",
        "--output",
        str(target),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    assert document["parameters"]["team_name"] == "Alpha"
    assert document["rows"][0]["evaluations"] == 2

    target = tmp_path / "matrix.xlsx"
    result = cli(
        "training-compliance", "--format", "xlsx", "--on", "2025-10-01", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet.max_row == 8  # header and seven people
    assert [e.changes["format"] for e in exports()] == ["json", "xlsx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("training", "--from", "2025-06-01", "--to", "2025-01-01"),
            "The end date must be on or after",
        ),
        (("training", "--year", "2025", "--from", "2025-01-01"), "not both"),
        (("training", "--team", "Nowhere"), "There is no team 'Nowhere'"),
        (("training-compliance", "--year", "2025"), "does not take --year"),
        (("training", "--format", "xlsx"), "XLSX needs --output"),
        (("nonsense",), "There is no report called 'nonsense'"),
        ((), "Name a report"),
    ],
)
def test_cli_bad_parameters_exit_2_with_a_message(cli, world, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert exports() == []
