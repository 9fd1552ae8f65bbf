"""The DfE children's social work workforce census return: who is in it, every field on a
hand-made authority, the pre-submission check, the XML against the DfE schema, the CSV, and
importing a real-format return (then exporting it again)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from tests.builders import make_staff, make_team
from workforce.extensions import db
from workforce.models import AuditEvent, EmploymentSpell, Staff
from workforce.models.workforce_planning import (
    Absence,
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    TeamEstablishment,
)
from workforce.services import ServiceError
from workforce.services import census as census
from workforce.services import census_xml as cx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "census"
#: The DfE's schema, exactly as published (../shared/reference/csww/).
REFERENCE_XSD = FIXTURES / "social_work_workforce_2022.xsd"


@pytest.fixture(autouse=True)
def _census_settings(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "CENSUS_LA_CODE", "929")
    if not cx.SCHEMA_PATH.exists():
        # The shipped copy is checked by test_shipped_schema_is_the_dfe_schema.
        monkeypatch.setattr(cx, "SCHEMA_PATH", REFERENCE_XSD)


def reference_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFERENCE_XSD)))


def test_shipped_schema_is_the_dfe_schema() -> None:
    shipped = cx.SEEDS_DIR / "csww" / "social_work_workforce_2022.xsd"
    assert shipped.exists(), f"copy the DfE schema to {shipped}"
    assert shipped.read_bytes() == REFERENCE_XSD.read_bytes()


# --- a hand-made authority, census year 2024 (1 October 2023 to 30 September 2024) ---------


def spell(staff: Staff, team: Any, **values: Any) -> EmploymentSpell:
    defaults = {
        "post_title": "Social worker",
        "org_role": "5",
        "contracted_hours": Decimal("37"),
        "standard_hours": Decimal("37"),
        "contract_type": "permanent",
    }
    defaults.update(values)
    made = EmploymentSpell(staff_id=staff.id, team_id=team.id, **defaults)
    db.session.add(made)
    db.session.commit()
    return made


def person(team: Any, swe: str | None, **values: Any) -> Staff:
    """A person with census details and one spell (the builder's), adjusted by ``values``."""
    spell_values = {
        k: values.pop(k)
        for k in list(values)
        if k in ("start", "end", "hours", "contract", "org_role", "leaving_reason")
    }
    details = {
        "swe_number": swe,
        "date_of_birth": date(1985, 3, 14),
        "gender": "2",
        "ethnicity": "WBRI",
        "qual_inst": "University of Northumbria",
        "qual_level": "1",
        "step_up_grad": False,
        "frontline_grad": False,
        "qualified_social_worker": True,
    }
    details.update(values)
    return make_staff(team, **spell_values, **details)


def first_spell(staff: Staff) -> EmploymentSpell:
    return db.session.scalars(
        select(EmploymentSpell)
        .where(EmploymentSpell.staff_id == staff.id)
        .order_by(EmploymentSpell.start_date)
    ).first()


def snapshot(staff: Staff, taken_on: date, *counts: int) -> None:
    case_type = db.session.scalar(select(CaseType).where(CaseType.code == "cin"))
    if case_type is None:
        case_type = CaseType(code="cin", label="Child in need", position=1)
        db.session.add(case_type)
        db.session.flush()
    snap = CaseloadSnapshot(staff_id=staff.id, taken_on=taken_on)
    snap.counts = [
        CaseloadCount(case_type_id=case_type.id, tier=tier, cases=n)
        for tier, n in enumerate(counts, start=1)
    ]
    db.session.add(snap)
    db.session.commit()


def absence(staff: Staff, start: date, end: date | None, days: str, reason: str) -> None:
    db.session.add(
        Absence(
            staff_id=staff.id,
            start_date=start,
            end_date=end,
            working_days_lost=Decimal(days),
            reason=reason,
        )
    )
    db.session.commit()


@pytest.fixture
def authority(db_session: Any) -> dict[str, Any]:
    team_a = make_team("Assessment North")
    team_b = make_team("Children in Care")
    db.session.add_all(
        [
            TeamEstablishment(
                team_id=team_a.id, effective_from=date(2023, 1, 1), funded_fte=Decimal("4")
            ),
            TeamEstablishment(
                team_id=team_a.id, effective_from=date(2024, 4, 1), funded_fte=Decimal("5")
            ),
            TeamEstablishment(
                team_id=team_a.id, effective_from=date(2024, 10, 1), funded_fte=Decimal("9")
            ),
            TeamEstablishment(
                team_id=team_b.id, effective_from=date(2023, 1, 1), funded_fte=Decimal("1")
            ),
        ]
    )
    db.session.commit()
    people: dict[str, Any] = {"team_a": team_a, "team_b": team_b}

    alice = person(team_a, "SW0000000001", start=date(2020, 1, 6), last_name="Ashby")
    first_spell(alice).start_origin = "2"
    first_spell(alice).cfkss_status = "2"
    db.session.commit()
    snapshot(alice, date(2024, 6, 30), 10)
    snapshot(alice, date(2024, 9, 15), 8, 4)
    snapshot(alice, date(2024, 10, 15), 99)
    absence(alice, date(2024, 2, 5), date(2024, 2, 9), "5", "SIC")
    absence(alice, date(2024, 9, 2), None, "20", "MAT")
    people["alice"] = alice

    # Bob moved from case holder in team A to senior practitioner in team B, part time.
    bob = person(
        team_a, "SW0000000002", start=date(2019, 5, 1), end=date(2024, 3, 31), last_name="Bell"
    )
    first_spell(bob).start_origin = "5"
    spell(bob, team_b, org_role="4", contracted_hours=Decimal("30"), start_date=date(2024, 4, 1))
    absence(bob, date(2023, 9, 25), date(2023, 10, 6), "10", "SIC")
    people["bob"] = bob

    carol = person(
        team_a,
        "SW0000000003",
        start=date(2021, 1, 4),
        end=date(2024, 6, 30),
        leaving_reason="1",
        last_name="Cole",
    )
    first_spell(carol).leaver_destination = "1"
    first_spell(carol).start_origin = "1"
    db.session.commit()
    people["carol"] = carol

    dan = person(
        team_a, "SW0000000004", start=date(2024, 7, 1), contract="agency", last_name="Dunn"
    )
    first_spell(dan).covers_vacancy = True
    first_spell(dan).contract_weeks = Decimal("13")
    db.session.commit()
    snapshot(dan, date(2024, 9, 20), 11)
    people["dan"] = dan

    erin = person(
        team_a,
        "SW0000000005",
        start=date(2024, 1, 8),
        contract="agency",
        hours="18.5",
        last_name="Eade",
    )
    first_spell(erin).contract_weeks = Decimal("38.5")
    db.session.commit()
    people["erin"] = erin

    people["fay"] = person(
        team_a,
        "SW0000000006",
        start=date(2024, 1, 8),
        end=date(2024, 8, 31),
        contract="agency",
        last_name="Fenn",
    )

    gus = person(
        team_b,
        "SW0000000007",
        start=date(2018, 1, 1),
        org_role="3",
        hours="18.5",
        last_name="Gray",
    )
    first_spell(gus).start_origin = "2"
    spell(
        gus,
        team_a,
        contracted_hours=Decimal("18.5"),
        start_date=date(2022, 1, 1),
        start_origin="8",
    )
    absence(gus, date(2024, 5, 13), date(2024, 5, 15), "3", "OTH")
    people["gus"] = gus

    people["hal"] = person(
        team_a,
        "SW0000000008",
        start=date(2019, 1, 1),
        end=date(2023, 9, 1),
        leaving_reason="1",
        last_name="Hale",
    )
    people["ivy"] = person(team_a, None, org_role=None, last_name="Ivens")

    jo = person(
        team_a, "SW0000000010", start=date(2020, 1, 1), end=date(2024, 1, 31), last_name="Jones"
    )
    spell(
        jo, team_a, org_role=None, post_title="Family support worker", start_date=date(2024, 2, 1)
    )
    people["jo"] = jo
    return people


def by_name(result: census.CensusReturn) -> dict[str, list[census.WorkerRecord]]:
    found: dict[str, list[census.WorkerRecord]] = {}
    for record in result.records:
        found.setdefault(record.name.split(",")[0], []).append(record)
    return found


def test_who_is_in_the_return(authority: dict[str, Any]) -> None:
    result = census.build_return(2024)
    records = by_name(result)
    assert sorted(records) == ["Ashby", "Bell", "Cole", "Dunn", "Eade", "Gray", "Jones"]
    assert len(records["Gray"]) == 2  # two posts held at once: two records
    assert len(records["Bell"]) == 1  # a move inside the LA is one record


def test_every_field_of_a_permanent_case_holder(authority: dict[str, Any]) -> None:
    (alice,) = by_name(census.build_return(2024))["Ashby"]
    assert alice.values == {
        "AgencyWorker": ["0"],
        "SWENo": ["SW0000000001"],
        "FTE": ["1.000000"],
        "PersonBirthDate": ["1985-03-14"],
        "GenderCurrent": ["2"],
        "Ethnicity": ["WBRI"],
        "QualInst": ["University of Northumbria"],
        "QualLevel": ["1"],
        "StepUpGrad": ["0"],
        "OrgRole": ["5"],
        "RoleStartDate": ["2020-01-06"],
        "StartOrigin": ["2"],
        "FTE30": ["1.000000"],
        "Cases30": ["12"],  # the latest snapshot on or before 30 September: 8 + 4
        "WorkingDaysLost": ["25.00"],  # 5 sick + 20 maternity (open: runs to 30 September)
        "FrontlineGrad": ["0"],
        "Absat30Sept": ["1"],
        "ReasonAbsence": ["SIC", "MAT"],
        "CFKSSstatus": ["2"],
    }
    assert list(alice.values) == [n for n in cx.WORKER_ELEMENTS if n in alice.values]


def test_a_move_keeps_the_first_start_and_takes_the_latest_role(
    authority: dict[str, Any],
) -> None:
    (bob,) = by_name(census.build_return(2024))["Bell"]
    assert bob.values["RoleStartDate"] == ["2019-05-01"]
    assert bob.values["StartOrigin"] == ["5"]
    assert bob.values["OrgRole"] == ["4"]
    assert bob.values["FTE"] == bob.values["FTE30"] == ["0.810811"]  # 30 / 37
    assert "RoleEndDate" not in bob.values
    # 10 days lost from Monday 25 September to Friday 6 October 2023: 5 weekdays of 10 fall
    # in the census year.
    assert bob.values["WorkingDaysLost"] == ["5.00"]
    assert bob.values["Absat30Sept"] == ["0"]


def test_leavers(authority: dict[str, Any]) -> None:
    records = by_name(census.build_return(2024))
    (carol,) = records["Cole"]
    assert carol.values["RoleEndDate"] == ["2024-06-30"]
    assert carol.values["ReasonLeave"] == ["1"]
    assert carol.values["LeaverDestination"] == ["1"]
    assert carol.values["FTE"] == ["1.000000"]
    assert "FTE30" not in carol.values and "Absat30Sept" not in carol.values
    assert not carol.in_post
    (jo,) = records["Jones"]
    assert jo.values["RoleEndDate"] == ["2024-01-31"]
    assert jo.values["ReasonLeave"] == ["7"]  # moved to a post outside the census


def test_agency_workers(authority: dict[str, Any]) -> None:
    result = census.build_return(2024)
    records = by_name(result)
    (dan,) = records["Dunn"]
    assert dan.values["AgencyWorker"] == ["1"]
    assert dan.values["FTE30"] == ["1.000000"]
    assert dan.values["ContractWeeks"] == ["13.0"]
    assert dan.values["Cases30"] == ["11"]
    for absent in ("WorkingDaysLost", "ReasonAbsence", "Absat30Sept", "RoleEndDate"):
        assert absent not in dan.values
    (erin,) = records["Eade"]
    assert erin.values["FTE30"] == ["0.500000"]
    assert erin.values["ContractWeeks"] == ["38.5"]
    # Only Dan covers a vacancy.
    assert result.vacancies["NoAgencyFTE"] == "1.00"
    assert result.vacancies["NoAgencyHeadcount"] == "1"


def test_two_roles_count_cases_and_absence_once(authority: dict[str, Any]) -> None:
    manager, case_holder = sorted(
        by_name(census.build_return(2024))["Gray"], key=lambda r: r.values["OrgRole"]
    )
    assert manager.values["OrgRole"] == ["3"]
    assert manager.values["WorkingDaysLost"] == ["3.00"]
    assert manager.values["ReasonAbsence"] == ["OTH"]
    assert case_holder.values["OrgRole"] == ["5"]
    assert case_holder.values["RoleStartDate"] == ["2022-01-01"]
    assert case_holder.values["StartOrigin"] == ["8"]
    assert "WorkingDaysLost" not in case_holder.values
    assert manager.values["FTE30"] == case_holder.values["FTE30"] == ["0.500000"]


def test_vacancies_per_team_never_below_nothing(authority: dict[str, Any]) -> None:
    result = census.build_return(2024)
    # Team A: 5 funded on 30 September (the 2024-04-01 record) less Alice 1.0 and Gus 0.5
    # = 3.5. Team B: 1 funded less Bob 0.810811 and Gus 0.5: over-filled, so 0.
    assert result.vacancies["NumberOfVacancies"] == "3.50"


def test_the_xml_validates_against_the_dfe_schema(authority: dict[str, Any]) -> None:
    result = census.build_return(2024)
    content = census.return_xml(result)
    tree = etree.fromstring(content)
    schema = reference_schema()
    assert schema.validate(tree), schema.error_log
    assert tree.findtext("Header/Source/LEA") == "929"
    assert tree.findtext("Header/CollectionDetails/ReferenceDate") == "2024-09-30"
    assert tree.findtext("LALevelVacancies/NumberOfVacancies") == "3.50"
    assert len(tree.findall("CSWWWorker")) == 8
    alice = next(w for w in tree.iterfind("CSWWWorker") if w.findtext("SWENo") == "SW0000000001")
    assert [c.tag for c in alice] == [
        n for n in cx.WORKER_ELEMENTS for _ in range(len(result.records[0].values.get(n, [])))
    ]


def test_the_csv_has_the_same_rows(authority: dict[str, Any]) -> None:
    erin = authority["erin"]
    erin.qual_inst = '=HYPERLINK("http://x")'
    db.session.commit()
    result = census.build_return(2024)
    text = "".join(census.csv_chunks(result)).removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(cx.WORKER_ELEMENTS)
    assert len(rows) == len(result.records) == 8
    alice = next(r for r in rows if r["SWENo"] == "SW0000000001")
    assert alice["ReasonAbsence"] == "SIC; MAT"
    assert alice["Cases30"] == "12"
    assert next(r for r in rows if r["SWENo"] == "SW0000000005")["QualInst"].startswith("'=")


# --- the pre-submission check ---------------------------------------------------------------


def problems_of(result: census.CensusReturn, name: str) -> dict[str, str]:
    return {p.field: p.severity for p in result.problems if p.name.startswith(name)}


def test_the_check_lists_missing_and_invalid_fields(authority: dict[str, Any]) -> None:
    alice, carol = authority["alice"], authority["carol"]
    alice.swe_number = None
    alice.ethnicity = "XXXX"
    alice.qual_inst = None
    carol.date_of_birth = None
    first_spell(carol).leaver_destination = None
    db.session.commit()
    result = census.build_return(2024)
    assert problems_of(result, "Ashby") == {
        "SWENo": "error",
        "Ethnicity": "error",
        "QualInst": "error",
    }
    assert problems_of(result, "Cole") == {
        "PersonBirthDate": "warning",
        "LeaverDestination": "warning",
    }
    assert problems_of(result, "Jones") == {
        "ReasonLeave": "warning",
        "LeaverDestination": "warning",
        "StartOrigin": "warning",
    }
    # Erin is an agency case holder in post with no caseload snapshot.
    assert problems_of(result, "Eade") == {"Cases30": "warning"}
    grouped = result.by_person()
    assert grouped[0][0][2] == "Ashby, First" or grouped[0][0][0] == alice.id
    with pytest.raises(census.CensusNotReady) as refused:
        census.export_return(2024, "xml", accept_warnings=True)
    assert "3 error(s)" in refused.value.message


def test_warnings_stop_the_export_until_accepted(authority: dict[str, Any]) -> None:
    result = census.build_return(2024)
    assert not result.errors
    assert result.warnings
    with pytest.raises(census.CensusNotReady):
        census.export_return(2024, "xml")
    content, _ = census.export_return(2024, "xml", accept_warnings=True)
    assert reference_schema().validate(etree.fromstring(content))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Census")).one()
    assert event.action == "export"
    assert event.changes["warnings_accepted"] == len(result.warnings)


def test_no_la_code_no_export(authority: dict[str, Any], app: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "CENSUS_LA_CODE", None)
    result = census.build_return(2024)
    assert any(p.field == "LEA" and p.severity == "error" for p in result.problems)
    with pytest.raises(census.CensusNotReady, match="CENSUS_LA_CODE"):
        census.export_return(2024, "xml", accept_warnings=True)
    monkeypatch.setitem(app.config, "CENSUS_LA_CODE", "92")
    with pytest.raises(ServiceError, match="three-digit"):
        census.return_xml(census.build_return(2024))


def test_days_lost_share_of_the_year() -> None:
    first, reference = census.year_bounds(2024)
    assert census.weekdays(date(2024, 9, 23), date(2024, 9, 29)) == 5
    assert census.days_lost_in_year(
        date(2024, 9, 23), date(2024, 10, 4), Decimal("10"), first, reference
    ) == Decimal("6")  # Monday 23 to Monday 30 September: 6 of its 10 weekdays
    assert census.days_lost_in_year(
        date(2023, 1, 2), date(2023, 1, 6), Decimal("5"), first, reference
    ) == Decimal("0")


# --- importing a previous year's return ------------------------------------------------------


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def compared(values: dict[str, list[str]]) -> dict[str, list[str]]:
    """A record's loaded elements (what an import keeps), with the SWE number upper-cased."""
    kept = {k: v for k, v in values.items() if k not in census.NOT_LOADED}
    kept["SWENo"] = [kept["SWENo"][0].upper()]
    return kept


def workers(content: bytes) -> list[dict[str, list[str]]]:
    tree, problems = cx.check(content)
    assert not problems
    return sorted(
        (compared(w) for w in cx.parse(tree).workers),
        key=lambda w: (w["SWENo"], w["RoleStartDate"]),
    )


def test_import_a_real_format_return_then_export_the_same_workers(db_session: Any) -> None:
    content = fixture_bytes("csww_2022_return.xml")
    plan = census.plan_census_import(content)
    assert not plan.problems
    assert plan.records == 7
    assert len(plan.new_people) == 6
    assert len(plan.new_spells) == 7
    census.apply_census_import(plan, source="csww_2022_return.xml")
    db.session.commit()
    six = db.session.scalar(select(Staff).where(Staff.swe_number == "SW1000000006"))
    assert six.staff_number == "CSWW-SW1000000006"
    assert six.gender == "9" and six.step_up_grad is True
    (six_spell,) = six.spells
    assert six_spell.fte == Decimal("0.833333")  # 30 hours of a 36-hour week
    two = db.session.scalar(select(Staff).where(Staff.swe_number == "SW1000000002"))
    assert two.qual_inst == "Durham University; Open University"
    exported, _ = census.export_return(2022, "xml", accept_warnings=True)
    assert reference_schema().validate(etree.fromstring(exported))
    assert workers(exported) == workers(content)
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "Census", AuditEvent.action == "import")
    ).one()
    assert audit.changes["new_spells"] == 7


def test_reimporting_changes_nothing(db_session: Any) -> None:
    content = fixture_bytes("csww_2022_return.xml")
    census.apply_census_import(census.plan_census_import(content), source="first")
    db.session.commit()
    people = db.session.scalar(select(func.count(Staff.id)))
    spells = db.session.scalar(select(func.count(EmploymentSpell.id)))
    again = census.plan_census_import(content)
    assert not again.problems
    assert not again.changes_anything
    assert len(again.held) == 7
    census.apply_census_import(again, source="second")
    db.session.commit()
    assert db.session.scalar(select(func.count(Staff.id))) == people
    assert db.session.scalar(select(func.count(EmploymentSpell.id))) == spells


def test_import_matches_known_people_by_swe_number(db_session: Any) -> None:
    team = make_team("Assessment")
    known = make_staff(
        team,
        start=date(2016, 9, 1),
        swe_number="SW1000000001",
        gender="1",
        qualified_social_worker=True,
    )
    plan = census.plan_census_import(fixture_bytes("csww_2022_return.xml"))
    assert "SW1000000001" not in plan.new_people
    changes = {c.field: (c.old, c.new) for c in plan.changes if c.swe_number == "SW1000000001"}
    assert changes["gender"] == ("1", "2")
    assert changes["ethnicity"] == ("(none)", "WBRI")
    # The return's spell from 2016-09-05 overlaps the one held from 2016-09-01.
    assert [h[0] for h in plan.held] == ["SW1000000001"]
    census.apply_census_import(plan, source="test", team_id=team.id)
    db.session.commit()
    db.session.refresh(known)
    assert known.gender == "2"
    assert len(known.spells) == 1
    assert db.session.scalar(select(func.count(Staff.id))) == 6  # the known one and 5 new


def test_a_file_failing_the_schema_is_rejected_with_its_locations(db_session: Any) -> None:
    plan = census.plan_census_import(fixture_bytes("csww_2022_invalid.xml"))
    assert [p.line for p in plan.problems] == [17, 18, 19, 26]
    assert "SWENo" in plan.problems[0].message and "pattern" in plan.problems[0].message
    assert "GenderCurrent" in plan.problems[2].message
    with pytest.raises(ValueError, match="cannot be imported"):
        census.apply_census_import(plan, source="bad")
    assert db.session.scalar(select(func.count(Staff.id))) == 0
    broken = census.plan_census_import(b"<Message><CSWWWorker></Message>")
    assert broken.problems[0].line == 1
    assert "not well-formed" in broken.problems[0].message


def test_entities_are_not_resolved(db_session: Any, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SW9999999999")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Message><LALevelVacancies><NumberOfVacancies>0</NumberOfVacancies>"
        "<NoAgencyFTE>0</NoAgencyFTE><NoAgencyHeadcount>0</NoAgencyHeadcount>"
        "</LALevelVacancies><CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>&x;</SWENo>"
        "<QualInst>x</QualInst></CSWWWorker></Message>"
    ).encode()
    plan = census.plan_census_import(content)
    assert plan.problems  # the entity stays unresolved, so SWENo fails the schema
    assert db.session.scalar(select(func.count(Staff.id))) == 0


# --- command line ------------------------------------------------------------------------------


def test_cli_export_and_import(app: Any, authority: dict[str, Any], tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    output = tmp_path / "return.xml"
    refused = runner.invoke(args=["export", "census", "--year", "2024", "--output", str(output)])
    assert refused.exit_code == 1
    assert "warning" in refused.output
    assert not output.exists()
    done = runner.invoke(
        args=[
            "export",
            "census",
            "--year",
            "2024",
            "--output",
            str(output),
            "--accept-warnings",
        ]
    )
    assert done.exit_code == 0, done.output
    assert reference_schema().validate(etree.parse(str(output)))
    as_csv = tmp_path / "return.csv"
    done = runner.invoke(
        args=[
            "export",
            "census",
            "--year",
            "2024",
            "--output",
            str(as_csv),
            "--format",
            "csv",
            "--accept-warnings",
        ]
    )
    assert done.exit_code == 0, done.output
    assert as_csv.read_text(encoding="utf-8-sig").startswith("AgencyWorker,SWENo,FTE,")

    bad = runner.invoke(args=["import", "census", str(FIXTURES / "csww_2022_invalid.xml")])
    assert bad.exit_code == 1
    assert "line 17" in bad.output
    dry = runner.invoke(
        args=["import", "census", str(FIXTURES / "csww_2022_return.xml"), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "6 new people" in dry.output
    assert db.session.scalar(select(func.count(Staff.id))) == 10
    real = runner.invoke(args=["import", "census", str(FIXTURES / "csww_2022_return.xml")])
    assert real.exit_code == 0, real.output
    assert db.session.scalar(select(func.count(Staff.id))) == 16
