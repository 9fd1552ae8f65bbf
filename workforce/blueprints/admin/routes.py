"""Account management and the audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from workforce.blueprints.admin import bp
from workforce.blueprints.admin.forms import (
    ConfirmForm,
    EditUserForm,
    NewUserForm,
    ResetPasswordForm,
)
from workforce.extensions import db
from workforce.models import ROLES, AuditEvent, User, UserRole
from workforce.models.audit import AUDIT_ACTIONS
from workforce.pagination import paginate
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services.accounts import create_user, set_active, set_password, set_roles


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users")
@roles_required("admin")
def user_list() -> str:
    """Every account, searchable by email and filterable by role."""
    q = request.args.get("q", "").strip().lower()[:100]
    role = request.args.get("role", "")
    query = select(User).order_by(User.is_active_account.desc(), User.email)
    if q:
        query = query.where(func.lower(User.email).like(f"%{q}%"))
    if role in ROLES:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    page = paginate(query, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    return render_template("admin/user_list.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new() -> str | Response:
    """Create an account."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data, form.password.data, form.roles.data, staff=form.staff
            )
        except ServiceError as error:
            db.session.rollback()
            target = {"email": form.email, "staff": form.staff_number}.get(
                error.field or "", form.roles
            )
            target.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_detail(user_id: int) -> str | Response:
    """An account: change its roles and staff link, reset its password, deactivate it."""
    user = _user_or_404(user_id)
    form = EditUserForm(
        data={
            "roles": sorted(user.roles),
            "staff_number": user.staff.staff_number if user.staff else "",
        }
    )
    if form.validate_on_submit():
        try:
            if user.id == current_user.id and "admin" not in form.roles.data:
                raise ServiceError("You cannot remove your own administrator role", field="roles")
            set_roles(user, form.roles.data)
            if form.staff and form.staff.id != user.staff_id:
                clash = db.session.scalar(select(User).where(User.staff_id == form.staff.id))
                if clash is not None:
                    raise ServiceError(f"That staff record is already linked to {clash.email}")
            user.staff = form.staff
        except ServiceError as error:
            db.session.rollback()
            form.roles.errors.append(error.message)
        else:
            db.session.commit()
            flash("Account saved.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template(
        "admin/user_detail.html", user=user, form=form, roles=ROLES, confirm=ConfirmForm()
    )


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required("admin")
def user_reset_password(user_id: int) -> str | Response:
    """Set a new password for an account; its sessions end."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        db.session.commit()
        flash(f"Password reset for {user.email}. Their other sessions have ended.", "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_password.html", user=user, form=form)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required("admin")
def user_set_active(user_id: int) -> Response:
    """Deactivate or reactivate an account (the page asks for confirmation first)."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        set_active(user, active, acting=current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{user.email} {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _parse_day(value: str) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time.min)
    except ValueError:
        return None


@bp.route("/audit")
@roles_required("admin")
def audit_list() -> str:
    """The audit trail, newest first, filtered by who, what, action and date."""
    args = request.args
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    actor = args.get("actor", "").strip().lower()[:100]
    entity = args.get("entity", "").strip()[:60]
    action = args.get("action", "")
    record = args.get("record", "").strip()[:60]
    date_from, date_to = _parse_day(args.get("from", "")), _parse_day(args.get("to", ""))
    if actor:
        query = query.where(func.lower(AuditEvent.actor_label).like(f"%{actor}%"))
    if entity:
        query = query.where(AuditEvent.entity_type == entity)
    if record:
        query = query.where(
            or_(
                AuditEvent.entity_id == record,
                func.lower(AuditEvent.summary).like(f"%{record.lower()}%"),
            )
        )
    if action in AUDIT_ACTIONS:
        query = query.where(AuditEvent.action == action)
    if date_from:
        query = query.where(AuditEvent.at >= date_from)
    if date_to:
        query = query.where(AuditEvent.at < date_to + timedelta(days=1))
    page = paginate(query, args.get("page", 1, type=int), 50)
    entities = db.session.scalars(
        select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    ).all()
    return render_template(
        "admin/audit_list.html",
        page=page,
        args=args,
        action_options=[(a, a.replace("_", " ")) for a in AUDIT_ACTIONS],
        entity_options=[(e, e) for e in entities],
        bad_dates=(args.get("from") and not date_from) or (args.get("to") and not date_to),
    )
