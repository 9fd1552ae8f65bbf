"""Role profile views: which framework level each post is expected to work at. HR and
admins change them; everyone who sees staff records may read them."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from workforce.blueprints.capability import bp
from workforce.blueprints.capability.forms import ProfileForm
from workforce.blueprints.options import options
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import RoleProfile
from workforce.security import PEOPLE_MANAGERS, SEE_ALL_STAFF, roles_required
from workforce.services import ServiceError
from workforce.services import capability as service
from workforce.services.reference import choices, labels


@bp.route("/profiles")
@roles_required(*SEE_ALL_STAFF)
def profile_list() -> str:
    """Every role profile with how many people in post it covers today."""
    uses, unmatched = service.profile_coverage(date.today())
    retired = db.session.scalars(
        db.select(RoleProfile).where(RoleProfile.active.is_(False)).order_by(RoleProfile.name)
    ).all()
    return render_template(
        "capability/profile_list.html",
        uses=uses,
        unmatched=unmatched,
        retired=retired,
        org_roles=labels("org_role"),
    )


def _profile_form(profile: RoleProfile | None) -> str | Response:
    form = ProfileForm(obj=profile)
    form.level.choices = options([("", "Choose a level"), *service.level_choices()])
    form.org_role.choices = options([("", "Any organisational role"), *choices("org_role")])
    if profile is not None and not form.is_submitted():
        form.level.data = service.level_key(profile.level_id, profile.pathway_id)
        form.org_role.data = profile.org_role or ""
    if form.validate_on_submit():
        level_id, pathway_id = service.parse_level_key(form.level.data)
        level = db.session.get(service.FrameworkLevel, level_id) if level_id else None
        try:
            if level is None:
                raise ServiceError("Choose the framework and level expected", "level")
            saved = service.save_profile(
                profile,
                service.ProfileDetails(
                    name=form.name.data or "",
                    framework_id=level.framework_id,
                    level_id=level.id,
                    pathway_id=pathway_id,
                    post_title=form.post_title.data,
                    org_role=form.org_role.data,
                    grade=form.grade.data,
                    active=form.active.data,
                ),
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(
                form, error, {"level_id": "level", "pathway_id": "level", "framework_id": "level"}
            )
        else:
            db.session.commit()
            flash(f"Role profile {saved.name} saved", "success")
            return redirect(url_for("capability.profile_list"))
    return render_template("capability/profile_form.html", form=form, profile=profile)


@bp.route("/profiles/new", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def profile_new() -> str | Response:
    """Add a role profile."""
    return _profile_form(None)


@bp.route("/profiles/<int:profile_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def profile_edit(profile_id: int) -> str | Response:
    """Change a role profile (or take it out of use)."""
    return _profile_form(db.session.get(RoleProfile, profile_id) or abort(404))
