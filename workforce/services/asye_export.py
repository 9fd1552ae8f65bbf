"""An individual's ASYE record as an XLSX workbook: the summary, the schedule and reviews,
evidence, pauses, protected time and missed supervision windows, one sheet each (text is
neutralised against spreadsheet formulas by ``workforce.spreadsheets``)."""

from __future__ import annotations

from workforce.models.asye import JUDGEMENTS, OUTCOMES, PAUSE_REASONS
from workforce.services.asye import EnrolmentView
from workforce.spreadsheets import Sheet, SheetColumn, TypedValue, write_xlsx

STATUS_LABELS = {
    "held": "Held",
    "overdue": "Overdue",
    "upcoming": "Due in the next 14 days",
    "later": "Later",
    "closed": "Closed",
}


def record_workbook(view: EnrolmentView) -> bytes:
    """The whole record of one enrolment as a workbook."""
    enrolment = view.enrolment
    staff = enrolment.staff
    caseload = view.caseload
    summary = [
        ("Social worker", staff.full_name),
        ("Staff number", staff.staff_number),
        ("Cohort", enrolment.cohort.name),
        ("Programme", enrolment.programme.name),
        ("Start (registration date)", TypedValue(enrolment.start_date, "date")),
        ("Completion deadline", TypedValue(view.completion_deadline, "date")),
        ("Past the deadline", "Yes" if view.past_deadline else "No"),
        ("Assessor", enrolment.assessor.display_name if enrolment.assessor else None),
        ("Line manager", enrolment.line_manager.full_name if enrolment.line_manager else None),
        ("Contracted hours a week", TypedValue(enrolment.contracted_hours, "decimal")),
        ("Protected hours used", TypedValue(view.protected_used, "decimal")),
        ("Protected hours due", TypedValue(view.protected_due, "decimal")),
        ("Supervision windows missed", TypedValue(len(view.missed), "integer")),
        ("Caseload points", TypedValue(caseload.points, "decimal") if caseload else None),
        (
            "Caseload cap",
            TypedValue(caseload.cap, "decimal") if caseload and caseload.cap is not None else None,
        ),
        ("Outcome", OUTCOMES.get(enrolment.outcome or "", None)),
        (
            "Outcome date",
            TypedValue(enrolment.outcome_on, "date") if enrolment.outcome_on else None,
        ),
        ("Moderation record", enrolment.moderation_notes),
    ]
    sheets = [
        Sheet("Summary", [SheetColumn("Item"), SheetColumn("Value")], summary),
        Sheet(
            "Schedule and reviews",
            [
                SheetColumn("Review point"),
                SheetColumn("Due", "date"),
                SheetColumn("Status"),
                SheetColumn("Held", "date"),
                SheetColumn("Judgement"),
                SheetColumn("Development plan"),
            ],
            [
                (
                    row.label,
                    row.due,
                    STATUS_LABELS.get(row.status, row.status),
                    row.review.held_on if row.review else None,
                    JUDGEMENTS.get(row.review.judgement) if row.review else None,
                    row.review.development_plan if row.review else None,
                )
                for row in view.reviews
            ],
        ),
        Sheet(
            "Evidence",
            [
                SheetColumn("Date", "date"),
                SheetColumn("Kind"),
                SheetColumn("Title"),
                SheetColumn("PCF domains"),
                SheetColumn("Notes"),
            ],
            [
                (
                    item.dated,
                    item.kind,
                    item.title,
                    "; ".join(d.name for d in item.domains),
                    item.notes,
                )
                for item in enrolment.evidence
            ],
        ),
        Sheet(
            "Evidence against requirements",
            [
                SheetColumn("Requirement"),
                SheetColumn("Held", "integer"),
                SheetColumn("Required", "integer"),
            ],
            [(row.label, row.held, row.required) for row in view.evidence],
        ),
        Sheet(
            "Pauses",
            [SheetColumn("From", "date"), SheetColumn("To", "date"), SheetColumn("Reason")],
            [
                (p.start_date, p.end_date, PAUSE_REASONS.get(p.reason, p.reason))
                for p in enrolment.pauses
            ],
        ),
        Sheet(
            "Protected time",
            [SheetColumn("Date", "date"), SheetColumn("Hours", "decimal"), SheetColumn("Activity")],
            [(t.taken_on, t.hours, t.activity) for t in enrolment.protected_time],
        ),
        Sheet(
            "Missed supervision",
            [SheetColumn("Window from", "date"), SheetColumn("Window to", "date")],
            [(w.starts, w.ends) for w in view.missed],
        ),
    ]
    return write_xlsx(sheets)
