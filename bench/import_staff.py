"""Time the staff import on a large HR extract.

    .venv/bin/python bench/import_staff.py [--rows 5000] [--database-url URL] [--profile]

Builds a deterministic CSV of ``--rows`` people (one employment spell each), then on a
fresh, migrated database with the code lists and the file's teams loaded:

1. checks the file with one bad row: exactly one error, and nothing written;
2. checks and imports the clean file: every person and spell written;
3. imports the clean file again: nothing changes.

Prints a table of timings and exits 1 if the clean import takes ``--limit`` seconds
(10 by default) or more. Without ``--database-url`` it uses a new SQLite file in a
temporary folder; with it, the database must be migrated-or-empty and hold no staff.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Any

from common import print_import_runs, to_csv

TEAMS = 40
SEED = 2026


def staff_number(n: int) -> str:
    return f"B{n:06d}"


def build_rows(count: int) -> list[dict[str, str]]:
    """``count`` valid rows, the same every run: one person (and spell) a row."""
    from workforce.services.staff_import import COLUMNS

    rng = random.Random(SEED)
    genders = ["1", "2", "Female", "Male", "9", "0", ""]
    ethnicities = [
        "WBRI",
        "WOTH",
        "AIND",
        "BAFR",
        "MWBC",
        "CHNE",
        "Any other ethnic group",
        "REFU",
        "",
    ]
    contracts = ["permanent"] * 6 + ["fixed_term", "agency", "secondment"]
    rows = []
    for n in range(1, count + 1):
        start = date(2010, 1, 4) + timedelta(days=rng.randrange(0, 14 * 365))
        british = n % 2 == 0
        leaver = n % 9 == 0
        # every 25th person manages the next 24; half the time the manager comes later in the file
        lead = ((n - 1) // 25) * 25 + 1
        manager = ""
        if n != lead:
            manager = staff_number(lead)
        elif n + 25 <= count and n % 2 == 1:
            manager = staff_number(n + 25)
        cells = dict.fromkeys(COLUMNS, "")
        end = start + timedelta(days=rng.randrange(30, 2000)) if leaver else None
        cells.update(
            staff_number=staff_number(n),
            first_name=rng.choice(
                ["Sam", "Alex", "Priya", "Tomasz", "Aisha", "Morgan", "Chen", "Niamh"]
            ),
            last_name=rng.choice(
                ["Smith", "Khan", "Jones", "Nowak", "Okafor", "Taylor", "Li", "Byrne"]
            )
            + str(n),
            work_email=f"person{n}@bench.example.org",
            swe_number=f"SW{n:010d}" if n % 3 else "",
            qualified_social_worker="yes" if n % 3 else "no",
            date_of_birth=_format(
                date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365)), british
            ),
            gender=rng.choice(genders),
            ethnicity=rng.choice(ethnicities),
            post_title=rng.choice(
                ["Social worker", "Senior social worker", "Team manager", "Family support worker"]
            ),
            team=f"Bench team {rng.randrange(1, TEAMS + 1):02d}",
            org_role=rng.choice(["1", "2", "3", "4", "5", "6", "Case holder", ""]),
            grade=rng.choice(["SW1", "SW2", "SW3", "TM1", ""]),
            contracted_hours=rng.choice(["37", "30", "22.5", "18.5", "37"]),
            standard_hours=rng.choice(["37", "", "36"]),
            contract_type=rng.choice(contracts),
            line_manager_staff_number=manager,
            start_date=_format(start, british),
            start_origin=rng.choice(["1", "2", "4", "8", ""]),
            end_date=_format(end, british) if end else "",
            leaving_reason=rng.choice(["1", "5", "Resignation"]) if leaver else "",
            leaver_destination=rng.choice(["1", "3", "8"]) if leaver else "",
        )
        rows.append(cells)
    return rows


def _format(day: date, british: bool) -> str:
    return day.strftime("%d/%m/%Y") if british else day.isoformat()


def counts() -> tuple[int, int, int]:
    """People, spells, and create/update/delete audit events."""
    from sqlalchemy import func, select

    from workforce.extensions import db
    from workforce.models import AuditEvent, EmploymentSpell, Staff

    return (
        db.session.scalar(select(func.count()).select_from(Staff)),
        db.session.scalar(select(func.count()).select_from(EmploymentSpell)),
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["create", "update", "delete"]))
        ),
    )


def timed_import(
    content: bytes, filename: str, write: bool, profile: cProfile.Profile | None = None
) -> dict[str, Any]:
    """Read, check and (if ``write``) apply and commit; the seconds each step took."""
    from workforce.extensions import db
    from workforce.services.staff_import import apply_import, plan_import, read_table

    if profile:
        profile.enable()
    t0 = time.perf_counter()
    table = read_table(content, filename)
    t1 = time.perf_counter()
    plan = plan_import(table)
    t2 = time.perf_counter()
    if write and not plan.errors:
        apply_import(plan, source=filename)
        db.session.commit()
    else:
        db.session.rollback()
    t3 = time.perf_counter()
    if profile:
        profile.disable()
    return {"plan": plan, "read": t1 - t0, "check": t2 - t1, "write": t3 - t2, "total": t3 - t0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="people in the file (default 5000)")
    parser.add_argument(
        "--database-url", help="an empty database to use instead of a new SQLite file"
    )
    parser.add_argument(
        "--limit", type=float, default=10.0, help="seconds the clean import must beat"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the clean import spends its time"
    )
    args = parser.parse_args(argv)
    if args.rows < 2:
        parser.error("--rows must be at least 2")

    from flask_migrate import upgrade

    from workforce import create_app
    from workforce.audit import set_actor
    from workforce.config import normalise_database_url
    from workforce.extensions import db
    from workforce.models import Team
    from workforce.services.reference import load_code_lists

    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        url = (
            normalise_database_url(args.database_url)
            if args.database_url
            else f"sqlite:///{folder}/bench.sqlite"
        )
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        app.instance_path = folder
        with app.app_context():
            t0 = time.perf_counter()
            upgrade()
            load_code_lists()
            if counts()[:2] != (0, 0):
                db.session.rollback()
                print(
                    f"{db.engine.url.render_as_string()} already holds staff; "
                    "give an empty database.",
                    file=sys.stderr,
                )
                return 2
            for n in range(1, TEAMS + 1):
                name = f"Bench team {n:02d}"
                if db.session.scalar(db.select(Team.id).where(Team.name == name)) is None:
                    db.session.add(
                        Team(
                            name=name, service_area="Children's social care", tier_of_need="complex"
                        )
                    )
            db.session.commit()
            set_actor(None, "bench: import staff")
            setup = time.perf_counter() - t0
            baseline = counts()  # the teams' (and perhaps the code lists') audit events

            rows = build_rows(args.rows)
            clean = to_csv(rows)
            bad_rows = [dict(r) for r in rows]
            bad_rows[len(rows) // 2]["contract_type"] = "casual"
            bad = to_csv(bad_rows)
            bad_row_number = len(rows) // 2 + 2

            results: list[tuple[str, dict[str, Any], str]] = []

            first = timed_import(bad, "bench-one-bad-row.csv", write=True)
            errors = [(e.row, e.column) for e in first["plan"].errors]
            assert errors == [(bad_row_number, "contract_type")], errors[:10]
            assert counts() == baseline, counts()
            results.append(
                ("one bad row", first, f"1 error (row {bad_row_number}); nothing written")
            )

            profile = cProfile.Profile() if args.profile else None
            second = timed_import(clean, "bench-clean.csv", write=True, profile=profile)
            assert second["plan"].errors == [], second["plan"].errors[:10]
            people, spells, changes = counts()
            assert (people, spells) == (args.rows, args.rows), (people, spells)
            assert changes == baseline[2] + 2 * args.rows, changes
            results.append(("clean file", second, f"{people} people and {spells} spells written"))

            third = timed_import(clean, "bench-clean.csv", write=True)
            plan = third["plan"]
            assert plan.errors == []
            assert (plan.new_people, plan.changed_people, plan.new_spells, plan.changed_spells) == (
                0,
                0,
                0,
                0,
            )
            assert plan.unchanged == args.rows
            assert counts() == (people, spells, changes), counts()
            results.append(("same file again", third, "nothing changed"))
            backend = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()

    print(f"\nStaff import of {args.rows} rows on {backend} (set-up {setup:.2f} s)\n")
    print_import_runs(results)
    print("\nSeconds; 'write' is apply_import plus the commit.")
    if profile:
        print("\nClean import, by cumulative time:")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    total = results[1][1]["total"]
    if total >= args.limit:
        print(
            f"\nFAIL: the clean import took {total:.2f} s; the limit is {args.limit:.0f} s.",
            file=sys.stderr,
        )
        return 1
    print(f"\nOK: the clean import took {total:.2f} s (limit {args.limit:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
