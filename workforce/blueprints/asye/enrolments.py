"""ASYE enrolments and the year's record: the list, enrolling, one enrolment's record
(printable), and recording pauses, reviews, evidence, protected time and the outcome.

Who may do what is decided in ``workforce.services.asye``; these views ask it and answer
403 (or 404 for a record that does not exist).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from werkzeug.wrappers import Response

from workforce.audit import record_event
from workforce.blueprints.asye import bp
from workforce.blueprints.asye.forms import (
    ConfirmForm,
    EnrolForm,
    EvidenceForm,
    OutcomeForm,
    PauseForm,
    ProtectedTimeForm,
    ReviewForm,
)
from workforce.blueprints.options import options
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, User
from workforce.models.asye import (
    JUDGEMENTS,
    OUTCOMES,
    PAUSE_REASONS,
    AsyeCohort,
    AsyeEnrolment,
    AsyeEvidence,
    AsyePause,
)
from workforce.models.people import spell_in_force
from workforce.services import ServiceError
from workforce.services import asye as service
from workforce.services.asye_export import record_workbook

STATUS_TAGS = {
    "held": ("Held", "govuk-tag--green"),
    "overdue": ("Overdue", "govuk-tag--red"),
    "upcoming": ("Due soon", "govuk-tag--yellow"),
    "later": ("Not yet due", "govuk-tag--grey"),
    "closed": ("Not held", "govuk-tag--grey"),
}
RAG_TAGS = {
    "red": ("Red", "govuk-tag--red"),
    "amber": ("Amber", "govuk-tag--orange"),
    "green": ("Green", "govuk-tag--green"),
    "grey": ("Closed", "govuk-tag--grey"),
}
LABELS = {"judgements": JUDGEMENTS, "outcomes": OUTCOMES, "reasons": PAUSE_REASONS}


def _readable(enrolment_id: int, *, whole: bool = False) -> AsyeEnrolment:
    """The enrolment, if the user may read it; ``whole``: with every row of its record."""
    options = service.record_options() if whole else ()
    enrolment = db.session.get(AsyeEnrolment, enrolment_id, options=options) or abort(404)
    if not service.can_read(current_user, enrolment):
        abort(403)
    return enrolment


def _workable(enrolment_id: int) -> AsyeEnrolment:
    enrolment = _readable(enrolment_id)
    if not service.can_work_on(current_user, enrolment):
        abort(403)
    return enrolment


def _refuse(form: Any, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Roll back and show a refusal beside its field (or the button)."""
    db.session.rollback()
    put_error(form, error, aliases)


def _save(
    form: Any,
    enrolment_id: int,
    change: Callable[[], Any],
    message: str,
    aliases: dict[str, str] | None = None,
) -> Response | None:
    try:
        change()
    except ServiceError as error:
        _refuse(form, error, aliases)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("asye.enrolment", enrolment_id=enrolment_id))


def _record_form(
    form: Any, enrolment: AsyeEnrolment, title: str, intro: str | None = None, **extra: Any
) -> str:
    return render_template(
        "asye/record_form.html",
        form=form,
        enrolment=enrolment,
        title=title,
        intro=intro,
        **extra,
    )


@bp.route("/")
@login_required
def index() -> str:
    """Current enrolments (for managers), reviews due for the enrolments the user works on,
    and a link to the user's own record."""
    managing = service.can_manage(current_user)
    # Only managers see the list of enrolments with their status.
    views = service.enrolment_summaries(current_user, date.today(), rag=managing)
    due = [(view, row) for view in views for row in view.due_soon]
    due.sort(key=lambda item: item[1].due)
    return render_template(
        "asye/index.html",
        managing=managing,
        views=views if managing else [],
        due=due,
        own=service.own_enrolments(current_user),
        status_tags=STATUS_TAGS,
        rag_tags=RAG_TAGS,
        window=service.WINDOW_DAYS,
    )


def _enrol_choices(form: EnrolForm) -> None:
    today = date.today()
    enrolled = set(
        db.session.scalars(select(AsyeEnrolment.staff_id).where(AsyeEnrolment.outcome.is_(None)))
    )
    # Everyone with a post on the day, by name: plain columns, not every person's record.
    people = db.session.execute(
        select(Staff.id, Staff.first_name, Staff.last_name, Staff.staff_number)
        .where(
            exists().where(
                EmploymentSpell.staff_id == Staff.id, spell_in_force(EmploymentSpell, today)
            )
        )
        .order_by(Staff.last_name, Staff.first_name, Staff.id)
    ).all()
    labels = [(id_, f"{first} {last} ({number})") for id_, first, last, number in people]
    form.staff_id.choices = options(
        [("", "Choose the social worker")] + [c for c in labels if c[0] not in enrolled]
    )
    form.line_manager.choices = options([("", "None yet")] + labels)
    # Active accounts by email, named as ``User.display_name`` names them.
    users = db.session.execute(
        select(User.id, User.email, Staff.first_name, Staff.last_name)
        .outerjoin(Staff, Staff.id == User.staff_id)
        .where(User.is_active_account.is_(True))
        .order_by(User.email)
    )
    form.assessor.choices = options(
        [("", "None yet")]
        + [
            (id_, f"{f'{first} {last}' if first is not None else email} ({email})")
            for id_, email, first, last in users
        ]
    )
    form.cohort.choices = options(
        [("", "A new cohort")] + [(c.id, c.name) for c in service.cohorts()]
    )


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
def enrol() -> str | Response:
    """Enrol a newly qualified social worker in a cohort."""
    if not service.can_manage(current_user):
        abort(403)
    form = EnrolForm()
    _enrol_choices(form)
    if not form.is_submitted():
        wanted = request.args.get("staff_id", "")
        if wanted.isdigit():
            staff = db.session.get(Staff, int(wanted))
            if staff is not None:
                form.staff_id.data = staff.id
                spell = staff.spell_on(date.today())
                if spell is not None:
                    form.contracted_hours.data = f"{spell.contracted_hours.normalize():f}"
                    form.line_manager.data = spell.line_manager_id
    if form.validate_on_submit():
        staff = db.session.get(Staff, form.staff_id.data) or abort(400)
        cohort = db.session.get(AsyeCohort, int(form.cohort.data)) if form.cohort.data else None
        assessor = db.session.get(User, form.assessor.data) if form.assessor.data else None
        manager = db.session.get(Staff, form.line_manager.data) if form.line_manager.data else None
        try:
            enrolment = service.enrol(
                staff,
                start_date=form.start_date.data,
                contracted_hours=form.contracted_hours.data,
                cohort=cohort,
                cohort_name=form.cohort_name.data,
                assessor=assessor,
                line_manager=manager,
            )
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(f"{staff.full_name} is enrolled", "success")
            return redirect(url_for("asye.enrolment", enrolment_id=enrolment.id))
    return render_template("asye/enrol.html", form=form)


def _record(enrolment_id: int, printable: bool) -> str:
    enrolment = _readable(enrolment_id, whole=True)
    view = service.enrolment_view(enrolment, date.today())
    return render_template(
        "asye/enrolment.html",
        enrolment=enrolment,
        view=view,
        printable=printable,
        can_work=service.can_work_on(current_user, enrolment) and not printable,
        status_tags=STATUS_TAGS,
        rag_tags=RAG_TAGS,
        labels=LABELS,
        evidence_labels={
            k: v["label"] for k, v in enrolment.programme.evidence_requirements.items()
        },
        confirm=ConfirmForm(),
    )


@bp.route("/enrolments/<int:enrolment_id>")
@login_required
def enrolment(enrolment_id: int) -> str:
    """One newly qualified social worker's ASYE record."""
    return _record(enrolment_id, printable=False)


@bp.route("/enrolments/<int:enrolment_id>/print")
@login_required
def enrolment_print(enrolment_id: int) -> str:
    """The record laid out for printing, without the buttons."""
    return _record(enrolment_id, printable=True)


@bp.route("/enrolments/<int:enrolment_id>/record.xlsx")
@login_required
def enrolment_export(enrolment_id: int) -> Response:
    """The whole record as an XLSX workbook (the download is audited)."""
    enrolment = _readable(enrolment_id, whole=True)
    view = service.enrolment_view(enrolment, date.today())
    content = record_workbook(view)
    record_event(
        "export",
        "AsyeEnrolment",
        f"Exported the ASYE record of {enrolment.staff.full_name} as XLSX",
        entity_id=str(enrolment.id),
    )
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"asye-record-{enrolment.staff.staff_number}.xlsx",
    )


@bp.route("/enrolments/<int:enrolment_id>/pauses/new", methods=["GET", "POST"])
@login_required
def pause_new(enrolment_id: int) -> str | Response:
    """Record a pause (sickness, bereavement, parental leave): the schedule moves back."""
    enrolment = _workable(enrolment_id)
    form = PauseForm()
    if form.validate_on_submit():
        saved = _save(
            form,
            enrolment.id,
            lambda: service.add_pause(
                enrolment,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                reason=form.reason.data,
                notes=form.notes.data,
            ),
            "Pause recorded: the review dates have moved",
        )
        if saved:
            return saved
    return _record_form(
        form,
        enrolment,
        "Record a pause",
        "Every review due on or after the first day of the pause moves back by its length.",
    )


@bp.route("/pauses/<int:pause_id>/remove", methods=["GET", "POST"])
@login_required
def pause_remove(pause_id: int) -> str | Response:
    """Confirm, then remove a pause recorded by mistake."""
    pause = db.session.get(AsyePause, pause_id) or abort(404)
    enrolment = _workable(pause.enrolment_id)
    form = ConfirmForm()
    form.submit.label.text = "Remove the pause"
    if form.validate_on_submit():
        service.remove_pause(pause)
        db.session.commit()
        flash("Pause removed", "success")
        return redirect(url_for("asye.enrolment", enrolment_id=enrolment.id))
    what = (
        f"the {PAUSE_REASONS[pause.reason].lower()} pause from "
        f"{pause.start_date:%d %B %Y} to {pause.end_date:%d %B %Y}"
    )
    return render_template("asye/confirm.html", form=form, enrolment=enrolment, what=what)


@bp.route("/enrolments/<int:enrolment_id>/reviews/new", methods=["GET", "POST"])
@login_required
def review_new(enrolment_id: int) -> str | Response:
    """Record a review point held (or correct one)."""
    enrolment = _workable(enrolment_id)
    points = service.point_labels(enrolment)
    form = ReviewForm()
    form.point.choices = options([("", "Choose the review point"), *points.items()])
    if not form.is_submitted():
        wanted = request.args.get("point", "")
        held = next((r for r in enrolment.reviews if r.point == wanted), None)
        if wanted in points:
            form.point.data = wanted
        if held is not None:
            form.held_on.data = held.held_on
            form.judgement.data = held.judgement
            form.development_plan.data = held.development_plan
    if form.validate_on_submit():
        saved = _save(
            form,
            enrolment.id,
            lambda: service.record_review(
                enrolment,
                current_user,
                point=form.point.data,
                held_on=form.held_on.data,
                judgement=form.judgement.data,
                development_plan=form.development_plan.data,
                start_ratings=bool(form.start_ratings.data),
            ),
            "Review saved",
        )
        if saved:
            return saved
    return _record_form(form, enrolment, "Record a review")


@bp.route("/enrolments/<int:enrolment_id>/evidence/new", methods=["GET", "POST"])
@login_required
def evidence_new(enrolment_id: int) -> str | Response:
    """Add a piece of evidence linked to the PCF domains it evidences."""
    enrolment = _workable(enrolment_id)
    form = EvidenceForm()
    form.kind.choices = options(
        [("", "Choose the kind")]
        + [(k, v["label"]) for k, v in enrolment.programme.evidence_requirements.items()]
    )
    form.domains.choices = options((d.id, d.name) for d in service.pcf_domains())
    if form.validate_on_submit():
        saved = _save(
            form,
            enrolment.id,
            lambda: service.add_evidence(
                enrolment,
                kind=form.kind.data,
                dated=form.dated.data,
                title=form.title.data,
                domain_ids=form.domains.data or [],
                notes=form.notes.data,
            ),
            "Evidence added",
        )
        if saved:
            return saved
    return _record_form(form, enrolment, "Add evidence")


@bp.route("/evidence/<int:evidence_id>/remove", methods=["GET", "POST"])
@login_required
def evidence_remove(evidence_id: int) -> str | Response:
    """Confirm, then remove a piece of evidence recorded by mistake."""
    evidence = db.session.get(AsyeEvidence, evidence_id) or abort(404)
    enrolment = _workable(evidence.enrolment_id)
    form = ConfirmForm()
    form.submit.label.text = "Remove the evidence"
    if form.validate_on_submit():
        service.remove_evidence(evidence)
        db.session.commit()
        flash("Evidence removed", "success")
        return redirect(url_for("asye.enrolment", enrolment_id=enrolment.id))
    what = f"the evidence \u201c{evidence.title}\u201d dated {evidence.dated:%d %B %Y}"
    return render_template("asye/confirm.html", form=form, enrolment=enrolment, what=what)


@bp.route("/enrolments/<int:enrolment_id>/protected-time/new", methods=["GET", "POST"])
@login_required
def protected_time_new(enrolment_id: int) -> str | Response:
    """Log protected development time."""
    enrolment = _workable(enrolment_id)
    form = ProtectedTimeForm()
    if form.validate_on_submit():
        saved = _save(
            form,
            enrolment.id,
            lambda: service.log_protected_time(
                enrolment,
                taken_on=form.taken_on.data,
                hours=form.hours.data,
                activity=form.activity.data,
            ),
            "Protected time logged",
        )
        if saved:
            return saved
    return _record_form(
        form,
        enrolment,
        "Log protected development time",
        "10% of contracted hours over the year is protected for development.",
    )


@bp.route("/enrolments/<int:enrolment_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(enrolment_id: int) -> str | Response:
    """Record the outcome and the moderation panel's record."""
    enrolment = _workable(enrolment_id)
    form = OutcomeForm()
    if not form.is_submitted() and enrolment.outcome:
        form.outcome.data = enrolment.outcome
        form.outcome_on.data = enrolment.outcome_on
        form.moderation_notes.data = enrolment.moderation_notes
    if form.validate_on_submit():
        saved = _save(
            form,
            enrolment.id,
            lambda: service.record_outcome(
                enrolment,
                outcome=form.outcome.data,
                outcome_on=form.outcome_on.data,
                moderation_notes=form.moderation_notes.data,
            ),
            "Outcome recorded",
            {"notes": "moderation_notes"},
        )
        if saved:
            return saved
    return _record_form(
        form,
        enrolment,
        "Record the outcome",
        "A pass or fail follows the final review; a withdrawal or deferral may come at any time.",
    )
