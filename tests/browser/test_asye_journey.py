"""The ASYE journey through a real browser, as issue 7 is checked: the ASYE lead enrols a
new social worker; the assessor holds the 3-month review, adds evidence and records a
pause, and sees the schedule move; the dashboard flags a missed supervision week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer
from workforce.extensions import db
from workforce.metrics.supervision import add_months
from workforce.models.supervision import SupervisionAttendee, SupervisionSession
from workforce.services.asye import load_default_programme

TODAY = date.today()
#: Registered 100 days ago: the 3-month review is due (about 10 days ago).
START = TODAY - timedelta(days=100)


def _fill_date(ui: CheckedPage, legend: str, value: date) -> None:
    group = ui.page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(value.day))
    group.get_by_label("Month", exact=True).fill(str(value.month))
    group.get_by_label("Year", exact=True).fill(str(value.year))


def _due(ui: CheckedPage, code: str) -> str:
    return ui.page.locator(f"#review-{code} td").nth(0).inner_text().strip()


@pytest.mark.browser
def test_lead_enrols_assessor_reviews_pauses_and_dashboard_flags_missed_week(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    ui.keep_screenshots = True
    with live_server.context():
        builders.load_supervision_policies()
        load_default_programme()
        team = builders.make_team("Assessment West")
        manager = builders.make_staff(
            team, first_name="Asha", last_name="Assessor", org_role="3", staff_number="AW001"
        )
        nqsw = builders.make_staff(
            team,
            manager=manager,
            first_name="Nia",
            last_name="Newly",
            start=START,
            staff_number="AW002",
        )
        nqsw.spells[0].start_origin = "1"
        assessor = builders.make_user("supervisor", staff=manager, email="asha.asye@example.org")
        lead = builders.make_user("ld_officer", email="lead.asye@example.org")
        # Supervision in weeks 1, 2 and 4: week 3 is missed.
        for week in (0, 1, 3):
            session = SupervisionSession(
                supervisor_id=manager.id,
                kind="one_to_one",
                held_on=START + timedelta(weeks=week, days=1),
                outcome="held",
                duration_minutes=90,
            )
            session.attendees = [SupervisionAttendee(staff_id=nqsw.id)]
            db.session.add(session)
        db.session.commit()
        emails = (lead.email, assessor.email)
    page = ui.page

    # -- The ASYE lead enrols Nia. ---------------------------------------------------------
    ui.sign_in(emails[0], builders.PASSWORD)
    ui.follow(ui.service_navigation().get_by_text("ASYE", exact=True))
    ui.follow(page.get_by_role("button", name="Enrol a newly qualified social worker"))
    page.get_by_label("Newly qualified social worker", exact=True).select_option(
        label="Nia Newly (AW002)"
    )
    _fill_date(ui, "Social Work England registration date", START)
    page.get_by_label("Or name a new cohort", exact=True).fill(f"Cohort {START:%B %Y}")
    page.get_by_label("Assessor", exact=True).select_option(
        label="Asha Assessor (asha.asye@example.org)"
    )
    page.get_by_label("Line manager", exact=True).select_option(label="Asha Assessor (AW001)")
    page.get_by_label("Contracted hours a week", exact=True).fill("37")
    ui.follow(page.get_by_role("button", name="Enrol", exact=True))
    expect(page.locator("#schedule")).to_be_visible()
    record = page.url.removeprefix(live_server.url)
    six_month_before = _due(ui, "review_6")
    ui.sign_out()

    # -- The assessor holds the 3-month review and adds evidence. -------------------------
    ui.sign_in(emails[1], builders.PASSWORD)
    ui.visit(record)
    expect(page.locator("#review-review_3")).to_contain_text("Overdue")
    ui.follow(page.get_by_role("link", name="Record the 3-month review"))
    _fill_date(ui, "Date held", TODAY - timedelta(days=1))
    page.get_by_label("On track", exact=True).check()
    page.get_by_label("Professional development plan for the next period", exact=True).fill(
        "Lead a child protection conference with support; one written report."
    )
    ui.follow(page.get_by_role("button", name="Save the review", exact=True))
    expect(page.locator("#review-review_3")).to_contain_text("On track")

    ui.follow(page.get_by_role("link", name="Add evidence", exact=True))
    page.get_by_label("Kind of evidence", exact=True).select_option(
        label="Direct observations of practice"
    )
    _fill_date(ui, "Date", TODAY - timedelta(days=2))
    page.get_by_label("Title", exact=True).fill("Observed home visit")
    page.get_by_label("Knowledge", exact=True).check()
    ui.follow(page.get_by_role("button", name="Add the evidence", exact=True))
    expect(page.locator("#evidence-observation td").nth(0)).to_have_text("1")

    # -- A pause moves the schedule. -------------------------------------------------------
    ui.follow(page.get_by_role("link", name="Record a pause", exact=True))
    _fill_date(ui, "First day of the pause", TODAY - timedelta(days=14))
    _fill_date(ui, "Last day of the pause", TODAY - timedelta(days=1))
    page.get_by_label("Sickness", exact=True).check()
    ui.follow(page.get_by_role("button", name="Record the pause", exact=True))
    six_month_after = _due(ui, "review_6")
    assert six_month_after != six_month_before
    expected = add_months(START, 6) + timedelta(days=14)
    assert six_month_after.startswith(f"{expected.day} {expected:%B %Y}"), six_month_after

    # -- The missed supervision week is flagged on the record and the dashboard. ------------
    expect(page.locator("#missed")).to_be_visible()
    ui.sign_out()
    ui.sign_in(emails[0], builders.PASSWORD)
    ui.visit("/reports/asye-cohort")
    _assert_missed_flagged(page)


def _assert_missed_flagged(page: Any) -> None:
    """The cohort dashboard shows at least one missed supervision window for Nia."""
    values = page.evaluate(
        """() => {
            const text = c => c.innerText.replace(/\\s+/g, ' ').trim();
            for (const table of document.querySelectorAll('table.app-report-table')) {
                const heads = [...table.tHead.rows[0].cells].map(text);
                if (!heads.some(h => h.toLowerCase().includes('missed'))) continue;
                const row = [...table.tBodies[0].rows].find(r => text(r).includes('Nia'));
                if (row) return Object.fromEntries([...row.cells].map((c, i) => [heads[i], text(c)]));
            }
            return null;
        }"""
    )
    assert values is not None, "no dashboard row for Nia with a missed-supervision column"
    missed = next(v for k, v in values.items() if "missed" in k.lower())
    assert int(missed.split()[0]) >= 1, values
