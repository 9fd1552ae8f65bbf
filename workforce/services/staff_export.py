"""The staff list as a table for CSV or XLSX export, with the same filters as the page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from workforce.extensions import db
from workforce.models import CONTRACT_TYPES, User
from workforce.security import can_see_characteristics
from workforce.services.people import STATUSES, StaffFilters, staff_list_query
from workforce.services.reference import labels

#: The census columns, after the spell's and before the personal characteristics.
CENSUS_COLUMNS = (
    "Qualifying institution",
    "Qualification level",
    "Step Up graduate",
    "Frontline graduate",
    "KSS status",
    "Covers a vacancy",
    "Contract weeks",
)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "Yes" if value else "No"


def staff_frame(user: User, filters: StaffFilters, on: date | None = None) -> pd.DataFrame:
    """One row per person ``user`` may see, filtered and sorted as on the page.

    Date of birth, gender and ethnicity are included only for users who may see them. The
    census qualification fields (about the person) and KSS status, agency cover and
    contract weeks (about their latest spell) are included for everyone.
    """
    on = on or date.today()
    roles, genders, ethnicities = labels("org_role"), labels("gender"), labels("ethnicity")
    levels, kss = labels("qualification_level"), labels("kss_status")
    show_characteristics = can_see_characteristics(user)
    rows: list[dict[str, Any]] = []
    for staff, spell, team_name, status in db.session.execute(staff_list_query(user, filters, on)):
        row: dict[str, Any] = {
            "Staff number": staff.staff_number,
            "Last name": staff.last_name,
            "First name": staff.first_name,
            "Work email": staff.work_email or "",
            "Social Work England number": staff.swe_number or "",
            "Qualified social worker": "Yes" if staff.qualified_social_worker else "No",
            "Status": STATUSES.get(status, "No spell"),
            "Team": team_name or "",
            "Post": spell.post_title if spell else "",
            "Census role": roles.get(spell.org_role, "") if spell and spell.org_role else "",
            "Grade": (spell.grade or "") if spell else "",
            "Contract": CONTRACT_TYPES.get(spell.contract_type, "") if spell else "",
            "FTE": float(spell.fte) if spell else None,
            "Spell start": spell.start_date if spell else None,
            "Spell end": spell.end_date if spell else None,
            "Qualifying institution": staff.qual_inst or "",
            "Qualification level": levels.get(staff.qual_level or "", ""),
            "Step Up graduate": _yes_no(staff.step_up_grad),
            "Frontline graduate": _yes_no(staff.frontline_grad),
            "KSS status": kss.get(spell.cfkss_status or "", "") if spell else "",
            "Covers a vacancy": ("Yes" if spell.covers_vacancy else "No")
            if spell and spell.contract_type == "agency"
            else "",
            "Contract weeks": float(spell.contract_weeks)
            if spell and spell.contract_weeks is not None
            else None,
        }
        if show_characteristics:
            row["Date of birth"] = staff.date_of_birth
            row["Gender"] = genders.get(staff.gender or "", "")
            row["Ethnicity"] = ethnicities.get(staff.ethnicity or "", "")
        rows.append(row)
    columns = (
        list(rows[0])
        if rows
        else [
            "Staff number",
            "Last name",
            "First name",
            "Work email",
            "Social Work England number",
            "Qualified social worker",
            "Status",
            "Team",
            "Post",
            "Census role",
            "Grade",
            "Contract",
            "FTE",
            "Spell start",
            "Spell end",
            *CENSUS_COLUMNS,
            *(["Date of birth", "Gender", "Ethnicity"] if show_characteristics else []),
        ]
    )
    return pd.DataFrame(rows, columns=columns)
