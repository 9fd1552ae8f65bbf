"""Forms for ASYE enrolments and the year's record: enrol, pause, review, evidence,
protected time and outcome. Choices are filled in by the views."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup, escape
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import date_field
from workforce.blueprints.training.forms import CheckboxesField, optional_int
from workforce.models.asye import JUDGEMENTS, OUTCOMES, PAUSE_REASONS

LONG_TEXT = 5000


def _text_area(label: str, hint: str | None = None) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint or "",
        validators=[
            Optional(),
            Length(max=LONG_TEXT, message=f"Keep this to {LONG_TEXT:,} characters or fewer"),
        ],
    )


def _radios(label: str, choices: dict[str, str], message: str) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=options(choices.items()),
        validators=[InputRequired(message)],
        invalid_choice_message=message,
    )


class LongGovSelect(GovSelect):
    """``GovSelect`` for a long list (everyone in post): the same HTML, with the options
    written here rather than one template macro call each (thousands of them took
    seconds)."""

    #: Stands for the options while the template renders the rest of the field.
    PLACEHOLDER = "\x00options\x00"

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        kwargs["items"] = [{"text": self.PLACEHOLDER, "value": self.PLACEHOLDER}]
        rendered = str(GovFormBase.__call__(self, field, **kwargs))
        placeholder = f'        <option value="{self.PLACEHOLDER}">{self.PLACEHOLDER}</option>\n'
        if placeholder not in rendered:  # the macro changed: let it write every option
            return super().__call__(field, **kwargs)
        # What the select macro writes for each item, value and text escaped.
        items = "".join(
            f'        <option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>\n"
            for value, label, selected, _ in field.iter_choices()
        )
        return Markup(rendered.replace(placeholder, items, 1))  # noqa: S704 (escaped above)


def _select(
    label: str, message: str | None = None, *, long: bool = False, **kwargs: object
) -> SelectField:
    return SelectField(
        label,
        widget=LongGovSelect() if long else GovSelect(),
        coerce=optional_int,
        validators=[InputRequired(message)] if message else [Optional()],
        validate_choice=True,
        invalid_choice_message="Choose from the list",
        **kwargs,  # type: ignore[arg-type]
    )


class EnrolForm(FlaskForm):
    """Enrol a newly qualified social worker."""

    staff_id = _select("Newly qualified social worker", "Choose the social worker", long=True)
    start_date = date_field("Social Work England registration date")
    cohort = SelectField(
        "Cohort",
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message="Choose a cohort from the list",
    )
    cohort_name = StringField(
        "Or name a new cohort",
        widget=GovTextInput(),
        description="For example, September 2026",
        validators=[Optional(), Length(max=120, message="Keep the name to 120 characters")],
    )
    assessor = _select(
        "Assessor", description="The practice educator or assessor's account", long=True
    )
    line_manager = _select("Line manager", long=True)
    contracted_hours = StringField(
        "Contracted hours a week",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the contracted hours a week")],
    )
    submit = SubmitField("Enrol", widget=GovSubmitInput())


class PauseForm(FlaskForm):
    """Pause the programme."""

    start_date = date_field("First day of the pause")
    end_date = date_field("Last day of the pause")
    reason = _radios("Reason", PAUSE_REASONS, "Choose why the programme pauses")
    notes = _text_area("Notes")
    submit = SubmitField("Record the pause", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    """Record a review point held."""

    point = SelectField(
        "Review point",
        widget=GovSelect(),
        validators=[InputRequired("Choose the review point")],
        invalid_choice_message="Choose a review point from the list",
    )
    held_on = date_field("Date held")
    judgement = _radios("Assessor's judgement", JUDGEMENTS, "Choose the assessor's judgement")
    development_plan = _text_area(
        "Professional development plan for the next period",
        "What the social worker will work on, with what support, before the next review",
    )
    start_ratings = BooleanField(
        "Start ratings against the PCF at ASYE level (a capability assessment)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save the review", widget=GovSubmitInput())


class EvidenceForm(FlaskForm):
    """Add a piece of evidence."""

    kind = SelectField(
        "Kind of evidence",
        widget=GovSelect(),
        validators=[InputRequired("Choose the kind of evidence")],
        invalid_choice_message="Choose a kind of evidence from the list",
    )
    dated = date_field("Date")
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a title for the evidence"),
            Length(max=200, message="Keep the title to 200 characters"),
        ],
    )
    domains = CheckboxesField(
        "PCF domains it evidences", "Choose domains from the list", coerce=int
    )
    notes = _text_area("Notes")
    submit = SubmitField("Add the evidence", widget=GovSubmitInput())


class ProtectedTimeForm(FlaskForm):
    """Log protected development time."""

    taken_on = date_field("Date taken")
    hours = StringField(
        "Hours",
        widget=GovTextInput(),
        description="For example, 3.5",
        validators=[InputRequired("Enter the hours")],
    )
    activity = StringField(
        "What the time was used for",
        widget=GovTextInput(),
        validators=[
            InputRequired("Say what the time was used for"),
            Length(max=200, message="Keep this to 200 characters"),
        ],
    )
    submit = SubmitField("Log the time", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    """Record the ASYE's outcome and the moderation record."""

    outcome = _radios("Outcome", OUTCOMES, "Choose the outcome")
    outcome_on = date_field("Date of the outcome")
    moderation_notes = _text_area(
        "Moderation record", "Who sat on the panel, what was decided and why"
    )
    submit = SubmitField("Record the outcome", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that confirms a change (removing a pause or evidence)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
