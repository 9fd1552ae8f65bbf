"""Time the caseload report on a national-scale authority in PostgreSQL.

    .venv/bin/python bench/caseload_report.py [--staff 50000] [--keep]
        [--database-url URL [--reuse]] [--runs 3] [--limit 2] [--profile]

Creates its own database ``workforce_bench_caseload_<pid>`` on 127.0.0.1:5432 as user
postgres (dropped at the end unless ``--keep``), or uses ``--database-url``. It migrates it,
loads the shipped case types and default weighting scheme (in force from 1 April 2020) and
adds two more versions through the service (from ten years ago, and from a year ago with a
stable element of 20), then loads a deterministic synthetic authority with PostgreSQL COPY
(no ORM objects, so no audit events): ``--staff`` people in 200 teams with ten years of
employment history (a fifth move team once, a third leave, some start as newly qualified
social workers or carry the ASYE KSS status, a fifth part-time), and for the 45% who hold
cases, a caseload snapshot every quarter in post (every month in the last three years) with
one to four case types and tiers each: about 2 million caseload count rows. Each snapshot's
stored ``total_cases`` and ``case_points`` (under the scheme in force on its date) are
computed with the COPY data, as part of the load. It prints the load rate, then runs VACUUM
ANALYZE.

Then, best of ``--runs`` each, it times the ``caseload`` report builder as the report page,
the exports and ``flask --app wsgi report`` call it (``check_parameters`` then
``run_report``, with the command line's viewer, who sees everyone): by worker (the
default), by team, and the trend over 12 months; and beside each a hand-written SQL
query (the floor, reading the same stored totals) for the same figures: every worker's
cases, weighted points and band on the day (checked equal to the report's worker rows, and
the team rows and summary against their sums), and per month the workers, workers within
the desired level, over capacity and cases (checked equal to the trend rows).

Then it checks every snapshot's stored totals against a recomputation from its counts (hand
SQL), and times, once each and rolled back after, what keeps them at this scale: a point per
case changed in the scheme in force, that scheme's effective date moved 30 days earlier, and
``recompute_snapshot_totals()`` over every snapshot, each checked against the counts after.
Exits 1 if a report takes ``--limit`` seconds or more, disagrees with its floor, or a stored
total disagrees with the counts.
"""

from __future__ import annotations

import argparse
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
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
from sqlalchemy import text

SEED = 2026
TEAMS = 200
HISTORY_YEARS = 10
ROLES = ["2", "3", "4", "5", "6", None]
ROLE_WEIGHTS = [0.04, 0.06, 0.10, 0.35, 0.10, 0.35]
CASE_HOLDING = {"4", "5"}
HOURS = [Decimal("37"), Decimal("30"), Decimal("22.5"), Decimal("18.5")]
HOURS_WEIGHTS = [0.8, 0.1, 0.05, 0.05]


def month_days(first: date, last: date, day: int) -> list[date]:
    """The ``day``th of every month from ``first``'s month to ``last``, within both."""
    out = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        candidate = date(year, month, day)
        if first <= candidate <= last:
            out.append(candidate)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


class Loader:
    """Generates the authority (deterministically for a seed) and COPYs it in."""

    def __init__(
        self,
        staff: int,
        today: date,
        seed: int,
        types: list[int],
        schemes: list[tuple[date, dict[tuple[int, int], Decimal]]],
    ) -> None:
        self.staff = staff
        self.today = today
        self.types = types
        #: (effective from, points per (case type id, tier)) of every scheme, by date
        self.schemes = sorted(schemes, key=lambda pair: pair[0])
        self.rng = np.random.default_rng(seed)
        self.stamp = datetime.combine(today, datetime.min.time(), UTC)
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.posts: list[tuple[int, int, int, int]] = []  # (staff id, start, end, role index)

    def teams(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        yield (
            "team",
            [
                (n, f"Team {n:03d}", "Children's social care", "complex", True, self.stamp,
                 self.stamp)
                for n in range(1, TEAMS + 1)
            ],
        )  # fmt: skip

    def people(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        rng, n, stamp = self.rng, self.staff, self.stamp
        today = self.today.toordinal()
        history = self.today.replace(year=self.today.year - HISTORY_YEARS).toordinal()
        start = rng.integers(history - 3650, today - 30, n)
        leaver = rng.random(n) < 0.33
        end = np.where(leaver, np.maximum(start, history) + rng.integers(90, 3000, n), 0)
        end = np.where(end >= today, 0, end)
        role = rng.choice(len(ROLES), n, p=ROLE_WEIGHTS)
        team = rng.integers(1, TEAMS + 1, n)
        new_team = rng.integers(1, TEAMS + 1, n)
        hours = rng.choice(len(HOURS), n, p=HOURS_WEIGHTS)
        nqsw = (rng.random(n) < 0.06) & (start > history)
        kss_asye = rng.random(n) < 0.02
        finish = np.where(end > 0, end, today + 1)
        move_at = rng.integers(history, today, n)
        moved = (rng.random(n) < 0.2) & (move_at > start + 90) & (move_at < finish - 90)
        yield (
            "staff",
            [
                (i + 1, f"C{i + 1:07d}", "Sam", f"Person{i + 1}", f"p{i + 1}@bench.example.org",
                 True, stamp, stamp)
                for i in range(n)
            ],
        )  # fmt: skip
        spells: list[tuple[Any, ...]] = []

        def spell(i: int, team_id: int, begins: int, ends: int | None, origin: str | None,
                  kss: str | None) -> None:  # fmt: skip
            spells.append(
                (len(spells) + 1, i + 1, "Social worker", ROLES[role[i]], "SW2",
                 HOURS[hours[i]], Decimal("37"), "permanent", int(team_id),
                 date.fromordinal(begins), date.fromordinal(ends) if ends else None,
                 "1" if ends else None, origin, kss, stamp, stamp)
            )  # fmt: skip

        for i in range(n):
            s, e = int(start[i]), int(end[i]) or None
            origin = "1" if nqsw[i] else "2"
            kss = "1" if kss_asye[i] else None
            if moved[i]:
                m = int(move_at[i])
                spell(i, team[i], s, m - 1, origin, kss)
                spell(i, new_team[i], m, e, None, None)
            else:
                spell(i, team[i], s, e, origin, kss)
            if ROLES[role[i]] in CASE_HOLDING:
                self.posts.append((i + 1, max(s, history), int(finish[i]) - 1, i))
        yield "employment_spell", spells

    def caseloads(self) -> Iterator[tuple[str, Any]]:
        rng = self.rng
        counts: list[tuple[Any, ...]] = []
        monthly_from = self.today.replace(year=self.today.year - 3)
        stamp = self.stamp
        types = np.array(self.types)

        def snapshots() -> Iterator[tuple[Any, ...]]:
            snapshot_id = 0
            for staff_id, first, last, _ in self.posts:
                day = int(rng.integers(1, 29))
                days = month_days(date.fromordinal(first), date.fromordinal(last), day)
                days = [d for d in days if d >= monthly_from or d.month % 3 == 0]
                kinds = rng.integers(1, 5, len(days))
                for k, taken in enumerate(days):
                    snapshot_id += 1
                    extra = Decimal(int(rng.integers(0, 3)) * 5) if rng.random() < 0.1 else 0
                    chosen = rng.choice(len(types) * 3, int(kinds[k]), replace=False)
                    held = [
                        (snapshot_id, int(types[c // 3]), int(c % 3) + 1, int(rng.integers(1, 9)))
                        for c in chosen
                    ]
                    counts.extend(held)
                    # the stored figures, as the service keeps them (not timed: part of the load)
                    weights = self.weights_on(taken)
                    total = sum(cases for *_, cases in held)
                    points = sum(
                        (cases * weights.get((t, tier), Decimal(0)) for _, t, tier, cases in held),
                        Decimal(0),
                    )
                    yield (snapshot_id, staff_id, taken, extra, "import", total, points, stamp,
                           stamp)  # fmt: skip

        yield "caseload_snapshot", snapshots()
        yield (
            "caseload_count",
            ((n, *row) for n, row in enumerate(counts, start=1)),
        )

    def weights_on(self, day: date) -> dict[tuple[int, int], Decimal]:
        """Points per case of the scheme in force on ``day`` (none before every scheme)."""
        found: dict[tuple[int, int], Decimal] = {}
        for effective, weights in self.schemes:
            if effective > day:
                break
            found = weights
        return found

    def load(self, raw: Any) -> None:
        stamps = "created_at, updated_at"
        columns = {
            "team": f"id, name, service_area, tier_of_need, active, {stamps}",
            "staff": "id, staff_number, first_name, last_name, work_email, "
            f"qualified_social_worker, {stamps}",
            "employment_spell": "id, staff_id, post_title, org_role, grade, contracted_hours, "
            "standard_hours, contract_type, team_id, start_date, end_date, leaving_reason, "
            f"start_origin, cfkss_status, {stamps}",
            "caseload_snapshot": "id, staff_id, taken_on, extra_points, source, total_cases, "
            f"case_points, {stamps}",
            "caseload_count": "id, snapshot_id, case_type_id, tier, cases",
        }

        def streams() -> Iterator[tuple[str, Any]]:
            yield from self.teams()
            yield from self.people()
            yield from self.caseloads()

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

JUDGED = """
WITH days(idx, first_day, last_day) AS (SELECT * FROM unnest(%(idx)s::int[],
        %(firsts)s::date[], %(lasts)s::date[])),
latest AS (
    SELECT DISTINCT ON (d.idx, s.staff_id) d.idx, d.last_day, s.id, s.staff_id, s.taken_on,
           s.extra_points, s.total_cases, s.case_points
    FROM days d JOIN caseload_snapshot s ON s.taken_on BETWEEN d.first_day AND d.last_day
    ORDER BY d.idx, s.staff_id, s.taken_on DESC),
placed AS (
    SELECT DISTINCT ON (l.idx, l.id) l.*, e.team_id,
           round(least(e.contracted_hours / e.standard_hours, 1), 6) AS fte,
           (e.cfkss_status = '1' OR (e.start_origin = '1'
                AND l.taken_on < (e.start_date + interval '1 year')::date)) AS asye,
           (SELECT w.id FROM weighting_scheme w WHERE w.effective_from <= l.taken_on
            ORDER BY w.effective_from DESC LIMIT 1) AS scheme_id
    FROM latest l JOIN employment_spell e ON e.staff_id = l.staff_id
         AND e.start_date <= l.taken_on AND (e.end_date IS NULL OR e.end_date >= l.taken_on)
    WHERE EXISTS (SELECT 1 FROM employment_spell n WHERE n.staff_id = l.staff_id
                  AND n.start_date <= l.last_day
                  AND (n.end_date IS NULL OR n.end_date >= l.last_day))
    ORDER BY l.idx, l.id, e.start_date DESC, e.id DESC),
pointed AS (
    SELECT p.idx, p.staff_id, p.team_id, p.fte, p.scheme_id, p.total_cases AS cases,
           ws.stable_points + p.extra_points + p.case_points AS points,
           CASE WHEN coalesce(p.asye, false) THEN ws.asye_max ELSE ws.full_time_max END
               * p.fte AS capacity
    FROM placed p JOIN weighting_scheme ws ON ws.id = p.scheme_id),
judged AS (
    SELECT t.*, b.name AS band, coalesce(b.within_desired, false) AS within
    FROM pointed t LEFT JOIN LATERAL (
        SELECT u.name, u.within_desired FROM utilisation_band u
        WHERE u.scheme_id = t.scheme_id AND t.capacity > 0
          AND t.points * 100 >= u.lower_pct * t.capacity
          AND (u.upper_pct IS NULL OR t.points * 100 < u.upper_pct * t.capacity)) b ON true)
"""
PER_WORKER = (
    JUDGED + "SELECT staff_id, team_id, cases, round(points, 2), band, within, fte FROM judged"
)
PER_MONTH = (
    JUDGED
    + """SELECT idx, count(*), count(*) FILTER (WHERE within),
       count(*) FILTER (WHERE points > capacity), sum(cases)
FROM judged GROUP BY idx ORDER BY idx"""
)


def floor_query(sql: str, days: list[tuple[int, date, date]]) -> Callable[[], list[Any]]:
    from workforce.extensions import db

    values = {
        "idx": [d[0] for d in days],
        "firsts": [d[1] for d in days],
        "lasts": [d[2] for d in days],
    }

    def run() -> list[Any]:
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()

    return run


def check_workers(result: Any, floor: list[Any]) -> None:
    want = {row[0]: (row[2], row[3], row[4] or "") for row in floor}
    got = {r["_staff_id"]: (r["cases"], r["points"], r["band"]) for r in result.rows}
    assert len(got) == len(want), f"{len(got)} workers, the floor {len(want)}"
    wrong = [k for k in want if got.get(k) != want[k]]
    assert not wrong, f"{len(wrong)} differ, e.g. {wrong[0]}: {got.get(wrong[0])} {want[wrong[0]]}"
    assert result.summary["within"] == sum(1 for row in floor if row[5])
    assert result.summary["cases"] == sum(row[2] for row in floor)


def check_teams(result: Any, floor: list[Any]) -> None:
    from workforce.extensions import db

    names = dict(db.session.execute(text("SELECT id, name FROM team")).all())
    want: dict[str, list[Any]] = defaultdict(lambda: [0, 0, 0, Decimal(0)])
    for _staff_id, team_id, cases, _, _, within, fte in floor:
        figures = want[names[team_id]]
        figures[0] += 1
        figures[1] += int(within)
        figures[2] += cases
        figures[3] += fte if cases >= 1 else 0
    got = {
        r["team"]: [r["workers"], r["within"], r["cases"], r["average_caseload"]]
        for r in result.rows
    }
    expected = {
        team: [w, i, c, (Decimal(c) / f).quantize(Decimal("0.1"), ROUND_HALF_UP) if f else None]
        for team, (w, i, c, f) in want.items()
    }
    assert got == expected, "teams differ"


def check_trend(result: Any, floor: list[Any]) -> None:
    want = {row[0]: (row[1], row[2], row[3], row[4]) for row in floor}
    for index, row in enumerate(result.rows):
        figures = (row["workers"], row["within"], row["over_capacity"], row["cases"])
        assert figures == want.get(index, (0, 0, 0, 0)), (
            f"{row['month']}: {figures} {want.get(index)}"
        )


# --- the stored totals ---------------------------------------------------------------------

#: Snapshots whose stored total cases or case points differ from a recomputation from their
#: counts under the scheme in force on their date (hand-written: hash joins, no service code).
STORED_WRONG = """
WITH sch AS (SELECT id, effective_from,
                    lead(effective_from) OVER (ORDER BY effective_from) AS until
             FROM weighting_scheme),
per AS (SELECT c.snapshot_id, sum(c.cases) AS cases, sum(c.cases * coalesce(w.points, 0)) AS points
        FROM caseload_count c JOIN caseload_snapshot s ON s.id = c.snapshot_id
        LEFT JOIN sch ON s.taken_on >= sch.effective_from
             AND (sch.until IS NULL OR s.taken_on < sch.until)
        LEFT JOIN case_weight w ON w.scheme_id = sch.id AND w.case_type_id = c.case_type_id
             AND w.tier = c.tier
        GROUP BY c.snapshot_id)
SELECT count(*) FROM caseload_snapshot s LEFT JOIN per ON per.snapshot_id = s.id
WHERE s.total_cases <> coalesce(per.cases, 0) OR s.case_points <> coalesce(per.points, 0)
"""


def scheme_weights() -> list[tuple[date, dict[tuple[int, int], Decimal]]]:
    """(effective from, points per (case type id, tier)) of every scheme."""
    from workforce.services import caseloads as service

    return [
        (scheme.effective_from, {(w.case_type_id, w.tier): w.points for w in scheme.weights})
        for scheme in service.schemes()
    ]


def stored_wrong() -> int:
    from workforce.extensions import db

    return int(db.session.execute(text(STORED_WRONG)).scalar_one())


def check_stored(failed: list[str]) -> tuple[float, int]:
    """How many snapshots' stored totals differ from their counts (and how long it took)."""
    t0 = time.perf_counter()
    wrong = stored_wrong()
    if wrong:
        failed.append(f"{wrong:,} snapshots' stored totals differ from their counts")
    return time.perf_counter() - t0, wrong


def keeping_up(failed: list[str]) -> list[tuple[str, int, float, int]]:
    """Time what keeps the stored totals at this scale, each rolled back after: changing
    one point per case of the scheme in force (its year of snapshots recomputed), moving
    its effective date a month earlier, and ``recompute_snapshot_totals()`` over every
    snapshot (what a bulk loader calls); each checked against the counts after."""
    from workforce.extensions import db
    from workforce.services import caseloads as service

    out: list[tuple[str, int, float, int]] = []

    def timed(label: str, change: Callable[[], int]) -> None:
        db.session.expire_all()
        t0 = time.perf_counter()
        rows = change()
        db.session.flush()
        seconds = time.perf_counter() - t0
        wrong = stored_wrong()
        if wrong:
            failed.append(f"{label}: {wrong:,} snapshots' stored totals differ after")
        db.session.rollback()
        out.append((label, rows, seconds, wrong))

    def recomputed() -> int:
        from sqlalchemy import select

        from workforce.models import AuditEvent

        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "recompute")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
        return int(event.changes["snapshots"]) if event is not None else 0

    def weight() -> int:
        scheme = service.schemes()[0]
        details = service.details_of(scheme)
        key = next(iter(sorted(details.weights)))
        details.weights[key] = (details.weights[key] or Decimal(0)) + 1
        service.update_scheme(scheme, details)
        return recomputed()

    def move() -> int:
        scheme = service.schemes()[0]
        details = service.details_of(scheme)
        assert details.effective_from is not None
        details.effective_from -= timedelta(days=30)
        service.update_scheme(scheme, details)
        return recomputed()

    timed("a point per case changed in the scheme in force", weight)
    timed("the scheme in force starts 30 days earlier", move)
    timed("recompute_snapshot_totals() over every snapshot", service.recompute_snapshot_totals)
    return out


# --- timing -------------------------------------------------------------------------------


def add_versions(today: date) -> None:
    """Two more versions of the default scheme, through the service."""
    from workforce.services import caseloads as service

    default = service.scheme_in_force(date(2020, 4, 1))
    assert default is not None
    early = service.details_of(default)
    early.name, early.effective_from = (
        "Scheme of ten years ago",
        today.replace(year=today.year - HISTORY_YEARS),
    )
    service.create_scheme(early)
    later = service.details_of(default)
    later.name, later.effective_from = "Scheme of last year", today - timedelta(days=365)
    later.stable_points = Decimal("20")
    service.create_scheme(later)


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
    from workforce.models import CaseloadCount, CaseloadSnapshot, CaseType, Staff
    from workforce.reports.caseload import TREND_MONTHS, WINDOW_DAYS, trend_days
    from workforce.reports.registry import get
    from workforce.services.caseloads import load_caseload_defaults

    url, own = bench_database(args.database_url, f"workforce_bench_caseload_{os.getpid()}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    failed: list[str] = []
    results: list[tuple[str, int, float, float]] = []
    try:
        with app.app_context():
            upgrade()
            held = staff_to_reuse(url, args.reuse)
            if held is None:
                return 2
            if not held:
                load_caseload_defaults()
                add_versions(args.today)
                db.session.commit()
                types = list(db.session.scalars(select(CaseType.id).order_by(CaseType.id)))
                loader = Loader(args.staff, args.today, args.seed, types, scheme_weights())
                loaded = copy_in(loader)
                print_load(loader.rows, loader.seconds, loaded, vacuum_analyse())
            described = machine("postgresql")
            people = db.session.scalar(select(func.count()).select_from(Staff))
            snapshots = db.session.scalar(select(func.count()).select_from(CaseloadSnapshot))
            counts = db.session.scalar(select(func.count()).select_from(CaseloadCount))
            db.session.rollback()

            on = args.today
            one_day = [(0, on - timedelta(days=WINDOW_DAYS), on)]
            slowest: tuple[float, Callable[[], Any]] | None = None
            definition = get("caseload")
            for by in ("worker", "team", "trend"):
                label = f"caseload by {by} on {on.isoformat()}"
                build = report_builder(definition, {"on": on.isoformat(), "by": by}, on)
                if by in TREND_MONTHS:
                    days = [(i, f, last) for i, f, last, _ in trend_days(on, TREND_MONTHS[by])]
                    floor = floor_query(PER_MONTH, days)
                else:
                    floor = floor_query(PER_WORKER, one_day)
                floor_seconds, floor_rows = best_of(args.runs, floor)
                seconds, result = best_of(args.runs, build)
                try:
                    if by == "worker":
                        check_workers(result, floor_rows)
                    elif by == "team":
                        check_teams(result, floor_rows)
                    else:
                        check_trend(result, floor_rows)
                except AssertionError as error:
                    failed.append(f"{label} (its figures differ: {error})")
                db.session.rollback()
                results.append((label, len(result.rows), seconds, floor_seconds))
                if slowest is None or seconds > slowest[0]:
                    slowest = (seconds, build)
                if seconds >= args.limit:
                    failed.append(label)
                print(f"  {label}: {seconds:.2f} s (floor {floor_seconds:.2f} s)", flush=True)
                if by == "worker":
                    summary = result.summary
                    print(
                        f"    {summary['workers']:,} workers, {summary['within_rate']} within the "
                        f"desired level, {summary['over_capacity']:,} over capacity, "
                        f"{summary['average_caseload']} cases per case-holding FTE"
                    )
            stored = check_stored(failed)
            upkeep = keeping_up(failed)
            if args.profile and slowest is not None:
                profile = profiled(slowest[1])
            db.session.remove()
            db.engine.dispose()
    finally:
        if own and not args.keep:
            drop_database(own)

    print(
        f"\nCaseload report on PostgreSQL: {people:,} staff, {snapshots:,} snapshots, "
        f"{counts:,} caseload counts; best of {args.runs} runs\n{described}; "
        "load average %.1f %.1f %.1f at the end\n" % os.getloadavg()
    )
    print(f"{'report':<40}{'rows':>7}{'time':>8}{'floor':>8}{'ratio':>7}  target")
    for label, rows, seconds, floor_seconds in results:
        verdict = "ok" if seconds < args.limit else "FAIL"
        print(
            f"{label:<40}{rows:>7}{seconds:>8.2f}{floor_seconds:>8.2f}"
            f"{seconds / floor_seconds:>7.1f}  < {args.limit:g} s {verdict}"
        )
    print(
        "\nSeconds. 'time' is check_parameters + run_report, as the report page, the exports "
        "and the report command call them (viewer: the command line, who sees everyone); "
        "'floor' a hand-written SQL query for the same figures from the same stored totals "
        "(every worker's cases, points and band; per month the workers, within the desired "
        "level, over capacity and cases), which the report's rows are checked against; "
        "'ratio' time over floor."
    )
    print(
        f"\nStored totals: {stored[1]:,} snapshots whose total_cases or case_points differ "
        f"from their counts under the scheme then in force (checked in {stored[0]:.1f} s).\n"
        "Keeping them (once, in a transaction rolled back after):"
    )
    for label, rows, seconds, wrong in upkeep:
        print(f"  {label}: {rows:,} snapshots in {seconds:.2f} s; {wrong:,} differ after")
    if own and args.keep:
        print(f"\nKept the database: postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{own}")
    if args.profile and slowest is not None:
        print("\nThe slowest report, by cumulative time:")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    if failed:
        print(
            f"\nFAIL: {len(failed)} problem(s) (a report taking {args.limit:g} s or more, "
            "disagreeing with its floor, or stored totals differing from the counts): "
            + "; ".join(failed),
            file=sys.stderr,
        )
        return 1
    print(
        f"\nOK: every report took under {args.limit:g} s and agrees with its floor; every "
        "stored total agrees with the counts."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
