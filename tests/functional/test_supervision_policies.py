"""Supervision policies through the interface: who may read and change them, every
refusal of a bad policy, the people-in-post column, and changing a policy's stages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests import builders
from workforce.extensions import db
from workforce.models.supervision import SupervisionPolicy, SupervisionPolicyStage


def policy(name: str) -> SupervisionPolicy:
    return db.session.scalars(select(SupervisionPolicy).where(SupervisionPolicy.name == name)).one()


def stages(item: SupervisionPolicy) -> list[tuple[int, int, str]]:
    return [(s.from_week, s.every, s.unit) for s in item.stages]


def form(
    name: str = "Team managers",
    stage_rows: list[tuple[Any, Any, Any]] | None = None,
    **values: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "post_title": "",
        "org_role": "3",
        "grade": "",
        "min_minutes": "90",
        "active": "y",
    }
    rows = stage_rows if stage_rows is not None else [(0, 1, "month")]
    for number, (from_week, every, unit) in enumerate(rows, start=1):
        data[f"stage_{number}_from_week"] = str(from_week)
        data[f"stage_{number}_every"] = str(every)
        data[f"stage_{number}_unit"] = unit
    for key, value in values.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def count_policies() -> int:
    return db.session.scalar(select(func.count()).select_from(SupervisionPolicy)) or 0


@pytest.fixture
def shipped(db_session: Any) -> None:
    builders.load_supervision_policies()


# --- who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "read", "change"),
    [
        (("admin",), 200, 200),
        (("hr",), 200, 200),
        (("ld_officer",), 200, 403),
        (("senior_leader",), 200, 403),
        (("supervisor",), 200, 403),
        (("practitioner",), 403, 403),
    ],
)
def test_who_may_read_and_change_policies(client, login, shipped, roles, read, change):
    login(*roles)
    monthly = policy("Monthly supervision (everyone)")
    assert client.get("/supervision/policies").status_code == read
    assert client.get("/supervision/policies/new").status_code == change
    assert client.get(f"/supervision/policies/{monthly.id}/edit").status_code == change
    response = client.post("/supervision/policies/new", data=form())
    assert response.status_code == (302 if change == 200 else 403)
    assert count_policies() == (3 if change == 200 else 2)
    if read == 200:
        page = client.get("/supervision/policies").get_data(as_text=True)
        assert ("Add a policy" in page) == (change == 200)
        assert (f"/supervision/policies/{monthly.id}/edit" in page) == (change == 200)


def test_signed_out_people_are_sent_to_sign_in(client, shipped):
    response = client.get("/supervision/policies")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_missing_policy_is_not_found(client, login, shipped):
    login("hr")
    assert client.get("/supervision/policies/999999/edit").status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_the_list_describes_each_policy_and_counts_people_in_post(client, login, shipped):
    team = builders.make_team("Assessment North")
    manager = builders.make_staff(team, first_name="Mona", org_role="3")
    for _ in range(3):
        builders.make_staff(team, manager=manager)
    newly_qualified = builders.make_staff(
        team, manager=manager, start=date.today() - timedelta(days=60)
    )
    newly_qualified.spells[0].start_origin = "1"
    builders.make_staff(team, start=date(2019, 1, 1), end=date(2020, 1, 1))  # a leaver
    db.session.add(
        SupervisionPolicy(
            name="Old fortnightly",
            active=False,
            min_minutes=60,
            stages=[SupervisionPolicyStage(from_week=0, every=2, unit="week")],
        )
    )
    db.session.commit()
    login("supervisor")

    page = client.get("/supervision/policies").get_data(as_text=True)
    in_use, _, not_in_use = page.partition("Not in use")
    assert "Monthly supervision (everyone)" in in_use
    assert "The default: anyone no other policy matches" in in_use
    assert "Monthly from the start" in in_use
    assert "ASYE supervision" in in_use
    assert "People in their ASYE" in in_use
    assert "Weekly from the start; fortnightly from week 6; monthly from week 26" in in_use
    assert "90 minutes" in in_use
    counts = rows_and_counts(in_use)
    assert counts == {"Monthly supervision (everyone)": "4", "ASYE supervision": "1"}
    assert "Old fortnightly" not in in_use
    assert "Old fortnightly" in not_in_use
    assert "Fortnightly from the start" in not_in_use
    assert "match no supervision policy" not in page


def rows_and_counts(html: str) -> dict[str, str]:
    """Policy name → the 'people in post' cell, read from the table rows."""
    import re

    out = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td class=\"govuk-table__cell[^\"]*\">(.*?)</td>", row, re.S)
        if len(cells) >= 5:
            out[cells[0].strip()] = cells[4].strip()
    return out


def test_people_no_policy_matches_are_counted_and_warned_about(client, login, db_session):
    db.session.add(
        SupervisionPolicy(
            name="Team managers",
            org_role="3",
            stages=[SupervisionPolicyStage(from_week=0, every=1, unit="month")],
        )
    )
    db.session.commit()
    team = builders.make_team()
    builders.make_staff(team, org_role="3")
    builders.make_staff(team)
    builders.make_staff(team)
    login("hr")
    page = client.get("/supervision/policies").get_data(as_text=True)
    assert "2 people in post match no supervision policy" in page
    assert rows_and_counts(page) == {"Team managers": "1"}
    assert "role " in page


def test_the_people_count_takes_a_fixed_number_of_queries(client, login, shipped):
    login("hr")
    team = builders.make_team()
    few = _queries(client, "/supervision/policies")
    for _ in range(6):
        builders.make_staff(team)
    assert _queries(client, "/supervision/policies") == few
    assert (
        rows_and_counts(client.get("/supervision/policies").get_data(as_text=True))[
            "Monthly supervision (everyone)"
        ]
        == "6"
    )


def _queries(client: Any, path: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_empty_state_invites_hr_to_add_a_policy(client, login, db_session):
    login("hr")
    page = client.get("/supervision/policies").get_data(as_text=True)
    assert "There are no supervision policies in use" in page
    assert 'href="/supervision/policies/new"' in page


# --- adding and changing -------------------------------------------------------------------


def test_hr_adds_a_policy_for_a_post_and_it_counts_its_people(client, login, shipped):
    team = builders.make_team()
    builders.make_staff(team, org_role="3")
    builders.make_staff(team)
    login("hr")
    page = client.get("/supervision/policies/new").get_data(as_text=True)
    assert 'name="stage_4_every"' in page
    response = client.post(
        "/supervision/policies/new",
        data=form(
            "Team managers, six-weekly",
            [(0, 6, "week"), ("", "", "")],
            org_role="3",
            grade="  ",
            post_title="",
            min_minutes="60",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/supervision/policies")
    saved = policy("Team managers, six-weekly")
    assert (saved.org_role, saved.grade, saved.post_title, saved.min_minutes) == (
        "3",
        None,
        None,
        60,
    )
    assert saved.active and not saved.applies_to_asye
    assert stages(saved) == [(0, 6, "week")]
    page = client.get("/supervision/policies").get_data(as_text=True)
    assert "Supervision policy Team managers, six-weekly saved" in page
    assert "Every 6 weeks from the start" in page
    counts = rows_and_counts(page)
    assert counts["Team managers, six-weekly"] == "1"
    assert counts["Monthly supervision (everyone)"] == "1"


def test_editing_stages_replaces_them_and_can_reuse_a_starting_week(client, login, shipped):
    asye = policy("ASYE supervision")
    login("hr")
    page = client.get(f"/supervision/policies/{asye.id}/edit").get_data(as_text=True)
    assert 'name="stage_3_from_week" type="text" value="26"' in page
    assert 'name="applies_to_asye" type="checkbox" value="y" checked' in page
    response = client.post(
        f"/supervision/policies/{asye.id}/edit",
        data=form(
            "ASYE supervision",
            [(0, 1, "week"), (4, 2, "week"), (6, 3, "week"), (26, 1, "month")],
            applies_to_asye="y",
            org_role="",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert stages(policy("ASYE supervision")) == [
        (0, 1, "week"),
        (4, 2, "week"),
        (6, 3, "week"),
        (26, 1, "month"),
    ]
    response = client.post(
        f"/supervision/policies/{asye.id}/edit",
        data=form(
            "ASYE supervision", [(0, 2, "week")], applies_to_asye="y", min_minutes="75", org_role=""
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = policy("ASYE supervision")
    assert stages(changed) == [(0, 2, "week")]
    assert changed.min_minutes == 75
    assert db.session.scalar(select(func.count()).select_from(SupervisionPolicyStage)) == 2


def test_a_policy_is_taken_out_of_use_and_listed_apart(client, login, shipped):
    monthly = policy("Monthly supervision (everyone)")
    login("admin")
    response = client.post(
        f"/supervision/policies/{monthly.id}/edit",
        data=form("Monthly supervision (everyone)", active=None, org_role=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert policy("Monthly supervision (everyone)").active is False
    page = client.get("/supervision/policies").get_data(as_text=True)
    in_use, _, not_in_use = page.partition("Not in use")
    assert "Monthly supervision (everyone)" in not_in_use
    assert "Monthly supervision (everyone)" not in rows_and_counts(in_use)
    assert "Supervision policy Monthly supervision (everyone) saved" in in_use


# --- refusals ----------------------------------------------------------------------------------


def refused(client: Any, data: dict[str, Any], message: str, url: str = "") -> str:
    before = count_policies()
    response = client.post(url or "/supervision/policies/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    assert message in page, page
    assert "There is a problem" in page
    assert count_policies() == before
    return page


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "Enter at least one stage"),
        ([("", "", "")], "Enter at least one stage"),
        ([(2, 1, "month")], "Stage 1: the first stage must start at week 0"),
        ([(0, 1, "week"), (0, 1, "month")], "Stage 2: each stage must start after the one before"),
        ([(0, 1, "week"), (8, 2, "week"), (6, 1, "month")], "week 6 is not after week 8"),
        ([(0, 0, "week")], "Stage 1: a session every 1 to 52 weeks"),
        ([(0, -1, "month")], "Stage 1: a session every 1 to 12 months"),
        ([(0, 13, "month")], "Stage 1: a session every 1 to 12 months"),
        ([(0, "", "month")], "Stage 1: enter how often a session is expected"),
        ([("", 1, "month")], "Stage 1: enter the week it starts from"),
        ([(0, 1, "")], "Stage 1: choose weeks or months"),
        ([(0, 1, "fortnight")], "Stage 1: weeks or months: choose weeks or months"),
        ([(0, "once", "week")], "Stage 1: how often must be a whole number"),
        ([(0, 1, "week"), (-3, 1, "month")], "Stage 2: the starting week must be between 0"),
    ],
)
def test_bad_stages_are_refused_and_what_was_typed_is_kept(client, login, shipped, rows, message):
    login("hr")
    page = refused(client, form("Team managers", rows, org_role="3"), message)
    assert 'value="Team managers"' in page
    assert '<option value="3" selected>' in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "  "}, "Enter a name for the policy"),
        ({"name": "monthly SUPERVISION (everyone)", "org_role": "3"}, "There is already a policy"),
        ({"min_minutes": "0"}, "between 1 and 480 minutes"),
        ({"min_minutes": "481"}, "between 1 and 480 minutes"),
        ({"min_minutes": ""}, "Enter the minimum length of a session, in minutes"),
        ({"min_minutes": "ninety"}, "must be a whole number"),
        ({"org_role": "ZZ"}, "Not a valid choice"),
        ({"grade": "G" * 31}, "Field cannot be longer than 30 characters"),
    ],
)
def test_bad_details_are_refused(client, login, shipped, values, message):
    login("hr")
    refused(client, {**form("Team managers"), **values}, message)


def test_a_second_active_asye_policy_is_refused(client, login, shipped):
    login("hr")
    page = refused(
        client,
        form("ASYE (new)", [(0, 1, "week")], applies_to_asye="y", org_role=""),
        "The policy ASYE supervision already applies to people in their ASYE",
    )
    assert 'value="ASYE (new)"' in page
    # Out of use, a second one may be kept.
    response = client.post(
        "/supervision/policies/new",
        data=form("ASYE (draft)", [(0, 1, "week")], applies_to_asye="y", active=None, org_role=""),
    )
    assert response.status_code == 302
    # ... but not brought into use while the first is.
    draft = policy("ASYE (draft)")
    refused(
        client,
        form("ASYE (draft)", [(0, 1, "week")], applies_to_asye="y", org_role=""),
        "already applies to people in their ASYE",
        url=f"/supervision/policies/{draft.id}/edit",
    )
    db.session.expire_all()
    assert policy("ASYE (draft)").active is False


def test_an_asye_policy_sets_no_post_criteria(client, login, db_session):
    login("hr")
    refused(
        client,
        form("ASYE", [(0, 1, "week")], applies_to_asye="y", grade="SW1", org_role=""),
        "leave the post title, role and grade blank",
    )


def test_two_active_policies_with_the_same_criteria_are_refused(client, login, shipped):
    login("hr")
    refused(
        client,
        form("Everyone again", org_role=""),
        "The policy Monthly supervision (everyone) is already the default",
    )
    assert (
        client.post(
            "/supervision/policies/new",
            data=form("Social workers", post_title="Social Worker", org_role=""),
        ).status_code
        == 302
    )
    refused(
        client,
        form("Social workers too", post_title="social worker", org_role=""),
        "The policy Social workers already matches exactly these posts",
    )
    # The ASYE policy has no criteria either, but is not a default: no clash with it.
    assert (
        client.post(
            "/supervision/policies/new", data=form("Grade SW2", grade="SW2", org_role="")
        ).status_code
        == 302
    )


def test_an_edit_keeps_its_own_criteria_and_name(client, login, shipped):
    monthly = policy("Monthly supervision (everyone)")
    login("hr")
    response = client.post(
        f"/supervision/policies/{monthly.id}/edit",
        data=form("Monthly supervision (everyone)", min_minutes="80", org_role=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert policy("Monthly supervision (everyone)").min_minutes == 80
    assert stages(policy("Monthly supervision (everyone)")) == [(0, 1, "month")]
