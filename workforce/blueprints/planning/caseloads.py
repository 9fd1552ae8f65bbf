"""Caseload views: each worker's latest caseload and their history, entering, changing and
importing snapshots, the weighting schemes and the case types.

Who: HR and admins record and import caseloads. Senior leaders read every caseload;
supervisors read the caseloads of the people they manage (their line reports, down the
chain, and their team colleagues, as for staff records), never change them. The weighting
schemes and case types are read by HR and senior leaders and changed by admins only (the
issue: "let admins change it"; "others an admin adds").
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from workforce.blueprints.planning import bp
from workforce.blueprints.planning.caseload_forms import (
    SPARE_BANDS,
    CaseloadImportForm,
    CaseTypeForm,
    ConfirmForm,
    ConfirmImportForm,
    scheme_form,
    snapshot_form,
)
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import CaseloadSnapshot, CaseType, Staff, WeightingScheme
from workforce.models.workforce_planning import COMPLEXITY_TIERS, RAG
from workforce.pagination import paginate_list
from workforce.reports.capability import viewer_scope
from workforce.reports.caseload import (
    WINDOW_DAYS,
    judge_rows,
    shown_points,
    shown_utilisation,
    worker_facts,
    worker_row,
)
from workforce.reports.sql import as_date
from workforce.security import SEE_ALL_STAFF, roles_required
from workforce.services import ServiceError
from workforce.services import caseloads as service
from workforce.services.caseload_import import (
    SHAPES,
    apply_caseload_import,
    plan_caseload_import,
    template_frame,
)
from workforce.services.caseloads import judging_schemes
from workforce.services.people import find_staff_by_number, team_choices
from workforce.services.tabular import find_upload, keep_upload, read_table, remove_stale_uploads
from workforce.spreadsheets import frame_to_csv, frame_to_xlsx

#: Who reads caseloads (admins always may); supervisors only the people they manage.
READERS = ("hr", "senior_leader", "supervisor")
#: Who records and imports caseloads.
EDITORS = ("hr",)
#: Who reads the schemes and case types; only admins change them.
SCHEME_READERS = ("hr", "senior_leader")
#: What each sort of the list orders by, on a worker's ``worker_row``: namesakes (in one
#: team, for the team sort) by staff number, so that every request pages them alike. The
#: page sorts the workers' ``caseload_facts`` rows by keys equal to these (``_fact_key``),
#: so that only the page of them shown is judged.
SORTS = {
    "worker": lambda r: (r["worker"].casefold(), r["staff_number"]),
    "team": lambda r: (r["team"].casefold(), r["worker"].casefold(), r["staff_number"]),
    "date": lambda r: (r["taken_on"], r["worker"].casefold(), r["staff_number"]),
    "cases": lambda r: (r["cases"], r["worker"].casefold(), r["staff_number"]),
    "points": lambda r: (
        r["points"] is None,
        r["points"] or 0,
        r["worker"].casefold(),
        r["staff_number"],
    ),
    "utilisation": lambda r: (
        r["utilisation"] is None,
        r["utilisation"] or 0,
        r["worker"].casefold(),
        r["staff_number"],
    ),
}


def _can_edit() -> bool:
    return bool(current_user.has_role(*EDITORS))


def _scope() -> Any:
    """A condition on ``Staff`` for the people the current user may read (None: everyone)."""
    return None if current_user.has_role(*SEE_ALL_STAFF) else viewer_scope(current_user)


def _staff_or_404(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id) or abort(404)
    scope = _scope()
    if scope is not None and not db.session.scalar(
        db.select(Staff.id).where(Staff.id == staff_id, scope)
    ):
        abort(404)
    return staff


class _Filters:
    """The list page's filters and sort, read from the query string."""

    def __init__(self) -> None:
        team = request.args.get("team", "")
        self.team = int(team) if team.isdigit() else None
        sort = request.args.get("sort", "team")
        self.sort = sort if sort in SORTS else "team"
        self.descending = request.args.get("order") == "desc"


#: Positions in a ``caseload_facts`` row (its columns with names) of what the sorts read.
_TAKEN_ON, _CASES, _NUMBER, _FIRST_NAME, _LAST_NAME, _TEAM = 2, 8, 10, 11, 12, 13

#: Keys on a ``caseload_facts`` row equal to ``SORTS`` on its ``worker_row``, for the sorts
#: that need no judging. The row's fields are read by position: by name takes four times as
#: long over a county's 2,000 workers.
FACT_SORTS = {
    "worker": lambda r: (f"{r[_LAST_NAME]}, {r[_FIRST_NAME]}".casefold(), r[_NUMBER]),
    "team": lambda r: (
        (r[_TEAM] or "").casefold(),
        f"{r[_LAST_NAME]}, {r[_FIRST_NAME]}".casefold(),
        r[_NUMBER],
    ),
    "date": lambda r: (
        as_date(r[_TAKEN_ON]),
        f"{r[_LAST_NAME]}, {r[_FIRST_NAME]}".casefold(),
        r[_NUMBER],
    ),
    "cases": lambda r: (
        int(r[_CASES] or 0),
        f"{r[_LAST_NAME]}, {r[_FIRST_NAME]}".casefold(),
        r[_NUMBER],
    ),
}
#: The sorts on a judged figure, each worked out alone as ``worker_row`` shows it.
FIGURE_SORTS = {"points": shown_points, "utilisation": shown_utilisation}


def _fact_key(sort: str, schemes: Mapping[int, Any]) -> Callable[[Any], tuple[Any, ...]]:
    """The key ``SORTS[sort]`` gives a worker's ``worker_row``, on their ``caseload_facts``
    row; the judged figures (points, utilisation) worked out alone, as shown."""
    if sort in FACT_SORTS:
        return FACT_SORTS[sort]
    figure = FIGURE_SORTS[sort]

    def key(r: Any) -> tuple[Any, ...]:
        value = figure(r, schemes)
        name = f"{r[_LAST_NAME]}, {r[_FIRST_NAME]}".casefold()
        return (value is None, value or 0, name, r[_NUMBER])

    return key


@bp.route("/caseloads")
@roles_required(*READERS)
def caseload_list() -> str:
    """Each worker in post today with their latest caseload, judged."""
    filters = _Filters()
    today = date.today()
    schemes = judging_schemes()
    facts = worker_facts(
        today, window_days=None, scope=_scope(), team_id=filters.team, schemes=schemes
    )
    cutoff = today - timedelta(days=WINDOW_DAYS)  # older than the caseload report's window
    stale = sum(1 for r in facts if as_date(r[_TAKEN_ON]) < cutoff)
    facts.sort(key=_fact_key(filters.sort, schemes), reverse=filters.descending)
    page = paginate_list(facts)
    page.rows = [worker_row(w) for w in judge_rows(page.rows, schemes)]
    return render_template(
        "planning/caseload_list.html",
        page=page,
        filters=filters,
        teams=[("", "All teams"), *team_choices()],
        can_edit=_can_edit(),
        today=today,
        window=WINDOW_DAYS,
        stale=stale,
    )


@bp.route("/caseloads/staff/<int:staff_id>")
@roles_required(*READERS)
def caseload_history(staff_id: int) -> str:
    """Every caseload of one worker, the latest first."""
    staff = _staff_or_404(staff_id)
    return render_template(
        "planning/caseload_history.html",
        staff=staff,
        judged=service.history(staff),
        tiers=COMPLEXITY_TIERS,
        rag=RAG,
        can_edit=_can_edit(),
    )


def _counts_from(form: Any, types: list[CaseType]) -> dict[tuple[int, int], int | None]:
    return {
        (t.id, tier): form[f"count_{t.id}_{tier}"].data for t in types for tier in COMPLEXITY_TIERS
    }


def _types_for(snapshot: CaseloadSnapshot | None) -> list[CaseType]:
    """Active case types, and any a snapshot already holds."""
    held = {c.case_type_id for c in snapshot.counts} if snapshot is not None else set()
    return [t for t in service.case_types() if t.active or t.id in held]


def _snapshot_form(staff: Staff | None, snapshot: CaseloadSnapshot | None) -> str | Response:
    types = _types_for(snapshot)
    data: dict[str, Any] | None = None
    if snapshot is not None:
        data = {"taken_on": snapshot.taken_on, "extra_points": snapshot.extra_points}
        data.update({f"count_{c.case_type_id}_{c.tier}": c.cases for c in snapshot.counts})
    form = snapshot_form(types, with_staff=staff is None, data=data)
    if form.validate_on_submit():
        try:
            worker = staff
            if worker is None:
                worker = find_staff_by_number(form.staff_number.data or "")  # type: ignore[attr-defined]
                if worker is None:
                    raise ServiceError(
                        "There is no staff record with that staff number", "staff_number"
                    )
                worker = _staff_or_404(worker.id)
            saved = service.save_snapshot(
                worker,
                service.SnapshotDetails(
                    taken_on=form.taken_on.data,
                    counts=_counts_from(form, types),
                    extra_points=form.extra_points.data,
                ),
                snapshot,
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(
                f"Caseload of {worker.full_name} on {saved.taken_on.strftime('%-d %B %Y')} saved",
                "success",
            )
            return redirect(url_for("planning.caseload_history", staff_id=worker.id))
    return render_template(
        "planning/caseload_form.html",
        form=form,
        staff=staff,
        snapshot=snapshot,
        types=types,
        tiers=COMPLEXITY_TIERS,
    )


@bp.route("/caseloads/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def caseload_new() -> str | Response:
    """Record a caseload for a worker named by staff number."""
    return _snapshot_form(None, None)


@bp.route("/caseloads/staff/<int:staff_id>/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def caseload_new_for(staff_id: int) -> str | Response:
    """Record a caseload for this worker."""
    return _snapshot_form(_staff_or_404(staff_id), None)


def _snapshot_or_404(snapshot_id: int) -> CaseloadSnapshot:
    return db.session.get(CaseloadSnapshot, snapshot_id) or abort(404)


@bp.route("/caseloads/<int:snapshot_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def caseload_edit(snapshot_id: int) -> str | Response:
    """Change a caseload."""
    snapshot = _snapshot_or_404(snapshot_id)
    return _snapshot_form(snapshot.staff, snapshot)


@bp.route("/caseloads/<int:snapshot_id>/delete", methods=["GET", "POST"])
@roles_required(*EDITORS)
def caseload_delete(snapshot_id: int) -> str | Response:
    """Remove a caseload recorded in error, after confirming."""
    snapshot = _snapshot_or_404(snapshot_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        staff_id, taken_on = snapshot.staff_id, snapshot.taken_on
        service.delete_snapshot(snapshot)
        db.session.commit()
        flash(f"Caseload on {taken_on.strftime('%-d %B %Y')} removed", "success")
        return redirect(url_for("planning.caseload_history", staff_id=staff_id))
    return render_template("planning/caseload_delete.html", form=form, snapshot=snapshot)


# --- import ------------------------------------------------------------------------------------


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _upload_prefix() -> str:
    return f"caseloads-{current_user.id}"


@bp.route("/caseloads/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def caseload_import() -> str:
    """Upload an extract; show every bad row, or a preview of what would change."""
    remove_stale_uploads(_upload_folder(), "caseloads-*")
    form = CaseloadImportForm()
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
            plan = plan_caseload_import(table)
            if not plan.errors:
                token = keep_upload(_upload_folder(), _upload_prefix(), content, upload.filename)
                confirm = ConfirmImportForm(token=token)
            db.session.rollback()
    return render_template(
        "planning/caseload_import.html", form=form, plan=plan, confirm=confirm, shapes=SHAPES
    )


@bp.route("/caseloads/import/confirm", methods=["POST"])
@roles_required(*EDITORS)
def caseload_import_confirm() -> Response:
    """Import a checked file, checking it again first; all or nothing."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    path = find_upload(_upload_folder(), _upload_prefix(), form.token.data)
    if path is None:
        flash("That upload has expired or was already imported. Upload the file again.", "error")
        return redirect(url_for("planning.caseload_import"))
    plan = plan_caseload_import(read_table(path.read_bytes(), path.name))
    if plan.errors:
        db.session.rollback()
        flash(
            "The records changed since the file was checked. Upload it again to see why.", "error"
        )
        return redirect(url_for("planning.caseload_import"))
    apply_caseload_import(plan, source="caseload import (web)")
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Import complete. {plan.describe()}", "success")
    return redirect(url_for("planning.caseload_list"))


@bp.route("/caseloads/import/template-<shape>.<fmt>")
@roles_required(*EDITORS)
def caseload_import_template(shape: str, fmt: str) -> Response:
    """Download a template (counts or one row per case) as CSV or XLSX."""
    if shape not in SHAPES:
        abort(404)
    frame = template_frame(shape)
    if fmt == "csv":
        data, mimetype = frame_to_csv(frame), "text/csv"
    elif fmt == "xlsx":
        data = frame_to_xlsx(frame, sheet_name="Caseloads")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"caseload-import-{shape}.{fmt}",
    )


# --- weighting schemes ---------------------------------------------------------------------------


@bp.route("/caseloads/schemes")
@roles_required(*SCHEME_READERS)
def scheme_list() -> str:
    """Every version of the weighting scheme, the one in force today marked."""
    current = service.scheme_in_force(date.today())
    return render_template(
        "planning/scheme_list.html",
        schemes=service.schemes(),
        current=current,
        can_edit=current_user.has_role("admin"),
    )


@bp.route("/caseloads/schemes/<int:scheme_id>")
@roles_required(*SCHEME_READERS)
def scheme_detail(scheme_id: int) -> str:
    """A scheme's figures, points per case type and tier, and bands."""
    scheme = db.session.get(WeightingScheme, scheme_id) or abort(404)
    points = {(w.case_type_id, w.tier): w.points for w in scheme.weights}
    types = [t for t in service.case_types() if t.active or any(k[0] == t.id for k in points)]
    return render_template(
        "planning/scheme_detail.html",
        scheme=scheme,
        points=points,
        types=types,
        tiers=COMPLEXITY_TIERS,
        rag=RAG,
        current=service.scheme_in_force(date.today()),
        can_edit=current_user.has_role("admin"),
    )


def _scheme_data(details: service.SchemeDetails) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": details.name,
        "effective_from": details.effective_from,
        "stable_points": details.stable_points,
        "full_time_max": details.full_time_max,
        "asye_max": details.asye_max,
        "notes": details.notes,
    }
    data.update({f"weight_{t}_{tier}": p for (t, tier), p in details.weights.items()})
    for index, band in enumerate(details.bands, start=1):
        data.update(
            {
                f"band_{index}_name": band.name,
                f"band_{index}_lower": band.lower_pct,
                f"band_{index}_upper": band.upper_pct,
                f"band_{index}_rag": band.rag,
                f"band_{index}_within": band.within_desired,
            }
        )
    return data


BAND_FIELD = {"bands": "band_1_name", "weights": "submit"}


def _scheme_form(scheme: WeightingScheme | None) -> str | Response:
    types = [
        t
        for t in service.case_types()
        if t.active or (scheme is not None and any(w.case_type_id == t.id for w in scheme.weights))
    ]
    source = scheme if scheme is not None else service.scheme_in_force(date.today())
    if source is None:
        source = next(iter(service.schemes()), None)
    details = service.details_of(source) if source is not None else None
    data = None
    if details is not None and request.method != "POST":
        if scheme is None:
            details.name = f"{details.name} (new version)"
            details.effective_from = None
        data = _scheme_data(details)
    band_rows = len(details.bands) if details is not None else 2
    if request.method == "POST":
        band_rows = max(
            band_rows,
            sum(1 for key in request.form if key.startswith("band_") and key.endswith("_name"))
            - SPARE_BANDS,
        )
    form = scheme_form(types, band_rows, data=data)
    if form.validate_on_submit():
        entered = service.SchemeDetails(
            name=form.name.data or "",
            effective_from=form.effective_from.data,
            stable_points=form.stable_points.data,
            full_time_max=form.full_time_max.data,
            asye_max=form.asye_max.data,
            notes=form.notes.data,
            weights={
                (t.id, tier): form[f"weight_{t.id}_{tier}"].data
                for t in types
                for tier in COMPLEXITY_TIERS
            },
            bands=[
                service.BandDetails(
                    name=form[f"band_{i}_name"].data or "",
                    lower_pct=form[f"band_{i}_lower"].data,
                    upper_pct=form[f"band_{i}_upper"].data,
                    rag=form[f"band_{i}_rag"].data or "",
                    within_desired=bool(form[f"band_{i}_within"].data),
                )
                for i in range(1, band_rows + SPARE_BANDS + 1)
            ],
        )
        try:
            saved = (
                service.update_scheme(scheme, entered)
                if scheme is not None
                else service.create_scheme(entered)
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(
                form, ServiceError(error.message, BAND_FIELD.get(error.field or "", error.field))
            )
        else:
            db.session.commit()
            flash(f"Weighting scheme {saved.name} saved", "success")
            return redirect(url_for("planning.scheme_detail", scheme_id=saved.id))
    return render_template(
        "planning/scheme_form.html",
        form=form,
        scheme=scheme,
        source=source,
        types=types,
        tiers=COMPLEXITY_TIERS,
        band_rows=band_rows + SPARE_BANDS,
    )


@bp.route("/caseloads/schemes/new", methods=["GET", "POST"])
@roles_required("admin")
def scheme_new() -> str | Response:
    """A new version of the scheme, starting as a copy of the one in force."""
    return _scheme_form(None)


@bp.route("/caseloads/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def scheme_edit(scheme_id: int) -> str | Response:
    """Change a version of the scheme."""
    return _scheme_form(db.session.get(WeightingScheme, scheme_id) or abort(404))


# --- case types ------------------------------------------------------------------------------------


@bp.route("/caseloads/case-types")
@roles_required(*SCHEME_READERS)
def case_type_list() -> str:
    """Every case type, in use or not."""
    return render_template(
        "planning/case_type_list.html",
        types=service.case_types(),
        can_edit=current_user.has_role("admin"),
    )


def _case_type_form(case_type: CaseType | None) -> str | Response:
    form = CaseTypeForm(obj=case_type)
    if form.validate_on_submit():
        try:
            if case_type is None:
                saved = service.add_case_type(form.label.data or "", form.code.data)
            else:
                saved = service.update_case_type(case_type, form.label.data or "", form.active.data)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Case type {saved.label} saved", "success")
            return redirect(url_for("planning.case_type_list"))
    return render_template("planning/case_type_form.html", form=form, case_type=case_type)


@bp.route("/caseloads/case-types/new", methods=["GET", "POST"])
@roles_required("admin")
def case_type_new() -> str | Response:
    """Add a case type."""
    return _case_type_form(None)


@bp.route("/caseloads/case-types/<int:case_type_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def case_type_edit(case_type_id: int) -> str | Response:
    """Rename a case type, or take it out of use."""
    return _case_type_form(db.session.get(CaseType, case_type_id) or abort(404))
