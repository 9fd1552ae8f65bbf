"""Exactly one navigation item is current: the one whose prefix matches most closely."""

from types import SimpleNamespace

import pytest

from workforce import create_app
from workforce.navigation import navigation_for


@pytest.fixture(scope="module")
def nav_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nav")
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'nav.sqlite'}"})


def _user(*roles, staff_id=None):
    return SimpleNamespace(
        staff_id=staff_id,
        has_role=lambda *wanted: "admin" in roles or any(r in roles for r in wanted),
    )


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("training.course_list", ["Catalogue"]),
        ("training.index", ["Training"]),
        ("training.session_detail", ["Training"]),
        ("people.staff_list", ["Staff"]),
        ("main.home", ["Home"]),
        ("auth.change_password", []),
    ],
)
def test_one_current_section(nav_app, endpoint, expected):
    with nav_app.test_request_context("/"):
        items = navigation_for(_user("admin"), endpoint)
    assert [i["text"] for i in items if i["active"]] == expected


def test_roles_decide_the_sections(nav_app):
    with nav_app.test_request_context("/"):
        texts = [i["text"] for i in navigation_for(_user("practitioner", staff_id=5), "main.home")]
    assert "Accounts" not in texts and "Reports" not in texts and "My record" in texts
