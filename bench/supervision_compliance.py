"""Time the supervision compliance report on a national-scale authority in PostgreSQL.

    .venv/bin/python bench/supervision_compliance.py [--staff 50000] [--keep]
        [--database-url URL [--reuse]] [--runs 3] [--limit 2] [--sample 1000] [--profile]

Creates its own database ``workforce_bench_supervision_<pid>`` on 127.0.0.1:5432 as user
postgres (dropped at the end unless ``--keep``), or uses ``--database-url``. It migrates it,
loads the shipped supervision policies (monthly, 90 minutes; the ASYE schedule), then loads
a deterministic synthetic authority with PostgreSQL COPY (no ORM objects, so no audit
events): ``--staff`` people in 200 teams with employment spells (a fifth move team once, 12%
leave, about 8% started in the last year, 3% of them newly qualified social workers on the
ASYE), and two years of supervision up to today, about 1 million sessions: each person in
post about monthly with their team's manager (weekly, then fortnightly, for the ASYE), 60 to
120 minutes (a few unrecorded), some long gaps, 4% cancelled and 3% rescheduled, 1% a second
session on the same day, and group sessions for three to six people of a team. It prints
the load rate, then runs VACUUM ANALYZE.

Then, best of ``--runs`` each, it times the ``supervision-compliance`` report builder as the
report page, the exports and ``flask --app wsgi report`` call it (``check_parameters`` then
``run_report``, with the command line's viewer, who sees everyone): one row per person (the
default) and by team; and beside each a hand-written SQL query for the same figures (the
floor): per person, sessions and full-length sessions in their 12 months, the last session
and the longest gap; per team, the people and sessions. Every person's and team's figures
are checked against the floor's, and ``--sample`` people's every figure (expected sessions,
next due, status ...) against ``workforce.services.supervision.compliance_for``, which
judges each person's every session with the pure function. Exits 1 if a report takes
``--limit`` seconds or more, or disagrees.
"""

from __future__ import annotations

import argparse
import os
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
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
HISTORY_DAYS = 730
ROLES = ["3", "4", "5", "6", None]
ROLE_WEIGHTS = [0.05, 0.15, 0.55, 0.1, 0.15]
DURATIONS = [45, 60, 75, 85, 90, 95, 100, 120, 0]  # 0: not recorded
DURATION_WEIGHTS = [0.02, 0.06, 0.04, 0.03, 0.45, 0.1, 0.15, 0.145, 0.005]


# --- the synthetic authority --------------------------------------------------------------


class Loader:
    """Generates the authority (deterministically for a seed) and COPYs it in."""

    def __init__(self, staff: int, today: date, seed: int) -> None:
        self.staff = staff
        self.today = today
        self.rng = np.random.default_rng(seed)
        self.stamp = datetime.combine(today, datetime.min.time(), UTC)
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def teams(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        areas = ["Children's social care", "Early help", "Fostering and adoption"]
        yield (
            "team",
            [
                (n, f"Team {n:03d}", areas[n % len(areas)], "complex", True, self.stamp, self.stamp)
                for n in range(1, TEAMS + 1)
            ],
        )

    def people(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        """Staff rows, then spell rows; keeps each person's days in post and team."""
        rng, n = self.rng, self.staff
        today = self.today.toordinal()
        history = today - HISTORY_DAYS
        kind = rng.random(n)
        new = kind < 0.08  # started in the last year
        asye = kind < 0.025  # ... as a newly qualified social worker
        start = np.where(
            new,
            today - rng.integers(10, 360, n),
            rng.integers(date(2003, 1, 6).toordinal(), today - 400, n),
        )
        leaver = (rng.random(n) < 0.12) & ~new
        end = np.where(leaver, np.maximum(start, history) + 60 + rng.integers(0, 700, n), 0)
        end = np.where(end >= today, 0, end)
        team = rng.integers(1, TEAMS + 1, n)
        new_team = rng.integers(1, TEAMS + 1, n)
        role = rng.choice(len(ROLES), n, p=ROLE_WEIGHTS)
        finish = np.where(end > 0, end, today + 10000)
        move_at = rng.integers(history + 30, today - 30, n)
        moved = ~new & (rng.random(n) < 0.2) & (move_at > start + 60) & (move_at < finish - 60)
        self.first_day = np.maximum(start, history)
        self.last_day = np.minimum(finish, today)
        self.start = start
        self.asye = asye
        # the first person of each team manages it (the supervisor of its sessions); at a
        # small size some teams have nobody to start with, and nobody moves to one of them
        self.manager = {}
        for i in range(n):
            self.manager.setdefault(int(team[i]), i + 1)
        staffed = np.array([int(t) in self.manager for t in new_team], dtype=bool)
        new_team = np.where(staffed, new_team, team)
        self.team_then = (team, new_team, np.where(moved, move_at, finish + 1))
        stamp = self.stamp
        yield (
            "staff",
            [
                (i + 1, f"N{i + 1:07d}", "Sam", f"Person{i + 1}", f"person{i + 1}@bench.example.org",
                 bool(role[i] != 4), stamp, stamp)
                for i in range(n)
            ],
        )  # fmt: skip
        spells: list[tuple[Any, ...]] = []
        hours = Decimal("37")

        def spell(i: int, post: str, grade: str, origin: str | None, team_id: int, begins: int,
                  ends: int | None) -> None:  # fmt: skip
            spells.append(
                (len(spells) + 1, i + 1, post, ROLES[role[i]], grade, hours, hours, "permanent",
                 int(team_id), self.manager.get(int(team_id)), date.fromordinal(begins),
                 date.fromordinal(ends) if ends else None, "1" if ends else None, origin,
                 stamp, stamp)
            )  # fmt: skip

        for i in range(n):
            s, e = int(start[i]), int(end[i]) or None
            if asye[i]:
                spell(i, "Newly qualified social worker (ASYE)", "SW1", "1", team[i], s, e)
            elif moved[i]:
                m = int(move_at[i])
                spell(i, "Social worker", "SW2", "2", team[i], s, m - 1)
                spell(i, "Senior social worker", "SW3", None, new_team[i], m, e)
            else:
                spell(i, "Social worker", "SW2", "2", team[i], s, e)
        yield "employment_spell", spells

    def supervision(self) -> Iterator[tuple[str, Any]]:
        """Sessions (streamed), then their attendees."""
        rng, today = self.rng, self.today.toordinal()
        attendees: list[tuple[Any, ...]] = []
        team, new_team, moved_on = self.team_then
        stamp = self.stamp

        def team_on(i: int, day: int) -> int:
            return int(new_team[i]) if day >= moved_on[i] else int(team[i])

        def sessions() -> Iterator[tuple[Any, ...]]:
            session_id = 0
            for i in range(self.staff):
                a, b = int(self.first_day[i]), int(self.last_day[i])
                if a > b:
                    continue
                if self.asye[i]:
                    anchor = int(self.start[i])
                    offsets = [7 * w for w in range(1, 7)] + [42 + 14 * w for w in range(1, 11)]
                    offsets += [182 + 28 * w for w in range(1, 8)]
                    days = np.array([anchor + o - int(rng.integers(0, 2)) for o in offsets])
                else:
                    steps = rng.integers(22, 36, 34)
                    steps[rng.random(34) < 0.04] += rng.integers(30, 120)  # a long gap
                    days = a + int(rng.integers(0, 20)) + np.cumsum(steps)
                days = days[(days >= a) & (days <= b)]
                if not len(days):
                    continue
                outcome = rng.random(len(days))
                minutes = rng.choice(DURATIONS, len(days), p=DURATION_WEIGHTS)
                twice = rng.random(len(days)) < 0.01
                for k, day in enumerate(days):
                    d = int(day)
                    state = (
                        "cancelled"
                        if outcome[k] < 0.04
                        else "rescheduled"
                        if outcome[k] < 0.07
                        else "held"
                    )
                    length = int(minutes[k]) or None
                    for repeat in range(2 if twice[k] else 1):
                        session_id += 1
                        held = state == "held"
                        duration = (length if repeat == 0 else 60) if held else None
                        yield (
                            session_id, self.manager[team_on(i, d)], "one_to_one",
                            date.fromordinal(d), state, None if held else "Supervisor unavailable",
                            duration,
                            held, held, held, False, held, 3 if held else None, stamp, stamp,
                        )  # fmt: skip
                        # The attendee's copies of the session's facts (the app's flush
                        # listener keeps them; 0 minutes where none were recorded).
                        attendees.append(
                            (session_id, i + 1, date.fromordinal(d), held, duration or 0)
                        )
            # group sessions: three to six people of a team in post that day
            by_team: dict[int, list[int]] = {}
            for i in range(self.staff):
                by_team.setdefault(int(team[i]), []).append(i)
            for team_id, members in by_team.items():
                members_array = np.array(members)
                for day in range(today - HISTORY_DAYS + 30, today, 91):
                    here = members_array[
                        (self.first_day[members_array] <= day)
                        & (self.last_day[members_array] >= day)
                        & (moved_on[members_array] > day)
                    ]
                    here = here[here + 1 != self.manager[team_id]]
                    if len(here) < 3:
                        continue
                    chosen = rng.choice(
                        here, min(len(here), int(rng.integers(3, 7))), replace=False
                    )
                    session_id += 1
                    yield (
                        session_id, self.manager[team_id], "group", date.fromordinal(day),
                        "held", None, 120, True, False, False, True, True, 2, stamp, stamp,
                    )  # fmt: skip
                    attendees.extend(
                        (session_id, int(p) + 1, date.fromordinal(day), True, 120) for p in chosen
                    )

        yield "supervision_session", sessions()
        yield (
            "supervision_attendee",
            (
                (n, session_id, staff_id, stamp, held_on, held, minutes)
                for n, (session_id, staff_id, held_on, held, minutes) in enumerate(
                    attendees, start=1
                )
            ),
        )

    def load(self, raw: Any) -> None:
        """COPY every generated table in, timing generation and COPY together."""
        stamps = "created_at, updated_at"
        columns = {
            "team": f"id, name, service_area, tier_of_need, active, {stamps}",
            "staff": "id, staff_number, first_name, last_name, work_email, "
            f"qualified_social_worker, {stamps}",
            "employment_spell": "id, staff_id, post_title, org_role, grade, contracted_hours, "
            "standard_hours, contract_type, team_id, line_manager_id, start_date, end_date, "
            f"leaving_reason, start_origin, {stamps}",
            "supervision_session": "id, supervisor_id, kind, held_on, outcome, reason, "
            "duration_minutes, covers_decisions, covers_management, covers_workload, "
            f"covers_development, covers_wellbeing, cases_discussed, {stamps}",
            "supervision_attendee": "id, session_id, staff_id, acknowledged_at, held_on, held, "
            "minutes",
        }

        def streams() -> Iterator[tuple[str, Any]]:
            yield from self.teams()
            yield from self.people()
            yield from self.supervision()

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
        raw.commit()


# --- the floor: hand-written SQL for the same figures ----------------------------------------

FLOOR = """
WITH ranked AS (
    SELECT e.staff_id, e.team_id, e.start_date, e.start_origin,
           row_number() OVER (PARTITION BY e.staff_id ORDER BY e.start_date DESC, e.id DESC) AS r
    FROM employment_spell e
    WHERE e.start_date <= %(on)s AND (e.end_date IS NULL OR e.end_date >= %(on)s)),
people AS (
    SELECT r.staff_id, r.team_id,
           greatest(%(first)s::date, CASE
               WHEN r.start_origin = '1'
                    AND %(on)s::date < (r.start_date + interval '12 months')::date
               THEN r.start_date
               ELSE (SELECT min(f.start_date) FROM employment_spell f
                     WHERE f.staff_id = r.staff_id) END) AS first_day
    FROM ranked r WHERE r.r = 1),
days AS (
    SELECT a.staff_id, s.held_on AS day, max(s.duration_minutes) AS minutes
    FROM supervision_session s JOIN supervision_attendee a ON a.session_id = s.id
    WHERE s.outcome = 'held' AND s.held_on >= %(first)s AND s.held_on <= %(on)s
    GROUP BY a.staff_id, s.held_on),
stepped AS (
    SELECT d.staff_id, d.day, d.minutes,
           lag(d.day) OVER (PARTITION BY d.staff_id ORDER BY d.day) AS previous
    FROM days d JOIN people p ON p.staff_id = d.staff_id
    WHERE d.day >= p.first_day),
figures AS (
    SELECT staff_id, count(*) AS sessions, count(*) FILTER (WHERE minutes >= 90) AS full_length,
           min(day) AS first, max(day) AS last, max(day - previous) AS step
    FROM stepped GROUP BY staff_id),
before AS (
    SELECT a.staff_id, max(s.held_on) AS last
    FROM supervision_session s JOIN supervision_attendee a ON a.session_id = s.id
    WHERE s.outcome = 'held' AND s.held_on < %(first)s
    GROUP BY a.staff_id)
SELECT p.staff_id, t.name, coalesce(f.sessions, 0), coalesce(f.full_length, 0),
       coalesce(f.last, b.last),
       CASE WHEN f.sessions IS NULL THEN %(on)s::date - p.first_day + 1
            ELSE greatest(f.first - p.first_day, %(on)s::date - f.last,
                          coalesce(f.step - 1, 0)) END
FROM people p JOIN team t ON t.id = p.team_id
LEFT JOIN figures f ON f.staff_id = p.staff_id
LEFT JOIN before b ON b.staff_id = p.staff_id
"""
#: The floor above gives the last session before the window for people whose first day is
#: later than the window's (new starters), where the report judges every session; it is
#: never used for them, since those people's days in the window are all after their start.


def floor_query(values: dict[str, Any]) -> Callable[[], list[tuple[Any, ...]]]:
    from workforce.extensions import db

    def run() -> list[tuple[Any, ...]]:
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(FLOOR, values)
            return cursor.fetchall()

    return run


def check_people(result: Any, floor: list[tuple[Any, ...]]) -> None:
    want = {row[0]: (row[2], row[3], row[4], row[5]) for row in floor}
    got = {
        row["_staff_id"]: (
            row["sessions"],
            row["full_length"],
            row["last_held"],
            row["longest_gap"],
        )
        for row in result.rows
    }
    assert len(got) == len(want), f"{len(got)} people, the floor {len(want)}"
    wrong = [k for k in want if got.get(k) != want[k]]
    assert not wrong, (
        f"{len(wrong)} people differ, e.g. {wrong[0]}: {got.get(wrong[0])} {want[wrong[0]]}"
    )


def check_teams(result: Any, floor: list[tuple[Any, ...]]) -> None:
    want: dict[str, list[int]] = {}
    for row in floor:
        figures = want.setdefault(row[1], [0, 0])
        figures[0] += 1
        figures[1] += row[2]
    got = {row["team"]: [row["people"], row["sessions"]] for row in result.rows}
    assert got == want, "teams differ"
    assert result.summary["people"] == len(floor)


def check_sample(result: Any, sample: int, on: date, seed: int) -> int:
    """``sample`` people's every figure equals the pure function's over all their sessions."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from workforce.extensions import db
    from workforce.models import Staff
    from workforce.reports.supervision import STATUS_LABELS
    from workforce.services.supervision import compliance_for

    rows = {row["_staff_id"]: row for row in result.rows}
    picked = sorted(np.random.default_rng(seed).choice(sorted(rows), sample, replace=False))
    people = list(
        db.session.scalars(
            select(Staff).where(Staff.id.in_([int(i) for i in picked]))
            .options(selectinload(Staff.spells))
        )
    )  # fmt: skip
    keys = ("expected", "sessions", "full_length", "last_held", "days_since_last",
            "longest_gap", "next_due")  # fmt: skip
    for item in compliance_for(people, on):
        row, pure = rows[item.staff.id], item.result
        assert pure is not None
        assert tuple(row[k] for k in keys) == tuple(getattr(pure, k) for k in keys), item.staff.id
        assert row["status"] == STATUS_LABELS[pure.status], item.staff.id
    return len(people)


# --- timing -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=50000, help="people (default 50000)")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead")
    parser.add_argument(
        "--reuse", action="store_true", help="with --database-url: time a database loaded before"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it creates")
    parser.add_argument("--runs", type=int, default=3, help="runs of each report; the best counts")
    parser.add_argument("--limit", type=float, default=2.0, help="seconds each report must beat")
    parser.add_argument(
        "--sample", type=int, default=1000, help="people checked against the pure function"
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--profile", action="store_true", help="print where the slowest report spends its time"
    )
    args = parser.parse_args(argv)
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from workforce import create_app
    from workforce.extensions import db
    from workforce.metrics.supervision import window_start
    from workforce.models import Staff
    from workforce.models.supervision import SupervisionAttendee, SupervisionSession
    from workforce.reports.registry import get
    from workforce.services.supervision import load_default_policies

    url, own = bench_database(args.database_url, f"workforce_bench_supervision_{os.getpid()}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    failed: list[str] = []
    try:
        with app.app_context():
            upgrade()
            held = staff_to_reuse(url, args.reuse)
            if held is None:
                return 2
            if not held:
                load_default_policies()
                db.session.commit()
                loader = Loader(args.staff, args.today, args.seed)
                loaded = copy_in(loader)
                print_load(loader.rows, loader.seconds, loaded, vacuum_analyse())
            described = machine("postgresql")
            people = db.session.scalar(select(func.count()).select_from(Staff))
            sessions = db.session.scalar(select(func.count()).select_from(SupervisionSession))
            attendees = db.session.scalar(select(func.count()).select_from(SupervisionAttendee))
            db.session.rollback()

            on = args.today
            values = {"on": on, "first": window_start(on)}
            floor_seconds, floor_rows = best_of(args.runs, floor_query(values))
            results = []
            slowest: tuple[float, Callable[[], Any]] | None = None
            for by in ("person", "team"):
                label = f"supervision-compliance by {by} on {on.isoformat()}"
                definition = get("supervision-compliance")
                build = report_builder(definition, {"on": on.isoformat(), "by": by}, on)
                seconds, result = best_of(args.runs, build)
                try:
                    if by == "person":
                        check_people(result, floor_rows)
                        checked = check_sample(
                            result, min(args.sample, len(result.rows)), on, args.seed
                        )
                        statuses = Counter(row["status"] for row in result.rows)
                        print(
                            f"  {checked} people checked against the pure function; {dict(statuses)}"
                        )
                    else:
                        check_teams(result, floor_rows)
                except AssertionError as error:
                    failed.append(f"{label} (its figures differ: {error})")
                db.session.rollback()
                results.append((label, len(result.rows), seconds))
                if slowest is None or seconds > slowest[0]:
                    slowest = (seconds, build)
                if seconds >= args.limit:
                    failed.append(label)
                print(f"  {label}: {seconds:.2f} s", flush=True)
            if args.profile and slowest is not None:
                profile = profiled(slowest[1])
            db.session.remove()
            db.engine.dispose()
    finally:
        if own and not args.keep:
            drop_database(own)

    print(
        f"\nSupervision compliance on PostgreSQL: {people:,} staff, {sessions:,} sessions, "
        f"{attendees:,} attendances; best of {args.runs} runs\n{described}; "
        "load average %.1f %.1f %.1f at the end\n" % os.getloadavg()
    )
    print(f"{'report':<52}{'rows':>7}{'time':>8}{'floor':>8}{'ratio':>7}  target")
    for label, rows, seconds in results:
        verdict = "ok" if seconds < args.limit else "FAIL"
        print(
            f"{label:<52}{rows:>7}{seconds:>8.2f}{floor_seconds:>8.2f}"
            f"{seconds / floor_seconds:>7.1f}  < {args.limit:g} s {verdict}"
        )
    print(
        "\nSeconds. 'time' is check_parameters + run_report, as the report page, the exports "
        "and the report command call them (viewer: the command line, who sees everyone); "
        "'floor' one hand-written SQL query giving every person's sessions, full-length "
        "sessions, last session and longest gap (both rows checked equal to it; the team rows "
        "add it up); 'ratio' time over floor."
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
    print(f"\nOK: every report took under {args.limit:g} s and agrees with its floor.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
