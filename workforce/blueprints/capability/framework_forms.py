"""Forms for frameworks, their domains, levels, pathways and descriptors, and imports.

The forms check what a person can see at once (required, lengths, the code's characters);
the frameworks service checks the rest (unique names and codes) and its messages are put
on the same fields.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from workforce.services.framework_io import CODE_MAX, CODE_PATTERN, NAME_MAX, TEXT_MAX


def _name(label: str, required: str, **kwargs: Any) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(required),
            Length(max=NAME_MAX, message=f"{label} must be {NAME_MAX} characters or fewer"),
        ],
        **kwargs,
    )


def _text(label: str, **kwargs: Any) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=TEXT_MAX, message=f"Keep this to {TEXT_MAX:,} characters or fewer"),
        ],
        **kwargs,
    )


class ConfirmForm(FlaskForm):
    """A bare form that carries the CSRF token for a confirmed action."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class FrameworkForm(FlaskForm):
    """A framework's own details."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="A short code used in files and reports, such as PCF. Letters, digits "
        "and hyphens only.",
        validators=[
            InputRequired("Enter a code"),
            Length(max=CODE_MAX, message=f"Code must be {CODE_MAX} characters or fewer"),
            Regexp(CODE_PATTERN, message="Code must use only letters, digits and hyphens"),
        ],
    )
    name = _name("Name", "Enter a name")
    description = _text("Description")
    source = _text("Source", description="Where the framework is published, with its date.")
    active = BooleanField(
        "Active: can be chosen for role profiles and assessments",
        widget=GovCheckboxInput(),
        default=True,
    )
    submit = SubmitField("Save framework", widget=GovSubmitInput())


class DomainForm(FlaskForm):
    """A domain of a framework."""

    name = _name("Domain name", "Enter the domain's name")
    description = _text("Description")
    former_name = StringField(
        "Former name (optional)",
        widget=GovTextInput(),
        description='An earlier name of this domain, such as the PCF\'s 2012 "Diversity".',
        validators=[
            Optional(),
            Length(max=NAME_MAX, message=f"Former name must be {NAME_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Save domain", widget=GovSubmitInput())


class LevelForm(FlaskForm):
    """A level of a framework."""

    name = _name("Level name", "Enter the level's name")
    description = _text("Description")
    submit = SubmitField("Save level", widget=GovSubmitInput())


class PathwayForm(FlaskForm):
    """A pathway of a level."""

    name = _name("Pathway name", "Enter the pathway's name")
    submit = SubmitField("Save pathway", widget=GovSubmitInput())


class DescriptorForm(FlaskForm):
    """What a domain looks like at a level."""

    text = _text(
        "Descriptor",
        description="What this domain looks like at this level. Leave it blank to remove it.",
    )
    submit = SubmitField("Save descriptor", widget=GovSubmitInput())


class FrameworkImportForm(FlaskForm):
    """Upload a framework file."""

    file = FileField(
        "Framework file (YAML or CSV)",
        widget=GovFileInput(),
        validators=[
            FileRequired("Choose a YAML or CSV file"),
            FileAllowed(["yaml", "yml", "csv"], "The file must be a YAML or CSV file"),
        ],
    )
    submit = SubmitField("Check file", widget=GovSubmitInput())


class ConfirmFrameworkImportForm(FlaskForm):
    """Confirm a checked framework file."""

    token = HiddenField(validators=[InputRequired()])
    format = HiddenField(validators=[AnyOf(["yaml", "csv"])])
    submit = SubmitField("Import", widget=GovSubmitInput())
