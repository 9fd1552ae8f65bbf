"""Each team's funded establishment and people's absence: validate, add, flush (the caller
commits once).

**Establishment.** A team's funded FTE of child and family social worker posts from a date
until the team's next record; the turnover report reads the record in force at the end of
its period to work out vacancies (funded FTE less FTE in post, never below 0).

**Absence.** A period of absence of one person with the working days lost and the census
reason (MAT, OTH, PUB, SIC, TRN, UNA, UNP). It must fall within the person's employment
(their posts, joined up where one follows another the next day) and may not overlap
another of their absences, so no day is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from workforce.extensions import db
from workforce.metrics import turnover as measures
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.workforce_planning import Absence, TeamEstablishment
from workforce.services import ServiceError
from workforce.services.reference import codes

#: The largest funded FTE one team may have (the column holds 999,999.99).
MAX_FUNDED_FTE = Decimal("10000")
#: The most working days one absence may lose (the column holds 99,999.9).
MAX_DAYS_LOST = Decimal("9999.9")


def _date_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def parse_number(value: Any, what: str, field: str, *, places: int, maximum: Decimal) -> Decimal:
    """A number typed or imported as text (or a number already), not negative, with at
    most ``places`` decimal places and below ``maximum``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(f"Enter the {what}", field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ServiceError(f"The {what} must be a number, like 12.5", field) from None
    if not number.is_finite():
        raise ServiceError(f"The {what} must be a number, like 12.5", field)
    if number < 0:
        raise ServiceError(f"The {what} cannot be negative", field)
    if number >= maximum:
        raise ServiceError(f"The {what} must be less than {maximum:,}", field)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        unit = "one decimal place" if places == 1 else f"{places} decimal places"
        raise ServiceError(f"The {what} can have at most {unit}", field)
    return number


# --- establishment ------------------------------------------------------------------------


@dataclass(frozen=True)
class EstablishmentDetails:
    """What a form or import gives for one establishment record."""

    team_id: int | None
    effective_from: date | None
    funded_fte: Any
    notes: str | None = None


def _check_establishment(
    record: TeamEstablishment | None, details: EstablishmentDetails
) -> tuple[Team, date, Decimal]:
    team = db.session.get(Team, details.team_id) if details.team_id else None
    if team is None:
        raise ServiceError("Choose the team", "team_id")
    if details.effective_from is None:
        raise ServiceError("Enter the date the establishment applies from", "effective_from")
    funded = parse_number(
        details.funded_fte, "funded FTE", "funded_fte", places=2, maximum=MAX_FUNDED_FTE
    )
    clash = db.session.scalar(
        select(TeamEstablishment.id).where(
            TeamEstablishment.team_id == team.id,
            TeamEstablishment.effective_from == details.effective_from,
            TeamEstablishment.id != (record.id if record is not None else -1),
        )
    )
    if clash is not None:
        raise ServiceError(
            f"{team.name} already has an establishment from "
            f"{_date_text(details.effective_from)}: change that record instead",
            "effective_from",
        )
    return team, details.effective_from, funded


def add_establishment(details: EstablishmentDetails) -> TeamEstablishment:
    """Record a team's funded FTE from a date."""
    team, effective_from, funded = _check_establishment(None, details)
    record = TeamEstablishment(
        team_id=team.id,
        effective_from=effective_from,
        funded_fte=funded,
        notes=(details.notes or "").strip() or None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def update_establishment(
    record: TeamEstablishment, details: EstablishmentDetails
) -> TeamEstablishment:
    """Correct an establishment record (its team stays the same)."""
    details = EstablishmentDetails(
        record.team_id, details.effective_from, details.funded_fte, details.notes
    )
    _, effective_from, funded = _check_establishment(record, details)
    record.effective_from = effective_from
    record.funded_fte = funded
    record.notes = (details.notes or "").strip() or None
    db.session.flush()
    return record


def delete_establishment(record: TeamEstablishment) -> None:
    """Remove an establishment record entered in error (the audit trail keeps it)."""
    db.session.delete(record)
    db.session.flush()


def establishment_history(team_id: int) -> list[TeamEstablishment]:
    """A team's establishment records, latest first."""
    return list(
        db.session.scalars(
            select(TeamEstablishment)
            .where(TeamEstablishment.team_id == team_id)
            .order_by(TeamEstablishment.effective_from.desc())
        )
    )


@dataclass(frozen=True)
class TeamPosition:
    """A team on a day: funded FTE in force (None: none recorded), FTE in post, vacancies."""

    team: Team
    funded_fte: Decimal | None
    since: date | None
    in_post_fte: Decimal
    headcount: int

    @property
    def vacancies_fte(self) -> Decimal | None:
        """Funded FTE less FTE in post, never below 0; None without an establishment."""
        if self.funded_fte is None:
            return None
        return measures.vacancies_fte(self.funded_fte, self.in_post_fte)

    @property
    def vacancy_rate(self) -> Decimal | None:
        """Vacancies over vacancies plus FTE in post."""
        vacancies = self.vacancies_fte
        return None if vacancies is None else measures.vacancy_rate(vacancies, self.in_post_fte)


def team_positions(on: date) -> list[TeamPosition]:
    """Every active team (and any inactive one with an establishment in force) on ``on``,
    by name: three queries."""
    from workforce.reports.turnover import AGENCY, in_stock

    latest = (
        select(TeamEstablishment.team_id, func.max(TeamEstablishment.effective_from).label("day"))
        .where(TeamEstablishment.effective_from <= on)
        .group_by(TeamEstablishment.team_id)
        .subquery()
    )
    funded = {
        team_id: (amount, day)
        for team_id, amount, day in db.session.execute(
            select(
                TeamEstablishment.team_id,
                TeamEstablishment.funded_fte,
                TeamEstablishment.effective_from,
            ).join(
                latest,
                and_(
                    latest.c.team_id == TeamEstablishment.team_id,
                    latest.c.day == TeamEstablishment.effective_from,
                ),
            )
        )
    }
    s = EmploymentSpell
    in_post = {
        team_id: (Decimal(str(fte or 0)), heads)
        for team_id, fte, heads in db.session.execute(
            select(s.team_id, func.sum(s.fte), func.count(func.distinct(s.staff_id)))
            .where(s.org_role.is_not(None), s.contract_type != AGENCY, in_stock(s, on))
            .group_by(s.team_id)
        )
    }
    teams = db.session.scalars(
        select(Team)
        .where(or_(Team.active.is_(True), Team.id.in_(list(funded) or [-1])))
        .order_by(Team.name)
    )
    positions = []
    for team in teams:
        amount, since = funded.get(team.id, (None, None))
        fte, heads = in_post.get(team.id, (Decimal(0), 0))
        positions.append(
            TeamPosition(
                team,
                Decimal(str(amount)) if amount is not None else None,
                since,
                fte.quantize(Decimal("0.01")),
                heads,
            )
        )
    return positions


# --- absence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceDetails:
    """What a form or import gives for one absence."""

    staff_id: int | None
    start_date: date | None
    end_date: date | None
    working_days_lost: Any
    reason: str | None


def absence_reasons() -> dict[str, str]:
    """The census absence reason codes in use, with their labels."""
    return {entry.code: entry.label for entry in codes("absence_reason")}


def employment_problem(staff_id: int, start: date, end: date | None) -> str | None:
    """Why ``start`` to ``end`` (open when None) is not within the person's employment, or
    None when it is."""
    stints = [
        measures.Stint(first, last)
        for first, last in db.session.execute(
            select(EmploymentSpell.start_date, EmploymentSpell.end_date).where(
                EmploymentSpell.staff_id == staff_id
            )
        )
    ]
    if not stints:
        return "This person has no employment recorded"
    joined = measures.continuous_start(stints, start)
    if joined is None:
        return f"This person was not employed on {_date_text(start)}"
    if end is None:
        if measures.continuous_start(stints, date.max) != joined:
            return "An absence that has not ended needs someone still employed: enter the last day"
    elif measures.continuous_start(stints, end) != joined:
        return (
            f"This person was not employed throughout: they were not employed on {_date_text(end)}"
        )
    return None


def _check_absence(record: Absence | None, details: AbsenceDetails) -> AbsenceDetails:
    staff = db.session.get(Staff, details.staff_id) if details.staff_id else None
    if staff is None:
        raise ServiceError("Choose the person", "staff_id")
    if details.start_date is None:
        raise ServiceError("Enter the first day of absence", "start_date")
    if details.end_date is not None and details.end_date < details.start_date:
        raise ServiceError("The last day must be on or after the first day", "end_date")
    days = parse_number(
        details.working_days_lost,
        "working days lost",
        "working_days_lost",
        places=1,
        maximum=MAX_DAYS_LOST,
    )
    if details.end_date is not None:
        calendar_days = (details.end_date - details.start_date).days + 1
        if days > calendar_days:
            raise ServiceError(
                f"The working days lost cannot be more than the {calendar_days} calendar "
                "days of the absence",
                "working_days_lost",
            )
    reasons = absence_reasons()
    if details.reason not in reasons:
        raise ServiceError(
            "Choose a census absence reason: " + ", ".join(sorted(reasons)), "reason"
        )
    problem = employment_problem(staff.id, details.start_date, details.end_date)
    if problem:
        at_start = problem.startswith(("This person was not employed on", "This person has no"))
        raise ServiceError(problem, "start_date" if at_start else "end_date")
    far = date.max
    overlap = db.session.execute(
        select(Absence.start_date, Absence.end_date).where(
            Absence.staff_id == staff.id,
            Absence.id != (record.id if record is not None else -1),
            Absence.start_date <= (details.end_date or far),
            or_(Absence.end_date.is_(None), Absence.end_date >= details.start_date),
        )
    ).first()
    if overlap is not None:
        ends = _date_text(overlap[1]) if overlap[1] else "not ended"
        raise ServiceError(
            f"This overlaps another absence of the same person ({_date_text(overlap[0])} to "
            f"{ends}); change that one instead",
            "start_date",
        )
    return AbsenceDetails(staff.id, details.start_date, details.end_date, days, details.reason)


def add_absence(details: AbsenceDetails) -> Absence:
    """Record a period of absence."""
    checked = _check_absence(None, details)
    record = Absence(
        staff_id=checked.staff_id,
        start_date=checked.start_date,
        end_date=checked.end_date,
        working_days_lost=checked.working_days_lost,
        reason=checked.reason,
    )
    db.session.add(record)
    db.session.flush()
    return record


def update_absence(record: Absence, details: AbsenceDetails) -> Absence:
    """Correct a period of absence (the person stays the same)."""
    checked = _check_absence(
        record,
        AbsenceDetails(
            record.staff_id,
            details.start_date,
            details.end_date,
            details.working_days_lost,
            details.reason,
        ),
    )
    record.start_date = checked.start_date
    record.end_date = checked.end_date
    record.working_days_lost = checked.working_days_lost
    record.reason = checked.reason
    db.session.flush()
    return record


def delete_absence(record: Absence) -> None:
    """Remove an absence entered in error (the audit trail keeps it)."""
    db.session.delete(record)
    db.session.flush()


@dataclass(frozen=True)
class AbsenceFilter:
    """What the list of absences is narrowed to."""

    team_id: int | None = None
    reason: str | None = None
    start: date | None = None
    end: date | None = None
    name: str | None = None


def absence_query(chosen: AbsenceFilter) -> Any:
    """SQL: absences (with the person) matching ``chosen``, latest first. The team is the
    team of the person's post on the first day of absence."""
    query = (
        select(Absence)
        .join(Staff, Staff.id == Absence.staff_id)
        .options(contains_eager(Absence.staff))
    )
    if chosen.team_id is not None:
        query = query.where(
            select(EmploymentSpell.id)
            .where(
                EmploymentSpell.staff_id == Absence.staff_id,
                EmploymentSpell.team_id == chosen.team_id,
                EmploymentSpell.start_date <= Absence.start_date,
                or_(
                    EmploymentSpell.end_date.is_(None),
                    EmploymentSpell.end_date >= Absence.start_date,
                ),
            )
            .exists()
        )
    if chosen.reason:
        query = query.where(Absence.reason == chosen.reason)
    if chosen.start is not None:
        query = query.where(or_(Absence.end_date.is_(None), Absence.end_date >= chosen.start))
    if chosen.end is not None:
        query = query.where(Absence.start_date <= chosen.end)
    if chosen.name:
        pattern = f"%{chosen.name.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Staff.first_name + " " + Staff.last_name).like(pattern),
                func.lower(Staff.staff_number).like(pattern),
            )
        )
    return query.order_by(Absence.start_date.desc(), Absence.id.desc())
