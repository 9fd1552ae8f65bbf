"""The supervision policy form: who it is for, the minimum length, and its stages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from workforce.blueprints.options import options
from workforce.blueprints.training.forms import WholeNumberField
from workforce.models.supervision import INTERVAL_UNITS


class UnitField(SelectField):
    """Weeks or months (or blank, for a row left empty)."""

    def pre_validate(self, form: Any) -> None:
        """Refuse an unlisted unit with a message that says what to choose."""
        try:
            super().pre_validate(form)
        except ValueError as error:
            raise ValidationError(f"{self.label.text}: choose weeks or months") from error


#: How many stage rows the form offers (blank rows are ignored).
STAGE_ROWS = 4


class PolicyForm(FlaskForm):
    """A supervision policy."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Monthly supervision (team managers)",
        validators=[InputRequired("Enter a name for the policy"), Length(max=150)],
    )
    applies_to_asye = BooleanField(
        "Applies to people in their ASYE",
        widget=GovCheckboxInput(),
        description="Their first year as a newly qualified social worker, counted from the "
        "start of that post. This policy then applies ahead of any other; leave the post "
        "title, role and grade blank.",
    )
    post_title = StringField(
        "Post title",
        widget=GovTextInput(),
        description="Leave blank to match any post title. Matched without regard to case.",
        validators=[Optional(), Length(max=150)],
    )
    org_role = SelectField(
        "Census organisational role", widget=GovSelect(), validators=[Optional()]
    )
    grade = StringField(
        "Grade",
        widget=GovTextInput(),
        description="Leave blank to match any grade.",
        validators=[Optional(), Length(max=30)],
    )
    min_minutes = WholeNumberField(
        "Minimum length of a session, in minutes",
        widget=GovTextInput(),
        description="From 1 to 480. A shorter session still counts as held, but not as "
        "full-length. The standard is 90 minutes.",
        default=90,
        validators=[InputRequired("Enter the minimum length of a session, in minutes")],
    )
    active = BooleanField("In use", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save the policy", widget=GovSubmitInput())

    def stage_rows(self) -> list[tuple[int, Any, Any, Any]]:
        """(number, from week, every, unit) fields of each stage row."""
        return [
            (n, self[f"stage_{n}_from_week"], self[f"stage_{n}_every"], self[f"stage_{n}_unit"])
            for n in range(1, STAGE_ROWS + 1)
        ]


_UNITS = options([("", "Choose"), *((k, f"{v}s") for k, v in INTERVAL_UNITS.items())])

for _n in range(1, STAGE_ROWS + 1):
    setattr(
        PolicyForm,
        f"stage_{_n}_from_week",
        WholeNumberField(
            f"Stage {_n}: starting week", widget=GovTextInput(), validators=[Optional()]
        ),
    )
    setattr(
        PolicyForm,
        f"stage_{_n}_every",
        WholeNumberField(f"Stage {_n}: how often", widget=GovTextInput(), validators=[Optional()]),
    )
    setattr(
        PolicyForm,
        f"stage_{_n}_unit",
        UnitField(
            f"Stage {_n}: weeks or months",
            choices=_UNITS,
            widget=GovSelect(),
            validators=[Optional()],
        ),
    )
