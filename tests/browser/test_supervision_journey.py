"""The supervision journey through a real browser, as issue 5 is checked: a supervisor
records a session and sees the supervisee leave the overdue list; the supervisee
acknowledges it; an HR user opens the same record by direct address and is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer

NOTES = "Talked through a complex assessment and agreed next steps; wellbeing is good."


def _row_status(ui: CheckedPage, name: str) -> str:
    row = ui.page.locator("table#supervisees tbody tr").filter(has_text=name)
    return row.locator("td").nth(2).inner_text().strip()


@pytest.mark.browser
def test_supervisor_records_supervisee_acknowledges_hr_is_refused(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    ui.keep_screenshots = True
    with live_server.context():
        builders.load_supervision_policies()
        team = builders.make_team("Children in Care")
        manager = builders.make_staff(team, first_name="Claire", last_name="Redfern", org_role="3")
        person = builders.make_staff(
            team, manager=manager, first_name="Jo", last_name="Rahman", start=date(2020, 9, 1)
        )
        supervisor = builders.make_user("supervisor", staff=manager, email="claire.sv@example.org")
        supervisee = builders.make_user("practitioner", staff=person, email="jo.sv@example.org")
        hr = builders.make_user("hr", email="hr.sv@example.org")
        emails = (supervisor.email, supervisee.email, hr.email)
    page = ui.page

    # -- The supervisor sees Jo overdue, and records a session. -------------------------
    ui.sign_in(emails[0], builders.PASSWORD)
    ui.follow(ui.service_navigation().get_by_text("Supervision", exact=True))
    assert _row_status(ui, "Jo Rahman") == "Overdue"
    ui.follow(page.get_by_role("link", name="Record supervision with Jo Rahman"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record supervision")
    expect(page.get_by_label("Jo Rahman", exact=True)).to_be_checked()
    page.get_by_label("Reflective supervision", exact=True).check()
    page.get_by_label("Quality of decision-making and interventions", exact=True).check()
    page.get_by_label("Wellbeing", exact=True).check()
    page.get_by_label("Number of cases discussed", exact=True).fill("3")
    page.get_by_label("Action 1", exact=True).fill("Update the chronology before the review")
    page.get_by_label("Action 1: owner", exact=True).fill("Jo Rahman")
    due = date.today() + timedelta(days=14)
    group = page.get_by_role("group", name="Action 1: due date", exact=True)
    group.get_by_label("Day", exact=True).fill(str(due.day))
    group.get_by_label("Month", exact=True).fill(str(due.month))
    group.get_by_label("Year", exact=True).fill(str(due.year))
    page.get_by_label("Notes", exact=True).fill(NOTES)
    ui.follow(page.get_by_role("button", name="Save the record", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Supervision recorded")
    record = page.url
    ui.follow(page.get_by_role("link", name="Supervision", exact=True).first)
    assert _row_status(ui, "Jo Rahman") != "Overdue"
    ui.sign_out()

    # -- The supervisee reads and acknowledges it. --------------------------------------
    ui.sign_in(emails[1], builders.PASSWORD)
    ui.follow(ui.service_navigation().get_by_text("Supervision", exact=True))
    ui.follow(page.get_by_role("link", name="Reflective supervision with Claire Redfern"))
    expect(page.get_by_text(NOTES)).to_be_visible()
    page.get_by_label("Your comment (optional)", exact=True).fill("Agreed; thank you.")
    ui.follow(page.get_by_role("button", name="Acknowledge the record", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have acknowledged the record"
    )
    expect(page.get_by_text("Jo Rahman: acknowledged")).to_be_visible()
    ui.sign_out()

    # -- HR opens the record by its address and is refused. -----------------------------
    ui.sign_in(emails[2], builders.PASSWORD)
    ui.visit(record.removeprefix(live_server.url), status=403)
    expect(page.get_by_text(NOTES)).to_have_count(0)
