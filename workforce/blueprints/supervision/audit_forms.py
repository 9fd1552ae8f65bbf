"""Forms for auditing a supervision record and for drawing a sample of records."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import date_field
from workforce.models.supervision import AUDIT_GRADES, CHECKLIST

YES_NO = options([("yes", "Yes"), ("no", "No")])


class _Listed(RadioField):
    """A radio group whose refusal of an unlisted value says what to do."""

    unlisted_message = "Choose one of the options"

    def pre_validate(self, form: Any) -> None:
        """Refuse an unlisted value with this field's message (blank is left to the
        validators)."""
        if self.data in (None, ""):
            return
        try:
            super().pre_validate(form)
        except ValueError as error:
            raise ValidationError(self.unlisted_message) from error


class GradeField(_Listed):
    """The overall grade."""

    unlisted_message = "Choose the overall grade: " + ", ".join(AUDIT_GRADES.values()).lower()


class AnswerField(_Listed):
    """Yes or no to a checklist item."""

    unlisted_message = "Answer yes or no"


def _answer(key: str) -> AnswerField:
    label = CHECKLIST[key]
    return AnswerField(
        label,
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired(f"Answer yes or no: {label.lower()}")],
    )


class AuditForm(FlaskForm):
    """The checklist, the overall grade, comments and the date of the audit.

    ``suggest`` asks for the grade the checklist suggests (nothing is saved); ``submit``
    saves the audit.
    """

    reflective_discussion = _answer("reflective_discussion")
    decisions_recorded = _answer("decisions_recorded")
    actions_specific = _answer("actions_specific")
    wellbeing_discussed = _answer("wellbeing_discussed")
    supervisee_voice = _answer("supervisee_voice")
    grade = GradeField(
        "Overall grade",
        choices=options(AUDIT_GRADES.items()),
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    comments = TextAreaField(
        "Comments",
        widget=GovTextArea(),
        description="What was done well and what would improve the record. Do not copy "
        "anything from the notes that identifies a child or family.",
        validators=[Optional(), Length(max=10_000)],
    )
    audited_on = date_field("Audit date")
    suggest = SubmitField("Suggest a grade from the checklist", widget=GovSubmitInput())
    submit = SubmitField("Save the audit", widget=GovSubmitInput())

    def checklist_fields(self) -> list[Any]:
        """The five checklist questions, in order."""
        return [self[key] for key in CHECKLIST]

    def checklist(self) -> dict[str, bool | None]:
        """Each checklist item as True (yes), False (no) or None (unanswered)."""
        return {key: {"yes": True, "no": False}.get(self[key].data or "") for key in CHECKLIST}
