"""Supervision policies: how often, and for how long at least, each post should be
supervised. HR and admins add and change them; HR, L&D, senior leaders and supervisors
read them, with how many people in post each applies to today."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from workforce.blueprints.options import options
from workforce.blueprints.supervision import bp
from workforce.blueprints.supervision.policy_forms import STAGE_ROWS, PolicyForm
from workforce.extensions import db
from workforce.models.supervision import SupervisionPolicy
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services import supervision_policies as service
from workforce.services.reference import choices, labels

#: Roles that may read the policies (admins always may).
POLICY_READERS = ("hr", "ld_officer", "senior_leader", "supervisor")


@bp.route("/policies")
@roles_required(*POLICY_READERS)
def policy_list() -> str:
    """Active policies with their stages and how many people in post each covers today;
    policies out of use below."""
    uses, unmatched = service.policy_coverage(date.today())
    return render_template(
        "supervision/policy_list.html",
        uses=uses,
        unmatched=unmatched,
        inactive=service.inactive_policies(),
        org_roles=labels("org_role"),
        describe_stages=service.describe_stages,
        describe_criteria=service.describe_criteria,
    )


def _policy_form(policy: SupervisionPolicy | None) -> str | Response:
    form = PolicyForm(obj=policy)
    form.org_role.choices = options([("", "Any organisational role"), *choices("org_role")])
    if policy is not None and not form.is_submitted():
        form.org_role.data = policy.org_role or ""
        for number, stage in enumerate(policy.stages[:STAGE_ROWS], start=1):
            form[f"stage_{number}_from_week"].data = stage.from_week
            form[f"stage_{number}_every"].data = stage.every
            form[f"stage_{number}_unit"].data = stage.unit
    elif policy is None and not form.is_submitted():
        form.stage_1_from_week.data, form.stage_1_every.data = 0, 1
        form.stage_1_unit.data = "month"
    if form.validate_on_submit():
        try:
            saved = service.save_policy(
                policy,
                service.PolicyDetails(
                    name=form.name.data,
                    post_title=form.post_title.data,
                    org_role=form.org_role.data,
                    grade=form.grade.data,
                    applies_to_asye=form.applies_to_asye.data,
                    min_minutes=form.min_minutes.data,
                    active=form.active.data,
                    stages=[
                        service.StageInput(from_week.data, every.data, unit.data or None)
                        for _, from_week, every, unit in form.stage_rows()
                    ],
                ),
            )
        except ServiceError as error:
            db.session.rollback()
            target = getattr(form, error.field or "submit", None) or form.submit
            target.errors = [*target.errors, error.message]
        else:
            db.session.commit()
            flash(f"Supervision policy {saved.name} saved", "success")
            return redirect(url_for("supervision.policy_list"))
    return render_template("supervision/policy_form.html", form=form, policy=policy)


@bp.route("/policies/new", methods=["GET", "POST"])
@roles_required("hr")
def policy_new() -> str | Response:
    """Add a supervision policy."""
    return _policy_form(None)


@bp.route("/policies/<int:policy_id>/edit", methods=["GET", "POST"])
@roles_required("hr")
def policy_edit(policy_id: int) -> str | Response:
    """Change a supervision policy (or take it out of use)."""
    return _policy_form(db.session.get(SupervisionPolicy, policy_id) or abort(404))
