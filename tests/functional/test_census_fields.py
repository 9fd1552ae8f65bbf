"""The census fields on people's records: qualification (institution, level, Step Up and
Frontline) on the staff form, KSS status, agency cover of a vacancy and contract weeks on
the spell forms; shown on the staff record; bad values refused with a message."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent, EmploymentSpell, Staff
from workforce.services import ServiceError
from workforce.services import people as service
from workforce.services.people import SpellDetails, StaffDetails
from workforce.services.staff_export import CENSUS_COLUMNS
from workforce.services.staff_import import (
    CENSUS_SPELL_FIELDS,
    CENSUS_STAFF_FIELDS,
    COLUMNS,
    apply_import,
    plan_import,
)


def _date(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def _new_staff_form(team, **overrides):
    data = {
        "staff_number": "E200",
        "first_name": "Grace",
        "last_name": "Hopper",
        "work_email": "grace@example.org",
        "swe_number": "SW1234567891",
        "qualified_social_worker": "y",
        "qual_inst": "  University of York ",
        "qual_level": "2",
        "step_up_grad": "no",
        "frontline_grad": "yes",
        "post_title": "Social worker",
        "team_id": str(team.id),
        "org_role": "5",
        "grade": "SW2",
        "contracted_hours": "37",
        "standard_hours": "37",
        "contract_type": "agency",
        "line_manager_number": "",
        "start_origin": "2",
        "cfkss_status": "2",
        "covers_vacancy": "y",
        "contract_weeks": "26.5",
        **_date("start_date", date(2025, 3, 3)),
    }
    data.update(overrides)
    return data


def _spell_form(team, **overrides):
    data = {
        "post_title": "Social worker",
        "team_id": str(team.id),
        "org_role": "5",
        "grade": "SW2",
        "contracted_hours": "37",
        "standard_hours": "37",
        "contract_type": "permanent",
        "line_manager_number": "",
        "cfkss_status": "2",
        **_date("start_date", date(2021, 4, 1)),
    }
    data.update(overrides)
    return data


def test_hr_adds_a_person_with_census_fields_and_sees_them(client, login):
    login("hr")
    team = builders.make_team("Assessment")
    response = client.post("/staff/new", data=_new_staff_form(team))
    assert response.status_code == 302, response.get_data(as_text=True)
    staff = db.session.scalar(select(Staff).where(Staff.staff_number == "E200"))
    assert staff.qual_inst == "University of York"
    assert staff.qual_level == "2"
    assert staff.step_up_grad is False and staff.frontline_grad is True
    [spell] = staff.spells
    assert spell.cfkss_status == "2"
    assert spell.covers_vacancy is True
    assert spell.contract_weeks == Decimal("26.5")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in (
        "Qualifying institution",
        "University of York",
        "Postgraduate",
        "Frontline graduate",
        "Frontline practitioner",
        "Covers a vacancy",
        "26.5",
    ):
        assert text in page, text
    created = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity_type == "Staff")
    )
    assert created.changes["qual_level"] == [None, "2"]


def test_the_forms_offer_the_census_code_lists(client, login):
    login("hr")
    team = builders.make_team()
    page = client.get("/staff/new").get_data(as_text=True)
    for text in ("Qualification level", "Undergraduate", "Other", "Step Up to Social Work"):
        assert text in page, text
    assert "Practice supervisor" in page and "Assessed and Supported Year" in page
    staff = builders.make_staff(team)
    page = client.get(f"/staff/{staff.id}/edit").get_data(as_text=True)
    assert 'name="qual_inst"' in page and 'name="frontline_grad"' in page
    assert 'name="cfkss_status"' not in page  # spell fields belong to the spell forms
    spell = staff.spells[0]
    page = client.get(f"/spells/{spell.id}/edit").get_data(as_text=True)
    assert 'name="cfkss_status"' in page and 'name="contract_weeks"' in page
    assert 'name="covers_vacancy"' in page


def test_editing_the_qualification_keeps_and_changes_it(client, login):
    login("hr")
    staff = builders.make_staff(qualified_social_worker=True, qual_inst="Old University")
    form = {
        "staff_number": staff.staff_number,
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "work_email": staff.work_email,
        "qualified_social_worker": "y",
        "qual_inst": "University of Lincoln",
        "qual_level": "1",
        "step_up_grad": "yes",
        "frontline_grad": "no",
    }
    page = client.get(f"/staff/{staff.id}/edit").get_data(as_text=True)
    assert 'value="Old University"' in page
    assert client.post(f"/staff/{staff.id}/edit", data=form).status_code == 302
    db.session.refresh(staff)
    assert (staff.qual_inst, staff.qual_level, staff.step_up_grad, staff.frontline_grad) == (
        "University of Lincoln",
        "1",
        True,
        False,
    )
    # "Not known" and a blank level record nothing
    page = client.get(f"/staff/{staff.id}/edit").get_data(as_text=True)
    assert 'name="step_up_grad" type="radio" value="yes" checked' in page
    assert 'name="frontline_grad" type="radio" value="no" checked' in page
    form.update(qual_level="", qual_inst="", step_up_grad="unknown", frontline_grad="unknown")
    assert client.post(f"/staff/{staff.id}/edit", data=form).status_code == 302
    db.session.refresh(staff)
    assert staff.qual_inst is None and staff.qual_level is None
    assert staff.step_up_grad is None and staff.frontline_grad is None
    page = client.get(f"/staff/{staff.id}/edit").get_data(as_text=True)
    assert 'name="step_up_grad" type="radio" value="unknown" checked' in page
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    row = page[page.index("Qualifying institution") :]
    assert row[: row.index("</dd>")].endswith("Not recorded")


def test_correcting_a_spell_sets_kss_status_and_agency_fields(client, login):
    login("hr")
    team = builders.make_team()
    staff = builders.make_staff(team, contract="agency", start=date(2021, 4, 1))
    spell = staff.spells[0]
    response = client.post(
        f"/spells/{spell.id}/edit",
        data=_spell_form(
            team,
            contract_type="agency",
            cfkss_status="3",
            covers_vacancy="y",
            contract_weeks="52.1",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(spell)
    assert (spell.cfkss_status, spell.covers_vacancy, spell.contract_weeks) == (
        "3",
        True,
        Decimal("52.1"),
    )
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert "Practice supervisor" in page and "52.1" in page
    # the move form starts from the current spell's census fields
    page = client.get(f"/staff/{staff.id}/move").get_data(as_text=True)
    assert 'value="52.1"' in page
    move_day = date.today() - timedelta(days=5)
    response = client.post(
        f"/staff/{staff.id}/move",
        data=_spell_form(team, cfkss_status="4", **_date("start_date", move_day)),
    )
    assert response.status_code == 302
    new = db.session.scalar(
        select(EmploymentSpell).where(
            EmploymentSpell.staff_id == staff.id, EmploymentSpell.start_date == move_day
        )
    )
    assert new.cfkss_status == "4" and new.covers_vacancy is False and new.contract_weeks is None


def test_a_permanent_spell_shows_no_agency_fields(client, login):
    login("hr")
    staff = builders.make_staff()
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert "KSS status" in page
    assert "Covers a vacancy" not in page and "Contract weeks" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contract_weeks": "53.5"}, "Contract weeks must be between 0 and 53"),
        ({"contract_weeks": "-1"}, "Contract weeks must be between 0 and 53"),
        ({"contract_weeks": "12.25"}, "must have no more than 1 decimal place"),
        ({"contract_weeks": "lots"}, "Not a valid decimal value"),
        ({"contract_type": "permanent"}, "Only an agency worker can be recorded as covering"),
        (
            {"contract_type": "permanent", "covers_vacancy": ""},
            "Contract weeks are recorded for agency workers only",
        ),
        ({"cfkss_status": "7"}, "Not a valid choice"),
        ({"qual_level": "9"}, "Not a valid choice"),
        ({"frontline_grad": "maybe"}, "Not a valid choice"),
        ({"qual_inst": "x" * 201}, "Field cannot be longer than 200 characters"),
    ],
)
def test_bad_census_values_are_refused_with_a_message(client, login, overrides, message):
    login("hr")
    team = builders.make_team()
    response = client.post("/staff/new", data=_new_staff_form(team, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert db.session.scalar(select(Staff).where(Staff.staff_number == "E200")) is None


def test_only_people_managers_change_census_fields_but_viewers_see_them(client, login):
    team = builders.make_team()
    manager = builders.make_staff(team, org_role="3")
    staff = builders.make_staff(
        team,
        manager=manager,
        qualified_social_worker=True,
        qual_inst="University of Hull",
        qual_level="1",
    )
    spell = staff.spells[0]
    login("supervisor", staff=manager)
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert "University of Hull" in page and "Undergraduate" in page
    assert client.get(f"/staff/{staff.id}/edit").status_code == 403
    response = client.post(
        f"/spells/{spell.id}/edit", data=_spell_form(team, cfkss_status="4", contract_weeks="1")
    )
    assert response.status_code == 403
    db.session.refresh(spell)
    assert spell.cfkss_status is None and spell.contract_weeks is None


def test_the_service_refuses_codes_outside_the_lists(db_session):
    team = builders.make_team()
    details = StaffDetails(staff_number="S1", first_name="A", last_name="B", qual_level="4")
    spell = SpellDetails(
        post_title="Social worker",
        team_id=team.id,
        contract_type="permanent",
        contracted_hours=Decimal("37"),
        start_date=date(2024, 1, 1),
    )
    with pytest.raises(ServiceError) as refused:
        service.create_staff(details, spell)
    assert refused.value.field == "qual_level"
    details.qual_level = "1"
    for change, field in (
        ({"cfkss_status": "5"}, "cfkss_status"),
        ({"contract_weeks": Decimal("54")}, "contract_weeks"),
        ({"contract_type": "agency", "contract_weeks": Decimal("1.25")}, "contract_weeks"),
        ({"covers_vacancy": True}, "covers_vacancy"),
    ):
        bad = SpellDetails(**{**vars(spell), **change})
        with pytest.raises(ServiceError) as refused:
            service.create_staff(details, bad)
        assert refused.value.field == field
    db.session.rollback()
    staff = service.create_staff(
        details, SpellDetails(**{**vars(spell), "contract_type": "agency", "covers_vacancy": True})
    )
    assert staff.qual_level == "1" and staff.spells[0].covers_vacancy is True


# --- staff export and import --------------------------------------------------------


def test_the_staff_export_carries_the_census_fields(client, login):
    login("senior_leader")  # not HR: the census fields are not personal characteristics
    team = builders.make_team("Exported")
    builders.make_staff(
        team,
        contract="agency",
        qualified_social_worker=True,
        qual_inst="Teesside University",
        qual_level="3",
        step_up_grad=True,
    )
    spell = db.session.scalar(select(EmploymentSpell))
    spell.cfkss_status, spell.covers_vacancy, spell.contract_weeks = "2", True, Decimal("12.5")
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/staff?team={team.id}&format=csv").text)))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in CENSUS_COLUMNS} == {
        "Qualifying institution": "Teesside University",
        "Qualification level": "Other",
        "Step Up graduate": "Yes",
        "Frontline graduate": "",
        "KSS status": "Frontline practitioner",
        "Covers a vacancy": "Yes",
        "Contract weeks": "12.5",
    }


def _import_row(number: str, **values: str) -> dict[str, str]:
    cells = dict.fromkeys(COLUMNS, "")
    cells.update(
        staff_number=number,
        first_name="Ada",
        last_name=f"Person{number}",
        qualified_social_worker="yes",
        post_title="Social worker",
        team="Alpha",
        org_role="5",
        contracted_hours="37",
        contract_type="agency",
        start_date="2021-04-01",
        qual_inst="University of Leeds",
        qual_level="Postgraduate",
        step_up_grad="no",
        frontline_grad="yes",
        cfkss_status="2",
        covers_vacancy="yes",
        contract_weeks="40.5",
    )
    cells.update(values)
    return cells


def test_the_staff_import_reads_the_census_columns_and_keeps_them_when_absent(db_session):
    builders.make_team("Alpha")
    plan = plan_import(pd.DataFrame([_import_row("C1")], columns=list(COLUMNS)))
    assert not plan.errors, plan.errors
    apply_import(plan, "census.csv")
    db.session.commit()
    staff = db.session.scalar(select(Staff).where(Staff.staff_number == "C1"))
    assert (staff.qual_inst, staff.qual_level, staff.step_up_grad, staff.frontline_grad) == (
        "University of Leeds",
        "2",
        False,
        True,
    )
    [spell] = staff.spells
    assert (spell.cfkss_status, spell.covers_vacancy, spell.contract_weeks) == (
        "2",
        True,
        Decimal("40.5"),
    )
    # the same file again changes nothing
    again = plan_import(pd.DataFrame([_import_row("C1")], columns=list(COLUMNS)))
    assert (again.changed_people, again.changed_spells, again.unchanged) == (0, 0, 1)
    # an older file without the census columns leaves them as they are
    older = [c for c in COLUMNS if c not in CENSUS_STAFF_FIELDS + CENSUS_SPELL_FIELDS]
    plan = plan_import(pd.DataFrame([_import_row("C1", grade="SW3")], columns=older))
    assert not plan.errors and plan.changed_spells == 1
    apply_import(plan, "older.csv")
    db.session.commit()
    db.session.refresh(staff)
    db.session.refresh(spell)
    assert staff.qual_inst == "University of Leeds" and staff.frontline_grad is True
    assert spell.grade == "SW3" and spell.contract_weeks == Decimal("40.5")
    assert spell.covers_vacancy is True


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"qual_level": "masters"}, "qual_level", "is not a census code or name"),
        ({"cfkss_status": "9"}, "cfkss_status", "is not a census code or name"),
        ({"step_up_grad": "perhaps"}, "step_up_grad", "must be yes or no"),
        ({"contract_weeks": "60"}, "contract_weeks", "must be between 0 and 53"),
        ({"contract_weeks": "4.25"}, "contract_weeks", "no more than 1 decimal place"),
        ({"contract_weeks": "many"}, "contract_weeks", "must be a number of weeks"),
        (
            {"contract_type": "permanent", "covers_vacancy": ""},
            "contract_weeks",
            "agency workers only",
        ),
        ({"contract_type": "permanent", "contract_weeks": ""}, "covers_vacancy", "agency"),
        ({"qual_inst": "x" * 201}, "qual_inst", "200 characters or fewer"),
    ],
)
def test_the_staff_import_refuses_bad_census_values(db_session, values, column, message):
    builders.make_team("Alpha")
    plan = plan_import(pd.DataFrame([_import_row("C2", **values)], columns=list(COLUMNS)))
    assert [(e.column, message in e.message) for e in plan.errors] == [(column, True)]
    apply_attempted = db.session.scalar(select(Staff).where(Staff.staff_number == "C2"))
    assert apply_attempted is None
