"""The demo authority's performance data: the Northbrook workforce scorecard of computed
measures, targets per financial year, entered figures for the last completed years (one
entered measure left without data), commentary, turn-the-curve plans and actions; built
deterministically."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics.periods import parse_period
from workforce.models import User
from workforce.models.performance import (
    Measure,
    MeasureAction,
    MeasureCommentary,
    Scorecard,
    Strategy,
)
from workforce.services.measures import MeasureReader

TODAY = date(2026, 6, 15)  # in 2026/27: the last completed financial year is 2025/26
SEED = 5


def test_demo_performance_is_realistic(demo_authority_seed5):
    assert (demo_authority_seed5.seed, demo_authority_seed5.today) == (SEED, TODAY)
    summary = demo_authority_seed5.summary
    assert "performance: 76 targets, 11 entered figures, 6 comments, 7 actions" in summary
    assert "Northbrook workforce scorecard (16 measures)" in summary

    # The reference data came with it: the evaluation model and the published scorecards.
    assert db.session.scalar(select(Strategy.code)) == "nelc-workforce-strategy-2016-19"
    codes = set(db.session.scalars(select(Scorecard.code)))
    assert codes == {
        "northbrook-workforce",
        "northumberland-performance-framework",
        "worcestershire-back-to-basics",
        "leicestershire-neet-targets",
    }
    measures = {m.code: m for m in db.session.scalars(select(Measure))}

    # The scorecard: every computed measure, once, in order; none typed in.
    card = db.session.scalar(select(Scorecard).where(Scorecard.code == "northbrook-workforce"))
    assert card.name == "Northbrook workforce scorecard" and card.history == 3
    on_card = [e.measure for e in card.entries]
    assert [e.position for e in card.entries] == list(range(1, 17))
    assert {m.code for m in on_card} == {m.code for m in measures.values() if m.computed}
    assert all(e.label == "" and e.published_direction is None for e in card.entries)

    this_year = parse_period("financial_year", "2026/27")
    for measure in on_card:
        assert not [f for f in measure.figures if f.kind == "actual"], measure.code
        targets = [f for f in measure.figures if f.kind == "target"]
        # One per financial year, at least last year, this year and next; each spans a
        # whole financial year (a quarterly measure's, its four quarters).
        starts = [f.start for f in targets]
        assert {date(2025, 4, 1), date(2026, 4, 1), date(2027, 4, 1)} <= set(starts)
        assert all(f.start.month == 4 and f.start.day == 1 for f in targets)
        assert all(f.end_on == date(f.start.year + 1, 3, 31) for f in targets)
        assert all(f.origin == "entered" and f.value is not None for f in targets)
        if measure.unit == "percent":
            assert all(0 <= f.value <= 100 for f in targets)
        reader = MeasureReader()
        covering, later = reader.target_for(measure, reader.period(measure, TODAY))
        assert covering is not None and not later
        assert covering.start == this_year.start
    # Targets ask more each year, in the measure's direction.
    turnover = sorted(
        (f for f in measures["sw-turnover"].figures if f.kind == "target"), key=lambda f: f.start
    )
    assert [f.start.year for f in turnover] == [2023, 2024, 2025, 2026, 2027]
    assert all(a.value > b.value for a, b in zip(turnover, turnover[1:], strict=False))

    # Entered figures for the last completed years; one measure without any data.
    actual_years = {
        code: [f.start for f in measures[code].figures if f.kind == "actual"]
        for code in (
            "mash-referrals-good-quality",
            "early-help-stepped-down",
            "lac-rate-per-10k",
            "cases-rated-good-by-audit",
        )
    }
    three = [date(2023, 4, 1), date(2024, 4, 1), date(2025, 4, 1)]
    assert actual_years == {
        "mash-referrals-good-quality": three,
        "early-help-stepped-down": three[1:],
        "lac-rate-per-10k": three,
        "cases-rated-good-by-audit": three,
    }
    assert not measures["staff-understand-early-help"].figures
    reader = MeasureReader()
    last_year = parse_period("financial_year", "2025/26")
    story = {}
    for code in actual_years:
        status = reader.status(measures[code], last_year, history=3)
        assert status.actual.present and status.target.present and status.rag, code
        story[code] = status.direction
    assert story["lac-rate-per-10k"] == "improving"  # falling, and lower is better
    assert story["mash-referrals-good-quality"] == "improving"
    assert story["cases-rated-good-by-audit"] == "worsening"
    empty = reader.status(measures["staff-understand-early-help"], last_year)
    assert not empty.has_data and not empty.target.present

    # Commentary by the owners, turn-the-curve plans, actions owned by demo people.
    accounts = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
    comments = list(db.session.scalars(select(MeasureCommentary)))
    assert len(comments) == 6
    for comment in comments:
        owner = "learning" if comment.measure.owner_role == "ld_officer" else "hr"
        assert comment.author_id == accounts[owner].id, comment.measure.code
        assert comment.start is None or comment.start <= TODAY
    for code in ("sw-turnover", "supervision-within-policy", "lac-rate-per-10k"):
        assert measures[code].story and measures[code].partners and measures[code].what_works
    actions = list(db.session.scalars(select(MeasureAction)))
    assert len(actions) == 7
    owners = " | ".join(a.owner for a in actions)
    for name in ("Priya Raman", "Tom Gallagher", "Claire Redfern", "Helen Ashworth"):
        assert name in owners
    assert "Marcus Oyelaran, Head of service" in owners
    assert accounts["hr"].staff.full_name == "Priya Raman"
    done = [a for a in actions if a.status == "done"]
    assert len(done) == 1 and done[0].done_on < TODAY and done[0].done_on <= done[0].due_on
    overdue = [a for a in actions if a.status == "open" and a.due_on < TODAY]
    assert len(overdue) == 1
    assert all(abs((a.due_on - TODAY).days) <= 180 for a in actions)
