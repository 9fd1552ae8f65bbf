"""The workforce-profile report on the web and the command line: HR and admins only, and
suppression of counts under 5 in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import openpyxl
import pytest

from tests.builders import make_staff, make_team

URL = "/reports/workforce-profile?on=2025-03-31&by=gender"


@pytest.fixture
def staff(db_session: Any) -> None:
    team = make_team("North")
    for _ in range(6):
        make_staff(team, gender="2", date_of_birth=date(1990, 1, 1))
    for _ in range(2):
        make_staff(team, gender="1", date_of_birth=date(1960, 1, 1))


@pytest.mark.parametrize("role", ["ld_officer", "senior_leader", "supervisor", "practitioner"])
def test_only_hr_and_admin(client: Any, login: Any, staff: None, role: str) -> None:
    login(role)
    assert client.get(URL).status_code in (403, 404)
    assert client.get(URL + "&format=csv").status_code in (403, 404)


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_page_has_the_chart_and_the_suppress_choice(
    client: Any, login: Any, staff: None, role: str
) -> None:
    login(role)
    html = client.get(URL).get_data(as_text=True)
    assert "Headcount by gender" in html
    assert 'name="suppress"' in html
    suppressed = client.get(URL + "&suppress=yes").get_data(as_text=True)
    assert "&lt;5" in suppressed
    assert "data-chart" not in suppressed
    assert "format=csv" in suppressed and "suppress=yes" in suppressed
    bad = client.get(URL + "&suppress=maybe")
    assert "Suppress small counts: yes or no" in bad.get_data(as_text=True)


def test_csv_json_and_xlsx_are_suppressed(client: Any, login: Any, staff: None) -> None:
    login("hr")
    text = client.get(URL + "&suppress=yes&format=csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Gender", "Headcount", "FTE", "Share of headcount"],
        ["Male", "<5", "", ""],
        ["Female", "6", "6.00", "0.7500"],
    ]
    document = json.loads(client.get(URL + "&suppress=yes&format=json").data)
    assert document["parameters"]["suppress"] is True
    assert document["rows"][0] == {
        "category": "Male",
        "headcount": "<5",
        "fte": None,
        "share": None,
    }
    assert document["rows"][1]["headcount"] == 6
    assert document["summary"]["headcount"] == 8
    response = client.get(URL + "&suppress=yes&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["Workforce profile"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Gender", "Headcount", "FTE", "Share of headcount"]
    assert values[1] == ["Male", "<5", None, None]
    assert values[2] == ["Female", 6, 6, 0.75]
    assert sheet.freeze_panes == "A2"
    assert sheet["D3"].number_format == "0.0%"
    plain = openpyxl.load_workbook(io.BytesIO(client.get(URL + "&format=xlsx").data))
    assert [c.value for c in plain["Workforce profile"][2]] == ["Male", 2, 2, 0.25]


def test_command_line_suppress(app: Any, staff: None) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "report",
            "workforce-profile",
            "--on",
            "2025-03-31",
            "--by",
            "age",
            "--suppress",
            "yes",
        ]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Age band,Headcount,FTE,Share of headcount"
    assert "30 to 39,6,6.00,0.7500" in lines
    assert "60 and over,<5,," in lines
    listed = runner.invoke(args=["report", "--list"])
    assert "--suppress yes|no" in listed.output
    refused = runner.invoke(args=["report", "training", "--suppress", "yes"])
    assert refused.exit_code == 2
