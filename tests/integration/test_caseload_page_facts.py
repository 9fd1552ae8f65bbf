"""What the caseloads page reads: ``worker_facts`` looking back without limit (on PostgreSQL
``latest_facts``, found person by person) gives exactly the rows of ``caseload_facts``, on
people whose spells overlap, start the same day, leave gaps, change team, or end; and
``judging_schemes`` is ``metrics_schemes`` without the points per case type and tier; and
the page's sorts of the unjudged rows order them as the judged rows would be."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests import builders
from tests.integration.test_caseload_report import build_world, snapshot
from workforce.blueprints.planning.caseloads import SORTS, _fact_key
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, Team, WeightingScheme
from workforce.reports.caseload import (
    EARLIEST,
    caseload_facts,
    judge_rows,
    latest_facts,
    shown_points,
    shown_utilisation,
    worker_facts,
    worker_row,
)
from workforce.services import caseloads as service

ON = date(2025, 9, 30)


def spell(
    staff: Staff, team: Team, start: date, end: date | None = None, hours: str = "37"
) -> None:
    """Another spell for ``staff`` (committed)."""
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title="Social worker",
            org_role="5",
            grade="SW2",
            contracted_hours=Decimal(hours),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=team.id,
            start_date=start,
            end_date=end,
        )
    )
    db.session.commit()


def awkward_world() -> dict[str, Any]:
    """The report's world, and people whose spells make the lookups work for their answer."""
    people = build_world()
    alpha, beta = people["alpha"], people["beta"]
    gamma = builders.make_team("Gamma")
    people["gamma"] = gamma

    def person(name: str, team: Team, **values: Any) -> Staff:
        staff = builders.make_staff(team, first_name=name, last_name="Awkward", **values)
        people[name.lower()] = staff
        return staff

    # A second post alongside the first, started later, part time: it is the one in force.
    overlap = person("Olive", alpha)
    spell(overlap, gamma, date(2025, 3, 1), hours="18.5")
    snapshot(overlap, date(2025, 6, 1), ("cin", 1, 4))
    # Two posts started the same day: the later added (higher id) is the one in force.
    twins = person("Tess", alpha, start=date(2024, 4, 1))
    spell(twins, beta, date(2024, 4, 1), hours="29.6")
    snapshot(twins, date(2025, 5, 1), ("cp", 2, 3))
    # Moved team: the latest snapshot was taken in the old post, which gives the team.
    mover = person("Milo", alpha, end=date(2025, 7, 31))
    spell(mover, beta, date(2025, 8, 1))
    snapshot(mover, date(2025, 7, 15), ("lac", 1, 2))
    # A latest snapshot taken between two posts, in post on neither: not listed.
    gap = person("Gus", alpha, end=date(2024, 12, 31))
    spell(gap, gamma, date(2025, 2, 1))
    snapshot(gap, date(2025, 1, 15), ("cin", 1, 1))
    snapshot(gap, date(2024, 11, 1), ("cin", 1, 2))
    # Left before the day, with a snapshot from their time in post: not listed.
    leaver = person("Lena", gamma, end=date(2025, 9, 29))
    snapshot(leaver, date(2025, 9, 1), ("cin", 1, 3))
    # In post with no snapshot ever: not listed. A snapshot after the day: not counted.
    person("Nell", gamma)
    late = person("Luke", gamma)
    snapshot(late, date(2025, 10, 2), ("cin", 1, 9))
    snapshot(late, date(2023, 10, 2), ("cin", 1, 1))
    # Latest snapshot from before the first scheme: no points. No hours: no capacity.
    early = person("Sol", beta, start=date(2019, 1, 7))
    snapshot(early, date(2020, 1, 10), ("cin", 1, 2))
    idle = person("Zed", beta, hours="0")
    snapshot(idle, date(2025, 9, 12), ("cin", 1, 2))
    # Namesakes in one team, alike in everything the sorts read but their staff numbers.
    for _ in range(2):
        namesake = builders.make_staff(alpha, first_name="Sam", last_name="Same")
        snapshot(namesake, date(2025, 9, 3), ("cin", 1, 3))
    return people


def rows_of(query: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in db.session.execute(query))


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return awkward_world()


def test_worker_facts_without_a_window_are_the_caseload_facts(world, backend):
    def expected(**filters: Any) -> list[tuple[Any, ...]]:
        return rows_of(caseload_facts([(0, EARLIEST, ON)], with_names=True, **filters))

    every = expected()
    names = {row[11] for row in every}
    # Gail and Lena left, Erin's snapshot is old but counts here, Gus was between posts,
    # Nell has none; Luke's 2023 snapshot is his latest on the day.
    assert names == {
        "Alice", "Bob", "Cara", "Dan", "Erin", "Finn", "Hugo", "Olive", "Tess", "Milo", "Luke",
        "Sol", "Zed", "Sam",
    }  # fmt: skip
    by_name = {row[11]: row for row in every}
    assert by_name["Olive"][4] == world["gamma"].id and by_name["Olive"][5] == 500_000
    assert by_name["Tess"][4] == world["beta"].id and by_name["Tess"][5] == 800_000
    assert by_name["Milo"][4] == world["alpha"].id
    assert by_name["Luke"][2] == date(2023, 10, 2) and by_name["Luke"][8] == 1
    assert by_name["Sol"][7] is None and by_name["Zed"][5] == 0

    scopes = {
        "team": {"team_id": world["alpha"].id},
        "scope": {"scope": Staff.id.in_([world["olive"].id, world["dan"].id, world["gus"].id])},
    }
    for label, filters in [("all", {}), *scopes.items()]:
        want = expected(**filters)
        got = sorted(tuple(row) for row in worker_facts(ON, window_days=None, **filters))
        assert got == want, label
        if backend == "postgresql":
            assert rows_of(latest_facts(EARLIEST, ON, **filters)) == want, label
            # A window gives the same rows as the report's query for it.
            first = ON - timedelta(days=45)
            report = rows_of(caseload_facts([(0, first, ON)], with_names=True, **filters))
            assert rows_of(latest_facts(first, ON, **filters)) == report, label


def test_scheme_dates_given_or_read_alike(world, backend):
    if backend != "postgresql":
        pytest.skip("latest_facts is PostgreSQL's")
    schemes = service.judging_schemes()
    dates = [(key, scheme.effective_from) for key, scheme in schemes.items()]
    assert rows_of(latest_facts(EARLIEST, ON, schemes=dates)) == rows_of(latest_facts(EARLIEST, ON))


def test_judging_schemes_are_the_metrics_schemes_without_weights(db_session):
    builders.load_caseload_defaults()
    first = db.session.scalars(select(WeightingScheme)).one()
    details = service.details_of(first)
    details.effective_from = date(2024, 4, 1)
    details.name = "Second"
    details.stable_points = Decimal("12.5")
    details.bands = [*details.bands[:-1], dataclasses.replace(details.bands[-1], name="Top")]
    service.create_scheme(details)
    db.session.commit()
    full = service.metrics_schemes()
    light = service.judging_schemes()
    assert len(full) == 2
    assert list(light) == list(full)  # the latest effective first, as the report lists them
    for key, scheme in full.items():
        assert scheme.weights
        assert light[key] == dataclasses.replace(scheme, weights={})


def test_every_sort_of_the_facts_orders_as_the_judged_rows(world):
    schemes = service.judging_schemes()
    facts = worker_facts(ON, window_days=None)
    rows = [worker_row(w) for w in judge_rows(facts, schemes)]
    assert {r["points"] is None for r in rows} == {True, False}
    assert {r["utilisation"] is None for r in rows} == {True, False}
    for fact, row in zip(facts, rows, strict=True):
        assert shown_points(fact, schemes) == row["points"]
        assert shown_utilisation(fact, schemes) == row["utilisation"]
    for sort, key in SORTS.items():
        for reverse in (False, True):
            by_fact = [r[1] for r in sorted(facts, key=_fact_key(sort, schemes), reverse=reverse)]
            by_row = [r["_staff_id"] for r in sorted(rows, key=key, reverse=reverse)]
            assert by_fact == by_row, (sort, reverse)
            # Whatever order the database gives them in (namesakes too).
            for seed in range(8):
                mixed = list(facts)
                random.Random(seed).shuffle(mixed)
                mixed.sort(key=_fact_key(sort, schemes), reverse=reverse)
                assert [r[1] for r in mixed] == by_fact, (sort, reverse, seed)
