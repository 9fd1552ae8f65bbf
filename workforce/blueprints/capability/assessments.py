"""Assessment views: start, rate, agree actions, comment, sign off, correct.

Who may do what is decided in ``workforce.services.capability``; these views ask it and
answer 403 (or 404 for a record that does not exist).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from workforce.blueprints.capability import bp
from workforce.blueprints.capability.forms import (
    ActionDoneForm,
    ActionForm,
    CommentForm,
    ConfirmForm,
    StartAssessmentForm,
    ratings_form,
)
from workforce.blueprints.options import options
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import ASSESSMENT_KINDS, Assessment, DevelopmentAction, Staff
from workforce.services import ServiceError
from workforce.services import capability as service


def _readable(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id) or abort(404)
    if not service.can_read(current_user, assessment):
        abort(403)
    return assessment


def _editable(assessment_id: int) -> Assessment:
    assessment = _readable(assessment_id)
    if not service.can_edit(current_user, assessment):
        abort(403)
    return assessment


def _refuse(form: Any, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Roll back and show a refusal beside its field (or the button)."""
    db.session.rollback()
    put_error(form, error, aliases)


def _to_assessment(assessment: Assessment, message: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("capability.assessment_detail", assessment_id=assessment.id))


@bp.route("/people/<int:staff_id>/assessments/new", methods=["GET", "POST"])
@login_required
def assessment_new(staff_id: int) -> str | Response:
    """Start an assessment of a person (or a self-assessment)."""
    staff = db.session.get(Staff, staff_id) or abort(404)
    kinds = service.assessment_kinds_for(current_user, staff)
    if not kinds:
        abort(403)
    form = StartAssessmentForm()
    form.kind.choices = options((k, ASSESSMENT_KINDS[k]) for k in kinds)
    form.level.choices = options(service.level_choices())
    profile = service.expected_profile(staff)
    if not form.is_submitted():
        form.assessed_on.data = date.today()
        form.kind.data = kinds[0] if len(kinds) == 1 else None
        if profile is not None:
            form.level.data = service.level_key(profile.level_id, profile.pathway_id)
    if form.validate_on_submit():
        level_id, pathway_id = service.parse_level_key(form.level.data)
        try:
            assessment = service.start_assessment(
                staff,
                current_user,
                kind=form.kind.data,
                assessed_on=form.assessed_on.data,
                level_id=level_id,
                pathway_id=pathway_id,
            )
        except ServiceError as error:
            _refuse(form, error, {"level_id": "level"})
        else:
            db.session.commit()
            flash("Assessment started: rate each domain", "success")
            return redirect(url_for("capability.assessment_rate", assessment_id=assessment.id))
    return render_template(
        "capability/assessment_new.html", form=form, staff=staff, profile=profile
    )


@bp.route("/assessments/<int:assessment_id>")
@login_required
def assessment_detail(assessment_id: int) -> str:
    """An assessment: its ratings, evidence, actions, the person's comment and sign-off."""
    assessment = _readable(assessment_id)
    return render_template(
        "capability/assessment_detail.html",
        assessment=assessment,
        domains=service.active_domains(assessment.framework_id),
        ratings=service.ratings_by_domain(assessment),
        unrated=[] if assessment.signed_off else service.unrated_domains(assessment),
        can_edit=service.can_edit(current_user, assessment),
        can_comment=service.can_comment(current_user, assessment),
        can_update_actions=service.can_update_actions(current_user, assessment),
        can_correct=assessment.signed_off
        and (assessment.assessor_id == current_user.id or current_user.has_role("hr")),
        corrected_by=db.session.scalars(
            db.select(Assessment).where(Assessment.corrects_id == assessment.id)
        ).all(),
        done_form=ActionDoneForm(formdata=None, data={"completed_on": date.today()}),
        confirm=ConfirmForm(),
    )


@bp.route("/assessments/<int:assessment_id>/rate", methods=["GET", "POST"])
@login_required
def assessment_rate(assessment_id: int) -> str | Response:
    """Rate every domain against the level, with evidence."""
    assessment = _editable(assessment_id)
    domains = service.active_domains(assessment.framework_id)
    held = service.ratings_by_domain(assessment)
    data: dict[str, Any] = {"assessed_on": assessment.assessed_on, "summary": assessment.summary}
    for domain in domains:
        row = held.get(domain.id)
        data[f"rating_{domain.id}"] = row.rating if row else None
        data[f"evidence_{domain.id}"] = row.evidence if row else None
    form = ratings_form(domains, data)
    if form.validate_on_submit():
        inputs = [
            service.RatingInput(
                domain.id,
                form[f"rating_{domain.id}"].data,
                form[f"evidence_{domain.id}"].data,
            )
            for domain in domains
        ]
        try:
            service.save_ratings(
                assessment,
                inputs,
                assessed_on=form.assessed_on.data,
                summary=form.summary.data,
            )
        except ServiceError as error:
            _refuse(form, error)
        else:
            return _to_assessment(assessment, "Ratings saved")
    return render_template(
        "capability/assessment_rate.html",
        form=form,
        assessment=assessment,
        domains=domains,
        descriptors=service.descriptors_for(assessment.level_id, [d.id for d in domains]),
    )


@bp.route("/assessments/<int:assessment_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(assessment_id: int) -> str | Response:
    """Agree a development action."""
    assessment = _editable(assessment_id)
    form = ActionForm()
    form.set_domains(service.active_domains(assessment.framework_id))
    if not form.is_submitted():
        form.owner.data = assessment.staff.full_name
    if form.validate_on_submit():
        try:
            service.add_action(
                assessment,
                description=form.description.data or "",
                owner=form.owner.data or "",
                due_date=form.due_date.data,
                domain_id=int(form.domain.data) if form.domain.data else None,
            )
        except ServiceError as error:
            _refuse(form, error, {"domain_id": "domain"})
        else:
            return _to_assessment(assessment, "Development action added")
    return render_template("capability/action_form.html", form=form, assessment=assessment)


@bp.route("/actions/<int:action_id>/remove", methods=["POST"])
@login_required
def action_remove(action_id: int) -> Response:
    """Remove an action from a draft."""
    action = db.session.get(DevelopmentAction, action_id) or abort(404)
    assessment = _editable(action.assessment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.remove_action(action)
    return _to_assessment(assessment, "Development action removed")


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@login_required
def action_done(action_id: int) -> str | Response:
    """Mark an action of a signed-off assessment done."""
    action = db.session.get(DevelopmentAction, action_id) or abort(404)
    assessment = _readable(action.assessment_id)
    if not service.can_update_actions(current_user, assessment):
        abort(403)
    form = ActionDoneForm()
    if form.validate_on_submit():
        try:
            service.set_action_done(action, form.completed_on.data)
        except ServiceError as error:
            _refuse(form, error)
        else:
            return _to_assessment(assessment, "Development action marked as done")
    return render_template(
        "capability/action_done.html", form=form, action=action, assessment=assessment
    )


@bp.route("/actions/<int:action_id>/reopen", methods=["POST"])
@login_required
def action_reopen(action_id: int) -> Response:
    """Reopen an action marked done by mistake."""
    action = db.session.get(DevelopmentAction, action_id) or abort(404)
    assessment = _readable(action.assessment_id)
    if not service.can_update_actions(current_user, assessment):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.set_action_done(action, None)
    return _to_assessment(assessment, "Development action reopened")


@bp.route("/assessments/<int:assessment_id>/comment", methods=["GET", "POST"])
@login_required
def assessment_comment(assessment_id: int) -> str | Response:
    """The person assessed comments before sign-off."""
    assessment = _readable(assessment_id)
    if not service.can_comment(current_user, assessment):
        abort(403)
    form = CommentForm(data={"comment": assessment.assessee_comment})
    if form.validate_on_submit():
        try:
            service.comment(assessment, current_user, form.comment.data)
        except ServiceError as error:
            _refuse(form, error)
        else:
            return _to_assessment(assessment, "Your comment is saved")
    return render_template("capability/assessment_comment.html", form=form, assessment=assessment)


@bp.route("/assessments/<int:assessment_id>/sign-off", methods=["GET", "POST"])
@login_required
def assessment_sign_off(assessment_id: int) -> str | Response:
    """Confirm, then sign off (the assessment becomes read-only)."""
    assessment = _editable(assessment_id)
    form = ConfirmForm()
    form.submit.label.text = "Sign off"
    if form.validate_on_submit():
        try:
            service.sign_off(assessment, current_user)
        except ServiceError as error:
            _refuse(form, error)
        else:
            return _to_assessment(assessment, "Assessment signed off")
    return render_template(
        "capability/assessment_confirm.html",
        form=form,
        assessment=assessment,
        action="sign-off",
        unrated=service.unrated_domains(assessment),
    )


@bp.route("/assessments/<int:assessment_id>/discard", methods=["GET", "POST"])
@login_required
def assessment_discard(assessment_id: int) -> str | Response:
    """Confirm, then delete a draft."""
    assessment = _editable(assessment_id)
    form = ConfirmForm()
    form.submit.label.text = "Delete the draft"
    if form.validate_on_submit():
        staff_id = assessment.staff_id
        service.discard(assessment)
        db.session.commit()
        flash("Draft assessment deleted", "success")
        return redirect(url_for("capability.person", staff_id=staff_id))
    return render_template(
        "capability/assessment_confirm.html", form=form, assessment=assessment, action="discard"
    )


@bp.route("/assessments/<int:assessment_id>/correct", methods=["POST"])
@login_required
def assessment_correct(assessment_id: int) -> Response:
    """Start a new draft correcting a signed-off assessment."""
    original = _readable(assessment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        correction = service.start_correction(original, current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("capability.assessment_detail", assessment_id=original.id))
    db.session.commit()
    flash("Correction started: the signed-off assessment stays as it was", "success")
    return redirect(url_for("capability.assessment_rate", assessment_id=correction.id))
