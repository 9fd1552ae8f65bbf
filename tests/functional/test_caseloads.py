"""Caseload pages, who may use them, every refusal through the forms, the import through the
web, and the ``caseload`` report as page, CSV, XLSX, JSON and from the command line. The data
is the hand-counted world of ``tests/integration/test_caseload_report.py``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import builders
from tests.integration.test_caseload_report import ON, build_world
from workforce.extensions import db
from workforce.models import CaseloadSnapshot, CaseType, WeightingScheme

REPORT = f"/reports/caseload?on={ON.isoformat()}"


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def types() -> dict[str, int]:
    return {t.code: t.id for t in db.session.scalars(select(CaseType))}


# --- pages and who may use them ------------------------------------------------------------


def test_hr_sees_every_worker_with_points_and_rag(client, login, world):
    login("hr")
    page = text(client.get("/planning/caseloads"))
    for name in ("Worker, Alice", "Worker, Bob", "Worker, Hugo", "Worker, Erin"):
        assert name in page
    assert "Worker, Gail" not in page  # left in September 2025
    assert "govuk-tag--red" in page and "govuk-tag--orange" in page
    assert "110.0%" in page and "Over capacity" in page
    beta = text(
        client.get(f"/planning/caseloads?team={world['beta'].id}&sort=utilisation&order=desc")
    )
    assert "Worker, Alice" not in beta
    assert beta.index("Worker, Hugo") < beta.index("Worker, Dan") < beta.index("Worker, Finn")
    history = text(client.get(f"/planning/caseloads/staff/{world['alice'].id}"))
    assert "15 September 2025" in history and "1 August 2025" in history
    assert "78.00" in history and "Record a caseload" in history


def test_a_supervisor_reads_only_their_people(client, login, world):
    manager = builders.make_staff(world["alpha"], first_name="Mo", last_name="Manager")
    login("supervisor", staff=manager)
    page = text(client.get("/planning/caseloads"))
    assert "Worker, Alice" in page and "Worker, Dan" not in page
    assert "Record a caseload" not in page
    assert client.get(f"/planning/caseloads/staff/{world['alice'].id}").status_code == 200
    assert client.get(f"/planning/caseloads/staff/{world['dan'].id}").status_code == 404
    for path in ("/planning/caseloads/new", "/planning/caseloads/import",
                 f"/planning/caseloads/staff/{world['alice'].id}/new",
                 "/planning/caseloads/schemes"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    report = text(client.get(REPORT))
    assert "Worker, Alice" in report and "Worker, Dan" not in report


@pytest.mark.parametrize("role", ["practitioner", "ld_officer"])
def test_other_roles_may_not(client, login, world, role):
    login(role)
    assert client.get("/planning/caseloads").status_code == 403
    assert client.get(REPORT).status_code == 403


def test_only_admins_change_schemes_and_case_types(client, login, world):
    login("hr")
    assert client.get("/planning/caseloads/schemes").status_code == 200
    assert client.get("/planning/caseloads/case-types").status_code == 200
    scheme = db.session.scalar(select(WeightingScheme))
    assert "Start a new version" not in text(client.get("/planning/caseloads/schemes"))
    assert client.get("/planning/caseloads/schemes/new").status_code == 403
    assert client.get(f"/planning/caseloads/schemes/{scheme.id}/edit").status_code == 403
    assert client.get("/planning/caseloads/case-types/new").status_code == 403


def test_a_senior_leader_reads_but_does_not_record(client, login, world):
    scheme = db.session.scalar(select(WeightingScheme))
    login("senior_leader")
    assert "Worker, Alice" in text(client.get("/planning/caseloads"))
    assert client.get(f"/planning/caseloads/schemes/{scheme.id}").status_code == 200
    assert client.get("/planning/caseloads/new").status_code == 403


# --- entering a caseload -----------------------------------------------------------------------


def snapshot_form(on: date, staff_number: str | None = None, **counts: Any) -> dict[str, Any]:
    ids = types()
    data: dict[str, Any] = {
        "taken_on": [str(on.day), str(on.month), str(on.year)],
        "extra_points": counts.pop("extra", ""),
    }
    if staff_number is not None:
        data["staff_number"] = staff_number
    for key, value in counts.items():
        code, tier = key.rsplit("_", 1)
        data[f"count_{ids[code]}_{tier}"] = str(value)
    return data


def test_hr_records_and_changes_a_caseload(client, login, world):
    login("hr")
    alice = world["alice"]
    assert client.get("/planning/caseloads/new").status_code == 200
    response = client.post(
        "/planning/caseloads/new",
        data=snapshot_form(date(2025, 9, 22), alice.staff_number, cin_1=2, cp_3=1, extra="1.5"),
    )
    assert response.status_code == 302
    snapshot = db.session.scalar(
        select(CaseloadSnapshot).where(CaseloadSnapshot.taken_on == date(2025, 9, 22))
    )
    assert (
        snapshot is not None
        and snapshot.total_cases == 3
        and snapshot.extra_points == Decimal("1.5")
    )
    edit = f"/planning/caseloads/{snapshot.id}/edit"
    assert 'value="2"' in text(client.get(edit))
    assert client.post(edit, data=snapshot_form(date(2025, 9, 22), cin_1=4)).status_code == 302
    db.session.expire_all()
    assert db.session.get(CaseloadSnapshot, snapshot.id).total_cases == 4
    snapshot_id = snapshot.id
    delete = f"/planning/caseloads/{snapshot_id}/delete"
    assert "Remove the caseload of 22 September 2025?" in text(client.get(delete))
    assert client.post(delete).status_code == 302
    remaining = select(func.count()).where(CaseloadSnapshot.id == snapshot_id)
    assert db.session.scalar(remaining) == 0


@pytest.mark.parametrize(
    ("who", "on", "counts", "message"),
    [
        (
            "alice",
            date(2025, 9, 23),
            {"cin_1": -2},
            "Cases of Child in need, standard cannot be negative",
        ),
        ("alice", date(2031, 1, 1), {}, "The date cannot be in the future"),
        ("gail", date(2025, 9, 25), {}, "Gail Worker left on 20 September 2025"),
        ("cara", date(2024, 12, 1), {}, "Cara Worker started on 6 January 2025"),
        ("alice", date(2025, 9, 15), {}, "already has a caseload on 15 September 2025"),
        (
            "alice",
            date(2025, 9, 23),
            {"extra": "-1"},
            "Extra responsibility points cannot be negative",
        ),
        ("alice", date(2025, 9, 23), {"cin_1": "two"}, "must be a whole number"),
    ],
)
def test_every_refusal_is_shown_on_the_form(client, login, world, who, on, counts, message):
    login("hr")
    before = db.session.scalar(select(func.count()).select_from(CaseloadSnapshot))
    response = client.post(
        f"/planning/caseloads/staff/{world[who].id}/new", data=snapshot_form(on, **counts)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert db.session.scalar(select(func.count()).select_from(CaseloadSnapshot)) == before


def test_an_unknown_staff_number(client, login, world):
    login("hr")
    response = client.post("/planning/caseloads/new", data=snapshot_form(date(2025, 9, 1), "NOPE"))
    assert "There is no staff record with that staff number" in text(response)


# --- schemes and case types --------------------------------------------------------------------


def scheme_data(client: Any, path: str) -> dict[str, Any]:
    """The form's fields as the page fills them (text inputs, selects, ticked boxes)."""
    import re

    page = text(client.get(path))
    data: dict[str, Any] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="checkbox"[^>]*checked', page):
        data[name] = "y"
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', page):
        data[name] = "y"
    data.pop("csrf_token", None)
    return data


def test_an_admin_starts_a_new_version_and_is_refused_bad_ones(client, login, world):
    login("admin")
    data = scheme_data(client, "/planning/caseloads/schemes/new")
    assert data["name"] == "Default weighting scheme (new version)"
    assert data["stable_points"] == "15.00" and data["band_4_name"] == "Over capacity"
    cin = types()["cin"]
    data["effective_from"] = ["1", "4", "2020"]
    assert "already takes effect on 1 April 2020" in text(
        client.post("/planning/caseloads/schemes/new", data=data)
    )
    data["effective_from"] = ["1", "4", "2026"]
    refusals = [
        ({f"weight_{cin}_1": "-4"}, "Child in need, standard cannot be negative"),
        ({"band_2_lower": "80"}, "overlap"),
        ({"band_2_lower": "90"}, "gap from 85% to 90%"),
        ({"asye_max": "120"}, "cannot be more than the full-time maximum"),
        ({"stable_points": "lots"}, "must be a number"),
    ]
    for change, message in refusals:
        response = client.post("/planning/caseloads/schemes/new", data={**data, **change})
        assert response.status_code == 200 and message in text(response), message
    assert db.session.scalar(select(func.count()).select_from(WeightingScheme)) == 1
    response = client.post("/planning/caseloads/schemes/new", data={**data, "stable_points": "18"})
    assert response.status_code == 302
    scheme = db.session.scalar(select(WeightingScheme).where(WeightingScheme.stable_points == 18))
    assert scheme is not None and scheme.effective_from == date(2026, 4, 1)
    detail = text(client.get(f"/planning/caseloads/schemes/{scheme.id}"))
    assert "1 April 2026" in detail and "Over capacity" in detail
    edit = scheme_data(client, f"/planning/caseloads/schemes/{scheme.id}/edit")
    edit.update({"band_5_name": "", "name": "Version 2026", "effective_from": ["1", "4", "2026"]})
    assert (
        client.post(f"/planning/caseloads/schemes/{scheme.id}/edit", data=edit).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(WeightingScheme, scheme.id).name == "Version 2026"


def test_points_changed_in_the_scheme_form_reach_the_report(client, login, world):
    """Alice (15 Sep: child in need t1 x5, child protection t2 x4, looked after t1 x3) has
    78 points; at 6 points per standard child in need case instead of 4 she has 88, in the
    report and in her snapshot's stored case points."""
    login("admin")
    default = db.session.scalar(select(WeightingScheme))
    cin = types()["cin"]
    path = f"/planning/caseloads/schemes/{default.id}/edit"
    edit = scheme_data(client, path)
    edit.update({f"weight_{cin}_1": "6", "band_5_name": "", "effective_from": ["1", "4", "2020"]})
    assert client.post(path, data=edit).status_code == 302
    alice = world["alice"]
    db.session.expire_all()
    stored = db.session.scalar(
        select(CaseloadSnapshot).where(
            CaseloadSnapshot.staff_id == alice.id, CaseloadSnapshot.taken_on == date(2025, 9, 15)
        )
    )
    assert stored is not None and (stored.total_cases, stored.case_points) == (12, Decimal(73))
    login("hr")
    rows = list(
        csv.reader(io.StringIO(client.get(f"{REPORT}&format=csv").get_data().decode("utf-8-sig")))
    )
    assert next(r for r in rows if r[1] == "Worker, Alice")[7] == "88.00"


def test_an_admin_adds_renames_and_retires_a_case_type(client, login, world):
    login("admin")
    response = client.post(
        "/planning/caseloads/case-types/new", data={"label": "Private fostering", "active": "y"}
    )
    assert response.status_code == 302
    refused = client.post("/planning/caseloads/case-types/new", data={"label": "Child protection"})
    assert "There is already a case type called Child protection" in text(refused)
    added = db.session.scalar(select(CaseType).where(CaseType.code == "private_fostering"))
    response = client.post(
        f"/planning/caseloads/case-types/{added.id}/edit",
        data={"label": "Private fostering arrangement"},
    )
    assert response.status_code == 302
    page = text(client.get("/planning/caseloads/case-types"))
    assert "Private fostering arrangement" in page and "No longer in use" in page


# --- import ------------------------------------------------------------------------------------


def upload(client: Any, content: str, name: str = "caseloads.csv") -> Any:
    return client.post(
        "/planning/caseloads/import",
        data={"file": (io.BytesIO(content.encode()), name)},
        content_type="multipart/form-data",
    )


GOOD = "staff_number,date,case_type,tier,cases\n{n},2025-09-26,cin,1,4\n{n},2025-09-26,cp,2,1\n"


def confirm(client: Any, page: str) -> Any:
    import re

    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    return client.post("/planning/caseloads/import/confirm", data={"token": token})


def test_import_good_bad_and_again(client, login, world):
    login("hr")
    assert "Import caseloads" in text(client.get("/planning/caseloads/import"))
    for shape in ("counts", "cases"):
        assert client.get(f"/planning/caseloads/import/template-{shape}.csv").status_code == 200
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(f"/planning/caseloads/import/template-{shape}.xlsx").get_data())
        )
        assert book.active["A1"].value == "staff_number"
    bad = text(upload(client, "staff_number,date,case_type,tier,cases\nNOPE,2025-09-26,cin,1,-4\n"))
    assert "The file has 2 problems. Nothing has been imported." in bad
    assert "no staff record has staff number NOPE" in bad and "cannot be negative" in bad
    good = text(upload(client, GOOD.format(n=world["alice"].staff_number)))
    assert "The file is ready to import" in good
    response = confirm(client, good)
    assert response.status_code == 302
    snapshot = db.session.scalar(
        select(CaseloadSnapshot).where(CaseloadSnapshot.taken_on == date(2025, 9, 26))
    )
    assert snapshot is not None and snapshot.total_cases == 5 and snapshot.source == "import"
    again = text(upload(client, GOOD.format(n=world["alice"].staff_number)))
    assert "Caseloads unchanged" in again
    confirm(client, again)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CaseloadSnapshot)
            .where(CaseloadSnapshot.taken_on == date(2025, 9, 26))
        )
        == 1
    )
    expired = client.post("/planning/caseloads/import/confirm", data={"token": "0" * 32})
    assert expired.status_code == 302


# --- the report in every format --------------------------------------------------------------


def test_report_page_and_groupings(client, login, world):
    login("senior_leader")
    page = text(client.get(REPORT))
    assert "Caseload weighting" in page and "Worker, Hugo" in page
    team = text(client.get(f"{REPORT}&by=team"))
    assert "Alpha" in team and "12.8" in team
    assert "September 2025" in text(client.get(f"{REPORT}&by=trend"))
    assert client.get(f"{REPORT}&by=galaxy").status_code in (200, 400)
    assert "Group by one of" in text(client.get(f"{REPORT}&by=galaxy"))


def test_report_csv_json_and_xlsx_read_back(client, login, world):
    login("hr")
    rows = list(
        csv.reader(io.StringIO(client.get(f"{REPORT}&format=csv").get_data().decode("utf-8-sig")))
    )
    assert rows[0][:4] == ["Team", "Worker", "Staff number", "Snapshot date"]
    bob = next(r for r in rows if r[1] == "Worker, Bob")
    assert bob[7:12] == ["55.00", "50.00", "1.1000", "Over capacity", "Red"]
    document = client.get(f"{REPORT}&by=team&format=json").get_json()
    assert document["summary"]["average_caseload"] in ("12.6", 12.6)
    assert [r["team"] for r in document["rows"]] == ["Alpha", "Beta"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{REPORT}&format=xlsx").get_data()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Team", "Worker", "Staff number"]
    values = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    hugo = values["Worker, Hugo"]
    column = header.index("Utilisation (%)")
    assert hugo[column] == pytest.approx(1.0375)
    assert sheet.cell(row=2, column=column + 1).number_format.endswith("%")
    assert sheet.freeze_panes == "A2"
    assert "Workers by band" in book.sheetnames


def test_report_from_the_command_line(app_ctx, world, tmp_path):
    runner = app_ctx.test_cli_runner()
    target = tmp_path / "trend.json"
    result = runner.invoke(
        args=["report", "caseload", "--on", ON.isoformat(), "--by", "trend", "--format", "json",
              "--output", str(target)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    assert document["rows"][-1]["workers"] == 6
    result = runner.invoke(args=["report", "caseload", "--year", "2025"])
    assert result.exit_code == 2 and "does not take --year" in result.output
