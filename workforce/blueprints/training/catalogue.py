"""Training views: the course catalogue and its configurable lists (strategic priorities,
practice models, venues). Everyone signed in may read the catalogue; L&D officers and
admins change it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from workforce.blueprints.refusals import put_error
from workforce.blueprints.training import bp
from workforce.blueprints.training.forms import (
    ConfirmForm,
    CourseForm,
    PracticeModelForm,
    PriorityForm,
    VenueForm,
)
from workforce.extensions import db
from workforce.models import (
    Booking,
    Course,
    PracticeModel,
    StrategicPriority,
    TrainingSession,
    Venue,
)
from workforce.models.training import DELIVERY_MODES, PROVIDERS, SESSION_STATUSES
from workforce.pagination import paginate
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services import training_catalogue as catalogue
from workforce.services.evaluations import course_evaluation_summary, local_now
from workforce.services.people import from_mapping
from workforce.services.reference import labels

#: Who may change the catalogue and its lists (admins hold every role).
EDITORS = ("ld_officer",)
#: How many past sessions the course page lists.
PAST_SESSIONS_SHOWN = 10


def _course_or_404(course_id: int) -> Course:
    return db.session.get(Course, course_id) or abort(404)


def _can_edit() -> bool:
    return bool(current_user.has_role(*EDITORS))


def _save(form: Any, change: Callable[[], Any], message: str, target: Callable[[Any], str]) -> Any:
    """Make a change through a service; commit and redirect, or put the refusal on the form."""
    try:
        saved = change()
    except ServiceError as error:
        db.session.rollback()
        put_error(form, error)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(target(saved))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def session_endpoint() -> str | None:
    """The sessions page endpoint, when the sessions views provide one."""
    return (
        "training.session_detail"
        if "training.session_detail" in current_app.view_functions
        else None
    )


# --- courses -------------------------------------------------------------------------------


@bp.route("/courses")
@login_required
def course_list() -> str:
    """Search and filter the catalogue."""
    active = request.args.get("active", "yes")
    filters = catalogue.CourseFilters(
        q=request.args.get("q", "")[:100],
        practice_model_id=_int_arg("model"),
        domain_id=_int_arg("domain"),
        provider=request.args.get("provider") or None,
        delivery_mode=request.args.get("mode") or None,
        active=active if active in catalogue.ACTIVE_FILTERS else "yes",
    )
    page = paginate(
        catalogue.course_list_query(filters),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "training/course_list.html",
        page=page,
        filters=filters,
        models=[("", "All practice models"), *catalogue.practice_model_choices()],
        domains=[("", "All PCF domains")]
        + [(d.id, f"{d.position}. {d.name}") for d in catalogue.pcf_domains()],
        providers=[("", "All providers"), *PROVIDERS.items()],
        modes=[("", "All delivery modes"), *DELIVERY_MODES.items()],
        active_filters=list(catalogue.ACTIVE_FILTERS.items()),
        provider_labels=PROVIDERS,
        mode_labels=DELIVERY_MODES,
        can_edit=_can_edit(),
    )


@bp.route("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int) -> str:
    """Everything about a course, with its sessions and what its evaluations say."""
    course = db.session.get(
        Course,
        course_id,
        options=[selectinload(Course.sessions).selectinload(TrainingSession.venue)],
    ) or abort(404)
    booked = dict(
        db.session.execute(
            select(Booking.session_id, func.count())
            .join(TrainingSession, TrainingSession.id == Booking.session_id)
            .where(TrainingSession.course_id == course.id, Booking.status == "booked")
            .group_by(Booking.session_id)
        ).all()
    )
    now = local_now()
    upcoming = [s for s in course.sessions if s.ends_at >= now]
    past = [s for s in reversed(course.sessions) if s.ends_at < now]
    return render_template(
        "training/course_detail.html",
        course=course,
        upcoming=upcoming,
        past=past[:PAST_SESSIONS_SHOWN],
        past_total=len(past),
        booked=booked,
        roles=catalogue.role_labels(),
        tiers=labels("tier_of_need"),
        role_audience={a.value: a.mandatory for a in course.audiences if a.kind == "role"},
        tier_audience={a.value for a in course.audiences if a.kind == "tier"},
        providers=PROVIDERS,
        modes=DELIVERY_MODES,
        statuses=SESSION_STATUSES,
        summary=course_evaluation_summary(course.id),
        session_endpoint=session_endpoint(),
        can_edit=_can_edit(),
    )


def _course_form(course: Course | None) -> str | Response:
    details = catalogue.course_details(course) if course is not None else None
    form = CourseForm(data=vars(details) if details and request.method == "GET" else None)
    keep_domains = {d.id for d in course.domains} if course else set()
    keep_priorities = {p.id for p in course.priorities} if course else set()
    groups = catalogue.priority_groups(keep_priorities)
    form.set_choices(
        domains=[(d.id, f"{d.position}. {d.name}") for d in catalogue.pcf_domains(keep_domains)],
        priorities=[(p.id, p.name) for _, group in groups for p in group],
        models=catalogue.practice_model_choices(course.practice_model_id if course else None),
        roles=catalogue.role_choices(),
        tiers=catalogue.tier_choices(),
    )
    if form.validate_on_submit():
        details = from_mapping(catalogue.CourseDetails, form.data)
        done = _save(
            form,
            (lambda: catalogue.update_course(course, details))
            if course is not None
            else (lambda: catalogue.create_course(details)),
            f"Course {' '.join(form.title.data.split())} saved.",
            lambda saved: url_for("training.course_detail", course_id=saved.id),
        )
        if done:
            return done
    chosen = set(form.priority_ids.data or [])
    return render_template(
        "training/course_form.html",
        form=form,
        course=course,
        priority_groups=[
            (
                source,
                [{"value": str(p.id), "text": p.name, "checked": p.id in chosen} for p in group],
            )
            for source, group in groups
        ],
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def course_new() -> str | Response:
    """Add a course to the catalogue."""
    return _course_form(None)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def course_edit(course_id: int) -> str | Response:
    """Change a course."""
    return _course_form(_course_or_404(course_id))


@bp.route("/courses/<int:course_id>/remove", methods=["GET", "POST"])
@roles_required(*EDITORS)
def course_remove(course_id: int) -> str | Response:
    """Delete a course that never had a session, or deactivate one that has; confirm first."""
    course = _course_or_404(course_id)
    form = ConfirmForm()
    has_sessions = bool(course.sessions)
    if form.validate_on_submit():
        title = course.title
        if has_sessions:
            catalogue.set_course_active(course, False)
            db.session.commit()
            flash(f"Course {title} deactivated. Its sessions and records are kept.", "success")
            return redirect(url_for("training.course_detail", course_id=course_id))
        try:
            catalogue.delete_course(course)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Course {title} deleted.", "success")
            return redirect(url_for("training.course_list"))
    return render_template(
        "training/course_remove.html", form=form, course=course, has_sessions=has_sessions
    )


@bp.route("/courses/<int:course_id>/reactivate", methods=["POST"])
@roles_required(*EDITORS)
def course_reactivate(course_id: int) -> Response:
    """Put a deactivated course back in the catalogue."""
    course = _course_or_404(course_id)
    if ConfirmForm().validate_on_submit():
        catalogue.set_course_active(course, True)
        db.session.commit()
        flash(f"Course {course.title} is active again.", "success")
    return redirect(url_for("training.course_detail", course_id=course_id))


# --- configurable lists ----------------------------------------------------------------------


@bp.route("/lists")
@roles_required(*EDITORS)
def list_index() -> str:
    """The lists the catalogue and sessions use."""
    return render_template("training/lists_index.html")


@bp.route("/lists/priorities")
@roles_required(*EDITORS)
def list_priorities() -> str:
    """Strategic principles and priorities, grouped by source."""
    return render_template(
        "training/lists_priorities.html", groups=catalogue.all_priorities_by_source()
    )


def _priority_form(priority: StrategicPriority) -> str | Response:
    form = PriorityForm(obj=priority if priority.id else None)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: catalogue.save_priority(
                priority,
                form.name.data,
                form.source.data,
                form.description.data,
                form.active.data,
            ),
            "Priority saved.",
            lambda _: url_for("training.list_priorities"),
        )
        if done:
            return done
    return render_template(
        "training/lists_priority_form.html",
        form=form,
        priority=priority,
        sources=catalogue.priority_sources(),
    )


@bp.route("/lists/priorities/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def list_priority_new() -> str | Response:
    """Add a strategic priority."""
    return _priority_form(StrategicPriority(active=True))


@bp.route("/lists/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def list_priority_edit(priority_id: int) -> str | Response:
    """Rename, move or deactivate a strategic priority."""
    return _priority_form(db.session.get(StrategicPriority, priority_id) or abort(404))


@bp.route("/lists/practice-models")
@roles_required(*EDITORS)
def list_models() -> str:
    """Practice models and programmes."""
    models = db.session.scalars(
        db.select(PracticeModel).order_by(PracticeModel.active.desc(), PracticeModel.name)
    ).all()
    return render_template("training/lists_models.html", models=models)


def _model_form(model: PracticeModel) -> str | Response:
    form = PracticeModelForm(obj=model if model.id else None)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: catalogue.save_practice_model(
                model, form.name.data, form.description.data, form.active.data
            ),
            "Practice model saved.",
            lambda _: url_for("training.list_models"),
        )
        if done:
            return done
    return render_template("training/lists_model_form.html", form=form, model=model)


@bp.route("/lists/practice-models/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def list_model_new() -> str | Response:
    """Add a practice model."""
    return _model_form(PracticeModel(active=True))


@bp.route("/lists/practice-models/<int:model_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def list_model_edit(model_id: int) -> str | Response:
    """Rename or deactivate a practice model."""
    return _model_form(db.session.get(PracticeModel, model_id) or abort(404))


@bp.route("/lists/venues")
@roles_required(*EDITORS)
def list_venues() -> str:
    """Venues for sessions."""
    venues = db.session.scalars(db.select(Venue).order_by(Venue.active.desc(), Venue.name)).all()
    return render_template("training/lists_venues.html", venues=venues)


def _venue_form(venue: Venue) -> str | Response:
    form = VenueForm(obj=venue if venue.id else None)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: catalogue.save_venue(
                venue, form.name.data, form.address.data, form.active.data
            ),
            "Venue saved.",
            lambda _: url_for("training.list_venues"),
        )
        if done:
            return done
    return render_template("training/lists_venue_form.html", form=form, venue=venue)


@bp.route("/lists/venues/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def list_venue_new() -> str | Response:
    """Add a venue."""
    return _venue_form(Venue(active=True))


@bp.route("/lists/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def list_venue_edit(venue_id: int) -> str | Response:
    """Change or deactivate a venue."""
    return _venue_form(db.session.get(Venue, venue_id) or abort(404))
