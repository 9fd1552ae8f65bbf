"""Training views: evaluations of sessions, and the follow-up on impact to supervisors.

Attendees evaluate their own sessions; L&D officers enter paper forms for anyone and see
which sessions still lack evaluations. Supervisors answer the follow-ups addressed to them.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from workforce.blueprints.refusals import put_error
from workforce.blueprints.training import bp
from workforce.blueprints.training.catalogue import session_endpoint
from workforce.blueprints.training.forms import EvaluationForm, ImpactForm
from workforce.extensions import db
from workforce.metrics.evaluation import RATING_LABELS, Ratings, summarise
from workforce.models import Booking, ImpactFollowUp, TrainingSession
from workforce.models.training import ATTENDANCE, PRACTICE_CHANGED
from workforce.pagination import paginate
from workforce.security import can_view_staff, roles_required
from workforce.services import ServiceError
from workforce.services import evaluations as service
from workforce.services.people import from_mapping


def _refuse(staff_visible: bool) -> None:
    """403 when the user may see the person but not do this; 404 when they may not see them."""
    abort(403 if staff_visible else 404)


#: The PostgreSQL advisory lock a request holds while it creates follow-ups.
FOLLOW_UP_LOCK = 0x57465546


def schedule_follow_ups() -> None:
    """Create the follow-ups that have fallen due, one request at a time: on PostgreSQL a
    request that finds another at it goes on without waiting (that one creates them; after
    an import of old registers there may be thousands, and every request arriving meanwhile
    would otherwise do the same work and throw it away). A clash is harmless."""
    if db.session.get_bind().dialect.name == "postgresql" and not db.session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": FOLLOW_UP_LOCK}
    ):
        return
    try:
        if service.schedule_impact_follow_ups(date.today()):
            db.session.commit()
    except IntegrityError:
        db.session.rollback()


# --- evaluations ------------------------------------------------------------------------------


@bp.route("/bookings/<int:booking_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation_form(booking_id: int) -> str | Response:
    """Fill in (or change) the evaluation of a session: the attendee's own, or a paper form."""
    booking = db.session.get(Booking, booking_id) or abort(404)
    officer, attendee = service.is_officer(current_user), service.is_attendee(current_user, booking)
    if not (officer or attendee):
        _refuse(can_view_staff(current_user, booking.staff))
    problem = service.evaluation_problem(booking)
    if problem:
        return render_template(
            "training/evaluation_unavailable.html", booking=booking, problem=problem
        )
    if not service.may_edit_evaluation(current_user, booking):
        return render_template(
            "training/evaluation_detail.html",
            booking=booking,
            evaluation=booking.evaluation,
            labels=RATING_LABELS,
            fields=service.RATING_FIELDS,
            locked=True,
        )
    form = EvaluationForm(obj=booking.evaluation)
    if form.validate_on_submit():
        details = from_mapping(service.EvaluationDetails, form.data)
        try:
            service.save_evaluation(booking, details, current_user)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Evaluation of {booking.session.course.title} saved. Thank you.", "success")
            if attendee:
                return redirect(url_for("training.record", staff_id=booking.staff_id))
            return redirect(url_for("training.evaluation_session", session_id=booking.session_id))
    return render_template(
        "training/evaluation_form.html",
        form=form,
        booking=booking,
        attendee=attendee,
        edit_days=service.ATTENDEE_EDIT_DAYS,
    )


@bp.route("/evaluations")
@roles_required("ld_officer")
def evaluation_list() -> str:
    """Sessions that have ended, with how many attendees have evaluated them (nothing here
    shows impact follow-ups, so the page leaves scheduling them to the pages that do)."""
    q = request.args.get("q", "")[:100]
    outstanding = request.args.get("outstanding") == "1"
    page = paginate(
        service.evaluation_worklist_query(q=q, outstanding_only=outstanding),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template("training/evaluation_list.html", page=page, q=q, outstanding=outstanding)


@bp.route("/evaluations/sessions/<int:session_id>")
@roles_required("ld_officer")
def evaluation_session(session_id: int) -> str:
    """A session's attendees and their evaluations; enter paper forms from here."""
    session = db.session.get(TrainingSession, session_id) or abort(404)
    attendees = service.session_attendees(session)
    evaluations = [b.evaluation for b in attendees if b.evaluation is not None]
    return render_template(
        "training/evaluation_session.html",
        session=session,
        attendees=attendees,
        summary=summarise(
            Ratings(e.overall, e.relevance, e.confidence_before, e.confidence_after)
            for e in evaluations
        ),
        ended=session.ends_at <= service.local_now(),
        attendance=ATTENDANCE,
        session_endpoint=session_endpoint(),
    )


# --- impact follow-ups ----------------------------------------------------------------------


@bp.route("/impact")
@roles_required("supervisor", "ld_officer")
def impact_list() -> str:
    """Follow-ups on impact that have fallen due: the user's own, or everyone's for L&D."""
    schedule_follow_ups()
    officer = service.is_officer(current_user)
    scope = request.args.get("scope", "mine")
    scope = scope if officer and scope in service.FOLLOW_UP_SCOPES else "mine"
    state = request.args.get("state", "due")
    state = state if state in service.FOLLOW_UP_STATES else "due"
    page = paginate(
        service.follow_ups_query(current_user, scope=scope, state=state),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "training/impact_list.html",
        page=page,
        scope=scope,
        state=state,
        officer=officer,
        scopes=service.FOLLOW_UP_SCOPES,
        states=service.FOLLOW_UP_STATES,
        overdue=lambda follow_up: service.is_overdue(follow_up),
        overdue_days=service.OVERDUE_AFTER_DAYS,
        answers=PRACTICE_CHANGED,
    )


@bp.route("/impact/<int:follow_up_id>", methods=["GET", "POST"])
@roles_required("supervisor", "ld_officer")
def impact_form(follow_up_id: int) -> str | Response:
    """Answer a follow-up: has the attendee's practice changed since the training?"""
    follow_up = db.session.get(ImpactFollowUp, follow_up_id) or abort(404)
    if not service.may_answer_follow_up(current_user, follow_up):
        _refuse(can_view_staff(current_user, follow_up.booking.staff))
    form = ImpactForm(obj=follow_up)
    if form.validate_on_submit():
        try:
            service.answer_follow_up(
                follow_up, form.practice_changed.data, form.example.data, current_user
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Answer about {follow_up.booking.staff.full_name} saved.", "success")
            return redirect(url_for("training.impact_list"))
    return render_template(
        "training/impact_form.html",
        form=form,
        follow_up=follow_up,
        booking=follow_up.booking,
        attendance=ATTENDANCE,
    )
