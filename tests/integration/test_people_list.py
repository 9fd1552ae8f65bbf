"""The staff list's query: each person with their spell in force (or else their latest),
their status, the status filters and the orders, on hand-made people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests import builders
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff
from workforce.services.people import StaffFilters, staff_list_query

ON = date(2025, 6, 30)


def add_spell(
    staff: Staff, team: Any, start: date, end: date | None = None, title: str = ""
) -> None:
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title=title or "Social worker",
            org_role="5",
            contracted_hours=Decimal("37"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=team.id,
            start_date=start,
            end_date=end,
        )
    )
    db.session.commit()


def listed(user: Any, **filters: Any) -> list[tuple[str, str | None, str | None, str | None]]:
    rows = db.session.execute(staff_list_query(user, StaffFilters(**filters), ON)).all()
    return [
        (staff.last_name, spell.post_title if spell else None, team, status)
        for staff, spell, team, status in rows
    ]


def test_status_spell_and_order(db_session: Any) -> None:
    north, south = builders.make_team("North"), builders.make_team("South")
    # In post, moved from North to South: the South post (in force) is shown.
    mover = builders.make_staff(north, last_name="Adams", end=date(2024, 12, 31))
    add_spell(mover, south, date(2025, 1, 1), title="Senior")
    # Left, then starting again later: starting soon, with the later post.
    returner = builders.make_staff(north, last_name="Baker", end=date(2024, 3, 31))
    add_spell(returner, south, date(2025, 9, 1), title="Returner")
    # Left for good, with two ended posts: the later one.
    leaver = builders.make_staff(north, last_name="Clark", end=date(2023, 5, 31))
    add_spell(leaver, south, date(2023, 6, 1), date(2024, 8, 31), title="Last post")
    # Two posts in force: the later started.
    two = builders.make_staff(north, last_name="Davis", start=date(2020, 1, 6))
    add_spell(two, south, date(2022, 1, 1), title="Second post")
    # In force alongside a later one starting soon: current, with the post in force.
    builders.make_staff(north, last_name="Evans", first_name="Zoe")
    later = builders.make_staff(north, last_name="Evans", first_name="Amy")
    add_spell(later, south, date(2025, 8, 1), title="Next post")
    admin = builders.make_user("admin")

    assert listed(admin, status=None) == [
        ("Adams", "Senior", "South", "current"),
        ("Baker", "Returner", "South", "future"),
        ("Clark", "Last post", "South", "left"),
        ("Davis", "Second post", "South", "current"),
        ("Evans", "Social worker", "North", "current"),
        ("Evans", "Social worker", "North", "current"),
    ]
    assert [r[0] for r in listed(admin, status="current")] == ["Adams", "Davis", "Evans", "Evans"]
    assert listed(admin, status="future") == [("Baker", "Returner", "South", "future")]
    assert listed(admin, status="left") == [("Clark", "Last post", "South", "left")]
    # Filters and orders on the latest spell.
    assert [r[0] for r in listed(admin, status=None, team_id=north.id)] == ["Evans", "Evans"]
    by_team = listed(admin, status="current", sort="team")
    assert [(r[2], r[0]) for r in by_team] == [
        ("North", "Evans"),
        ("North", "Evans"),
        ("South", "Adams"),
        ("South", "Davis"),
    ]
    newest_first = listed(admin, status=None, sort="start", descending=True)
    assert [r[0] for r in newest_first][:2] == ["Baker", "Adams"]
    first_names = [
        staff.first_name
        for staff, *_ in db.session.execute(
            staff_list_query(admin, StaffFilters(status="current", q="evans"), ON)
        )
    ]
    assert first_names == ["Amy", "Zoe"]


def test_home_page_figures_count_people_once(db_session: Any) -> None:
    """Starters are people whose earliest spell began in the year to the date (a re-joiner
    is not one); agency workers and teams are counted once each."""
    from workforce.services.dashboard import workforce_figures

    north, south = builders.make_team("North"), builders.make_team("South")
    builders.make_staff(north, start=date(2025, 1, 6))  # a starter
    mover = builders.make_staff(north, start=date(2024, 9, 1), end=date(2025, 2, 28))
    add_spell(mover, south, date(2025, 3, 1))  # a starter once, with two spells in the year
    rejoiner = builders.make_staff(north, start=date(2015, 1, 5), end=date(2020, 1, 31))
    add_spell(rejoiner, south, date(2025, 2, 1))  # not a starter: began in 2015
    builders.make_staff(north, start=date(2024, 6, 30))  # the day a year before: not one
    builders.make_staff(south, contract="agency", start=date(2023, 1, 2))
    figures = workforce_figures(ON)
    assert (figures.headcount, figures.agency_headcount, figures.teams) == (5, 1, 2)
    assert figures.starters_12m == 2
