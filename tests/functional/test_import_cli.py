"""``flask --app wsgi import staff FILE [--dry-run]``."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.models import AuditEvent, EmploymentSpell, Staff
from workforce.services.staff_import import COLUMNS


def row(number: str, **values: Any) -> dict[str, Any]:
    cells: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    cells.update(
        staff_number=number,
        first_name="Ada",
        last_name=f"Person{number}",
        work_email=f"{number.lower()}@example.org",
        qualified_social_worker="no",
        post_title="Family support worker",
        team="Alpha",
        contracted_hours="37",
        contract_type="permanent",
        start_date="2023-01-09",
    )
    cells.update(values)
    return cells


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def counts(db_session: Any) -> tuple[int, int, int]:
    db_session.expire_all()
    return (
        db_session.scalar(select(func.count()).select_from(Staff)),
        db_session.scalar(select(func.count()).select_from(EmploymentSpell)),
        db_session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type.in_(["Staff", "EmploymentSpell"]))
        ),
    )


@pytest.fixture
def run(app_ctx: Any) -> Any:
    runner = app_ctx.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(args=["import", "staff", *args])

    return invoke


@pytest.fixture
def alpha(db_session: Any) -> Any:
    return builders.make_team("Alpha")


def test_a_good_file_imports(run, db_session, alpha, tmp_path):
    path = write_csv(
        tmp_path / "hr-extract.csv",
        [
            row("S001"),
            row("S002", line_manager_staff_number="S003", start_date="09/01/2023"),
            row("S003"),
        ],
    )
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 new people, 0 people changed, 3 new spells" in result.stdout
    assert "Imported." in result.stdout
    assert result.stderr == ""
    assert counts(db_session) == (3, 3, 7)
    s002 = db_session.scalars(select(Staff).where(Staff.staff_number == "S002")).one()
    s003 = db_session.scalars(select(Staff).where(Staff.staff_number == "S003")).one()
    assert s002.spells[0].line_manager_id == s003.id
    assert s002.spells[0].start_date == date(2023, 1, 9)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.actor_label == "command line: import staff hr-extract.csv"
    assert event.actor_user_id is None
    assert event.changes == {"source": "hr-extract.csv", "rows": 3}


def test_a_bad_file_exits_1_with_every_problem_on_stderr_and_writes_nothing(
    run, db_session, alpha, tmp_path
):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            row("S001"),
            row("S002", work_email="nope"),
            row("S003"),
            row("S004", team="Omega", contracted_hours="x"),
        ],
    )
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "3 problem(s) found; nothing was imported:",
        "  row 3, work_email: Enter an email address in the correct format, like name@example.org",
        "  row 5, contracted_hours: must be a number of hours",
        "  row 5, team: no team called 'Omega'; add the team first",
    ]
    assert "Imported" not in result.stdout
    assert counts(db_session) == (0, 0, 0)


def test_dry_run_reports_and_writes_nothing(run, db_session, alpha, tmp_path):
    path = write_csv(tmp_path / "staff.csv", [row("S001"), row("S002")])
    result = run(str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 new people" in result.stdout
    assert "Dry run: nothing written." in result.stdout
    assert "Imported." not in result.stdout
    assert counts(db_session) == (0, 0, 0)

    real = run(str(path))
    assert real.exit_code == 0
    assert counts(db_session)[:2] == (2, 2)


def test_importing_the_same_file_twice_changes_nothing(run, db_session, alpha, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv", [row("S001"), row("S002", line_manager_staff_number="S001")]
    )
    assert run(str(path)).exit_code == 0
    people, spells, audit = counts(db_session)
    again = run(str(path))
    assert again.exit_code == 0
    assert (
        "0 new people, 0 people changed, 0 new spells, 0 spells changed, 2 rows unchanged"
        in again.stdout
    )
    assert counts(db_session) == (people, spells, audit + 1)  # only the import event


def test_an_xlsx_file_imports(run, db_session, alpha, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    values = row(
        "S001", start_date=date(2022, 6, 1), end_date=date(2023, 5, 31), leaving_reason="1"
    )
    sheet.append([None if values[c] == "" else values[c] for c in COLUMNS])
    book.save(tmp_path / "staff.xlsx")
    result = run(str(tmp_path / "staff.xlsx"))
    assert result.exit_code == 0, result.output
    spell = db_session.scalars(select(EmploymentSpell)).one()
    assert (spell.start_date, spell.end_date, spell.leaving_reason) == (
        date(2022, 6, 1),
        date(2023, 5, 31),
        "1",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("staff.txt", b"staff_number\nS001\n", "The file must be a CSV or XLSX file"),
        ("staff.xlsx", b"not a workbook", "could not be read"),
    ],
)
def test_unreadable_files_exit_1_with_a_message(run, db_session, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_file_is_a_usage_error(run, tmp_path):
    result = run(str(tmp_path / "nowhere.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
