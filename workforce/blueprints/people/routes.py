"""Staff list, staff record, and changes to people and their employment."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from workforce.audit import record_event
from workforce.blueprints.people import bp
from workforce.blueprints.people.forms import (
    AddSpellForm,
    EditSpellForm,
    EditStaffForm,
    LeaverForm,
    MoveForm,
    NewStaffForm,
)
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import CONTRACT_TYPES, CodeEntry, EmploymentSpell, Staff
from workforce.pagination import paginate
from workforce.security import (
    PEOPLE_MANAGERS,
    can_edit_people,
    can_see_characteristics,
    can_view_staff,
    roles_required,
)
from workforce.services import ServiceError, capability, supervision
from workforce.services import people as service
from workforce.services.people import SpellDetails, StaffDetails, StaffFilters, from_mapping
from workforce.services.reference import choices, labels
from workforce.services.staff_export import staff_frame
from workforce.spreadsheets import frame_to_csv, frame_to_xlsx


def _visible_staff_or_404(staff_id: int) -> Staff:
    # Spells, their teams and line managers in two queries, not one per spell.
    staff = db.session.get(
        Staff,
        staff_id,
        options=[selectinload(Staff.spells).joinedload(EmploymentSpell.line_manager)],
    )
    if staff is None or not can_view_staff(current_user, staff):
        abort(404)
    return staff


def _form_error(form: Any, error: ServiceError) -> None:
    put_error(form, error, {"line_manager_id": "line_manager_number"})


def _apply(
    form: Any, change: Callable[[], Staff], message: Callable[[Staff], str]
) -> Response | None:
    """Make a change that returns the person it concerns.

    If the change is refused, put the message beside its field and return None (the view
    shows the form again with what was typed). Otherwise commit once, say so, and go to the
    person's record.
    """
    try:
        staff = change()
    except ServiceError as error:
        db.session.rollback()
        _form_error(form, error)
        return None
    db.session.commit()
    flash(message(staff), "success")
    return redirect(url_for("people.staff_detail", staff_id=staff.id))


def _filters_from_request() -> StaffFilters:
    args = request.args
    team = args.get("team", "")
    return StaffFilters(
        q=args.get("q", "")[:100],
        team_id=int(team) if team.isdigit() else None,
        org_role=args.get("role") or None,
        status=args.get("status", "current") or None,
        contract_type=args.get("contract") if args.get("contract") in CONTRACT_TYPES else None,
        sort=args.get("sort", "name"),
        descending=args.get("order") == "desc",
    )


@bp.route("/staff")
@login_required
def staff_list() -> str | Response:
    """Search, filter, sort and page through the staff the user may see; export as CSV or XLSX."""
    filters = _filters_from_request()
    export_format = request.args.get("format")
    if export_format in ("csv", "xlsx"):
        return _export_staff(filters, export_format)
    page = paginate(
        service.staff_list_query(current_user, filters),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "people/staff_list.html",
        page=page,
        filters=filters,
        teams=service.team_choices(blank="All teams", include_inactive=True),
        org_roles=choices("org_role", blank="All roles"),
        role_labels=labels("org_role"),
        contract_types=CONTRACT_TYPES,
        statuses=service.STATUSES,
        can_edit=can_edit_people(current_user),
    )


def _export_staff(filters: StaffFilters, export_format: str) -> Response:
    frame = staff_frame(current_user, filters)
    record_event(
        "export",
        "Staff",
        f"Exported the staff list as {export_format.upper()} ({len(frame)} rows)",
        {"format": export_format, "filters": request.args.to_dict(), "rows": len(frame)},
    )
    db.session.commit()
    stamp = date.today().isoformat()
    if export_format == "csv":
        data, mimetype = frame_to_csv(frame), "text/csv"
    else:
        data = frame_to_xlsx(frame, sheet_name="Staff")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"staff-{stamp}.{export_format}",
    )


@bp.route("/me")
@login_required
def my_record() -> Response:
    """Go to your own staff record."""
    if current_user.staff_id is None:
        abort(404)
    return redirect(url_for("people.staff_detail", staff_id=current_user.staff_id))


def _code_labels(*names: str) -> dict[str, dict[str, str]]:
    """Code to label for each of the lists ``names``, inactive codes included, in one query
    (``labels`` for each list, without a query per list)."""
    found: dict[str, dict[str, str]] = {name: {} for name in names}
    for entry in db.session.scalars(
        select(CodeEntry)
        .where(CodeEntry.list_name.in_(names))
        .order_by(CodeEntry.list_name, CodeEntry.sort_order)
    ):
        found[entry.list_name][entry.code] = entry.label
    return found


@bp.route("/staff/<int:staff_id>")
@login_required
def staff_detail(staff_id: int) -> str:
    """A person's details and employment timeline."""
    staff = _visible_staff_or_404(staff_id)
    return render_template(
        "people/staff_detail.html",
        staff=staff,
        spells=sorted(staff.spells, key=lambda s: (s.start_date, s.id), reverse=True),
        current=service.current_spell(staff),
        today=date.today(),
        show_characteristics=can_see_characteristics(current_user),
        can_edit=can_edit_people(current_user),
        code_labels=_code_labels(
            "org_role",
            "start_origin",
            "leaving_reason",
            "leaver_destination",
            "gender",
            "ethnicity",
            "qualification_level",
            "kss_status",
        ),
        contract_types=CONTRACT_TYPES,
        profile=capability.expected_profile(staff),
        can_read_capability=capability.can_read_assessments(current_user, staff),
        can_see_supervision=supervision.can_see_history(current_user, staff),
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def staff_new() -> str | Response:
    """Add a person with their first post."""
    form = NewStaffForm()
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: service.create_staff(
                from_mapping(StaffDetails, form.data), from_mapping(SpellDetails, form.spell_data())
            ),
            lambda staff: f"{staff.full_name} has been added.",
        )
        if done:
            return done
    return render_template("people/staff_form.html", form=form, staff=None)


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def staff_edit(staff_id: int) -> str | Response:
    """Change a person's details."""
    staff = _visible_staff_or_404(staff_id)
    show = can_see_characteristics(current_user)
    form = EditStaffForm(obj=staff, show_characteristics=show)
    if form.validate_on_submit():
        data = {
            **{k: getattr(staff, k) for k in ("date_of_birth", "gender", "ethnicity")},
            **form.data,
        }
        details = from_mapping(StaffDetails, data)
        done = _apply(
            form,
            lambda: service.update_staff(staff, details, include_characteristics=show) or staff,
            lambda _: "Changes saved.",
        )
        if done:
            return done
    return render_template("people/staff_form.html", form=form, staff=staff)


def _spell_form_view(
    staff: Staff, form: Any, action: Any, template: str, message: str
) -> str | Response:
    if form.validate_on_submit():
        details = from_mapping(SpellDetails, form.spell_data())
        done = _apply(form, lambda: action(details) and staff, lambda _: message)
        if done:
            return done
    return render_template(template, form=form, staff=staff, current=service.current_spell(staff))


@bp.route("/staff/<int:staff_id>/move", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def staff_move(staff_id: int) -> str | Response:
    """Record a move to another team, post, grade or hours."""
    staff = _visible_staff_or_404(staff_id)
    current = service.current_spell(staff)
    form = MoveForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        form.start_date.data = None
        form.line_manager_number.data = (
            current.line_manager.staff_number if current and current.line_manager else ""
        )
        form.start_origin.data = ""
    return _spell_form_view(
        staff,
        form,
        lambda details: service.record_move(staff, details.start_date, details),
        "people/move_form.html",
        "Move recorded.",
    )


@bp.route("/staff/<int:staff_id>/spells/new", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def spell_new(staff_id: int) -> str | Response:
    """Add a spell for someone with none in force (a re-joiner)."""
    staff = _visible_staff_or_404(staff_id)
    form = AddSpellForm()
    return _spell_form_view(
        staff,
        form,
        lambda details: service.add_spell(staff, details),
        "people/spell_new.html",
        "Spell added.",
    )


@bp.route("/spells/<int:spell_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def spell_edit(spell_id: int) -> str | Response:
    """Correct a spell."""
    spell = db.session.get(EmploymentSpell, spell_id) or abort(404)
    form = EditSpellForm(obj=spell)
    if request.method == "GET":
        form.line_manager_number.data = (
            spell.line_manager.staff_number if spell.line_manager else ""
        )
    if form.validate_on_submit():
        details = from_mapping(SpellDetails, form.spell_data())

        def correct() -> Staff:
            service.update_spell(
                spell,
                details,
                form.end_date.data,
                form.leaving_reason.data or None,
                form.leaver_destination.data or None,
            )
            return spell.staff

        done = _apply(form, correct, lambda _: "Spell saved.")
        if done:
            return done
    return render_template("people/spell_edit.html", form=form, spell=spell, staff=spell.staff)


@bp.route("/staff/<int:staff_id>/leaver", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def staff_leaver(staff_id: int) -> str | Response:
    """Record that a person has left; their record and history are kept."""
    staff = _visible_staff_or_404(staff_id)
    form = LeaverForm()
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: (
                service.record_leaver(
                    staff,
                    form.end_date.data,
                    form.leaving_reason.data,
                    form.leaver_destination.data or None,
                )
                or staff
            ),
            lambda _: f"{staff.full_name} has been recorded as a leaver.",
        )
        if done:
            return done
    return render_template(
        "people/leaver_form.html", form=form, staff=staff, current=service.current_spell(staff)
    )
