"""Teams: list with current headcount and FTE, add and edit."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from workforce.blueprints.people import bp
from workforce.blueprints.people.forms import TeamForm
from workforce.extensions import db
from workforce.models import Team
from workforce.security import PEOPLE_MANAGERS, can_edit_people, roles_required
from workforce.services import ServiceError
from workforce.services.reference import labels
from workforce.services.teams import save_team, teams_in_post


@bp.route("/teams")
@roles_required("hr", "senior_leader")
def team_list() -> str:
    """Every team with its people in post today."""
    rows = teams_in_post(date.today())
    return render_template(
        "people/team_list.html",
        rows=rows,
        tiers=labels("tier_of_need"),
        can_edit=can_edit_people(current_user),
    )


@bp.route("/teams/new", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def team_new() -> str | Response:
    """Add a team."""
    return _team_form(Team(active=True), TeamForm())


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def team_edit(team_id: int) -> str | Response:
    """Change a team's name, service area, tier or whether it is active."""
    team = db.session.get(Team, team_id) or abort(404)
    return _team_form(team, TeamForm(obj=team))


def _team_form(team: Team, form: TeamForm) -> str | Response:
    if form.validate_on_submit():
        try:
            save_team(
                team,
                form.name.data,
                form.service_area.data,
                form.tier_of_need.data,
                form.active.data,
            )
        except ServiceError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Team {team.name} saved.", "success")
            return redirect(url_for("people.team_list"))
    return render_template("people/team_form.html", form=form, team=team)
