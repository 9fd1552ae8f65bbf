"""Account forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional, ValidationError

from workforce.blueprints.auth.forms import acceptable_password
from workforce.blueprints.options import options
from workforce.models import ROLES
from workforce.services.people import find_staff_by_number
from workforce.validation import email_problem


class RolesField(SelectMultipleField):
    """Tick boxes for roles."""

    widget = GovCheckboxesInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", options(ROLES.items()))
        kwargs.setdefault("validators", [InputRequired("Select at least one role")])
        super().__init__(*args, **kwargs)


class StaffLinkMixin:
    """The staff record an account belongs to, by staff number."""

    staff_number = StringField(
        "Staff number of their staff record",
        widget=GovTextInput(),
        validators=[Optional()],
        description="Links the account to the person's own record. Leave blank for none.",
    )
    staff: Any = None

    def validate_staff_number(self, field: StringField) -> None:
        """The staff number must exist."""
        self.staff = None
        if field.data and field.data.strip():
            self.staff = find_staff_by_number(field.data)
            if self.staff is None:
                raise ValidationError("No staff record has that staff number")


class NewUserForm(StaffLinkMixin, FlaskForm):
    """A new account."""

    email = StringField(
        "Email address", widget=GovTextInput(), validators=[InputRequired("Enter an email address")]
    )
    roles = RolesField("Roles")
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description="12 characters or more. Give it to them securely; they can change it.",
        validators=[InputRequired("Enter a password"), acceptable_password],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())

    def validate_email(self, field: StringField) -> None:
        """The email address must look like one."""
        problem = email_problem(field.data.strip())
        if problem:
            raise ValidationError(problem)


class EditUserForm(StaffLinkMixin, FlaskForm):
    """Roles and staff link of an account."""

    roles = RolesField("Roles")
    submit = SubmitField("Save account", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    """A new password set by an administrator."""

    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="12 characters or more.",
        validators=[InputRequired("Enter a new password"), acceptable_password],
    )
    submit = SubmitField("Reset password", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A bare form that carries the CSRF token for a confirmed action."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
