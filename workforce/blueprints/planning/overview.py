"""The workforce planning home page: where caseloads, the weighting scheme, establishment,
absence, the census return and the HR reports are, for the roles that use them."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from workforce.blueprints.planning import bp
from workforce.blueprints.planning.caseloads import READERS, SCHEME_READERS
from workforce.blueprints.planning.census import CENSUS_ROLES
from workforce.blueprints.planning.establishment import ESTABLISHMENT_READERS
from workforce.reports.registry import get as get_report
from workforce.security import PEOPLE_MANAGERS, roles_required

#: Roles that see the workforce planning section at all.
PLANNING_ROLES = tuple(dict.fromkeys((*READERS, *SCHEME_READERS, *ESTABLISHMENT_READERS)))


@bp.route("/")
@roles_required(*PLANNING_ROLES)
def index() -> str:
    """Links to each part of workforce planning the user may use."""
    reports = [get_report(name) for name in ("caseload", "turnover", "workforce-profile")]
    return render_template(
        "planning/index.html",
        can_caseloads=current_user.has_role(*READERS),
        can_schemes=current_user.has_role(*SCHEME_READERS),
        can_establishment=current_user.has_role(*ESTABLISHMENT_READERS),
        can_absence=current_user.has_role(*PEOPLE_MANAGERS),
        can_census=current_user.has_role(*CENSUS_ROLES),
        reports=[r for r in reports if r is not None and r.visible_to(current_user)],
    )
