"""Forms for staff, spells, moves, leavers, teams and the import."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from workforce.blueprints.options import options
from workforce.models import CONTRACT_TYPES
from workforce.services.people import find_staff_by_number, team_choices
from workforce.services.reference import choices
from workforce.validation import email_problem, normalise_swe, staff_number_problem, swe_problem

DATE_FORMAT = "%d %m %Y"


def _rule(check: Any) -> Any:
    def validator(form: FlaskForm, field: Any) -> None:
        problem = check(field.data)
        if problem:
            raise ValidationError(problem)

    return validator


class CodedDateField(DateField):
    """A date field whose 'not a valid date' message names the field."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse day, month, year; an empty set of boxes is no date.

        A request that sends other than three parts (not a browser using the form) is
        treated as those parts padded to three, so the page shows a message, never a 500.
        """
        if len(valuelist) != 3:
            valuelist = self.raw_data = [*valuelist, "", "", ""][:3]
        if not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a real date") from error


def _yes_no(value: Any) -> bool | None:
    """'yes' and 'no' (or a stored True or False) as a boolean; 'unknown' is None."""
    if isinstance(value, bool) or value is None:
        return value
    return {"yes": True, "no": False, "unknown": None}.get(str(value), "invalid")


def yes_no_field(label: str, hint: str) -> RadioField:
    """An optional Yes / No / Not known question whose data is True, False or None."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=options([("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]),
        coerce=_yes_no,
        description=hint,
        validators=[Optional()],
    )


def one_decimal_place(form: FlaskForm, field: Any) -> None:
    """A number with at most one decimal place (the census's ContractWeeks)."""
    if field.data is not None and field.data != field.data.quantize(Decimal("0.1")):
        raise ValidationError(f"{field.label.text} must have no more than 1 decimal place")


def date_field(label: str, required: bool = True) -> CodedDateField:
    """A GOV.UK date field."""
    validators: list[Any] = (
        [InputRequired(f"Enter the {label.lower()}")] if required else [Optional()]
    )
    return CodedDateField(
        label,
        format=DATE_FORMAT,
        widget=GovDateInput(),
        description="For example, 27 3 2024",
        validators=validators,
    )


class StaffDetailsForm(FlaskForm):
    """A person's own details."""

    staff_number = StringField(
        "Staff number", widget=GovTextInput(), validators=[_rule(staff_number_problem)]
    )
    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a first name"), Length(max=100)],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a last name"), Length(max=100)],
    )
    work_email = StringField(
        "Work email address", widget=GovTextInput(), validators=[Optional(), _rule(email_problem)]
    )
    swe_number = StringField(
        "Social Work England number",
        widget=GovTextInput(),
        description="2 letters and 10 digits, like SW1234567890. Leave blank if not registered.",
        filters=[normalise_swe],
        validators=[Optional(), _rule(swe_problem)],
    )
    qualified_social_worker = BooleanField("Qualified social worker", widget=GovCheckboxInput())
    date_of_birth = date_field("Date of birth", required=False)
    gender = SelectField("Gender", widget=GovSelect(), validators=[Optional()])
    ethnicity = SelectField("Ethnicity", widget=GovSelect(), validators=[Optional()])
    qual_inst = StringField(
        "Qualifying institution",
        widget=GovTextInput(),
        description="The university or other body that awarded the social work qualification.",
        validators=[Optional(), Length(max=200)],
    )
    qual_level = SelectField("Qualification level", widget=GovSelect(), validators=[Optional()])
    step_up_grad = yes_no_field(
        "Step Up to Social Work graduate", "Whether they qualified through Step Up."
    )
    frontline_grad = yes_no_field(
        "Frontline graduate", "Whether they qualified through the Frontline programme."
    )

    def __init__(self, *args: Any, show_characteristics: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gender.choices = options(choices("gender", blank="Not recorded"))
        self.ethnicity.choices = options(choices("ethnicity", blank="Not recorded"))
        self.qual_level.choices = options(choices("qualification_level", blank="Not recorded"))
        if not show_characteristics:
            for name in ("date_of_birth", "gender", "ethnicity"):
                delattr(self, name)


class SpellFieldsForm(FlaskForm):
    """The fields of an employment spell."""

    post_title = StringField(
        "Post title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a post title"), Length(max=150)],
    )
    team_id = SelectField(
        "Team",
        widget=GovSelect(),
        coerce=lambda v: int(v) if v else None,
        validators=[InputRequired("Select a team")],
    )
    org_role = SelectField(
        "Census organisational role",
        widget=GovSelect(),
        description="Leave as 'Not in the social work census' for other posts.",
        validators=[Optional()],
    )
    grade = StringField("Grade", widget=GovTextInput(), validators=[Optional(), Length(max=30)])
    contracted_hours = DecimalField(
        "Contracted hours a week",
        widget=GovTextInput(),
        places=2,
        validators=[
            InputRequired("Enter contracted hours a week"),
            NumberRange(0, 48, "Contracted hours must be between 0 and 48"),
        ],
    )
    standard_hours = DecimalField(
        "Standard hours a week for the grade",
        widget=GovTextInput(),
        places=2,
        default=37,
        description="FTE is contracted hours divided by these.",
        validators=[
            InputRequired("Enter standard hours a week"),
            NumberRange(1, 48, "Standard hours must be between 1 and 48"),
        ],
    )
    contract_type = SelectField(
        "Contract type", widget=GovSelect(), validators=[InputRequired("Select a contract type")]
    )
    line_manager_number = StringField(
        "Line manager's staff number", widget=GovTextInput(), validators=[Optional()]
    )
    start_date = date_field("Start date")
    start_origin = SelectField(
        "Where they came from (census start origin)", widget=GovSelect(), validators=[Optional()]
    )
    cfkss_status = SelectField(
        "Child and family KSS status",
        widget=GovSelect(),
        description="Knowledge and skills statement status reported in the census.",
        validators=[Optional()],
    )
    covers_vacancy = BooleanField(
        "Covers a vacancy",
        widget=GovCheckboxInput(),
        description="Agency workers only: they fill a funded post that is vacant.",
    )
    contract_weeks = DecimalField(
        "Contract weeks in the census year",
        widget=GovTextInput(),
        places=1,
        description="Agency workers only: weeks worked from 1 October to 30 September, "
        "to 1 decimal place.",
        validators=[
            Optional(),
            NumberRange(0, 53, "Contract weeks must be between 0 and 53"),
            one_decimal_place,
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team_id.choices = options(team_choices(blank="Select a team"))
        self.org_role.choices = options(choices("org_role", blank="Not in the social work census"))
        self.contract_type.choices = options(
            [("", "Select a contract type"), *CONTRACT_TYPES.items()]
        )
        self.start_origin.choices = options(choices("start_origin", blank="Not recorded"))
        self.cfkss_status.choices = options(choices("kss_status", blank="Not recorded"))
        self.line_manager: Any = None

    def validate_line_manager_number(self, field: StringField) -> None:
        """The line manager must be an existing staff record."""
        self.line_manager = None
        if field.data and field.data.strip():
            self.line_manager = find_staff_by_number(field.data)
            if self.line_manager is None:
                raise ValidationError("No staff record has that staff number")

    def spell_data(self) -> dict[str, Any]:
        """The spell's values, ready for ``SpellDetails``."""
        data = {
            name: self[name].data
            for name in (
                "post_title",
                "team_id",
                "org_role",
                "grade",
                "contracted_hours",
                "standard_hours",
                "contract_type",
                "start_date",
                "start_origin",
                "cfkss_status",
                "covers_vacancy",
                "contract_weeks",
            )
        }
        data["post_title"] = (data["post_title"] or "").strip()
        data["grade"] = (data["grade"] or "").strip() or None
        data["line_manager_id"] = self.line_manager.id if self.line_manager else None
        return data


class NewStaffForm(StaffDetailsForm, SpellFieldsForm):
    """A new person and their first post."""

    submit = SubmitField("Add staff member", widget=GovSubmitInput())


class EditStaffForm(StaffDetailsForm):
    """Change a person's details."""

    submit = SubmitField("Save changes", widget=GovSubmitInput())


class MoveForm(SpellFieldsForm):
    """A move to a new team, post, grade or hours from a date."""

    submit = SubmitField("Record move", widget=GovSubmitInput())


class AddSpellForm(SpellFieldsForm):
    """A new spell for someone with none in force."""

    submit = SubmitField("Add spell", widget=GovSubmitInput())


class EditSpellForm(SpellFieldsForm):
    """Correct a spell, including its ending."""

    end_date = date_field("End date", required=False)
    leaving_reason = SelectField(
        "Reason for leaving",
        widget=GovSelect(),
        validators=[Optional()],
        description="Only when this spell ended with the person leaving.",
    )
    leaver_destination = SelectField(
        "Leaver destination", widget=GovSelect(), validators=[Optional()]
    )
    submit = SubmitField("Save spell", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.leaving_reason.choices = options(choices("leaving_reason", blank="Did not leave"))
        self.leaver_destination.choices = options(
            choices("leaver_destination", blank="Not recorded")
        )


class LeaverForm(FlaskForm):
    """Record that a person has left."""

    end_date = date_field("Last day of employment")
    leaving_reason = SelectField(
        "Reason for leaving",
        widget=GovSelect(),
        validators=[InputRequired("Select a reason for leaving")],
    )
    leaver_destination = SelectField(
        "Where they are going (census leaver destination)",
        widget=GovSelect(),
        validators=[Optional()],
    )
    submit = SubmitField("Record leaver", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.leaving_reason.choices = options(choices("leaving_reason", blank="Select a reason"))
        self.leaver_destination.choices = options(
            choices("leaver_destination", blank="Not recorded")
        )


class TeamForm(FlaskForm):
    """A team's name, service area and tier of need."""

    name = StringField(
        "Team name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a team name"), Length(max=120)],
    )
    service_area = StringField(
        "Service area",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a service area"), Length(max=120)],
    )
    tier_of_need = SelectField(
        "Tier of need", widget=GovSelect(), validators=[InputRequired("Select a tier of need")]
    )
    active = BooleanField("Team is active", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save team", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tier_of_need.choices = options(choices("tier_of_need", blank="Select a tier"))


class ImportForm(FlaskForm):
    """Upload an HR extract."""

    file = FileField(
        "Staff file (CSV or XLSX)",
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
