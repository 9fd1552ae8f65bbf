"""Adding, editing, moving and recording leavers through the interface."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent, EmploymentSpell, Staff


def _date(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def _new_staff_form(team, **overrides):
    data = {
        "staff_number": "E100",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "work_email": "ada@example.org",
        "swe_number": "sw1234567890",
        "qualified_social_worker": "y",
        "gender": "2",
        "ethnicity": "WBRI",
        "post_title": "Social worker",
        "team_id": str(team.id),
        "org_role": "5",
        "grade": "SW2",
        "contracted_hours": "30",
        "standard_hours": "37",
        "contract_type": "permanent",
        "line_manager_number": "",
        "start_origin": "1",
        **_date("start_date", date(2024, 9, 2)),
        **_date("date_of_birth", date(1990, 5, 17)),
    }
    data.update(overrides)
    return data


def test_hr_adds_a_staff_member_with_first_post(client, login):
    login("hr")
    team = builders.make_team("Assessment")
    response = client.post("/staff/new", data=_new_staff_form(team))
    assert response.status_code == 302
    staff = db.session.scalar(select(Staff).where(Staff.staff_number == "E100"))
    assert staff.swe_number == "SW1234567890"
    assert staff.date_of_birth == date(1990, 5, 17)
    [spell] = staff.spells
    assert spell.team_id == team.id and spell.start_date == date(2024, 9, 2)
    assert str(spell.fte) == "0.810811"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in page and "0.81 FTE" in page and "Assessment" in page
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create")).all()
    assert {e.entity_type for e in created} >= {"Staff", "EmploymentSpell"}


def test_invalid_staff_form_keeps_input_and_explains(client, login):
    login("hr")
    team = builders.make_team()
    builders.make_staff(team, staff_number="DUP1")
    form = _new_staff_form(
        team,
        staff_number="DUP1",
        swe_number="SW12",
        last_name="",
        contracted_hours="60",
        start_date=["30", "2", "2024"],
    )
    response = client.post("/staff/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "2 letters followed by 10 digits" in page
    assert "Enter a last name" in page
    assert "Contracted hours must be between 0 and 48" in page
    assert "Start date must be a real date" in page
    assert 'value="Ada"' in page and 'value="ada@example.org"' in page
    assert db.session.scalar(select(Staff).where(Staff.first_name == "Ada")) is None


def test_duplicate_staff_number_is_refused_beside_the_field(client, login):
    login("hr")
    team = builders.make_team()
    builders.make_staff(team, staff_number="DUP1")
    page = client.post("/staff/new", data=_new_staff_form(team, staff_number="dup1")).get_data(
        as_text=True
    )
    assert "Another staff record already has this staff number" in page
    assert 'href="#staff_number"' in page


def test_record_a_move_closes_one_spell_and_opens_another(client, login):
    login("hr")
    old_team, new_team = builders.make_team("Old"), builders.make_team("New")
    staff = builders.make_staff(old_team, start=date(2021, 4, 1))
    move_day = date.today() - timedelta(days=10)
    response = client.post(
        f"/staff/{staff.id}/move",
        data={
            "post_title": "Senior social worker",
            "team_id": str(new_team.id),
            "org_role": "4",
            "grade": "SW3",
            "contracted_hours": "37",
            "standard_hours": "37",
            "contract_type": "permanent",
            **_date("start_date", move_day),
        },
    )
    assert response.status_code == 302
    spells = db.session.scalars(
        select(EmploymentSpell)
        .where(EmploymentSpell.staff_id == staff.id)
        .order_by(EmploymentSpell.start_date)
    ).all()
    assert [s.team_id for s in spells] == [old_team.id, new_team.id]
    assert spells[0].end_date == move_day - timedelta(days=1)
    assert spells[0].leaving_reason is None, "a move is not leaving"
    assert spells[1].start_date == move_day and spells[1].end_date is None
    update = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "update", AuditEvent.entity_type == "EmploymentSpell"
        )
    )
    assert update.changes["end_date"] == [None, (move_day - timedelta(days=1)).isoformat()]


def test_move_before_the_current_post_started_is_refused(client, login):
    login("hr")
    team = builders.make_team()
    staff = builders.make_staff(team, start=date(2023, 1, 1))
    page = client.post(
        f"/staff/{staff.id}/move",
        data={
            "post_title": "X",
            "team_id": str(team.id),
            "contracted_hours": "37",
            "standard_hours": "37",
            "contract_type": "permanent",
            **_date("start_date", date(2022, 6, 1)),
        },
    ).get_data(as_text=True)
    assert "The move must be after the current post started" in page
    assert len(db.session.get(Staff, staff.id).spells) == 1


def test_record_a_leaver_keeps_the_record(client, login):
    login("hr")
    team = builders.make_team()
    staff = builders.make_staff(team, start=date(2020, 1, 1))
    last_day = date.today() - timedelta(days=3)
    response = client.post(
        f"/staff/{staff.id}/leaver",
        data={
            **_date("end_date", last_day),
            "leaving_reason": "1",
            "leaver_destination": "3",
        },
    )
    assert response.status_code == 302
    [spell] = db.session.get(Staff, staff.id).spells
    assert (spell.end_date, spell.leaving_reason, spell.leaver_destination) == (last_day, "1", "3")
    assert "has been recorded as a leaver" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    default_list = client.get("/staff").get_data(as_text=True)
    assert staff.last_name not in default_list
    leavers = client.get("/staff?status=left").get_data(as_text=True)
    assert staff.last_name in leavers


def test_leaver_needs_a_reason_and_a_date_after_the_start(client, login):
    login("hr")
    team = builders.make_team()
    staff = builders.make_staff(team, start=date(2022, 1, 1))
    page = client.post(
        f"/staff/{staff.id}/leaver", data=_date("end_date", date(2021, 1, 1))
    ).get_data(as_text=True)
    assert "Select a reason for leaving" in page
    page = client.post(
        f"/staff/{staff.id}/leaver",
        data={**_date("end_date", date(2021, 1, 1)), "leaving_reason": "1"},
    ).get_data(as_text=True)
    assert "cannot be before the post started" in page
    assert db.session.get(Staff, staff.id).spells[0].end_date is None


def test_leavers_are_never_deleted(client, login):
    login("admin")
    staff = builders.make_staff(end=date(2023, 3, 31), leaving_reason="1")
    assert client.post(f"/staff/{staff.id}/delete").status_code in (404, 405)
    assert db.session.get(Staff, staff.id) is not None


def test_edit_details_records_before_and_after(client, login):
    login("hr")
    staff = builders.make_staff(first_name="Jon", last_name="Smith")
    response = client.post(
        f"/staff/{staff.id}/edit",
        data={
            "staff_number": staff.staff_number,
            "first_name": "Jonathan",
            "last_name": "Smith",
            "work_email": staff.work_email,
            "swe_number": "",
            "gender": "1",
            "ethnicity": "",
        },
    )
    assert response.status_code == 302
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity_type == "Staff")
    )
    assert event.changes["first_name"] == ["Jon", "Jonathan"]
    assert event.changes["gender"] == [None, "1"]
    assert event.actor_label.startswith("user")


def test_staff_list_searches_filters_sorts_and_pages(client, login, app_ctx):
    login("hr")
    a, b = builders.make_team("Alpha"), builders.make_team("Bravo")
    for i in range(30):
        builders.make_staff(
            a if i % 2 else b,
            last_name=f"Zed{i:02d}",
            contract="agency" if i % 5 == 0 else "permanent",
        )
    builders.make_staff(a, last_name="Quinn", staff_number="Q777")
    page = client.get("/staff?q=q777").get_data(as_text=True)
    assert "Quinn" in page and "Zed00" not in page
    page = client.get(f"/staff?team={b.id}&contract=agency").get_data(as_text=True)
    assert "Zed00" in page and "Zed10" in page and "Zed05" not in page and "Zed01" not in page
    page = client.get("/staff?sort=name&order=desc").get_data(as_text=True)
    assert page.index("Zed29") < page.index("Zed28")
    first = client.get("/staff").get_data(as_text=True)
    assert "Showing 1 to 25 of 31 people" in first
    second = client.get("/staff?page=2").get_data(as_text=True)
    assert "Showing 26 to 31 of 31 people" in second and "Zed29" in second
    assert "No staff match these filters." in client.get("/staff?q=nobody-like-this").get_data(
        as_text=True
    )


def test_team_add_and_duplicate_name(client, login):
    login("hr")
    assert (
        client.post(
            "/teams/new",
            data={
                "name": "Leaving Care",
                "service_area": "CSC",
                "tier_of_need": "severe",
                "active": "y",
            },
        ).status_code
        == 302
    )
    page = client.post(
        "/teams/new", data={"name": "leaving care", "service_area": "CSC", "tier_of_need": "severe"}
    ).get_data(as_text=True)
    assert "Another team already has that name" in page
    page = client.post(
        "/teams/new", data={"name": "T", "service_area": "CSC", "tier_of_need": "extreme"}
    ).get_data(as_text=True)
    assert "Not a valid choice" in page or "Select a tier" in page


def test_team_list_counts_people_in_post(client, login):
    login("hr")
    team = builders.make_team("Counted")
    builders.make_staff(team, hours="37")
    builders.make_staff(team, hours="18.5")
    builders.make_staff(team, end=date(2022, 1, 1), leaving_reason="1")
    page = client.get("/teams").get_data(as_text=True)
    row = page[page.index("Counted") :]
    assert ">2<" in row.replace(" ", "") and "1.50" in row


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("work_email", "not-an-email", "Enter an email address in the correct format"),
        ("staff_number", "has space", "Staff number must be up to 30"),
    ],
)
def test_field_rules(client, login, field, value, message):
    login("hr")
    team = builders.make_team()
    page = client.post("/staff/new", data=_new_staff_form(team, **{field: value})).get_data(
        as_text=True
    )
    assert message in page


def test_my_record_redirects_to_own_record(client, login):
    staff = builders.make_staff()
    login("practitioner", staff=staff)
    response = client.get("/me")
    assert response.headers["Location"] == f"/staff/{staff.id}"


def test_staff_export_respects_filters_visibility_and_is_audited(client, login):
    import io

    import openpyxl

    from workforce.models import AuditEvent as Event

    user = login("hr")
    team, other = builders.make_team("Exported"), builders.make_team("Not exported")
    builders.make_staff(team, last_name='=HYPERLINK("http://x")', date_of_birth=date(1980, 2, 3))
    builders.make_staff(other, last_name="Elsewhere")
    response = client.get(f"/staff?team={team.id}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text_ = response.get_data(as_text=True)
    assert "'=HYPERLINK" in text_, "formulas are neutralised"
    assert "Elsewhere" not in text_ and "Date of birth" in text_ and "1980-02-03" in text_
    event = db.session.scalar(select(Event).where(Event.action == "export"))
    assert event.actor_label == user.email and event.changes["rows"] == 1
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/staff?team={team.id}&format=xlsx").data))
    sheet = book.active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet["B2"].value.startswith("'=")


def test_staff_export_hides_characteristics_from_other_roles(client, login):
    builders.make_staff(date_of_birth=date(1980, 2, 3), ethnicity="WBRI")
    login("senior_leader")
    text_ = client.get("/staff?format=csv").get_data(as_text=True)
    assert "Date of birth" not in text_ and "1980" not in text_ and "White British" not in text_


def test_a_post_without_the_date_boxes_gets_a_message_not_a_500(client, login):
    login("hr")
    team = builders.make_team()
    form = _new_staff_form(team)
    del form["start_date"]
    response = client.post("/staff/new", data=form)
    assert response.status_code == 200
    assert "Enter the start date" in response.get_data(as_text=True)
    form["start_date"] = "2024-09-02"
    response = client.post("/staff/new", data=form)
    assert response.status_code == 200
    assert "Start date must be a real date" in response.get_data(as_text=True)


def test_staff_record_queries_do_not_grow_with_spells(client, login, app_ctx):
    from sqlalchemy import event

    from workforce.extensions import db as database

    login("hr")
    team = builders.make_team()
    managers = [builders.make_staff(team) for _ in range(4)]
    person = builders.make_staff(team, start=date(2018, 1, 1), end=date(2018, 12, 31))
    for year, manager in zip(range(2019, 2023), managers, strict=True):
        database.session.add(
            EmploymentSpell(
                staff_id=person.id,
                post_title=f"Post {year}",
                contracted_hours=37,
                standard_hours=37,
                contract_type="permanent",
                team_id=team.id,
                line_manager_id=manager.id,
                start_date=date(year, 1, 1),
                end_date=date(year, 12, 31),
            )
        )
    database.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        page = client.get(f"/staff/{person.id}").get_data(as_text=True)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert all(m.full_name in page for m in managers)
    assert len(statements) <= 12, statements
