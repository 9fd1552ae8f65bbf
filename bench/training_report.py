"""Time the training reports on a national-scale authority in PostgreSQL.

    .venv/bin/python bench/training_report.py [--staff 50000] [--sessions 70000] [--keep]
        [--database-url URL [--reuse]] [--runs 3] [--limit 2] [--only TEXT] [--dump DIR]
        [--profile]

Creates its own database ``workforce_bench_<pid>`` on 127.0.0.1:5432 as user postgres
(dropped at the end unless ``--keep``), or uses ``--database-url``. It migrates it (the
``flask db upgrade`` of the app), loads the reference data (code lists, the PCF framework,
practice models), then loads a deterministic synthetic authority with PostgreSQL COPY (no
ORM objects, so no audit events): ``--staff`` people with employment spells in 200 teams
(a quarter move team once, 3% hold an overlapping secondment, a few two posts from the same
day, some join or leave during the period), 40 courses (some with a practice model, most
linked to PCF domains, six mandatory for some roles), ``--sessions`` sessions of 24 to 36
places over the five reporting years ending with the current one (about 2.15 million
bookings, 1.8 million with attendance marked), evaluations for 40% of attendees and a
supervisor's impact follow-up for half of those. It prints the load rate, then runs
VACUUM ANALYZE (statistics, and the visibility map and hint bits a live database's
autovacuum would have set).

Then, best of ``--runs`` each, it times the report builders exactly as the report page,
the exports and ``flask --app wsgi report`` call them (``check_parameters`` then
``run_report``, with the command line's viewer, who sees every record): ``training`` by
course, team, practice model and PCF domain, ``training-evaluation`` and
``training-compliance``, for the current reporting year and for all five years; and beside
each a hand-written SQL query for the same figures on the same database (the floor). Every
row and total of each report is checked against its floor. Exits 1 if any report takes
``--limit`` seconds or more.

With ``--database-url`` the database must be empty (it is migrated and loaded), or, with
``--reuse``, hold a previous run's data (kept with ``--keep``), which is then only timed.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    PG_HOST,
    PG_PORT,
    PG_USER,
    bench_database,
    best_of,
    copy_in,
    drop_database,
    machine,
    print_load,
    profiled,
    report_builder,
    staff_to_reuse,
    vacuum_analyse,
)

SEED = 2026
TEAMS = 200
YEARS = 5
#: Census organisational roles (and None: outside the census) and how common each is.
ROLES = ["1", "2", "3", "4", "5", "6", None]
ROLE_WEIGHTS = [0.02, 0.05, 0.10, 0.15, 0.45, 0.08, 0.15]

# fmt: off
#: (title, provider, mode, CPD hours, cost per place, practice model, PCF domain positions,
#: roles it is mandatory for ("other": posts outside the census), refresher months, weight)
COURSES: list[tuple[Any, ...]] = [
    ("Safeguarding children level 3", "in_house", "face_to_face", 6, 0, None, [4, 8],
     ["3", "4", "5", "6"], 36, 8),
    ("Data protection and information sharing", "in_house", "e_learning", 2, 0, None, [2],
     ["1", "2", "3", "4", "5", "6", "other"], 12, 9),
    ("Domestic abuse awareness", "commissioned", "workshop", 6, 85, None, [5, 6],
     ["4", "5"], 24, 5),
    ("Recording and case management", "in_house", "face_to_face", 3, 0, None, [7],
     ["5", "6"], None, 4),
    ("Supervision skills for managers", "commissioned", "workshop", 12, 240, None, [9],
     ["1", "2", "3"], 36, 2),
    ("Signs of Safety foundation", "commissioned", "face_to_face", 12, 180, "Signs of Safety",
     [5, 6, 7], ["4", "5", "6"], None, 5),
    ("Signs of Safety advanced practitioner", "commissioned", "workshop", 18, 320,
     "Signs of Safety", [6, 7], [], None, 2),
    ("Restorative practice in teams", "in_house", "workshop", 6, 0, "Restorative Practice",
     [3, 6], [], None, 3),
    ("Restorative conversations", "in_house", "face_to_face", 3, 0, "Restorative Practice",
     [3], [], None, 2),
    ("Family group conferencing coordinators", "external", "face_to_face", 18, 450,
     "Family Group Conferencing", [6, 7], [], None, 1),
    ("Family group conferencing for social workers", "in_house", "workshop", 3, 0,
     "Family Group Conferencing", [6], [], None, 2),
    ("Triple P level 4 group", "external", "face_to_face", 24, 600, "Triple P", [5, 6], [],
     None, 1),
    ("Triple P primary care", "external", "face_to_face", 12, 390, "Triple P", [6], [], None, 1),
    ("Solihull Approach foundation", "commissioned", "face_to_face", 12, 150,
     "Solihull Approach", [5, 6], [], None, 2),
    ("Outcomes based accountability", "commissioned", "workshop", 6, 95,
     "Outcomes Based Accountability", [8], [], None, 1),
]
#: Courses with no practice model and nothing mandatory (the rest of the catalogue).
GENERIC = [
    "Court skills", "Parenting assessment", "Working with fathers", "Neglect toolkit",
    "Child sexual exploitation", "Contextual safeguarding", "Trauma-informed practice",
    "Motivational interviewing", "Direct work with children", "Life story work",
    "Chronologies that work", "Analysis and decision making", "Reflective supervision",
    "Adolescent development", "Substance misuse and parenting", "Parental mental health",
    "Equality and anti-racist practice", "Unaccompanied asylum seeking children",
    "Private fostering", "Disabled children's assessments", "Online safety",
    "Permanence planning", "Care proceedings", "Writing for court", "Leadership essentials",
]
FIRST_NAMES = ["Sam", "Alex", "Priya", "Tomasz", "Aisha", "Morgan", "Chen", "Niamh", "Olu",
               "Fatima", "Jamie", "Rhys", "Zofia"]
LAST_NAMES = ["Smith", "Khan", "Jones", "Nowak", "Okafor", "Taylor", "Li", "Byrne", "Patel",
              "Evans", "Ahmed", "Murphy", "Begum"]
# fmt: on
COST_BY_PROVIDER = {"in_house": 0, "commissioned": 75, "external": 220}


# --- the synthetic authority --------------------------------------------------------------


class Loader:
    """Generates the authority (deterministically for a seed) and COPYs it in."""

    def __init__(self, staff: int, sessions: int, today: date, seed: int) -> None:
        from workforce.reports.base import REPORTING_YEAR

        self.staff = staff
        self.sessions = sessions
        self.today = today
        self.rng = np.random.default_rng(seed)
        current = REPORTING_YEAR.year_of(today)
        self.first = REPORTING_YEAR.bounds(current - YEARS + 1)[0]
        self.last = REPORTING_YEAR.bounds(current)[1]
        self.stamp = datetime.combine(today, datetime.min.time(), UTC)
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    # small tables: plain multi-row INSERTs

    def insert_small(self, conn: Any) -> None:
        from sqlalchemy import insert, select

        from workforce.models import (
            Course,
            CourseAudience,
            FrameworkDomain,
            PracticeModel,
            Team,
            Venue,
        )
        from workforce.models.training import course_domain
        from workforce.services.frameworks import pcf

        stamps = {"created_at": self.stamp, "updated_at": self.stamp}
        areas = ["Children's social care", "Early help", "Fostering and adoption", "Youth justice"]
        tiers = ["universal", "universal_plus", "vulnerable", "complex", "severe"]
        conn.execute(
            insert(Team),
            [
                {
                    "id": n,
                    "name": f"Team {n:03d}",
                    "service_area": areas[n % len(areas)],
                    "tier_of_need": tiers[n % len(tiers)],
                    "active": True,
                    **stamps,
                }
                for n in range(1, TEAMS + 1)
            ],
        )
        venues = ["Learning House", "Lincoln venue", "Horncastle venue", "County Hall", "Online"]
        conn.execute(
            insert(Venue),
            [
                {"id": n, "name": name, "active": True, **stamps}
                for n, name in enumerate(venues, start=1)
            ],
        )
        models = dict(conn.execute(select(PracticeModel.name, PracticeModel.id)).all())
        framework = pcf()
        assert framework is not None, "the PCF framework is not loaded"
        domains = dict(
            conn.execute(
                select(FrameworkDomain.position, FrameworkDomain.id).where(
                    FrameworkDomain.framework_id == framework.id
                )
            ).all()
        )
        courses = list(COURSES)
        for n, title in enumerate(GENERIC):
            provider = ["in_house", "commissioned", "external"][n % 3]
            linked = [] if n % 5 == 4 else sorted({1 + n % 9, 1 + (n * 4) % 9})
            courses.append(
                (
                    title,
                    provider,
                    ["face_to_face", "workshop", "e_learning", "simulation"][n % 4],
                    3 + 3 * (n % 3),
                    COST_BY_PROVIDER[provider] + 5 * n,
                    None,
                    linked,
                    [],
                    None,
                    2 if n % 3 else 3,
                )
            )
        rows, links, audiences = [], [], []
        weights = []
        for n, course in enumerate(courses, start=1):
            title, provider, mode, hours, cost, model, linked, mandatory, refresher, weight = course
            rows.append(
                {
                    "id": n,
                    "title": title,
                    "provider": provider,
                    "delivery_mode": mode,
                    "cpd_hours": Decimal(hours),
                    "cost_per_place": Decimal(cost),
                    "practice_model_id": models[model] if model else None,
                    "refresher_months": refresher,
                    "impact_follow_up_months": 3,
                    "is_asye_workshop": False,
                    "active": True,
                    **stamps,
                }
            )
            links += [{"course_id": n, "domain_id": domains[p]} for p in linked]
            audiences += [
                {
                    "id": len(audiences) + k + 1,
                    "course_id": n,
                    "kind": "role",
                    "value": role,
                    "mandatory": True,
                }
                for k, role in enumerate(mandatory)
            ]
            weights.append(weight)
        # target (not mandatory) audiences for some courses
        for n in range(len(COURSES) + 1, len(courses) + 1, 4):
            audiences.append(
                {
                    "id": len(audiences) + 1,
                    "course_id": n,
                    "kind": "tier",
                    "value": tiers[n % len(tiers)],
                    "mandatory": False,
                }
            )
        conn.execute(insert(Course), rows)
        conn.execute(insert(course_domain), links)
        conn.execute(insert(CourseAudience), audiences)
        self.course_count = len(rows)
        self.course_weights = np.array(weights, dtype=float) / sum(weights)
        self.rows.update(
            team=TEAMS,
            venue=len(venues),
            course=len(rows),
            course_domain=len(links),
            course_audience=len(audiences),
        )

    # staff and spells

    def people(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        """Staff rows, then spell rows; keeps each person's first and last day in post.

        A quarter of people move team once (one spell ends the day before the next
        starts); 3% also hold a second post in another team for a while inside their main
        spell (a secondment: on those days the later-started spell decides their team), and
        a few hold two spells from the same day (the higher id decides).
        """
        rng, n = self.rng, self.staff
        first, today = self.first.toordinal(), self.today.toordinal()
        joined_before = rng.random(n) < 0.75
        start = np.where(
            joined_before,
            rng.integers(date(2003, 1, 6).toordinal(), first, n),
            rng.integers(first, today - 30, n),
        )
        leaver = rng.random(n) < 0.12
        end = np.where(
            leaver,
            np.minimum(today - 1, np.maximum(start, first) + 90 + rng.integers(0, 1500, n)),
            0,
        )
        team_weights = rng.gamma(2.0, 1.0, TEAMS)
        team_weights /= team_weights.sum()
        team = rng.choice(TEAMS, n, p=team_weights) + 1
        new_team = rng.choice(TEAMS, n, p=team_weights) + 1
        role = rng.choice(len(ROLES), n, p=ROLE_WEIGHTS)
        new_role = np.where(rng.random(n) < 0.3, rng.choice(len(ROLES), n, p=ROLE_WEIGHTS), role)
        move_at = rng.integers(first + 60, today - 60, n)
        finish = np.where(leaver, end, today + 10000)
        moved = (rng.random(n) < 0.25) & (move_at > start + 60) & (move_at < finish - 60)
        extra = rng.random(n)
        second_from = np.maximum(start, first) + rng.integers(30, 900, n)
        second_to = second_from + rng.integers(60, 400, n)
        seconded = ~moved & (extra < 0.03) & (second_to < np.minimum(finish, today) - 30)
        twin = ~moved & ~seconded & (extra > 0.995)
        self.first_day = start
        self.last_day = finish
        f_pick = rng.integers(0, len(FIRST_NAMES), n)
        l_pick = rng.integers(0, len(LAST_NAMES), n)
        stamp = self.stamp
        yield (
            "staff",
            [
                (i + 1, f"N{i + 1:07d}", FIRST_NAMES[f_pick[i]], f"{LAST_NAMES[l_pick[i]]}{i + 1}",
                 f"person{i + 1}@bench.example.org", bool(i % 3), stamp, stamp)
                for i in range(n)
            ],
        )  # fmt: skip
        spells: list[tuple[Any, ...]] = []
        hours = Decimal("37")

        def spell(i: int, post: str, role_index: int, team_id: int, begins: int,
                  ends: int | None, reason: str | None) -> None:  # fmt: skip
            spells.append(
                (len(spells) + 1, i + 1, post, ROLES[role_index], hours, hours, "permanent",
                 int(team_id), date.fromordinal(begins),
                 date.fromordinal(ends) if ends else None, reason, stamp, stamp)
            )  # fmt: skip

        for i in range(n):
            s, e = int(start[i]), int(end[i]) or None
            reason = "1" if e else None
            if moved[i]:
                m = int(move_at[i])
                spell(i, "Social worker", role[i], team[i], s, m - 1, None)
                spell(i, "Senior social worker", new_role[i], new_team[i], m, e, reason)
                continue
            spell(i, "Social worker", role[i], team[i], s, e, reason)
            if seconded[i]:
                spell(i, "Secondment", new_role[i], new_team[i], int(second_from[i]),
                      int(second_to[i]), None)  # fmt: skip
            elif twin[i]:
                spell(i, "Second post", new_role[i], new_team[i], s, e, None)
        yield "employment_spell", spells

    # sessions, bookings, evaluations and follow-ups

    def training(self) -> Iterator[tuple[str, Any]]:
        rng, today = self.rng, self.today
        first, last = self.first.toordinal(), self.last.toordinal()
        days = np.array([d for d in range(first, last + 1) if date.fromordinal(d).weekday() < 5])
        day = np.sort(rng.choice(days, self.sessions))
        course = rng.choice(self.course_count, self.sessions, p=self.course_weights) + 1
        capacity = rng.integers(24, 37, self.sessions)
        hour = rng.choice([9, 10, 13], self.sessions)
        length = rng.choice([3, 6, 7], self.sessions)
        venue = rng.integers(0, 6, self.sessions)  # 0: no venue
        state = rng.random(self.sessions)
        shortfall = np.maximum(0, rng.integers(-4, 5, self.sessions))
        sessions = []
        session_info = []
        for i in range(self.sessions):
            d = date.fromordinal(int(day[i]))
            starts = datetime(d.year, d.month, d.day, int(hour[i]))
            past = d < today
            if state[i] < 0.04:
                status = "cancelled"
            elif past and state[i] < 0.055:
                status = "scheduled_marked"  # delivered: register marked, never closed
            elif past and state[i] < 0.06:
                status = "scheduled_unmarked"  # not delivered: register never marked
            elif past:
                status = "completed"
            else:
                status = "scheduled"
            db_status = status.split("_")[0]
            sessions.append(
                (
                    i + 1,
                    int(course[i]),
                    starts,
                    starts + timedelta(hours=int(length[i])),
                    int(venue[i]) or None,
                    None if venue[i] else "Online (Teams)",
                    f"Trainer {int(course[i]) % 12 + 1}",
                    int(capacity[i]),
                    db_status,
                    "Trainer unwell" if db_status == "cancelled" else None,
                    self.stamp,
                    self.stamp,
                )
            )
            session_info.append((int(day[i]), status, int(capacity[i]) - int(shortfall[i])))
        yield "training_session", sessions
        del sessions

        evaluations: list[tuple[Any, ...]] = []
        follow_ups: list[tuple[Any, ...]] = []

        def bookings() -> Iterator[tuple[Any, ...]]:
            first_day, last_day = self.first_day, self.last_day
            booking_id = 0
            stamp = self.stamp
            for s, (d, status, filled) in enumerate(session_info, start=1):
                waiting = int(rng.integers(0, 4)) if filled >= capacity[s - 1] else 0
                dropped = int(rng.integers(0, 3))
                wanted = filled + waiting + dropped
                people = np.empty(0, dtype=np.int64)
                while len(people) < wanted:
                    c = rng.integers(0, self.staff, wanted * 2 + 8)
                    c = c[(first_day[c] <= d) & (last_day[c] >= d)]
                    c = np.concatenate([people, c])
                    _, index = np.unique(c, return_index=True)
                    people = c[np.sort(index)]
                people = people[:wanted] + 1
                opened = datetime.fromordinal(d - 40).replace(tzinfo=UTC, hour=8)
                marks = rng.random(wanted)
                evaluated = rng.random(wanted)
                ratings = rng.choice(5, (wanted, 3), p=[0.02, 0.05, 0.15, 0.45, 0.33]) + 1
                uplift = rng.integers(0, 3, wanted)
                answer = rng.random(wanted)
                due = date.fromordinal(d + 91)
                for k in range(wanted):
                    booking_id += 1
                    requested = opened + timedelta(minutes=k * 7)
                    if status == "cancelled" or k >= filled + waiting:
                        row_status = "cancelled"
                    elif k >= filled:
                        row_status = "waiting"
                    else:
                        row_status = "booked"
                    attendance = None
                    if row_status == "booked" and (
                        status == "completed" or (status == "scheduled_marked" and marks[k] < 0.6)
                    ):
                        m = marks[k]
                        attendance = (
                            "attended" if m < 0.85 else "partial" if m < 0.89 else "did_not_attend"
                        )
                    cancelled = row_status == "cancelled"
                    yield (
                        booking_id,
                        s,
                        int(people[k]),
                        row_status,
                        requested,
                        requested + timedelta(days=10) if cancelled else None,
                        ("Session cancelled" if status == "cancelled" else "Caseload pressures")
                        if cancelled
                        else None,
                        attendance,
                        stamp,
                        stamp,
                    )
                    if attendance in ("attended", "partial") and evaluated[k] < 0.4:
                        before = int(ratings[k, 2]) - 1 or 1
                        evaluations.append(
                            (
                                len(evaluations) + 1,
                                booking_id,
                                int(ratings[k, 0]),
                                int(ratings[k, 1]),
                                before,
                                min(5, before + int(uplift[k])),
                                "Use the tools in supervision" if k % 4 == 0 else None,
                                None,
                                "self" if k % 5 else "paper",
                                stamp,
                                stamp,
                            )
                        )
                        if evaluated[k] < 0.2:
                            answered = due < today and answer[k] < 0.7
                            changed = None
                            if answered:
                                a = answer[k] / 0.7
                                changed = "yes" if a < 0.45 else "partly" if a < 0.8 else "no"
                            follow_ups.append(
                                (
                                    len(follow_ups) + 1,
                                    booking_id,
                                    None,
                                    due,
                                    changed,
                                    datetime.combine(due, datetime.min.time(), UTC)
                                    if answered
                                    else None,
                                    stamp,
                                    stamp,
                                )
                            )

        yield "booking", bookings()
        yield "evaluation", evaluations
        yield "impact_follow_up", follow_ups

    def load(self, raw: Any) -> None:
        """COPY every generated table in, timing generation and COPY together."""
        timestamps = "created_at, updated_at"
        columns = {
            "staff": "id, staff_number, first_name, last_name, work_email, "
            f"qualified_social_worker, {timestamps}",
            "employment_spell": "id, staff_id, post_title, org_role, contracted_hours, "
            "standard_hours, contract_type, team_id, start_date, end_date, leaving_reason, "
            f"{timestamps}",
            "training_session": "id, course_id, starts_at, ends_at, venue_id, location_detail, "
            f"trainer, capacity, status, cancellation_reason, {timestamps}",
            "booking": "id, session_id, staff_id, status, requested_at, cancelled_at, "
            f"cancellation_reason, attendance, {timestamps}",
            "evaluation": "id, booking_id, overall, relevance, confidence_before, "
            f"confidence_after, will_do_differently, comments, source, {timestamps}",
            "impact_follow_up": "id, booking_id, supervisor_staff_id, due_on, practice_changed, "
            f"responded_at, {timestamps}",
        }

        def streams() -> Iterator[tuple[str, Any]]:
            yield from self.people()
            yield from self.training()

        with raw.cursor() as cursor:
            for table, rows in streams():
                t0 = time.perf_counter()
                count = 0
                with cursor.copy(f"COPY {table} ({columns[table]}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                self.rows[table] = count
                self.seconds[table] = time.perf_counter() - t0
            for table in columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            for table in ("team", "venue", "course", "course_audience"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        raw.commit()


# --- the floors: hand-written SQL for the same figures --------------------------------------
#
# Each floor returns one row per group and an overall row, (is_overall, group label, figures
# ...), and the report's rows and summary are checked against them figure by figure.

DELIVERED = """
    SELECT s.id, s.capacity, s.course_id, s.starts_at::date AS day, c.cost_per_place,
           c.practice_model_id
    FROM training_session s JOIN course c ON c.id = s.course_id
    WHERE s.starts_at >= %(start)s AND s.starts_at < %(end)s
      AND (s.status = 'completed' OR (s.status <> 'cancelled' AND EXISTS (
            SELECT 1 FROM booking m WHERE m.session_id = s.id AND m.attendance IS NOT NULL)))
"""
#: How each grouping names a delivered session's (d) group, and what it joins for it.
GROUP_JOINS = {
    "course": ("c.title", "JOIN course c ON c.id = d.course_id"),
    "practice_model": ("pm.name", "LEFT JOIN practice_model pm ON pm.id = d.practice_model_id"),
    "domain": (
        "fd.name",
        "LEFT JOIN course_domain cd ON cd.course_id = d.course_id "
        "LEFT JOIN framework_domain fd ON fd.id = cd.domain_id",
    ),
}
PLACE_FIGURES = """
    count(*) AS filled, count(*) FILTER (WHERE b.attendance = 'attended') AS attended,
    count(*) FILTER (WHERE b.attendance = 'partial') AS partial,
    count(*) FILTER (WHERE b.attendance = 'did_not_attend') AS dna,
    count(*) FILTER (WHERE b.attendance IS NULL) AS unmarked,
    count(DISTINCT b.staff_id) FILTER (WHERE b.attendance = 'attended') AS trained,
    sum(d.cost_per_place) AS cost
"""
FILLED = "f.filled, f.attended, f.partial, f.dna, f.unmarked, f.trained, f.cost"


def training_floor(by: str) -> str:
    """Sessions, places and attendance per group of ``by``, and overall."""
    if by == "team":
        # the team of the person's latest started spell in force on the day of the session
        return f"""
WITH d AS ({DELIVERED}),
facts AS (
    SELECT t.name AS team, b.session_id, b.staff_id, b.attendance, d.cost_per_place
    FROM booking b JOIN d ON d.id = b.session_id
    LEFT JOIN employment_spell e ON e.staff_id = b.staff_id AND e.start_date <= d.day
         AND (e.end_date IS NULL OR e.end_date >= d.day)
    LEFT JOIN team t ON t.id = e.team_id
    WHERE b.status = 'booked' AND NOT EXISTS (
        SELECT 1 FROM employment_spell l WHERE l.staff_id = e.staff_id AND l.start_date <= d.day
          AND (l.end_date IS NULL OR l.end_date >= d.day)
          AND (l.start_date, l.id) > (e.start_date, e.id)))
SELECT GROUPING(team) = 1, team, count(DISTINCT session_id), NULL, count(*),
       count(*) FILTER (WHERE attendance = 'attended'),
       count(*) FILTER (WHERE attendance = 'partial'),
       count(*) FILTER (WHERE attendance = 'did_not_attend'),
       count(*) FILTER (WHERE attendance IS NULL),
       count(DISTINCT staff_id) FILTER (WHERE attendance = 'attended'), sum(cost_per_place)
FROM facts GROUP BY ROLLUP (team)
"""
    key, join = GROUP_JOINS[by]
    if by != "domain":  # each place in one group: one pass gives the groups and the total
        return f"""
WITH d AS ({DELIVERED}),
places AS (SELECT GROUPING({key}) AS total, {key} AS grp, count(*) AS sessions,
                  sum(d.capacity) AS offered
           FROM d {join} GROUP BY ROLLUP ({key})),
filled AS (SELECT GROUPING({key}) AS total, {key} AS grp, {PLACE_FIGURES}
           FROM booking b JOIN d ON d.id = b.session_id {join}
           WHERE b.status = 'booked' GROUP BY ROLLUP ({key}))
SELECT p.total = 1, p.grp, p.sessions, p.offered, {FILLED}
FROM places p LEFT JOIN filled f ON f.total = p.total AND f.grp IS NOT DISTINCT FROM p.grp
"""
    # a course in several domains counts in each, but once in the total
    return f"""
WITH d AS ({DELIVERED}),
places AS (SELECT {key} AS grp, count(*) AS sessions, sum(d.capacity) AS offered
           FROM d {join} GROUP BY 1),
filled AS (SELECT {key} AS grp, {PLACE_FIGURES}
           FROM booking b JOIN d ON d.id = b.session_id {join}
           WHERE b.status = 'booked' GROUP BY 1)
SELECT false, p.grp, p.sessions, p.offered, {FILLED}
FROM places p LEFT JOIN filled f ON f.grp IS NOT DISTINCT FROM p.grp
UNION ALL
SELECT true, NULL, (SELECT count(*) FROM d), (SELECT coalesce(sum(capacity), 0) FROM d),
       {PLACE_FIGURES}
FROM booking b JOIN d ON d.id = b.session_id WHERE b.status = 'booked'
"""


FLOOR_EVALUATION = f"""
WITH d AS ({DELIVERED})
SELECT GROUPING(c.title) = 1, c.title, count(DISTINCT d.id),
       count(*) FILTER (WHERE b.attendance IN ('attended', 'partial')),
       count(v.id), count(*) FILTER (WHERE v.overall >= 4),
       count(*) FILTER (WHERE f.practice_changed = 'yes'),
       count(*) FILTER (WHERE f.practice_changed = 'partly'),
       count(*) FILTER (WHERE f.practice_changed = 'no')
FROM booking b JOIN d ON d.id = b.session_id JOIN course c ON c.id = d.course_id
LEFT JOIN evaluation v ON v.booking_id = b.id
LEFT JOIN impact_follow_up f ON f.booking_id = b.id
WHERE b.status = 'booked'
GROUP BY ROLLUP (c.title)
"""

FLOOR_COMPLIANCE = """
WITH ranked AS (
    SELECT e.staff_id, e.org_role,
           row_number() OVER (PARTITION BY e.staff_id ORDER BY e.start_date DESC, e.id DESC) AS r
    FROM employment_spell e
    WHERE e.start_date <= %(on)s AND (e.end_date IS NULL OR e.end_date >= %(on)s)),
people AS (SELECT staff_id, coalesce(org_role, 'other') AS role FROM ranked WHERE r = 1),
mandatory AS (
    SELECT c.id, c.title, c.refresher_months, a.value AS role
    FROM course c JOIN course_audience a ON a.course_id = c.id
    WHERE c.active AND a.kind = 'role' AND a.mandatory),
done AS (
    SELECT b.staff_id, s.course_id, max(s.ends_at)::date AS completed
    FROM booking b JOIN training_session s ON s.id = b.session_id
    WHERE b.status = 'booked' AND b.attendance = 'attended' AND s.status <> 'cancelled'
      AND s.ends_at < %(on)s::date + 1 AND s.course_id IN (SELECT id FROM mandatory)
    GROUP BY b.staff_id, s.course_id),
cells AS (
    SELECT p.staff_id, m.title,
           CASE WHEN d.completed IS NULL THEN 'missing'
                WHEN m.refresher_months IS NULL THEN 'valid'
                WHEN (d.completed + make_interval(months => m.refresher_months))::date
                     < %(on)s THEN 'expired'
                WHEN (d.completed + make_interval(months => m.refresher_months))::date
                     <= %(on)s::date + %(window)s THEN 'expiring'
                ELSE 'valid' END AS status
    FROM people p JOIN mandatory m ON m.role = p.role
    LEFT JOIN done d ON d.staff_id = p.staff_id AND d.course_id = m.id)
SELECT GROUPING(title) = 1, title, count(*),
       count(*) FILTER (WHERE status = 'valid'), count(*) FILTER (WHERE status = 'expiring'),
       count(*) FILTER (WHERE status = 'expired'), count(*) FILTER (WHERE status = 'missing'),
       (SELECT count(*) FROM people)
FROM cells GROUP BY ROLLUP (title)
"""


def floor_query(sql: str, values: dict[str, Any]) -> Callable[[], list[tuple[Any, ...]]]:
    """Run ``sql`` (psycopg placeholders) on the connection the reports use."""
    from workforce.extensions import db

    def run() -> list[tuple[Any, ...]]:
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()

    return run


def by_group(rows: list[tuple[Any, ...]]) -> tuple[dict[Any, tuple[Any, ...]], tuple[Any, ...]]:
    """The floor's figures by group label, and overall."""
    groups = {row[1]: tuple(row[2:]) for row in rows if not row[0]}
    (total,) = [tuple(row[2:]) for row in rows if row[0]]
    return groups, total


TRAINING_FIGURES = ("sessions_delivered", "places_offered", "places_filled", "attended",
                    "partly_attended", "did_not_attend", "not_marked", "staff_trained",
                    "total_cost")  # fmt: skip


def check_training(result: Any, rows: list[tuple[Any, ...]]) -> None:
    """Every row and the totals of the report agree with the floor's."""

    def want(figures: tuple[Any, ...]) -> dict[str, Any]:
        values = dict(zip(TRAINING_FIGURES, figures, strict=True))
        for key in TRAINING_FIGURES[2:8]:
            values[key] = int(values[key] or 0)
        values["total_cost"] = Decimal(values["total_cost"] or 0).quantize(Decimal("0.01"))
        return values

    groups, total = by_group(rows)
    got = {
        None if row["_placeholder"] else row["group"]: {k: row[k] for k in TRAINING_FIGURES}
        for row in result.rows
    }
    assert got == {key: want(figures) for key, figures in groups.items()}, "rows differ"
    assert {k: result.summary[k] for k in TRAINING_FIGURES} == want(total), "totals differ"


EVALUATION_FIGURES = ("sessions", "attendees", "evaluations", "good_or_better",
                      "practice_changed_yes", "practice_changed_partly",
                      "practice_changed_no")  # fmt: skip


def check_evaluation(result: Any, rows: list[tuple[Any, ...]]) -> None:
    groups, total = by_group(rows)
    got = {row["course"]: tuple(row[k] for k in EVALUATION_FIGURES) for row in result.rows}
    assert got == groups, "rows differ"
    assert tuple(result.summary[k] for k in EVALUATION_FIGURES) == total, "totals differ"


def check_compliance(result: Any, rows: list[tuple[Any, ...]]) -> None:
    groups, total = by_group(rows)
    keys = ("required", "valid", "expiring", "expired", "missing")
    (by_course,) = result.sections
    got = {row["course"]: tuple(row[k] for k in keys) for row in by_course.rows}
    assert got == {title: figures[:5] for title, figures in groups.items()}, "courses differ"
    summary = tuple(result.summary[k] for k in (*keys, "people"))
    assert summary == total, (summary, total)


# --- timing -------------------------------------------------------------------------------


def comparable(result: Any) -> Any:
    """A report's content without its timestamp, for --dump."""
    from workforce.reports.render import render

    data = json.loads(render(result, "json"))
    data.pop("generated_at", None)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=50000, help="people (default 50000)")
    parser.add_argument(
        "--sessions", type=int, default=70000, help="sessions over five years (default 70000)"
    )
    parser.add_argument("--database-url", help="use this PostgreSQL database instead")
    parser.add_argument(
        "--reuse", action="store_true", help="with --database-url: time a database loaded before"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it creates")
    parser.add_argument("--runs", type=int, default=3, help="runs of each report; the best counts")
    parser.add_argument("--limit", type=float, default=2.0, help="seconds each report must beat")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date.today(),
        help="the date the data and the default reporting year are built around",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dump", type=Path, help="write each report as JSON into this folder")
    parser.add_argument(
        "--profile", action="store_true", help="print where the slowest report spends its time"
    )
    parser.add_argument(
        "--only", help="time only reports whose label contains this text (e.g. 'compliance')"
    )
    args = parser.parse_args(argv)
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tests.builders import load_reference
    from workforce import create_app
    from workforce.extensions import db
    from workforce.models import Booking, Staff
    from workforce.reports import check_parameters
    from workforce.reports.base import REPORTING_YEAR
    from workforce.reports.registry import get

    url, own = bench_database(args.database_url, f"workforce_bench_{os.getpid()}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    failed: list[str] = []
    try:
        with app.app_context():
            upgrade()
            held = staff_to_reuse(url, args.reuse)
            if held is None:
                return 2
            if not held:
                load_reference()
                loader = Loader(args.staff, args.sessions, args.today, args.seed)
                t0 = time.perf_counter()
                with db.engine.begin() as conn:
                    loader.insert_small(conn)
                copy_in(loader)
                loaded = time.perf_counter() - t0
                print_load(loader.rows, loader.seconds, loaded, vacuum_analyse(), width=18)
            described = machine("postgresql")
            marked = db.session.scalar(
                select(func.count()).select_from(Booking).where(Booking.attendance.is_not(None))
            )
            people = db.session.scalar(select(func.count()).select_from(Staff))
            bookings = db.session.scalar(select(func.count()).select_from(Booking))
            db.session.rollback()

            year = REPORTING_YEAR.year_of(args.today)
            start = REPORTING_YEAR.bounds(year - YEARS + 1)[0]
            end = REPORTING_YEAR.bounds(year)[1]
            periods = [
                (f"year {REPORTING_YEAR.label(year)}", {}),
                (f"{YEARS} years", {"from": start.isoformat(), "to": end.isoformat()}),
            ]

            def bounds(raw: dict[str, str]) -> dict[str, Any]:
                params = check_parameters(get("training"), raw, today=args.today)
                return {
                    "start": datetime.combine(params.start, datetime.min.time()),
                    "end": datetime.combine(params.end + timedelta(days=1), datetime.min.time()),
                }

            cases: list[tuple[str, str, dict[str, str], str, dict[str, Any]]] = []
            for label, raw in periods:
                for by in ("course", "team", "practice_model", "domain"):
                    cases.append(
                        (f"training by {by}, {label}", "training", {**raw, "by": by},
                         training_floor(by), bounds(raw))
                    )  # fmt: skip
                cases.append(
                    (f"training-evaluation, {label}", "training-evaluation", raw,
                     FLOOR_EVALUATION, bounds(raw))
                )  # fmt: skip
            window = 60
            cases.append(
                (f"training-compliance on {args.today.isoformat()}", "training-compliance",
                 {"on": args.today.isoformat(), "window": str(window)}, FLOOR_COMPLIANCE,
                 {"on": args.today, "window": window})
            )  # fmt: skip
            if args.only:
                cases = [case for case in cases if args.only in case[0]]

            results = []
            slowest: tuple[float, Callable[[], Any]] | None = None
            for label, name, raw, floor_sql, values in cases:
                definition = get(name)
                assert definition is not None
                build = report_builder(definition, raw, args.today)
                seconds, result = best_of(args.runs, build)
                floor_seconds, floor_rows = best_of(args.runs, floor_query(floor_sql, values))
                check = {
                    "training": check_training,
                    "training-evaluation": check_evaluation,
                    "training-compliance": check_compliance,
                }[name]
                try:
                    check(result, floor_rows)
                except AssertionError as error:
                    failed.append(f"{label} (its figures differ from the floor's: {error})")
                rows = len(list(result.rows))
                results.append((label, rows, seconds, floor_seconds))
                if slowest is None or seconds > slowest[0]:
                    slowest = (seconds, build)
                if seconds >= args.limit:
                    failed.append(label)
                if args.dump:
                    args.dump.mkdir(parents=True, exist_ok=True)
                    safe = label.replace(" ", "_").replace(",", "").replace("/", "-")
                    (args.dump / f"{safe}.json").write_text(
                        json.dumps(comparable(result), indent=1, sort_keys=True)
                    )
                print(f"  {label}: {seconds:.2f} s", flush=True)
            if args.profile and slowest is not None:
                profile = profiled(slowest[1])
            db.session.remove()
            db.engine.dispose()
    finally:
        if own and not args.keep:
            drop_database(own)

    print(
        f"\nTraining reports on PostgreSQL: {people:,} staff, {bookings:,} bookings "
        f"({marked:,} with attendance); best of {args.runs} runs\n{described}; "
        "load average %.1f %.1f %.1f at the end\n" % os.getloadavg()
    )
    print(f"{'report':<44}{'rows':>7}{'time':>8}{'floor':>8}{'ratio':>7}  target")
    for label, rows, seconds, floor_seconds in results:
        floor = f"{floor_seconds:>8.2f}"
        ratio = f"{seconds / floor_seconds:>7.1f}" if floor_seconds else f"{'-':>7}"
        verdict = "ok" if seconds < args.limit else "FAIL"
        print(f"{label:<44}{rows:>7}{seconds:>8.2f}{floor}{ratio}  < {args.limit:g} s {verdict}")
    print(
        "\nSeconds. 'time' is check_parameters + run_report, as the report page, the exports "
        "and the report command call them (viewer: the command line, who sees everyone); "
        "'floor' a hand-written SQL query for the same figures on the same database (every "
        "row and total of the report checked equal to it); 'ratio' time over floor. The "
        "compliance page shows 50 rows at a time, but builds the whole matrix first, as timed."
    )
    if own and args.keep:
        print(f"\nKept the database: postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{own}")
    if args.profile and slowest is not None:
        print("\nThe slowest report, by cumulative time:")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    if failed:
        print(
            f"\nFAIL: {len(failed)} report(s) took {args.limit:g} s or more or disagree with "
            "their floor: " + "; ".join(failed),
            file=sys.stderr,
        )
        return 1
    print(f"\nOK: every report took under {args.limit:g} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
