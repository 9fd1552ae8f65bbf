"""The home page: real figures for each role the user holds."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template
from flask_login import current_user, login_required

from workforce.blueprints.main import bp
from workforce.models import Staff
from workforce.reports import expiry_warning_days
from workforce.reports.training import own_mandatory_training
from workforce.security import managed_staff_ids
from workforce.services import asye, capability, dashboard, supervision
from workforce.services.evaluations import count_rows, follow_ups_query, sessions_to_evaluate
from workforce.services.people import current_spell


@bp.route("/")
@login_required
def home() -> str:
    """Show each role's figures."""
    today = date.today()
    user = current_user
    context: dict[str, object] = {"today": today}
    if user.has_role("hr", "senior_leader", "ld_officer"):
        context["workforce"] = dashboard.workforce_figures(today)
    if user.has_role("admin"):
        context["accounts"] = dashboard.account_figures(today - timedelta(days=7))
    if user.staff is not None:
        context["own_spell"] = current_spell(user.staff)
        own_training = own_mandatory_training(user.staff.id, today, expiry_warning_days())
        context["own_training"] = own_training
        context["own_training_gaps"] = [
            (title, standing) for title, standing in own_training if standing.status != "valid"
        ]
        context["to_evaluate"] = len(sessions_to_evaluate(user.staff.id))
        context["open_actions"] = len(capability.open_actions(user.staff.id))
        context["drafts_about_you"] = capability.drafts_about(user.staff.id)
        context["to_acknowledge"] = len(supervision.awaiting_acknowledgement(user.staff.id))
        context["own_asye"] = asye.own_enrolments(user)
        if "supervisor" in user.roles:
            context["team"] = dashboard.managed_people(user.staff.id, today)
            context["follow_ups_due"] = count_rows(follow_ups_query(user, today=today))
            context["supervision_overdue"] = supervision.overdue_supervisees(user.staff.id, today)
            context["assessments_due"] = len(
                capability.without_recent_assessment(
                    Staff.id.in_(managed_staff_ids(user.staff.id, today))
                    & (Staff.id != user.staff.id),
                    today,
                )
            )
    return render_template("main/home.html", **context)
