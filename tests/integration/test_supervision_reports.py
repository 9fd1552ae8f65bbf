"""The supervision reports computed on small hand-built data, checked against hand counts and
against ``workforce.metrics.supervision.compliance`` (through
``workforce.services.supervision.compliance_for``, which judges every session in Python).

The world (``build_world``), standing on 15 January 2026 (the 12 months run from 16 January
2025), with the shipped policies (monthly, 90 minutes; the ASYE schedule). Everyone starts
on 6 January 2020 unless said otherwise; Alpha's manager is boss, Beta's is beta_boss, and
both are line-managed by head. A supervisor account is linked to boss and one to head.

- steady (Alpha): 90-minute sessions on the 10th of every month from 10 December 2024 to
  10 January 2026, and a group session on 15 December 2025: 13 days in the window, all
  full-length against 12 expected; last 10 January 2026, the longest gap 30 days (10 March
  to 10 April), next due 10 February 2026: within policy.
- short (Alpha): sessions on the 5th from 5 February 2025 to 5 January 2026; 5 April is 60
  minutes, 5 June has a 60- and a 100-minute session (one day, full-length), 5 September has
  no recorded length: 12 days, 10 full-length: short of sessions.
- overdue (Alpha): sessions on the 1st from 1 February to 1 November 2025, a cancelled one
  on 20 December 2025 and one held after the date (20 January 2026): 10 days, last
  1 November 2025, 75 days since, longest gap 75 days, next due 1 December 2025: overdue.
- newbie (Alpha, started 1 September 2025, so anchored inside the window): sessions on
  1 October 2025, 1 November 2025 (60 minutes) and the group session of 15 December 2025.
- asye (Alpha, a newly qualified social worker from 1 October 2025, start origin 1): the
  ASYE policy from 1 October 2025; weekly sessions for six weeks, then two.
- quiet (Beta): one session, 1 June 2024: none in the window, 593 days since, longest gap
  365 days: overdue.
- never (Beta): no sessions: next due a month after 6 January 2020: overdue.
- former_nqsw (Beta, newly qualified from 1 June 2024, start origin 1): past the ASYE year,
  so monthly from 1 June 2024; sessions on 20 February, 20 March and 20 December 2025.
- leaver (Alpha, left 31 December 2025): not in post.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from tests import builders
from workforce.extensions import db
from workforce.metrics.training import rate
from workforce.models import EmploymentSpell, Staff
from workforce.models.supervision import (
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionPolicy,
    SupervisionSession,
)
from workforce.reports import run_report
from workforce.reports.base import Parameters
from workforce.reports.registry import get
from workforce.reports.supervision import (
    NO_POLICY,
    STATUS_LABELS,
    Tally,
    judge_people,
    tally_compliance,
)
from workforce.services.supervision import compliance_for

ON = date(2026, 1, 15)
YEAR_2025 = {"start": date(2025, 4, 1), "end": date(2026, 3, 31), "year": 2025}
NOTE = "Confidential note: discussed the family at 12 Acacia Avenue"
AUDIT_COMMENT = "Auditor comment: records lacked the child's voice"


def spell(staff: Staff, team: Any, start: date, *, end: date | None = None, **values: Any) -> None:
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title=values.pop("post_title", "Social worker"),
            org_role=values.pop("org_role", "5"),
            grade=values.pop("grade", "SW2"),
            contracted_hours=Decimal("37"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=team.id,
            start_date=start,
            end_date=end,
            **values,
        )
    )


def held(
    supervisor: Staff,
    people: list[Staff],
    day: date,
    minutes: int | None = 90,
    *,
    outcome: str = "held",
    kind: str | None = None,
) -> SupervisionSession:
    """A session (flushed) with ``people`` attending."""
    session = SupervisionSession(
        supervisor_id=supervisor.id,
        kind=kind or ("group" if len(people) > 1 else "one_to_one"),
        held_on=day,
        outcome=outcome,
        reason=None if outcome == "held" else "Supervisor off sick",
        duration_minutes=minutes if outcome == "held" else None,
        covers_decisions=True,
        notes=NOTE,
    )
    session.attendees = [SupervisionAttendee(staff_id=p.id) for p in people]
    db.session.add(session)
    db.session.flush()
    return session


def monthly(day_of_month: int, first: date, last: date) -> list[date]:
    days, year, month = [], first.year, first.month
    while True:
        day = date(year, month, day_of_month)
        if day > last:
            return days
        if day >= first:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def build_world() -> dict[str, Any]:
    """The world in the module docstring (committed)."""
    builders.load_supervision_policies()
    alpha = builders.make_team("Alpha")
    beta = builders.make_team("Beta")
    head = builders.make_staff(alpha, first_name="Hana", last_name="Head", org_role="2")
    boss = builders.make_staff(
        alpha, first_name="Bea", last_name="Boss", org_role="3", manager=head
    )
    beta_boss = builders.make_staff(
        beta, first_name="Bill", last_name="Beta", org_role="3", manager=head
    )
    p: dict[str, Staff] = {
        "steady": builders.make_staff(alpha, first_name="Sue", last_name="Steady", manager=boss),
        "short": builders.make_staff(alpha, first_name="Sid", last_name="Short", manager=boss),
        "overdue": builders.make_staff(alpha, first_name="Olu", last_name="Overdue", manager=boss),
        "newbie": builders.make_staff(
            alpha, first_name="Ned", last_name="Newbie", manager=boss, start=date(2025, 9, 1)
        ),
        "quiet": builders.make_staff(beta, first_name="Quin", last_name="Quiet", manager=beta_boss),
        "never": builders.make_staff(beta, first_name="Nev", last_name="Never", manager=beta_boss),
        "leaver": builders.make_staff(
            alpha,
            first_name="Lee",
            last_name="Leaver",
            manager=boss,
            end=date(2025, 12, 31),
            leaving_reason="1",
        ),
    }
    for key, team, manager, start, first_name in (
        ("asye", alpha, boss, date(2025, 10, 1), "Asha"),
        ("former_nqsw", beta, beta_boss, date(2024, 6, 1), "Fern"),
    ):
        person = Staff(
            staff_number=f"NQ{key}",
            first_name=first_name,
            last_name={"asye": "Asye", "former_nqsw": "FormerNqsw"}[key],
            work_email=f"{key}@example.org",
        )
        db.session.add(person)
        db.session.flush()
        spell(
            person,
            team,
            start,
            post_title="Newly qualified social worker (ASYE)",
            grade="SW1",
            start_origin="1",
            line_manager_id=manager.id,
        )
        p[key] = person
    db.session.flush()

    for day in monthly(10, date(2024, 12, 10), date(2026, 1, 10)):
        held(boss, [p["steady"]], day)
    for day in monthly(5, date(2025, 2, 5), date(2026, 1, 5)):
        minutes = {date(2025, 4, 5): 60, date(2025, 6, 5): 60, date(2025, 9, 5): None}
        held(boss, [p["short"]], day, minutes.get(day, 95))
    held(boss, [p["short"]], date(2025, 6, 5), 100, kind="case")
    for day in monthly(1, date(2025, 2, 1), date(2025, 11, 1)):
        held(boss, [p["overdue"]], day, 120)
    held(boss, [p["overdue"]], date(2025, 12, 20), outcome="cancelled")
    held(boss, [p["overdue"]], date(2026, 1, 20), 90)
    held(boss, [p["newbie"]], date(2025, 10, 1), 90)
    held(boss, [p["newbie"]], date(2025, 11, 1), 60)
    held(boss, [p["steady"], p["newbie"], p["asye"]], date(2025, 12, 15), 90)
    for week in range(6):
        held(boss, [p["asye"]], date(2025, 10, 2) + timedelta(weeks=week), 90)
    held(boss, [p["asye"]], date(2025, 11, 27), 90)
    held(boss, [p["asye"]], date(2025, 12, 29), 80)
    held(beta_boss, [p["quiet"]], date(2024, 6, 1), 90)
    for day in (date(2025, 2, 20), date(2025, 3, 20), date(2025, 12, 20)):
        held(beta_boss, [p["former_nqsw"]], day, 90)
    held(boss, [p["leaver"]], date(2025, 12, 1), 90)
    db.session.commit()
    return {
        "alpha": alpha,
        "beta": beta,
        "head": head,
        "boss": boss,
        "beta_boss": beta_boss,
        "people": p,
        "boss_user": builders.make_user("supervisor", staff=boss),
        "head_user": builders.make_user("supervisor", staff=head),
    }


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def run(name: str, viewer: Any = None, **values: Any) -> Any:
    return run_report(get(name), Parameters(**values), viewer)


FIGURES = (
    "expected",
    "sessions",
    "full_length",
    "last_held",
    "days_since_last",
    "longest_gap",
    "next_due",
    "status",
)


def figures_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[key] for key in FIGURES)


def pure_figures(staff_ids: list[int], on: date) -> dict[int, tuple[Any, ...]]:
    """Each person's figures from the pure function over every session they attended."""
    db.session.expire_all()
    people = list(db.session.scalars(select(Staff).where(Staff.id.in_(staff_ids))))
    out = {}
    for item in compliance_for(people, on):
        c = item.result
        assert c is not None
        out[item.staff.id] = (
            c.expected,
            c.sessions,
            c.full_length,
            c.last_held,
            c.days_since_last,
            c.longest_gap,
            c.next_due,
            STATUS_LABELS[c.status],
        )
    return out


# --- compliance by person -----------------------------------------------------------------


def test_person_rows_match_the_hand_counts(world):
    result = run("supervision-compliance", on=ON, by="person")
    rows = {row["name"]: row for row in result.rows}
    assert list(rows) == [
        "Asye, Asha",
        "Boss, Bea",
        "Head, Hana",
        "Newbie, Ned",
        "Overdue, Olu",
        "Short, Sid",
        "Steady, Sue",
        "Beta, Bill",
        "FormerNqsw, Fern",
        "Never, Nev",
        "Quiet, Quin",
    ]  # by team, then name; the leaver has gone
    assert figures_of(rows["Steady, Sue"]) == (
        12,
        13,
        13,
        date(2026, 1, 10),
        5,
        30,
        date(2026, 2, 10),
        "Within policy",
    )
    assert figures_of(rows["Short, Sid"]) == (
        12,
        12,
        10,
        date(2026, 1, 5),
        10,
        30,
        date(2026, 2, 5),
        "Short of sessions",
    )
    assert figures_of(rows["Overdue, Olu"]) == (
        12,
        10,
        10,
        date(2025, 11, 1),
        75,
        75,
        date(2025, 12, 1),
        "Overdue",
    )
    assert figures_of(rows["Quiet, Quin"]) == (
        12,
        0,
        0,
        date(2024, 6, 1),
        593,
        365,
        date(2024, 7, 1),
        "Overdue",
    )
    assert figures_of(rows["Never, Nev"]) == (
        12,
        0,
        0,
        None,
        None,
        365,
        date(2020, 2, 6),
        "Overdue",
    )
    assert rows["Asye, Asha"]["policy"] == "ASYE supervision"
    assert rows["FormerNqsw, Fern"]["policy"] == "Monthly supervision (everyone)"
    assert rows["Steady, Sue"]["team"] == "Alpha" and rows["Quiet, Quin"]["team"] == "Beta"
    assert rows["Steady, Sue"]["_staff_id"] == world["people"]["steady"].id


def test_every_figure_equals_the_pure_function(world):
    result = run("supervision-compliance", on=ON)
    got = {row["_staff_id"]: figures_of(row) for row in result.rows}
    assert got == pure_figures(list(got), ON)
    # Both paths are exercised: newbie and asye are anchored inside the window.
    newbie = got[world["people"]["newbie"].id]
    assert newbie[:3] == (4, 3, 2)  # 1 Sep 2025 to 15 Jan 2026: 4 months; 60 minutes once
    asye = got[world["people"]["asye"].id]
    assert asye[1:3] == (9, 8)  # the 80-minute session is short of 90


def test_a_group_session_counts_for_every_attendee(world):
    group_day = date(2025, 12, 15)
    before = run("supervision-compliance", on=group_day - timedelta(days=1))
    after = run("supervision-compliance", on=group_day)
    counts = {
        key: (
            next(r for r in before.rows if r["_staff_id"] == person.id)["sessions"],
            next(r for r in after.rows if r["_staff_id"] == person.id)["sessions"],
        )
        for key, person in world["people"].items()
        if key in ("steady", "newbie", "asye")
    }
    assert counts["newbie"][1] == counts["newbie"][0] + 1
    assert counts["asye"][1] == counts["asye"][0] + 1
    assert counts["steady"][1] >= counts["steady"][0]  # also loses a day leaving the window


def test_figures_equal_the_pure_function_on_other_dates(world):
    for on in (date(2025, 6, 30), date(2025, 10, 1), date(2025, 12, 15), date(2026, 3, 1)):
        result = run("supervision-compliance", on=on)
        got = {row["_staff_id"]: figures_of(row) for row in result.rows}
        assert got == pure_figures(list(got), on), on


RANDOM_DATES = (date(2024, 9, 1), date(2025, 3, 31), date(2025, 7, 4), date(2026, 1, 15),
                date(2026, 2, 28))  # fmt: skip


@pytest.fixture
def random_world(db_session) -> dict[str, Any]:
    """Thirty people in two teams with random starts (some newly qualified), and sessions of
    random length (some unrecorded, some on the same day, some cancelled, some in groups,
    some after the date)."""
    builders.load_supervision_policies()
    rng = random.Random(5)
    team = builders.make_team("Random")
    other = builders.make_team("Other random")
    boss = builders.make_staff(team, first_name="Ray", last_name="Boss", org_role="3")
    people = []
    for n in range(30):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
        if rng.random() < 0.5:
            start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))
        person = Staff(
            staff_number=f"R{n:03d}", first_name=f"P{n}", last_name="Random", work_email=None
        )
        db.session.add(person)
        db.session.flush()
        nqsw = rng.random() < 0.25
        spell(
            person,
            team if n % 3 else other,
            start,
            post_title="Newly qualified social worker (ASYE)" if nqsw else "Social worker",
            grade="SW1" if nqsw else "SW2",
            start_origin="1" if nqsw else "2",
            line_manager_id=boss.id,
        )
        people.append((person, start))
    db.session.flush()
    for person, start in people:
        for _ in range(rng.randint(0, 30)):
            day = start + timedelta(days=rng.randint(0, 900))
            minutes = rng.choice([None, 30, 60, 89, 90, 91, 120, 180])
            outcome = rng.choices(["held", "cancelled", "rescheduled"], [8, 1, 1])[0]
            group = [person]
            if rng.random() < 0.15:
                group.append(rng.choice([p for p, _ in people if p is not person]))
            held(boss, group, day, minutes, outcome=outcome)
            if rng.random() < 0.1:
                held(boss, [person], day, rng.choice([45, 95]))
    # A new starter with no session yet, whose first is not yet due: within policy.
    nia = Staff(staff_number="R100", first_name="Nia", last_name="New", work_email=None)
    db.session.add(nia)
    db.session.flush()
    spell(nia, other, RANDOM_DATES[-1] - timedelta(days=10), post_title="Social worker",
          grade="SW2", start_origin="2", line_manager_id=boss.id)  # fmt: skip
    db.session.commit()
    return {"teams": {team.name: team.id, other.name: other.id}, "people": people}


def test_random_people_and_sessions_equal_the_pure_function(random_world):
    """Every figure equals the pure function's on five dates."""
    for on in RANDOM_DATES:
        judged = judge_people(on)
        assert judged, on
        got = {
            item.person.staff_id: (
                item.result.expected,
                item.result.sessions,
                item.result.full_length,
                item.result.last_held,
                item.result.days_since_last,
                item.result.longest_gap,
                item.result.next_due,
                STATUS_LABELS[item.result.status],
            )
            for item in judged
            if item.result is not None
        }
        assert got == pure_figures(list(got), on), on


def added_up(judged: list[Any], team_ids: dict[str, int] | None) -> dict[Any, Tally]:
    """What ``tally_compliance`` should give: ``judged`` added up by team (or all together)."""
    out: dict[Any, Tally] = {}
    for item in judged:
        tally = out.setdefault(None if team_ids is None else team_ids[item.person.team], Tally())
        tally.people += 1
        if item.result is not None:
            tally.with_policy += 1
            tally.within += item.result.within_policy
            tally.overdue += item.result.overdue
            tally.sessions += item.result.sessions
    return out


def test_tallies_add_up_what_judge_people_finds(random_world):
    """By team and all together, for everyone and for a scope, a day at a time and all the
    days in one go."""
    teams = random_world["teams"]
    some = [person.id for person, _ in random_world["people"][::2]]
    together = tally_compliance(RANDOM_DATES)
    assert len({t[None].within for t in together.values()}) > 1  # the days differ
    for on in RANDOM_DATES:
        judged = judge_people(on, ordered=False)
        assert tally_compliance([on], by_team=True)[on] == added_up(judged, teams), on
        assert tally_compliance([on])[on] == together[on] == added_up(judged, None), on
        mine = [item for item in judged if item.person.staff_id in some]
        assert tally_compliance([on], scope=Staff.id.in_(some), by_team=True)[on] == added_up(
            mine, teams
        ), on
    # Someone in post whom no policy fits counts among the people, not the people judged.
    db.session.execute(
        update(SupervisionPolicy)
        .where(SupervisionPolicy.applies_to_asye.is_(False))
        .values(active=False)
    )
    db.session.commit()
    on = RANDOM_DATES[-1]
    tally = tally_compliance([on])[on][None]
    assert tally == added_up(judge_people(on), None)[None]
    assert 0 < tally.with_policy < tally.people


def test_summary_and_status_counts(world):
    result = run("supervision-compliance", on=ON)
    pure = pure_figures([row["_staff_id"] for row in result.rows], ON)
    statuses = [figures[-1] for figures in pure.values()]
    assert result.summary["people"] == 11
    assert result.summary["within"] == statuses.count("Within policy")
    assert result.summary["overdue"] == statuses.count("Overdue")
    assert result.summary["short"] == statuses.count("Short of sessions")
    assert result.summary["within_rate"] == rate(result.summary["within"], 11)
    sessions = sum(figures[1] for figures in pure.values())
    assert result.summary["sessions"] == sessions
    assert result.summary["sessions_per_person"] == Decimal(sessions / 11).quantize(Decimal("0.01"))
    assert result.summary["no_policy"] == 0
    (by_status,) = result.sections
    assert [(r["status"], r["people"]) for r in by_status.rows] == [
        ("Within policy", result.summary["within"]),
        ("Short of sessions", result.summary["short"]),
        ("Overdue", result.summary["overdue"]),
    ]
    assert result.chart.table == "by_status"


def test_by_team(world):
    result = run("supervision-compliance", on=ON, by="team")
    rows = {row["team"]: row for row in result.rows}
    assert list(rows) == ["Alpha", "Beta"]
    person_rows = run("supervision-compliance", on=ON).rows
    for team, row in rows.items():
        mine = [r for r in person_rows if r["team"] == team]
        assert row["people"] == len(mine)
        assert row["within"] == sum(r["status"] == "Within policy" for r in mine)
        assert row["overdue"] == sum(r["status"] == "Overdue" for r in mine)
        assert row["short"] == sum(r["status"] == "Short of sessions" for r in mine)
        assert row["sessions"] == sum(r["sessions"] for r in mine)
        assert row["sessions_per_person"] == Decimal(row["sessions"] / len(mine)).quantize(
            Decimal("0.01")
        )
    beta = rows["Beta"]  # beta_boss (none), former_nqsw, never, quiet
    assert (beta["people"], beta["within"], beta["sessions"]) == (4, 0, 3)
    assert beta["overdue"] == 3  # beta_boss, never and quiet; former_nqsw is short
    assert beta["within_rate"] == 0
    assert beta["sessions_per_person"] == Decimal("0.75")
    assert result.chart.series == ("within_rate",) and result.chart.label == "team"


def test_team_filter(world):
    result = run("supervision-compliance", on=ON, team_id=world["beta"].id)
    assert {row["team"] for row in result.rows} == {"Beta"}
    assert result.summary["people"] == 4


def test_a_supervisor_sees_the_people_they_manage_not_themselves(world):
    result = run("supervision-compliance", world["boss_user"], on=ON)
    names = {row["name"] for row in result.rows}
    assert "Boss, Bea" not in names
    assert {"Steady, Sue", "Short, Sid", "Overdue, Olu", "Newbie, Ned", "Asye, Asha"} <= names
    assert not names & {"Quiet, Quin", "Never, Nev", "Beta, Bill"}
    head = {row["name"] for row in run("supervision-compliance", world["head_user"], on=ON).rows}
    assert "Head, Hana" not in head and {"Boss, Bea", "Quiet, Quin"} <= head
    hr = builders.make_user("hr")
    assert len(run("supervision-compliance", hr, on=ON).rows) == 11


def test_people_whose_post_matches_no_policy(world):
    db.session.execute(
        update(SupervisionPolicy)
        .where(SupervisionPolicy.applies_to_asye.is_(False))
        .values(active=False)
    )
    db.session.commit()
    result = run("supervision-compliance", on=ON)
    rows = {row["name"]: row for row in result.rows}
    assert rows["Steady, Sue"]["policy"] == NO_POLICY
    assert rows["Steady, Sue"]["status"] == "" and rows["Steady, Sue"]["sessions"] is None
    assert rows["Asye, Asha"]["policy"] == "ASYE supervision"
    assert result.summary["people"] == 1 and result.summary["no_policy"] == 10


def test_no_notes_in_the_report(world):
    for by in ("person", "team"):
        result = run("supervision-compliance", on=ON, by=by)
        assert NOTE not in repr(result.rows) + repr(result.summary) + repr(result.sections)


# --- audits ---------------------------------------------------------------------------------


def build_audits(world: dict[str, Any]) -> None:
    """Six audits (one outside the year); deputy supervises in Alpha then moves to Beta."""
    people = world["people"]
    deputy = builders.make_staff(
        world["alpha"],
        first_name="Dee",
        last_name="Deputy",
        org_role="4",
        manager=world["boss"],
        end=date(2025, 9, 30),
    )
    spell(deputy, world["beta"], date(2025, 10, 1), line_manager_id=world["boss"].id)
    db.session.flush()
    auditor = world["head_user"]
    flags = ("reflective_discussion", "decisions_recorded", "actions_specific",
             "wellbeing_discussed", "supervisee_voice")  # fmt: skip

    def audit(session: SupervisionSession, on: date, grade: str, met: str) -> None:
        db.session.add(
            SupervisionAudit(
                session_id=session.id,
                auditor_id=auditor.id,
                audited_on=on,
                grade=grade,
                comments=AUDIT_COMMENT,
                **{flag: letter == "y" for flag, letter in zip(flags, met, strict=True)},
            )
        )

    audit(held(world["boss"], [people["steady"]], date(2025, 5, 10)), date(2025, 5, 20),
          "good", "yyyny")  # fmt: skip
    audit(held(world["boss"], [people["short"]], date(2025, 6, 2)), date(2025, 6, 30),
          "outstanding", "yyyyy")  # fmt: skip
    audit(held(world["beta_boss"], [people["quiet"]], date(2025, 8, 1)), date(2025, 8, 15),
          "requires_improvement", "yynnn")  # fmt: skip
    audit(held(world["beta_boss"], [people["never"]], date(2025, 10, 20)), date(2025, 11, 3),
          "inadequate", "nnnnn")  # fmt: skip
    audit(
        held(world["boss"], [people["steady"]], date(2025, 3, 1)),
        date(2025, 3, 30),
        "good",
        "yyyyy",
    )  # fmt: skip  (before the year)
    audit(held(deputy, [people["overdue"]], date(2025, 9, 15)), date(2025, 12, 1),
          "good", "yyyyn")  # fmt: skip
    db.session.commit()


AUDIT_KEYS = ("audits", "outstanding", "good", "requires_improvement", "inadequate",
              "good_or_better_rate")  # fmt: skip
ITEM_KEYS = ("reflective_discussion_rate", "decisions_recorded_rate", "actions_specific_rate",
             "wellbeing_discussed_rate", "supervisee_voice_rate")  # fmt: skip


def test_audits_by_quarter(world):
    build_audits(world)
    result = run("supervision-audit", by="quarter", **YEAR_2025)
    assert [row["period"] for row in result.rows] == [
        "April to June 2025",
        "July to September 2025",
        "October to December 2025",
        "January to March 2026",
    ]
    got = [tuple(row[k] for k in AUDIT_KEYS) for row in result.rows]
    assert got == [
        (2, 1, 1, 0, 0, 1.0),
        (1, 0, 0, 1, 0, 0.0),
        (2, 0, 1, 0, 1, 0.5),
        (0, 0, 0, 0, 0, None),
    ]
    assert [result.rows[0][k] for k in ITEM_KEYS] == [1.0, 1.0, 1.0, 0.5, 1.0]
    assert [result.rows[2][k] for k in ITEM_KEYS] == [0.5, 0.5, 0.5, 0.5, 0.0]
    assert result.rows[0]["from"] == date(2025, 4, 1) and result.rows[3]["to"] == date(2026, 3, 31)
    assert tuple(result.summary[k] for k in AUDIT_KEYS) == (5, 1, 2, 1, 1, Decimal("0.6"))
    assert [result.summary[k] for k in ITEM_KEYS] == [
        Decimal(x) for x in ("0.8", "0.8", "0.6", "0.4", "0.4")
    ]
    assert result.chart.series == ("good_or_better_rate",)


def test_audits_by_month_and_dates(world):
    build_audits(world)
    result = run("supervision-audit", by="month", **YEAR_2025)
    assert len(result.rows) == 12
    counts = {row["period"]: row["audits"] for row in result.rows if row["audits"]}
    assert counts == {
        "May 2025": 1,
        "June 2025": 1,
        "August 2025": 1,
        "November 2025": 1,
        "December 2025": 1,
    }
    wider = run("supervision-audit", by="quarter", start=date(2025, 3, 1), end=date(2025, 12, 31))
    assert wider.rows[0]["period"] == "January to March 2025"
    assert wider.rows[0]["from"] == date(2025, 3, 1) and wider.rows[0]["audits"] == 1
    assert wider.summary["audits"] == 6


def test_audits_by_team_use_the_supervisors_team_on_the_session_day(world):
    build_audits(world)
    result = run("supervision-audit", by="team", **YEAR_2025)
    rows = {row["period"]: row for row in result.rows}
    assert list(rows) == ["Alpha", "Beta"]
    # deputy's audited session was in Alpha, though deputy is in Beta now
    assert tuple(rows["Alpha"][k] for k in AUDIT_KEYS) == (3, 1, 2, 0, 0, 1.0)
    assert tuple(rows["Beta"][k] for k in AUDIT_KEYS) == (2, 0, 0, 1, 1, 0.0)
    alpha_only = run("supervision-audit", by="quarter", team_id=world["alpha"].id, **YEAR_2025)
    assert alpha_only.summary["audits"] == 3


def test_audit_scoping(world):
    build_audits(world)
    boss_view = run("supervision-audit", world["boss_user"], by="team", **YEAR_2025)
    assert boss_view.summary["audits"] == 1  # deputy's session; never boss's own
    head_view = run("supervision-audit", world["head_user"], by="team", **YEAR_2025)
    assert head_view.summary["audits"] == 5
    leader = builders.make_user("senior_leader")
    assert run("supervision-audit", leader, **YEAR_2025).summary["audits"] == 5


def test_no_notes_or_comments_in_the_audit_report(world):
    build_audits(world)
    for by in ("quarter", "month", "team"):
        result = run("supervision-audit", by=by, **YEAR_2025)
        text = repr(result.rows) + repr(result.summary)
        assert NOTE not in text and AUDIT_COMMENT not in text
