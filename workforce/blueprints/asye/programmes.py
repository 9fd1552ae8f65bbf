"""The ASYE programme's versions: the list (with the one in force today), each version's
definition, and a form to add a version taking effect from a date, starting as a copy of the
one in force. L&D officers (the ASYE lead), HR and admins add versions; senior leaders read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from workforce.blueprints.asye import bp
from workforce.blueprints.people.forms import date_field
from workforce.blueprints.refusals import put_error
from workforce.blueprints.training.forms import AmountField, WholeNumberField
from workforce.extensions import db
from workforce.models.asye import AsyeProgramme
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services import asye_programmes as service

#: Who reads the programme's versions, and who adds them (admin always may).
READERS = ("ld_officer", "hr", "senior_leader")
EDITORS = ("ld_officer", "hr")
#: Empty rows offered below the copied ones.
SPARE_ROWS = 2


class _Amount(AmountField):
    widget = GovTextInput()


class _Whole(WholeNumberField):
    widget = GovTextInput()


def programme_form(points: int, evidence: int, data: dict[str, Any] | None = None) -> FlaskForm:
    """A programme version: its figures, ``points`` rows of review points and ``evidence``
    rows of evidence requirements."""

    class ProgrammeForm(FlaskForm):
        name = StringField("Name", widget=GovTextInput())
        effective_from = date_field("Takes effect on")
        protected_percent = _Amount(
            "Protected development time (% of contracted hours)",
            description="Over the year, pro rata; 10 for the current ASYE.",
            places=None,
            validators=[Optional()],
        )
        completion_months = _Whole(
            "Months allowed to complete",
            description="From the start, pauses included; at least the final review's months.",
            validators=[Optional()],
        )
        workload_cap_points = _Amount(
            "Workload cap (weighted caseload points, full time)",
            description="Leave blank to use the caseload weighting scheme's ASYE maximum.",
            validators=[Optional()],
        )
        notes = TextAreaField("Notes", widget=GovTextArea(), validators=[Optional()])
        submit = SubmitField("Save the new version", widget=GovSubmitInput())

    for i in range(1, points + 1):
        setattr(ProgrammeForm, f"point_{i}_code", StringField(f"Review point {i} code",
                widget=GovTextInput()))  # fmt: skip
        setattr(ProgrammeForm, f"point_{i}_label", StringField(f"Review point {i} label",
                widget=GovTextInput()))  # fmt: skip
        setattr(ProgrammeForm, f"point_{i}_months", _Whole(f"Review point {i} months",
                validators=[Optional()]))  # fmt: skip
        setattr(ProgrammeForm, f"point_{i}_optional", BooleanField(f"Review point {i} optional",
                widget=GovCheckboxInput()))  # fmt: skip
    for i in range(1, evidence + 1):
        setattr(ProgrammeForm, f"evidence_{i}_kind", StringField(f"Evidence {i} kind",
                widget=GovTextInput()))  # fmt: skip
        setattr(ProgrammeForm, f"evidence_{i}_label", StringField(f"Evidence {i} label",
                widget=GovTextInput()))  # fmt: skip
        setattr(ProgrammeForm, f"evidence_{i}_required", _Whole(f"Evidence {i} required",
                validators=[Optional()]))  # fmt: skip
    return ProgrammeForm(data=data)


def _data(details: service.ProgrammeDetails) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": details.name,
        "effective_from": details.effective_from,
        "protected_percent": details.protected_percent,
        "completion_months": details.completion_months,
        "workload_cap_points": details.workload_cap_points,
        "notes": details.notes,
    }
    for i, point in enumerate(details.points, start=1):
        data.update(
            {
                f"point_{i}_code": point.code,
                f"point_{i}_label": point.label,
                f"point_{i}_months": point.months,
                f"point_{i}_optional": point.optional,
            }
        )
    for i, row in enumerate(details.evidence, start=1):
        data.update(
            {
                f"evidence_{i}_kind": row.kind,
                f"evidence_{i}_label": row.label,
                f"evidence_{i}_required": row.required,
            }
        )
    return data


def _rows(prefix: str, suffix: str, copied: int) -> int:
    """Rows to offer: the copied ones plus spares, or as many as were posted."""
    if request.method == "POST":
        posted = sum(1 for key in request.form if key.startswith(prefix) and key.endswith(suffix))
        return max(posted, 1)
    return copied + SPARE_ROWS


@bp.route("/programmes")
@roles_required(*READERS)
def programme_list() -> str:
    """Every version of the programme, the one in force today marked."""
    return render_template(
        "asye/programme_list.html",
        programmes=service.programmes(),
        today=date.today(),
        current=service.in_force(date.today()),
        can_edit=current_user.has_role(*EDITORS),
    )


@bp.route("/programmes/<int:programme_id>")
@roles_required(*READERS)
def programme_detail(programme_id: int) -> str:
    """A version's review points, evidence requirements and figures."""
    programme = db.session.get(AsyeProgramme, programme_id) or abort(404)
    return render_template(
        "asye/programme_detail.html",
        programme=programme,
        details=service.details_of(programme),
        current=service.in_force(date.today()),
        can_edit=current_user.has_role(*EDITORS),
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def programme_new() -> str | Response:
    """A new version taking effect from a date, starting as a copy of the one in force."""
    source = service.in_force(date.today()) or next(iter(service.programmes()), None)
    details = service.details_of(source) if source is not None else None
    data = None
    if details is not None and request.method != "POST":
        details.name = f"{details.name} (new version)"
        details.effective_from = None
        data = _data(details)
    points = _rows("point_", "_code", len(details.points) if details else 4)
    evidence = _rows("evidence_", "_kind", len(details.evidence) if details else 4)
    form = programme_form(points, evidence, data=data)
    if form.validate_on_submit():
        entered = service.ProgrammeDetails(
            name=form.name.data or "",
            effective_from=form.effective_from.data,
            points=[
                service.PointRow(
                    form[f"point_{i}_code"].data or "",
                    form[f"point_{i}_label"].data or "",
                    form[f"point_{i}_months"].data,
                    bool(form[f"point_{i}_optional"].data),
                )
                for i in range(1, points + 1)
            ],
            evidence=[
                service.EvidenceRow(
                    form[f"evidence_{i}_kind"].data or "",
                    form[f"evidence_{i}_label"].data or "",
                    form[f"evidence_{i}_required"].data,
                )
                for i in range(1, evidence + 1)
            ],
            protected_percent=form.protected_percent.data,
            completion_months=form.completion_months.data,
            workload_cap_points=form.workload_cap_points.data,
            notes=form.notes.data,
        )
        try:
            saved = service.create_programme(entered)
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(
                f"{saved.name} saved: it takes effect on {saved.effective_from:%-d %B %Y}",
                "success",
            )
            return redirect(url_for("asye.programme_detail", programme_id=saved.id))
    return render_template(
        "asye/programme_form.html",
        form=form,
        source=source,
        point_rows=points,
        evidence_rows=evidence,
    )
