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
from workforce.models import Staff
from workforce.reports.registry import get as get_report
from workforce.reports.supervision import judge_people
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
    """A team's supervision in the team and service view."""

    team: str
    service_area: str
    people: int = 0
    with_policy: int = 0
    within: int = 0
    overdue: int = 0
    sessions: int = 0

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
    rows: dict[str, TeamRow] = {}
    areas: dict[str, TeamRow] = {}
    total = TeamRow("All teams", "")
    # The people in post whom the viewer manages (everyone, for HR and the like), judged
    # as the supervision compliance report judges them, in a couple of queries.
    for item in judge_people(date.today(), viewer=current_user, ordered=False):
        person = item.person
        team = rows.setdefault(person.team, TeamRow(person.team, person.service_area))
        area = areas.setdefault(person.service_area, TeamRow(person.service_area, ""))
        for row in (team, area, total):
            row.people += 1
            if item.result is not None:
                row.with_policy += 1
                row.within += item.result.within_policy
                row.overdue += item.result.overdue
                row.sessions += item.result.sessions
    return render_template(
        "supervision/teams.html",
        rows=sorted(rows.values(), key=lambda r: r.team),
        areas=sorted(areas.values(), key=lambda r: r.team),
        total=total,
    )
