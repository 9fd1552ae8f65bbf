"""Gap views: the capability home page, a person's gaps against their expected level, a
team's heatmap, and the people with no assessment in the last 12 months."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from workforce.blueprints.capability import bp
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.people import spell_in_force
from workforce.reports.registry import get as get_report
from workforce.security import SEE_ALL_STAFF, visible_staff_filter
from workforce.services import capability as service

#: Roles that see team heatmaps and the list of assessments due (supervisors: their staff).
TEAM_VIEWERS = (*SEE_ALL_STAFF, "supervisor")


def _can_see_teams() -> bool:
    return bool(current_user.has_role(*TEAM_VIEWERS))


def _visible_teams() -> list[tuple[Team, int]]:
    """Active teams with people in post the user may see, and how many."""
    today = date.today()
    rows = db.session.execute(
        select(Team, func.count(func.distinct(EmploymentSpell.staff_id)))
        .join(EmploymentSpell, EmploymentSpell.team_id == Team.id)
        .join(Staff, Staff.id == EmploymentSpell.staff_id)
        .where(spell_in_force(EmploymentSpell, today), visible_staff_filter(current_user))
        .group_by(Team.id)
        .order_by(Team.name)
    ).all()
    return [(team, count) for team, count in rows]


@bp.route("/")
@login_required
def index() -> str:
    """Where to go: your own capabilities, your teams, assessments due, frameworks."""
    reports = [get_report(name) for name in ("capability-gaps", "appraisals")]
    return render_template(
        "capability/index.html",
        teams=_visible_teams() if _can_see_teams() else [],
        reports=[r for r in reports if r is not None and r.visible_to(current_user)],
        can_see_profiles=current_user.has_role(*SEE_ALL_STAFF),
    )


@bp.route("/people/<int:staff_id>")
@login_required
def person(staff_id: int) -> str:
    """A person's latest rating per domain against their expected level, the gaps, the
    courses that develop them and the training completed, and their assessments."""
    staff = db.session.get(Staff, staff_id) or abort(404)
    if not service.can_read_assessments(current_user, staff):
        abort(403)
    return render_template(
        "capability/person.html",
        staff=staff,
        gaps=service.person_gaps(staff),
        history=service.assessment_history(staff.id, current_user),
        actions=service.open_actions(staff.id),
        kinds=service.assessment_kinds_for(current_user, staff),
        own=current_user.staff_id == staff.id,
    )


@bp.route("/teams")
@login_required
def team_list() -> str:
    """Teams whose heatmap the user may open."""
    if not _can_see_teams():
        abort(403)
    return render_template("capability/team_list.html", teams=_visible_teams())


@bp.route("/teams/<int:team_id>")
@login_required
def team(team_id: int) -> str:
    """A team's heatmap: people by domains, with counts meeting expectation per domain."""
    if not _can_see_teams():
        abort(403)
    team = db.session.get(Team, team_id) or abort(404)
    capability = service.team_capability(team.id, staff_filter=visible_staff_filter(current_user))
    readable = service.readable_staff_ids(
        current_user, (row.staff.id for heatmap in capability.heatmaps for row in heatmap.rows)
    )
    return render_template(
        "capability/team.html", team=team, capability=capability, readable=readable
    )


@bp.route("/due")
@login_required
def due() -> str:
    """People in post with no assessment in the last 12 months (the user's people only)."""
    if not _can_see_teams():
        abort(403)
    team_id = request.args.get("team", type=int)
    condition = visible_staff_filter(current_user)
    if current_user.staff_id is not None:  # nobody assesses themselves (but for self-assessment)
        condition = db.and_(condition, Staff.id != current_user.staff_id)
    if team_id:
        condition = db.and_(condition, EmploymentSpell.team_id == team_id)
    page = service.overdue_page(
        condition,
        request.args.get("page", 1, type=int) or 1,
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "capability/due.html",
        page=page,
        readable=service.readable_staff_ids(current_user, (o.staff.id for o in page.rows)),
        total=page.total,
        teams=_visible_teams(),
        team_id=team_id,
    )
