"""The service navigation: each role sees the sections it can use."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from workforce.models import User


@dataclass(frozen=True)
class Section:
    """One item in the service navigation."""

    text: str
    endpoint: str
    roles: tuple[str, ...]
    #: Endpoint prefixes that mark this item as the current section.
    prefixes: tuple[str, ...]


SECTIONS = (
    Section("Home", "main.home", (), ("main.",)),
    Section(
        "Staff",
        "people.staff_list",
        ("hr", "ld_officer", "senior_leader", "supervisor"),
        ("people.staff", "people.import"),
    ),
    Section("My record", "people.my_record", ("practitioner",), ("people.my_record",)),
    Section("Training", "training.index", (), ("training.",)),
    Section("Catalogue", "training.course_list", (), ("training.course", "training.list")),
    Section("Capability", "capability.index", (), ("capability.",)),
    Section("Supervision", "supervision.index", (), ("supervision.",)),
    Section("Planning", "planning.index", ("hr", "senior_leader"), ("planning.",)),
    Section("ASYE", "asye.index", ("ld_officer", "hr", "senior_leader", "supervisor"), ("asye.",)),
    Section(
        "Performance",
        "performance.index",
        ("senior_leader", "hr", "ld_officer"),
        ("performance.",),
    ),
    Section("Reports", "reports.index", ("hr", "ld_officer", "senior_leader"), ("reports.",)),
    Section("Teams", "people.team_list", ("hr", "senior_leader"), ("people.team",)),
    Section("Accounts", "admin.user_list", ("admin",), ("admin.user",)),
    Section("Audit trail", "admin.audit_list", ("admin",), ("admin.audit",)),
)


def navigation_for(user: User | None, endpoint: str) -> list[dict[str, object]]:
    """Return the navigation items ``user`` may use, marking the current one."""
    if user is None:
        return []
    sections = [
        section
        for section in SECTIONS
        if (not section.roles or user.has_role(*section.roles))
        and (section.endpoint != "people.my_record" or user.staff_id is not None)
    ]
    # /me redirects to the user's own staff record, so "My record" is current there.
    own_record = (
        endpoint == "people.staff_detail"
        and user.staff_id is not None
        and (request.view_args or {}).get("staff_id") == user.staff_id
        and any(section.endpoint == "people.my_record" for section in sections)
    )
    if own_record:
        current = next(s for s in sections if s.endpoint == "people.my_record")
    else:
        # The section with the longest matching prefix is current ("training.course" beats
        # "training."), so exactly one item is marked.
        current = max(sections, key=lambda s: _match_length(s, endpoint), default=None)
        if current is not None and _match_length(current, endpoint) == 0:
            current = None
    return [{"text": s.text, "href": url_for(s.endpoint), "active": s is current} for s in sections]


def _match_length(section: Section, endpoint: str) -> int:
    return max((len(p) for p in section.prefixes if endpoint.startswith(p)), default=0)
