"""The supervisor's journey through a real browser, as issue 4 is checked: assess a team
member on all nine PCF domains, see their gaps and the suggested courses, and find the
team heatmap change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer
from workforce.extensions import db
from workforce.models import Course
from workforce.services.frameworks import pcf

DOMAINS = (
    "Professionalism",
    "Values and ethics",
    "Diversity and equality",
    "Rights, justice and economic wellbeing",
    "Knowledge",
    "Critical reflection and analysis",
    "Skills and interventions",
    "Contexts and organisations",
    "Professional leadership",
)
GAP = "Critical reflection and analysis"
COURSE = "Reflective supervision and analysis of risk"


def _heatmap_row(ui: CheckedPage, name: str) -> dict[str, str]:
    """The heatmap row of ``name`` as {column heading: cell text}."""
    table = ui.page.locator("table#heatmap-pcf")
    return table.evaluate(
        """(table, name) => {
            const text = cell => cell.innerText.replace(/\\s+/g, ' ').trim();
            const heads = [...table.tHead.rows[0].cells].map(text);
            const row = [...table.tBodies[0].rows].find(r => text(r.cells[0]).startsWith(name));
            return Object.fromEntries([...row.cells].map((c, i) => [heads[i], text(c)]));
        }""",
        name,
    )


def _meeting_counts(ui: CheckedPage) -> dict[str, str]:
    table = ui.page.locator("table#heatmap-pcf")
    return table.evaluate(
        """table => {
            const text = cell => cell.innerText.replace(/\\s+/g, ' ').trim();
            const heads = [...table.tHead.rows[0].cells].map(text).slice(2);
            const cells = [...table.tFoot.rows[0].cells].slice(1).map(text);
            return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
        }"""
    )


@pytest.mark.browser
def test_supervisor_assesses_a_team_member_and_the_heatmap_changes(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    ui.keep_screenshots = True
    with live_server.context():
        team = builders.make_team("Assessment North")
        manager = builders.make_staff(team, first_name="Claire", last_name="Redfern", org_role="3")
        builders.make_staff(team, manager=manager, first_name="Jo", last_name="Rahman")
        supervisor = builders.make_user(
            "supervisor", staff=manager, email="claire.journey@example.org"
        )
        social_worker = next(level for level in pcf().levels if level.name == "Social worker")
        builders.make_profile(social_worker, "Social worker", grade="SW2")
        course = Course(
            title=COURSE,
            provider="in_house",
            delivery_mode="workshop",
            cpd_hours=Decimal("6"),
            cost_per_place=Decimal("0"),
        )
        course.domains = [d for d in pcf().domains if d.name == GAP]
        db.session.add(course)
        db.session.commit()
        email, level_id = supervisor.email, social_worker.id
    page = ui.page
    ui.sign_in(email, builders.PASSWORD)

    # -- The team heatmap before: nobody assessed. ---------------------------------------
    ui.follow(ui.service_navigation().get_by_text("Capability", exact=True))
    ui.follow(page.get_by_role("link", name="Team heatmaps", exact=True))
    ui.follow(page.get_by_role("link", name="Assessment North", exact=True))
    before = _heatmap_row(ui, "Jo Rahman")
    assert all(before[domain] == "Not assessed" for domain in DOMAINS), before
    assert set(_meeting_counts(ui).values()) == {"0"}

    # -- Start an annual appraisal at the expected level. --------------------------------
    ui.follow(page.get_by_role("link", name="Jo Rahman", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Capabilities")
    ui.follow(page.get_by_role("button", name="Start an assessment", exact=True))
    page.get_by_label("Annual appraisal", exact=True).check()
    expect(page.get_by_label("Assessed against", exact=True)).to_have_value(str(level_id))
    ui.follow(page.get_by_role("button", name="Start the assessment", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate each domain")

    # -- Rate all nine domains: one below expectation. -----------------------------------
    for number, domain in enumerate(DOMAINS, start=1):
        group = page.get_by_role("group", name=f"{number}. {domain}", exact=True)
        group.get_by_label("Developing" if domain == GAP else "Meets", exact=True).check()
        page.get_by_label(f"Evidence for {domain}", exact=True).fill(
            f"Observed in practice: {domain.lower()}"
        )
    ui.follow(page.get_by_role("button", name="Save ratings", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Ratings saved")

    # -- Agree a development action, then sign off. --------------------------------------
    ui.follow(page.get_by_role("button", name="Add a development action", exact=True))
    page.get_by_label("Development action", exact=True).fill(
        "Bring two case analyses to reflective supervision"
    )
    due = date.today() + timedelta(days=90)
    group = page.get_by_role("group", name="Due date", exact=True)
    group.get_by_label("Day", exact=True).fill(str(due.day))
    group.get_by_label("Month", exact=True).fill(str(due.month))
    group.get_by_label("Year", exact=True).fill(str(due.year))
    page.get_by_label("Domain it develops", exact=True).select_option(label=GAP)
    ui.follow(page.get_by_role("button", name="Add the action", exact=True))
    ui.follow(page.get_by_role("button", name="Sign off", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off this assessment?")
    ui.follow(page.get_by_role("button", name="Sign off", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Assessment signed off")
    expect(page.get_by_role("link", name="Change the ratings")).to_have_count(0)

    # -- The gaps and the suggested course. ----------------------------------------------
    ui.follow(page.get_by_role("link", name="Capabilities", exact=True))
    gaps = page.locator("#gaps ~ .govuk-summary-card")
    expect(gaps).to_have_count(1)
    expect(gaps).to_contain_text(f"{GAP}: developing")
    expect(gaps.get_by_role("link", name=COURSE, exact=True)).to_be_visible()
    expect(page.locator("table#domains")).to_contain_text("Below expectation")

    # -- The heatmap after. --------------------------------------------------------------
    ui.follow(ui.service_navigation().get_by_text("Capability", exact=True))
    ui.follow(page.get_by_role("link", name="Team heatmaps", exact=True))
    ui.follow(page.get_by_role("link", name="Assessment North", exact=True))
    after = _heatmap_row(ui, "Jo Rahman")
    for domain in DOMAINS:
        expected = "Below Developing" if domain == GAP else "Meets"
        assert after[domain] == expected, (domain, after)
    counts = _meeting_counts(ui)
    assert counts[GAP] == "0"
    assert all(counts[d] == "1" for d in DOMAINS if d != GAP), counts
