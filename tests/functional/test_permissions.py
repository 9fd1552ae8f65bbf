"""Every route checks the user's role and which records they may see, probed by direct URL.

The fixture builds a small authority: a manager with a report in Team A, a colleague
in Team A, and a stranger in Team B. Each role then asks for each page.
"""

from __future__ import annotations

import pytest

from tests import builders

ROLES = ("admin", "hr", "ld_officer", "supervisor", "practitioner", "senior_leader")
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


@pytest.fixture
def world(db_session):
    team_a, team_b = builders.make_team("Team A"), builders.make_team("Team B")
    manager = builders.make_staff(team_a, first_name="Mona", last_name="Manager")
    report = builders.make_staff(team_a, manager=manager, first_name="Rory", last_name="Report")
    stranger = builders.make_staff(team_b, first_name="Stan", last_name="Stranger")
    return {
        "team_a": team_a,
        "team_b": team_b,
        "manager": manager,
        "report": report,
        "stranger": stranger,
        "measure": _hr_measure(),
    }


def _hr_measure():
    """A performance measure HR owns, with an actual, a benchmark and an action."""
    from datetime import date
    from decimal import Decimal

    from workforce.extensions import db
    from workforce.models.performance import (
        Measure,
        MeasureAction,
        MeasureBenchmark,
        MeasureFigure,
    )

    measure = Measure(
        code="hr-measure", name="HR measure", unit="percent", polarity="higher",
        frequency="financial_year", rba_question="how_well", source="entered",
        owner_role="hr", tolerance=Decimal(5), decimals=1,
    )  # fmt: skip
    measure.figures.append(
        MeasureFigure(kind="actual", start=date(2023, 4, 1), end_on=date(2024, 3, 31), value=70)
    )
    measure.benchmarks.append(MeasureBenchmark(comparator="england", value=Decimal(65)))
    measure.actions.append(MeasureAction(description="Act", owner="Me", due_on=date(2030, 1, 1)))
    db.session.add(measure)
    db.session.commit()
    return measure


def _sign_in(client, role, world):
    # Supervisors are the manager; practitioners are the report.
    staff = {"supervisor": world["manager"], "practitioner": world["report"]}.get(role)
    user = builders.make_user(role, staff=staff)
    client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    return user


# (path template, roles allowed; everyone else gets 403)
ROLE_PAGES = [
    ("/staff/new", {"admin", "hr"}),
    ("/staff/import", {"admin", "hr"}),
    ("/staff/import/template.csv", {"admin", "hr"}),
    ("/staff/{stranger}/edit", {"admin", "hr"}),
    ("/staff/{stranger}/move", {"admin", "hr"}),
    ("/staff/{stranger}/leaver", {"admin", "hr"}),
    ("/spells/{stranger_spell}/edit", {"admin", "hr"}),
    ("/teams", {"admin", "hr", "senior_leader"}),
    ("/teams/new", {"admin", "hr"}),
    ("/teams/{team_a}/edit", {"admin", "hr"}),
    ("/admin/users", {"admin"}),
    ("/admin/users/new", {"admin"}),
    ("/admin/audit", {"admin"}),
    ("/performance/", {"admin", "hr", "ld_officer", "senior_leader"}),
    ("/performance/scorecards", {"admin", "hr", "ld_officer", "senior_leader"}),
    ("/performance/measures/{measure}", {"admin", "hr", "ld_officer", "senior_leader"}),
    ("/performance/measures/new", {"admin", "hr", "ld_officer"}),
    ("/performance/upload", {"admin", "hr", "ld_officer"}),
    ("/performance/upload/template.csv", {"admin", "hr", "ld_officer"}),
    # Changing a measure: only its owner role (HR here) and admins.
    ("/performance/measures/{measure}/edit", {"admin", "hr"}),
    ("/performance/measures/{measure}/plan", {"admin", "hr"}),
    ("/performance/measures/{measure}/commentary/new", {"admin", "hr"}),
    ("/performance/measures/{measure}/actions/new", {"admin", "hr"}),
    ("/performance/measures/{measure}/actuals/new", {"admin", "hr"}),
    ("/performance/measures/{measure}/targets/new", {"admin", "hr"}),
    ("/performance/measures/{measure}/benchmarks/new", {"admin", "hr"}),
    ("/performance/figures/{figure}/edit", {"admin", "hr"}),
    ("/performance/figures/{figure}/delete", {"admin", "hr"}),
    ("/performance/benchmarks/{benchmark}/edit", {"admin", "hr"}),
    ("/performance/benchmarks/{benchmark}/delete", {"admin", "hr"}),
    ("/performance/actions/{action}/edit", {"admin", "hr"}),
]


def _path(template, world):
    return template.format(
        stranger=world["stranger"].id,
        stranger_spell=world["stranger"].spells[0].id,
        team_a=world["team_a"].id,
        measure=world["measure"].id,
        figure=world["measure"].figures[0].id,
        benchmark=world["measure"].benchmarks[0].id,
        action=world["measure"].actions[0].id,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("template", "allowed"), ROLE_PAGES, ids=[p for p, _ in ROLE_PAGES])
def test_role_pages(client, world, role, template, allowed):
    _sign_in(client, role, world)
    response = client.get(_path(template, world))
    assert response.status_code == (OK if role in allowed else FORBIDDEN)
    if response.status_code == FORBIDDEN:
        assert "You do not have permission to see this page" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "record", "expected"),
    [
        ("admin", "stranger", OK),
        ("hr", "stranger", OK),
        ("ld_officer", "stranger", OK),
        ("senior_leader", "stranger", OK),
        ("supervisor", "report", OK),
        ("supervisor", "manager", OK),
        ("supervisor", "stranger", NOT_FOUND),
        ("practitioner", "report", OK),
        ("practitioner", "manager", NOT_FOUND),
        ("practitioner", "stranger", NOT_FOUND),
    ],
)
def test_who_may_open_a_staff_record(client, world, role, record, expected):
    _sign_in(client, role, world)
    response = client.get(f"/staff/{world[record].id}")
    assert response.status_code == expected
    if expected == NOT_FOUND:
        assert "Page not found" in response.get_data(as_text=True)


def test_missing_record_is_404_not_500(client, world):
    _sign_in(client, "admin", world)
    assert client.get("/staff/999999").status_code == NOT_FOUND
    assert client.get("/spells/999999/edit").status_code == NOT_FOUND
    assert client.get("/admin/users/999999").status_code == NOT_FOUND


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("supervisor", {"Manager, Mona", "Report, Rory"}),
        ("practitioner", {"Report, Rory"}),
        ("hr", {"Manager, Mona", "Report, Rory", "Stranger, Stan"}),
    ],
)
def test_staff_list_shows_only_visible_people(client, world, role, names):
    _sign_in(client, role, world)
    page = client.get("/staff").get_data(as_text=True)
    for name in {"Manager, Mona", "Report, Rory", "Stranger, Stan"}:
        assert (name in page) == (name in names), name


@pytest.mark.parametrize("role", ROLES)
def test_characteristics_only_for_hr_and_admin(client, world, role):
    world["report"].date_of_birth = __import__("datetime").date(1990, 5, 17)
    world["report"].ethnicity = "BAFR"
    world["report"].gender = "2"
    from workforce.extensions import db

    db.session.commit()
    _sign_in(client, role, world)
    page = client.get(f"/staff/{world['report'].id}").get_data(as_text=True)
    shown = role in {"admin", "hr"}
    assert ("17 May 1990" in page) == shown
    assert ("Black African" in page) == shown
    assert ("Date of birth" in page) == shown


def test_supervisor_sees_people_managed_through_others(client, db_session):
    team = builders.make_team("Deep")
    head = builders.make_staff(team)
    middle = builders.make_staff(builders.make_team("Middle"), manager=head)
    below = builders.make_staff(builders.make_team("Below"), manager=middle)
    user = builders.make_user("supervisor", staff=head)
    client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    assert client.get(f"/staff/{below.id}").status_code == OK


def test_supervisor_loses_sight_of_someone_who_left_their_line(client, db_session):
    from datetime import date, timedelta

    team, other = builders.make_team("Mine"), builders.make_team("Other")
    boss = builders.make_staff(team)
    gone = builders.make_staff(other, manager=boss, end=date.today() - timedelta(days=30))
    user = builders.make_user("supervisor", staff=boss)
    client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    assert client.get(f"/staff/{gone.id}").status_code == NOT_FOUND


def test_post_routes_check_roles_too(client, world):
    _sign_in(client, "practitioner", world)
    assert client.post(f"/staff/{world['stranger'].id}/leaver", data={}).status_code == FORBIDDEN
    assert client.post("/admin/users/new", data={}).status_code == FORBIDDEN
    assert client.post("/teams/new", data={}).status_code == FORBIDDEN
    measure = world["measure"]
    for path in (
        f"/performance/measures/{measure.id}/plan",
        f"/performance/actions/{measure.actions[0].id}/done",
        f"/performance/figures/{measure.figures[0].id}/delete",
        "/performance/upload/confirm",
    ):
        assert client.post(path, data={}).status_code == FORBIDDEN, path


def test_anonymous_is_sent_to_sign_in(client, world):
    for path in ("/staff", f"/staff/{world['stranger'].id}", "/admin/users", "/teams", "/me"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
