"""Overview views: the supervision home page (a supervisor's supervisees, overdue first,
and your own supervision), a person's supervision history, and the team and service view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workforce.blueprints.supervision import bp
from workforce.extensions import db
from workforce.metrics.supervision import sessions_per_person_per_year
from workforce.models import Staff, Team
from workforce.pagination import paginate_list
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

    def add(self, tally: Tally | TeamRow) -> None:
        """Count in the people of ``tally`` (or of another row)."""
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


#: What each sort of the team table orders by. Teams with the same figure stay in name
#: order either way; a share or rate that cannot be worked out (nobody with a policy)
#: sorts last either way.
TEAM_SORTS: dict[str, Callable[[TeamRow], Any]] = {
    "team": lambda r: r.team.casefold(),
    "service": lambda r: r.service_area.casefold(),
    "people": lambda r: r.people,
    "within": lambda r: r.share_within,
    "overdue": lambda r: r.overdue,
    "sessions": lambda r: r.per_person_per_year,
}


class TeamFilters:
    """The team view's search, service area and sort, read from the query string."""

    def __init__(self) -> None:
        self.q = request.args.get("q", "").strip()
        self.service = request.args.get("service", "").strip()
        sort = request.args.get("sort", "team")
        self.sort = sort if sort in TEAM_SORTS else "team"
        self.descending = request.args.get("order") == "desc"

    @property
    def active(self) -> bool:
        return bool(self.q or self.service)

    def keep(self, row: TeamRow) -> bool:
        """Whether ``row`` matches the search (part of the team's name, any case) and the
        service area."""
        return (not self.q or self.q.casefold() in row.team.casefold()) and (
            not self.service or row.service_area == self.service
        )

    def order(self, rows: list[TeamRow]) -> list[TeamRow]:
        """``rows`` in the chosen order, in name order within the same figure; rows
        without the figure last."""
        key = TEAM_SORTS[self.sort]
        by_name = sorted(rows, key=lambda r: r.team.casefold())
        known = [r for r in by_name if key(r) is not None]
        unknown = [r for r in by_name if key(r) is None]
        return sorted(known, key=key, reverse=self.descending) + unknown


@bp.route("/teams")
@login_required
def teams() -> str:
    """The team and service view: % within policy and sessions per person per year, by
    team (searched, filtered by service area, sorted and paged) and by service area."""
    if not current_user.has_role(*TEAM_VIEWERS):
        abort(403)
    today = date.today()
    filters = TeamFilters()
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
    for team_id, tally in tallies.items():
        name, service_area = names[team_id] or ("", "")
        row = TeamRow(name, service_area)
        row.add(tally)
        areas.setdefault(service_area, TeamRow(service_area, "")).add(tally)
        rows.append(row)
    shown = [row for row in rows if filters.keep(row)]
    total = TeamRow("All matching teams" if filters.active else "All teams", "")
    for row in shown:
        total.add(row)
    return render_template(
        "supervision/teams.html",
        any_teams=bool(rows),
        page=paginate_list(filters.order(shown)),
        areas=sorted(areas.values(), key=lambda r: r.team.casefold()),
        services=[("", "All service areas")]
        + [(area, area) for area in sorted({r.service_area for r in rows if r.service_area})],
        total=total,
        filters=filters,
    )
