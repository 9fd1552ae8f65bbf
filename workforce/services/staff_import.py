"""Import staff and employment spells from an HR-system extract (CSV or XLSX).

One row is one employment spell; a person with history has one row per spell. Rows are
matched to people by staff number and to spells by (staff number, start date), so
importing the same file twice changes nothing. Every row is checked before anything is
written; a file with any bad row writes nothing.

The file-reading helpers live in ``workforce.services.tabular``; ``read_table`` and
``MAX_ROWS`` are re-exported here for the callers that read staff files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from workforce.audit import record_event
from workforce.extensions import db
from workforce.models import CONTRACT_TYPES, EmploymentSpell, Staff, Team
from workforce.services.reference import codes
from workforce.services.tabular import MAX_ROWS as MAX_ROWS
from workforce.services.tabular import RowError
from workforce.services.tabular import cell_date as _date
from workforce.services.tabular import cell_text as _text
from workforce.services.tabular import read_table as read_table
from workforce.validation import (
    date_of_birth_problem,
    email_problem,
    hours_problem,
    normalise_swe,
    parse_decimal,
    staff_number_problem,
    swe_problem,
)

#: Columns of the template, in order, with a description for the template's notes.
COLUMNS: dict[str, str] = {
    "staff_number": "Required. Matches existing people (upsert).",
    "first_name": "Required.",
    "last_name": "Required.",
    "work_email": "Optional. Unique.",
    "swe_number": "Optional. Social Work England number: 2 letters and 10 digits.",
    "qualified_social_worker": "yes or no.",
    "date_of_birth": "Optional. YYYY-MM-DD or DD/MM/YYYY.",
    "gender": "Optional. Census code or name: 1 Male, 2 Female, 9 Not specified, 0 Not known.",
    "ethnicity": "Optional. Census code (WBRI ... NOBT) or name.",
    "post_title": "Required.",
    "team": "Required. The team's name, as in Workforce.",
    "org_role": "Optional. Census organisational role code (1-6) or name.",
    "grade": "Optional.",
    "contracted_hours": "Required. Hours a week.",
    "standard_hours": "Optional. Standard hours a week for the grade; 37 when blank.",
    "contract_type": "Required. permanent, fixed_term, agency, secondment or volunteer.",
    "line_manager_staff_number": "Optional. Staff number of the line manager (in Workforce or this file).",
    "start_date": "Required. YYYY-MM-DD or DD/MM/YYYY.",
    "start_origin": "Optional. Census start origin code or name.",
    "end_date": "Optional. Blank while in post.",
    "leaving_reason": "Optional. Census reason for leaving code or name; needs an end date.",
    "leaver_destination": "Optional. Census leaver destination code or name.",
    "qual_inst": "Optional. The institution that awarded the social work qualification.",
    "qual_level": "Optional. Census qualification level code or name: 1 Undergraduate, "
    "2 Postgraduate, 3 Other.",
    "step_up_grad": "Optional. yes or no: qualified through Step Up to Social Work.",
    "frontline_grad": "Optional. yes or no: qualified through Frontline.",
    "cfkss_status": "Optional. Census child and family KSS status code or name (1-4).",
    "covers_vacancy": "Optional. yes or no; agency workers only: covers a vacancy.",
    "contract_weeks": "Optional. Agency workers only: contract weeks in the census year, "
    "0 to 53 to 1 decimal place.",
}
#: Census columns a file may leave out: when a column is missing, the values already
#: recorded are kept (files made before these columns existed still import unchanged).
CENSUS_STAFF_FIELDS = ("qual_inst", "qual_level", "step_up_grad", "frontline_grad")
CENSUS_SPELL_FIELDS = ("cfkss_status", "covers_vacancy", "contract_weeks")
REQUIRED = (
    "staff_number",
    "first_name",
    "last_name",
    "post_title",
    "team",
    "contracted_hours",
    "contract_type",
    "start_date",
)
STAFF_FIELDS = (
    "first_name",
    "last_name",
    "work_email",
    "swe_number",
    "qualified_social_worker",
    "date_of_birth",
    "gender",
    "ethnicity",
)
SPELL_FIELDS = (
    "post_title",
    "team_id",
    "org_role",
    "grade",
    "contracted_hours",
    "standard_hours",
    "contract_type",
    "start_date",
    "start_origin",
    "end_date",
    "leaving_reason",
    "leaver_destination",
)
CODED = {
    "gender": "gender",
    "ethnicity": "ethnicity",
    "org_role": "org_role",
    "start_origin": "start_origin",
    "leaving_reason": "leaving_reason",
    "leaver_destination": "leaver_destination",
    "qual_level": "qualification_level",
    "cfkss_status": "kss_status",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class ImportPlan:
    """What an import would do, or why it cannot."""

    errors: list[RowError] = field(default_factory=list)
    #: staff number -> cleaned personal fields
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: cleaned spell fields, with "staff_number" and "line_manager_staff_number"
    spells: list[dict[str, Any]] = field(default_factory=list)
    new_people: int = 0
    changed_people: int = 0
    new_spells: int = 0
    changed_spells: int = 0
    unchanged: int = 0
    rows: int = 0

    def describe(self) -> str:
        """One sentence of what would change."""
        return (
            f"{self.rows} rows: {self.new_people} new people, {self.changed_people} people changed, "
            f"{self.new_spells} new spells, {self.changed_spells} spells changed, "
            f"{self.unchanged} rows unchanged."
        )


def template_frame() -> pd.DataFrame:
    """An empty table with the template's columns, plus one example row."""
    example = {
        "staff_number": "E12345",
        "first_name": "Sam",
        "last_name": "Example",
        "work_email": "sam.example@example.org",
        "swe_number": "SW1234567890",
        "qualified_social_worker": "yes",
        "date_of_birth": "1988-04-12",
        "gender": "2",
        "ethnicity": "WBRI",
        "post_title": "Social worker",
        "team": "Your team name",
        "org_role": "5",
        "grade": "SW2",
        "contracted_hours": "37",
        "standard_hours": "37",
        "contract_type": "permanent",
        "line_manager_staff_number": "",
        "start_date": "2024-09-02",
        "start_origin": "1",
        "end_date": "",
        "leaving_reason": "",
        "leaver_destination": "",
        "qual_inst": "University of York",
        "qual_level": "1",
        "step_up_grad": "no",
        "frontline_grad": "no",
        "cfkss_status": "2",
        "covers_vacancy": "",
        "contract_weeks": "",
    }
    return pd.DataFrame([example], columns=list(COLUMNS))


class _Lookups:
    """Everything a row is checked against, loaded once."""

    def __init__(self) -> None:
        self.teams = {
            name.lower(): team_id
            for team_id, name in db.session.execute(select(Team.id, Team.name))
        }
        self.codes: dict[str, dict[str, str]] = {}
        for column, list_name in CODED.items():
            mapping: dict[str, str] = {}
            for entry in codes(list_name):
                mapping[entry.code.lower()] = entry.code
                mapping[entry.label.lower()] = entry.code
            self.codes[column] = mapping
        self.staff_numbers = {
            number.lower(): staff_id
            for staff_id, number in db.session.execute(select(Staff.id, Staff.staff_number))
        }


def _check_row(
    number: int, raw: dict[str, Any], lookups: _Lookups
) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    clean: dict[str, Any] = {}

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column in REQUIRED:
        if not _text(raw.get(column)):
            fail(column, "is required")
    clean["staff_number"] = _text(raw.get("staff_number"))
    if clean["staff_number"] and (problem := staff_number_problem(clean["staff_number"])):
        fail("staff_number", problem)
    for column in ("first_name", "last_name", "post_title", "grade"):
        clean[column] = _text(raw.get(column)) or None
    clean["work_email"] = _text(raw.get("work_email")).lower() or None
    if problem := email_problem(clean["work_email"]):
        fail("work_email", problem)
    clean["swe_number"] = normalise_swe(_text(raw.get("swe_number")))
    if problem := swe_problem(clean["swe_number"]):
        fail("swe_number", problem)
    qualified = _text(raw.get("qualified_social_worker")).lower()
    if qualified in YES:
        clean["qualified_social_worker"] = True
    elif qualified in NO:
        clean["qualified_social_worker"] = False
    else:
        clean["qualified_social_worker"] = None
        fail("qualified_social_worker", "must be yes or no")
    for column in ("date_of_birth", "start_date", "end_date"):
        try:
            clean[column] = _date(raw.get(column))
        except ValueError as error:
            clean[column] = None
            fail(column, str(error))
    if problem := date_of_birth_problem(clean["date_of_birth"]):
        fail("date_of_birth", problem)
    if clean["start_date"] and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        fail("end_date", "must be on or after the start date")
    for column in CODED:
        text = _text(raw.get(column))
        clean[column] = None
        if text:
            code = lookups.codes[column].get(text.lower())
            if code is None:
                fail(column, f"{text!r} is not a census code or name in this list")
            clean[column] = code
    if clean["leaving_reason"] and not clean["end_date"]:
        fail("leaving_reason", "needs an end date")
    team = _text(raw.get("team"))
    clean["team_id"] = lookups.teams.get(team.lower()) if team else None
    if team and clean["team_id"] is None:
        fail("team", f"no team called {team!r}; add the team first")
    contract = _text(raw.get("contract_type")).lower().replace(" ", "_").replace("-", "_")
    clean["contract_type"] = contract
    if contract and contract not in CONTRACT_TYPES:
        fail("contract_type", "must be one of " + ", ".join(CONTRACT_TYPES))
    for column, default in (("contracted_hours", None), ("standard_hours", Decimal("37"))):
        try:
            value = parse_decimal(_text(raw.get(column)))
            clean[column] = default if value is None else value
        except ValueError:
            clean[column] = None
            fail(column, "must be a number of hours")
    both_hours = clean["contracted_hours"] is not None and clean["standard_hours"] is not None
    if both_hours and (
        problem := hours_problem(clean["contracted_hours"], clean["standard_hours"])
    ):
        fail(problem[0], problem[1])
    clean["line_manager_staff_number"] = _text(raw.get("line_manager_staff_number")) or None
    _check_census(raw, clean, fail)
    return clean, errors


def _check_census(raw: dict[str, Any], clean: dict[str, Any], fail: Any) -> None:
    """The census qualification and agency columns (codes were checked with the others)."""
    clean["qual_inst"] = _text(raw.get("qual_inst")) or None
    if clean["qual_inst"] and len(clean["qual_inst"]) > 200:
        fail("qual_inst", "must be 200 characters or fewer")
    for column in ("step_up_grad", "frontline_grad", "covers_vacancy"):
        answer = _text(raw.get(column)).lower()
        if not answer:  # Step Up and Frontline not known; not covering a vacancy
            clean[column] = False if column == "covers_vacancy" else None
        elif answer in YES or answer in NO:
            clean[column] = answer in YES
        else:
            clean[column] = None
            fail(column, "must be yes or no")
    if clean["covers_vacancy"] and clean["contract_type"] != "agency":
        fail("covers_vacancy", "only an agency worker can cover a vacancy")
    clean["covers_vacancy"] = bool(clean["covers_vacancy"])
    agency = clean["contract_type"] == "agency"
    try:
        weeks = parse_decimal(_text(raw.get("contract_weeks")))
    except ValueError:
        weeks = None
        fail("contract_weeks", "must be a number of weeks")
    clean["contract_weeks"] = weeks
    if weeks is not None:
        if not agency:
            fail("contract_weeks", "is recorded for agency workers only")
        elif not Decimal("0") <= weeks <= Decimal("53"):
            fail("contract_weeks", "must be between 0 and 53")
        elif weeks != weeks.quantize(Decimal("0.1")):
            fail("contract_weeks", "must have no more than 1 decimal place")


def plan_import(frame: pd.DataFrame) -> ImportPlan:
    """Check every row and work out what would change, writing nothing."""
    plan = ImportPlan(rows=len(frame))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        plan.errors.append(RowError(1, ", ".join(missing), "column missing from the header row"))
        return plan
    if frame.empty:
        plan.errors.append(RowError(2, "staff_number", "the file has no rows to import"))
        return plan
    lookups = _Lookups()
    census_staff = [f for f in CENSUS_STAFF_FIELDS if f in frame.columns]
    census_spell = [f for f in CENSUS_SPELL_FIELDS if f in frame.columns]
    seen_spells: dict[tuple[str, date], int] = {}
    emails: dict[str, str] = {}
    swes: dict[str, str] = {}
    file_numbers = {_text(v).lower() for v in frame["staff_number"]}
    spelling: dict[str, str] = {}
    for index, raw in zip(frame.index, frame.to_dict("records"), strict=True):
        number = int(index) + 2
        clean, errors = _check_row(number, raw, lookups)
        plan.errors.extend(errors)
        key = clean["staff_number"].lower()
        if not key:
            continue
        # Staff numbers match whatever their case: the first spelling in the file stands for all.
        clean["staff_number"] = spelling.setdefault(key, clean["staff_number"])
        person = {f: clean[f] for f in (*STAFF_FIELDS, *census_staff)}
        earlier = plan.people.get(clean["staff_number"])
        if earlier is not None and earlier != person:
            plan.errors.append(
                RowError(
                    number,
                    "staff_number",
                    "personal details differ from an earlier row for this staff number",
                )
            )
        plan.people[clean["staff_number"]] = person
        for value, seen, column in (
            (clean["work_email"], emails, "work_email"),
            (clean["swe_number"], swes, "swe_number"),
        ):
            if value:
                other = seen.setdefault(value.lower(), key)
                if other != key:
                    plan.errors.append(
                        RowError(number, column, "is used by another person in this file")
                    )
        if clean["start_date"]:
            spell_key = (key, clean["start_date"])
            if spell_key in seen_spells:
                plan.errors.append(
                    RowError(
                        number,
                        "start_date",
                        f"row {seen_spells[spell_key]} has a spell for this person starting the same day",
                    )
                )
            seen_spells[spell_key] = number
        manager = clean["line_manager_staff_number"]
        if (
            manager
            and manager.lower() not in lookups.staff_numbers
            and manager.lower() not in file_numbers
        ):
            plan.errors.append(
                RowError(
                    number,
                    "line_manager_staff_number",
                    "no staff record or row in this file has that staff number",
                )
            )
        if manager and manager.lower() == key:
            plan.errors.append(
                RowError(
                    number, "line_manager_staff_number", "a person cannot be their own line manager"
                )
            )
        plan.spells.append(
            {
                **{f: clean[f] for f in (*SPELL_FIELDS, *census_spell)},
                "staff_number": clean["staff_number"],
                "line_manager_staff_number": manager,
                "_row": number,
            }
        )
    if not plan.errors:
        _check_against_database(plan)
    if not plan.errors:
        _count_changes(plan)
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _check_against_database(plan: ImportPlan) -> None:
    """Unique email and SWE numbers must not belong to another person already."""
    for column, label in ((Staff.work_email, "work_email"), (Staff.swe_number, "swe_number")):
        values = {p[label].lower(): n for n, p in plan.people.items() if p[label]}
        if not values:
            continue
        owners = db.session.execute(
            select(Staff.staff_number, func.lower(column)).where(
                func.lower(column).in_(list(values))
            )
        )
        for owner_number, value in owners:
            file_number = values[value]
            if owner_number.lower() != file_number.lower():
                row = next(s["_row"] for s in plan.spells if s["staff_number"] == file_number)
                plan.errors.append(
                    RowError(row, label, f"already belongs to staff number {owner_number}")
                )


def _existing(plan: ImportPlan) -> tuple[dict[str, Staff], dict[tuple[int, date], EmploymentSpell]]:
    lowered = [n.lower() for n in plan.people]
    people: dict[str, Staff] = {}
    for start in range(0, len(lowered), 900):
        chunk = lowered[start : start + 900]
        for staff in db.session.scalars(
            select(Staff).where(func.lower(Staff.staff_number).in_(chunk))
        ):
            people[staff.staff_number.lower()] = staff
    spells: dict[tuple[int, date], EmploymentSpell] = {}
    ids = [s.id for s in people.values()]
    for start in range(0, len(ids), 900):
        for spell in db.session.scalars(
            select(EmploymentSpell).where(EmploymentSpell.staff_id.in_(ids[start : start + 900]))
        ):
            spells[(spell.staff_id, spell.start_date)] = spell
    return people, spells


def _differs(obj: Any, values: dict[str, Any]) -> bool:
    return any(getattr(obj, k) != v for k, v in values.items())


def _count_changes(plan: ImportPlan) -> None:
    people, spells = _existing(plan)
    managers = _manager_ids(plan, people)
    changed_people: set[str] = set()
    for number, values in plan.people.items():
        staff = people.get(number.lower())
        if staff is None:
            plan.new_people += 1
        elif _differs(staff, values):
            plan.changed_people += 1
            changed_people.add(number)
    for row in plan.spells:
        staff = people.get(row["staff_number"].lower())
        spell = spells.get((staff.id, row["start_date"])) if staff else None
        values = _spell_values(row, managers)
        if spell is None:
            plan.new_spells += 1
        elif _differs(spell, values) or (
            # a manager not yet in Workforce is new in this file, so the spell's manager changes
            row["line_manager_staff_number"] and values["line_manager_id"] is None
        ):
            plan.changed_spells += 1
        elif row["staff_number"] not in changed_people:
            plan.unchanged += 1


def _manager_ids(plan: ImportPlan, people: dict[str, Staff]) -> dict[str, int | None]:
    wanted = {
        s["line_manager_staff_number"].lower()
        for s in plan.spells
        if s["line_manager_staff_number"]
    }
    found = (
        {
            n.lower(): i
            for i, n in db.session.execute(
                select(Staff.id, Staff.staff_number).where(
                    func.lower(Staff.staff_number).in_(list(wanted))
                )
            )
        }
        if wanted
        else {}
    )
    return found


def _spell_values(row: dict[str, Any], managers: dict[str, int | None]) -> dict[str, Any]:
    values = {f: row[f] for f in (*SPELL_FIELDS, *CENSUS_SPELL_FIELDS) if f in row}
    manager = row["line_manager_staff_number"]
    values["line_manager_id"] = managers.get(manager.lower()) if manager else None
    return values


def apply_import(plan: ImportPlan, source: str) -> None:
    """Write a checked plan: insert or update people, then their spells. The caller commits."""
    if plan.errors:
        raise ValueError("An import with errors cannot be applied")
    people, spells = _existing(plan)
    for number, values in plan.people.items():
        staff = people.get(number.lower())
        if staff is None:
            staff = Staff(staff_number=number, **values)
            db.session.add(staff)
            people[number.lower()] = staff
        else:
            for key, value in values.items():
                if getattr(staff, key) != value:
                    setattr(staff, key, value)
    db.session.flush()
    managers = {n: s.id for n, s in people.items()}
    managers.update(_manager_ids(plan, people))
    for row in plan.spells:
        staff = people[row["staff_number"].lower()]
        values = _spell_values(row, managers)
        spell = spells.get((staff.id, row["start_date"]))
        if spell is None:
            db.session.add(EmploymentSpell(staff_id=staff.id, **values))
        else:
            for key, value in values.items():
                if getattr(spell, key) != value:
                    setattr(spell, key, value)
    record_event(
        "import",
        "Staff",
        f"Imported {source}: {plan.describe()}",
        {"source": source, "rows": plan.rows},
    )
    db.session.flush()
