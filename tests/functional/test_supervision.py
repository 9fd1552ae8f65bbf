"""Recording supervision through the interface: who may record and read what, the refusals
of bad input, acknowledgement, actions, and compliance on the supervisor's page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent, EmploymentSpell
from workforce.models.supervision import (
    SupervisionAction,
    SupervisionAttendee,
    SupervisionNoteVersion,
    SupervisionSession,
)

NOTE = "Reflected on a complex assessment; agreed to revisit the chronology next month."


def dated(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


@pytest.fixture
def people(db_session: Any) -> dict[str, Any]:
    builders.load_supervision_policies()
    team = builders.make_team("Assessment East")
    head = builders.make_staff(team, first_name="Hana", last_name="Head", org_role="2")
    manager = builders.make_staff(
        team, manager=head, first_name="Mona", last_name="Manager", org_role="3"
    )
    person = builders.make_staff(
        team, manager=manager, first_name="Pat", last_name="Person", start=date(2019, 4, 1)
    )
    colleague = builders.make_staff(team, manager=manager, first_name="Cal", last_name="Colleague")
    stranger = builders.make_staff(builders.make_team("Fostering"), first_name="Stan")
    return {
        "team": team,
        "head": head,
        "manager": manager,
        "person": person,
        "colleague": colleague,
        "stranger": stranger,
        "accounts": {},
    }


def as_staff(client: Any, login: Any, role: str, staff: Any, accounts: dict[int, Any]) -> None:
    """Sign in as ``staff``'s account (made on first use, with ``role``)."""
    client.post("/logout")
    user = accounts.get(staff.id)
    if user is None:
        accounts[staff.id] = login(role, staff=staff)
        return
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    assert response.status_code == 302


def session_form(*supervisees: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "supervisees": [str(s.id) for s in supervisees],
        "kind": "one_to_one",
        **dated("held_on", date.today() - timedelta(days=1)),
        "outcome": "held",
        "duration_minutes": "90",
        "elements": ["covers_decisions", "covers_wellbeing"],
        "cases_discussed": "4",
        "notes": NOTE,
        "action_1_description": "Update the chronology",
        "action_1_owner": "Pat Person",
        **dated("action_1_due", date.today() + timedelta(days=14)),
    }
    data.update(overrides)
    return data


def only_session() -> SupervisionSession:
    return db.session.scalars(select(SupervisionSession)).one()


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_supervisor_records_a_session_and_the_supervisee_leaves_the_overdue_list(
    client, login, people
):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    page = client.get("/supervision/").get_data(as_text=True)
    row = page[page.index("Pat Person") :]
    assert "Overdue" in row[: row.index("</tr>")]
    response = client.post("/supervision/sessions/new", data=session_form(people["person"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session = only_session()
    assert session.supervisor_id == people["manager"].id
    assert [a.staff_id for a in session.attendees] == [people["person"].id]
    assert session.covers_decisions and session.covers_wellbeing and not session.covers_workload
    assert session.actions[0].owner == "Pat Person"
    page = client.get("/supervision/").get_data(as_text=True)
    row = page[page.index("Pat Person") :]
    assert (
        "Within policy" in row[: row.index("</tr>")]
        or "Short of sessions" in row[: row.index("</tr>")]
    )
    assert "Overdue" not in row[: row.index("</tr>")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            dated("held_on", date.today() + timedelta(days=1)),
            "The date of the session must be today or in the past",
        ),
        ({"duration_minutes": "0"}, "more than 0 minutes and no more than 8 hours"),
        ({"duration_minutes": "481"}, "more than 0 minutes and no more than 8 hours"),
        ({"duration_minutes": ""}, "Enter how long the session lasted"),
        ({"action_1_due": ["", "", ""]}, "Action 1: enter a due date"),
        ({"outcome": "cancelled", "reason": ""}, "Give the reason the session was cancelled"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_lost(
    client, login, people, overrides, message
):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    response = client.post(
        "/supervision/sessions/new", data=session_form(people["person"], **overrides)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert NOTE in page  # nothing typed is lost
    assert count(SupervisionSession) == 0


def test_a_supervisee_who_is_not_the_supervisors_is_refused(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    response = client.post("/supervision/sessions/new", data=session_form(people["stranger"]))
    assert response.status_code == 200
    assert "You can only record supervision with people you manage" in response.get_data(
        as_text=True
    )
    assert count(SupervisionSession) == 0


def test_a_manager_above_may_supervise_and_an_admin_anyone(client, login, people):
    as_staff(client, login, "supervisor", people["head"], people["accounts"])
    assert (
        client.post("/supervision/sessions/new", data=session_form(people["person"])).status_code
        == 302
    )
    client.post("/logout")
    login("admin")
    response = client.post(
        "/supervision/sessions/new",
        data={**session_form(people["stranger"]), "supervisor": str(people["manager"].id)},
    )
    assert response.status_code == 302
    assert count(SupervisionSession) == 2


def test_one_to_one_takes_one_supervisee_and_group_several(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    response = client.post(
        "/supervision/sessions/new", data=session_form(people["person"], people["colleague"])
    )
    assert "Only group supervision has more than one supervisee" in response.get_data(as_text=True)
    response = client.post(
        "/supervision/sessions/new",
        data=session_form(people["person"], people["colleague"], kind="group"),
    )
    assert response.status_code == 302
    assert count(SupervisionAttendee) == 2


def test_a_cancelled_session_is_recorded_with_its_reason(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    response = client.post(
        "/supervision/sessions/new",
        data=session_form(
            people["person"],
            outcome="cancelled",
            reason="Supervisee on leave",
            duration_minutes="",
            action_1_description="",
            action_1_owner="",
            action_1_due=["", "", ""],
        ),
    )
    assert response.status_code == 302
    session = only_session()
    assert session.outcome == "cancelled" and session.reason == "Supervisee on leave"
    assert not session.covers_decisions


def test_notes_are_read_by_the_supervisor_the_supervisee_and_managers_above(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    session_id = only_session().id
    assert NOTE in client.get(f"/supervision/sessions/{session_id}").get_data(as_text=True)
    for roles, staff in (
        (("practitioner",), people["person"]),
        (("supervisor",), people["head"]),
    ):
        as_staff(client, login, roles[0], staff, people["accounts"])
        assert NOTE in client.get(f"/supervision/sessions/{session_id}").get_data(as_text=True)
    for roles, staff in (
        (("hr",), None),
        (("ld_officer",), None),
        (("senior_leader",), None),
        (("admin",), None),
        (("practitioner",), people["colleague"]),
    ):
        client.post("/logout")
        if staff is None:
            login(*roles)
        else:
            as_staff(client, login, roles[0], staff, people["accounts"])
        assert client.get(f"/supervision/sessions/{session_id}").status_code == 403, roles


def test_hr_sees_that_sessions_happened_but_never_the_notes(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    client.post("/logout")
    login("hr")
    page = client.get(f"/supervision/people/{people['person'].id}").get_data(as_text=True)
    assert "One-to-one" in page
    assert NOTE not in page and "Update the chronology" not in page
    events = db.session.scalars(select(AuditEvent)).all()
    assert not any(NOTE in str(e.changes) for e in events)


def test_the_supervisee_acknowledges_with_a_comment(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    session_id = only_session().id
    as_staff(client, login, "practitioner", people["person"], people["accounts"])
    page = client.get("/supervision/").get_data(as_text=True)
    assert "Records to acknowledge" in page
    response = client.post(
        f"/supervision/sessions/{session_id}/acknowledge",
        data={"comment": "I would add the workload pressure we discussed."},
    )
    assert response.status_code == 302
    attendee = db.session.scalars(select(SupervisionAttendee)).one()
    assert attendee.acknowledged_at is not None
    assert attendee.comment == "I would add the workload pressure we discussed."
    assert "Records to acknowledge" not in client.get("/supervision/").get_data(as_text=True)


def test_editing_after_acknowledgement_keeps_the_earlier_notes(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    session_id = only_session().id
    as_staff(client, login, "practitioner", people["person"], people["accounts"])
    client.post(f"/supervision/sessions/{session_id}/acknowledge", data={"comment": ""})
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    edit = session_form(people["person"], notes="Corrected: revisit the chronology in two weeks.")
    response = client.post(f"/supervision/sessions/{session_id}/edit", data=edit)
    assert response.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(SupervisionNoteVersion)).all()
    assert [v.notes for v in versions] == [NOTE]
    assert db.session.scalars(select(SupervisionAttendee)).one().acknowledged_at is None
    page = client.get(f"/supervision/sessions/{session_id}").get_data(as_text=True)
    assert "Earlier versions of the notes (1)" in page and NOTE in page
    updates = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "SupervisionSession", AuditEvent.action == "update"
        )
    ).all()
    assert updates and all(NOTE not in str(e.changes) for e in updates)


def test_only_the_supervisor_edits_and_adds_actions(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    session_id = only_session().id
    as_staff(client, login, "supervisor", people["head"], people["accounts"])
    assert client.get(f"/supervision/sessions/{session_id}/edit").status_code == 403
    assert client.get(f"/supervision/sessions/{session_id}/actions/new").status_code == 403


def test_actions_are_added_and_marked_done(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    session = only_session()
    response = client.post(
        f"/supervision/sessions/{session.id}/actions/new",
        data={
            "description": "Book the court skills course",
            "owner": "Mona Manager",
            **dated("due_date", date.today() + timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    assert count(SupervisionAction) == 2
    action = db.session.scalars(
        select(SupervisionAction).where(SupervisionAction.owner == "Mona Manager")
    ).one()
    as_staff(client, login, "practitioner", people["person"], people["accounts"])
    response = client.post(
        f"/supervision/actions/{action.id}/done", data=dated("completed_on", date.today())
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SupervisionAction, action.id).completed_on == date.today()


def test_practitioners_cannot_record(client, login, people):
    as_staff(client, login, "practitioner", people["person"], people["accounts"])
    assert client.get("/supervision/sessions/new").status_code == 403
    assert (
        client.post("/supervision/sessions/new", data=session_form(people["colleague"])).status_code
        == 403
    )


def team_row(page: str, name: str) -> list[str]:
    """The figures of the team view's first row headed ``name`` (after its service area)."""
    row = re.search(rf">{re.escape(name)}</th>(.*?)</tr>", page, re.S)
    assert row, name
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    return [re.sub(r"</?strong>", "", cell) for cell in cells if cell and not cell[0].isalpha()]


def team_names(page: str) -> list[str]:
    """The teams of the team view's table, in order (the table by team comes first)."""
    table = page.split('<h2 class="govuk-heading-m">By team</h2>', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row" class="govuk-table__header">([^<]*)</th>', table)


def test_the_team_view_shows_share_within_policy(client, login, people):
    as_staff(client, login, "supervisor", people["manager"], people["accounts"])
    client.post("/supervision/sessions/new", data=session_form(people["person"]))
    # The supervisor: the three others in her team (she manages it), one with a session
    # yesterday (short of the monthly sessions expected), two with none (overdue).
    page = client.get("/supervision/teams").get_data(as_text=True)
    assert team_row(page, "Assessment East") == ["3", "0", "0%", "2", "0.3"]
    assert "Fostering" not in page
    client.post("/logout")
    # A senior leader: everyone; the three in Assessment East without a session are overdue.
    login("senior_leader")
    page = client.get("/supervision/teams").get_data(as_text=True)
    assert team_row(page, "Assessment East") == ["4", "0", "0%", "3", "0.2"]
    assert team_row(page, "Fostering") == ["1", "0", "0%", "1", "0.0"]
    as_staff(client, login, "practitioner", people["person"], people["accounts"])
    assert client.get("/supervision/teams").status_code == 403


@pytest.fixture
def many_teams(db_session: Any) -> None:
    """Seven teams in two service areas, 14 people in post; the people of North and of
    South 1 had a session every 30 days for a year, so they alone are within policy."""
    builders.load_supervision_policies()
    teams = {}
    for name, area, people in (
        ("North", "Early help", 3),
        ("South 1", "Early help", 1),
        ("South 2", "Children's social care", 2),
        ("South 3", "Children's social care", 1),
        ("South 4", "Children's social care", 1),
        ("West", "Children's social care", 1),
        ("East", "Children's social care", 4),
    ):
        team = teams[name] = builders.make_team(name, service_area=area)
        for _ in range(people):
            builders.make_staff(team, start=date(2019, 4, 1))
    supervisor = builders.make_staff(teams["West"], start=date(2019, 4, 1), org_role="3")
    supervised = db.session.scalars(
        select(EmploymentSpell.staff_id).where(
            EmploymentSpell.team_id.in_([teams["North"].id, teams["South 1"].id])
        )
    ).all()
    for staff_id in supervised:
        for k in range(12):
            session = SupervisionSession(
                supervisor_id=supervisor.id,
                kind="one_to_one",
                held_on=date.today() - timedelta(days=1 + 30 * k),
                outcome="held",
                duration_minutes=90,
                covers_decisions=True,
                notes="Reflective discussion",
            )
            session.attendees = [SupervisionAttendee(staff_id=staff_id)]
            db.session.add(session)
    db.session.commit()


def test_the_team_view_searches_filters_sorts_and_pages(
    client, login, many_teams, app, monkeypatch
):
    login("hr")
    page = client.get("/supervision/teams").get_data(as_text=True)
    assert team_names(page) == [
        "East", "North", "South 1", "South 2", "South 3", "South 4", "West", "All teams"
    ]  # fmt: skip
    assert team_row(page, "North") == ["3", "3", "100%", "0", "12.0"]
    assert team_row(page, "East") == ["4", "0", "0%", "4", "0.0"]
    # Part of a name, in any case; the total is of the teams shown.
    page = client.get("/supervision/teams?q=sOuTh").get_data(as_text=True)
    assert team_names(page) == ["South 1", "South 2", "South 3", "South 4", "All matching teams"]
    assert team_row(page, "All matching teams")[0] == "5"
    assert "Showing 1 to 4 of 4 teams" in page
    page = client.get("/supervision/teams?service=Early+help").get_data(as_text=True)
    assert team_names(page) == ["North", "South 1", "All matching teams"]
    # The table by service area always shows every service area.
    assert team_row(page, "Children&#39;s social care")[0] == "10"
    # Sorted by a figure, ties in name order, either way.
    page = client.get("/supervision/teams?sort=people&order=desc").get_data(as_text=True)
    assert team_names(page)[:4] == ["East", "North", "South 2", "West"]
    page = client.get("/supervision/teams?sort=people&order=asc").get_data(as_text=True)
    assert team_names(page)[:4] == ["South 1", "South 3", "South 4", "South 2"]
    page = client.get("/supervision/teams?sort=within&order=desc").get_data(as_text=True)
    assert team_names(page)[:3] == ["North", "South 1", "East"]
    page = client.get("/supervision/teams?sort=within&order=asc").get_data(as_text=True)
    assert team_names(page)[-3:] == ["North", "South 1", "All teams"]
    # Paged: three to a page, the total of all the teams found on every page.
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    page = client.get("/supervision/teams?page=3").get_data(as_text=True)
    assert team_names(page) == ["West", "All teams"]
    assert team_row(page, "All teams")[:2] == ["14", "4"]
    assert "Showing 7 to 7 of 7 teams" in page
    page = client.get("/supervision/teams?q=nowhere").get_data(as_text=True)
    assert "No team matches these filters" in page and "All matching teams" not in page
    # An unknown sort is the default one.
    page = client.get("/supervision/teams?sort=nonsense&page=1").get_data(as_text=True)
    assert team_names(page) == ["East", "North", "South 1", "All teams"]
