"""Forms for caseload snapshots, the import, weighting schemes and case types.

The snapshot and scheme forms are built per request: one box per case type and tier, and
(for a scheme) one row per band.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import date_field
from workforce.blueprints.training.forms import AmountField, WholeNumberField
from workforce.models import CaseType
from workforce.models.workforce_planning import COMPLEXITY_TIERS, RAG

#: Empty band rows offered below a scheme's bands.
SPARE_BANDS = 2


class PointsField(AmountField):
    """Points (a decimal number), or nothing; a bad value's message names the field."""

    widget = GovTextInput()


def snapshot_form(
    types: Sequence[CaseType], *, with_staff: bool, data: dict[str, Any] | None = None
) -> FlaskForm:
    """A worker's caseload on a date: a box per case type and tier, and extra points."""

    class SnapshotForm(FlaskForm):
        taken_on = date_field("Date of the caseload")
        extra_points = PointsField(
            "Extra responsibility points",
            description="Points for extra responsibilities, such as a student or a project. "
            "Leave blank for none.",
            validators=[Optional()],
        )
        submit = SubmitField("Save caseload", widget=GovSubmitInput())

    if with_staff:
        SnapshotForm.staff_number = StringField(  # type: ignore[attr-defined]
            "Staff number",
            widget=GovTextInput(),
            validators=[InputRequired("Enter the worker's staff number"), Length(max=30)],
        )
    for case_type in types:
        for tier, label in COMPLEXITY_TIERS.items():
            setattr(
                SnapshotForm,
                f"count_{case_type.id}_{tier}",
                WholeNumberField(
                    f"{case_type.label}, {label.lower()}",
                    widget=GovTextInput(),
                    validators=[Optional()],
                ),
            )
    return SnapshotForm(data=data)


def scheme_form(
    types: Sequence[CaseType], bands: int, data: dict[str, Any] | None = None
) -> FlaskForm:
    """A weighting scheme: its figures, points per case type and tier, and ``bands`` rows of
    bands (plus spare empty rows)."""

    class SchemeForm(FlaskForm):
        name = StringField(
            "Name",
            widget=GovTextInput(),
            validators=[InputRequired("Enter a name for the scheme"), Length(max=150)],
        )
        effective_from = date_field("Takes effect on")
        stable_points = PointsField(
            "Stable element (points)",
            description="Points every worker carries whatever their cases: meetings, duty, "
            "training.",
            validators=[Optional()],
        )
        full_time_max = PointsField(
            "Full-time maximum (points)",
            description="The points a full-time worker can carry; capacity is this times FTE.",
            validators=[Optional()],
        )
        asye_max = PointsField(
            "ASYE maximum (points)",
            description="The reduced maximum for a worker in their ASYE.",
            validators=[Optional()],
        )
        notes = TextAreaField(
            "Notes", widget=GovTextArea(), validators=[Optional(), Length(max=5000)]
        )
        submit = SubmitField("Save scheme", widget=GovSubmitInput())

    for case_type in types:
        for tier, label in COMPLEXITY_TIERS.items():
            setattr(
                SchemeForm,
                f"weight_{case_type.id}_{tier}",
                PointsField(f"{case_type.label}, {label.lower()}", validators=[Optional()]),
            )
    for index in range(1, bands + SPARE_BANDS + 1):
        setattr(
            SchemeForm,
            f"band_{index}_name",
            StringField(f"Band {index} name", widget=GovTextInput(), validators=[Optional()]),
        )
        setattr(
            SchemeForm,
            f"band_{index}_lower",
            PointsField(f"Band {index} from (%)", validators=[Optional()]),
        )
        setattr(
            SchemeForm,
            f"band_{index}_upper",
            PointsField(f"Band {index} up to (%)", validators=[Optional()]),
        )
        setattr(
            SchemeForm,
            f"band_{index}_rag",
            SelectField(
                f"Band {index} RAG",
                widget=GovSelect(),
                choices=options([("", "Choose"), *RAG.items()]),
                validators=[Optional()],
            ),
        )
        setattr(
            SchemeForm,
            f"band_{index}_within",
            BooleanField(
                f"Band {index} is within the desired level",
                widget=GovCheckboxInput(),
            ),
        )
    return SchemeForm(data=data)


class CaseTypeForm(FlaskForm):
    """A case type."""

    label = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the name of the case type"), Length(max=120)],
    )
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Used in import files. Lower-case letters, digits and underscores; left "
        "blank, it is made from the name. It cannot be changed later.",
        validators=[Optional(), Length(max=40)],
    )
    active = BooleanField(
        "In use",
        widget=GovCheckboxInput(),
        description="Untick to stop recording this case type; caseloads that hold it keep it.",
        default=True,
    )
    submit = SubmitField("Save case type", widget=GovSubmitInput())


class CaseloadImportForm(FlaskForm):
    """Upload a case-management extract."""

    file = FileField(
        "Caseload file (CSV or XLSX)",
        widget=GovFileInput(),
        validators=[
            FileRequired("Choose a CSV or XLSX file"),
            FileAllowed(["csv", "xlsx"], "The file must be a CSV or XLSX file"),
        ],
    )
    submit = SubmitField("Check file", widget=GovSubmitInput())


class ConfirmImportForm(FlaskForm):
    """Confirm a checked import."""

    token = StringField(widget=GovTextInput())
    submit = SubmitField("Import", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A bare form that carries the CSRF token for a confirmed action."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
