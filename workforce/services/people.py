"""Staff and employment: the staff list, and every change to people and their spells."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from workforce.extensions import db
from workforce.models import CONTRACT_TYPES, EmploymentSpell, Staff, Team, User
from workforce.models.people import spell_in_force
from workforce.security import visible_staff_filter
from workforce.services import ServiceError
from workforce.services.reference import codes
from workforce.validation import (
    date_of_birth_problem,
    email_problem,
    hours_problem,
    normalise_swe,
    staff_number_problem,
    swe_problem,
)

STATUSES = {"current": "In post", "left": "Left", "future": "Starting soon"}
SORTS = {
    "name": (Staff.last_name, Staff.first_name),
    "number": (Staff.staff_number,),
}


@dataclass
class StaffDetails:
    """The personal fields of a staff record."""

    staff_number: str
    first_name: str
    last_name: str
    work_email: str | None = None
    swe_number: str | None = None
    qualified_social_worker: bool = False
    date_of_birth: date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    #: Census qualification fields (not personal characteristics).
    qual_inst: str | None = None
    qual_level: str | None = None
    step_up_grad: bool | None = None
    frontline_grad: bool | None = None


@dataclass
class SpellDetails:
    """The fields of an employment spell that a person enters."""

    post_title: str
    team_id: int
    contract_type: str
    contracted_hours: Decimal
    start_date: date
    standard_hours: Decimal = Decimal("37")
    org_role: str | None = None
    grade: str | None = None
    line_manager_id: int | None = None
    start_origin: str | None = None
    #: Census child and family KSS status code.
    cfkss_status: str | None = None
    #: Agency workers only: whether they cover a vacancy, and their contract weeks in the
    #: census year.
    covers_vacancy: bool = False
    contract_weeks: Decimal | None = None


def from_mapping(cls: type, data: dict[str, Any]) -> Any:
    """Build a details dataclass from a form's data, ignoring other keys; blanks become None."""
    names = {f.name for f in fields(cls)}
    values = {k: (None if v == "" else v) for k, v in data.items() if k in names}
    return cls(**values)


# --- queries ---------------------------------------------------------------------------


def latest_spell_id(on: date) -> Any:
    """SQL, correlated with ``Staff``: the id of the person's spell in force on ``on`` or,
    failing that, their latest one (the latest started, then the highest id). One lookup
    on the (staff, start) index per person, so a page of the list reads a page of people."""
    spell = aliased(EmploymentSpell, name="ranked_spell")
    return (
        select(spell.id)
        .where(spell.staff_id == Staff.id)
        .order_by(
            case((spell_in_force(spell, on), 0), else_=1),
            spell.start_date.desc(),
            spell.id.desc(),
        )
        .limit(1)
        .correlate(Staff)
        .scalar_subquery()
    )


def status_condition(status: str, on: date) -> Any:
    """SQL on ``Staff``: the person's status on ``on`` (see ``status_expression``) is
    ``status``, without finding their latest spell: "current" is having a spell in force,
    "future" having none but one starting later, "left" having spells, all ended."""
    spell = aliased(EmploymentSpell, name="status_spell")

    def has(*conditions: Any) -> Any:
        return exists().where(spell.staff_id == Staff.id, *conditions)

    in_force = has(spell_in_force(spell, on))
    if status == "current":
        return in_force
    starting = has(spell.start_date > on)
    if status == "future":
        return and_(~in_force, starting)
    return and_(~in_force, ~starting, has())


def status_expression(spell: Any, on: date) -> Any:
    """SQL: 'current', 'left', 'future' or NULL for a (latest) spell."""
    return case(
        (spell.start_date > on, "future"),
        (spell.end_date < on, "left"),
        (spell.id.is_not(None), "current"),
        else_=None,
    )


@dataclass
class StaffFilters:
    """What the staff list is narrowed to and ordered by."""

    q: str = ""
    team_id: int | None = None
    org_role: str | None = None
    status: str | None = "current"
    contract_type: str | None = None
    sort: str = "name"
    descending: bool = False


def staff_list_query(user: User, filters: StaffFilters, on: date | None = None) -> Select[Any]:
    """Rows of (Staff, latest spell, team name, status) the user may see, filtered and sorted."""
    on = on or date.today()
    latest = aliased(EmploymentSpell, name="latest_spell")
    status = status_expression(latest, on).label("status")
    query = (
        select(Staff, latest, Team.name.label("team_name"), status)
        .select_from(Staff)
        .outerjoin(latest, latest.id == latest_spell_id(on))
        .outerjoin(Team, Team.id == latest.team_id)
        .where(visible_staff_filter(user))
    )
    if filters.q:
        term = f"%{filters.q.strip().lower()}%"
        full_name = func.lower(Staff.first_name + " " + Staff.last_name)
        query = query.where(
            or_(
                full_name.like(term),
                func.lower(Staff.last_name).like(term),
                func.lower(Staff.staff_number).like(term),
                func.lower(func.coalesce(Staff.work_email, "")).like(term),
                func.lower(func.coalesce(Staff.swe_number, "")).like(term),
            )
        )
    if filters.team_id:
        query = query.where(latest.team_id == filters.team_id)
    if filters.org_role:
        query = query.where(latest.org_role == filters.org_role)
    if filters.contract_type:
        query = query.where(latest.contract_type == filters.contract_type)
    if filters.status in STATUSES:
        query = query.where(status_condition(filters.status, on))
    order: tuple[Any, ...]
    if filters.sort == "team":
        order = (Team.name, Staff.last_name, Staff.first_name)
    elif filters.sort == "start":
        order = (latest.start_date, Staff.last_name)
    else:
        order = SORTS.get(filters.sort, SORTS["name"])
    if filters.descending:
        order = tuple(column.desc() for column in order)
    return query.order_by(*order, Staff.id)


def find_staff_by_number(staff_number: str) -> Staff | None:
    """The staff record with ``staff_number`` (case-insensitive)."""
    return db.session.scalar(
        select(Staff).where(func.lower(Staff.staff_number) == staff_number.strip().lower())
    )


# --- changes ---------------------------------------------------------------------------


def _check_unique(staff: Staff | None, details: StaffDetails) -> None:
    own_id = staff.id if staff is not None else -1
    for column, value, label in (
        (Staff.staff_number, details.staff_number, "staff number"),
        (Staff.work_email, details.work_email, "work email address"),
        (Staff.swe_number, details.swe_number, "Social Work England number"),
    ):
        if value and db.session.scalar(
            select(Staff.id).where(func.lower(column) == value.lower(), Staff.id != own_id)
        ):
            raise ServiceError(f"Another staff record already has this {label}", field=column.key)


def _clean_details(details: StaffDetails) -> StaffDetails:
    details.staff_number = (details.staff_number or "").strip()
    details.first_name = (details.first_name or "").strip()
    details.last_name = (details.last_name or "").strip()
    details.work_email = (details.work_email or "").strip().lower() or None
    details.swe_number = normalise_swe(details.swe_number)
    for field, problem in (
        ("staff_number", staff_number_problem(details.staff_number)),
        ("work_email", email_problem(details.work_email)),
        ("swe_number", swe_problem(details.swe_number)),
        ("date_of_birth", date_of_birth_problem(details.date_of_birth)),
    ):
        if problem:
            raise ServiceError(problem, field=field)
    if not details.first_name:
        raise ServiceError("Enter a first name", field="first_name")
    if not details.last_name:
        raise ServiceError("Enter a last name", field="last_name")
    details.qual_inst = (details.qual_inst or "").strip() or None
    if details.qual_inst and len(details.qual_inst) > 200:
        raise ServiceError(
            "The qualifying institution must be 200 characters or fewer", field="qual_inst"
        )
    _check_code(details.qual_level, "qualification_level", "qual_level", "qualification level")
    return details


def _check_code(value: str | None, list_name: str, field: str, label: str) -> None:
    if value is not None and value not in {e.code for e in codes(list_name)}:
        raise ServiceError(f"Select a {label} from the list", field=field)


#: Census ContractWeeks: 0 to 53 weeks, to one decimal place.
MAX_CONTRACT_WEEKS = Decimal("53")


def _check_census_spell(details: SpellDetails) -> None:
    _check_code(details.cfkss_status, "kss_status", "cfkss_status", "KSS status")
    details.covers_vacancy = bool(details.covers_vacancy)
    agency = details.contract_type == "agency"
    if details.covers_vacancy and not agency:
        raise ServiceError(
            "Only an agency worker can be recorded as covering a vacancy", field="covers_vacancy"
        )
    weeks = details.contract_weeks
    if weeks is not None:
        if not agency:
            raise ServiceError(
                "Contract weeks are recorded for agency workers only", field="contract_weeks"
            )
        if not Decimal("0") <= weeks <= MAX_CONTRACT_WEEKS:
            raise ServiceError("Contract weeks must be between 0 and 53", field="contract_weeks")
        if weeks != weeks.quantize(Decimal("0.1")):
            raise ServiceError(
                "Contract weeks must have no more than 1 decimal place", field="contract_weeks"
            )


def _check_spell(details: SpellDetails, staff: Staff | None) -> None:
    if not details.post_title or not details.post_title.strip():
        raise ServiceError("Enter a post title", field="post_title")
    if details.contract_type not in CONTRACT_TYPES:
        raise ServiceError("Select a contract type", field="contract_type")
    if db.session.get(Team, details.team_id) is None:
        raise ServiceError("Select a team", field="team_id")
    problem = hours_problem(details.contracted_hours, details.standard_hours)
    if problem:
        raise ServiceError(problem[1], field=problem[0])
    _check_census_spell(details)
    if details.line_manager_id is not None:
        if staff is not None and details.line_manager_id == staff.id:
            raise ServiceError("A person cannot be their own line manager", field="line_manager_id")
        if db.session.get(Staff, details.line_manager_id) is None:
            raise ServiceError("Line manager not found", field="line_manager_id")


def create_staff(details: StaffDetails, first_spell: SpellDetails) -> Staff:
    """Add a person with their first employment spell."""
    details = _clean_details(details)
    _check_unique(None, details)
    _check_spell(first_spell, None)
    staff = Staff(**vars(details))
    db.session.add(staff)
    db.session.flush()
    db.session.add(EmploymentSpell(staff_id=staff.id, **vars(first_spell)))
    db.session.flush()
    return staff


def update_staff(staff: Staff, details: StaffDetails, include_characteristics: bool) -> None:
    """Change a person's details; characteristics only when the editor may see them."""
    details = _clean_details(details)
    _check_unique(staff, details)
    restricted = {"date_of_birth", "gender", "ethnicity"}
    for name, value in vars(details).items():
        if name in restricted and not include_characteristics:
            continue
        if getattr(staff, name) != value:
            setattr(staff, name, value)
    db.session.flush()


def current_spell(staff: Staff, on: date | None = None) -> EmploymentSpell | None:
    """The spell in force on ``on`` (today by default)."""
    return staff.spell_on(on or date.today())


def record_move(staff: Staff, effective: date, details: SpellDetails) -> EmploymentSpell:
    """Close the current spell the day before ``effective`` and open a new one from it."""
    details.start_date = effective
    _check_spell(details, staff)
    spell = staff.spell_on(effective) or current_spell(staff)
    if spell is None:
        raise ServiceError(
            "This person has no spell in force to move from; add a new spell instead",
            field="start_date",
        )
    if effective <= spell.start_date:
        raise ServiceError(
            f"The move must be after the current post started ({spell.start_date:%d/%m/%Y})",
            field="start_date",
        )
    if spell.end_date is not None and effective > spell.end_date + timedelta(days=1):
        raise ServiceError("The current post ends before that date", field="start_date")
    if any(s.start_date >= effective for s in staff.spells if s is not spell):
        raise ServiceError("A later spell already starts on or after that date", field="start_date")
    spell.end_date = effective - timedelta(days=1)
    new = EmploymentSpell(staff_id=staff.id, **vars(details))
    db.session.add(new)
    db.session.flush()
    return new


def add_spell(staff: Staff, details: SpellDetails) -> EmploymentSpell:
    """Open a spell for someone with none in force (a re-joiner, or a record without history)."""
    _check_spell(details, staff)
    for spell in staff.spells:
        if spell.end_date is None or spell.end_date >= details.start_date:
            raise ServiceError(
                "This person has a spell in force on that date; record a move instead",
                field="start_date",
            )
    new = EmploymentSpell(staff_id=staff.id, **vars(details))
    db.session.add(new)
    db.session.flush()
    return new


def record_leaver(staff: Staff, end_date: date, reason: str, destination: str | None) -> None:
    """End every open spell on ``end_date`` with the census reason and destination."""
    if not reason:
        raise ServiceError("Select a reason for leaving", field="leaving_reason")
    open_spells = [s for s in staff.spells if s.end_date is None or s.end_date >= end_date]
    if not open_spells:
        raise ServiceError("This person has no spell in force on that date", field="end_date")
    for spell in open_spells:
        if end_date < spell.start_date:
            raise ServiceError(
                f"The leaving date cannot be before the post started ({spell.start_date:%d/%m/%Y})",
                field="end_date",
            )
    for spell in open_spells:
        spell.end_date = end_date
        spell.leaving_reason = reason
        spell.leaver_destination = destination
    db.session.flush()


def update_spell(
    spell: EmploymentSpell,
    details: SpellDetails,
    end_date: date | None,
    leaving_reason: str | None,
    leaver_destination: str | None,
) -> None:
    """Correct a spell's fields."""
    _check_spell(details, spell.staff)
    if end_date is not None and end_date < details.start_date:
        raise ServiceError("The end date must be on or after the start date", field="end_date")
    if leaving_reason and end_date is None:
        raise ServiceError("Enter the end date for a leaver", field="end_date")
    values = vars(details) | {
        "end_date": end_date,
        "leaving_reason": leaving_reason,
        "leaver_destination": leaver_destination,
    }
    for name, value in values.items():
        if getattr(spell, name) != value:
            setattr(spell, name, value)
    db.session.flush()


def team_choices(blank: str | None = None, include_inactive: bool = False) -> list[tuple[str, str]]:
    """(id, name) pairs for a select box."""
    query = select(Team.id, Team.name).order_by(Team.name)
    if not include_inactive:
        query = query.where(Team.active.is_(True))
    options = [(str(team_id), name) for team_id, name in db.session.execute(query)]
    return ([("", blank)] if blank is not None else []) + options
