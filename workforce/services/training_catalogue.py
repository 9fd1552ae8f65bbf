"""The course catalogue and its configurable lists (strategic priorities, practice models,
venues): queries for pages and forms, and every change to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from workforce.extensions import db
from workforce.models import (
    Course,
    CourseAudience,
    Framework,
    FrameworkDomain,
    PracticeModel,
    StrategicPriority,
    Venue,
)
from workforce.models.training import DELIVERY_MODES, OTHER_ROLE, PROVIDERS, course_domain
from workforce.services import ServiceError
from workforce.services.evaluations import LONGEST_FOLLOW_UP_MONTHS
from workforce.services.reference import choices, labels

OTHER_ROLE_LABEL = "Other posts (outside the social work census)"
MAX_CPD_HOURS = Decimal("999")
MAX_COST = Decimal("1000000")
MAX_REFRESHER_MONTHS = 240
MAX_FOLLOW_UP_MONTHS = LONGEST_FOLLOW_UP_MONTHS
ACTIVE_FILTERS = {"yes": "Active courses", "no": "Inactive courses", "all": "All courses"}
_PENNY = Decimal("0.01")


# --- choices for forms and filters ------------------------------------------------------


def role_choices() -> list[tuple[str, str]]:
    """Roles a course can target: census organisational roles, then other posts."""
    return [*choices("org_role"), (OTHER_ROLE, OTHER_ROLE_LABEL)]


def role_labels() -> dict[str, str]:
    """Role code to label, including inactive census codes."""
    return labels("org_role") | {OTHER_ROLE: OTHER_ROLE_LABEL}


def tier_choices() -> list[tuple[str, str]]:
    """Tiers of need a course can target."""
    return choices("tier_of_need")


def pcf_domains(include_ids: set[int] | None = None) -> list[FrameworkDomain]:
    """The PCF's domains in order: current ones, plus retired ones in ``include_ids``."""
    query = (
        select(FrameworkDomain)
        .join(Framework)
        .where(Framework.code == "PCF")
        .order_by(FrameworkDomain.position)
    )
    include = include_ids or set()
    return [d for d in db.session.scalars(query) if not d.retired or d.id in include]


def priority_groups(
    include_ids: set[int] | None = None,
) -> list[tuple[str, list[StrategicPriority]]]:
    """Active strategic priorities (plus any in ``include_ids``) grouped by source."""
    include = include_ids or set()
    groups: dict[str, list[StrategicPriority]] = {}
    query = select(StrategicPriority).order_by(
        StrategicPriority.source, StrategicPriority.position, StrategicPriority.name
    )
    for priority in db.session.scalars(query):
        if priority.active or priority.id in include:
            groups.setdefault(priority.source, []).append(priority)
    return list(groups.items())


def practice_model_choices(include_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of active practice models, plus ``include_id`` if inactive."""
    query = select(PracticeModel).order_by(func.lower(PracticeModel.name))
    return [
        (m.id, m.name if m.active else f"{m.name} (inactive)")
        for m in db.session.scalars(query)
        if m.active or m.id == include_id
    ]


def provider_choices() -> list[tuple[str, str]]:
    """Providers in order."""
    return list(PROVIDERS.items())


def delivery_mode_choices() -> list[tuple[str, str]]:
    """Delivery modes in order."""
    return list(DELIVERY_MODES.items())


# --- the course list ---------------------------------------------------------------------


@dataclass
class CourseFilters:
    """What the course list is narrowed to."""

    q: str = ""
    practice_model_id: int | None = None
    domain_id: int | None = None
    provider: str | None = None
    delivery_mode: str | None = None
    active: str = "yes"


def course_list_query(filters: CourseFilters) -> Select[Any]:
    """Courses matching ``filters``, by title."""
    query = select(Course).options(
        selectinload(Course.practice_model), selectinload(Course.audiences)
    )
    if filters.q.strip():
        query = query.where(
            func.lower(Course.title).contains(filters.q.strip().lower(), autoescape=True)
        )
    if filters.practice_model_id:
        query = query.where(Course.practice_model_id == filters.practice_model_id)
    if filters.domain_id:
        query = query.where(
            Course.id.in_(
                select(course_domain.c.course_id).where(
                    course_domain.c.domain_id == filters.domain_id
                )
            )
        )
    if filters.provider in PROVIDERS:
        query = query.where(Course.provider == filters.provider)
    if filters.delivery_mode in DELIVERY_MODES:
        query = query.where(Course.delivery_mode == filters.delivery_mode)
    if filters.active == "yes":
        query = query.where(Course.active.is_(True))
    elif filters.active == "no":
        query = query.where(Course.active.is_(False))
    return query.order_by(func.lower(Course.title), Course.id)


# --- changes to courses ------------------------------------------------------------------


@dataclass
class CourseDetails:
    """Every field of a course an officer enters."""

    title: str
    provider: str
    delivery_mode: str
    description: str | None = None
    cpd_hours: Decimal | None = Decimal("0")
    cost_per_place: Decimal | None = Decimal("0")
    practice_model_id: int | None = None
    refresher_months: int | None = None
    impact_follow_up_months: int | None = 3
    is_asye_workshop: bool = False
    active: bool = True
    domain_ids: list[int] = field(default_factory=list)
    priority_ids: list[int] = field(default_factory=list)
    target_roles: list[str] = field(default_factory=list)
    target_tiers: list[str] = field(default_factory=list)
    #: Roles the course is mandatory for; each is also a target role.
    mandatory_roles: list[str] = field(default_factory=list)


def _money(value: Decimal | None, label: str, field_name: str, maximum: Decimal) -> Decimal:
    if value is None:
        raise ServiceError(f"Enter the {label} (0 if none)", field=field_name)
    value = Decimal(value)
    name = label[0].upper() + label[1:]
    if not value.is_finite():
        raise ServiceError(f"Enter the {label} as a number", field=field_name)
    if value < 0:
        raise ServiceError(f"{name} cannot be negative", field=field_name)
    if value > maximum:
        raise ServiceError(f"{name} must be {maximum:,} or less", field=field_name)
    return value.quantize(_PENNY, rounding=ROUND_HALF_UP)


def _months(value: int | None, label: str, field_name: str, maximum: int) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= maximum:
        raise ServiceError(
            f"{label} must be a whole number of months from 1 to {maximum}", field=field_name
        )
    return value


def _codes(values: list[str], known: dict[str, str], noun: str, field_name: str) -> list[str]:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ServiceError(f"Unknown {noun}: {', '.join(unknown)}", field=field_name)
    return sorted(set(values), key=list(known).index)


def _validate_course(course: Course | None, details: CourseDetails) -> dict[str, Any]:
    """Check ``details``; return the cleaned values and the linked rows."""
    title = " ".join((details.title or "").split())
    if not title:
        raise ServiceError("Enter a course title", field="title")
    if len(title) > 200:
        raise ServiceError("Course title must be 200 characters or fewer", field="title")
    own_id = course.id if course is not None and course.id else -1
    if db.session.scalar(
        select(Course.id).where(func.lower(Course.title) == title.lower(), Course.id != own_id)
    ):
        raise ServiceError("A course with this title already exists", field="title")
    if details.provider not in PROVIDERS:
        raise ServiceError("Select a provider", field="provider")
    if details.delivery_mode not in DELIVERY_MODES:
        raise ServiceError("Select a delivery mode", field="delivery_mode")
    cpd_hours = _money(details.cpd_hours, "CPD hours", "cpd_hours", MAX_CPD_HOURS)
    cost = _money(details.cost_per_place, "cost per place", "cost_per_place", MAX_COST)
    refresher = _months(
        details.refresher_months, "Refresher interval", "refresher_months", MAX_REFRESHER_MONTHS
    )
    follow_up = _months(
        details.impact_follow_up_months,
        "Impact follow-up",
        "impact_follow_up_months",
        MAX_FOLLOW_UP_MONTHS,
    )

    model = None
    if details.practice_model_id is not None:
        model = db.session.get(PracticeModel, details.practice_model_id)
        unchanged = course is not None and course.practice_model_id == details.practice_model_id
        if model is None or not (model.active or unchanged):
            raise ServiceError("Select a practice model from the list", field="practice_model_id")

    linked_domains = {d.id for d in course.domains} if course is not None else set()
    wanted_domains = set(details.domain_ids)
    domains = [d for d in pcf_domains(linked_domains) if d.id in wanted_domains]
    if len(domains) != len(wanted_domains):
        raise ServiceError("Select PCF domains from the list", field="domain_ids")

    linked_priorities = {p.id for p in course.priorities} if course is not None else set()
    wanted_priorities = set(details.priority_ids)
    priorities = [
        p
        for _, group in priority_groups(linked_priorities)
        for p in group
        if p.id in wanted_priorities
    ]
    if len(priorities) != len(wanted_priorities):
        raise ServiceError("Select strategic priorities from the list", field="priority_ids")

    roles = role_labels()
    tiers = labels("tier_of_need")
    mandatory = _codes(details.mandatory_roles, roles, "role", "mandatory_roles")
    target_roles = _codes([*details.target_roles, *mandatory], roles, "role", "target_roles")
    target_tiers = _codes(details.target_tiers, tiers, "tier of need", "target_tiers")
    return {
        "values": {
            "title": title,
            "description": (details.description or "").strip() or None,
            "provider": details.provider,
            "delivery_mode": details.delivery_mode,
            "cpd_hours": cpd_hours,
            "cost_per_place": cost,
            "practice_model_id": model.id if model else None,
            "refresher_months": refresher,
            "impact_follow_up_months": follow_up,
            "is_asye_workshop": bool(details.is_asye_workshop),
            "active": bool(details.active),
        },
        "domains": domains,
        "priorities": sorted(priorities, key=lambda p: (p.source, p.position, p.name)),
        "audiences": {("role", r): r in mandatory for r in target_roles}
        | {("tier", t): False for t in target_tiers},
    }


def _apply_course(course: Course, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned["values"].items():
        if course.id is None or getattr(course, name) != value:
            setattr(course, name, value)
    if {d.id for d in course.domains} != {d.id for d in cleaned["domains"]}:
        course.domains = cleaned["domains"]
    if {p.id for p in course.priorities} != {p.id for p in cleaned["priorities"]}:
        course.priorities = cleaned["priorities"]
    wanted: dict[tuple[str, str], bool] = cleaned["audiences"]
    # Update rows in place and delete only unwanted ones: the unique (course, kind, value)
    # would clash if a row were deleted and added again in one flush.
    for audience in list(course.audiences):
        key = (audience.kind, audience.value)
        if key not in wanted:
            course.audiences.remove(audience)
        elif audience.mandatory != wanted[key]:
            audience.mandatory = wanted[key]
    existing = {(a.kind, a.value) for a in course.audiences}
    for (kind, value), mandatory in wanted.items():
        if (kind, value) not in existing:
            course.audiences.append(CourseAudience(kind=kind, value=value, mandatory=mandatory))


def create_course(details: CourseDetails) -> Course:
    """Add a course to the catalogue."""
    cleaned = _validate_course(None, details)
    course = Course()
    _apply_course(course, cleaned)
    db.session.add(course)
    db.session.flush()
    if cleaned["values"]["impact_follow_up_months"] is None:
        # The column's default (3) replaces a None on insert; "no follow-up" needs an update.
        course.impact_follow_up_months = None
        db.session.flush()
    return course


def update_course(course: Course, details: CourseDetails) -> Course:
    """Change a course's fields, links and audiences."""
    cleaned = _validate_course(course, details)
    _apply_course(course, cleaned)
    db.session.flush()
    return course


def course_details(course: Course) -> CourseDetails:
    """A course's current values, as a form would enter them."""
    return CourseDetails(
        title=course.title,
        provider=course.provider,
        delivery_mode=course.delivery_mode,
        description=course.description,
        cpd_hours=course.cpd_hours,
        cost_per_place=course.cost_per_place,
        practice_model_id=course.practice_model_id,
        refresher_months=course.refresher_months,
        impact_follow_up_months=course.impact_follow_up_months,
        is_asye_workshop=course.is_asye_workshop,
        active=course.active,
        domain_ids=[d.id for d in course.domains],
        priority_ids=[p.id for p in course.priorities],
        target_roles=[a.value for a in course.audiences if a.kind == "role"],
        target_tiers=[a.value for a in course.audiences if a.kind == "tier"],
        mandatory_roles=[a.value for a in course.audiences if a.kind == "role" and a.mandatory],
    )


def set_course_active(course: Course, active: bool) -> None:
    """Take a course out of the catalogue (its sessions and records are kept), or restore it."""
    if course.active != active:
        course.active = active
        db.session.flush()


def delete_course(course: Course) -> None:
    """Delete a course that has never had a session; one with sessions is deactivated."""
    if course.sessions:
        raise ServiceError(
            "This course has sessions, so it cannot be deleted. Deactivate it instead.",
            field="submit",
        )
    course.domains = []
    course.priorities = []
    db.session.delete(course)
    db.session.flush()


# --- configurable lists -----------------------------------------------------------------


def _required_text(value: str | None, label: str, field_name: str, maximum: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ServiceError(f"Enter the {label}", field=field_name)
    if len(text) > maximum:
        raise ServiceError(f"The {label} must be {maximum} characters or fewer", field=field_name)
    return text


def priority_sources() -> list[str]:
    """The sources strategic priorities come from, alphabetically."""
    return list(
        db.session.scalars(
            select(StrategicPriority.source).distinct().order_by(StrategicPriority.source)
        )
    )


def all_priorities_by_source() -> list[tuple[str, list[StrategicPriority]]]:
    """Every strategic priority (inactive ones too), grouped by source."""
    groups: dict[str, list[StrategicPriority]] = {}
    query = select(StrategicPriority).order_by(
        StrategicPriority.source, StrategicPriority.position, StrategicPriority.name
    )
    for priority in db.session.scalars(query):
        groups.setdefault(priority.source, []).append(priority)
    return list(groups.items())


def save_priority(
    priority: StrategicPriority,
    name: str,
    source: str,
    description: str | None,
    active: bool,
) -> StrategicPriority:
    """Add or change a strategic priority. A source that differs from an existing one only in
    capitals or spaces is taken as that source."""
    name = _required_text(name, "name", "name", 200)
    source = _required_text(source, "source", "source", 200)
    for existing in priority_sources():
        if existing.lower() == source.lower():
            source = existing
    clash = db.session.scalar(
        select(StrategicPriority.id).where(
            StrategicPriority.source == source,
            func.lower(StrategicPriority.name) == name.lower(),
            StrategicPriority.id != (priority.id or -1),
        )
    )
    if clash:
        raise ServiceError(f"{source} already has a priority with this name", field="name")
    if priority.id is None or priority.source != source:
        highest = db.session.scalar(
            select(func.max(StrategicPriority.position)).where(StrategicPriority.source == source)
        )
        priority.position = (highest or 0) + 1
    priority.name = name
    priority.source = source
    priority.description = (description or "").strip() or None
    priority.active = bool(active)
    if priority.id is None:
        db.session.add(priority)
    db.session.flush()
    return priority


def save_practice_model(
    model: PracticeModel, name: str, description: str | None, active: bool
) -> PracticeModel:
    """Add or change a practice model (names are unique, whatever their capitals)."""
    name = _required_text(name, "name", "name", 120)
    if db.session.scalar(
        select(PracticeModel.id).where(
            func.lower(PracticeModel.name) == name.lower(), PracticeModel.id != (model.id or -1)
        )
    ):
        raise ServiceError("A practice model with this name already exists", field="name")
    model.name = name
    model.description = (description or "").strip() or None
    model.active = bool(active)
    if model.id is None:
        db.session.add(model)
    db.session.flush()
    return model


def save_venue(venue: Venue, name: str, address: str | None, active: bool) -> Venue:
    """Add or change a venue (names are unique, whatever their capitals)."""
    name = _required_text(name, "name", "name", 120)
    if db.session.scalar(
        select(Venue.id).where(func.lower(Venue.name) == name.lower(), Venue.id != (venue.id or -1))
    ):
        raise ServiceError("A venue with this name already exists", field="name")
    venue.name = name
    venue.address = (address or "").strip() or None
    venue.active = bool(active)
    if venue.id is None:
        db.session.add(venue)
    db.session.flush()
    return venue
