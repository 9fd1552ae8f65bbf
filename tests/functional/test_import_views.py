"""The web flow for importing staff: template, upload, errors or preview, confirm."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.models import AuditEvent, EmploymentSpell, Staff
from workforce.services.staff_import import COLUMNS

TOKEN = re.compile(rb'name="token" value="([0-9a-f]{32})"')


def row(number: str, **values: Any) -> dict[str, Any]:
    cells: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    cells.update(
        staff_number=number,
        first_name="Ada",
        last_name=f"Person{number}",
        work_email=f"{number.lower()}@example.org",
        qualified_social_worker="yes",
        post_title="Social worker",
        team="Alpha",
        org_role="5",
        contracted_hours="37",
        contract_type="permanent",
        start_date="2021-04-01",
    )
    cells.update(values)
    return cells


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client: Any, content: bytes, filename: str = "staff.csv") -> Any:
    return client.post(
        "/staff/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def token_of(response: Any) -> str:
    match = TOKEN.search(response.data)
    assert match, response.data[-3000:]
    return match.group(1).decode()


def counts(db_session: Any) -> tuple[int, int, int]:
    """People, spells, and audit events about people and spells (including imports)."""
    return (
        db_session.scalar(select(func.count()).select_from(Staff)),
        db_session.scalar(select(func.count()).select_from(EmploymentSpell)),
        db_session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type.in_(["Staff", "EmploymentSpell"]))
        ),
    )


def saved_uploads(app: Any) -> set[str]:
    folder = Path(app.instance_path) / "imports"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def alpha(db_session: Any) -> Any:
    return builders.make_team("Alpha")


# --------------------------------------------------------------------------- who may import


@pytest.mark.parametrize("role", ["practitioner", "supervisor", "ld_officer", "senior_leader"])
def test_other_roles_may_not_import_or_download_the_template(client, login, role, alpha):
    login(role)
    assert client.get("/staff/import").status_code == 403
    assert upload(client, csv_bytes([row("S001")])).status_code == 403
    assert client.get("/staff/import/template.csv").status_code == 403
    assert client.get("/staff/import/template.xlsx").status_code == 403
    assert client.post("/staff/import/confirm", data={"token": "0" * 32}).status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client):
    for url in ("/staff/import", "/staff/import/template.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_admin_see_the_upload_page(client, login, role):
    login(role)
    response = client.get("/staff/import")
    assert response.status_code == 200
    assert b'type="file"' in response.data
    assert b"/staff/import/template.csv" in response.data
    assert b"/staff/import/template.xlsx" in response.data
    for column in COLUMNS:
        assert column.encode() in response.data


# --------------------------------------------------------------------------- the template


def test_csv_template_downloads_with_every_column_and_an_example(client, login):
    login("hr")
    response = client.get("/staff/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "staff-import-template.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 2
    assert rows[1][0] == "E12345"


def test_xlsx_template_downloads_with_every_column_and_an_example(client, login):
    login("admin")
    response = client.get("/staff/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "staff-import-template.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Staff"
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.max_row == 2
    assert sheet["A2"].value == "E12345"
    assert sheet.freeze_panes == "A2"


def test_other_template_formats_are_not_found(client, login):
    login("hr")
    assert client.get("/staff/import/template.pdf").status_code == 404


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_downloaded_template_imports_cleanly_once_its_team_exists(
    client, login, db_session, kind
):
    login("hr")
    template = client.get(f"/staff/import/template.{kind}").data
    team = builders.make_team("Your team name")
    checked = upload(client, template, f"staff-import-template.{kind}")
    assert checked.status_code == 200
    assert b"The file is ready to import" in checked.data
    done = client.post("/staff/import/confirm", data={"token": token_of(checked)})
    assert done.status_code == 302
    person = db_session.scalars(select(Staff).where(Staff.staff_number == "E12345")).one()
    assert person.full_name == "Sam Example"
    (spell,) = db_session.scalars(
        select(EmploymentSpell).where(EmploymentSpell.staff_id == person.id)
    ).all()
    assert spell.team_id == team.id


# --------------------------------------------------------------------------- check, preview, confirm


def test_a_bad_file_lists_every_problem_and_writes_nothing(app, client, login, db_session, alpha):
    login("hr")
    before = saved_uploads(app)
    rows = [
        row("S001"),
        row("S002", work_email="nope"),
        row("S003"),
        row("S004", team="Omega", start_date="2021-02-30"),
    ]
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 200
    assert b"The file has 3 problems. Nothing has been imported." in response.data
    cells = re.findall(rb'<td class="govuk-table__cell[^"]*">([^<]*)</td>', response.data)
    table = [tuple(cells[i : i + 2]) for i in range(0, len(cells), 3)]
    assert table == [(b"3", b"work_email"), (b"5", b"start_date"), (b"5", b"team")]
    assert b"Omega" in response.data
    assert TOKEN.search(response.data) is None
    assert b'type="file"' in response.data  # the upload form is offered again
    assert counts(db_session) == (0, 0, 0)
    assert saved_uploads(app) == before


def test_a_good_file_is_previewed_without_writing_and_imported_on_confirm(
    app, client, login, db_session, alpha
):
    login("hr")
    builders.make_staff(
        alpha,
        staff_number="S001",
        first_name="Ada",
        last_name="PersonS001",
        work_email="s001@example.org",
        start=date(2021, 4, 1),
        qualified_social_worker=True,
    )
    rows = [
        row("S001", contracted_hours="30"),
        row("S002", line_manager_staff_number="S003"),
        row("S003"),
    ]
    before = counts(db_session)

    preview = upload(client, csv_bytes(rows))
    assert preview.status_code == 200
    assert b"The file is ready to import" in preview.data
    numbers = re.findall(rb'numeric">(\d+)</td>', preview.data)
    # rows, new people, people changed, new spells, spells changed, unchanged
    assert numbers == [b"3", b"2", b"0", b"2", b"1", b"0"]
    assert b"Import 3 rows" in preview.data
    db_session.expire_all()
    assert counts(db_session) == before  # nothing written by the check
    token = token_of(preview)
    assert any(token in name for name in saved_uploads(app))

    done = client.post("/staff/import/confirm", data={"token": token})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/staff")
    db_session.expire_all()
    people, spells, audit = counts(db_session)
    assert (people, spells) == (3, 3)
    assert audit == before[2] + 2 + 2 + 1 + 1  # 2 people and 2 spells created, 1 update, 1 import
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.actor_label.startswith("user")  # the signed-in HR user
    assert event.changes["source"] == "staff import (web)"
    assert not any(token in name for name in saved_uploads(app))
    page = client.get(done.headers["Location"])
    assert b"Import complete" in page.data

    # the same token cannot be used twice
    again = client.post("/staff/import/confirm", data={"token": token}, follow_redirects=True)
    assert b"expired or was already imported" in again.data
    db_session.expire_all()
    assert counts(db_session)[:2] == (3, 3)


def test_uploading_the_same_file_again_previews_no_changes(client, login, db_session, alpha):
    login("hr")
    content = csv_bytes([row("S001"), row("S002", line_manager_staff_number="S001")])
    first = upload(client, content)
    client.post("/staff/import/confirm", data={"token": token_of(first)})
    db_session.expire_all()
    before = counts(db_session)
    second = upload(client, content)
    assert re.findall(rb'numeric">(\d+)</td>', second.data) == [b"2", b"0", b"0", b"0", b"0", b"2"]
    client.post("/staff/import/confirm", data={"token": token_of(second)})
    db_session.expire_all()
    people, spells, audit = counts(db_session)
    assert (people, spells, audit) == (before[0], before[1], before[2] + 1)  # just the import event


def test_confirm_checks_the_file_again_and_writes_nothing_if_records_changed(
    client, login, db_session, alpha
):
    login("hr")
    preview = upload(client, csv_bytes([row("S001"), row("S002", work_email="shared@example.org")]))
    token = token_of(preview)
    builders.make_staff(
        alpha, staff_number="X999", work_email="shared@example.org"
    )  # someone took it
    response = client.post("/staff/import/confirm", data={"token": token}, follow_redirects=True)
    assert b"The records changed since the file was checked" in response.data
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Staff)) == 1
    assert db_session.scalars(select(Staff.staff_number)).all() == ["X999"]


def test_a_token_is_only_good_for_the_user_who_uploaded(client, login, db_session, alpha):
    login("hr")
    token = token_of(upload(client, csv_bytes([row("S001")])))
    client.post("/logout")
    login("hr")
    response = client.post("/staff/import/confirm", data={"token": token}, follow_redirects=True)
    assert b"expired or was already imported" in response.data
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Staff)) == 0


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "A" * 32, "0" * 32])
def test_bad_tokens_are_refused(client, login, db_session, token):
    login("hr")
    response = client.post("/staff/import/confirm", data={"token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert b"expired or was already imported" in response.data


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"staff_number\nS001\n", "staff.txt", b"The file must be a CSV or XLSX file"),
        (b"this is not a workbook", "staff.xlsx", b"could not be read"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(
    client, login, db_session, content, filename, message
):
    login("hr")
    response = upload(client, content, filename)
    assert response.status_code == 200
    assert message in response.data
    assert TOKEN.search(response.data) is None
    assert counts(db_session) == (0, 0, 0)


def test_an_xlsx_upload_with_date_cells_is_previewed_and_imported(client, login, db_session, alpha):
    login("hr")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    values = row(
        "S001", start_date=date(2022, 3, 14), date_of_birth=date(1990, 1, 2), contracted_hours=30
    )
    sheet.append([None if values[c] == "" else values[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(client, buffer.getvalue(), "Staff Extract.XLSX")
    assert b"The file is ready to import" in preview.data
    client.post("/staff/import/confirm", data={"token": token_of(preview)})
    person = db_session.scalars(select(Staff).where(Staff.staff_number == "S001")).one()
    assert person.date_of_birth == date(1990, 1, 2)
    assert person.spells[0].start_date == date(2022, 3, 14)


def test_the_check_and_confirm_forms_work_with_csrf_protection_on(
    app, client, login, db_session, alpha, monkeypatch
):
    login("hr")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/staff/import")
    csrf_token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    assert csrf_token, page.data
    content = csv_bytes([row("S001")])
    refused = upload(client, content)  # no CSRF token
    assert refused.status_code == 400
    preview = client.post(
        "/staff/import",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token.group(1).decode(),
            "file": (io.BytesIO(content), "staff.csv"),
        },
    )
    assert b"The file is ready to import" in preview.data
    token = token_of(preview)
    assert client.post("/staff/import/confirm", data={"token": token}).status_code == 400
    assert counts(db_session) == (0, 0, 0)
    confirm_csrf = re.search(
        rb'<form method="post" action="/staff/import/confirm">\s*'
        rb'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"',
        preview.data,
    )
    assert confirm_csrf, preview.data[-2000:]
    done = client.post(
        "/staff/import/confirm", data={"token": token, "csrf_token": confirm_csrf.group(1).decode()}
    )
    assert done.status_code == 302
    db_session.expire_all()
    assert counts(db_session)[:2] == (1, 1)


def test_unconfirmed_uploads_are_deleted_after_their_lifetime(client, login, app_ctx):
    import os
    import time
    from pathlib import Path

    login("hr")
    folder = Path(app_ctx.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stale, fresh = folder / "staff-1-stale.csv", folder / "staff-1-fresh.csv"
    stale.write_text("personal data")
    fresh.write_text("personal data")
    three_hours_ago = time.time() - 3 * 3600
    os.utime(stale, (three_hours_ago, three_hours_ago))
    assert client.get("/staff/import").status_code == 200
    assert not stale.exists() and fresh.exists()
    fresh.unlink()
