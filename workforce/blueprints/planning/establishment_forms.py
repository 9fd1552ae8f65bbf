"""Forms for team establishment and absence records. Numbers are taken as text so the
service can refuse a bad one with a plain message (negative, too many decimal places)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from workforce.blueprints.people.forms import date_field


class EstablishmentForm(FlaskForm):
    """A team's funded FTE from a date."""

    effective_from = date_field("Date it applies from")
    funded_fte = StringField(
        "Funded FTE",
        widget=GovTextInput(),
        description="Full-time equivalent of funded child and family social worker posts, like 12.5",
        validators=[InputRequired("Enter the funded FTE")],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=2000, message="Keep notes to 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save establishment", widget=GovSubmitInput())


class AbsenceForm(FlaskForm):
    """A period of absence."""

    staff_number = StringField(
        "Staff number",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's staff number"), Length(max=30)],
    )
    start_date = date_field("First day of absence")
    end_date = date_field("Last day of absence", required=False)
    working_days_lost = StringField(
        "Working days lost",
        widget=GovTextInput(),
        description="Days the person was due to work and did not, to one decimal place, like 3.5",
        validators=[InputRequired("Enter the working days lost")],
    )
    reason = SelectField("Census absence reason", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Save absence", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A bare form that carries the CSRF token for a confirmed deletion."""

    submit = SubmitField("Delete", widget=GovSubmitInput())
