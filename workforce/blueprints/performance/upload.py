"""Uploading figures from a CSV or XLSX file: a template, a check of every row (problems
listed by row number), a preview of what would be added and replaced, and an all-or-nothing
save once confirmed. The checked file waits in the instance folder until then."""

from __future__ import annotations

import io
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from workforce.blueprints.performance import bp
from workforce.blueprints.performance.forms import ConfirmUploadForm, UploadForm
from workforce.extensions import db
from workforce.metrics.periods import EXAMPLES, FREQUENCIES
from workforce.security import roles_required
from workforce.services import performance as service
from workforce.services.tabular import find_upload, keep_upload, read_table, remove_stale_uploads
from workforce.spreadsheets import frame_to_csv


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _prefix() -> str:
    return f"measures-{current_user.id}"


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def upload() -> str:
    """Upload a file of figures; show every bad row, or a preview of what would change."""
    remove_stale_uploads(_folder(), "measures-*")
    form = UploadForm()
    plan = None
    confirm = None
    if form.validate_on_submit():
        file = form.file.data
        content = file.read()
        try:
            table = read_table(content, file.filename or "")
        except ValueError as error:
            form.file.errors.append(str(error))
        else:
            plan = service.plan_figure_upload(table, current_user)
            if not plan.errors:
                token = keep_upload(_folder(), _prefix(), content, file.filename or "")
                confirm = ConfirmUploadForm(token=token)
            db.session.rollback()
    return render_template(
        "performance/upload.html",
        form=form,
        plan=plan,
        confirm=confirm,
        columns=service.UPLOAD_COLUMNS,
        examples=EXAMPLES,
        frequencies=FREQUENCIES,
    )


@bp.route("/upload/confirm", methods=["POST"])
@roles_required(*service.EDITORS)
def upload_confirm() -> Response:
    """Save a checked file, checking it again first; all or nothing."""
    form = ConfirmUploadForm()
    if not form.validate_on_submit():
        abort(400)
    path = find_upload(_folder(), _prefix(), form.token.data or "")
    if path is None:
        flash("That upload has expired or was saved already. Upload the file again.", "error")
        return redirect(url_for("performance.upload"))
    plan = service.plan_figure_upload(read_table(path.read_bytes(), path.name), current_user)
    if plan.errors:
        db.session.rollback()
        flash(
            "The figures changed since the file was checked. Upload it again to see why.", "error"
        )
        return redirect(url_for("performance.upload"))
    service.apply_figure_upload(plan, source="figure upload (web)")
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Figures saved. {plan.describe()}", "success")
    return redirect(url_for("performance.index"))


@bp.route("/upload/template.csv")
@roles_required(*service.EDITORS)
def upload_template() -> Response:
    """The upload template as CSV, with example rows for a measure the user owns."""
    return send_file(
        io.BytesIO(frame_to_csv(service.template_frame(current_user))),
        mimetype="text/csv",
        as_attachment=True,
        download_name="measure-figures.csv",
    )
