"""Time the turnover report on a national-scale authority in PostgreSQL.

    .venv/bin/python bench/turnover_report.py [--staff 50000] [--year 2025] [--keep]
        [--database-url URL [--reuse]] [--runs 3] [--limit 2]

Creates its own database ``workforce_bench_turnover_<pid>`` on 127.0.0.1:5432 as user
postgres (dropped at the end unless ``--keep``), or uses ``--database-url``. It migrates it
and loads a deterministic synthetic authority with PostgreSQL COPY (no ORM objects, so no
audit events): ``--staff`` people over ten years of employment history in 200 teams (each
joins on a day of the ten years before the census year ends, or earlier, and stays for an
exponential time of mean six years; a fifth move team or role once, 3% hold a second post
alongside, 8% are agency workers (four in five covering a vacancy), 5% hold posts without
an organisational role, 10% start newly qualified), three establishment records per team,
about 1.5 absences per person-year with a census reason, and monthly caseload snapshots for
the last three years of everyone in post in a case-holding role, with two counts each
(about 2 million caseload rows). Then VACUUM ANALYZE.

Best of ``--runs`` each, it times the ``turnover`` report as the page, the exports and
``flask --app wsgi report`` build it (``check_parameters`` then ``run_report``) for the
census year ``--year`` by team, by role and by year (five census years), and a hand-written
SQL query for the headline figures of that year (the floor). The report's totals (headcount
and FTE in post, starters, leavers, agency FTE and cover, working days lost to sickness,
cases and case-holding FTE) are checked against the floor's. Exits 1 if a report takes
``--limit`` seconds or more, or disagrees.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from common import (
    bench_database,
    best_of,
    copy_in,
    drop_database,
    machine,
    report_builder,
    vacuum_analyse,
)

SEED = 2026
TEAMS = 200
ROLES = ["1", "2", "3", "4", "5", "6"]
ROLE_WEIGHTS = [0.01, 0.04, 0.1, 0.2, 0.55, 0.1]
REASONS = ["MAT", "OTH", "PUB", "SIC", "SIC", "SIC", "TRN", "UNA", "UNP"]
HOURS = ["37", "37", "37", "37", "29.6", "22.2", "18.5"]


class Loader:
    """Generates the synthetic authority and COPYs it in."""

    def __init__(self, staff: int, last_day: date, seed: int) -> None:
        self.staff = staff
        self.last_day = last_day
        self.first_day = last_day - timedelta(days=3652)
        self.random = random.Random(seed)
        self.now = datetime.now(UTC)
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.spells: list[tuple[Any, ...]] = []

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.random.randrange((last - first).days + 1))

    def teams(self) -> Iterator[tuple[str, Any]]:
        yield (
            "team",
            (
                (i, f"Team {i:03d}", "Children's social care", "complex", True, self.now, self.now)
                for i in range(1, TEAMS + 1)
            ),
        )

    def people(self) -> Iterator[tuple[str, Any]]:
        r = self.random
        staff_rows, spells = [], []
        spell_id = 0
        for person in range(1, self.staff + 1):
            staff_rows.append(
                (person, f"B{person:06d}", "First", f"Last{person}", None, True, self.now, self.now)
            )
            start = self._day(self.first_day - timedelta(days=1500), self.last_day)
            stay = int(r.expovariate(1 / (6 * 365))) + 30
            end = start + timedelta(days=stay)
            end = None if end > self.last_day + timedelta(days=400) else end
            team = r.randrange(1, TEAMS + 1)
            agency = r.random() < 0.08
            role = None if r.random() < 0.05 else r.choices(ROLES, ROLE_WEIGHTS)[0]
            hours = r.choice(HOURS)
            origin = "1" if r.random() < 0.1 else str(r.randrange(2, 10))
            pieces = [(start, end, team, role)]
            if r.random() < 0.2 and (end is None or (end - start).days > 60):
                last = end or self.last_day + timedelta(days=365)
                move = self._day(start + timedelta(days=20), last - timedelta(days=20))
                new_team = r.randrange(1, TEAMS + 1)
                new_role = role if r.random() < 0.7 or role is None else r.choice(ROLES)
                pieces = [
                    (start, move - timedelta(days=1), team, role),
                    (move, end, new_team, new_role),
                ]
            for index, (first, last, piece_team, piece_role) in enumerate(pieces):
                spell_id += 1
                final = index == len(pieces) - 1
                reason, destination = (
                    (str(r.randrange(1, 10)), str(r.randrange(1, 9)))
                    if final and last is not None
                    else (None, None)
                )
                spells.append(
                    (
                        spell_id,
                        person,
                        "Social worker",
                        piece_role,
                        "SW",
                        Decimal(hours),
                        Decimal("37"),
                        "agency" if agency else "permanent",
                        piece_team,
                        None,
                        first,
                        last,
                        reason,
                        destination,
                        origin if index == 0 else None,
                        agency and r.random() < 0.8,
                        self.now,
                        self.now,
                    )
                )
            if not agency and r.random() < 0.03:
                spell_id += 1
                second_end = end
                spells.append(
                    (
                        spell_id,
                        person,
                        "Second post",
                        r.choice(ROLES),
                        "SW",
                        Decimal("7.4"),
                        Decimal("37"),
                        "permanent",
                        r.randrange(1, TEAMS + 1),
                        None,
                        start,
                        second_end,
                        "1" if second_end else None,
                        None,
                        None,
                        False,
                        self.now,
                        self.now,
                    )
                )
        self.spells = spells
        yield "staff", staff_rows
        yield "employment_spell", spells

    def establishment(self) -> Iterator[tuple[str, Any]]:
        rows = []
        record = 0
        for team in range(1, TEAMS + 1):
            for year in (0, 4, 8):
                record += 1
                rows.append(
                    (
                        record,
                        team,
                        self.first_day + timedelta(days=365 * year),
                        Decimal(self.staff * 0.35 / TEAMS * self.random.uniform(0.9, 1.3)).quantize(
                            Decimal("0.1")
                        ),
                        self.now,
                        self.now,
                    )
                )
        yield "team_establishment", rows

    def absences(self) -> Iterator[tuple[str, Any]]:
        r = self.random

        def rows() -> Iterator[tuple[Any, ...]]:
            absence = 0
            for spell in self.spells:
                first, last = max(spell[10], self.first_day), spell[11] or self.last_day
                if last <= first or spell[2] == "Second post":
                    continue
                years = (last - first).days / 365
                for _ in range(int(years * 1.5 + r.random())):
                    start = self._day(first, last)
                    length = r.choice([1, 1, 2, 3, 5, 10, 20])
                    end = min(start + timedelta(days=length - 1), last)
                    days = Decimal(min(length, (end - start).days + 1))
                    absence += 1
                    yield (
                        absence,
                        spell[1],
                        start,
                        end,
                        days,
                        r.choice(REASONS),
                        self.now,
                        self.now,
                    )

        yield "absence", rows()

    def caseloads(self) -> Iterator[tuple[str, Any]]:
        r = self.random
        days = []
        month = date(self.last_day.year - 3, self.last_day.month, 1)
        while month <= self.last_day:
            days.append(month + timedelta(days=14))
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        snapshots, counts = [], []
        snapshot = count = 0
        holders = [s for s in self.spells if s[3] in ("4", "5") and s[2] != "Second post"]
        for spell in holders:
            for day in days:
                if spell[10] <= day and (spell[11] is None or spell[11] >= day):
                    snapshot += 1
                    snapshots.append(
                        (snapshot, spell[1], day, Decimal(0), "import", self.now, self.now)
                    )
                    for case_type in (1, 2, 3):
                        count += 1
                        counts.append((count, snapshot, case_type, 1, r.randrange(0, 12)))
        yield (
            "case_type",
            [
                (1, "cin", "Child in need", 1, True, self.now, self.now),
                (2, "cp", "Child protection", 2, True, self.now, self.now),
                (3, "lac", "Looked after child", 3, True, self.now, self.now),
            ],
        )
        yield "caseload_snapshot", snapshots
        yield "caseload_count", counts

    def load(self, raw: Any) -> None:
        """COPY every generated table in, timing generation and COPY together."""
        stamps = "created_at, updated_at"
        columns = {
            "team": f"id, name, service_area, tier_of_need, active, {stamps}",
            "staff": "id, staff_number, first_name, last_name, work_email, "
            f"qualified_social_worker, {stamps}",
            "employment_spell": "id, staff_id, post_title, org_role, grade, contracted_hours, "
            "standard_hours, contract_type, team_id, line_manager_id, start_date, end_date, "
            f"leaving_reason, leaver_destination, start_origin, covers_vacancy, {stamps}",
            "team_establishment": f"id, team_id, effective_from, funded_fte, {stamps}",
            "absence": f"id, staff_id, start_date, end_date, working_days_lost, reason, {stamps}",
            "case_type": f"id, code, label, position, active, {stamps}",
            "caseload_snapshot": f"id, staff_id, taken_on, extra_points, source, {stamps}",
            "caseload_count": "id, snapshot_id, case_type_id, tier, cases",
        }

        def streams() -> Iterator[tuple[str, Any]]:
            yield from self.teams()
            yield from self.people()
            yield from self.establishment()
            yield from self.absences()
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


# --- the floor: hand-written SQL for the headline figures ------------------------------------

FLOOR = """
WITH scoped AS (
    SELECT * FROM employment_spell WHERE org_role IS NOT NULL),
staffed AS (
    SELECT * FROM scoped WHERE contract_type <> 'agency'),
leaving AS (
    SELECT s.* FROM staffed s
    WHERE s.end_date BETWEEN %(first)s AND %(last)s
      AND NOT EXISTS (SELECT 1 FROM staffed o WHERE o.staff_id = s.staff_id AND o.id <> s.id
                      AND o.start_date <= s.end_date + 1
                      AND (o.end_date IS NULL OR o.end_date > s.end_date))),
stock AS (
    SELECT s.* FROM scoped s
    WHERE s.start_date <= %(last)s AND (s.end_date IS NULL OR s.end_date >= %(last)s)
      AND NOT (s.contract_type <> 'agency' AND s.end_date = %(last)s
               AND s.id IN (SELECT id FROM leaving))),
starting AS (
    SELECT s.* FROM staffed s
    WHERE s.start_date BETWEEN %(first)s AND %(last)s
      AND NOT EXISTS (SELECT 1 FROM staffed o WHERE o.staff_id = s.staff_id AND o.id <> s.id
                      AND o.start_date < s.start_date
                      AND (o.end_date IS NULL OR o.end_date >= s.start_date - 1))),
fte AS (
    SELECT id, CASE WHEN contracted_hours >= standard_hours THEN 1
                    ELSE contracted_hours / standard_hours END AS fte FROM scoped),
sick AS (
    SELECT DISTINCT ON (a.id) a.id, a.start_date, a.end_date, a.working_days_lost
    FROM absence a JOIN staffed s ON s.staff_id = a.staff_id
         AND s.start_date <= a.start_date AND (s.end_date IS NULL OR s.end_date >= a.start_date)
    WHERE a.reason = 'SIC' AND a.start_date <= %(last)s AND a.end_date >= %(first)s),
person AS (
    SELECT s.staff_id, sum(f.fte) AS fte FROM stock s JOIN fte f ON f.id = s.id
    GROUP BY s.staff_id),
latest AS (
    SELECT p.staff_id, p.fte,
           (SELECT sum(c.cases) FROM caseload_snapshot n JOIN caseload_count c
                ON c.snapshot_id = n.id
            WHERE n.staff_id = p.staff_id
              AND n.taken_on = (SELECT max(m.taken_on) FROM caseload_snapshot m
                                WHERE m.staff_id = p.staff_id AND m.taken_on <= %(last)s
                                  AND m.taken_on > %(year_before)s))
               AS cases
    FROM person p)
SELECT
  (SELECT count(DISTINCT staff_id) FROM stock WHERE contract_type <> 'agency'),
  (SELECT sum(f.fte) FROM stock s JOIN fte f USING (id) WHERE s.contract_type <> 'agency'),
  (SELECT count(DISTINCT staff_id) FROM starting),
  (SELECT sum(f.fte) FROM starting s JOIN fte f USING (id)),
  (SELECT count(DISTINCT staff_id) FROM leaving),
  (SELECT sum(f.fte) FROM leaving s JOIN fte f USING (id)),
  (SELECT sum(f.fte) FROM stock s JOIN fte f USING (id) WHERE s.contract_type = 'agency'),
  (SELECT sum(f.fte) FROM stock s JOIN fte f USING (id)
    WHERE s.contract_type = 'agency' AND s.covers_vacancy),
  (SELECT sum(CASE WHEN start_date >= %(first)s AND end_date <= %(last)s
                   THEN working_days_lost
                   ELSE working_days_lost
                        * (least(end_date, %(last)s::date) - greatest(start_date, %(first)s::date) + 1)
                        / (end_date - start_date + 1) END) FROM sick),
  (SELECT sum(cases) FROM latest WHERE cases > 0),
  (SELECT sum(fte) FROM latest WHERE cases > 0)
"""
FLOOR_KEYS = (
    "headcount",
    "fte",
    "starters_headcount",
    "starters_fte",
    "leavers_headcount",
    "leavers_fte",
    "agency_fte",
    "agency_cover_fte",
    "days_lost_sickness",
    "cases",
    "case_holding_fte",
)


def floor_query(values: dict[str, Any]) -> Callable[[], tuple[Any, ...]]:
    from workforce.extensions import db

    def run() -> tuple[Any, ...]:
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(FLOOR, values)
            return cursor.fetchone()

    return run


def check(summary: dict[str, Any], floor: tuple[Any, ...]) -> None:
    from workforce.metrics.turnover import published_fte

    for key, expected in zip(FLOOR_KEYS, floor, strict=True):
        expected = expected or 0
        if isinstance(summary[key], Decimal) and key not in ("cases",):
            expected = published_fte(Decimal(str(expected)))
        assert summary[key] == expected, f"{key}: report {summary[key]}, floor {expected}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=50000, help="people (default 50000)")
    parser.add_argument("--year", type=int, default=2025, help="census year (default 2025)")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead")
    parser.add_argument("--reuse", action="store_true", help="time a database loaded before")
    parser.add_argument("--keep", action="store_true", help="keep the database it creates")
    parser.add_argument("--runs", type=int, default=3, help="runs of each report; the best counts")
    parser.add_argument("--limit", type=float, default=2.0, help="seconds each report must beat")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from workforce import create_app
    from workforce.extensions import db
    from workforce.models import Staff
    from workforce.reports.base import CENSUS_YEAR
    from workforce.reports.registry import get

    url, own = bench_database(args.database_url, f"workforce_bench_turnover_{os.getpid()}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    failed: list[str] = []
    first, last = CENSUS_YEAR.bounds(args.year)
    year_before = last.replace(year=last.year - 1)
    try:
        with app.app_context():
            upgrade()
            from workforce.services.reference import load_code_lists

            load_code_lists()
            db.session.commit()
            held = db.session.scalar(select(func.count()).select_from(Staff))
            if held and not args.reuse:
                print(f"{url} already holds staff; give an empty database or --reuse.")
                return 2
            if not held:
                loader = Loader(args.staff, last, args.seed)
                loaded = copy_in(loader)
                analysed = vacuum_analyse()
                total_rows = sum(loader.rows.values())
                print(
                    f"\nLoaded {total_rows:,} rows in {loaded:.1f} s "
                    f"({total_rows / loaded:,.0f} rows/s); VACUUM ANALYZE {analysed:.1f} s"
                )
                for table, count in loader.rows.items():
                    print(f"  {table:<22}{count:>11,}")
            print(f"\n{machine('postgresql')}\n")
            floor_seconds, floor = best_of(
                args.runs, floor_query({"first": first, "last": last, "year_before": year_before})
            )
            print(f"{'floor (hand-written SQL, headline figures)':<46}{floor_seconds:>8.3f} s")
            definition = get("turnover")
            for by in ("team", "role", "year"):
                label = f"turnover --year {args.year} --by {by}"
                build = report_builder(definition, {"year": str(args.year), "by": by}, last)
                seconds, result = best_of(args.runs, build)
                print(f"{label:<46}{seconds:>8.3f} s  ({len(list(result.rows))} rows)")
                try:
                    check(result.summary, floor)
                except AssertionError as error:
                    failed.append(f"{label}: its figures differ: {error}")
                if seconds >= args.limit:
                    failed.append(f"{label} took {seconds:.2f} s (limit {args.limit} s)")
            s = result.summary
            print(
                f"\nCensus year {args.year}: {s['headcount']:,} in post ({s['fte']} FTE), "
                f"turnover {s['turnover_rate']}, vacancy {s['vacancy_rate']}, agency "
                f"{s['agency_rate']}, absence {s['absence_rate']}, caseload {s['caseload']}"
            )
    finally:
        if own and not args.keep:
            drop_database(own)
    for problem in failed:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
