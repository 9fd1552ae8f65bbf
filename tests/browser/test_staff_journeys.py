"""HR's main journeys through a real browser: add a person, find them, record them as a leaver,
and get a form wrong."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer


def _fill_date(ui: CheckedPage, legend: str, value: date) -> None:
    """Fill the Day, Month and Year boxes inside the fieldset called ``legend``."""
    group = ui.page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(value.day))
    group.get_by_label("Month", exact=True).fill(str(value.month))
    group.get_by_label("Year", exact=True).fill(str(value.year))


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _action(ui: CheckedPage, name: str) -> Any:
    """A GOV.UK button made of a link (role button), found by its text."""
    return ui.page.get_by_role("button", name=name, exact=True).or_(
        ui.page.get_by_role("link", name=name, exact=True)
    )


def _search_staff(ui: CheckedPage, text: str, status: str | None = None) -> None:
    """Use the filters on the staff list."""
    ui.page.get_by_label("Name, staff number, email or SWE number", exact=True).fill(text)
    if status is not None:
        ui.page.get_by_label("Status", exact=True).select_option(label=status)
    ui.follow(ui.page.get_by_role("button", name="Apply filters", exact=True))


@pytest.mark.browser
def test_sign_in_add_staff_find_and_record_leaver(ui: CheckedPage, live_server: LiveServer) -> None:
    ui.keep_screenshots = True  # kept in the test's tmp dir only if it fails
    with live_server.context():
        hr = builders.make_user("hr", email="hr.browser@example.org")
        builders.make_team("Assessment North")
        builders.make_team("Leaving Care")
        hr_email = hr.email
    page = ui.page
    started = date(2023, 4, 3)
    left = date.today() - timedelta(days=7)

    # Sign in.
    ui.sign_in(hr_email, builders.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")

    # Staff, then Add staff member.
    ui.follow(ui.service_navigation().get_by_text("Staff", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    ui.follow(_action(ui, "Add staff member"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a staff member")

    page.get_by_label("Staff number", exact=True).fill("BR00042")
    page.get_by_label("First name", exact=True).fill("Ngozi")
    page.get_by_label("Last name", exact=True).fill("Whitfield")
    page.get_by_label("Team", exact=True).select_option(label="Leaving Care")
    page.get_by_label("Post title", exact=True).fill("Personal adviser")
    page.get_by_label("Contracted hours a week", exact=True).fill("30")
    page.get_by_label("Contract type", exact=True).select_option(label="Permanent")
    _fill_date(ui, "Start date", started)
    ui.follow(page.get_by_role("button", name="Add staff member", exact=True))

    # The new record.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ngozi Whitfield")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Ngozi Whitfield has been added."
    )
    expect(page.locator("main")).to_contain_text("Personal adviser, Leaving Care")
    expect(page.locator(".app-timeline")).to_contain_text(f"{_long_date(started)} to now")

    # Find them from the staff list.
    ui.follow(ui.service_navigation().get_by_text("Staff", exact=True))
    _search_staff(ui, "Whitfield")
    expect(page.get_by_role("status")).to_contain_text("Showing 1 to 1 of 1 person")
    row = page.get_by_role("row").filter(has_text="BR00042")
    expect(row).to_contain_text("Leaving Care")
    expect(row).to_contain_text("In post")
    ui.follow(row.get_by_role("link", name="Whitfield, Ngozi", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ngozi Whitfield")

    # Record them as a leaver; the form asks for confirmation first.
    ui.follow(_action(ui, "Record as leaver"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record as a leaver")
    _fill_date(ui, "Last day of employment", left)
    page.get_by_label("Reason for leaving", exact=True).select_option(label="Resignation")
    ui.follow(page.get_by_role("button", name="Record leaver", exact=True))
    assert ui.dialogs == ["Record Ngozi Whitfield as a leaver?"]

    expect(page.get_by_role("heading", level=1)).to_have_text("Ngozi Whitfield")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Ngozi Whitfield has been recorded as a leaver."
    )
    expect(page.locator("main")).to_contain_text(f"Left on {_long_date(left)}")
    spell = page.locator(".app-timeline__item").filter(has_text="Personal adviser, Leaving Care")
    expect(spell).to_contain_text(f"{_long_date(started)} to {_long_date(left)}")
    expect(spell.locator(".govuk-tag")).to_have_text("Left")
    expect(spell).to_contain_text("Resignation")
    expect(_action(ui, "Record as leaver")).to_have_count(0)

    # Gone from the default list (people in post) ...
    ui.follow(ui.service_navigation().get_by_text("Staff", exact=True))
    expect(page.get_by_label("Status", exact=True)).to_have_value("current")
    _search_staff(ui, "Whitfield")
    expect(page.get_by_role("status")).to_have_text("No staff match these filters.")
    expect(page.get_by_role("link", name="Whitfield, Ngozi")).to_have_count(0)

    # ... but listed among the leavers.
    _search_staff(ui, "Whitfield", status="Left")
    expect(page.get_by_role("status")).to_contain_text("Showing 1 to 1 of 1 person")
    row = page.get_by_role("row").filter(has_text="BR00042")
    expect(row.get_by_role("link", name="Whitfield, Ngozi", exact=True)).to_be_visible()
    expect(row.get_by_role("cell").last).to_have_text("Left")


@pytest.mark.browser
def test_invalid_form_keeps_input_and_shows_error_summary(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    with live_server.context():
        hr_email = builders.make_user("hr", email="hr.errors@example.org").email
        builders.make_team("Family Support Hub")
    page = ui.page
    ui.sign_in(hr_email, builders.PASSWORD)
    ui.visit("/staff/new")

    page.get_by_label("Staff number", exact=True).fill("BR00077")
    page.get_by_label("First name", exact=True).fill("Olu")
    page.get_by_label("Social Work England number", exact=True).fill("SW12345")
    page.get_by_label("Team", exact=True).select_option(label="Family Support Hub")
    page.get_by_label("Post title", exact=True).fill("Family support worker")
    page.get_by_label("Contracted hours a week", exact=True).fill("22.5")
    page.get_by_label("Contract type", exact=True).select_option(label="Fixed term")
    _fill_date(ui, "Start date", date(2024, 9, 2))
    ui.follow(page.get_by_role("button", name="Add staff member", exact=True))

    # Nothing saved: the form comes back, titled as an error.
    assert re.match(r"^Error: ", page.title()), page.title()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a staff member")
    with live_server.context():
        from workforce.extensions import db
        from workforce.models import Staff

        assert db.session.query(Staff).count() == 0

    # The error summary lists both problems, links to the fields, and takes focus.
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    last_name_error = "Enter a last name"
    swe_error = (
        "Social Work England number must be 2 letters followed by 10 digits, like SW1234567890"
    )
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(summary.get_by_role("link", name=last_name_error)).to_have_attribute(
        "href", "#last_name"
    )
    expect(summary.get_by_role("link", name=swe_error)).to_have_attribute("href", "#swe_number")

    # Each message sits beside its field and is announced with it.
    for label, field_id, message in (
        ("Last name", "last_name", last_name_error),
        ("Social Work England number", "swe_number", swe_error),
    ):
        field = page.get_by_label(label, exact=True)
        error = page.locator(f"#{field_id}-error")
        expect(error).to_have_text(f"Error: {message}")
        expect(field).to_have_class(re.compile(r"\bgovuk-input--error\b"))
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
        group = page.locator(".govuk-form-group--error").filter(has=field)
        expect(group).to_have_count(1)
        expect(group.locator(".govuk-error-message")).to_have_text(f"Error: {message}")
    expect(page.locator(".govuk-error-message")).to_have_count(2)

    # What was typed is still there.
    expect(page.get_by_label("Staff number", exact=True)).to_have_value("BR00077")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Olu")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("")
    expect(page.get_by_label("Social Work England number", exact=True)).to_have_value("SW12345")
    expect(page.get_by_label("Team", exact=True).locator("option:checked")).to_have_text(
        "Family Support Hub"
    )
    expect(page.get_by_label("Post title", exact=True)).to_have_value("Family support worker")
    expect(page.get_by_label("Contracted hours a week", exact=True)).to_have_value("22.5")
    expect(page.get_by_label("Contract type", exact=True)).to_have_value("fixed_term")
    start = page.get_by_role("group", name="Start date", exact=True)
    expect(start.get_by_label("Day", exact=True)).to_have_value("2")
    expect(start.get_by_label("Month", exact=True)).to_have_value("9")
    expect(start.get_by_label("Year", exact=True)).to_have_value("2024")

    # Following a link in the summary moves focus to the field.
    summary.get_by_role("link", name=last_name_error).click()
    expect(page.get_by_label("Last name", exact=True)).to_be_focused()
