"""Forms for the catalogue and its lists, evaluations, impact follow-ups and the CPD log."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import date_field
from workforce.metrics.evaluation import RATING_LABELS, is_valid_rating
from workforce.models.training import CPD_TYPES, DELIVERY_MODES, PRACTICE_CHANGED, PROVIDERS
from workforce.services.evaluations import RATING_FIELDS

LONG_TEXT = 5000


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: blank is None."""
    if value in (None, ""):
        return None
    return int(value)


def rating(value: Any) -> Any:
    """Coerce a rating; anything that is not a whole number is left for the check to refuse."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def not_negative(message: str) -> Any:
    """Refuse a number below zero (an unreadable value has its own message already)."""

    def check(form: FlaskForm, field: Any) -> None:
        if field.data is not None and field.data < 0:
            raise ValidationError(message)

    return check


class WholeNumberField(IntegerField):
    """A whole number, or nothing; a bad value's message names the field."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Blank is no value."""
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number") from error


class AmountField(DecimalField):
    """A decimal amount, or nothing; a bad value's message names the field."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Blank is no value; '£1,250.50' is read as 1250.50."""
        text = valuelist[0].strip().replace(",", "").lstrip("£") if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            value = Decimal(text)
        except InvalidOperation as error:
            self.data = None
            raise ValueError(f"{self.label.text} must be a number") from error
        if not value.is_finite():
            self.data = None
            raise ValueError(f"{self.label.text} must be a number")
        self.data = value


class CheckboxesField(SelectMultipleField):
    """Tick boxes from a list; a value not in the list is refused with ``message``."""

    widget = GovCheckboxesInput()

    def __init__(self, label: str, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", message)
        kwargs.setdefault("invalid_value_message", message)
        super().__init__(label, **kwargs)


def _radios(label: str, choices: dict[str, str], message: str, **kwargs: Any) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=options(choices.items()),
        validators=[InputRequired(message)],
        invalid_choice_message=message,
        **kwargs,
    )


def _text_area(label: str, required: str | None = None, **kwargs: Any) -> TextAreaField:
    validators: list[Any] = [InputRequired(required)] if required else [Optional()]
    validators.append(
        Length(max=LONG_TEXT, message=f"Keep this to {LONG_TEXT:,} characters or fewer")
    )
    return TextAreaField(label, widget=GovTextArea(), validators=validators, **kwargs)


class ConfirmForm(FlaskForm):
    """A bare form that carries the CSRF token for a confirmed action."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


# --- the catalogue ---------------------------------------------------------------------------


class CourseForm(FlaskForm):
    """Every field of a course."""

    title = StringField(
        "Course title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a course title"),
            Length(max=200, message="Course title must be 200 characters or fewer"),
        ],
    )
    description = _text_area("Description")
    provider = _radios("Provider", PROVIDERS, "Select a provider")
    delivery_mode = _radios("Delivery mode", DELIVERY_MODES, "Select a delivery mode")
    cpd_hours = AmountField(
        "CPD hours",
        widget=GovTextInput(),
        default=Decimal("0"),
        validators=[
            InputRequired("Enter the CPD hours (0 if none)"),
            not_negative("CPD hours cannot be negative"),
        ],
    )
    cost_per_place = AmountField(
        "Cost per place",
        widget=GovTextInput(),
        default=Decimal("0"),
        description="In pounds. Enter 0 for in-house courses with no charge.",
        validators=[
            InputRequired("Enter the cost per place (0 if none)"),
            not_negative("Cost per place cannot be negative"),
        ],
    )
    domain_ids = CheckboxesField(
        "PCF domains", "Select PCF domains from the list", coerce=int, validators=[Optional()]
    )
    priority_ids = CheckboxesField(
        "Strategic priorities",
        "Select strategic priorities from the list",
        coerce=int,
        validators=[Optional()],
    )
    practice_model_id = SelectField(
        "Practice model",
        widget=GovSelect(),
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Select a practice model from the list",
        invalid_value_message="Select a practice model from the list",
    )
    target_roles = CheckboxesField(
        "Target roles", "Select roles from the list", validators=[Optional()]
    )
    mandatory_roles = CheckboxesField(
        "Mandatory for",
        "Select roles from the list",
        description="A role the course is mandatory for is also a target role.",
        validators=[Optional()],
    )
    target_tiers = CheckboxesField(
        "Target tiers of need", "Select tiers of need from the list", validators=[Optional()]
    )
    refresher_months = WholeNumberField(
        "Refresher interval in months",
        widget=GovTextInput(),
        description="How long a completion stays valid. Leave blank if it never expires.",
        validators=[Optional()],
    )
    impact_follow_up_months = WholeNumberField(
        "Impact follow-up after (months)",
        widget=GovTextInput(),
        default=3,
        description=(
            "Months after each session when the attendee's supervisor is asked whether "
            "practice has changed. Leave blank for no follow-up."
        ),
        validators=[Optional()],
    )
    is_asye_workshop = BooleanField("This is an ASYE workshop", widget=GovCheckboxInput())
    active = BooleanField(
        "Active: shown in the catalogue and open for new sessions",
        widget=GovCheckboxInput(),
        default=True,
    )
    submit = SubmitField("Save course", widget=GovSubmitInput())

    def set_choices(
        self,
        domains: list[tuple[int, str]],
        priorities: list[tuple[int, str]],
        models: list[tuple[int, str]],
        roles: list[tuple[str, str]],
        tiers: list[tuple[str, str]],
    ) -> None:
        """Fill the lists from the database."""
        self.domain_ids.choices = options(domains)
        self.priority_ids.choices = options(priorities)
        self.practice_model_id.choices = options([("", "None"), *models])
        self.target_roles.choices = options(roles)
        self.mandatory_roles.choices = options(roles)
        self.target_tiers.choices = options(tiers)


# --- configurable lists ------------------------------------------------------------------------


class PriorityForm(FlaskForm):
    """A strategic principle or priority."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    source = StringField(
        "Source",
        widget=GovTextInput(),
        description="Whose strategy it comes from, such as 'Lincolnshire strategic principles'.",
        validators=[
            InputRequired("Enter the source"),
            Length(max=200, message="The source must be 200 characters or fewer"),
        ],
    )
    description = _text_area("Description")
    active = BooleanField(
        "Active: can be linked to courses", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save priority", widget=GovSubmitInput())


class PracticeModelForm(FlaskForm):
    """A practice model or programme."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    description = _text_area("Description")
    active = BooleanField(
        "Active: can be chosen for courses", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save practice model", widget=GovSubmitInput())


class VenueForm(FlaskForm):
    """A place where sessions happen."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    address = _text_area("Address")
    active = BooleanField(
        "Active: can be chosen for sessions", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save venue", widget=GovSubmitInput())


# --- evaluations and follow-ups ------------------------------------------------------------------

RELEVANCE_LABELS = {1: "1 – Not relevant", 3: "3 – Somewhat relevant", 5: "5 – Highly relevant"}
CONFIDENCE_LABELS = {1: "1 – Not confident", 3: "3 – Fairly confident", 5: "5 – Very confident"}


def _rating_field(name: str, label: str, names: dict[int, str], message: str) -> RadioField:
    def in_range(form: FlaskForm, field: Any) -> None:
        if not is_valid_rating(field.data):
            raise ValidationError(f"{RATING_FIELDS[name]}: choose a rating from 1 to 5")

    return RadioField(
        label,
        widget=GovRadioInput(),
        coerce=rating,
        choices=options((n, names.get(n, str(n))) for n in range(1, 6)),
        validators=[InputRequired(message), in_range],
        validate_choice=False,
    )


class EvaluationForm(FlaskForm):
    """An evaluation of a session."""

    overall = _rating_field(
        "overall",
        "Overall, how would you rate the session?",
        RATING_LABELS,
        "Select an overall rating",
    )
    relevance = _rating_field(
        "relevance",
        "How relevant was it to your work?",
        RELEVANCE_LABELS,
        "Select how relevant it was",
    )
    confidence_before = _rating_field(
        "confidence_before",
        "How confident were you in this area before the session?",
        CONFIDENCE_LABELS,
        "Select your confidence before the session",
    )
    confidence_after = _rating_field(
        "confidence_after",
        "How confident are you in this area now?",
        CONFIDENCE_LABELS,
        "Select your confidence after the session",
    )
    will_do_differently = _text_area("What will you do differently as a result?")
    comments = _text_area("Any other comments")
    submit = SubmitField("Save evaluation", widget=GovSubmitInput())


class ImpactForm(FlaskForm):
    """A supervisor's answer to the follow-up on impact."""

    practice_changed = _radios(
        "Has their practice changed since the training?",
        PRACTICE_CHANGED,
        "Select whether practice has changed",
    )
    example = _text_area(
        "Example",
        description="What do they do differently? Needed when practice has changed, even partly.",
    )
    submit = SubmitField("Save answer", widget=GovSubmitInput())


# --- the CPD log -----------------------------------------------------------------------------------


class CpdForm(FlaskForm):
    """A CPD entry in the Social Work England shape."""

    entry_type = _radios("Type of CPD", CPD_TYPES, "Select the type of CPD")
    description = _text_area("Describe the activity", required="Describe the CPD activity")
    activity_date = date_field("Date of the activity")
    learning = _text_area("What did you learn?", required="Say what you learnt")
    impact = _text_area(
        "What impact has it had on your practice?",
        required="Say what impact it has had on your practice",
    )
    peer_reflection = _radios(
        "Have you discussed this with a peer (peer reflection)?",
        {"yes": "Yes", "no": "No"},
        "Say whether you discussed it with a peer",
    )
    peer_reflection_detail = _text_area(
        "Who you reflected with and what came of it",
        description="A colleague, supervisor or other professional; say what you discussed.",
    )
    booking_id = SelectField(
        "Linked training session (optional)",
        widget=GovSelect(),
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Select one of your attended sessions",
        invalid_value_message="Select one of your attended sessions",
    )
    submit = SubmitField("Save CPD entry", widget=GovSubmitInput())
