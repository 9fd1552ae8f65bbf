"""Forms for role profiles, assessments and development actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import date_field
from workforce.metrics.capability import RATINGS
from workforce.models import FrameworkDomain

LONG_TEXT = 5000


class _Listed:
    """A choice field whose refusal of an unlisted value says what to do."""

    unlisted_message = "Choose one of the options listed"

    def pre_validate(self, form: Any) -> None:
        """Refuse a value that is not one of the choices, with this field's message."""
        if self.data in (None, "") and not self.flags.required:  # type: ignore[attr-defined]
            return
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValueError as error:
            raise ValidationError(self.unlisted_message) from error


class LevelField(_Listed, SelectField):
    """A framework level (and pathway) from the listed ones."""

    unlisted_message = "Choose a level of the framework from the list"


class RatingField(_Listed, RadioField):
    """A rating on the framework's scale."""

    unlisted_message = "Choose a rating on the scale: " + ", ".join(RATINGS.values()).lower()


class ProfileForm(FlaskForm):
    """A role profile: which posts it covers, and the framework level expected of them."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Social worker (case holder)",
        validators=[InputRequired("Enter a name for the role profile"), Length(max=150)],
    )
    level = LevelField(
        "Expected framework and level",
        widget=GovSelect(),
        validators=[InputRequired("Choose the framework and level expected")],
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
    active = BooleanField("In use", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save role profile", widget=GovSubmitInput())


class StartAssessmentForm(FlaskForm):
    """What kind of assessment, when, and against which level."""

    kind = RadioField(
        "Kind of assessment",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose what kind of assessment this is")],
    )
    assessed_on = date_field("Assessment date")
    level = LevelField(
        "Assessed against",
        widget=GovSelect(),
        description="The level the person's role profile expects is chosen for you.",
        validators=[InputRequired("Choose the level to assess against")],
    )
    submit = SubmitField("Start the assessment", widget=GovSubmitInput())


def ratings_form(domains: Sequence[FrameworkDomain], data: Any = None) -> FlaskForm:
    """A form rating every domain (a radio group and an evidence box each), with the date
    and a summary."""

    class RatingsForm(FlaskForm):
        assessed_on = date_field("Assessment date")
        summary = TextAreaField(
            "Summary",
            widget=GovTextArea(),
            description="The overall picture, holistically across the domains.",
            validators=[Optional(), Length(max=LONG_TEXT)],
        )
        submit = SubmitField("Save ratings", widget=GovSubmitInput())

    for domain in domains:
        setattr(
            RatingsForm,
            f"rating_{domain.id}",
            RatingField(
                domain.name,
                choices=options(RATINGS.items()),
                widget=GovRadioInput(),
                validators=[Optional()],
                description=domain.description or "",
            ),
        )
        setattr(
            RatingsForm,
            f"evidence_{domain.id}",
            TextAreaField(
                f"Evidence for {domain.name}",
                widget=GovTextArea(),
                validators=[Optional(), Length(max=LONG_TEXT)],
            ),
        )
    return RatingsForm(data=data)


class ActionForm(FlaskForm):
    """A development action agreed in an assessment."""

    description = TextAreaField(
        "Development action",
        widget=GovTextArea(),
        validators=[InputRequired("Describe the development action"), Length(max=LONG_TEXT)],
    )
    owner = StringField(
        "Owner",
        widget=GovTextInput(),
        description="Who will do it: the person assessed, their manager, or someone else.",
        validators=[InputRequired("Enter who owns the action"), Length(max=150)],
    )
    due_date = date_field("Due date")
    domain = SelectField("Domain it develops", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Add the action", widget=GovSubmitInput())

    def set_domains(self, domains: Sequence[FrameworkDomain]) -> None:
        """Offer the framework's current domains."""
        self.domain.choices = options([("", "Not one domain")] + [(d.id, d.name) for d in domains])


class CommentForm(FlaskForm):
    """The person assessed comments before sign-off."""

    comment = TextAreaField(
        "Your comment",
        widget=GovTextArea(),
        description="What you think of the assessment. Leave blank to remove your comment.",
        validators=[Optional(), Length(max=LONG_TEXT)],
    )
    submit = SubmitField("Save comment", widget=GovSubmitInput())


class ActionDoneForm(FlaskForm):
    """Mark an action done."""

    completed_on = date_field("Date done")
    submit = SubmitField("Mark as done", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that confirms a change (sign-off, discarding a draft)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
