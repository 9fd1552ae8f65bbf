"""Time the DfE children's social work workforce census return for a large authority.

    .venv/bin/python bench/census_export.py [--workers 5000] [--year 2024] [--runs 3]
        [--limit 10] [--keep] [--database-url URL]

Creates its own database ``workforce_bench_census_<pid>`` on 127.0.0.1:5432 as user postgres
(dropped at the end unless ``--keep``), or uses ``--database-url`` (an empty database). It
migrates it and loads a deterministic synthetic authority with PostgreSQL COPY: ``--workers``
child and family social workers in 100 teams with census details, each with employment
history back to 2005 (a fifth moved team or role once, 12% left during the census year with a
reason and destination, 8% started in it, 8% agency workers in post on 30 September, half
of them covering vacancies, 2% in two posts at once), an establishment per team, about 30%
with an absence in the year (a tenth of them crossing 1 October), and monthly caseload
snapshots for the year by case type (three types each).

Then, best of ``--runs``, it times what the census page's download does: building the
return (``workforce.services.census.build_return``: every query and the pre-submission
check) and writing the XML with its check against the DfE schema (``return_xml``). It
checks the XML against the reference schema in ``tests/fixtures/census`` independently, and
the number of records against a hand-written SQL count. Exits 1 if it takes ``--limit``
seconds or more, or the checks fail.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from common import ROOT, bench_database, copy_in, drop_database, vacuum_analyse

SEED = 2026
TEAMS = 100
REFERENCE_XSD = ROOT / "tests" / "fixtures" / "census" / "social_work_workforce_2022.xsd"
ETHNICITIES = ["WBRI", "WIRI", "WOTH", "MWBC", "AIND", "APKN", "BCRB", "BAFR", "CHNE", "REFU"]
ROLES = ["1", "2", "3", "4", "5", "6"]
ROLE_WEIGHTS = [0.01, 0.04, 0.1, 0.2, 0.6, 0.05]


class Loader:
    """Generates the authority (deterministically for a seed) and COPYs it in."""

    def __init__(self, workers: int, year: int, seed: int) -> None:
        self.n = workers
        self.first = date(year - 1, 10, 1)
        self.reference = date(year, 9, 30)
        self.rng = np.random.default_rng(seed)
        self.stamp = datetime.combine(self.reference, datetime.min.time(), UTC)
        self.rows: dict[str, int] = {}

    def tables(self) -> Iterator[tuple[str, str, list[tuple[Any, ...]]]]:
        rng, n, stamp = self.rng, self.n, self.stamp
        first, reference = self.first.toordinal(), self.reference.toordinal()
        stamps = "created_at, updated_at"
        yield (
            "team",
            f"id, name, service_area, tier_of_need, active, {stamps}",
            [(t, f"Team {t:03d}", "Children's social care", "complex", True, stamp, stamp)
             for t in range(1, TEAMS + 1)],
        )  # fmt: skip
        yield (
            "team_establishment",
            f"id, team_id, effective_from, funded_fte, {stamps}",
            [(t, t, date(2015, 4, 1), Decimal(int(n / TEAMS * 1.15)), stamp, stamp)
             for t in range(1, TEAMS + 1)],
        )  # fmt: skip
        kind = rng.random(n)
        agency = kind < 0.08
        starter = (kind >= 0.08) & (kind < 0.16)
        leaver = (kind >= 0.16) & (kind < 0.28)
        two_posts = (kind >= 0.28) & (kind < 0.30)
        moved = (kind >= 0.30) & (kind < 0.50)
        start = np.where(
            starter | agency,
            rng.integers(first, reference - 20, n),
            rng.integers(date(2005, 1, 3).toordinal(), first - 30, n),
        )
        end = np.where(leaver, rng.integers(first, reference, n), 0)
        team = rng.integers(1, TEAMS + 1, n)
        role = rng.choice(len(ROLES), n, p=ROLE_WEIGHTS)
        hours = rng.choice([Decimal("37"), Decimal("30"), Decimal("18.5")], n, p=[0.8, 0.12, 0.08])
        born = rng.integers(date(1960, 1, 1).toordinal(), date(2000, 1, 1).toordinal(), n)
        staff = []
        for i in range(n):
            staff.append(
                (i + 1, f"B{i + 1:07d}", "Sam", f"Person{i + 1}", f"person{i + 1}@bench.example.org",
                 f"SW{i + 1:010d}", True, date.fromordinal(int(born[i])), str(rng.choice(["1", "2"])),
                 ETHNICITIES[i % len(ETHNICITIES)], "University of Northumbria", "1", False, False,
                 stamp, stamp)
            )  # fmt: skip
        yield (
            "staff",
            "id, staff_number, first_name, last_name, work_email, swe_number, "
            "qualified_social_worker, date_of_birth, gender, ethnicity, qual_inst, qual_level, "
            f"step_up_grad, frontline_grad, {stamps}",
            staff,
        )
        spells: list[tuple[Any, ...]] = []

        def spell(i: int, org_role: str, team_id: int, begins: int, ends: int | None,
                  contract: str = "permanent", reason: str | None = None,
                  weeks: Decimal | None = None, covers: bool = False,
                  worked: Decimal | None = None) -> None:  # fmt: skip
            spells.append(
                (len(spells) + 1, i + 1, "Social worker", org_role, "SW2", worked or hours[i],
                 Decimal("37"), contract, int(team_id), date.fromordinal(begins),
                 date.fromordinal(ends) if ends else None, reason, "1" if reason else None,
                 "2", "2" if org_role == "5" else None, covers, weeks, stamp, stamp)
            )  # fmt: skip

        for i in range(n):
            s, e = int(start[i]), int(end[i]) or None
            r = ROLES[role[i]]
            if agency[i]:
                spell(i, "5", team[i], s, None, "agency", weeks=Decimal("26.0"), covers=i % 2 == 0)
            elif moved[i]:
                m = int(rng.integers(s + 60, reference - 30))
                spell(i, "5", team[i], s, m - 1)
                spell(i, r, (team[i] % TEAMS) + 1, m, e, reason="1" if e else None)
            elif two_posts[i]:
                spell(i, "3", team[i], s, e, worked=Decimal("18.5"))
                spell(i, "5", (team[i] % TEAMS) + 1, s + 7, e, worked=Decimal("18.5"))
            else:
                spell(i, r, team[i], s, e, reason="1" if e else None)
        yield (
            "employment_spell",
            "id, staff_id, post_title, org_role, grade, contracted_hours, standard_hours, "
            "contract_type, team_id, start_date, end_date, leaving_reason, leaver_destination, "
            f"start_origin, cfkss_status, covers_vacancy, contract_weeks, {stamps}",
            spells,
        )
        absences = []
        reasons = ["SIC", "SIC", "SIC", "OTH", "TRN", "MAT"]
        for i in range(n):
            if rng.random() < 0.3:
                begins = int(rng.integers(first - 10, reference - 10))
                length = int(rng.integers(1, 20))
                absences.append(
                    (len(absences) + 1, i + 1, date.fromordinal(begins),
                     date.fromordinal(begins) + timedelta(days=length), Decimal(length * 5 // 7 + 1),
                     reasons[i % len(reasons)], stamp, stamp)
                )  # fmt: skip
        yield (
            "absence",
            f"id, staff_id, start_date, end_date, working_days_lost, reason, {stamps}",
            absences,
        )
        yield (
            "case_type",
            f"id, code, label, position, active, {stamps}",
            [(1, "cin", "Child in need", 1, True, stamp, stamp),
             (2, "cp", "Child protection", 2, True, stamp, stamp),
             (3, "lac", "Looked after child", 3, True, stamp, stamp)],
        )  # fmt: skip
        snapshots, counts = [], []
        months = [date(self.first.year + (m + 9) // 12, (m + 9) % 12 + 1, 28) for m in range(12)]
        for i in range(n):
            if ROLES[role[i]] not in ("4", "5") and not agency[i]:
                continue
            for taken in months:
                if not (int(start[i]) <= taken.toordinal() <= (int(end[i]) or reference)):
                    continue
                sid = len(snapshots) + 1
                snapshots.append((sid, i + 1, taken, Decimal(0), "import", stamp, stamp))
                for case_type in (1, 2, 3):
                    counts.append((len(counts) + 1, sid, case_type, 1, int(rng.integers(0, 9))))
        yield (
            "caseload_snapshot",
            f"id, staff_id, taken_on, extra_points, source, {stamps}",
            snapshots,
        )
        yield "caseload_count", "id, snapshot_id, case_type_id, tier, cases", counts

    def load(self, raw: Any) -> None:
        with raw.cursor() as cursor:
            for table, columns, rows in self.tables():
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                self.rows[table] = len(rows)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        raw.commit()


#: A record for each run of non-agency census spells that reaches into the year, counted by
#: its last spell (no census spell follows it within 7 days without a leaving reason), and
#: one for each agency spell in force on 30 September.
EXPECTED_RECORDS = """
SELECT
  (SELECT count(*) FROM employment_spell s
    WHERE s.org_role IS NOT NULL AND s.contract_type <> 'agency'
      AND s.start_date <= :reference AND (s.end_date IS NULL OR s.end_date >= :first)
      AND NOT EXISTS (SELECT 1 FROM employment_spell q
        WHERE q.staff_id = s.staff_id AND q.org_role IS NOT NULL
          AND q.contract_type <> 'agency' AND s.leaving_reason IS NULL
          AND q.start_date <= :reference
          AND s.end_date IS NOT NULL AND q.start_date - s.end_date BETWEEN 1 AND 7))
  + (SELECT count(*) FROM employment_spell s
    WHERE s.org_role IS NOT NULL AND s.contract_type = 'agency'
      AND s.start_date <= :reference AND (s.end_date IS NULL OR s.end_date >= :reference))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from lxml import etree
    from sqlalchemy import text

    from workforce import create_app
    from workforce.extensions import db
    from workforce.services import census
    from workforce.services import census_xml as cx
    from workforce.services.reference import load_code_lists

    if not cx.SCHEMA_PATH.exists():
        cx.SCHEMA_PATH = REFERENCE_XSD
    url, own = bench_database(args.database_url, f"workforce_bench_census_{os.getpid()}")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "CENSUS_LA_CODE": "929"}
    )
    try:
        with app.app_context():
            upgrade()
            load_code_lists()
            db.session.commit()
            loader = Loader(args.workers, args.year, args.seed)
            t0 = time.perf_counter()
            copy_in(loader)
            vacuum_analyse()
            print(f"Loaded in {time.perf_counter() - t0:.1f} s: " + ", ".join(
                f"{table} {count:,}" for table, count in loader.rows.items()
            ))  # fmt: skip
            timings = []
            content = b""
            result = None
            for _ in range(args.runs):
                start = time.perf_counter()
                result = census.build_return(args.year)
                built = time.perf_counter()
                content = census.return_xml(result)
                done = time.perf_counter()
                timings.append((done - start, built - start, done - built))
                db.session.rollback()
            assert result is not None
            total, build, xml = min(timings)
            first, reference = census.year_bounds(args.year)
            expected = db.session.execute(
                text(EXPECTED_RECORDS), {"first": first, "reference": reference}
            ).scalar_one()
            schema = etree.XMLSchema(etree.parse(str(REFERENCE_XSD)))
            valid = schema.validate(etree.fromstring(content))
            figures = result.figures()
            print(
                f"\nCensus {args.year}: {len(result.records):,} records ({figures['people']:,} "
                f"people, {figures['agency']:,} agency, {figures['leavers']:,} leavers, "
                f"{figures['starters']:,} starters), {len(result.problems):,} problems; "
                f"XML {len(content) / 2**20:.1f} MB"
            )
            print(
                f"best of {args.runs}: {total:.2f} s in all (build and check {build:.2f} s, "
                f"XML and schema validation {xml:.2f} s); limit {args.limit:.0f} s"
            )
            print(f"records expected by hand-written SQL: {expected:,}; XML valid: {valid}")
            ok = total < args.limit and valid and expected == len(result.records)
            print("PASS" if ok else "FAIL")
            return 0 if ok else 1
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if own and not args.keep:
            drop_database(own)


if __name__ == "__main__":
    sys.exit(main())
