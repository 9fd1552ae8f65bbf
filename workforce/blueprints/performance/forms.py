"""Forms for measures, their figures, commentary, the turn-the-curve plan and uploads.

Figures and periods are text fields: the service reads them for the measure's unit and
frequency (``workforce.services.performance``), so a refused value is shown again as typed.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import date_field
from workforce.blueprints.training.forms import AmountField, WholeNumberField
from workforce.metrics.judgements import POLARITIES
from workforce.metrics.periods import FREQUENCIES
from workforce.models.performance import COMPARATORS, RBA_QUESTIONS, SOURCES, UNITS
from workforce.services.measure_calculations import CALCULATIONS

LONG_TEXT = 10_000


class _Listed:
    """A choice field whose refusal of an unlisted value says what to choose."""

    def __init__(self, *args: Any, message: str = "Choose one of the options", **kwargs: Any):
        self.unlisted_message = message
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]

    def pre_validate(self, form: Any) -> None:
        """Refuse a value that is not one of the choices, with this field's message (an
        empty one is left to the field's InputRequired or Optional)."""
        if self.data in (None, ""):  # type: ignore[attr-defined]
            return
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValueError as error:
            raise ValidationError(self.unlisted_message) from error


class ToleranceField(AmountField):
    """The RAG tolerance, a percentage like 2.5: a decimal comma (2,5) is refused rather
    than read as 25."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the number; refuse a comma or anything else that is not one."""
        message = "The tolerance must be a number with a point for decimals, like 5 or 2.5"
        if valuelist and "," in valuelist[0]:
            self.data = None
            raise ValueError(message)
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(message) from error


class ListedSelect(_Listed, SelectField):
    """A select box from a list."""


class ListedRadio(_Listed, RadioField):
    """Radio buttons from a list."""


def _radios(label: str, choices: dict[str, str], message: str, **kwargs: Any) -> ListedRadio:
    return ListedRadio(
        label,
        message=message,
        widget=GovRadioInput(),
        choices=options(choices.items()),
        validators=[InputRequired(message)],
        **kwargs,
    )


def _select(label: str, choices: dict[str, str], message: str, **kwargs: Any) -> ListedSelect:
    return ListedSelect(
        label,
        message=message,
        widget=GovSelect(),
        choices=options([("", "Choose"), *choices.items()]),
        validators=[InputRequired(message)],
        **kwargs,
    )


def _value_field(label: str = "Value") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description="A number, like 73.5. A percentage is 0 to 100 (73.5 means 73.5%). Leave "
        "blank only when the note says why there is none.",
    )


def _note_field() -> StringField:
    return StringField(
        "Note (optional)",
        widget=GovTextInput(),
        description="What the source says beside the figure, like N.A. or 12 / 285.",
        validators=[
            Optional(),
            Length(max=200, message="The note must be 200 characters or fewer"),
        ],
    )


class MeasureForm(FlaskForm):
    """A measure: what it counts, how it is judged, where its figures come from, who owns
    it and its baseline."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="As a scorecard prints it, like % of referrals rated good or better.",
        validators=[InputRequired("Enter the measure's name")],
    )
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Lower-case letters, digits and hyphens, like referrals-rated-good. "
        "Uploads name the measure by its code.",
        validators=[InputRequired("Enter a code for the measure, like referrals-rated-good")],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="What is counted and how, and where the figures come from.",
        validators=[Optional()],
    )
    rba_question = _radios(
        "Which question does it answer?",
        RBA_QUESTIONS,
        "Choose the question the measure answers",
    )
    unit = _select("Unit", UNITS, "Choose the unit the measure is counted in")
    polarity = _radios(
        "Which way is better?", POLARITIES, "Choose whether higher or lower is better"
    )
    frequency = _select("How often it is reported", FREQUENCIES, "Choose how often it is reported")
    source = _radios(
        "Where its figures come from",
        SOURCES,
        "Choose whether the measure is computed or entered",
    )
    calculation = ListedSelect(
        "Calculation (computed measures only)",
        message="Choose one of the calculations listed",
        widget=GovSelect(),
        validators=[Optional()],
    )
    calculation_argument = StringField(
        "Calculation's argument (only for a calculation that takes one)",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    owner_role = ListedSelect(
        "Owner",
        message="Choose who owns the measure from the roles listed",
        widget=GovSelect(),
        description="The role that enters its figures, commentary and actions. "
        "Administrators may change every measure.",
        validators=[InputRequired("Choose who owns the measure")],
    )
    tolerance = ToleranceField(
        "Tolerance, as a % of the target",
        widget=GovTextInput(),
        default=5,
        description="RAG is amber when the actual misses the target by no more than this "
        "percentage of the target, red beyond it. 5 is usual; 0 for none.",
        validators=[InputRequired("Enter the tolerance, as a percentage of the target")],
    )
    decimals = WholeNumberField(
        "Decimal places shown",
        widget=GovTextInput(),
        default=1,
        validators=[InputRequired("Enter how many decimal places to show, from 0 to 4")],
    )
    baseline_period = StringField(
        "Baseline period (optional)",
        widget=GovTextInput(),
        description="The period progress is measured from, written for the frequency: 2015/16 "
        "for a financial or academic year, 2015/16 Q1 for a quarter, 2015-03 for a month, "
        "2015 for a calendar year.",
        validators=[Optional()],
    )
    baseline_value = StringField(
        "Baseline value (entered measures only, optional)",
        widget=GovTextInput(),
        description="Leave blank to use the measure's actual for the baseline period.",
        validators=[Optional()],
    )
    baseline_note = StringField(
        "Baseline note (optional)",
        widget=GovTextInput(),
        description="What the source says of the baseline, like May 2015 or -.",
        validators=[
            Optional(),
            Length(max=200, message="The baseline note must be 200 characters or fewer"),
        ],
    )
    active = BooleanField("In use", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save the measure", widget=GovSubmitInput())

    def set_choices(self, owner_roles: dict[str, str]) -> None:
        """Offer the registered calculations and the owners the user may choose."""
        calculations = sorted(CALCULATIONS.values(), key=lambda c: c.label.lower())
        self.calculation.choices = options(
            [("", "Not computed"), *((c.name, c.label) for c in calculations)]
        )
        if len(owner_roles) == 1:
            self.owner_role.choices = options(owner_roles.items())
        else:
            self.owner_role.choices = options([("", "Choose"), *owner_roles.items()])


class ActualForm(FlaskForm):
    """An entered measure's actual for one period."""

    period = StringField("Period", widget=GovTextInput())
    value = _value_field()
    note = _note_field()
    submit = SubmitField("Save the actual", widget=GovSubmitInput())


class TargetForm(FlaskForm):
    """A target for one period or a span of periods."""

    start = StringField("Period, or the first period of a span", widget=GovTextInput())
    end = StringField(
        "Last period of a span (optional)",
        widget=GovTextInput(),
        description="For a target over several periods, like a three-year plan. Leave blank "
        "for one period.",
    )
    value = _value_field("Target")
    note = _note_field()
    submit = SubmitField("Save the target", widget=GovSubmitInput())


class BenchmarkForm(FlaskForm):
    """A comparator's figure."""

    comparator = _radios("Comparator", COMPARATORS, "Choose the comparator")
    period = StringField(
        "Period (optional)",
        widget=GovTextInput(),
        description="Leave blank when the source does not say which period it is for.",
    )
    value = _value_field()
    note = _note_field()
    submit = SubmitField("Save the benchmark", widget=GovSubmitInput())


class CommentaryForm(FlaskForm):
    """Commentary on a measure: the story behind the curve for a period."""

    period = StringField(
        "Period (optional)",
        widget=GovTextInput(),
        description="The period it is about. Leave blank for commentary on the measure as a whole.",
    )
    body = TextAreaField(
        "Commentary",
        widget=GovTextArea(),
        description="What lies behind the figure: causes, context, what is being done.",
        validators=[
            InputRequired("Enter the commentary"),
            Length(max=LONG_TEXT, message="The commentary must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add the commentary", widget=GovSubmitInput())


class PlanForm(FlaskForm):
    """The turn-the-curve plan's words."""

    story = TextAreaField(
        "Story behind the curve",
        widget=GovTextArea(),
        description="Why the figures are what they are: the causes and forces at work.",
        validators=[
            Optional(),
            Length(
                max=LONG_TEXT,
                message="The story behind the curve must be 10,000 characters or fewer",
            ),
        ],
    )
    partners = TextAreaField(
        "Partners",
        widget=GovTextArea(),
        description="Who else has a role to play in turning the curve.",
        validators=[
            Optional(),
            Length(max=LONG_TEXT, message="Partners must be 10,000 characters or fewer"),
        ],
    )
    what_works = TextAreaField(
        "What works",
        widget=GovTextArea(),
        description="What the evidence says would turn the curve, including low-cost and "
        "no-cost ideas.",
        validators=[
            Optional(),
            Length(max=LONG_TEXT, message="What works must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save the plan", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """An action in the turn-the-curve plan."""

    description = TextAreaField(
        "Action",
        widget=GovTextArea(),
        validators=[
            InputRequired("Describe the action"),
            Length(max=2000, message="The action must be 2,000 characters or fewer"),
        ],
    )
    owner = StringField(
        "Owner",
        widget=GovTextInput(),
        description="The person or team who will do it.",
        validators=[
            InputRequired("Enter who owns the action (a person or a team)"),
            Length(max=200, message="The owner must be 200 characters or fewer"),
        ],
    )
    due_on = date_field("Due date")
    submit = SubmitField("Save the action", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    """Upload a file of figures."""

    file = FileField(
        "File of figures (CSV or XLSX)",
        widget=GovFileInput(),
        validators=[
            FileRequired("Choose a CSV or XLSX file"),
            FileAllowed(["csv", "xlsx"], "The file must be a CSV or XLSX file"),
        ],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ConfirmUploadForm(FlaskForm):
    """Confirm a checked upload."""

    token = HiddenField()
    submit = SubmitField("Save the figures", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that confirms a change (removing a figure, marking an action done)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
