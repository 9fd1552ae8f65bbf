"""The L&D officer's journey through a real browser, as issue 3 is checked: add a course
linked to two PCF domains, schedule a session of 3 places, book 4 people (one waits), mark
the register, enter evaluations, then find the figures in the training reports and in the
XLSX export of the training statistics."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer
from workforce.extensions import db
from workforce.models import Booking, Venue

COURSE = "Relationship-based practice in court work"
COST_PER_PLACE = 120
#: People in post to book: (staff number, first name, last name), in booking order.
PEOPLE = (
    ("JR0001", "Amara", "Okafor"),
    ("JR0002", "Bill", "Jennings"),
    ("JR0003", "Cerys", "Pryce"),
    ("JR0004", "Dev", "Malhotra"),
)
#: The register: two attended, one did not attend (Dev waits, so is not on it).
REGISTER = {
    "Amara Okafor": "Attended",
    "Bill Jennings": "Attended",
    "Cerys Pryce": "Did not attend",
}
#: Evaluations: (overall, relevance, confidence before, confidence after). Amara's is a
#: paper form the officer types in; Bill signs in and fills in his own.
AMARA = ("5 – Excellent", "4", "2", "4")
BILL = ("2 – Fair", "3 – Somewhat relevant", "3 – Fairly confident", "3 – Fairly confident")
QUESTIONS = (
    "Overall, how would you rate the session?",
    "How relevant was it to your work?",
    "How confident were you in this area before the session?",
    "How confident are you in this area now?",
)


def _heading(ui: CheckedPage) -> Any:
    return ui.page.get_by_role("heading", level=1)


def _button(ui: CheckedPage, name: str) -> Any:
    """A GOV.UK button (a link drawn as a button has the button role)."""
    return ui.page.get_by_role("button", name=name, exact=True)


def _banner(ui: CheckedPage) -> Any:
    return ui.page.locator(".govuk-notification-banner")


def _fill_date(ui: CheckedPage, legend: str, value: date) -> None:
    group = ui.page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(value.day))
    group.get_by_label("Month", exact=True).fill(str(value.month))
    group.get_by_label("Year", exact=True).fill(str(value.year))


def _table(table: Any) -> dict[str, list[dict[str, str]]]:
    """A table's body and footer rows, each as {column heading: cell text}."""
    return table.evaluate(
        """table => {
            const text = cell => cell.innerText.replace(/\\s+/g, ' ').trim();
            const heads = [...table.tHead.rows[0].cells].map(text);
            const rows = section => section
                ? [...section.rows].map(r => Object.fromEntries([...r.cells].map((c, i) => [heads[i], text(c)])))
                : [];
            return {body: rows(table.tBodies[0]), foot: rows(table.tFoot)};
        }"""
    )


def _row(rows: list[dict[str, str]], first_column: str, value: str) -> dict[str, str]:
    found = [row for row in rows if row[first_column] == value]
    assert len(found) == 1, f"{value!r} in {first_column!r}: {rows}"
    return found[0]


def _evaluate(ui: CheckedPage, answers: tuple[str, ...], differently: str) -> None:
    """Answer the four rating questions and say what will change."""
    for question, answer in zip(QUESTIONS, answers, strict=True):
        group = ui.page.get_by_role("group", name=question, exact=True)
        group.get_by_label(answer, exact=True).check()
    ui.page.get_by_label("What will you do differently as a result?", exact=True).fill(differently)
    ui.follow(ui.page.get_by_role("button", name="Save evaluation", exact=True))


def _reporting_year(day: date) -> int:
    """The council's reporting year (1 April to 31 March, named by its first year)."""
    return day.year if day.month >= 4 else day.year - 1


def _open_report(ui: CheckedPage, title: str, session_day: date) -> None:
    """Reports, then the report; the reporting year holding the session if not the latest."""
    ui.follow(ui.service_navigation().get_by_text("Reports", exact=True))
    ui.follow(ui.page.get_by_role("link", name=title, exact=True))
    expect(_heading(ui)).to_have_text(title)
    year = _reporting_year(session_day)
    if year != _reporting_year(date.today()):  # only on 1 April: the session was in March
        ui.follow(ui.page.get_by_role("link", name=f"{year} to {year + 1}", exact=True))
    expect(ui.page.get_by_role("status")).to_contain_text(f"(the {year} to {year + 1} reporting")


@pytest.mark.browser
def test_ld_officer_runs_a_course_from_catalogue_to_reports(
    ui: CheckedPage, live_server: LiveServer, tmp_path: Any
) -> None:
    ui.keep_screenshots = True  # kept in the test's tmp dir only if it fails
    with live_server.context():
        officer = builders.make_user("ld_officer", email="ld.journey@example.org")
        team = builders.make_team("Court and Care Proceedings")
        staff = {
            f"{first} {last}": builders.make_staff(
                team, staff_number=number, first_name=first, last_name=last
            )
            for number, first, last in PEOPLE
        }
        attendee = builders.make_user(
            "practitioner", staff=staff["Bill Jennings"], email="bill.journey@example.org"
        )
        db.session.add(Venue(name="Horncastle Learning House", address="Horncastle"))
        db.session.commit()
        officer_email, attendee_email = officer.email, attendee.email
    page = ui.page
    # Sessions may be scheduled in the past (services/training_sessions.create_session
    # only refuses "completed" before the end), so the session is yesterday morning: it
    # has ended, so its register completes it and attendees may evaluate it.
    session_day = date.today() - timedelta(days=1)

    # -- The catalogue: a course linked to two PCF domains. ------------------------------
    ui.sign_in(officer_email, builders.PASSWORD)
    ui.follow(ui.service_navigation().get_by_text("Catalogue", exact=True))
    ui.follow(_button(ui, "Add a course"))
    expect(_heading(ui)).to_have_text("Add a course")
    page.get_by_label("Course title", exact=True).fill(COURSE)
    page.get_by_role("group", name="Provider", exact=True).get_by_label("Commissioned").check()
    page.get_by_role("group", name="Delivery mode", exact=True).get_by_label("Workshop").check()
    page.get_by_label("CPD hours", exact=True).fill("6")
    page.get_by_label("Cost per place", exact=True).fill(str(COST_PER_PLACE))
    page.get_by_label("Practice model", exact=True).select_option(label="Signs of Safety")
    domains = page.get_by_role("group", name="PCF domains", exact=True)
    domains.get_by_label("1. Professionalism", exact=True).check()
    domains.get_by_label("5. Knowledge", exact=True).check()
    ui.follow(page.get_by_role("button", name="Save course", exact=True))

    expect(_heading(ui)).to_contain_text(COURSE)
    expect(_banner(ui)).to_contain_text(f"Course {COURSE} saved.")
    pcf = page.get_by_role("heading", name="PCF domains").locator("xpath=following-sibling::ul[1]")
    expect(pcf.get_by_role("listitem")).to_have_text(["1. Professionalism", "5. Knowledge"])

    # -- A session of 3 places, scheduled from the course's page. -------------------------
    ui.follow(_button(ui, "Schedule a session"))
    expect(_heading(ui)).to_have_text("Schedule a session")
    expect(page.get_by_label("Course", exact=True).locator("option:checked")).to_have_text(COURSE)
    _fill_date(ui, "Date", session_day)
    page.get_by_label("Start time", exact=True).fill("09:30")
    page.get_by_label("End time", exact=True).fill("12:30")
    page.get_by_label("Venue", exact=True).select_option(label="Horncastle Learning House")
    page.get_by_label("Trainer", exact=True).fill("Jo Whitfield")
    page.get_by_label("Places", exact=True).fill("3")
    ui.follow(page.get_by_role("button", name="Schedule session", exact=True))
    expect(_banner(ui)).to_contain_text("Session scheduled.")
    expect(_heading(ui)).to_have_text(COURSE)

    # -- Book four people: three get places, the fourth goes on the waiting list. ---------
    ui.follow(_button(ui, "Book staff"))
    expect(_heading(ui)).to_have_text("Book staff")
    for number, first, last in PEOPLE:
        page.get_by_label("Name or staff number", exact=True).fill(number)
        ui.follow(page.get_by_role("button", name="Search", exact=True))
        expect(page.get_by_role("status")).to_have_text(f"1 person matches “{number}”.")
        action = "Add to waiting list" if number == "JR0004" else "Book"
        ui.follow(page.get_by_role("button", name=f"{action} {first} {last}", exact=True))
        row = page.get_by_role("row").filter(has_text=number)
        if number == "JR0004":
            expect(_banner(ui)).to_contain_text(
                "The session is full, so Dev Malhotra is on the waiting list (number 1)."
            )
            expect(row.locator(".govuk-tag")).to_have_text("Waiting list")
        else:
            expect(_banner(ui)).to_contain_text(f"{first} {last} is booked on this session.")
            expect(row.locator(".govuk-tag")).to_have_text("Booked")
    expect(page.locator("main")).to_contain_text("3 of 3 places booked, 1 waiting.")

    ui.follow(page.get_by_role("link", name="Back to the session", exact=True))
    details = page.locator(".govuk-summary-list").first
    for key, value in (
        ("Places", "3"),
        ("Booked", "3"),
        ("Places left", "0"),
        ("Waiting list", "1"),
    ):
        row = details.locator(".govuk-summary-list__row").filter(
            has=page.locator("dt", has_text=re.compile(rf"^{key}$"))
        )
        expect(row.locator("dd")).to_have_text(value)
    waiting = _table(page.get_by_role("table", name="Waiting list, in the order people asked"))
    assert [(row["Position"], row["Name"], row["Staff number"]) for row in waiting["body"]] == [
        ("1", "Dev Malhotra", "JR0004")
    ]
    with live_server.context():
        statuses = dict(
            db.session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all()
        )
        assert statuses == {"booked": 3, "waiting": 1}, statuses

    # -- The register: two attended, one did not. -----------------------------------------
    ui.follow(_button(ui, "Register"))
    expect(_heading(ui)).to_have_text("Register")
    for name, mark in REGISTER.items():
        group = page.get_by_role("group", name=f"Attendance of {name}", exact=True)
        group.get_by_label(mark, exact=True).check()
    expect(page.get_by_role("group", name="Attendance of Dev Malhotra")).to_have_count(0)
    ui.follow(page.get_by_role("button", name="Save register", exact=True))
    expect(_banner(ui)).to_contain_text(
        "Register saved: 3 marks changed. The session has ended and everyone booked is "
        "marked, so it is now completed."
    )
    expect(page.locator("main p.govuk-body-l .govuk-tag")).to_have_text("Completed")
    booked = _table(page.get_by_role("table", name="People booked on this session"))["body"]
    assert {row["Name"]: row["Attendance"] for row in booked} == REGISTER

    # -- Evaluations: the officer types in Amara's paper form (rated 5). ------------------
    ui.follow(_button(ui, "Evaluations"))
    expect(_heading(ui)).to_have_text(f"Evaluations: {COURSE}")
    ui.follow(page.get_by_role("link", name="Enter paper form for Amara Okafor", exact=True))
    expect(_heading(ui)).to_have_text("Enter an evaluation for Amara Okafor")
    _evaluate(ui, AMARA, "Write court statements with the family's own words.")
    expect(_banner(ui)).to_contain_text(f"Evaluation of {COURSE} saved.")
    attendees = _table(page.get_by_role("table", name="Attendees"))["body"]
    amara = _row(attendees, "Name", "Okafor, Amara JR0001")
    assert (amara["Evaluation"], amara["Overall rating (1 to 5)"]) == ("Paper form", "5")
    bill = _row(attendees, "Name", "Jennings, Bill JR0002")
    assert bill["Evaluation"] == "Not yet"
    ui.sign_out()

    # -- Bill signs in and evaluates the session himself (rated 2). -----------------------
    ui.sign_in(attendee_email, builders.PASSWORD)
    ui.follow(ui.service_navigation().get_by_text("Training", exact=True))
    ui.follow(page.get_by_role("link", name="1 session to evaluate", exact=True))
    expect(_heading(ui)).to_have_text("Training and CPD: Bill Jennings")
    ui.follow(
        page.get_by_role("link", name=f"Evaluate {COURSE}, {session_day.day} {session_day:%B %Y}")
    )
    expect(_heading(ui)).to_have_text("Evaluate this session")
    _evaluate(ui, BILL, "Nothing new for me.")
    expect(_banner(ui)).to_contain_text(f"Evaluation of {COURSE} saved. Thank you.")
    history = _table(page.get_by_role("table", name="Sessions booked, latest first"))["body"]
    assert _row(history, "Course", COURSE)["Evaluation"].startswith("Evaluated")
    ui.sign_out()

    # -- The training statistics report: the figures in its table. ------------------------
    ui.sign_in(officer_email, builders.PASSWORD)
    _open_report(ui, "Training statistics", session_day)
    table = page.get_by_role(
        "table", name="Training statistics: the figures in the chart, and more"
    )
    figures = _table(table)
    course_row = _row(figures["body"], "Course", COURSE)
    expected = {
        "Practice model": "Signs of Safety",
        "PCF domains": "Professionalism; Knowledge",
        "Sessions delivered": "1",
        "Places offered": "3",
        "Places filled": "3",
        "Attended": "2",
        "Partly attended": "0",
        "Did not attend": "1",
        "Register not marked": "0",
        "Attendance rate": "66.7%",
        "Did-not-attend rate": "33.3%",
        "Staff trained": "2",
        "Cost": "£360.00",
        "Cost per attendee": "£180.00",
    }
    assert {key: course_row[key] for key in expected} == expected
    total = figures["foot"][0]
    assert (total["Course"], total["Places offered"], total["Did not attend"]) == (
        "Total",
        "3",
        "1",
    )

    # ... and in its XLSX export, downloaded with the page's link.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith("training-")
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook["Training statistics"].iter_rows(values_only=True))
    sheet = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [row["Course"] for row in sheet] == [COURSE]
    exported = sheet[0]
    assert exported["PCF domains"] == "Professionalism; Knowledge"
    assert {
        key: exported[key]
        for key in (
            "Sessions delivered",
            "Places offered",
            "Places filled",
            "Attended",
            "Partly attended",
            "Did not attend",
            "Staff trained",
        )
    } == {
        "Sessions delivered": 1,
        "Places offered": 3,
        "Places filled": 3,
        "Attended": 2,
        "Partly attended": 0,
        "Did not attend": 1,
        "Staff trained": 2,
    }
    assert exported["Attendance rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert exported["Did-not-attend rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert (exported["Cost"], exported["Cost per attendee"]) == (360, 180)
    about = dict(workbook["About this report"].iter_rows(min_row=2, values_only=True))
    assert (about["Places offered"], about["Did not attend"]) == (3, 1)
    assert about["Did-not-attend rate"] == pytest.approx(1 / 3, abs=1e-4)
    workbook.close()

    # ... and by PCF domain: each of the course's two domains counts its two people trained.
    page.get_by_label("One row for each", exact=True).select_option(label="PCF domain")
    ui.follow(page.get_by_role("button", name="Show report", exact=True))
    by_domain = _table(
        page.get_by_role("table", name="Training statistics: the figures in the chart, and more")
    )["body"]
    assert {row["PCF domain"]: row["Staff trained"] for row in by_domain} == {
        "Professionalism": "2",
        "Knowledge": "2",
    }

    # -- The training evaluation report: 1 of 2 evaluations good or better. ---------------
    _open_report(ui, "Training evaluation", session_day)
    evaluation = _table(
        page.get_by_role("table", name="Training evaluation: the figures in the chart, and more")
    )
    row = _row(evaluation["body"], "Course", COURSE)
    expected = {
        "Sessions delivered": "1",
        "Attendees": "2",
        "Evaluations returned": "2",
        "Response rate": "100.0%",
        "Good or better": "1",
        "Good or better (%)": "50.0%",
        "Mean overall rating": "3.50",
        "Mean relevance": "3.50",
        "Mean confidence before": "2.50",
        "Mean confidence after": "3.50",
        "Change in confidence": "1.00",
    }
    assert {key: row[key] for key in expected} == expected
