"""Time the attendance register import on a large register file.

    .venv/bin/python bench/attendance_import.py [--rows 10000] [--database-url URL] [--profile]

On a fresh, migrated database it bulk-loads (set-up, not timed) ``--staff`` people with a
spell each, ten courses and ``--rows / 25`` past sessions of 25 booked places (plus one
person on each waiting list and one cancelled booking), then builds a deterministic
register CSV in the import's template columns (``session_id``, ``staff_number``,
``email``, ``name``, ``attendance``) with one row per booked place: people named by staff
number or by email, attendance written as codes, labels and common words. Through the
real service functions (``read_table``, ``plan_attendance_import``,
``apply_attendance_import``) it then times read + check + write for three runs:

1. the file with one bad row: exactly that one error, and nothing written;
2. the clean file: every row applied and every session completed;
3. the clean file again: nothing changes.

Prints a table of timings and exits 1 if the clean import takes ``--limit`` seconds (5 by
default) or more. Without ``--database-url`` it uses a new SQLite file in a temporary
folder; with it, the database must be migrated-or-empty and hold no staff.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from common import print_import_runs, to_csv

SEED = 2026
PLACES = 25
COURSES = 10
TEAMS = 20
#: How the register spells each mark; all of them parse to the three codes.
SPELLINGS = {
    "attended": ["attended", "Attended", "present", "ATTENDED"],
    "partial": ["partial", "Partly attended", "partly"],
    "did_not_attend": ["did_not_attend", "Did not attend", "DNA", "absent"],
}


def staff_number(n: int) -> str:
    return f"R{n:06d}"


def email(n: int) -> str:
    return f"attendee{n}@bench.example.org"


def load_authority(rows: int, staff: int) -> dict[str, Any]:
    """Bulk-load people, courses, past sessions and bookings (no ORM objects, no audit);
    return what the register file needs: each session's booked people."""
    from sqlalchemy import insert, select

    from workforce.extensions import db
    from workforce.models import Booking, Course, EmploymentSpell, Staff, Team, TrainingSession

    rng = random.Random(SEED)
    now = datetime.now(UTC)
    stamps = {"created_at": now, "updated_at": now}
    session = db.session
    session.execute(
        insert(Team),
        [
            {
                "name": f"Register team {n:02d}",
                "service_area": "Children's social care",
                "tier_of_need": "complex",
                "active": True,
                **stamps,
            }
            for n in range(1, TEAMS + 1)
        ],
    )
    team_ids = list(session.scalars(select(Team.id).where(Team.name.like("Register team %"))))
    session.execute(
        insert(Staff),
        [
            {
                "staff_number": staff_number(n),
                "first_name": rng.choice(["Sam", "Alex", "Priya", "Tomasz", "Aisha", "Chen"]),
                "last_name": rng.choice(["Smith", "Khan", "Jones", "Nowak", "Okafor"]) + str(n),
                "work_email": email(n),
                "qualified_social_worker": n % 3 != 0,
                **stamps,
            }
            for n in range(1, staff + 1)
        ],
    )
    ids = dict(session.execute(select(Staff.staff_number, Staff.id)).all())
    staff_ids = [ids[staff_number(n)] for n in range(1, staff + 1)]
    session.execute(
        insert(EmploymentSpell),
        [
            {
                "staff_id": staff_id,
                "post_title": "Social worker",
                "org_role": rng.choice(["3", "4", "5", "5", "6", None]),
                "contracted_hours": Decimal("37"),
                "standard_hours": Decimal("37"),
                "contract_type": "permanent",
                "team_id": rng.choice(team_ids),
                "start_date": date(2015, 1, 5) + timedelta(days=rng.randrange(0, 3000)),
                **stamps,
            }
            for staff_id in staff_ids
        ],
    )
    session.execute(
        insert(Course),
        [
            {
                "title": f"Register bench course {n:02d}",
                "provider": "in_house",
                "delivery_mode": "face_to_face",
                "cpd_hours": Decimal("6"),
                "cost_per_place": Decimal("45.00"),
                "impact_follow_up_months": 3,
                "is_asye_workshop": False,
                "active": True,
                **stamps,
            }
            for n in range(1, COURSES + 1)
        ],
    )
    course_ids = list(
        session.scalars(select(Course.id).where(Course.title.like("Register bench course %")))
    )
    sessions = -(-rows // PLACES)
    first_day = date.today() - timedelta(days=sessions + 30)
    session_rows = []
    for n in range(sessions):
        starts = datetime.combine(first_day + timedelta(days=n), datetime.min.time()).replace(
            hour=9 + n % 2 * 4
        )
        session_rows.append(
            {
                "course_id": course_ids[n % len(course_ids)],
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "trainer": "Bench trainer",
                "capacity": PLACES,
                "status": "scheduled",
                **stamps,
            }
        )
    session.execute(insert(TrainingSession), session_rows)
    session_ids = sorted(
        session.scalars(select(TrainingSession.id).where(TrainingSession.course_id.in_(course_ids)))
    )
    booked: dict[int, list[int]] = {}
    bookings = []
    remaining = rows
    for session_id in session_ids:
        places = min(PLACES, remaining)
        remaining -= places
        people = rng.sample(range(1, staff + 1), places + 2)
        booked[session_id] = people[:places]
        for k, n in enumerate(people):
            status = "booked" if k < places else ("waiting" if k == places else "cancelled")
            bookings.append(
                {
                    "session_id": session_id,
                    "staff_id": staff_ids[n - 1],
                    "status": status,
                    "requested_at": now - timedelta(days=60, minutes=k),
                    "cancelled_at": now - timedelta(days=40) if status == "cancelled" else None,
                    "cancellation_reason": "Clash" if status == "cancelled" else None,
                    **stamps,
                }
            )
    session.execute(insert(Booking), bookings)
    session.commit()
    return {"booked": booked, "bookings": len(bookings)}


def build_rows(booked: dict[int, list[int]]) -> tuple[list[dict[str, str]], Counter[str]]:
    """One register row per booked place, the same every run, and the marks it gives."""
    from workforce.services.attendance_import import COLUMNS

    rng = random.Random(SEED + 1)
    rows = []
    marks: Counter[str] = Counter()
    for session_id, people in booked.items():
        for n in people:
            mark = rng.choices(["attended", "partial", "did_not_attend"], [85, 5, 10])[0]
            marks[mark] += 1
            by_email = n % 5 == 0
            cells = dict.fromkeys(COLUMNS, "")
            cells.update(
                session_id=str(session_id),
                staff_number="" if by_email else staff_number(n),
                email=email(n).upper() if by_email and n % 2 else (email(n) if by_email else ""),
                name=f"Attendee {n}",
                attendance=rng.choice(SPELLINGS[mark]),
            )
            rows.append(cells)
    return rows, marks


def counts() -> tuple[dict[str, int], int, int]:
    """Marks by attendance, sessions completed, and create/update/delete audit events."""
    from sqlalchemy import func, select

    from workforce.extensions import db
    from workforce.models import AuditEvent, Booking, TrainingSession

    marks = dict(
        db.session.execute(
            select(Booking.attendance, func.count())
            .where(Booking.attendance.is_not(None))
            .group_by(Booking.attendance)
        ).all()
    )
    completed = db.session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .where(TrainingSession.status == "completed")
    )
    changes = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_(["create", "update", "delete"]))
    )
    return marks, completed, changes


def timed_import(
    content: bytes, filename: str, write: bool, profile: cProfile.Profile | None = None
) -> dict[str, Any]:
    """Read, check and (if ``write``) apply and commit; the seconds each step took."""
    from workforce.extensions import db
    from workforce.services.attendance_import import (
        apply_attendance_import,
        plan_attendance_import,
    )
    from workforce.services.tabular import read_table

    completed: list[int] = []
    if profile:
        profile.enable()
    t0 = time.perf_counter()
    table = read_table(content, filename)
    t1 = time.perf_counter()
    plan = plan_attendance_import(table)
    t2 = time.perf_counter()
    if write and not plan.errors:
        completed = apply_attendance_import(plan, source=filename)
        db.session.commit()
    else:
        db.session.rollback()
    t3 = time.perf_counter()
    if profile:
        profile.disable()
    return {
        "plan": plan,
        "completed": completed,
        "read": t1 - t0,
        "check": t2 - t1,
        "write": t3 - t2,
        "total": t3 - t0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=10000, help="register rows in the file (default 10000)"
    )
    parser.add_argument(
        "--staff", type=int, default=5000, help="people on the books (default 5000)"
    )
    parser.add_argument(
        "--database-url", help="an empty database to use instead of a new SQLite file"
    )
    parser.add_argument(
        "--limit", type=float, default=5.0, help="seconds the clean import must beat (default 5)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the clean import spends its time"
    )
    args = parser.parse_args(argv)
    if args.rows < 2:
        parser.error("--rows must be at least 2")
    if args.staff < PLACES + 2:
        parser.error(f"--staff must be at least {PLACES + 2}")

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from workforce import create_app
    from workforce.audit import set_actor
    from workforce.config import normalise_database_url
    from workforce.extensions import db
    from workforce.models import Staff

    with tempfile.TemporaryDirectory(prefix="bench-attendance-") as folder:
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
            if db.session.scalar(select(func.count()).select_from(Staff)):
                db.session.rollback()
                print(
                    f"{db.engine.url.render_as_string()} already holds staff; "
                    "give an empty database.",
                    file=sys.stderr,
                )
                return 2
            loaded = load_authority(args.rows, args.staff)
            set_actor(None, "bench: import attendance")
            setup = time.perf_counter() - t0
            baseline = counts()
            assert baseline[:2] == ({}, 0), baseline

            rows, marks = build_rows(loaded["booked"])
            assert len(rows) == args.rows, len(rows)
            sessions = len(loaded["booked"])
            clean = to_csv(rows)
            bad_rows = [dict(r) for r in rows]
            bad_rows[len(rows) // 2]["attendance"] = "came late"
            bad = to_csv(bad_rows)
            bad_row_number = len(rows) // 2 + 2

            results: list[tuple[str, dict[str, Any], str]] = []

            first = timed_import(bad, "bench-register-one-bad-row.csv", write=True)
            errors = [(e.row, e.column) for e in first["plan"].errors]
            assert errors == [(bad_row_number, "attendance")], errors[:10]
            assert counts() == baseline, counts()
            results.append(
                ("one bad row", first, f"1 error (row {bad_row_number}); nothing written")
            )

            profile = cProfile.Profile() if args.profile else None
            second = timed_import(clean, "bench-register.csv", write=True, profile=profile)
            plan = second["plan"]
            assert plan.errors == [], plan.errors[:10]
            assert (plan.rows, plan.changed, plan.unchanged) == (args.rows, args.rows, 0)
            written, completed, changes = counts()
            # every row applied: each booked place carries the mark the file gave it
            assert written == dict(marks), (written, marks)
            assert completed == sessions == len(second["completed"]), completed
            # one audit event per booking marked and per session completed
            assert changes == baseline[2] + args.rows + sessions, changes
            results.append(
                (
                    "clean file",
                    second,
                    f"{sum(written.values())} marks written; {completed} sessions completed",
                )
            )

            third = timed_import(clean, "bench-register.csv", write=True)
            plan = third["plan"]
            assert plan.errors == []
            assert (plan.changed, plan.unchanged) == (0, args.rows), (plan.changed, plan.unchanged)
            assert third["completed"] == []
            assert counts() == (written, completed, changes), counts()
            results.append(("same file again", third, "nothing changed"))
            backend = db.engine.dialect.name
            version = ".".join(str(part) for part in db.engine.dialect.server_version_info or ())
            db.session.remove()
            db.engine.dispose()

    print(
        f"\nAttendance import of {args.rows} register rows for {sessions} sessions, "
        f"{args.staff} staff, on {backend} {version} (set-up {setup:.2f} s; {os.cpu_count()} "
        "CPUs, load average %.1f)\n" % os.getloadavg()[0]
    )
    print_import_runs(results)
    print(
        "\nSeconds; 'read' is read_table, 'check' plan_attendance_import, 'write' "
        "apply_attendance_import plus the commit."
    )
    if profile:
        print("\nClean import, by cumulative time:")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    total = results[1][1]["total"]
    if total >= args.limit:
        print(
            f"\nFAIL: the clean import took {total:.2f} s; the limit is {args.limit:g} s.",
            file=sys.stderr,
        )
        return 1
    print(f"\nOK: the clean import took {total:.2f} s (limit {args.limit:g} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
