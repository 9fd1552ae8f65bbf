"""Importing an attendance register: template, upload, errors or preview, confirm; and
``flask --app wsgi import attendance FILE [--session ID]``."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent, Booking, Course, TrainingSession
from workforce.services import training_sessions as service
from workforce.services.attendance_import import COLUMNS

TOKEN = re.compile(rb'name="token" value="([0-9a-f]{32})"')


def make_session(title: str, *, days: int = -1, capacity: int = 3) -> TrainingSession:
    course = Course(
        title=title,
        provider="in_house",
        delivery_mode="workshop",
        cpd_hours=Decimal("2"),
        cost_per_place=Decimal("0"),
        active=True,
    )
    db.session.add(course)
    db.session.flush()
    start = datetime.combine(service.local_now().date() + timedelta(days=days), time(10, 0))
    session = TrainingSession(
        course_id=course.id,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        status="scheduled",
    )
    db.session.add(session)
    db.session.commit()
    return session


def csv_bytes(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def marks(db_session: Any, session: TrainingSession) -> dict[str, str | None]:
    db_session.expire_all()
    return {
        b.staff.staff_number: b.attendance
        for b in db_session.scalars(select(Booking).where(Booking.session_id == session.id))
    }


def import_events(db_session: Any) -> int:
    return db_session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
    )


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    team = builders.make_team("Team A")
    people = [
        builders.make_staff(
            team,
            staff_number=f"A{n}",
            first_name=f"Person{n}",
            last_name="Example",
            work_email=f"a{n}@example.org",
        )
        for n in range(1, 6)
    ]
    session = make_session("Triple P level 4", capacity=3)
    for person in people[:4]:  # A1-A3 booked, A4 waiting
        service.book(session, person)
    other = make_session("Solihull approach", days=5, capacity=5)
    service.book(other, people[0])
    db.session.commit()
    return {"people": people, "session": session, "other": other}


# --------------------------------------------------------------------------- the web


def upload(
    client: Any, session: TrainingSession, content: bytes, filename: str = "register.csv"
) -> Any:
    return client.post(
        f"/training/sessions/{session.id}/register/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def token_of(response: Any) -> str:
    match = TOKEN.search(response.data)
    assert match, response.data[-3000:]
    return match.group(1).decode()


def sign_in(client: Any) -> None:
    user = builders.make_user("ld_officer")
    client.post("/login", data={"email": user.email, "password": builders.PASSWORD})


def test_the_upload_page_lists_the_columns_and_template_links(client, world):
    sign_in(client)
    session = world["session"]
    page = client.get(f"/training/sessions/{session.id}/register/import")
    assert page.status_code == 200
    assert b'type="file"' in page.data
    assert f"/training/sessions/{session.id}/register/template.csv".encode() in page.data
    assert f"/training/sessions/{session.id}/register/template.xlsx".encode() in page.data
    for column in COLUMNS:
        assert column.encode() in page.data


def test_csv_template_lists_everyone_booked(client, world):
    sign_in(client)
    session = world["session"]
    response = client.get(f"/training/sessions/{session.id}/register/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"register-session-{session.id}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [
        (str(session.id), "A1", "a1@example.org", ""),
        (str(session.id), "A2", "a2@example.org", ""),
        (str(session.id), "A3", "a3@example.org", ""),
    ]


def test_xlsx_template_downloads(client, world):
    sign_in(client)
    session = world["session"]
    response = client.get(f"/training/sessions/{session.id}/register/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Register"
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.max_row == 4
    assert sheet["B2"].value == "A1"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_filled_in_template_imports(client, world, db_session, kind):
    sign_in(client)
    session = world["session"]
    template = client.get(f"/training/sessions/{session.id}/register/template.{kind}").data
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(template.decode("utf-8-sig"))))
        for row, value in zip(rows, ["attended", "Partly attended", "DNA"], strict=True):
            row["attendance"] = value
        content = csv_bytes(rows)
    else:
        book = openpyxl.load_workbook(io.BytesIO(template))
        for row, value in zip(range(2, 5), ["attended", "partial", "did_not_attend"], strict=True):
            book.active.cell(row=row, column=5, value=value)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    checked = upload(client, session, content, f"register.{kind}")
    assert b"The file is ready to import" in checked.data
    assert marks(db_session, session)["A1"] is None  # nothing written by the check
    done = client.post(
        f"/training/sessions/{session.id}/register/import/confirm",
        data={"token": token_of(checked)},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/training/sessions/{session.id}")
    assert marks(db_session, session) == {
        "A1": "attended",
        "A2": "partial",
        "A3": "did_not_attend",
        "A4": None,
    }
    # the session has ended and everyone booked is marked
    assert db_session.get(TrainingSession, session.id).status == "completed"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Register imported." in page
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.changes["source"] == "attendance import (web)"
    again = client.post(
        f"/training/sessions/{session.id}/register/import/confirm",
        data={"token": token_of(checked)},
        follow_redirects=True,
    )
    assert b"expired or was already imported" in again.data


def test_people_can_be_named_by_email_and_the_preview_counts_changes(client, world, db_session):
    session = world["session"]
    a1 = db_session.scalars(select(Booking).where(Booking.session_id == session.id)).first()
    a1.attendance = "attended"
    db_session.commit()
    sign_in(client)
    content = csv_bytes(
        [
            {"email": "A1@example.org", "attendance": "attended"},
            {"staff_number": "a2", "attendance": "attended"},
        ],
        columns=["staff_number", "email", "attendance"],
    )
    checked = upload(client, session, content)
    assert b"The file is ready to import" in checked.data
    assert re.findall(rb'numeric">(\d+)</td>', checked.data) == [b"2", b"1", b"1"]
    client.post(
        f"/training/sessions/{session.id}/register/import/confirm",
        data={"token": token_of(checked)},
    )
    assert marks(db_session, session) == {
        "A1": "attended",
        "A2": "attended",
        "A3": None,
        "A4": None,
    }
    assert db_session.get(TrainingSession, session.id).status == "scheduled"  # A3 unmarked


def test_a_file_with_bad_rows_lists_each_and_writes_nothing(app, client, world, db_session):
    session, other = world["session"], world["other"]
    sign_in(client)
    rows = [
        {"staff_number": "A1", "attendance": "attended"},  # row 2: fine
        {"staff_number": "A4", "attendance": "attended"},  # row 3: on the waiting list
        {"staff_number": "A5", "attendance": "attended"},  # row 4: not booked
        {"staff_number": "ZZZ", "attendance": "attended"},  # row 5: no such person
        {"staff_number": "A2", "attendance": "maybe"},  # row 6: bad mark
        {"staff_number": "A1", "attendance": "partial"},  # row 7: twice
        {"staff_number": "", "email": "", "attendance": "attended"},  # row 8: no person
        {"session_id": str(other.id), "staff_number": "A3", "attendance": "attended"},  # row 9
        {"staff_number": "A3", "email": "a2@example.org", "attendance": "attended"},  # row 10
    ]
    response = upload(client, session, csv_bytes(rows))
    assert response.status_code == 200
    assert b"The file has 8 problems. Nothing has been imported." in response.data
    cells = re.findall(
        r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', response.get_data(as_text=True)
    )
    table = [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    assert table == [
        ("3", "staff_number", "is on the waiting list for this session, not booked"),
        ("4", "staff_number", "is not booked on this session"),
        ("5", "staff_number", "no staff record has staff number ZZZ"),
        ("6", "attendance", "must be attended, partial or did_not_attend"),
        ("7", "staff_number", "row 2 already gives this person&#39;s attendance"),
        ("8", "staff_number", "give a staff number or an email address"),
        ("9", "session_id", f"this file is for session {session.id}, not {other.id}"),
        ("10", "email", "belongs to a different person from the staff number"),
    ]
    assert TOKEN.search(response.data) is None
    assert b'type="file"' in response.data
    assert set(marks(db_session, session).values()) == {None}
    assert import_events(db_session) == 0


def test_a_cancelled_session_register_cannot_be_imported(client, world, db_session):
    session = world["session"]
    service.cancel_session(session, "Snow")
    db_session.commit()
    sign_in(client)
    response = upload(
        client, session, csv_bytes([{"staff_number": "A1", "attendance": "attended"}])
    )
    assert b"was cancelled, so attendance cannot be recorded" in response.data
    assert TOKEN.search(response.data) is None


def test_unreadable_and_headerless_files_are_refused(client, world):
    sign_in(client)
    session = world["session"]
    wrong = upload(client, session, b"hello", "register.txt")
    assert b"The file must be a CSV or XLSX file" in wrong.data
    broken = upload(client, session, b"not a workbook", "register.xlsx")
    assert b"could not be read" in broken.data
    no_columns = upload(client, session, b"name,notes\r\nSam,x\r\n")
    assert b"column missing from the header row" in no_columns.data
    assert b"attendance, staff_number or email" in no_columns.data


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def run(app_ctx: Any) -> Any:
    runner = app_ctx.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(args=["import", "attendance", *args])

    return invoke


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path


def test_cli_imports_one_session_register(run, world, db_session, tmp_path):
    session = world["session"]
    path = write_csv(
        tmp_path / "register.csv",
        [
            {"staff_number": "A1", "attendance": "attended"},
            {"staff_number": "A2", "attendance": "attended"},
            {"staff_number": "A3", "attendance": "did_not_attend"},
        ],
    )
    result = run(str(path), "--session", str(session.id))
    assert result.exit_code == 0, result.output
    assert (
        "3 rows for 1 session: 3 attendance marks to record or change, 0 unchanged."
        in result.stdout
    )
    assert f"Sessions now completed: {session.id}" in result.stdout
    assert "Imported." in result.stdout
    assert marks(db_session, session) == {
        "A1": "attended",
        "A2": "attended",
        "A3": "did_not_attend",
        "A4": None,
    }
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.actor_label == "command line: import attendance register.csv"


def test_cli_without_session_reads_session_id_from_each_row(run, world, db_session, tmp_path):
    session, other = world["session"], world["other"]
    path = write_csv(
        tmp_path / "registers.csv",
        [
            {"session_id": str(session.id), "staff_number": "A2", "attendance": "partial"},
            {"session_id": str(other.id), "email": "a1@example.org", "attendance": "attended"},
        ],
    )
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "2 rows for 2 sessions" in result.stdout
    assert marks(db_session, session)["A2"] == "partial"
    assert marks(db_session, other) == {"A1": "attended"}


def test_cli_bad_file_exits_1_lists_every_problem_and_writes_nothing(
    run, world, db_session, tmp_path
):
    session = world["session"]
    path = write_csv(
        tmp_path / "bad.csv",
        [
            {"session_id": str(session.id), "staff_number": "A1", "attendance": "attended"},
            {"session_id": "", "staff_number": "A2", "attendance": "attended"},
            {"session_id": "999999", "staff_number": "A3", "attendance": "attended"},
            {"session_id": str(session.id), "staff_number": "A5", "attendance": ""},
        ],
    )
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "4 problem(s) found; nothing was imported:",
        "  row 3, session_id: is required",
        "  row 4, session_id: there is no session 999999",
        "  row 5, staff_number: is not booked on this session",
        "  row 5, attendance: is required",
    ]
    assert "Imported" not in result.stdout
    assert set(marks(db_session, session).values()) == {None}
    assert import_events(db_session) == 0


def test_cli_dry_run_and_missing_session_column(run, world, db_session, tmp_path):
    path = write_csv(tmp_path / "r.csv", [{"staff_number": "A1", "attendance": "attended"}])
    dry = run(str(path), "--session", str(world["session"].id), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing written." in dry.stdout
    assert marks(db_session, world["session"])["A1"] is None
    plain = tmp_path / "plain.csv"
    plain.write_text("staff_number,attendance\r\nA1,attended\r\n")
    missing = run(str(plain))
    assert missing.exit_code == 1
    assert "row 1, session_id: column missing from the header row" in missing.stderr
    unknown = run(str(path), "--session", "999999")
    assert unknown.exit_code == 1
    assert "there is no session 999999" in unknown.stderr
