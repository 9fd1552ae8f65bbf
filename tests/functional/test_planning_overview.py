"""The workforce planning home page shows each role what it may use."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("hr", ["Caseloads", "Absence", "The DfE workforce census return", "Turnover"], []),
        (
            "senior_leader",
            ["Caseloads", "Establishment: funded posts and vacancies", "Turnover"],
            ["Absence", "The DfE workforce census return", "Workforce profile"],
        ),
    ],
)
def test_planning_home_page_by_role(client, login, role, shown, hidden):
    login(role)
    page = client.get("/planning/").get_data(as_text=True)
    for text in shown:
        assert text in page, text
    for text in hidden:
        assert f">{text}<" not in page, text


@pytest.mark.parametrize("role", ["practitioner", "ld_officer"])
def test_others_are_refused(client, login, role):
    login(role)
    assert client.get("/planning/").status_code == 403
