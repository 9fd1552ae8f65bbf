"""The DfE children's social work workforce census for HR and admins: choose a year, see the
pre-submission check (problems by worker, linked to their records), download the return as
XML or CSV, and import a previous year's return (schema check, preview, confirm)."""

from __future__ import annotations

import io
import secrets
from datetime import date
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Regexp

from workforce.blueprints.planning import bp
from workforce.extensions import db
from workforce.models import Team
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services.census import (
    IMPORT_TEAM,
    NOT_LOADED,
    CensusNotReady,
    apply_census_import,
    build_return,
    export_filename,
    export_return,
    latest_year,
    plan_census_import,
    read_upload,
)
from workforce.services.census_xml import MAX_FILE_BYTES
from workforce.services.tabular import TOKEN, remove_stale_uploads

#: Who uses the census pages (admin always may).
CENSUS_ROLES = ("hr",)
#: How many years back the year choice goes.
YEARS_SHOWN = 8
MIMETYPES = {"xml": "application/xml", "csv": "text/csv; charset=utf-8"}


class CensusImportForm(FlaskForm):
    """Upload a previous year's return."""

    file = FileField(
        "Census return (XML)",
        widget=GovFileInput(),
        validators=[FileRequired("Choose the census return's XML file")],
    )
    team = SelectField("Team for the spells it adds", widget=GovSelect(), coerce=str)
    submit = SubmitField("Check file", widget=GovSubmitInput())


class ConfirmCensusImportForm(FlaskForm):
    """Confirm a checked import."""

    token = StringField(validators=[DataRequired(), Regexp(TOKEN.pattern)])
    team = StringField()


def _years() -> list[int]:
    latest = latest_year(date.today())
    return list(range(latest + 1, latest - YEARS_SHOWN, -1))


def _year_argument() -> int:
    text = request.args.get("year", "")
    if not text:
        return latest_year(date.today())
    if not text.isdigit() or int(text) not in _years():
        abort(404)
    return int(text)


@bp.route("/census")
@roles_required(*CENSUS_ROLES)
def census_check() -> str:
    """The pre-submission check for a year, with the downloads."""
    year = _year_argument()
    result = build_return(year)
    db.session.rollback()
    return render_template(
        "planning/census_check.html",
        result=result,
        figures=result.figures(),
        groups=result.by_person(),
        year=year,
        years=_years(),
    )


@bp.route("/census/<int:year>.<fmt>")
@roles_required(*CENSUS_ROLES)
def census_download(year: int, fmt: str) -> Response:
    """The return as XML or CSV, if the check allows it (warnings only when accepted)."""
    if fmt not in MIMETYPES or year not in _years():
        abort(404)
    accept = request.args.get("accept_warnings") == "yes"
    try:
        content, result = export_return(year, fmt, accept_warnings=accept)
    except CensusNotReady as error:
        db.session.rollback()
        flash(f"{error.message}. Nothing was downloaded.", "error")
        return redirect(url_for("planning.census_check", year=year))
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("planning.census_check", year=year))
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=export_filename(result, fmt),
    )


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _upload_path(token: str) -> Path:
    return _upload_folder() / f"census-{current_user.id}-{token}.xml"


def _team_choices() -> list[tuple[str, str]]:
    teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    return [("", f"A team called “{IMPORT_TEAM}”")] + [(str(i), n) for i, n in teams]


@bp.route("/census/import", methods=["GET", "POST"])
@roles_required(*CENSUS_ROLES)
def census_import() -> str:
    """Upload a return; show the schema's problems by line, or a preview of the changes."""
    remove_stale_uploads(_upload_folder(), "census-*")
    form = CensusImportForm()
    form.team.choices = _team_choices()
    plan = confirm = None
    if form.validate_on_submit():
        content = form.file.data.read(MAX_FILE_BYTES + 1)
        plan = plan_census_import(content)
        db.session.rollback()
        if not plan.problems and plan.changes_anything:
            token = secrets.token_hex(16)
            _upload_folder().mkdir(parents=True, exist_ok=True)
            _upload_path(token).write_bytes(content)
            confirm = ConfirmCensusImportForm(token=token, team=form.team.data or "")
    return render_template(
        "planning/census_import.html",
        form=form,
        plan=plan,
        confirm=confirm,
        not_loaded=NOT_LOADED,
        import_team=IMPORT_TEAM,
    )


@bp.route("/census/import/confirm", methods=["POST"])
@roles_required(*CENSUS_ROLES)
def census_import_confirm() -> Response:
    """Import a checked file, checking it again first; all or nothing."""
    form = ConfirmCensusImportForm()
    if not form.validate_on_submit():
        abort(400)
    path = _upload_path(form.token.data)
    if not path.exists():
        flash("That upload has expired or was already imported. Upload the file again.", "error")
        return redirect(url_for("planning.census_import"))
    plan = plan_census_import(read_upload(path))
    team_text = form.team.data or ""
    team_id = int(team_text) if team_text.isdigit() else None
    if plan.problems:
        db.session.rollback()
        flash("The file no longer passes its checks. Upload it again to see why.", "error")
        return redirect(url_for("planning.census_import"))
    try:
        apply_census_import(plan, source="census import (web)", team_id=team_id)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("planning.census_import"))
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Census return imported. {plan.describe()}", "success")
    year = plan.parsed.year if plan.parsed and plan.parsed.year in _years() else None
    return redirect(url_for("planning.census_check", year=year))
