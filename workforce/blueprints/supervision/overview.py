"""Overview views: the supervision home page (a supervisor's supervisees, overdue first,
and your own supervision), a person's supervision history, and the team and service view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workforce.blueprints.supervision import bp
from workforce.extensions import db
from workforce.metrics.supervision import sessions_per_person_per_year
from workforce.models import Staff, Team
from workforce.reports.capability import viewer_scope
from workforce.reports.registry import get as get_report
from workforce.reports.supervision import Tally, tally_compliance, viewer_can_see_all
from workforce.security import SEE_ALL_STAFF
from workforce.services import supervision as service
from workforce.services import supervision_audits

#: Roles that see the team and service view (supervisors: the people they manage).
TEAM_VIEWERS = (*SEE_ALL_STAFF, "supervisor")


@bp.route("/")
@login_required
def index() -> str:
    """Your supervisees (overdue first) and your own supervision."""
    today = date.today()
    supervisees: list[service.PersonCompliance] = []
    if current_user.has_role("supervisor") and current_user.staff_id is not None:
        people = _with_spells([p.id for p in service.supervisees_of(current_user.staff_id, today)])
        supervisees = service.sort_overdue_first(service.compliance_for(people, today))
    own = None
    awaiting = []
    if current_user.staff_id is not None:
        own = service.compliance_for(_with_spells([current_user.staff_id]), today)[0]
        awaiting = service.awaiting_acknowledgement(current_user.staff_id)
    reports = [get_report(n) for n in ("supervision-compliance", "supervision-audit", "caseload")]
    return render_template(
        "supervision/index.html",
        supervisees=supervisees,
        own=own,
        awaiting=awaiting,
        can_record=service.can_record(current_user),
        can_see_teams=current_user.has_role(*TEAM_VIEWERS),
        can_audit=supervision_audits.may_audit_at_all(current_user),
        reports=[r for r in reports if r is not None and r.visible_to(current_user)],
    )


def _with_spells(staff_ids: list[int]) -> list[Staff]:
    """People by id, with their spells loaded, in the order given."""
    if not staff_ids:
        return []
    found = {
        s.id: s
        for s in db.session.scalars(
            select(Staff).where(Staff.id.in_(staff_ids)).options(selectinload(Staff.spells))
        )
    }
    return [found[i] for i in staff_ids if i in found]


@bp.route("/people/<int:staff_id>")
@login_required
def person(staff_id: int) -> str:
    """A person's supervision: compliance against their policy and every session (links
    to the records only for those who may read the notes)."""
    staff = db.session.get(Staff, staff_id) or abort(404)
    if not service.can_see_history(current_user, staff):
        abort(403)
    sessions = service.sessions_of(staff.id)
    readable = {s.id for s in sessions if service.can_read_notes(current_user, s)}
    return render_template(
        "supervision/person.html",
        staff=staff,
        status=service.compliance_for(_with_spells([staff.id]))[0],
        sessions=sessions,
        readable=readable,
        actions=service.open_actions_of(staff.id) if readable else [],
        can_record=service.can_record(current_user)
        and service.manages(current_user.staff_id, staff.id),
    )


@dataclass
class TeamRow:
    """A team's supervision in the team and service view (a service area's, or everyone's)."""

    team: str
    service_area: str
    people: int = 0
    with_policy: int = 0
    within: int = 0
    overdue: int = 0
    sessions: int = 0

    def add(self, tally: Tally) -> None:
        """Count in the people of ``tally``."""
        self.people += tally.people
        self.with_policy += tally.with_policy
        self.within += tally.within
        self.overdue += tally.overdue
        self.sessions += tally.sessions

    @property
    def share_within(self) -> float | None:
        """Within policy, of those with a policy."""
        return self.within / self.with_policy if self.with_policy else None

    @property
    def per_person_per_year(self) -> float | None:
        """Sessions held in the last 12 months per person in post."""
        return sessions_per_person_per_year(self.sessions, self.people)


@bp.route("/teams")
@login_required
def teams() -> str:
    """The team and service view: % within policy and sessions per person per year."""
    if not current_user.has_role(*TEAM_VIEWERS):
        abort(403)
    today = date.today()
    # The people in post whom the viewer manages (everyone, for HR and the like), judged
    # as the supervision compliance report judges them, added up by team.
    scope = None if viewer_can_see_all(current_user) else viewer_scope(current_user)
    tallies = tally_compliance([today], scope=scope, by_team=True)[today]
    names = dict.fromkeys(tallies)
    if names:
        for team in db.session.execute(
            select(Team.id, Team.name, Team.service_area).where(Team.id.in_(list(names)))
        ):
            names[team.id] = (team.name, team.service_area)
    rows: list[TeamRow] = []
    areas: dict[str, TeamRow] = {}
    total = TeamRow("All teams", "")
    for team_id, tally in tallies.items():
        name, service_area = names[team_id] or ("", "")
        row = TeamRow(name, service_area)
        rows.append(row)
        for counted in (row, areas.setdefault(service_area, TeamRow(service_area, "")), total):
            counted.add(tally)
    return render_template(
        "supervision/teams.html",
        rows=sorted(rows, key=lambda r: r.team),
        areas=sorted(areas.values(), key=lambda r: r.team),
        total=total,
    )
