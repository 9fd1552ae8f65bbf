"""Audits of supervision records through the interface: who may audit (a manager above the
supervisor, nobody else), the suggested grade, refusals, the sample, and who sees which
audits."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.metrics.supervision import add_months
from workforce.models.supervision import (
    CHECKLIST,
    SupervisionAction,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionSession,
)

TODAY = date.today()


def dated(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def make_session(
    supervisor: Any,
    *supervisees: Any,
    held_on: date = TODAY - timedelta(days=10),
    outcome: str = "held",
    **values: Any,
) -> SupervisionSession:
    held = outcome == "held"
    session = SupervisionSession(
        supervisor_id=supervisor.id,
        kind=values.pop("kind", "group" if len(supervisees) > 1 else "one_to_one"),
        held_on=held_on,
        outcome=outcome,
        reason=None if held else "Supervisor off sick",
        duration_minutes=values.pop("duration_minutes", 90 if held else None),
        notes=values.pop("notes", "Talked through the plan and the risks" if held else None),
        **values,
    )
    session.attendees = [SupervisionAttendee(staff_id=s.id) for s in supervisees]
    db.session.add(session)
    db.session.commit()
    return session


def make_audit(session: SupervisionSession, auditor: Any, **values: Any) -> SupervisionAudit:
    audit = SupervisionAudit(
        session_id=session.id,
        auditor_id=auditor.id,
        audited_on=values.pop("audited_on", TODAY),
        grade=values.pop("grade", "good"),
        **values,
    )
    db.session.add(audit)
    db.session.commit()
    return audit


def audits() -> int:
    return db.session.scalar(select(func.count()).select_from(SupervisionAudit)) or 0


def answers(met: int, **extra: Any) -> dict[str, Any]:
    """The checklist with the first ``met`` items answered yes, the rest no."""
    data: dict[str, Any] = {
        key: "yes" if index < met else "no" for index, key in enumerate(CHECKLIST)
    }
    data.update(dated("audited_on", TODAY))
    data["comments"] = "Clear plan; little reflection"
    data.update(extra)
    return data


def checked_grade(page: str) -> list[str]:
    return re.findall(r'name="grade" type="radio" value="([a-z_]+)" checked', page)


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    leaders = builders.make_team("Leadership")
    north = builders.make_team("Assessment North")
    south = builders.make_team("Assessment South")
    head = builders.make_staff(leaders, first_name="Hana", last_name="Head", org_role="2")
    mona = builders.make_staff(
        north, manager=head, first_name="Mona", last_name="Manager", org_role="3"
    )
    pat = builders.make_staff(north, manager=mona, first_name="Pat", last_name="Person")
    sam = builders.make_staff(north, manager=mona, first_name="Sam", last_name="Second")
    other_head = builders.make_staff(leaders, first_name="Olga", last_name="Other", org_role="2")
    bob = builders.make_staff(
        south, manager=other_head, first_name="Bob", last_name="Boss", org_role="3"
    )
    val = builders.make_staff(south, manager=bob, first_name="Val", last_name="Valid")
    session = make_session(mona, pat, cases_discussed=4, covers_wellbeing=True)
    session.actions = [
        SupervisionAction(
            description="Visit the family with the health visitor",
            owner="Pat Person",
            due_date=TODAY + timedelta(days=7),
        )
    ]
    session.attendees[0].acknowledged_at = datetime.now(UTC)
    session.attendees[0].comment = "I would like more time on the plan"
    db.session.commit()
    return {
        "leaders": leaders,
        "north": north,
        "south": south,
        "head": head,
        "mona": mona,
        "pat": pat,
        "sam": sam,
        "other_head": other_head,
        "bob": bob,
        "val": val,
        "session": session,
    }


# --- auditing a record -------------------------------------------------------------------------


def test_a_manager_above_audits_a_record_with_the_grade_suggested(client, login, world):
    session = world["session"]
    head = login("supervisor", staff=world["head"])
    page = client.get(f"/supervision/sessions/{session.id}/audit").get_data(as_text=True)
    for shown in (
        "Mona Manager",
        "Pat Person",
        "One-to-one",
        "90 minutes",
        "Wellbeing",
        "Talked through the plan and the risks",
        "Visit the family with the health visitor",
        "I would like more time on the plan",
        "Reflective discussion evident",
        "voice present",
    ):
        assert shown in page, shown
    assert 'name="grade"' not in page  # chosen once the checklist is answered
    assert f'name="audited_on" type="text" value="{TODAY.day}"' in page

    response = client.post(
        f"/supervision/sessions/{session.id}/audit", data=answers(4, suggest="Continue")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert checked_grade(page) == ["good"]
    assert "The checklist suggests Good" in page
    assert "Clear plan; little reflection" in page  # nothing typed is lost
    assert audits() == 0

    response = client.post(
        f"/supervision/sessions/{session.id}/audit",
        data=answers(4, grade="requires_improvement", submit="Save the audit"),
    )
    assert response.status_code == 302
    audit = db.session.scalars(select(SupervisionAudit)).one()
    assert response.headers["Location"].endswith(f"/supervision/audits/{audit.id}")
    assert audit.grade == "requires_improvement"  # the auditor chose another
    assert audit.auditor_id == head.id
    assert audit.audited_on == TODAY
    assert [getattr(audit, key) for key in CHECKLIST] == [True, True, True, True, False]
    assert audit.comments == "Clear plan; little reflection"

    page = client.get(f"/supervision/audits/{audit.id}").get_data(as_text=True)
    assert "Audit saved: Requires improvement" in page
    assert "4 of 5 met (suggests Good)" in page
    assert "Assessment North" in page


@pytest.mark.parametrize(
    ("met", "grade"),
    [(5, "outstanding"), (4, "good"), (3, "requires_improvement"), (2, "requires_improvement")]
    + [(1, "inadequate"), (0, "inadequate")],
)
def test_the_suggested_grade_follows_the_checklist(client, login, world, met, grade):
    login("supervisor", staff=world["head"])
    response = client.post(
        f"/supervision/sessions/{world['session'].id}/audit", data=answers(met, suggest="y")
    )
    assert checked_grade(response.get_data(as_text=True)) == [grade]


def test_asking_again_for_a_suggestion_follows_the_changed_checklist(client, login, world):
    login("supervisor", staff=world["head"])
    url = f"/supervision/sessions/{world['session'].id}/audit"
    page = client.post(url, data=answers(5, grade="inadequate", suggest="y")).get_data(as_text=True)
    assert checked_grade(page) == ["outstanding"]


@pytest.mark.parametrize(
    "who",
    ["mona", "pat", "sam", "bob", "other_head", "hr", "admin", "ld_officer", "senior_leader"],
)
def test_only_a_manager_above_the_supervisor_may_audit(client, login, world, who):
    if who in ("hr", "admin", "ld_officer", "senior_leader"):
        login(who)  # no staff record: not anyone's manager
    elif who in ("pat", "sam"):
        login("practitioner", staff=world[who])
    else:
        login("supervisor", staff=world[who])
    url = f"/supervision/sessions/{world['session'].id}/audit"
    assert client.get(url).status_code == 403
    assert client.post(url, data=answers(5, grade="good", submit="y")).status_code == 403
    assert audits() == 0


def test_a_supervisee_with_the_supervisor_role_may_not_audit_their_own_session(
    client, login, world
):
    # Sam shares Mona's team, so counts as someone who "manages" her, but attended.
    session = make_session(world["mona"], world["sam"])
    login("supervisor", staff=world["sam"])
    assert client.get(f"/supervision/sessions/{session.id}/audit").status_code == 403


def test_a_senior_leader_above_the_supervisor_may_audit(client, login, world):
    login("senior_leader", staff=world["head"])
    url = f"/supervision/sessions/{world['session'].id}/audit"
    assert client.get(url).status_code == 200
    assert client.post(url, data=answers(5, grade="good", submit="y")).status_code == 302
    assert audits() == 1


def test_a_missing_session_is_not_found(client, login, world):
    login("supervisor", staff=world["head"])
    assert client.get("/supervision/sessions/999999/audit").status_code == 404
    assert client.get("/supervision/audits/999999").status_code == 404


@pytest.mark.parametrize("outcome", ["cancelled", "rescheduled"])
def test_a_session_that_did_not_take_place_cannot_be_audited(client, login, world, outcome):
    session = make_session(world["mona"], world["sam"], outcome=outcome)
    login("supervisor", staff=world["head"])
    url = f"/supervision/sessions/{session.id}/audit"
    page = client.get(url).get_data(as_text=True)
    assert f"This session was {outcome}, so there is no record of a discussion to audit" in page
    assert 'name="reflective_discussion"' not in page
    client.post(url, data=answers(5, grade="good", submit="y"))
    assert audits() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reflective_discussion": None}, "Answer yes or no: reflective discussion evident"),
        ({"supervisee_voice": "maybe"}, "Answer yes or no"),
        ({"grade": None}, "Choose the overall grade"),
        ({"grade": "excellent"}, "Choose the overall grade: outstanding, good"),
        (dated("audited_on", TODAY + timedelta(days=1)), "must be today or in the past"),
        (dated("audited_on", TODAY - timedelta(days=11)), "on or after the date of the session"),
        ({"audited_on": ["", "", ""]}, "Enter the audit date"),
        ({"audited_on": ["31", "2", "2026"]}, "Audit date must be a real date"),
        ({"comments": "x" * 10_001}, "Field cannot be longer than 10000 characters"),
    ],
)
def test_bad_audits_are_refused_and_what_was_typed_is_kept(client, login, world, change, message):
    login("supervisor", staff=world["head"])
    data = answers(3, grade="good", submit="Save the audit", comments="Kept comment")
    data.update({k: v for k, v in change.items() if v is not None})
    for key in [k for k, v in change.items() if v is None]:
        data.pop(key)
    response = client.post(f"/supervision/sessions/{world['session'].id}/audit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page
    if "comments" not in change:
        assert "Kept comment" in page
    assert audits() == 0


def test_a_record_may_be_audited_again_and_earlier_audits_are_shown(client, login, world):
    session = world["session"]
    auditor = builders.make_user("supervisor", staff=world["head"], email="head@example.org")
    first = make_audit(session, auditor, grade="inadequate", audited_on=TODAY - timedelta(days=3))
    _sign_in(client, "head@example.org")
    page = client.get(f"/supervision/sessions/{session.id}/audit").get_data(as_text=True)
    assert "Earlier audits of this record" in page
    assert f"/supervision/audits/{first.id}" in page
    assert "Inadequate" in page
    response = client.post(
        f"/supervision/sessions/{session.id}/audit",
        data=answers(5, grade="outstanding", submit="y"),
    )
    assert response.status_code == 302
    assert audits() == 2
    second = db.session.scalars(
        select(SupervisionAudit).where(SupervisionAudit.id != first.id)
    ).one()
    page = client.get(f"/supervision/audits/{second.id}").get_data(as_text=True)
    assert "Other audits of this record" in page
    assert f"/supervision/audits/{first.id}" in page


# --- seeing audits -------------------------------------------------------------------------


@pytest.fixture
def two_audits(world: dict[str, Any]) -> dict[str, Any]:
    north_audit = make_audit(
        world["session"],
        builders.make_user("supervisor", staff=world["head"], email="head@example.org"),
        grade="good",
        comments="North comments",
    )
    south_session = make_session(world["bob"], world["val"])
    south_audit = make_audit(
        south_session,
        builders.make_user("supervisor", staff=world["other_head"], email="olga@example.org"),
        grade="inadequate",
        comments="South comments",
    )
    return {**world, "north_audit": north_audit, "south_audit": south_audit}


def _sign_in(client: Any, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": builders.PASSWORD})
    assert response.status_code == 302


def listed(client: Any, query: str = "") -> set[int]:
    page = client.get(f"/supervision/audits{query}").get_data(as_text=True)
    return {int(n) for n in re.findall(r'href="/supervision/audits/(\d+)"', page)}


def test_each_user_sees_the_audits_they_may(client, login, two_audits):
    north, south = two_audits["north_audit"].id, two_audits["south_audit"].id
    _sign_in(client, "head@example.org")  # the auditor, and a manager above Mona
    assert listed(client) == {north}
    assert client.get(f"/supervision/audits/{north}").status_code == 200
    assert client.get(f"/supervision/audits/{south}").status_code == 403
    client.post("/logout")

    login("supervisor", staff=two_audits["mona"])  # the supervisor whose record it is
    assert listed(client) == {north}
    page = client.get(f"/supervision/audits/{north}").get_data(as_text=True)
    assert "North comments" in page and "Good" in page
    assert "Audit this record again" not in page
    assert client.get(f"/supervision/audits/{south}").status_code == 403
    client.post("/logout")

    login("supervisor", staff=two_audits["bob"])
    assert listed(client) == {south}
    assert client.get(f"/supervision/audits/{north}").status_code == 403
    client.post("/logout")

    _sign_in(client, "olga@example.org")
    assert listed(client) == {south}
    client.post("/logout")


@pytest.mark.parametrize("roles", [("hr",), ("admin",), ("ld_officer",), ("practitioner",)])
def test_hr_admins_and_practitioners_may_not_see_audits(client, login, two_audits, roles):
    login(*roles)
    assert client.get("/supervision/audits").status_code == 403
    assert client.get("/supervision/audits/sample").status_code == 403
    assert client.get(f"/supervision/audits/{two_audits['north_audit'].id}").status_code == 403


def test_a_supervisee_does_not_see_audits_of_their_supervision(client, login, two_audits):
    login("practitioner", staff=two_audits["pat"])
    assert client.get(f"/supervision/audits/{two_audits['north_audit'].id}").status_code == 403


def test_the_list_filters_by_period_and_team_newest_first(client, login, world):
    auditor = builders.make_user("supervisor", staff=world["head"], email="head@example.org")
    old = make_audit(world["session"], auditor, audited_on=TODAY - timedelta(days=5))
    newer = make_audit(world["session"], auditor, audited_on=TODAY - timedelta(days=1))
    # Mona moved to Assessment South five days ago: her earlier sessions stay North ones.
    early = make_session(world["mona"], world["pat"], held_on=TODAY - timedelta(days=40))
    spell = world["mona"].spells[0]
    spell.end_date = TODAY - timedelta(days=6)
    db.session.flush()
    from workforce.models import EmploymentSpell

    db.session.add(
        EmploymentSpell(
            staff_id=world["mona"].id,
            post_title="Team manager",
            org_role="3",
            grade="M1",
            contracted_hours=37,
            standard_hours=37,
            contract_type="permanent",
            team_id=world["south"].id,
            line_manager_id=world["head"].id,
            start_date=TODAY - timedelta(days=5),
        )
    )
    db.session.commit()
    recent = make_session(world["mona"], world["pat"], held_on=TODAY - timedelta(days=2))
    early_audit = make_audit(early, auditor, audited_on=TODAY - timedelta(days=20))
    south_audit = make_audit(recent, auditor, audited_on=TODAY)
    _sign_in(client, "head@example.org")

    page = client.get("/supervision/audits").get_data(as_text=True)
    order = [int(n) for n in re.findall(r'href="/supervision/audits/(\d+)"', page)]
    assert order == [south_audit.id, newer.id, old.id, early_audit.id]
    assert "Showing 1 to 4 of 4 audits" in page

    north, south = world["north"].id, world["south"].id
    assert listed(client, f"?team={north}") == {old.id, newer.id, early_audit.id}
    assert listed(client, f"?team={south}") == {south_audit.id}
    start, end = (TODAY - timedelta(days=6)).isoformat(), (TODAY - timedelta(days=1)).isoformat()
    assert listed(client, f"?from={start}&to={end}") == {old.id, newer.id}
    assert listed(client, f"?from={start}&to={end}&team={south}") == set()
    page = client.get(f"/supervision/audits?from={start}&to={end}&team={south}").get_data(
        as_text=True
    )
    assert "No audits match these filters" in page
    page = client.get("/supervision/audits?from=2026-02-31").get_data(as_text=True)
    assert "Enter the first date as a real date" in page
    page = client.get(f"/supervision/audits?from={end}&to={start}").get_data(as_text=True)
    assert "The last date must be on or after the first date" in page


def test_the_list_is_paginated(client, login, world, app):
    auditor = builders.make_user("supervisor", staff=world["head"], email="head@example.org")
    made = [
        make_audit(world["session"], auditor, audited_on=TODAY - timedelta(days=n))
        for n in range(3)
    ]
    _sign_in(client, "head@example.org")
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2
    try:
        assert listed(client) == {made[0].id, made[1].id}
        assert listed(client, "?page=2") == {made[2].id}
    finally:
        app.config["PAGE_SIZE"] = size


def test_the_empty_list_invites_a_sample(client, login, world):
    login("supervisor", staff=world["head"])
    page = client.get("/supervision/audits").get_data(as_text=True)
    assert "There are no audits to show yet" in page
    assert 'href="/supervision/audits/sample"' in page


# --- the sample -------------------------------------------------------------------------------


def sampled(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/supervision/sessions/(\d+)/audit"', page)}


def draw(client: Any, **params: Any) -> tuple[str, str]:
    """Draw a sample; returns the page and the address with its seed."""
    response = client.get("/supervision/audits/sample", query_string={"size": "5", **params})
    if response.status_code == 302:
        location = response.headers["Location"]
        response = client.get(location)
    else:
        location = ""
    assert response.status_code == 200
    return response.get_data(as_text=True), location


def test_the_sample_holds_only_unaudited_held_sessions_of_supervisors_managed(client, login, world):
    mona, pat, sam, head = world["mona"], world["pat"], world["sam"], world["head"]
    wanted = {
        world["session"].id,
        make_session(mona, sam, held_on=TODAY - timedelta(days=40)).id,
        make_session(mona, pat, sam, held_on=TODAY - timedelta(days=1)).id,
    }
    make_session(mona, sam, outcome="cancelled")
    make_session(mona, pat, held_on=add_months(TODAY, -4))  # before the range
    audited = make_session(mona, pat, held_on=TODAY - timedelta(days=3))
    make_audit(audited, builders.make_user("supervisor", staff=head, email="head@example.org"))
    make_session(world["bob"], world["val"])  # a supervisor Hana does not manage
    make_session(head, mona)  # Hana's own session
    _sign_in(client, "head@example.org")

    page = client.get("/supervision/audits/sample").get_data(as_text=True)
    assert "How the sample is drawn" in page
    assert f'value="{add_months(TODAY, -3).isoformat()}"' in page
    assert 'id="size" name="size" type="text" inputmode="numeric" spellcheck="false" value="5"' in (
        page
    )
    page, location = draw(client, size="50")
    seed = parse_qs(urlparse(location).query)["seed"][0]
    assert f"Sample {seed}" in page
    assert sampled(page) == wanted
    assert "3 of 3 records not yet audited" in page


def test_the_sample_is_random_but_repeatable_with_its_seed(client, login, world):
    for days in range(1, 13):
        make_session(world["mona"], world["pat"], held_on=TODAY - timedelta(days=days))
    login("supervisor", staff=world["head"])
    page, location = draw(client, size="4")
    first = sampled(page)
    assert len(first) == 4
    assert "4 of 13 records not yet audited" in page
    assert sampled(client.get(location).get_data(as_text=True)) == first
    seeds = {parse_qs(urlparse(draw(client, size="4")[1]).query)["seed"][0] for _ in range(5)}
    samples = {
        frozenset(
            sampled(
                client.get(f"/supervision/audits/sample?size=4&seed={seed}").get_data(as_text=True)
            )
        )
        for seed in seeds
    }
    assert len(samples) > 1  # 13 choose 4 is 715: five seeds all alike would be a broken draw


def test_a_record_audited_since_drops_out_and_the_rest_stay(client, login, world):
    for days in range(1, 9):
        make_session(world["mona"], world["pat"], held_on=TODAY - timedelta(days=days))
    head = login("supervisor", staff=world["head"])
    page, location = draw(client, size="3")
    first = sampled(page)
    gone = min(first)
    make_audit(db.session.get(SupervisionSession, gone), head)
    again = sampled(client.get(location).get_data(as_text=True))
    assert len(again) == 3
    assert first - {gone} < again and gone not in again


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"size": "0"}, "The number of records must be between 1 and 50"),
        ({"size": "51"}, "The number of records must be between 1 and 50"),
        ({"size": "five"}, "The number of records must be a whole number from 1 to 50"),
        ({"from": "2026-13-01"}, "Enter the first date as a real date"),
        (
            {"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()},
            "The last date must be on or after the first date",
        ),
    ],
)
def test_a_bad_sample_is_refused_with_a_message(client, login, world, params, message):
    login("supervisor", staff=world["head"])
    page, _ = draw(client, **params)
    assert message in page
    assert "There is a problem" in page
    assert sampled(page) == set()


def test_a_sample_with_nothing_to_audit_says_so(client, login, world):
    login("supervisor", staff=world["bob"])
    page, _ = draw(client)
    assert "There are no records to audit" in page
    assert sampled(page) == set()
