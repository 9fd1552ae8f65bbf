"""Import an attendance register from a CSV or XLSX file.

One row is one person's attendance at one session. The session is named by its number
(``session_id``, shown on the session's page and in its address); when the file is
imported for one session (from that session's register, or ``--session`` on the command
line) the column may be left out, and where given it must be that session. The person is
named by ``staff_number`` or ``email`` (either will do; if both are given they must be
the same person). Attendance is ``attended``, ``partial`` or ``did_not_attend``.

The register's rules apply to every row: the person must hold a booked place on the
session (someone on the waiting list, cancelled or not booked at all is refused), and a
cancelled session's register cannot be marked. Every row is checked before anything is
written; a file with any bad row writes nothing. Lookups are loaded once, not per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from workforce.audit import record_event
from workforce.extensions import db
from workforce.models import Booking, Staff, TrainingSession
from workforce.models.training import ATTENDANCE
from workforce.services.tabular import RowError, cell_text, spreadsheet_rows
from workforce.services.training_sessions import complete_sessions_if_done, parse_attendance

#: Columns of the template, in order, with a description for the template's notes.
COLUMNS: dict[str, str] = {
    "session_id": (
        "The session's number, shown on its page. Optional when importing from a session's "
        "register (or with --session); if given, it must be that session."
    ),
    "staff_number": "The person's staff number. Give this or email.",
    "email": "The person's work email address. Give this or staff_number.",
    "name": "Optional, for your reference only; not read.",
    "attendance": "Required. attended, partial or did_not_attend.",
}
CHUNK = 900


@dataclass
class AttendancePlan:
    """What an import would do, or why it cannot."""

    errors: list[RowError] = field(default_factory=list)
    #: booking id -> attendance code
    marks: dict[int, str] = field(default_factory=dict)
    session_ids: set[int] = field(default_factory=set)
    rows: int = 0
    changed: int = 0
    unchanged: int = 0

    def describe(self) -> str:
        """One sentence of what would change."""
        sessions = len(self.session_ids)
        return (
            f"{self.rows} rows for {sessions} session{'' if sessions == 1 else 's'}: "
            f"{self.changed} attendance marks to record or change, {self.unchanged} unchanged."
        )


def template_frame(session: TrainingSession | None = None) -> pd.DataFrame:
    """The template: for a session, one row per booked person with any mark so far;
    otherwise one example row."""
    if session is None:
        rows = [
            {
                "session_id": "123",
                "staff_number": "E12345",
                "email": "",
                "name": "Sam Example",
                "attendance": "attended",
            }
        ]
    else:
        bookings = db.session.execute(
            select(Staff.staff_number, Staff.work_email, Staff.first_name, Staff.last_name)
            .add_columns(Booking.attendance)
            .join(Booking, Booking.staff_id == Staff.id)
            .where(Booking.session_id == session.id, Booking.status == "booked")
            .order_by(func.lower(Staff.last_name), func.lower(Staff.first_name))
        ).all()
        rows = [
            {
                "session_id": str(session.id),
                "staff_number": number,
                "email": email or "",
                "name": f"{first} {last}",
                "attendance": attendance or "",
            }
            for number, email, first, last, attendance in bookings
        ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


class _Lookups:
    """Everything a row is checked against, loaded once."""

    def __init__(self, session_ids: set[int]) -> None:
        self.by_number: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        for staff_id, number, email in db.session.execute(
            select(Staff.id, Staff.staff_number, Staff.work_email)
        ):
            self.by_number[number.lower()] = staff_id
            if email:
                self.by_email[email.lower()] = staff_id
        self.sessions: dict[int, str] = {}
        #: (session id, staff id) -> (booking id, status, attendance)
        self.bookings: dict[tuple[int, int], tuple[int, str, str | None]] = {}
        ids = sorted(session_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            self.sessions.update(
                db.session.execute(
                    select(TrainingSession.id, TrainingSession.status).where(
                        TrainingSession.id.in_(chunk)
                    )
                ).all()
            )
            for booking_id, session_id, staff_id, status, attendance in db.session.execute(
                select(
                    Booking.id,
                    Booking.session_id,
                    Booking.staff_id,
                    Booking.status,
                    Booking.attendance,
                ).where(Booking.session_id.in_(chunk))
            ):
                self.bookings[(session_id, staff_id)] = (booking_id, status, attendance)


def _session_number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _check_row(
    number: int, raw: dict[str, Any], session_id: int | None, lookups: _Lookups
) -> tuple[list[RowError], tuple[int, int] | None, str | None, str]:
    """A row's problems, its (session id, staff id) when both are known, its attendance
    code, and the column that named the person."""
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    # the session
    text = cell_text(raw.get("session_id"))
    row_session: int | None = session_id
    if text:
        named = _session_number(text)
        if named is None:
            fail("session_id", "must be a session number")
            row_session = None
        elif session_id is not None and named != session_id:
            fail("session_id", f"this file is for session {session_id}, not {named}")
        elif session_id is None:
            row_session = named
            status = lookups.sessions.get(named)
            if status is None:
                fail("session_id", f"there is no session {named}")
                row_session = None
            elif status == "cancelled":
                fail("session_id", f"session {named} was cancelled")
                row_session = None
    elif session_id is None:
        fail("session_id", "is required")
    # the person
    staff_number = cell_text(raw.get("staff_number"))
    email = cell_text(raw.get("email")).lower()
    staff_id: int | None = None
    if not staff_number and not email:
        fail("staff_number", "give a staff number or an email address")
    if staff_number:
        staff_id = lookups.by_number.get(staff_number.lower())
        if staff_id is None:
            fail("staff_number", f"no staff record has staff number {staff_number}")
    if email:
        by_email = lookups.by_email.get(email)
        if by_email is None:
            fail("email", f"no staff record has the email address {email}")
            staff_id = None
        elif staff_number and staff_id is not None and by_email != staff_id:
            fail("email", "belongs to a different person from the staff number")
            staff_id = None
        elif not staff_number:
            staff_id = by_email
    # the mark
    attendance: str | None = None
    text = cell_text(raw.get("attendance"))
    if not text:
        fail("attendance", "is required")
    else:
        try:
            attendance = parse_attendance(text)
        except ValueError as error:
            fail("attendance", str(error))
    key = (row_session, staff_id) if row_session is not None and staff_id is not None else None
    return errors, key, attendance, "staff_number" if staff_number else "email"


def plan_attendance_import(frame: pd.DataFrame, session_id: int | None = None) -> AttendancePlan:
    """Check every row and work out what would change, writing nothing.

    With ``session_id`` the file is that session's register; without it every row names
    its session in ``session_id``.
    """
    plan = AttendancePlan(rows=len(frame))
    columns = set(frame.columns)
    missing = [c for c in ("attendance",) if c not in columns]
    if "staff_number" not in columns and "email" not in columns:
        missing.append("staff_number or email")
    if session_id is None and "session_id" not in columns:
        missing.append("session_id")
    if missing:
        plan.errors.append(RowError(1, ", ".join(missing), "column missing from the header row"))
        return plan
    if frame.empty:
        plan.errors.append(RowError(2, "attendance", "the file has no rows to import"))
        return plan
    rows = spreadsheet_rows(frame)
    wanted = {session_id} if session_id is not None else set()
    if session_id is None:
        wanted |= {n for _, raw in rows if (n := _session_number(cell_text(raw.get("session_id"))))}
    lookups = _Lookups(wanted)
    if session_id is not None:
        status = lookups.sessions.get(session_id)
        if status is None:
            plan.errors.append(RowError(1, "session_id", f"there is no session {session_id}"))
            return plan
        if status == "cancelled":
            plan.errors.append(
                RowError(
                    1,
                    "session_id",
                    f"session {session_id} was cancelled, so attendance cannot be recorded",
                )
            )
            return plan
    seen: dict[tuple[int, int], int] = {}
    for number, raw in rows:
        errors, key, attendance, column = _check_row(number, raw, session_id, lookups)
        if key is not None:
            booking = lookups.bookings.get(key)
            if key in seen:
                errors.append(
                    RowError(
                        number, column, f"row {seen[key]} already gives this person's attendance"
                    )
                )
            elif booking is None:
                errors.append(RowError(number, column, "is not booked on this session"))
            elif booking[1] == "waiting":
                errors.append(
                    RowError(number, column, "is on the waiting list for this session, not booked")
                )
            elif booking[1] == "cancelled":
                errors.append(
                    RowError(number, column, "their booking on this session was cancelled")
                )
            seen.setdefault(key, number)
            if not errors and booking is not None and attendance is not None:
                plan.marks[booking[0]] = attendance
                plan.session_ids.add(key[0])
                if booking[2] == attendance:
                    plan.unchanged += 1
                else:
                    plan.changed += 1
        plan.errors.extend(errors)
    order = list(COLUMNS)
    plan.errors.sort(key=lambda e: (e.row, order.index(e.column) if e.column in order else 9))
    if plan.errors:
        plan.marks.clear()
    return plan


def apply_attendance_import(plan: AttendancePlan, source: str) -> list[int]:
    """Write a checked plan; return the sessions it completed. The caller commits."""
    if plan.errors:
        raise ValueError("An import with errors cannot be applied")
    ids = sorted(plan.marks)
    bookings: list[Booking] = []
    for start in range(0, len(ids), CHUNK):
        bookings.extend(
            db.session.scalars(select(Booking).where(Booking.id.in_(ids[start : start + CHUNK])))
        )
    # Load everything first, then change it, so the whole import is one flush.
    for booking in bookings:
        value = plan.marks[booking.id]
        if booking.status != "booked" or value not in ATTENDANCE:
            raise ValueError("The bookings changed since the file was checked")
        if booking.attendance != value:
            booking.attendance = value
    db.session.flush()
    completed = complete_sessions_if_done(sorted(plan.session_ids))
    record_event(
        "import",
        "Booking",
        f"Imported attendance from {source}: {plan.describe()}",
        {"source": source, "rows": plan.rows, "sessions": sorted(plan.session_ids)},
    )
    db.session.flush()
    return completed
