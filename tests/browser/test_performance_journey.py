"""The evaluation model and scorecards through a real browser, as issue 8 is checked: HR
enters a year's figure and target for an entered measure (a percentage over 100 is refused
first); the director reads the North East Lincolnshire impact evaluation model for that
year, sees the new figure judged beside evidence with no data and evidence the app does
not measure, downloads the XLSX and reads it back; then reads the Northumberland
scorecard with its published figures, RAG in words and a chart per measure."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer

MASH = "Referrals into MASH rated good quality and appropriate"
MASH_EVIDENCE = "Nos. of good quality and appropriate referrals into MASH"


@pytest.mark.browser
def test_hr_enters_a_figure_and_the_director_reads_the_model_and_scorecard(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    ui.keep_screenshots = True
    with live_server.context():
        builders.load_performance()
        builders.make_user("hr", email="hr.performance@example.org")
        builders.make_user("senior_leader", email="director.performance@example.org")
        from workforce.extensions import db

        db.session.commit()

    # HR enters 2025/26's figure for an entered measure they own.
    ui.sign_in("hr.performance@example.org", builders.PASSWORD)
    ui.follow(ui.service_navigation().get_by_text("Performance", exact=True))
    ui.page.get_by_label("Name, code or description").fill("MASH")
    ui.follow(ui.page.get_by_role("button", name="Apply filters"))
    ui.follow(ui.page.get_by_role("link", name=MASH))
    ui.follow(ui.page.get_by_role("button", name="Enter an actual"))
    ui.page.get_by_label("Period", exact=True).fill("2025/26")
    ui.page.get_by_label("Value", exact=True).fill("150")
    ui.follow(ui.page.get_by_role("button", name="Save the actual"))
    expect(ui.page.locator(".govuk-error-summary")).to_contain_text("100")
    expect(ui.page.get_by_label("Period", exact=True)).to_have_value("2025/26")
    ui.page.get_by_label("Value", exact=True).fill("78")
    ui.follow(ui.page.get_by_role("button", name="Save the actual"))
    ui.follow(ui.page.get_by_role("button", name="Set a target"))
    ui.page.get_by_label("Period, or the first period of a span").fill("2025/26")
    ui.page.get_by_label("Target", exact=True).fill("80")
    ui.follow(ui.page.get_by_role("button", name="Save the target"))
    expect(ui.page.locator("main")).to_contain_text("Actual78.0%")
    ui.sign_out()

    # The director reads the evaluation model for 2025/26.
    ui.sign_in("director.performance@example.org", builders.PASSWORD)
    ui.visit("/reports/evaluation-model?year=2025")
    main = ui.page.locator("main")
    expect(main).to_contain_text(
        "Children's Workforce Development Strategy Impact Evaluation Model"
    )
    expect(main).to_contain_text("WHAT DID WE DO?")
    expect(main).to_contain_text(
        "Define professional capabilities required for the children's workforce"
    )
    evidence = ui.page.locator(".app-evidence", has_text=MASH_EVIDENCE)
    expect(evidence).to_contain_text("78% in 2025/26, target 80%")
    expect(evidence).to_contain_text("Amber")
    unmeasured = ui.page.locator(
        ".app-evidence", has_text="Professional Capabilities document developed"
    )
    expect(unmeasured).to_contain_text("Not measured in the app")
    no_data = ui.page.locator(
        ".app-evidence", has_text="Percentage of assessments that are stepped down"
    )
    expect(no_data).to_contain_text("No data yet")

    with ui.page.expect_download() as download_info:
        ui.page.get_by_role("link", name="XLSX").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    rows = [[cell.value for cell in row] for row in workbook.worksheets[0].iter_rows()]
    assert rows[0][:4] == ["Stage", "Question", "Item", "Text"]
    mash = [row for row in rows if row[3] == MASH_EVIDENCE]
    assert [(row[4], row[5], row[6], row[7], row[8]) for row in mash] == [
        (MASH, "2025/26", "78%", "80%", "Amber")
    ]
    assert any(
        row[3] == "Service user feedback" and row[11] == "Not measured in the app" for row in rows
    )

    # The Northumberland scorecard: the published figures, RAG in words, a chart each.
    ui.visit("/reports/scorecard?scorecard=northumberland-performance-framework")
    turnover = ui.page.locator(
        "tr", has_text="2. % staff turnover within the social work workforce"
    ).first
    expect(turnover).to_contain_text("13.6%")
    expect(turnover).to_contain_text("14.8%")
    expect(turnover).to_contain_text("Amber")
    expect(ui.page.locator("canvas[data-chart]")).to_have_count(20)
