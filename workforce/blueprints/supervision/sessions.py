"""Session views: record a session, read it (notes only for those allowed), change it,
acknowledge it, and its actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from workforce.blueprints.options import options
from workforce.blueprints.refusals import put_error
from workforce.blueprints.supervision import bp
from workforce.blueprints.supervision.forms import (
    AcknowledgeForm,
    ActionForm,
    DoneForm,
    SessionForm,
)
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff
from workforce.models.people import spell_in_force
from workforce.models.supervision import ELEMENTS, SupervisionAction, SupervisionSession
from workforce.security import line_managed_staff_ids
from workforce.services import ServiceError, supervision_audits
from workforce.services import supervision as service


def _session_or_404(session_id: int) -> SupervisionSession:
    return db.session.get(SupervisionSession, session_id) or abort(404)


def _readable(session_id: int) -> SupervisionSession:
    """The session, for those who may read its notes; everyone else is refused."""
    session = _session_or_404(session_id)
    if not service.can_read_notes(current_user, session):
        abort(403)
    return session


def _refuse(form: Any, error: ServiceError) -> None:
    db.session.rollback()
    # An action's refusal names its row ("action_2"); it shows beside the row's description.
    row = error.field if error.field and error.field.startswith("action_") else None
    put_error(form, error, {row: f"{row}_description"} if row else None)


def _supervisee_choices(supervisor_id: int, keep: list[int]) -> list[tuple[str, str]]:
    """The supervisor's direct reports first, then everyone else they manage, by name; and
    anyone already on the record (``keep``) who has since moved on."""
    today = date.today()
    managed = line_managed_staff_ids(supervisor_id, today).subquery().c[0]
    direct = set(
        db.session.scalars(
            select(EmploymentSpell.staff_id).where(
                EmploymentSpell.line_manager_id == supervisor_id,
                spell_in_force(EmploymentSpell, today),
            )
        )
    )
    people = db.session.scalars(
        select(Staff)
        .where((Staff.id.in_(select(managed))) | Staff.id.in_(keep), Staff.id != supervisor_id)
        .order_by(Staff.last_name, Staff.first_name)
    ).all()
    ordered = sorted(people, key=lambda p: (p.id not in direct, p.last_name, p.first_name))
    return [(str(p.id), p.full_name) for p in ordered]


def _details(form: SessionForm) -> service.SessionDetails:
    return service.SessionDetails(
        kind=form.kind.data,
        held_on=form.held_on.data,
        outcome=form.outcome.data,
        reason=form.reason.data,
        duration_minutes=form.duration_minutes.data,
        cases_discussed=form.cases_discussed.data,
        notes=form.notes.data,
        elements=set(form.elements.data or []),
    )


def _supervisor_for_form(form: SessionForm) -> Staff | None:
    """The supervisor: the signed-in person, or for an admin the one they choose."""
    if "supervisor" in form and (current_user.staff_id is None or form.supervisor.data):
        chosen = form.supervisor.data
        return db.session.get(Staff, int(chosen)) if chosen and chosen.isdigit() else None
    return db.session.get(Staff, current_user.staff_id) if current_user.staff_id else None


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def session_new() -> str | Response:
    """Record a session: the supervisee (your own staff first), date, length, what it
    covered, actions and notes."""
    if not service.can_record(current_user):
        abort(403)
    form = SessionForm()
    is_admin = current_user.has_role("admin")
    if is_admin:
        form.supervisor.choices = options(
            [("", "Choose the supervisor")]
            + [
                (s.id, s.full_name)
                for s in db.session.scalars(
                    select(Staff).order_by(Staff.last_name, Staff.first_name)
                )
            ]
        )
    else:
        del form.supervisor
    supervisor = _supervisor_for_form(form)
    if is_admin and supervisor is None and form.is_submitted():
        form.supervisor.errors = ["Choose the supervisor"]
    if supervisor is not None:
        form.supervisees.choices = options(
            _supervisee_choices(supervisor.id, [])
            if not is_admin
            else [
                (s.id, s.full_name)
                for s in db.session.scalars(
                    select(Staff).where(Staff.id != supervisor.id).order_by(Staff.last_name)
                )
            ]
        )
    else:
        form.supervisees.choices = []
    if not form.is_submitted():
        form.held_on.data = date.today()
        form.duration_minutes.data = 90
        wanted = request.args.get("staff", "")
        if wanted.isdigit():
            form.supervisees.data = [wanted]
    if supervisor is not None and form.validate_on_submit():
        actions = [
            service.ActionInput(description.data, owner.data, due.data)
            for description, owner, due in form.action_rows()
        ]
        try:
            session = service.record_session(
                supervisor,
                current_user,
                _details(form),
                [int(v) for v in form.supervisees.data],
                actions,
            )
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash("Supervision recorded", "success")
            return redirect(url_for("supervision.session_detail", session_id=session.id))
    return render_template(
        "supervision/session_form.html", form=form, session=None, is_admin=is_admin
    )


@bp.route("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int) -> str:
    """The record: notes, actions and acknowledgements, for those who may read them."""
    session = _readable(session_id)
    own = next((a for a in session.attendees if a.staff_id == current_user.staff_id), None)
    return render_template(
        "supervision/session_detail.html",
        session=session,
        own=own,
        can_edit=service.can_edit(current_user, session),
        can_audit=supervision_audits.can_audit(current_user, session),
        ack_form=AcknowledgeForm(data={"comment": own.comment if own else None}),
        done_form=DoneForm(formdata=None),
        elements=ELEMENTS,
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(session_id: int) -> str | Response:
    """Change a record (its supervisor). The earlier notes are kept; supervisees who had
    acknowledged it are asked to acknowledge it again."""
    session = _readable(session_id)
    if not service.can_edit(current_user, session):
        abort(403)
    form = SessionForm(obj=session)
    del form.supervisor
    form.supervisees.choices = options((a.staff_id, a.staff.full_name) for a in session.attendees)
    if not form.is_submitted():
        form.supervisees.data = [str(a.staff_id) for a in session.attendees]
        form.elements.data = [key for key in ELEMENTS if getattr(session, key)]
    # Who attended is fixed once recorded; the form shows it but does not change it.
    form.supervisees.data = [str(a.staff_id) for a in session.attendees]
    form.supervisees.validators = []
    if form.validate_on_submit():
        try:
            withdrawn = service.update_session(session, current_user, _details(form))
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            message = "Record updated"
            if withdrawn:
                message += "; the supervisee will be asked to acknowledge it again"
            flash(message, "success")
            return redirect(url_for("supervision.session_detail", session_id=session.id))
    return render_template(
        "supervision/session_form.html", form=form, session=session, is_admin=False
    )


@bp.route("/sessions/<int:session_id>/acknowledge", methods=["POST"])
@login_required
def session_acknowledge(session_id: int) -> str | Response:
    """The supervisee acknowledges the record (with an optional comment)."""
    session = _readable(session_id)
    form = AcknowledgeForm()
    if form.validate_on_submit():
        try:
            service.acknowledge(session, current_user, form.comment.data)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("You have acknowledged the record", "success")
        return redirect(url_for("supervision.session_detail", session_id=session.id))
    abort(400)


@bp.route("/sessions/<int:session_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(session_id: int) -> str | Response:
    """Add an action to a record (its supervisor)."""
    session = _readable(session_id)
    if not service.can_edit(current_user, session):
        abort(403)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            service.add_action(
                session,
                current_user,
                service.ActionInput(form.description.data, form.owner.data, form.due_date.data),
            )
        except ServiceError as error:
            db.session.rollback()
            form.due_date.errors = [*form.due_date.errors, error.message.split(": ", 1)[-1]]
        else:
            db.session.commit()
            flash("Action added", "success")
            return redirect(url_for("supervision.session_detail", session_id=session.id))
    return render_template("supervision/action_form.html", form=form, session=session)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@login_required
def action_done(action_id: int) -> Response:
    """Mark an action done today, or reopen it (blank date)."""
    action = db.session.get(SupervisionAction, action_id) or abort(404)
    session = _readable(action.session_id)
    form = DoneForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("supervision.session_detail", session_id=session.id))
    try:
        service.set_action_done(action, current_user, form.completed_on.data)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Action marked as done" if action.completed_on else "Action reopened", "success")
    return redirect(url_for("supervision.session_detail", session_id=session.id))
