"""Supervision at scale: the last two years of sessions (the records the product holds
since it went live; about 1 million sessions at national scale), per the shipped policies.

Everyone with a line manager is supervised by the line manager on their spell in force,
about monthly (weekly for six weeks, fortnightly to six months, then monthly for newly
qualified social workers in their first year), 60 to 120 minutes, mostly 90 or more. Most
pairs are steady, some patchy (a month missed now and then, sessions cut short), a few
have long gaps. 4% of planned sessions are cancelled and 3% rescheduled a few days later
(with the reason); a steady pair makes up a cancelled session. Each manager runs group
supervision about once a quarter for four to eight of their staff. A third of sessions
agree an action or two (older ones mostly done); most records are acknowledged within a
week; one held session in 150 is audited by the director (by the admin account where the
director was the supervisor). The demo practitioner has a recent session still to
acknowledge, with an open action. Notes are the hand-made demo's short, neutral lines.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any

from workforce.demo_supervision import (
    ACK_COMMENTS,
    ACTIONS,
    AUDIT_COMMENTS,
    CANCELLED_REASONS,
    GROUP_NOTES,
    NOTES,
    RESCHEDULED_REASONS,
)
from workforce.metrics.supervision import add_months, suggested_grade
from workforce.models.supervision import CHECKLIST
from workforce.scale.accounts import Accounts
from workforce.scale.common import Picker
from workforce.scale.people import NQSW_ORIGIN, Person, Population, Spell
from workforce.scale.writer import BulkWriter

#: (weight, chance of a missed month, chance of a long gap, chance a session is cut short)
PROFILES = {"steady": (68, 0.0, 0.0, 0.02), "patchy": (24, 0.12, 0.04, 0.2),
            "struggling": (8, 0.2, 0.15, 0.3)}  # fmt: skip
_PROFILE = Picker({name: spec[0] for name, spec in PROFILES.items()})
_KIND = Picker({"one_to_one": 70, "reflective": 15, "case": 15})
_FULL = Picker({90: 40, 95: 10, 100: 20, 105: 10, 120: 20})
_SHORT = Picker({60: 1, 70: 1, 75: 1, 80: 1, 85: 1})
_ACTIONS = Picker({0: 66, 1: 28, 2: 6})
AUDIT_SHARE = 1 / 150
BATCH = 20_000

SESSION_COLUMNS = ("id", "supervisor_id", "kind", "held_on", "outcome", "reason",
                   "duration_minutes", "covers_decisions", "covers_management",
                   "covers_workload", "covers_development", "covers_wellbeing",
                   "cases_discussed", "notes", "recorded_by_id", "created_at",
                   "updated_at")  # fmt: skip
ATTENDEE_COLUMNS = ("id", "session_id", "staff_id", "acknowledged_at", "comment", "held_on",
                    "held", "minutes")  # fmt: skip
ACTION_COLUMNS = ("id", "session_id", "description", "owner", "due_date", "completed_on",
                  "created_at", "updated_at")  # fmt: skip
AUDIT_COLUMNS = ("id", "session_id", "auditor_id", "audited_on", *CHECKLIST, "grade",
                 "comments", "created_at", "updated_at")  # fmt: skip


def recent_start(population: Population, years: int) -> int:
    """The first day of the records kept since the product went live: two years ago (or
    the whole history when shorter)."""
    return max(population.history_start, population.today - 365 * min(years, 2))


def _interval(spell: Spell, day: int) -> int:
    """Days to the next session the policy asks for on ``day``."""
    if spell.origin == NQSW_ORIGIN:
        start = date.fromordinal(spell.start)
        if day < add_months(start, 12).toordinal():
            weeks = (day - spell.start) // 7
            if weeks < 6:
                return 7
            if weeks < 26:
                return 14
    return 30


class _Out:
    """Rows waiting to be written, and the next id of each table."""

    def __init__(self, writer: BulkWriter) -> None:
        self.writer = writer
        self.sessions: list[tuple[Any, ...]] = []
        self.attendees: list[tuple[Any, ...]] = []
        self.actions: list[tuple[Any, ...]] = []
        self.audits: list[tuple[Any, ...]] = []
        self.session_id = writer.first_id("supervision_session")
        self.attendee_id = writer.first_id("supervision_attendee")
        self.action_id = writer.first_id("supervision_action")
        self.audit_id = writer.first_id("supervision_audit")

    def flush(self, force: bool = False) -> None:
        if len(self.sessions) < BATCH and not force:
            return
        self.writer.write("supervision_session", SESSION_COLUMNS, self.sessions)
        self.writer.write("supervision_attendee", ATTENDEE_COLUMNS, self.attendees)
        self.writer.write("supervision_action", ACTION_COLUMNS, self.actions)
        self.sessions.clear()
        self.attendees.clear()
        self.actions.clear()


def write_supervision(
    writer: BulkWriter, population: Population, accounts: Accounts, seed: int, years: int
) -> None:
    """Sessions, attendees, actions and audits from two years ago to today."""
    rng = random.Random(f"{seed}-supervision")
    today = population.today
    first = recent_start(population, years)
    stamp = population.stamp
    now = datetime.combine(date.fromordinal(today), time(17), UTC)
    out = _Out(writer)
    practitioner = population.links["practitioner"]

    def acknowledged(day: int) -> tuple[datetime | None, str | None]:
        waited = rng.randint(0, 6)
        if day + waited >= today and rng.random() < 0.6:
            return None, None
        if rng.random() < 0.06:
            return None, None  # never acknowledged
        at = datetime.combine(date.fromordinal(min(day + waited, today)),
                              time(rng.randint(8, 17), rng.choice((0, 10, 25, 40))), UTC)  # fmt: skip
        comment = rng.choice(ACK_COMMENTS) if rng.random() < 0.15 else None
        return min(at, now), comment

    def actions(session_id: int, day: int, owner: str, *, open_one: bool = False) -> None:
        wanted = _ACTIONS(rng)
        for n in range(max(wanted, 1 if open_one else 0)):
            due = day + rng.choice((14, 21, 28, 42))
            done = None
            if due < today and rng.random() < 0.8 and not (open_one and n == 0):
                done = date.fromordinal(max(min(due - rng.randint(0, 10), today), day))
            out.actions.append((out.action_id, session_id, rng.choice(ACTIONS),
                                owner if rng.random() < 0.8 else "Supervisor",
                                date.fromordinal(due), done, stamp, stamp))  # fmt: skip
            out.action_id += 1

    def audit(session_id: int, supervisor: int, day: int) -> None:
        if day >= today - 7 or rng.random() >= AUDIT_SHARE:
            return
        checks = [rng.random() < 0.78 for _ in CHECKLIST]
        grade = suggested_grade(checks)
        auditor = accounts.admin if supervisor == population.director else accounts.director
        out.audits.append((out.audit_id, session_id, auditor,
                           date.fromordinal(min(day + rng.randint(7, 60), today)), *checks,
                           grade, rng.choice(AUDIT_COMMENTS), stamp, stamp))  # fmt: skip
        out.audit_id += 1

    def held(person: Person, supervisor: int, day: int, minutes: int, *,
             latest: bool = False) -> None:  # fmt: skip
        session_id = out.session_id
        out.session_id += 1
        elements = [rng.random() < 0.75 for _ in range(5)]
        out.sessions.append((
            session_id, supervisor, _KIND(rng), date.fromordinal(day), "held", None, minutes,
            *elements, rng.randint(2, 14), rng.choice(NOTES),
            accounts.by_staff.get(supervisor, accounts.admin), stamp, stamp,
        ))  # fmt: skip
        at, comment = (None, None) if latest else acknowledged(day)
        out.attendees.append((out.attendee_id, session_id, person.id, at, comment,
                              date.fromordinal(day), True, minutes or 0))  # fmt: skip
        out.attendee_id += 1
        actions(session_id, day, "Supervisee", open_one=latest)
        audit(session_id, supervisor, day)

    def not_held(person: Person, supervisor: int, day: int, outcome: str) -> None:
        reasons = CANCELLED_REASONS if outcome == "cancelled" else RESCHEDULED_REASONS
        out.sessions.append((
            out.session_id, supervisor, "one_to_one", date.fromordinal(day), outcome,
            rng.choice(reasons), None, False, False, False, False, False, None, None,
            accounts.by_staff.get(supervisor, accounts.admin), stamp, stamp,
        ))  # fmt: skip
        out.attendees.append((out.attendee_id, out.session_id, person.id, None, None,
                              date.fromordinal(day), False, 0))  # fmt: skip
        out.session_id += 1
        out.attendee_id += 1

    def manager_on(person: Person, day: int) -> int | None:
        spell = person.spell_on(day)
        return None if spell is None else spell.manager

    for person in population.people:
        begins = max(person.first_day, first)
        until = today if person.last_day is None else min(person.last_day, today)
        if begins > until or person.id == population.director:
            continue
        profile = "steady" if person.id == practitioner else _PROFILE(rng)
        _, missed, long_gap, cut_short = PROFILES[profile]
        newly_qualified = begins == person.first_day and person.spells[0].origin == NQSW_ORIGIN
        day = begins + (rng.randint(0, 5) if newly_qualified else rng.randint(3, 12))
        planned: list[tuple[int, int, int]] = []  # (day, supervisor, policy interval)
        shifted = False
        while day <= until:
            spell = person.spell_on(day)
            if spell is None or spell.manager is None:
                day += 7
                continue
            interval = _interval(spell, day)
            roll = rng.random()
            if interval == 30 and roll < long_gap:
                day += rng.randint(60, 110)  # sickness, a vacancy
                continue
            if interval == 30 and roll < long_gap + missed:
                day += rng.randint(38, 50)  # a month missed
                continue
            month = date.fromordinal(day).month
            if month in (8, 12) and interval == 30 and not shifted and rng.random() < 0.25:
                day += rng.randint(5, 12) if profile == "steady" else rng.randint(10, 18)
                shifted = True  # holidays: a little later
                continue
            shifted = False
            planned.append((day, spell.manager, interval))
            if interval == 30:
                day += rng.randint(22, 28) if profile == "steady" else rng.randint(26, 34)
            else:
                day += interval - rng.randint(0, 2)
        if person.id == practitioner and (not planned or planned[-1][0] < today - 10):
            day = today - rng.randint(2, 9)
            supervisor = manager_on(person, day)
            if supervisor is not None:
                planned.append((day, supervisor, 30))
        for index, (day, supervisor, interval) in enumerate(planned):
            roll = rng.random()
            weekly = interval < 30  # the ASYE's first months: kept to within the week
            if roll < 0.04 and day + 14 <= until:
                not_held(person, supervisor, day, "cancelled")
                if profile != "steady" and not weekly:
                    continue
                day += rng.randint(1, 2) if weekly else rng.randint(5, 10)  # made up
                if manager_on(person, day) != supervisor:
                    continue
            elif roll < 0.07:
                later = day + (rng.randint(1, 2) if weekly else rng.randint(2, 6))
                if later <= until and manager_on(person, later) == supervisor:
                    not_held(person, supervisor, day, "rescheduled")
                    day = later
            short = rng.random() < cut_short
            minutes = _SHORT(rng) if short else _FULL(rng)
            latest = person.id == practitioner and index == len(planned) - 1
            held(person, supervisor, day, minutes, latest=latest)
        out.flush()

    # Group supervision: each manager about once a quarter, for four to eight of the staff
    # they line-manage that day.
    members: dict[int, list[tuple[int, int, int]]] = {}
    for person in population.people:
        for spell in person.spells:
            last = today if spell.end is None else spell.end
            if spell.manager is not None and last >= first:
                members.setdefault(spell.manager, []).append((spell.start, last, person.id))
    for manager in sorted(members):
        day = first + rng.randint(20, 80)
        while day <= today - 3:
            here = sorted(p for start, last, p in members[manager] if start <= day <= last)
            if len(here) >= 4:
                chosen = sorted(rng.sample(here, min(len(here), rng.randint(4, 8))))
                session_id = out.session_id
                out.session_id += 1
                length = rng.choice((90, 120))
                out.sessions.append((
                    session_id, manager, "group", date.fromordinal(day), "held", None,
                    length, True, False, False, True, rng.random() < 0.5,
                    rng.randint(1, 3), rng.choice(GROUP_NOTES),
                    accounts.by_staff.get(manager, accounts.admin), stamp, stamp,
                ))  # fmt: skip
                for staff_id in chosen:
                    at, comment = acknowledged(day)
                    out.attendees.append((out.attendee_id, session_id, staff_id, at, comment,
                                          date.fromordinal(day), True, length))  # fmt: skip
                    out.attendee_id += 1
                actions(session_id, day, "Team")
                audit(session_id, manager, day)
            day += rng.randint(80, 100)
        out.flush()
    out.flush(force=True)
    writer.write("supervision_audit", AUDIT_COLUMNS, out.audits)
