"""The caseloads list counts the caseloads older than the report's 45-day window, to the
day."""

from __future__ import annotations

from datetime import date, timedelta

from tests import builders
from tests.integration.test_caseload_report import snapshot


def test_the_list_counts_caseloads_older_than_the_report_window(client, login, db_session):
    builders.load_caseload_defaults()
    team = builders.make_team("Alpha")
    today = date.today()
    for name, days in (("Ann", 45), ("Ben", 46), ("Cal", 0)):
        staff = builders.make_staff(team, first_name=name, last_name="Worker")
        snapshot(staff, today - timedelta(days=days), ("cin", 1, 2))
    login("hr")
    page = client.get("/planning/caseloads").get_data(as_text=True)
    assert "Showing 1 to 3 of 3 workers" in page
    assert "1 of these caseloads is more than 45 days old" in page
    assert page.index("Worker, Ann") < page.index("Worker, Ben") < page.index("Worker, Cal")
