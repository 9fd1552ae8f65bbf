"""Import staff from an HR extract: template, check and preview, then import."""

from __future__ import annotations

import io
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from workforce.blueprints.people import bp
from workforce.blueprints.people.forms import ConfirmImportForm, ImportForm
from workforce.extensions import db
from workforce.security import PEOPLE_MANAGERS, roles_required
from workforce.services.staff_import import (
    COLUMNS,
    apply_import,
    plan_import,
    read_table,
    template_frame,
)
from workforce.services.tabular import find_upload, keep_upload, remove_stale_uploads
from workforce.spreadsheets import frame_to_csv, frame_to_xlsx


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _upload_prefix() -> str:
    return f"staff-{current_user.id}"


def _remove_stale_uploads() -> None:
    """Checked files nobody confirmed hold personal data: delete them after a while."""
    remove_stale_uploads(_upload_folder(), "staff-*")


@bp.route("/staff/import", methods=["GET", "POST"])
@roles_required(*PEOPLE_MANAGERS)
def import_staff() -> str:
    """Upload a file; show every bad row, or a preview of what would change."""
    _remove_stale_uploads()
    form = ImportForm()
    plan = None
    confirm = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        try:
            table = read_table(content, upload.filename or "")
        except ValueError as error:
            form.file.errors.append(str(error))
        else:
            plan = plan_import(table)
            if not plan.errors:
                token = keep_upload(_upload_folder(), _upload_prefix(), content, upload.filename)
                confirm = ConfirmImportForm(token=token)
            db.session.rollback()
    return render_template(
        "people/import.html", form=form, plan=plan, confirm=confirm, columns=COLUMNS
    )


@bp.route("/staff/import/confirm", methods=["POST"])
@roles_required(*PEOPLE_MANAGERS)
def import_staff_confirm() -> Response:
    """Import a checked file, checking it again first; all or nothing."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    _remove_stale_uploads()
    path = find_upload(_upload_folder(), _upload_prefix(), form.token.data)
    if path is None:
        flash("That upload has expired or was already imported. Upload the file again.", "error")
        return redirect(url_for("people.import_staff"))
    plan = plan_import(read_table(path.read_bytes(), path.name))
    if plan.errors:
        db.session.rollback()
        flash(
            "The records changed since the file was checked. Upload it again to see why.", "error"
        )
        return redirect(url_for("people.import_staff"))
    apply_import(plan, source="staff import (web)")
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Import complete. {plan.describe()}", "success")
    return redirect(url_for("people.staff_list"))


@bp.route("/staff/import/template.<fmt>")
@roles_required(*PEOPLE_MANAGERS)
def import_staff_template(fmt: str) -> Response:
    """Download the import template as CSV or XLSX."""
    frame = template_frame()
    if fmt == "csv":
        data, mimetype = frame_to_csv(frame), "text/csv"
    elif fmt == "xlsx":
        data = frame_to_xlsx(frame, sheet_name="Staff")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"staff-import-template.{fmt}",
    )
