"""Forms for recording a supervision session, acknowledging it, and its actions."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
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
from workforce.blueprints.training.forms import WholeNumberField
from workforce.models.supervision import ELEMENTS, SESSION_KINDS, SESSION_OUTCOMES

LONG_TEXT = 10_000
#: How many action rows the session form offers (more can be added on the record).
ACTION_ROWS = 3
NOTES_HINT = (
    "Do not record anything that identifies a child or family: no names, dates of birth, "
    "addresses or case numbers. Refer to cases by your system's reference only if you must."
)


class SuperviseesField(SelectMultipleField):
    """Supervisees from the listed people; anyone else is refused with a clear message."""

    def pre_validate(self, form: Any) -> None:
        """Refuse a value that is not one of the people listed."""
        allowed = {str(choice.value) for choice in self.choices or []}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(
                "You can only record supervision with people you manage: choose from the list"
            )


class SessionForm(FlaskForm):
    """A supervision session: who, when, how long, what it covered, actions and notes."""

    supervisor = SelectField("Supervisor", widget=GovSelect(), validators=[Optional()])
    supervisees = SuperviseesField(
        "Supervisee",
        widget=GovCheckboxesInput(),
        description="Your own staff come first. Tick more than one for group supervision.",
        validators=[InputRequired("Choose who was supervised")],
    )
    kind = RadioField(
        "Kind of supervision",
        choices=options(SESSION_KINDS.items()),
        default="one_to_one",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the kind of supervision")],
    )
    held_on = date_field("Date")
    outcome = RadioField(
        "Did it take place?",
        choices=options(SESSION_OUTCOMES.items()),
        default="held",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose whether the session was held")],
    )
    reason = TextAreaField(
        "Reason it was cancelled or rescheduled",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
    )
    duration_minutes = WholeNumberField(
        "Duration in minutes",
        widget=GovTextInput(),
        description="At least 90 minutes is the standard.",
        validators=[Optional()],
    )
    elements = SelectMultipleField(
        "What it covered",
        choices=options(ELEMENTS.items()),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    cases_discussed = WholeNumberField(
        "Number of cases discussed", widget=GovTextInput(), validators=[Optional()]
    )
    notes = TextAreaField(
        "Notes",
        widget=GovTextArea(),
        description=NOTES_HINT,
        validators=[Optional(), Length(max=LONG_TEXT)],
    )
    submit = SubmitField("Save the record", widget=GovSubmitInput())

    def action_rows(self) -> list[tuple[Any, Any, Any]]:
        """The (description, owner, due date) fields of each action row."""
        return [
            (self[f"action_{n}_description"], self[f"action_{n}_owner"], self[f"action_{n}_due"])
            for n in range(1, ACTION_ROWS + 1)
            if f"action_{n}_description" in self
        ]


for _n in range(1, ACTION_ROWS + 1):
    setattr(
        SessionForm,
        f"action_{_n}_description",
        StringField(
            f"Action {_n}", widget=GovTextInput(), validators=[Optional(), Length(max=2000)]
        ),
    )
    setattr(
        SessionForm,
        f"action_{_n}_owner",
        StringField(
            f"Action {_n}: owner", widget=GovTextInput(), validators=[Optional(), Length(max=150)]
        ),
    )
    setattr(SessionForm, f"action_{_n}_due", date_field(f"Action {_n}: due date", required=False))


class AcknowledgeForm(FlaskForm):
    """The supervisee acknowledges the record, with an optional comment."""

    comment = TextAreaField(
        "Your comment (optional)",
        widget=GovTextArea(),
        description="Anything you want added to the record, or where you see it differently.",
        validators=[Optional(), Length(max=LONG_TEXT)],
    )
    submit = SubmitField("Acknowledge the record", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """One action added to a record."""

    description = StringField(
        "Action",
        widget=GovTextInput(),
        validators=[InputRequired("Describe the action"), Length(max=2000)],
    )
    owner = StringField(
        "Owner",
        widget=GovTextInput(),
        validators=[InputRequired("Enter who owns the action"), Length(max=150)],
    )
    due_date = date_field("Due date")
    submit = SubmitField("Add the action", widget=GovSubmitInput())


class DoneForm(FlaskForm):
    """Mark an action done (or reopen it)."""

    completed_on = date_field("Date done", required=False)
    submit = SubmitField("Save", widget=GovSubmitInput())
