"""Training views: each person's training record (history, CPD hours, the registration-year
CPD rule) and their CPD log.

Whoever may open a person's staff record may read their training record; only the person
keeps their own CPD log.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from workforce.blueprints.options import options
from workforce.blueprints.refusals import put_error
from workforce.blueprints.training import bp
from workforce.blueprints.training.catalogue import session_endpoint
from workforce.blueprints.training.evaluations import schedule_follow_ups
from workforce.blueprints.training.forms import ConfirmForm, CpdForm
from workforce.extensions import db
from workforce.models import CpdEntry, Staff
from workforce.models.training import ATTENDANCE, BOOKING_STATUSES, CPD_TYPES
from workforce.security import can_view_staff
from workforce.services import ServiceError
from workforce.services import cpd as service
from workforce.services.evaluations import (
    count_rows,
    evaluation_problem,
    follow_ups_query,
    is_officer,
    local_now,
    may_edit_evaluation,
    sessions_to_evaluate,
)
from workforce.templating import format_date


def _visible_staff_or_404(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None or not can_view_staff(current_user, staff):
        abort(404)
    return staff


def _own_log_or_refuse(staff: Staff) -> None:
    """Only the person changes their CPD log: others who may see it get 403, the rest 404."""
    if not service.may_change_cpd(current_user, staff):
        abort(403 if can_view_staff(current_user, staff) else 404)


@bp.route("/me")
@login_required
def my_record() -> Response:
    """Go to your own training record."""
    if current_user.staff_id is None:
        abort(404)
    return redirect(url_for("training.record", staff_id=current_user.staff_id))


@bp.route("/people/<int:staff_id>")
@login_required
def record(staff_id: int) -> str:
    """A person's training history, CPD hours and CPD log by registration year."""
    staff = _visible_staff_or_404(staff_id)
    history = service.training_history(staff.id)
    entries = service.cpd_entries(staff.id)
    own = current_user.staff_id == staff.id
    follow_ups_waiting = 0
    if own and current_user.has_role("supervisor"):
        schedule_follow_ups()
        follow_ups_waiting = count_rows(follow_ups_query(current_user, scope="mine", state="due"))
    return render_template(
        "training/record.html",
        staff=staff,
        history=history,
        entries=entries,
        years=service.year_summaries(history, entries),
        to_evaluate=sessions_to_evaluate(staff.id) if own else [],
        follow_ups_waiting=follow_ups_waiting,
        own=own,
        can_enter_paper=is_officer(current_user),
        can_change=service.may_change_cpd(current_user, staff),
        hours=service.booking_cpd_hours,
        evaluable=lambda booking: evaluation_problem(booking) is None,
        may_edit=lambda booking: may_edit_evaluation(current_user, booking),
        attendance=ATTENDANCE,
        booking_statuses=BOOKING_STATUSES,
        cpd_types=CPD_TYPES,
        session_endpoint=session_endpoint(),
        today=date.today(),
        now=local_now(),
        sessions_by_booking={
            b.id: f"{b.session.course.title}, {format_date(b.session.starts_at)}" for b in history
        },
    )


def _cpd_form(staff: Staff, entry: CpdEntry | None) -> str | Response:
    form = CpdForm(obj=entry)
    choices = [
        (b.id, f"{b.session.course.title}, {format_date(b.session.starts_at)}")
        for b in service.linkable_bookings(staff.id)
    ]
    form.booking_id.choices = options([("", "Not linked to a session"), *choices])
    if request.method == "GET" and entry is not None:
        form.peer_reflection.data = "yes" if entry.peer_reflection else "no"
    if form.validate_on_submit():
        details = service.CpdDetails(
            entry_type=form.entry_type.data,
            description=form.description.data,
            activity_date=form.activity_date.data,
            learning=form.learning.data,
            impact=form.impact.data,
            peer_reflection=form.peer_reflection.data == "yes",
            peer_reflection_detail=form.peer_reflection_detail.data,
            booking_id=form.booking_id.data,
        )
        try:
            if entry is None:
                service.create_cpd_entry(staff, details)
            else:
                service.update_cpd_entry(entry, details)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash("CPD entry saved.", "success")
            return redirect(url_for("training.record", staff_id=staff.id, _anchor="cpd-log"))
    return render_template("training/cpd_form.html", form=form, staff=staff, entry=entry)


@bp.route("/people/<int:staff_id>/cpd/new", methods=["GET", "POST"])
@login_required
def cpd_new(staff_id: int) -> str | Response:
    """Add an entry to your CPD log."""
    staff = _visible_staff_or_404(staff_id)
    _own_log_or_refuse(staff)
    return _cpd_form(staff, None)


def _entry_or_refuse(entry_id: int) -> CpdEntry:
    entry = db.session.get(CpdEntry, entry_id)
    if entry is None or not can_view_staff(current_user, entry.staff):
        abort(404)
    _own_log_or_refuse(entry.staff)
    return entry


@bp.route("/cpd/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def cpd_edit(entry_id: int) -> str | Response:
    """Change one of your CPD entries."""
    entry = _entry_or_refuse(entry_id)
    return _cpd_form(entry.staff, entry)


@bp.route("/cpd/<int:entry_id>/delete", methods=["GET", "POST"])
@login_required
def cpd_delete(entry_id: int) -> str | Response:
    """Delete one of your CPD entries, after confirming."""
    entry = _entry_or_refuse(entry_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        staff_id = entry.staff_id
        service.delete_cpd_entry(entry)
        db.session.commit()
        flash("CPD entry deleted.", "success")
        return redirect(url_for("training.record", staff_id=staff_id, _anchor="cpd-log"))
    return render_template("training/cpd_delete.html", form=form, entry=entry, cpd_types=CPD_TYPES)
