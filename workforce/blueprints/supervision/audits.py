"""Quality audits of supervision records: a manager draws a sample of their supervisors'
records, rates each against the checklist to an overall grade, and reads the audits.

Who may audit and who may see an audit is decided in
``workforce.services.supervision_audits``; these views ask it and answer 403 (or 404 for a
record that does not exist).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from workforce.blueprints.supervision import bp
from workforce.blueprints.supervision.audit_forms import AuditForm
from workforce.extensions import db
from workforce.models.supervision import (
    AUDIT_GRADES,
    CHECKLIST,
    SupervisionAudit,
    SupervisionSession,
)
from workforce.pagination import paginate
from workforce.services import ServiceError
from workforce.services import supervision_audits as service

#: Where a session's full record is shown, when the sessions views provide it.
SESSION_ENDPOINT = "supervision.session_detail"


def _session_url(session: SupervisionSession) -> str | None:
    if SESSION_ENDPOINT in current_app.view_functions:
        return url_for(SESSION_ENDPOINT, session_id=session.id)
    return None


def _require_auditor() -> None:
    if not service.may_audit_at_all(current_user):
        abort(403)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _bad_day(name: str, label: str, problems: dict[str, str]) -> date | None:
    """The ISO date in the query argument ``name``; a message in ``problems`` if it is not
    one."""
    text = request.args.get(name, "").strip()
    value = _day(text)
    if text and value is None:
        problems[name] = f"Enter the {label} as a real date, like 2026-03-27"
    return value


@bp.route("/audits")
@login_required
def audit_list() -> str:
    """The audits the user may see, newest first, by period and team."""
    _require_auditor()
    problems: dict[str, str] = {}
    start = _bad_day("from", "first date", problems)
    end = _bad_day("to", "last date", problems)
    if start and end and end < start:
        problems["to"] = "The last date must be on or after the first date"
    teams = service.teams_of_visible_audits(current_user)
    team_text = request.args.get("team", "")
    team_id = int(team_text) if team_text.isdigit() else None
    if team_id is not None and team_id not in {t for t, _ in teams}:
        team_id = None
    page = paginate(
        service.audits_visible_to(
            current_user,
            start=None if "from" in problems or "to" in problems else start,
            end=None if "from" in problems or "to" in problems else end,
            team_id=team_id,
        ),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    audits = [audit for (audit,) in page.rows]
    filtered = bool(start or end or team_id)
    return render_template(
        "supervision/audit_list.html",
        page=page,
        audits=audits,
        teams=teams,
        team_id=team_id,
        args=request.args,
        problems=problems,
        filtered=filtered,
        session_teams=service.session_teams([a.session for a in audits]),
    )


@bp.route("/audits/sample")
@login_required
def audit_sample() -> str | Response:
    """Draw a random sample of unaudited records of the supervisors the user manages."""
    _require_auditor()
    args = request.args
    default_start, default_end = service.default_sample_range()
    drawn = "size" in args
    if drawn and not args.get("seed", "").isdigit():
        # A fresh seed, put in the address so the same sample can be opened again.
        kept = {k: v for k, v in args.items() if k in ("size", "from", "to")}
        return redirect(url_for("supervision.audit_sample", **kept, seed=_new_seed()))
    problems: dict[str, str] = {}
    size_text = args.get("size", "").strip()
    size = int(size_text) if size_text.isdigit() else None
    start = _bad_day("from", "first date", problems) if args.get("from") else default_start
    end = _bad_day("to", "last date", problems) if args.get("to") else default_end
    sample = None
    if drawn:
        if size is None:
            problems["size"] = (
                f"The number of records must be a whole number from {service.MIN_SAMPLE} "
                f"to {service.MAX_SAMPLE}"
            )
        if not problems:
            try:
                sample = service.sample_sessions(
                    current_user, size=size, start=start, end=end, seed=int(args["seed"])
                )
            except ServiceError as error:
                field = {"start": "from", "end": "to"}.get(error.field or "", error.field)
                problems[field or "size"] = error.message
    return render_template(
        "supervision/audit_sample.html",
        sample=sample,
        problems=problems,
        args=args,
        size=size_text if drawn else str(service.DEFAULT_SAMPLE),
        start=args.get("from") or default_start.isoformat(),
        end=args.get("to") or default_end.isoformat(),
        limits=(service.MIN_SAMPLE, service.MAX_SAMPLE),
        months=service.DEFAULT_SAMPLE_MONTHS,
    )


def _new_seed() -> int:
    return secrets.randbelow(900_000) + 100_000


@bp.route("/sessions/<int:session_id>/audit", methods=["GET", "POST"])
@login_required
def audit_new(session_id: int) -> str | Response:
    """Audit one record: the record in full, the checklist, and the overall grade (the
    checklist's suggestion chosen for the auditor, who may choose another)."""
    session = db.session.get(SupervisionSession, session_id) or abort(404)
    if not service.can_audit(current_user, session):
        abort(403)
    earlier = service.audits_of(session)
    context: dict[str, Any] = {
        "session": session,
        "earlier": earlier,
        "session_url": _session_url(session),
        "grades": AUDIT_GRADES,
    }
    if not session.held:
        return render_template("supervision/audit_new.html", form=None, **context)
    form = AuditForm()
    show_grade = "grade" in request.form
    suggested = None
    if not form.is_submitted():
        form.audited_on.data = date.today()
    if form.validate_on_submit():
        suggested = service.suggest(form.checklist())
        if form.suggest.data:
            form.grade.data = suggested
            show_grade = True
        else:
            try:
                audit = service.record_audit(
                    session,
                    current_user,
                    service.AuditDetails(
                        checklist=form.checklist(),
                        grade=form.grade.data or None,
                        audited_on=form.audited_on.data,
                        comments=form.comments.data,
                    ),
                )
            except ServiceError as error:
                db.session.rollback()
                target = getattr(form, error.field or "submit", None) or form.submit
                target.errors = [*target.errors, error.message]
                show_grade = True
            else:
                db.session.commit()
                flash(f"Audit saved: {audit.grade_label}", "success")
                return redirect(url_for("supervision.audit_detail", audit_id=audit.id))
    return render_template(
        "supervision/audit_new.html",
        form=form,
        show_grade=show_grade,
        suggested=suggested,
        **context,
    )


@bp.route("/audits/<int:audit_id>")
@login_required
def audit_detail(audit_id: int) -> str:
    """One audit: to its auditor, the managers above the supervisor, and the supervisor."""
    audit = db.session.get(SupervisionAudit, audit_id) or abort(404)
    if not service.can_view_audit(current_user, audit):
        abort(403)
    checklist = {key: getattr(audit, key) for key in CHECKLIST}
    return render_template(
        "supervision/audit_detail.html",
        audit=audit,
        session=audit.session,
        checklist=checklist,
        labels=CHECKLIST,
        suggested=AUDIT_GRADES[service.suggest(checklist)],
        met=sum(checklist.values()),
        others=[
            a
            for a in service.audits_of(audit.session)
            if a.id != audit.id and service.can_view_audit(current_user, a)
        ],
        session_url=_session_url(audit.session),
        can_audit=service.can_audit(current_user, audit.session),
        team=service.session_teams([audit.session]).get(audit.session.id),
    )
