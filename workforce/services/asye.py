"""The ASYE: the programme's definition, enrolments and the year's record, and the view of
one enrolment the pages, reports and demo share.

**Programme.** The rules (review points, evidence requirements, protected time share,
completion months, workload cap) are data with an effective date: an enrolment follows the
programme in force on its start date. ``load_default_programme`` adds the shipped one
(``seeds/asye_programme.yaml``) when there is none.

**Who may do what.** The ASYE lead (an L&D officer), HR and admins manage every enrolment;
an enrolment's assessor (a user) and line manager (the account of that staff record) work
on it; the newly qualified social worker reads their own record.

**Schedule and checks.** The pure rules are in ``workforce.metrics.asye``; this module feeds
them the programme and the records and gathers the answer in ``EnrolmentView``; the home
page's list (``enrolment_summaries``) applies the same rules to plain columns read for every
enrolment at once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from workforce.extensions import db
from workforce.metrics import asye as rules
from workforce.metrics.caseload import capacity
from workforce.metrics.fte import fte
from workforce.metrics.supervision import ASYE as ASYE_STAGES
from workforce.metrics.supervision import Stage
from workforce.models import (
    EmploymentSpell,
    Framework,
    FrameworkDomain,
    FrameworkLevel,
    Staff,
    User,
)
from workforce.models.asye import (
    JUDGEMENTS,
    OUTCOMES,
    PAUSE_REASONS,
    AsyeCohort,
    AsyeEnrolment,
    AsyeEvidence,
    AsyePause,
    AsyeProgramme,
    AsyeReview,
    ProtectedTime,
)
from workforce.models.people import spell_in_force
from workforce.models.workforce_planning import CaseloadSnapshot
from workforce.services import ServiceError

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
#: Roles that manage every enrolment (the ASYE lead is an L&D officer).
MANAGERS = ("ld_officer", "hr", "admin")
#: The most contracted hours a week an enrolment may carry.
MAX_HOURS = Decimal("48")
#: How far ahead a start may be recorded.
FUTURE_START_DAYS = 366
#: Reviews due within this many days are "upcoming".
WINDOW_DAYS = 14
#: Outcomes that need the final review held first.
OUTCOMES_AFTER_FINAL = ("passed", "failed")
MAX_TEXT = 5000


# --- programme -----------------------------------------------------------------------------


def load_default_programme(path: Path | None = None) -> int:
    """Add the shipped programme when there is none yet; return how many were added."""
    if db.session.scalar(select(func.count()).select_from(AsyeProgramme)):
        return 0
    data = yaml.safe_load((path or SEEDS_DIR / "asye_programme.yaml").read_text())
    effective = data["effective_from"]
    cap = data.get("workload_cap_points")
    db.session.add(
        AsyeProgramme(
            name=data["name"],
            effective_from=effective
            if isinstance(effective, date)
            else date.fromisoformat(str(effective)),
            review_points=[dict(point) for point in data["review_points"]],
            evidence_requirements={k: dict(v) for k, v in data["evidence_requirements"].items()},
            protected_share=Decimal(str(data.get("protected_share", "0.10"))),
            completion_months=int(data.get("completion_months", 24)),
            workload_cap_points=None if cap is None else Decimal(str(cap)),
            notes=data.get("notes"),
        )
    )
    db.session.flush()
    return 1


def programme_on(day: date) -> AsyeProgramme | None:
    """The programme in force on ``day``: the latest effective on or before it."""
    return db.session.scalar(
        select(AsyeProgramme)
        .where(AsyeProgramme.effective_from <= day)
        .order_by(AsyeProgramme.effective_from.desc())
        .limit(1)
    )


def review_points(programme: AsyeProgramme) -> list[tuple[str, str, int, bool]]:
    """The programme's review points as the schedule takes them."""
    return [
        (str(p["code"]), str(p["label"]), int(p["months"]), bool(p.get("optional", False)))
        for p in programme.review_points
    ]


def evidence_requirements(programme: AsyeProgramme) -> dict[str, tuple[str, int]]:
    """The programme's evidence requirements as the tracker takes them."""
    return {
        kind: (str(spec["label"]), int(spec["required"]))
        for kind, spec in programme.evidence_requirements.items()
    }


# --- permissions ---------------------------------------------------------------------------


def can_manage(user: User) -> bool:
    """Whether ``user`` manages every enrolment (the ASYE lead, HR, admins)."""
    return bool(user.is_authenticated) and user.has_role(*MANAGERS)


def can_work_on(user: User, enrolment: AsyeEnrolment) -> bool:
    """Whether ``user`` may record reviews, evidence, pauses and time on ``enrolment``."""
    if not user.is_authenticated:
        return False
    if can_manage(user) or enrolment.assessor_id == user.id:
        return True
    return user.staff_id is not None and enrolment.line_manager_id == user.staff_id


def can_read(user: User, enrolment: AsyeEnrolment) -> bool:
    """Whether ``user`` may read ``enrolment``: those who work on it and the NQSW."""
    if can_work_on(user, enrolment):
        return True
    return user.staff_id is not None and enrolment.staff_id == user.staff_id


def assesses(user: User, staff_id: int) -> bool:
    """Whether ``user`` is the assessor of an open enrolment of ``staff_id`` (so may rate
    them at an ASYE review)."""
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(AsyeEnrolment)
            .where(
                AsyeEnrolment.staff_id == staff_id,
                AsyeEnrolment.assessor_id == user.id,
                AsyeEnrolment.outcome.is_(None),
            )
        )
    )


def record_options() -> list[Any]:
    """Loader options for every row an enrolment's record reads: the person, cohort,
    assessor and line manager joined, then a query for each kind of row however many
    enrolments are loaded."""
    return [
        joinedload(AsyeEnrolment.staff).selectinload(Staff.spells),
        joinedload(AsyeEnrolment.cohort),
        joinedload(AsyeEnrolment.assessor).lazyload(User.role_rows),
        joinedload(AsyeEnrolment.line_manager),
        selectinload(AsyeEnrolment.pauses),
        selectinload(AsyeEnrolment.reviews).selectinload(AsyeReview.assessment),
        selectinload(AsyeEnrolment.evidence).selectinload(AsyeEvidence.domains),
        selectinload(AsyeEnrolment.protected_time),
    ]


def _worked_on(user: User, current_only: bool) -> list[Any]:
    """SQL conditions on ``AsyeEnrolment``: the enrolments ``user`` may work on."""
    conditions: list[Any] = []
    if current_only:
        conditions.append(AsyeEnrolment.outcome.is_(None))
    if not can_manage(user):
        mine = [AsyeEnrolment.assessor_id == user.id]
        if user.staff_id is not None:
            mine.append(AsyeEnrolment.line_manager_id == user.staff_id)
        conditions.append(or_(*mine))
    return conditions


def enrolments_for(user: User, *, current_only: bool = True) -> list[AsyeEnrolment]:
    """The enrolments ``user`` may work on (every one for a manager), by start date, with
    their records loaded (``enrolment_summaries`` reads what the home page shows of them
    without loading them)."""
    query = (
        select(AsyeEnrolment)
        .options(*record_options())
        .where(*_worked_on(user, current_only))
        .order_by(AsyeEnrolment.start_date, AsyeEnrolment.id)
    )
    return list(db.session.scalars(query))


def own_enrolments(user: User) -> list[AsyeEnrolment]:
    """The enrolments of the person linked to ``user``, latest first."""
    if user.staff_id is None:
        return []
    return list(
        db.session.scalars(
            select(AsyeEnrolment)
            .where(AsyeEnrolment.staff_id == user.staff_id)
            .order_by(AsyeEnrolment.start_date.desc())
        )
    )


# --- enrolment -----------------------------------------------------------------------------


def _clean(text: str | None, label: str, name: str, limit: int = MAX_TEXT) -> str | None:
    text = (text or "").strip()
    if len(text) > limit:
        raise ServiceError(f"{label} must be {limit} characters or fewer", name)
    return text or None


def _hours(value: Any, low: Decimal, high: Decimal, label: str, name: str) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ServiceError(f"Enter the {label} as a number", name) from error
    if not hours.is_finite() or hours <= low or hours > high:
        raise ServiceError(f"The {label} must be more than {low} and at most {high}", name)
    return hours


def cohorts() -> list[AsyeCohort]:
    """Every cohort, latest first."""
    return list(db.session.scalars(select(AsyeCohort).order_by(AsyeCohort.starts_on.desc())))


def enrol(
    staff: Staff,
    *,
    start_date: date,
    contracted_hours: Any,
    cohort: AsyeCohort | None = None,
    cohort_name: str | None = None,
    assessor: User | None = None,
    line_manager: Staff | None = None,
    today: date | None = None,
) -> AsyeEnrolment:
    """Enrol ``staff`` from their Social Work England registration date (the start), in an
    existing ``cohort`` or a new one named ``cohort_name``."""
    today = today or date.today()
    if start_date > today + timedelta(days=FUTURE_START_DAYS):
        raise ServiceError("The start date cannot be more than a year from today", "start_date")
    hours = _hours(contracted_hours, Decimal(0), MAX_HOURS, "contracted hours", "contracted_hours")
    existing = db.session.scalars(
        select(AsyeEnrolment).where(AsyeEnrolment.staff_id == staff.id)
    ).all()
    for other in existing:
        if other.outcome is None or other.start_date == start_date:
            raise ServiceError(
                f"{staff.full_name} is already enrolled (from {other.start_date:%d %B %Y})",
                "staff_id",
            )
    if assessor is not None and assessor.staff_id == staff.id:
        raise ServiceError("A newly qualified social worker cannot assess themselves", "assessor")
    if line_manager is not None and line_manager.id == staff.id:
        raise ServiceError("Choose someone else as the line manager", "line_manager")
    programme = programme_on(start_date)
    if programme is None:
        raise ServiceError(
            f"No ASYE programme is in force on {start_date:%d %B %Y}; add one first", "start_date"
        )
    if cohort is None:
        name = (cohort_name or "").strip()
        if not name:
            raise ServiceError("Choose a cohort or name a new one", "cohort")
        if len(name) > 120:
            raise ServiceError("The cohort's name must be 120 characters or fewer", "cohort_name")
        cohort = db.session.scalar(
            select(AsyeCohort).where(func.lower(AsyeCohort.name) == name.lower())
        )
        if cohort is None:
            cohort = AsyeCohort(name=name, starts_on=start_date)
            db.session.add(cohort)
            db.session.flush()
    enrolment = AsyeEnrolment(
        staff_id=staff.id,
        cohort_id=cohort.id,
        programme_id=programme.id,
        start_date=start_date,
        assessor_id=assessor.id if assessor else None,
        line_manager_id=line_manager.id if line_manager else None,
        contracted_hours=hours,
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def _pause_values(pauses: Sequence[AsyePause]) -> list[rules.Pause]:
    return [rules.Pause(p.start_date, p.end_date) for p in pauses]


def add_pause(
    enrolment: AsyeEnrolment,
    *,
    start_date: date,
    end_date: date,
    reason: str,
    notes: str | None = None,
) -> AsyePause:
    """Pause the programme (both days inclusive); the schedule moves back."""
    if reason not in PAUSE_REASONS:
        raise ServiceError("Choose why the programme pauses", "reason")
    if end_date < start_date:
        raise ServiceError("The pause must end on or after the day it starts", "end_date")
    if enrolment.outcome is not None:
        raise ServiceError("The ASYE has an outcome; it can no longer pause", "start_date")
    problems = rules.check_pauses(
        [*_pause_values(enrolment.pauses), rules.Pause(start_date, end_date)],
        enrolment.start_date,
    )
    if problems:
        raise ServiceError(problems[0], "start_date")
    pause = AsyePause(
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        notes=_clean(notes, "The notes", "notes"),
    )
    enrolment.pauses.append(pause)
    db.session.flush()
    return pause


def remove_pause(pause: AsyePause) -> None:
    """Remove a pause recorded by mistake."""
    enrolment = pause.enrolment
    enrolment.pauses.remove(pause)
    db.session.flush()


def pcf_asye_level() -> FrameworkLevel | None:
    """The PCF's "ASYE" level, which ASYE reviews rate against."""
    return db.session.scalar(
        select(FrameworkLevel)
        .join(Framework)
        .where(Framework.code == "PCF", func.lower(FrameworkLevel.name) == "asye")
    )


def pcf_domains() -> list[FrameworkDomain]:
    """The PCF's current domains, in order (what evidence links to)."""
    return list(
        db.session.scalars(
            select(FrameworkDomain)
            .join(Framework)
            .where(Framework.code == "PCF", FrameworkDomain.retired.is_(False))
            .order_by(FrameworkDomain.position)
        )
    )


def point_labels(enrolment: AsyeEnrolment) -> dict[str, str]:
    """The programme's review points: code -> label."""
    return {code: label for code, label, _, _ in review_points(enrolment.programme)}


def record_review(
    enrolment: AsyeEnrolment,
    user: User,
    *,
    point: str,
    held_on: date,
    judgement: str,
    development_plan: str | None = None,
    start_ratings: bool = False,
    today: date | None = None,
) -> AsyeReview:
    """Record (or correct) the review at ``point``: when it was held, the judgement and the
    plan; with ``start_ratings``, start a capability assessment at the PCF's ASYE level."""
    today = today or date.today()
    labels = point_labels(enrolment)
    if point not in labels:
        raise ServiceError("Choose a review point of the programme", "point")
    if held_on < enrolment.start_date:
        raise ServiceError(
            f"The review cannot be held before the ASYE starts ({enrolment.start_date:%d %B %Y})",
            "held_on",
        )
    if held_on > today:
        raise ServiceError("The review date must be today or in the past", "held_on")
    if judgement not in JUDGEMENTS:
        raise ServiceError("Choose the assessor's judgement", "judgement")
    plan = _clean(development_plan, "The development plan", "development_plan")
    review = next((r for r in enrolment.reviews if r.point == point), None)
    if review is None:
        review = AsyeReview(point=point, held_on=held_on, judgement=judgement)
        enrolment.reviews.append(review)
    review.held_on = held_on
    review.judgement = judgement
    review.development_plan = plan
    db.session.flush()
    if start_ratings and review.assessment_id is None:
        from workforce.services.capability import start_assessment

        level = pcf_asye_level()
        if level is None:
            raise ServiceError("The PCF has no ASYE level to rate against", "start_ratings")
        try:
            assessment = start_assessment(
                enrolment.staff,
                user,
                kind="asye_review",
                assessed_on=held_on,
                level_id=level.id,
                today=today,
            )
        except ServiceError as error:
            raise ServiceError(error.message, "start_ratings") from error
        review.assessment_id = assessment.id
        db.session.flush()
    return review


def _check_within(enrolment: AsyeEnrolment, day: date, today: date, name: str) -> None:
    deadline = rules.completion_deadline(
        enrolment.start_date, enrolment.programme.completion_months
    )
    if day < enrolment.start_date:
        raise ServiceError(
            f"The date is before the ASYE starts ({enrolment.start_date:%d %B %Y})", name
        )
    if day > deadline:
        raise ServiceError(
            f"The date is after the programme's completion deadline ({deadline:%d %B %Y})", name
        )
    if day > today:
        raise ServiceError("The date must be today or in the past", name)


def add_evidence(
    enrolment: AsyeEnrolment,
    *,
    kind: str,
    dated: date,
    title: str,
    domain_ids: Sequence[int] = (),
    notes: str | None = None,
    today: date | None = None,
) -> AsyeEvidence:
    """Add a piece of evidence of a kind the programme asks for, dated within the programme,
    linked to the PCF domains it evidences."""
    today = today or date.today()
    if kind not in enrolment.programme.evidence_requirements:
        raise ServiceError("Choose a kind of evidence the programme asks for", "kind")
    _check_within(enrolment, dated, today, "dated")
    clean_title = _clean(title, "The title", "title", 200)
    if clean_title is None:
        raise ServiceError("Enter a title for the evidence", "title")
    wanted = set(domain_ids)
    domains = [d for d in pcf_domains() if d.id in wanted]
    if len(domains) != len(wanted):
        raise ServiceError("Choose domains of the PCF", "domains")
    evidence = AsyeEvidence(
        kind=kind,
        dated=dated,
        title=clean_title,
        notes=_clean(notes, "The notes", "notes"),
        domains=domains,
    )
    enrolment.evidence.append(evidence)
    db.session.flush()
    return evidence


def remove_evidence(evidence: AsyeEvidence) -> None:
    """Remove a piece of evidence recorded by mistake."""
    evidence.enrolment.evidence.remove(evidence)
    db.session.flush()


def log_protected_time(
    enrolment: AsyeEnrolment,
    *,
    taken_on: date,
    hours: Any,
    activity: str,
    today: date | None = None,
) -> ProtectedTime:
    """Log protected development time taken on a day within the programme."""
    today = today or date.today()
    _check_within(enrolment, taken_on, today, "taken_on")
    amount = _hours(hours, Decimal(0), Decimal(24), "hours", "hours")
    what = _clean(activity, "The activity", "activity", 200)
    if what is None:
        raise ServiceError("Say what the time was used for", "activity")
    entry = ProtectedTime(taken_on=taken_on, hours=amount, activity=what)
    enrolment.protected_time.append(entry)
    db.session.flush()
    return entry


def record_outcome(
    enrolment: AsyeEnrolment,
    *,
    outcome: str,
    outcome_on: date,
    moderation_notes: str | None = None,
    today: date | None = None,
) -> AsyeEnrolment:
    """Record how the ASYE ended. Passed and failed need the final review held first, and
    cannot be dated before it; withdrawn and deferred may come at any time."""
    today = today or date.today()
    if outcome not in OUTCOMES:
        raise ServiceError("Choose the outcome", "outcome")
    if outcome_on < enrolment.start_date:
        raise ServiceError("The outcome cannot be dated before the ASYE starts", "outcome_on")
    if outcome_on > today:
        raise ServiceError("The outcome date must be today or in the past", "outcome_on")
    if outcome in OUTCOMES_AFTER_FINAL:
        final = next((r for r in enrolment.reviews if r.point == "final"), None)
        if final is None:
            raise ServiceError(
                "The final review has not been held yet; record it before the outcome",
                "outcome_on",
            )
        if outcome_on < final.held_on:
            raise ServiceError(
                f"The outcome cannot be dated before the final review ({final.held_on:%d %B %Y})",
                "outcome_on",
            )
    enrolment.outcome = outcome
    enrolment.outcome_on = outcome_on
    enrolment.moderation_notes = _clean(moderation_notes, "The moderation record", "notes")
    db.session.flush()
    return enrolment


def clear_outcome(enrolment: AsyeEnrolment) -> None:
    """Reopen an enrolment whose outcome was recorded by mistake."""
    enrolment.outcome = None
    enrolment.outcome_on = None
    db.session.flush()


# --- the view of one enrolment -------------------------------------------------------------


@dataclass(frozen=True)
class HeldReview:
    """A review held, as the home page reads it (``enrolment_summaries``): the day and the
    judgement, not the whole row."""

    held_on: date
    judgement: str


@dataclass(frozen=True)
class ReviewRow:
    """A review point: when it is due (after pauses), the review held and its status.

    ``review`` is the whole row on an enrolment's record (``enrolment_view``) and only its
    day and judgement on the home page (``enrolment_summaries``)."""

    code: str
    label: str
    due: date
    optional: bool
    review: AsyeReview | HeldReview | None
    status: str


def review_rows(
    start: date,
    pauses: Sequence[rules.Pause],
    points: Sequence[tuple[str, str, int, bool]],
    held: dict[str, AsyeReview] | dict[str, HeldReview],
    as_of: date,
    *,
    closed: bool,
) -> list[ReviewRow]:
    """Each review point's row: its due date from ``start`` pushed back by ``pauses``, the
    review ``held`` at it (by point) and its status as on ``as_of``; a point not held is
    "closed" once the ASYE has an outcome (``closed``)."""
    rows = []
    for item in rules.schedule(start, pauses, points):
        review = held.get(item.code)
        status = rules.review_status(
            item.due, review.held_on if review else None, as_of, WINDOW_DAYS
        )
        if closed and review is None:
            status = "closed"
        rows.append(ReviewRow(item.code, item.label, item.due, item.optional, review, status))
    return rows


def next_review(rows: Sequence[ReviewRow]) -> ReviewRow | None:
    """The first review point not yet held (optional ones included)."""
    return next((r for r in rows if r.review is None), None)


def overdue_reviews(rows: Sequence[ReviewRow]) -> list[ReviewRow]:
    """Required reviews past due and not held."""
    return [r for r in rows if r.status == "overdue" and not r.optional]


def due_soon(rows: Sequence[ReviewRow]) -> list[ReviewRow]:
    """Reviews overdue or due within the next 14 days (not optional ones overdue)."""
    return [r for r in rows if (r.status == "overdue" and not r.optional) or r.status == "upcoming"]


def latest_judgement(rows: Sequence[ReviewRow]) -> str | None:
    """The judgement of the latest review held."""
    held = [r.review for r in rows if r.review is not None]
    return max(held, key=lambda r: r.held_on).judgement if held else None


def past_deadline(rows: Sequence[ReviewRow], deadline: date, current: bool) -> bool:
    """Whether a current ASYE's final review (else its last point) falls due after the
    completion ``deadline``."""
    final = next((r for r in rows if r.code == "final"), rows[-1] if rows else None)
    return final is not None and final.due > deadline and current


def rag_status(
    *,
    current: bool,
    overdue: bool,
    judgement: str | None,
    past_deadline: bool,
    concerns: Iterable[bool],
) -> str:
    """'red': a required review ``overdue``, not on track, or ``past_deadline``; 'amber':
    some concerns, or any of the other ``concerns`` (a supervision window missed, the
    caseload over the cap, protected time below what is due); 'green' otherwise. A closed
    ASYE (not ``current``) is 'grey'. ``concerns`` are read only as far as needed, so a
    generator can put off working them out."""
    if not current:
        return "grey"
    if overdue or judgement == "not_on_track" or past_deadline:
        return "red"
    if judgement == "some_concerns" or any(concerns):
        return "amber"
    return "green"


@dataclass(frozen=True)
class EvidenceRow:
    """Evidence of one kind held against the requirement."""

    kind: str
    label: str
    held: int
    required: int

    @property
    def met(self) -> bool:
        """Whether enough is held."""
        return self.held >= self.required


@dataclass
class Caseload:
    """The latest caseload snapshot's weighted points against the ASYE cap."""

    taken_on: date
    points: Decimal
    cap: Decimal | None

    @property
    def over_cap(self) -> bool:
        """Whether the weighted caseload is above the cap."""
        return self.cap is not None and self.points > self.cap


@dataclass
class EnrolmentView:
    """Everything the record, the dashboard and the reports show of one enrolment."""

    enrolment: AsyeEnrolment
    today: date
    reviews: list[ReviewRow]
    evidence: list[EvidenceRow]
    protected_used: Decimal
    protected_due: Decimal
    windows: list[rules.SupervisionWindow]
    missed: list[rules.SupervisionWindow]
    caseload: Caseload | None
    completion_deadline: date
    past_deadline: bool
    pauses: list[AsyePause] = field(default_factory=list)

    @property
    def current(self) -> bool:
        """Whether the ASYE has no outcome yet."""
        return self.enrolment.outcome is None

    @property
    def next_review(self) -> ReviewRow | None:
        """The first review point not yet held (optional ones included)."""
        return next_review(self.reviews)

    @property
    def overdue(self) -> list[ReviewRow]:
        """Required reviews past due and not held."""
        return overdue_reviews(self.reviews)

    @property
    def due_soon(self) -> list[ReviewRow]:
        """Reviews overdue or due within the next 14 days (not optional ones overdue)."""
        return due_soon(self.reviews)

    @property
    def latest_judgement(self) -> str | None:
        """The judgement of the latest review held."""
        return latest_judgement(self.reviews)

    @property
    def evidence_held(self) -> int:
        """Pieces of evidence counted against the requirements (capped at each)."""
        return sum(min(row.held, row.required) for row in self.evidence)

    @property
    def evidence_required(self) -> int:
        """Pieces of evidence the programme asks for."""
        return sum(row.required for row in self.evidence)

    @property
    def supervision_held(self) -> int:
        """Supervision windows so far with a session held."""
        return sum(w.held for w in self.windows)

    @property
    def rag(self) -> str:
        """'red': a required review overdue, not on track, or past the 24-month deadline;
        'amber': some concerns, a missed supervision window, over the caseload cap, or
        protected time below what is due; 'green' otherwise. A closed ASYE is 'grey'."""
        return rag_status(
            current=self.current,
            overdue=bool(self.overdue),
            judgement=self.latest_judgement,
            past_deadline=self.past_deadline,
            concerns=(
                bool(self.missed),
                self.caseload is not None and self.caseload.over_cap,
                self.protected_used < self.protected_due,
            ),
        )


def asye_stages() -> tuple[Stage, ...]:
    """The supervision policy's ASYE stages (the shipped schedule when there is none)."""
    from workforce.services.supervision import active_policies, stages_of

    policy = next((p for p in active_policies() if p.applies_to_asye), None)
    if policy is None or not policy.stages:
        return ASYE_STAGES
    return stages_of(policy)


def latest_caseload(enrolment: AsyeEnrolment, on: date) -> Caseload | None:
    """The latest snapshot on or before ``on``: stable element + case points + extra points,
    against the cap (the programme's, or the weighting scheme's ASYE maximum) times the FTE
    of the spell in force on the snapshot's day."""
    snapshot = _latest_snapshots([enrolment.staff_id], on).get(enrolment.staff_id)
    if snapshot is None:
        return None
    scheme = next((s for s in weighting_schemes() if s.effective_from <= snapshot.taken_on), None)
    return _caseload(enrolment, snapshot, scheme)


def _latest_snapshots(
    staff_ids: Sequence[int] | Select[Any], on: date
) -> dict[int, CaseloadSnapshot]:
    """Each person's (listed or selected) latest snapshot on or before ``on``, in one query
    (each person's rows read through the index on person and date)."""
    if isinstance(staff_ids, Sequence) and not staff_ids:
        return {}
    other = aliased(CaseloadSnapshot)
    latest_day = (
        select(func.max(other.taken_on))
        .where(other.staff_id == CaseloadSnapshot.staff_id, other.taken_on <= on)
        .scalar_subquery()
    )
    snapshots = db.session.scalars(
        select(CaseloadSnapshot)
        .where(CaseloadSnapshot.staff_id.in_(staff_ids), CaseloadSnapshot.taken_on == latest_day)
        .options(lazyload(CaseloadSnapshot.counts))
    )
    return {snapshot.staff_id: snapshot for snapshot in snapshots}


def _caseload(enrolment: AsyeEnrolment, snapshot: CaseloadSnapshot, scheme: Any) -> Caseload:
    spell = enrolment.staff.spell_on(snapshot.taken_on)
    return weighed_caseload(
        snapshot.taken_on,
        snapshot.case_points,
        snapshot.extra_points,
        enrolment.programme.workload_cap_points,
        scheme,
        None if spell is None else (spell.contracted_hours, spell.standard_hours),
    )


def weighed_caseload(
    taken_on: date,
    case_points: Decimal,
    extra_points: Decimal,
    programme_cap: Decimal | None,
    scheme: Any,
    hours: tuple[Decimal, Decimal] | None,
) -> Caseload:
    """A snapshot's weighted points (the ``scheme``'s stable element + ``case_points`` +
    ``extra_points``) against the cap: the programme's (``programme_cap``), else the
    scheme's ASYE maximum, times the FTE of the spell in force on ``taken_on`` (its
    contracted and standard ``hours``; no cap without one)."""
    stable = scheme.stable_points if scheme is not None else Decimal(0)
    points = Decimal(stable) + Decimal(case_points) + Decimal(extra_points)
    maximum = programme_cap
    if maximum is None and scheme is not None:
        maximum = scheme.asye_max
    cap = None
    if maximum is not None and maximum > 0 and hours is not None:
        cap = capacity(Decimal(maximum), min(Decimal(1), fte(*hours))).quantize(Decimal("0.01"))
    return Caseload(taken_on, points, cap)


def protected_due(
    start: date,
    as_of: date,
    contracted_hours: Decimal,
    pauses: Sequence[rules.Pause],
    programme: AsyeProgramme,
) -> Decimal:
    """Protected development hours due by ``as_of`` under ``programme``'s share of the
    contracted weekly hours (``rules.protected_hours_due``)."""
    due = rules.protected_hours_due(
        start, as_of, float(contracted_hours), pauses, float(programme.protected_share)
    )
    return Decimal(str(due))


#: ``enrolment_view`` reads the caseload itself unless it is given one.
_READ: Any = object()


def weighting_schemes() -> list[Any]:
    """Every caseload weighting scheme, the latest effective first, without its weights and
    bands (the cap needs only the stable element and the ASYE maximum)."""
    from workforce.models.workforce_planning import WeightingScheme

    return list(
        db.session.scalars(
            select(WeightingScheme)
            .options(lazyload("*"))
            .order_by(WeightingScheme.effective_from.desc())
        )
    )


def _protected_used(ids: Sequence[int] | Select[Any]) -> dict[int, Decimal]:
    """Each enrolment's protected hours logged (of the enrolments ``ids`` lists or
    selects), in one query."""
    used: dict[int, Decimal] = defaultdict(Decimal)
    for enrolment_id, hours in db.session.execute(
        select(ProtectedTime.enrolment_id, func.sum(ProtectedTime.hours))
        .where(ProtectedTime.enrolment_id.in_(ids))
        .group_by(ProtectedTime.enrolment_id)
    ):
        used[enrolment_id] = Decimal(0) + Decimal(hours)
    return used


def supervision_dates(
    enrolment_ids: Sequence[int] | Select[Any], until: date
) -> dict[int, list[date]]:
    """For each enrolment (ids, or a select of them), the days on or after its start and
    by ``until`` of supervision sessions held that the NQSW attended (as ``held_sessions``
    in the supervision service counts them), in one query driven by the enrolments."""
    from workforce.models.supervision import SupervisionAttendee, SupervisionSession

    out: dict[int, list[date]] = defaultdict(list)
    if isinstance(enrolment_ids, Sequence) and not enrolment_ids:
        return out
    for enrolment_id, held_on in db.session.execute(
        select(AsyeEnrolment.id, SupervisionSession.held_on)
        .join(SupervisionAttendee, SupervisionAttendee.staff_id == AsyeEnrolment.staff_id)
        .join(SupervisionSession, SupervisionSession.id == SupervisionAttendee.session_id)
        .where(
            AsyeEnrolment.id.in_(enrolment_ids),
            SupervisionSession.outcome == "held",
            SupervisionSession.held_on >= AsyeEnrolment.start_date,
            SupervisionSession.held_on <= until,
        )
    ):
        out[enrolment_id].append(held_on)
    return out


def window_dates(
    held: Sequence[date], start: date, pauses: Sequence[rules.Pause], day: date
) -> list[date]:
    """Of the supervision dates ``held``, those up to ``day`` that can fall in a window of
    the first year's schedule: from the start to 52 weeks on, pushed back by every pause
    (no window reaches further, so the windows and what they hold are unchanged)."""
    last = start + timedelta(weeks=52, days=sum(p.days for p in pauses))
    return [d for d in held if start <= d <= last and d <= day]


def enrolment_view(
    enrolment: AsyeEnrolment,
    today: date | None = None,
    *,
    held: Sequence[date] | None = None,
    stages: Sequence[Stage] | None = None,
    caseload: Caseload | None = _READ,
    evidence_counts: dict[str, int] | None = None,
    protected_used: Decimal | None = None,
) -> EnrolmentView:
    """The enrolment's schedule (with pauses), each review's status, evidence progress,
    protected hours used and due, supervision windows and missed ones, caseload against the
    cap and the 24-month warning, as on ``today``.

    ``held`` (the NQSW's supervision dates), ``stages``, ``caseload``, ``evidence_counts``
    (pieces of each kind) and ``protected_used`` (hours logged) may be passed in by a
    caller that has read them for many enrolments at once; otherwise they are read here
    (the last two from the enrolment's evidence and protected time)."""
    today = today or date.today()
    programme = enrolment.programme
    pauses = _pause_values(enrolment.pauses)
    # Once the ASYE ends, nothing more is due: judge it as on the outcome's day.
    as_of = min(today, enrolment.outcome_on) if enrolment.outcome_on else today
    rows = review_rows(
        enrolment.start_date,
        pauses,
        review_points(programme),
        {r.point: r for r in enrolment.reviews},
        as_of,
        closed=enrolment.outcome is not None,
    )
    counts = (
        Counter(e.kind for e in enrolment.evidence)
        if evidence_counts is None
        else Counter(evidence_counts)
    )
    evidence = [
        EvidenceRow(kind, label, held_count, required)
        for kind, label, held_count, required in rules.evidence_progress(
            dict(counts), evidence_requirements(programme)
        )
    ]
    used = (
        sum((Decimal(p.hours) for p in enrolment.protected_time), Decimal(0))
        if protected_used is None
        else protected_used
    )
    due = protected_due(enrolment.start_date, as_of, enrolment.contracted_hours, pauses, programme)
    if held is None:
        held = supervision_dates([enrolment.id], as_of)[enrolment.id]
    windows = rules.supervision_windows(
        enrolment.start_date, held, as_of, pauses, tuple(stages or asye_stages())
    )
    deadline = rules.completion_deadline(enrolment.start_date, programme.completion_months)
    return EnrolmentView(
        enrolment=enrolment,
        today=today,
        reviews=rows,
        evidence=evidence,
        protected_used=used,
        protected_due=due,
        windows=windows,
        missed=rules.missed_windows(windows, as_of),
        caseload=latest_caseload(enrolment, as_of) if caseload is _READ else caseload,
        completion_deadline=deadline,
        past_deadline=past_deadline(rows, deadline, enrolment.outcome is None),
        pauses=list(enrolment.pauses),
    )


# --- the home page -------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentSummary:
    """What the ASYE home page shows of one current enrolment: the person, the cohort, the
    start, each review point's row and, when asked for, the RAG status (as
    ``EnrolmentView.rag`` judges it)."""

    id: int
    name: str
    cohort: str
    start_date: date
    reviews: list[ReviewRow]
    rag: str | None = None

    @property
    def next_review(self) -> ReviewRow | None:
        """The first review point not yet held (optional ones included)."""
        return next_review(self.reviews)

    @property
    def due_soon(self) -> list[ReviewRow]:
        """Reviews overdue or due within the next 14 days (not optional ones overdue)."""
        return due_soon(self.reviews)


def enrolment_summaries(
    user: User, today: date | None = None, *, rag: bool = True
) -> list[EnrolmentSummary]:
    """The current enrolments ``user`` may work on (every one for a manager), by start
    date, as the home page shows them, with their RAG status (``rag``) as their records
    (``enrolment_view``) judge it.

    Read as plain columns, a query for each kind of row however many enrolments there
    are, selected through the enrolments' own query: no record is loaded, nor what the
    page does not show (evidence; and without ``rag``, supervision, protected time and
    caseloads)."""
    today = today or date.today()
    worked_on = _worked_on(user, current_only=True)
    enrolments = db.session.execute(
        select(
            AsyeEnrolment.id,
            AsyeEnrolment.staff_id,
            AsyeEnrolment.programme_id,
            AsyeEnrolment.start_date,
            AsyeEnrolment.contracted_hours,
            Staff.first_name,
            Staff.last_name,
            AsyeCohort.name.label("cohort"),
        )
        .join(Staff, Staff.id == AsyeEnrolment.staff_id)
        .join(AsyeCohort, AsyeCohort.id == AsyeEnrolment.cohort_id)
        .where(*worked_on)
        .order_by(AsyeEnrolment.start_date, AsyeEnrolment.id)
    ).all()
    if not enrolments:
        return []
    scope = select(AsyeEnrolment.id).where(*worked_on)
    programmes = {
        p.id: p
        for p in db.session.scalars(
            select(AsyeProgramme).where(
                AsyeProgramme.id.in_(sorted({e.programme_id for e in enrolments}))
            )
        )
    }
    points = {key: review_points(programme) for key, programme in programmes.items()}
    pauses: dict[int, list[rules.Pause]] = defaultdict(list)
    for enrolment_id, start, end in db.session.execute(
        select(AsyePause.enrolment_id, AsyePause.start_date, AsyePause.end_date)
        .where(AsyePause.enrolment_id.in_(scope))
        .order_by(AsyePause.start_date)
    ):
        pauses[enrolment_id].append(rules.Pause(start, end))
    held: dict[int, dict[str, HeldReview]] = defaultdict(dict)
    for enrolment_id, point, held_on, judgement in db.session.execute(
        select(
            AsyeReview.enrolment_id, AsyeReview.point, AsyeReview.held_on, AsyeReview.judgement
        ).where(AsyeReview.enrolment_id.in_(scope))
    ):
        held[enrolment_id][point] = HeldReview(held_on, judgement)
    current = [
        _Current(
            e,
            review_rows(
                e.start_date, pauses[e.id], points[e.programme_id], held[e.id], today, closed=False
            ),
            pauses[e.id],
            programmes[e.programme_id],
        )
        for e in enrolments
    ]
    statuses: Sequence[str | None] = (
        _rag_statuses(current, worked_on, today) if rag else [None] * len(current)
    )
    return [
        EnrolmentSummary(
            id=c.row.id,
            name=f"{c.row.first_name} {c.row.last_name}",  # as Staff.full_name
            cohort=c.row.cohort,
            start_date=c.row.start_date,
            reviews=c.reviews,
            rag=status,
        )
        for c, status in zip(current, statuses, strict=True)
    ]


@dataclass(frozen=True)
class _Current:
    """A current enrolment as ``enrolment_summaries`` reads it: its ``row`` (id, person,
    start, contracted hours...), review rows, pauses and programme."""

    row: Any
    reviews: list[ReviewRow]
    pauses: list[rules.Pause]
    programme: AsyeProgramme


def _rag_statuses(current: list[_Current], worked_on: list[Any], today: date) -> list[str]:
    """The RAG status of each of the ``current`` enrolments (those ``worked_on`` selects),
    as ``EnrolmentView.rag`` judges it, reading what it needs a query each for all of them.

    The concerns that make one amber are worked out cheapest first and only until one
    holds: protected time, then the caseload, and supervision windows last, so supervision
    sessions are read only for the enrolments that are green without them."""
    scope = select(AsyeEnrolment.id).where(*worked_on)
    used = _protected_used(scope)
    loads = _latest_loads(select(AsyeEnrolment.staff_id).where(*worked_on), today)
    schemes = weighting_schemes()  # the latest first
    stages = tuple(asye_stages())
    judges = []
    statuses = []
    for c in current:
        deadline = rules.completion_deadline(c.row.start_date, c.programme.completion_months)
        judge = partial(
            rag_status,
            current=True,
            overdue=bool(overdue_reviews(c.reviews)),
            judgement=latest_judgement(c.reviews),
            past_deadline=past_deadline(c.reviews, deadline, True),
        )
        concerns = (
            concern()
            for concern in (
                partial(_short_of_time, c, used[c.row.id], today),
                partial(_over_cap, c, loads.get(c.row.staff_id), schemes),
            )
        )
        judges.append(judge)
        statuses.append(judge(concerns=concerns))
    # Only a missed supervision window can still make a green one amber. (Their ids are
    # selected rather than listed so that the query runs even when none is green: the
    # page sends the same statements whatever the data.)
    green = [i for i, status in enumerate(statuses) if status == "green"]
    ids = [current[i].row.id for i in green]
    held = supervision_dates(select(AsyeEnrolment.id).where(AsyeEnrolment.id.in_(ids)), today)
    for i in green:
        c = current[i]
        missed = _missed(c, held[c.row.id], stages, today)
        statuses[i] = judges[i](concerns=(missed,))
    return statuses


def _short_of_time(current: _Current, used: Decimal, today: date) -> bool:
    """Whether fewer protected hours were ``used`` than are due by ``today``."""
    row = current.row
    due = protected_due(
        row.start_date, today, row.contracted_hours, current.pauses, current.programme
    )
    return used < due


def _over_cap(current: _Current, load: Any, schemes: list[Any]) -> bool:
    """Whether the latest caseload snapshot (``load``, of ``_latest_loads``) is over the
    ASYE cap under the scheme in force on its day."""
    if load is None:
        return False
    scheme = next((s for s in schemes if s.effective_from <= load.taken_on), None)
    hours = None
    if load.contracted_hours is not None:
        hours = (load.contracted_hours, load.standard_hours)
    caseload = weighed_caseload(
        load.taken_on,
        load.case_points,
        load.extra_points,
        current.programme.workload_cap_points,
        scheme,
        hours,
    )
    return caseload.over_cap


def _missed(
    current: _Current, held: Sequence[date], stages: tuple[Stage, ...], today: date
) -> bool:
    """Whether a supervision window has ended by ``today`` with no session ``held`` in it."""
    start, pauses = current.row.start_date, current.pauses
    windows = rules.iter_supervision_windows(
        start, window_dates(held, start, pauses, today), today, pauses, stages
    )
    return any(w.ends < today and not w.held for w in windows)


def _latest_loads(staff_ids: Select[Any], on: date) -> dict[int, Any]:
    """Each selected person's latest caseload snapshot on or before ``on`` (the day, case
    and extra points) with the contracted and standard hours of their spell in force on
    its day (``Staff.spell_on``: the latest started; empty without one), in one query."""
    other = aliased(CaseloadSnapshot)
    latest_day = (
        select(func.max(other.taken_on))
        .where(other.staff_id == CaseloadSnapshot.staff_id, other.taken_on <= on)
        .scalar_subquery()
    )
    spell = aliased(EmploymentSpell)
    in_force = (
        select(spell.id)
        .where(
            spell.staff_id == CaseloadSnapshot.staff_id,
            spell_in_force(spell, CaseloadSnapshot.taken_on),
        )
        .order_by(spell.start_date.desc(), spell.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            CaseloadSnapshot.staff_id,
            CaseloadSnapshot.taken_on,
            CaseloadSnapshot.case_points,
            CaseloadSnapshot.extra_points,
            EmploymentSpell.contracted_hours,
            EmploymentSpell.standard_hours,
        )
        .outerjoin(EmploymentSpell, EmploymentSpell.id == in_force)
        .where(CaseloadSnapshot.staff_id.in_(staff_ids), CaseloadSnapshot.taken_on == latest_day)
    )
    return {row.staff_id: row for row in rows}
