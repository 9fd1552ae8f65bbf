"""Team establishment and absence views. HR and admins change them; senior leaders may
read the establishment (funded FTE, in post, vacancies). Absence records carry health
information (sickness), so only HR and admins see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from workforce.blueprints.planning import bp
from workforce.blueprints.planning.establishment_forms import (
    AbsenceForm,
    ConfirmForm,
    EstablishmentForm,
)
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import Staff, Team
from workforce.models.workforce_planning import Absence, TeamEstablishment
from workforce.pagination import paginate
from workforce.reports.base import ParameterError, parse_date
from workforce.security import PEOPLE_MANAGERS, roles_required
from workforce.services import ServiceError
from workforce.services import establishment as service

#: Who reads the establishment (admin always may).
ESTABLISHMENT_READERS = ("hr", "senior_leader")


def _can_edit() -> bool:
    from flask_login import current_user

    return bool(current_user.is_authenticated and current_user.has_role(*PEOPLE_MANAGERS))


def _put_error(form: Any, error: ServiceError, renames: dict[str, str] | None = None) -> None:
    put_error(form, error, renames)


def _save(
    form: Any, change: Callable[[], Any], message: str, target: str, **renames: str
) -> Response | None:
    try:
        change()
    except ServiceError as error:
        db.session.rollback()
        _put_error(form, error, renames)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def _date_arg(name: str, what: str, problems: list[str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_date(text, name, what)
    except ParameterError as error:
        problems.extend(p.message for p in error.problems)
        return None


# --- establishment ------------------------------------------------------------------------


@bp.route("/establishment")
@roles_required(*ESTABLISHMENT_READERS)
def establishment_list() -> str:
    """Each team's funded FTE in force on a day, FTE in post and vacancies."""
    problems: list[str] = []
    on = _date_arg("on", "The date", problems) or date.today()
    positions = service.team_positions(on)
    with_funding = [p for p in positions if p.funded_fte is not None]
    totals = {
        "funded": sum((p.funded_fte for p in with_funding), start=Decimal(0)),
        "in_post": sum((p.in_post_fte for p in positions), start=Decimal(0)),
        "vacancies": sum((p.vacancies_fte for p in with_funding), start=Decimal(0)),
    }
    return render_template(
        "planning/establishment_list.html",
        positions=positions,
        on=on,
        problems=problems,
        totals=totals,
        can_edit=_can_edit(),
    )


@bp.route("/establishment/teams/<int:team_id>", methods=["GET", "POST"])
@roles_required(*ESTABLISHMENT_READERS)
def establishment_team(team_id: int) -> str | Response:
    """A team's establishment history, and (for HR and admins) a new record."""
    team = db.session.get(Team, team_id) or abort(404)
    can_edit = _can_edit()
    form = EstablishmentForm()
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            done = _save(
                form,
                lambda: service.add_establishment(
                    service.EstablishmentDetails(
                        team.id, form.effective_from.data, form.funded_fte.data, form.notes.data
                    )
                ),
                f"Establishment for {team.name} saved",
                url_for("planning.establishment_team", team_id=team.id),
            )
            if done is not None:
                return done
    return render_template(
        "planning/establishment_team.html",
        team=team,
        history=service.establishment_history(team.id),
        form=form,
        can_edit=can_edit,
    )


@bp.route("/establishment/records/<int:record_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def establishment_edit(record_id: int) -> str | Response:
    """Correct an establishment record."""
    record = db.session.get(TeamEstablishment, record_id) or abort(404)
    form = EstablishmentForm(obj=record)
    if not form.is_submitted():
        form.funded_fte.data = f"{record.funded_fte:.2f}"
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: service.update_establishment(
                record,
                service.EstablishmentDetails(
                    record.team_id, form.effective_from.data, form.funded_fte.data, form.notes.data
                ),
            ),
            f"Establishment for {record.team.name} saved",
            url_for("planning.establishment_team", team_id=record.team_id),
        )
        if done is not None:
            return done
    return render_template("planning/establishment_form.html", form=form, record=record)


@bp.route("/establishment/records/<int:record_id>/delete", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def establishment_delete(record_id: int) -> str | Response:
    """Delete an establishment record entered in error, after confirmation."""
    record = db.session.get(TeamEstablishment, record_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        team_id = record.team_id
        service.delete_establishment(record)
        db.session.commit()
        flash("Establishment record deleted", "success")
        return redirect(url_for("planning.establishment_team", team_id=team_id))
    return render_template("planning/establishment_delete.html", form=form, record=record)


# --- absence ------------------------------------------------------------------------------


def _absence_filters(problems: list[str]) -> service.AbsenceFilter:
    team = request.args.get("team", "")
    reason = request.args.get("reason", "")
    return service.AbsenceFilter(
        team_id=int(team) if team.isdigit() else None,
        reason=reason if reason in service.absence_reasons() else None,
        start=_date_arg("from", "The start date", problems),
        end=_date_arg("to", "The end date", problems),
        name=request.args.get("q", "").strip() or None,
    )


@bp.route("/absence")
@roles_required(*PEOPLE_MANAGERS)
def absence_list() -> str:
    """Absences, latest first, filtered by team, reason, dates and person."""
    problems: list[str] = []
    chosen = _absence_filters(problems)
    page = paginate(
        service.absence_query(chosen),
        request.args.get("page", 1, type=int),
        current_app.config["PAGE_SIZE"],
    )
    teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    return render_template(
        "planning/absence_list.html",
        page=page,
        chosen=chosen,
        problems=problems,
        teams=[("", "Any team"), *((str(i), n) for i, n in teams)],
        reasons=service.absence_reasons(),
        reason_options=[("", "Any reason"), *service.absence_reasons().items()],
        text={"from": request.args.get("from", ""), "to": request.args.get("to", "")},
    )


def _absence_form(record: Absence | None) -> str | Response:
    form = AbsenceForm(obj=record)
    reasons = service.absence_reasons()
    form.reason.choices = [("", "Choose a reason"), *((c, f"{c}: {t}") for c, t in reasons.items())]
    if record is not None and not form.is_submitted():
        form.staff_number.data = record.staff.staff_number
        form.working_days_lost.data = f"{record.working_days_lost:.1f}"
    if form.validate_on_submit():
        if record is None:
            staff_id = db.session.scalar(
                select(Staff.id).where(Staff.staff_number == (form.staff_number.data or "").strip())
            )
            if staff_id is None:
                form.staff_number.errors = [
                    *form.staff_number.errors,
                    "There is no one with this staff number",
                ]
                return render_template("planning/absence_form.html", form=form, record=record)
        else:
            staff_id = record.staff_id
        details = service.AbsenceDetails(
            staff_id,
            form.start_date.data,
            form.end_date.data,
            form.working_days_lost.data,
            form.reason.data or None,
        )
        done = _save(
            form,
            (lambda: service.add_absence(details))
            if record is None
            else (lambda: service.update_absence(record, details)),
            "Absence saved",
            url_for("planning.absence_list"),
            staff_id="staff_number",
        )
        if done is not None:
            return done
    return render_template("planning/absence_form.html", form=form, record=record)


@bp.route("/absence/new", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def absence_new() -> str | Response:
    """Record a period of absence."""
    return _absence_form(None)


@bp.route("/absence/<int:absence_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def absence_edit(absence_id: int) -> str | Response:
    """Correct a period of absence."""
    return _absence_form(db.session.get(Absence, absence_id) or abort(404))


@bp.route("/absence/<int:absence_id>/delete", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def absence_delete(absence_id: int) -> str | Response:
    """Delete an absence entered in error, after confirmation."""
    record = db.session.get(Absence, absence_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_absence(record)
        db.session.commit()
        flash("Absence deleted", "success")
        return redirect(url_for("planning.absence_list"))
    return render_template(
        "planning/absence_delete.html",
        form=form,
        record=record,
        reasons=service.absence_reasons(),
    )
