"""Each person's training record and CPD log: training history, CPD hours and the
registration-year rule by Social Work England registration year, and changes to CPD entries.

Only the person may add, change or delete their own CPD entries; the people who may open
their staff record may read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from workforce.extensions import db
from workforce.metrics.cpd import (
    RegistrationYear,
    RuleResult,
    attended_cpd_hours,
    check_registration_year,
    cpd_hours_by_registration_year,
    registration_years_between,
)
from workforce.models import Booking, CpdEntry, Staff, TrainingSession, User
from workforce.models.training import CPD_TYPES
from workforce.services import ServiceError
from workforce.services.evaluations import EVALUABLE_ATTENDANCE

MAX_TEXT = 10000
EARLIEST_DATE = date(1990, 1, 1)


@dataclass
class CpdDetails:
    """A CPD entry in the Social Work England shape."""

    entry_type: str | None
    description: str | None
    activity_date: date | None
    learning: str | None
    impact: str | None
    peer_reflection: bool = False
    peer_reflection_detail: str | None = None
    booking_id: int | None = None


def may_change_cpd(user: User, staff: Staff) -> bool:
    """Only the person themselves keeps their CPD log."""
    return user.staff_id is not None and user.staff_id == staff.id


def _required(value: str | None, message: str, field_name: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(message, field=field_name)
    if len(text) > MAX_TEXT:
        raise ServiceError(f"Keep this to {MAX_TEXT:,} characters or fewer", field=field_name)
    return text


def _clean(staff: Staff, details: CpdDetails, today: date) -> dict[str, object]:
    if details.entry_type not in CPD_TYPES:
        raise ServiceError("Select the type of CPD", field="entry_type")
    description = _required(details.description, "Describe the CPD activity", "description")
    if details.activity_date is None:
        raise ServiceError("Enter the date of the activity", field="activity_date")
    if details.activity_date > today:
        raise ServiceError(
            "The date of the activity cannot be in the future", field="activity_date"
        )
    if details.activity_date < EARLIEST_DATE:
        raise ServiceError(
            f"The date of the activity must be after {EARLIEST_DATE:%d/%m/%Y}",
            field="activity_date",
        )
    learning = _required(details.learning, "Say what you learnt", "learning")
    impact = _required(details.impact, "Say what impact it has had on your practice", "impact")
    detail = None
    if details.peer_reflection:
        detail = _required(
            details.peer_reflection_detail,
            "Say who you reflected with and what came of it",
            "peer_reflection_detail",
        )
    if details.booking_id is not None and details.booking_id not in {
        b.id for b in linkable_bookings(staff.id)
    }:
        raise ServiceError("Select one of your attended sessions", field="booking_id")
    return {
        "entry_type": details.entry_type,
        "description": description,
        "activity_date": details.activity_date,
        "learning": learning,
        "impact": impact,
        "peer_reflection": bool(details.peer_reflection),
        "peer_reflection_detail": detail,
        "booking_id": details.booking_id,
    }


def create_cpd_entry(staff: Staff, details: CpdDetails, today: date | None = None) -> CpdEntry:
    """Add an entry to ``staff``'s CPD log."""
    entry = CpdEntry(staff_id=staff.id, **_clean(staff, details, today or date.today()))
    db.session.add(entry)
    db.session.flush()
    return entry


def update_cpd_entry(entry: CpdEntry, details: CpdDetails, today: date | None = None) -> CpdEntry:
    """Change a CPD entry."""
    for name, value in _clean(entry.staff, details, today or date.today()).items():
        if getattr(entry, name) != value:
            setattr(entry, name, value)
    db.session.flush()
    return entry


def delete_cpd_entry(entry: CpdEntry) -> None:
    """Delete a CPD entry (the audit trail keeps what it said)."""
    db.session.delete(entry)
    db.session.flush()


# --- the record -------------------------------------------------------------------------------


def training_history(staff_id: int) -> list[Booking]:
    """Every booking the person has had, latest session first, with course and evaluation."""
    query = (
        select(Booking)
        .join(Booking.session)
        .options(
            contains_eager(Booking.session).selectinload(TrainingSession.course),
            selectinload(Booking.evaluation),
        )
        .where(Booking.staff_id == staff_id)
        .order_by(TrainingSession.starts_at.desc(), Booking.id)
    )
    return list(db.session.scalars(query))


def linkable_bookings(staff_id: int) -> list[Booking]:
    """The person's attended or partly attended sessions, for linking a CPD entry."""
    return [
        b
        for b in training_history(staff_id)
        if b.status == "booked"
        and b.attendance in EVALUABLE_ATTENDANCE
        and b.session.status != "cancelled"
    ]


def cpd_entries(staff_id: int) -> list[CpdEntry]:
    """The person's CPD log, latest first."""
    return list(
        db.session.scalars(
            select(CpdEntry)
            .where(CpdEntry.staff_id == staff_id)
            .order_by(CpdEntry.activity_date.desc(), CpdEntry.id.desc())
        )
    )


def booking_cpd_hours(booking: Booking) -> Decimal:
    """CPD hours a booking earned (none unless the register shows attendance)."""
    if booking.status != "booked" or booking.session.status == "cancelled":
        return Decimal("0")
    return attended_cpd_hours(booking.session.course.cpd_hours, booking.attendance)


@dataclass
class YearSummary:
    """One registration year of a person's record."""

    year: RegistrationYear
    cpd_hours: Decimal
    rule: RuleResult


def year_summaries(
    history: list[Booking], entries: list[CpdEntry], today: date | None = None
) -> list[YearSummary]:
    """CPD hours from attended training and the CPD rule, for each registration year from the
    person's first training or CPD entry to the current one, latest first."""
    today = today or date.today()
    sessions = [
        (b.session.starts_at.date(), b.session.course.cpd_hours, b.attendance)
        for b in history
        if b.status == "booked" and b.session.status != "cancelled"
    ]
    hours = cpd_hours_by_registration_year(sessions)
    dates = [e.activity_date for e in entries] + [d for d, _, a in sessions if a]
    first = min([*dates, today])
    last = max([*dates, today])
    return [
        YearSummary(
            year=year,
            cpd_hours=hours.get(year, Decimal("0")),
            rule=check_registration_year(entries, year),
        )
        for year in reversed(registration_years_between(first, last))
    ]
