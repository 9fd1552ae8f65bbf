"""The staff import service: read, check (writing nothing), then upsert all or nothing.

Every test here runs on SQLite and PostgreSQL (through ``db_session``).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.models import AuditEvent, EmploymentSpell, Staff
from workforce.services.staff_import import (
    COLUMNS,
    apply_import,
    plan_import,
    read_table,
    template_frame,
)
from workforce.spreadsheets import frame_to_csv, frame_to_xlsx

# --------------------------------------------------------------------------- helpers


def row(number: str, **values: Any) -> dict[str, Any]:
    """A valid row for staff number ``number``; keyword arguments override cells."""
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
        grade="SW2",
        contracted_hours="37",
        contract_type="permanent",
        start_date="2021-04-01",
    )
    cells.update(values)
    return cells


def csv_bytes(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    """A CSV file (as an HR system writes it) with ``columns`` in the header."""
    columns = columns or list(COLUMNS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[dict[str, Any] | None]) -> bytes:
    """An XLSX file; date, datetime and number values become real typed cells; None is a blank row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for cells in rows:
        if cells is None:
            sheet.append([None] * len(COLUMNS))
            continue
        sheet.append([None if cells.get(c, "") == "" else cells[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan_for(content: bytes, filename: str = "staff.csv") -> Any:
    return plan_import(read_table(content, filename))


def import_file(db_session: Any, content: bytes, filename: str = "staff.csv") -> Any:
    """Check and import ``content``; fail the test if the file has problems."""
    plan = plan_for(content, filename)
    assert plan.errors == [], plan.errors
    apply_import(plan, source=filename)
    db_session.commit()
    return plan


def count(db_session: Any, model: Any) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def audit_count(db_session: Any, *actions: str) -> int:
    """Audit events about people and spells (the import's own event is entity type Staff)."""
    return db_session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action.in_(actions), AuditEvent.entity_type.in_(["Staff", "EmploymentSpell"])
        )
    )


def staff(db_session: Any, number: str) -> Staff:
    return db_session.scalars(select(Staff).where(Staff.staff_number == number)).one()


def spells_of(db_session: Any, number: str) -> list[EmploymentSpell]:
    person = staff(db_session, number)
    return list(
        db_session.scalars(
            select(EmploymentSpell)
            .where(EmploymentSpell.staff_id == person.id)
            .order_by(EmploymentSpell.start_date)
        )
    )


def nothing_written(db_session: Any) -> None:
    """Nothing pending, flushed or committed: no people, spells or audit rows at all."""
    assert not db_session.new
    assert not db_session.dirty
    assert not db_session.deleted
    assert count(db_session, Staff) == 0
    assert count(db_session, EmploymentSpell) == 0
    assert audit_count(db_session, "create", "update", "delete", "import") == 0


@pytest.fixture
def teams(db_session: Any) -> dict[str, Any]:
    return {name: builders.make_team(name) for name in ("Alpha", "Beta")}


# --------------------------------------------------------------------------- a good file


def test_good_csv_imports_people_and_their_spells(db_session, teams):
    rows = [
        row(
            "S001",
            first_name="Ada",
            last_name="Lovelace",
            work_email="Ada.Lovelace@Example.org",
            swe_number="sw 1234567890",
            date_of_birth="1985-06-30",
            gender="Female",
            ethnicity="White British",
            org_role="Case holder",
            contracted_hours="18.5",
            standard_hours="",
            contract_type="Fixed term",
            start_origin="1",
            start_date="2019-01-07",
            end_date="2021-03-31",
        ),
        row(
            "S001",
            first_name="Ada",
            last_name="Lovelace",
            work_email="Ada.Lovelace@Example.org",
            swe_number="sw 1234567890",
            date_of_birth="1985-06-30",
            gender="Female",
            ethnicity="White British",
            team="beta",
            post_title="Senior social worker",
            org_role="4",
            contracted_hours="37",
            standard_hours="36",
            start_date="2021-04-01",
        ),
        row(
            "S002",
            first_name="Grace",
            qualified_social_worker="no",
            org_role="",
            grade="",
            contract_type="agency",
            start_date="2022-02-14",
            end_date="2023-02-13",
            leaving_reason="Resignation",
            leaver_destination="3",
        ),
    ]
    plan = plan_for(csv_bytes(rows))
    assert plan.errors == []
    assert (plan.rows, plan.new_people, plan.new_spells) == (3, 2, 3)
    assert (plan.changed_people, plan.changed_spells, plan.unchanged) == (0, 0, 0)

    apply_import(plan, source="staff.csv")
    db_session.commit()

    assert count(db_session, Staff) == 2
    assert count(db_session, EmploymentSpell) == 3
    ada = staff(db_session, "S001")
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert ada.work_email == "ada.lovelace@example.org"
    assert ada.swe_number == "SW1234567890"
    assert ada.qualified_social_worker is True
    assert ada.date_of_birth == date(1985, 6, 30)
    assert (ada.gender, ada.ethnicity) == ("2", "WBRI")
    first, second = spells_of(db_session, "S001")
    assert (first.team_id, first.org_role, first.contract_type) == (
        teams["Alpha"].id,
        "5",
        "fixed_term",
    )
    assert (first.contracted_hours, first.standard_hours) == (Decimal("18.5"), Decimal("37"))
    assert (first.start_date, first.end_date, first.start_origin) == (
        date(2019, 1, 7),
        date(2021, 3, 31),
        "1",
    )
    assert (second.team_id, second.post_title, second.org_role) == (
        teams["Beta"].id,
        "Senior social worker",
        "4",
    )
    assert second.standard_hours == Decimal("36")
    assert second.end_date is None
    grace = staff(db_session, "S002")
    assert grace.qualified_social_worker is False
    (leaver,) = spells_of(db_session, "S002")
    assert (leaver.contract_type, leaver.org_role, leaver.grade) == ("agency", None, None)
    assert (leaver.end_date, leaver.leaving_reason, leaver.leaver_destination) == (
        date(2023, 2, 13),
        "1",
        "3",
    )

    # every new row is in the audit trail, plus one event for the import itself
    assert audit_count(db_session, "create") == 5
    (event,) = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert "staff.csv" in event.summary
    assert event.changes == {"source": "staff.csv", "rows": 3}


def test_checking_a_file_writes_nothing(db_session, teams):
    before = audit_count(db_session, "create", "update", "import")
    plan = plan_for(csv_bytes([row("S001"), row("S002", line_manager_staff_number="S001")]))
    assert plan.errors == []
    assert plan.new_people == 2
    assert not db_session.new
    assert not db_session.dirty
    assert count(db_session, Staff) == 0
    assert count(db_session, EmploymentSpell) == 0
    assert audit_count(db_session, "create", "update", "import") == before


# --------------------------------------------------------------------------- errors


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(db_session, teams):
    rows = [
        row("S001"),  # row 2: good
        row("S002", work_email="not-an-email"),  # row 3
        row("S003", first_name="", contract_type="zero hours"),  # row 4
        row("S004", team="Nowhere"),  # row 5
        row("S005", start_date="31/02/2024"),  # row 6
        row("S006"),  # row 7: good
        row("S007", gender="X", contracted_hours="lots"),  # row 8
        row("S008", swe_number="SW12", start_date="2021-04-01", end_date="2020-01-01"),  # row 9
        row("S009", line_manager_staff_number="NOPE"),  # row 10
        row("S010", qualified_social_worker="maybe", leaving_reason="1"),  # row 11
    ]
    plan = plan_for(csv_bytes(rows))
    found = [(e.row, e.column) for e in plan.errors]
    assert found == [
        (3, "work_email"),
        (4, "contract_type"),
        (4, "first_name"),
        (5, "team"),
        (6, "start_date"),
        (8, "contracted_hours"),
        (8, "gender"),
        (9, "end_date"),
        (9, "swe_number"),
        (10, "line_manager_staff_number"),
        (11, "leaving_reason"),
        (11, "qualified_social_worker"),
    ]
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(4, "first_name")] == "is required"
    assert "Nowhere" in messages[(5, "team")]
    assert "date" in messages[(6, "start_date")]
    assert "'X'" in messages[(8, "gender")]
    assert messages[(11, "leaving_reason")] == "needs an end date"

    with pytest.raises(ValueError, match="errors"):
        apply_import(plan, source="staff.csv")
    nothing_written(db_session)


def test_a_single_bad_row_stops_the_good_rows_too(db_session, teams):
    rows = [row(f"S{n:03d}") for n in range(1, 41)]
    rows[29]["contract_type"] = "casual"
    plan = plan_for(csv_bytes(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(31, "contract_type")]
    with pytest.raises(ValueError, match="errors cannot be applied"):
        apply_import(plan, source="staff.csv")
    nothing_written(db_session)


def test_problems_across_rows_are_reported(db_session, teams):
    rows = [
        row("S001", first_name="Ada"),
        row("S001", first_name="Adah", start_date="2022-01-01"),  # differs from row 2
        row("S002", work_email="s001@example.org"),  # S001's email
        row("S003", start_date="2021-04-01"),
        row("S003", start_date="01/04/2021"),  # same spell again
        row("S004", line_manager_staff_number="S004"),  # own manager
    ]
    plan = plan_for(csv_bytes(rows))
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "staff_number"),
        (4, "work_email"),
        (6, "start_date"),
        (7, "line_manager_staff_number"),
    ]
    assert "row 5" in plan.errors[2].message
    assert "own line manager" in plan.errors[3].message


def test_details_belonging_to_someone_already_in_workforce_are_refused(db_session, teams):
    builders.make_staff(
        teams["Alpha"],
        staff_number="X900",
        work_email="taken@example.org",
        swe_number="SW0000000001",
    )
    rows = [
        row("S001"),
        row("S002", work_email="TAKEN@example.org"),
        row("S003", swe_number="SW0000000001"),
    ]
    plan = plan_for(csv_bytes(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(3, "work_email"), (4, "swe_number")]
    assert all("X900" in e.message for e in plan.errors)
    assert count(db_session, Staff) == 1


def test_missing_columns_are_reported_against_the_header_row(db_session, teams):
    columns = [c for c in COLUMNS if c not in ("team", "start_date")]
    plan = plan_for(csv_bytes([row("S001")], columns=columns))
    assert [(e.row, e.column) for e in plan.errors] == [(1, "team, start_date")]
    assert "header" in plan.errors[0].message


def test_a_file_with_no_rows_is_refused(db_session, teams):
    plan = plan_for(csv_bytes([]))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "staff_number")]
    assert "no rows" in plan.errors[0].message


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"staff_number\nS001\n", "staff.txt", "must be a CSV or XLSX"),
        (b"not a workbook", "staff.xlsx", "could not be read"),
        (b"\xff\xfe\x00\x00bad", "staff.csv", "could not be read"),
        (b"", "staff.csv", "could not be read"),
    ],
)
def test_unreadable_files_are_refused_with_a_plain_message(content, filename, message):
    with pytest.raises(ValueError, match=message):
        read_table(content, filename)


def test_headers_are_matched_loosely_and_a_byte_order_mark_is_ignored(db_session, teams):
    text = csv_bytes([row("S001")]).decode()
    header, rest = text.split("\r\n", 1)
    header = ",".join(" " + c.replace("_", " ").title() + " " for c in header.split(","))
    plan = plan_for(("\ufeff" + header + "\r\n" + rest).encode("utf-8"))
    assert plan.errors == []
    assert plan.new_people == 1


def test_row_numbers_match_the_spreadsheet_when_a_csv_has_blank_lines(db_session, teams):
    lines = (
        csv_bytes([row("S001"), row("S002", work_email="bad"), row("S003")]).decode().split("\r\n")
    )
    # header, S001, (blank line), S002, (a row of empty cells), S003
    lines = [lines[0], lines[1], "", lines[2], "," * (len(COLUMNS) - 1), lines[3], ""]
    plan = plan_for("\r\n".join(lines).encode())
    assert [(e.row, e.column) for e in plan.errors] == [(4, "work_email")]


def test_row_numbers_match_the_spreadsheet_when_an_xlsx_has_blank_rows(db_session, teams):
    content = xlsx_bytes([row("S001"), None, row("S002", team="Gamma"), None, row("S003")])
    plan = plan_for(content, "staff.xlsx")
    assert [(e.row, e.column) for e in plan.errors] == [(4, "team")]
    good = plan_for(xlsx_bytes([row("S001"), None, row("S002")]), "staff.xlsx")
    assert good.errors == []
    assert (good.rows, good.new_people) == (2, 2)


# --------------------------------------------------------------------------- hours


def test_zero_contracted_hours_are_allowed_but_zero_standard_hours_are_not(db_session, teams):
    plan = plan_for(
        csv_bytes(
            [
                row("S001", contracted_hours="0", contract_type="volunteer"),
                row("S002", standard_hours="0"),
                row("S003", contracted_hours="49"),
                row("S004", contracted_hours="-1"),
            ]
        )
    )
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "standard_hours"),
        (4, "contracted_hours"),
        (5, "contracted_hours"),
    ]
    import_file(
        db_session, csv_bytes([row("S001", contracted_hours="0", contract_type="volunteer")])
    )
    (spell,) = spells_of(db_session, "S001")
    assert spell.contracted_hours == Decimal("0")


# --------------------------------------------------------------------------- dates


def test_csv_dates_in_iso_and_british_form(db_session, teams):
    import_file(
        db_session,
        csv_bytes(
            [
                row(
                    "S001",
                    date_of_birth="1990-12-25",
                    start_date="2020-09-01",
                    end_date="2021-08-31",
                ),
                row(
                    "S002",
                    date_of_birth="25/12/1990",
                    start_date="01/09/2020",
                    end_date="31/08/2021",
                ),
            ]
        ),
    )
    for number in ("S001", "S002"):
        assert staff(db_session, number).date_of_birth == date(1990, 12, 25)
        (spell,) = spells_of(db_session, number)
        assert (spell.start_date, spell.end_date) == (date(2020, 9, 1), date(2021, 8, 31))


@pytest.mark.parametrize("value", ["2020/09/01", "1 September 2020", "09-01-2020", "2020-13-01"])
def test_other_date_forms_are_refused(db_session, teams, value):
    plan = plan_for(csv_bytes([row("S001", start_date=value)]))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "start_date")]


def test_xlsx_with_real_date_and_number_cells(db_session, teams):
    content = xlsx_bytes(
        [
            row(
                "S001",
                date_of_birth=datetime(1979, 3, 4),
                start_date=datetime(2018, 5, 8),
                end_date=date(2020, 5, 7),
                contracted_hours=22.5,
                standard_hours=37,
                gender=2,
                org_role=5,
            ),
            row(
                "S001",
                date_of_birth=datetime(1979, 3, 4),
                start_date=date(2020, 5, 8),
                contracted_hours=37,
                gender=2,
                org_role=4,
                qualified_social_worker=True,
            ),
            row("1234", start_date="08/05/2020", qualified_social_worker=False),
        ]
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    sheet.cell(row=4, column=1).value = 1234  # a numeric staff number cell
    buffer = io.BytesIO()
    book.save(buffer)
    assert openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active["A4"].data_type == "n"

    import_file(db_session, buffer.getvalue(), "staff.xlsx")
    person = staff(db_session, "S001")
    assert person.date_of_birth == date(1979, 3, 4)
    assert person.gender == "2"
    first, second = spells_of(db_session, "S001")
    assert (first.start_date, first.end_date) == (date(2018, 5, 8), date(2020, 5, 7))
    assert first.contracted_hours == Decimal("22.5")
    assert first.org_role == "5"
    assert (second.start_date, second.end_date, second.org_role) == (date(2020, 5, 8), None, "4")
    numeric = staff(db_session, "1234")
    assert numeric.qualified_social_worker is False
    assert [s.start_date for s in spells_of(db_session, "1234")] == [date(2020, 5, 8)]

    # importing the same workbook again changes nothing
    again = plan_for(buffer.getvalue(), "staff.xlsx")
    assert (again.new_people, again.new_spells, again.changed_people, again.changed_spells) == (
        0,
        0,
        0,
        0,
    )
    assert again.unchanged == 3


# --------------------------------------------------------------------------- line managers


def test_line_manager_by_staff_number_in_workforce_or_later_in_the_file(db_session, teams):
    boss = builders.make_staff(teams["Alpha"], staff_number="M001")
    rows = [
        row("S001", line_manager_staff_number="S002"),  # manager appears on the next row
        row("S002", line_manager_staff_number="m001"),  # manager already in Workforce
        row("S003", line_manager_staff_number=""),
    ]
    plan = plan_for(csv_bytes(rows))
    assert plan.errors == []
    apply_import(plan, source="staff.csv")
    db_session.commit()
    (s1,) = spells_of(db_session, "S001")
    (s2,) = spells_of(db_session, "S002")
    (s3,) = spells_of(db_session, "S003")
    assert s1.line_manager_id == staff(db_session, "S002").id
    assert s2.line_manager_id == boss.id
    assert s3.line_manager_id is None


def test_changing_or_removing_a_line_manager_is_previewed_and_applied(db_session, teams):
    import_file(
        db_session,
        csv_bytes(
            [
                row("M001"),
                row("S001", line_manager_staff_number="M001"),
                row("S002", line_manager_staff_number="M001"),
            ]
        ),
    )
    rows = [
        row("M001"),
        row("M002"),
        row("S001", line_manager_staff_number=""),  # manager removed
        row("S002", line_manager_staff_number="M002"),
    ]  # manager is new in this file
    plan = plan_for(csv_bytes(rows))
    assert plan.errors == []
    assert (plan.new_people, plan.new_spells) == (1, 1)
    assert plan.changed_spells == 2
    assert plan.unchanged == 1
    apply_import(plan, source="staff.csv")
    db_session.commit()
    assert spells_of(db_session, "S001")[0].line_manager_id is None
    assert spells_of(db_session, "S002")[0].line_manager_id == staff(db_session, "M002").id


# --------------------------------------------------------------------------- upsert


def _history_rows() -> list[dict[str, Any]]:
    return [
        row("S001", line_manager_staff_number="S003", date_of_birth="1980-01-31"),
        row(
            "S002",
            start_date="2018-01-01",
            end_date="2019-12-31",
            team="Beta",
            swe_number="SW1111111111",
        ),
        row(
            "S002",
            start_date="2020-01-01",
            line_manager_staff_number="S003",
            swe_number="SW1111111111",
        ),
        row("S003", first_name="Manager", org_role="3", gender="1", ethnicity="AIND"),
        row(
            "S004",
            start_date="2015-06-01",
            end_date="2022-06-30",
            leaving_reason="5",
            leaver_destination="9",
        ),
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_importing_the_same_file_again_changes_nothing(db_session, teams, kind):
    content = csv_bytes(_history_rows()) if kind == "csv" else xlsx_bytes(_history_rows())
    filename = f"staff.{kind}"
    import_file(db_session, content, filename)
    people, spells = count(db_session, Staff), count(db_session, EmploymentSpell)
    changes = audit_count(db_session, "create", "update", "delete")
    assert (people, spells, changes) == (4, 5, 9)
    stamps = {s.id: s.updated_at for s in db_session.scalars(select(EmploymentSpell))}

    again = plan_for(content, filename)
    assert again.errors == []
    assert (again.new_people, again.changed_people, again.new_spells, again.changed_spells) == (
        0,
        0,
        0,
        0,
    )
    assert again.unchanged == 5
    apply_import(again, source=filename)
    db_session.commit()
    db_session.expire_all()

    assert count(db_session, Staff) == people
    assert count(db_session, EmploymentSpell) == spells
    assert audit_count(db_session, "create", "update", "delete") == changes
    assert audit_count(db_session, "import") == 2
    assert {s.id: s.updated_at for s in db_session.scalars(select(EmploymentSpell))} == stamps


def test_a_changed_file_updates_only_the_changed_person_and_spell(db_session, teams):
    import_file(db_session, csv_bytes(_history_rows()))
    creates = audit_count(db_session, "create")
    last_update = db_session.scalar(select(func.max(AuditEvent.id)))

    changed = _history_rows()
    changed[0]["last_name"] = "Married-Name"  # S001's personal details
    changed[2]["contracted_hours"] = "18.5"  # S002's current spell
    changed[2]["team"] = "Beta"
    changed.append(row("S005", start_date="2024-01-08"))  # a new person
    plan = plan_for(csv_bytes(changed))
    assert plan.errors == []
    assert (plan.new_people, plan.changed_people, plan.new_spells, plan.changed_spells) == (
        1,
        1,
        1,
        1,
    )
    assert plan.unchanged == 3  # S002's first spell, S003 and S004
    apply_import(plan, source="changed.csv")
    db_session.commit()

    assert count(db_session, Staff) == 5
    assert count(db_session, EmploymentSpell) == 6
    assert audit_count(db_session, "create") == creates + 2
    updates = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "update", AuditEvent.id > last_update)
        .order_by(AuditEvent.entity_type)
    ).all()
    s001 = staff(db_session, "S001")
    current = spells_of(db_session, "S002")[1]
    assert [(e.entity_type, e.entity_id) for e in updates] == [
        ("EmploymentSpell", str(current.id)),
        ("Staff", str(s001.id)),
    ]
    spell_event, staff_event = updates
    assert staff_event.changes == {"last_name": ["PersonS001", "Married-Name"]}
    assert spell_event.changes == {
        "contracted_hours": ["37", "18.5"],
        "team_id": [teams["Alpha"].id, teams["Beta"].id],
    }
    assert s001.last_name == "Married-Name"
    assert current.contracted_hours == Decimal("18.5")
    assert spells_of(db_session, "S002")[0].contracted_hours == Decimal("37")


def test_a_leaver_is_recorded_by_importing_an_end_date(db_session, teams):
    import_file(db_session, csv_bytes([row("S001")]))
    plan = plan_for(csv_bytes([row("S001", end_date="31/01/2025", leaving_reason="Retired")]))
    assert (plan.changed_spells, plan.new_spells, plan.unchanged) == (1, 0, 0)
    apply_import(plan, source="leavers.csv")
    db_session.commit()
    (spell,) = spells_of(db_session, "S001")
    assert (spell.end_date, spell.leaving_reason) == (date(2025, 1, 31), "5")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert event.changes == {"end_date": [None, "2025-01-31"], "leaving_reason": [None, "5"]}


def test_staff_numbers_match_whatever_their_case(db_session, teams):
    builders.make_staff(
        teams["Alpha"],
        staff_number="E100",
        first_name="Old",
        last_name="Name",
        work_email="e100@example.org",
        start=date(2021, 4, 1),
    )
    plan = plan_for(csv_bytes([row("e100", first_name="New", last_name="Name")]))
    assert plan.errors == []
    assert (plan.new_people, plan.changed_people) == (0, 1)
    apply_import(plan, source="staff.csv")
    db_session.commit()
    assert count(db_session, Staff) == 1
    assert staff(db_session, "E100").first_name == "New"


def test_one_file_spelling_a_staff_number_two_ways_is_one_person(db_session, teams):
    plan = plan_for(
        csv_bytes(
            [
                row("E200", start_date="2021-04-01"),
                row("e200", start_date="2023-04-01", last_name="PersonE200"),
            ]
        )
    )
    assert plan.errors == []
    assert (plan.new_people, plan.new_spells) == (1, 2)
    apply_import(plan, source="staff.csv")
    db_session.commit()
    assert count(db_session, Staff) == 1
    assert len(spells_of(db_session, "E200")) == 2


# --------------------------------------------------------------------------- the template


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_example_row_imports_once_its_team_exists(db_session, kind):
    content = (
        frame_to_csv(template_frame())
        if kind == "csv"
        else frame_to_xlsx(template_frame(), "Staff")
    )
    filename = f"template.{kind}"
    table = read_table(content, filename)
    assert list(table.columns) == list(COLUMNS)

    refused = plan_import(table)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "team")]

    team = builders.make_team("Your team name")
    plan = plan_import(read_table(content, filename))
    assert plan.errors == []
    assert (plan.rows, plan.new_people, plan.new_spells) == (1, 1, 1)
    apply_import(plan, source=filename)
    db_session.commit()
    person = staff(db_session, "E12345")
    assert (person.first_name, person.last_name, person.swe_number) == (
        "Sam",
        "Example",
        "SW1234567890",
    )
    (spell,) = spells_of(db_session, "E12345")
    assert (spell.team_id, spell.start_date, spell.contract_type) == (
        team.id,
        date(2024, 9, 2),
        "permanent",
    )
