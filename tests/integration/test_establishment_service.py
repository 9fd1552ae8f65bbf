"""Team establishment and absence records through ``workforce.services.establishment``:
what is saved, and every refusal with its message and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import EmploymentSpell
from workforce.models.workforce_planning import Absence, TeamEstablishment
from workforce.services import ServiceError
from workforce.services import establishment as service

D = Decimal


@pytest.fixture
def team(db_session: Any) -> Any:
    return builders.make_team("Assessment team")


def establish(team: Any, day: date, fte: Any) -> TeamEstablishment:
    return service.add_establishment(service.EstablishmentDetails(team.id, day, fte))


def refusal(change: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        change()
    db.session.rollback()
    return caught.value


def test_establishment_is_saved_and_history_is_latest_first(team):
    establish(team, date(2023, 4, 1), "5")
    establish(team, date(2024, 4, 1), "6.25")
    db.session.commit()
    history = service.establishment_history(team.id)
    assert [(r.effective_from, r.funded_fte) for r in history] == [
        (date(2024, 4, 1), D("6.25")),
        (date(2023, 4, 1), D("5.00")),
    ]


@pytest.mark.parametrize(
    ("fte", "message"),
    [
        ("-1", "The funded FTE cannot be negative"),
        ("twelve", "The funded FTE must be a number, like 12.5"),
        ("", "Enter the funded FTE"),
        ("1.234", "The funded FTE can have at most 2 decimal places"),
        ("10000", "The funded FTE must be less than 10,000"),
        ("NaN", "The funded FTE must be a number, like 12.5"),
    ],
)
def test_bad_funded_fte_is_refused(team, fte, message):
    error = refusal(lambda: establish(team, date(2024, 4, 1), fte))
    assert (error.message, error.field) == (message, "funded_fte")
    assert db.session.scalar(select(func.count()).select_from(TeamEstablishment)) == 0


def test_two_records_for_one_team_and_date_are_refused(team):
    establish(team, date(2024, 4, 1), "6")
    db.session.commit()
    error = refusal(lambda: establish(team, date(2024, 4, 1), "7"))
    assert error.field == "effective_from"
    assert error.message == (
        "Assessment team already has an establishment from 1 April 2024: change that record instead"
    )
    other = builders.make_team("Other team")
    establish(other, date(2024, 4, 1), "2")  # another team may use the date


def test_update_and_delete_establishment(team):
    first = establish(team, date(2023, 4, 1), "5")
    second = establish(team, date(2024, 4, 1), "6")
    db.session.commit()
    error = refusal(
        lambda: service.update_establishment(
            second, service.EstablishmentDetails(None, date(2023, 4, 1), "6")
        )
    )
    assert error.field == "effective_from"
    service.update_establishment(first, service.EstablishmentDetails(None, date(2023, 5, 1), "4.5"))
    db.session.commit()
    assert (first.effective_from, first.funded_fte, first.team_id) == (
        date(2023, 5, 1),
        D("4.50"),
        team.id,
    )
    service.delete_establishment(second)
    db.session.commit()
    assert [r.id for r in service.establishment_history(team.id)] == [first.id]


def test_team_positions_count_fte_in_post_and_vacancies(team):
    builders.make_staff(team, start=date(2020, 1, 6))
    builders.make_staff(team, start=date(2020, 1, 6), hours="18.5")
    builders.make_staff(team, start=date(2020, 1, 6), contract="agency")  # not in post
    builders.make_staff(team, start=date(2020, 1, 6), org_role=None)  # outside the census
    builders.make_staff(team, start=date(2020, 1, 6), end=date(2024, 9, 30))  # leaves that day
    establish(team, date(2024, 4, 1), "4")
    establish(team, date(2024, 10, 1), "9")  # later
    empty = builders.make_team("Empty team")
    db.session.commit()
    positions = {p.team.name: p for p in service.team_positions(date(2024, 9, 30))}
    mine = positions["Assessment team"]
    assert (mine.funded_fte, mine.since, mine.in_post_fte, mine.headcount) == (
        D("4"),
        date(2024, 4, 1),
        D("1.50"),
        2,
    )
    assert (mine.vacancies_fte, mine.vacancy_rate) == (D("2.5"), D("0.625"))
    assert positions[empty.name].funded_fte is None
    assert positions[empty.name].vacancies_fte is None


@pytest.fixture
def worker(team: Any) -> Any:
    return builders.make_staff(team, start=date(2022, 1, 10), end=date(2024, 12, 31))


def absent(worker: Any, start: Any, end: Any, days: Any = "3", reason: Any = "SIC") -> Absence:
    return service.add_absence(service.AbsenceDetails(worker.id, start, end, days, reason))


def test_absence_is_saved(worker):
    saved = absent(worker, date(2024, 1, 8), date(2024, 1, 12), "4.5", "SIC")
    db.session.commit()
    assert (saved.working_days_lost, saved.reason) == (D("4.5"), "SIC")


@pytest.mark.parametrize(
    ("start", "end", "days", "reason", "field", "message"),
    [
        (
            date(2024, 1, 8),
            date(2024, 1, 12),
            "-1",
            "SIC",
            "working_days_lost",
            "The working days lost cannot be negative",
        ),
        (
            date(2024, 1, 12),
            date(2024, 1, 8),
            "1",
            "SIC",
            "end_date",
            "The last day must be on or after the first day",
        ),
        (
            date(2024, 1, 8),
            date(2024, 1, 12),
            "1",
            "XYZ",
            "reason",
            "Choose a census absence reason: MAT, OTH, PUB, SIC, TRN, UNA, UNP",
        ),
        (
            date(2024, 1, 8),
            date(2024, 1, 9),
            "3",
            "SIC",
            "working_days_lost",
            "The working days lost cannot be more than the 2 calendar days of the absence",
        ),
        (
            date(2024, 1, 8),
            date(2024, 1, 9),
            "1.25",
            "SIC",
            "working_days_lost",
            "The working days lost can have at most one decimal place",
        ),
        (
            date(2021, 12, 20),
            date(2022, 1, 14),
            "5",
            "SIC",
            "start_date",
            "This person was not employed on 20 December 2021",
        ),
        (
            date(2024, 12, 20),
            date(2025, 1, 10),
            "5",
            "SIC",
            "end_date",
            "This person was not employed throughout: they were not employed on 10 January 2025",
        ),
        (
            date(2024, 12, 20),
            None,
            "5",
            "SIC",
            "end_date",
            "An absence that has not ended needs someone still employed: enter the last day",
        ),
    ],
)
def test_bad_absences_are_refused(worker, start, end, days, reason, field, message):
    error = refusal(lambda: absent(worker, start, end, days, reason))
    assert (error.field, error.message) == (field, message)
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 0


def test_absence_may_run_across_a_move_but_not_overlap_another(worker, team):
    # The person moves team on 1 March 2023: one employment, two posts.
    spell = db.session.scalars(
        select(EmploymentSpell).where(EmploymentSpell.staff_id == worker.id)
    ).one()
    other_end = spell.end_date
    spell.end_date = date(2023, 2, 28)
    db.session.add(
        EmploymentSpell(
            staff_id=worker.id,
            post_title="Senior social worker",
            org_role="4",
            contracted_hours=D("37"),
            standard_hours=D("37"),
            contract_type="permanent",
            team_id=team.id,
            start_date=date(2023, 3, 1),
            end_date=other_end,
        )
    )
    db.session.commit()
    absent(worker, date(2023, 2, 20), date(2023, 3, 10), "14")
    db.session.commit()
    error = refusal(lambda: absent(worker, date(2023, 3, 10), date(2023, 3, 12), "1", "TRN"))
    assert error.field == "start_date"
    assert error.message.startswith("This overlaps another absence of the same person")


def test_update_and_delete_absence(worker):
    saved = absent(worker, date(2024, 1, 8), date(2024, 1, 12), "5")
    later = absent(worker, date(2024, 2, 5), date(2024, 2, 6), "2", "TRN")
    db.session.commit()
    # Changing a record does not clash with itself.
    service.update_absence(
        saved, service.AbsenceDetails(None, date(2024, 1, 8), date(2024, 1, 10), "3", "SIC")
    )
    db.session.commit()
    assert (saved.end_date, saved.working_days_lost) == (date(2024, 1, 10), D("3.0"))
    error = refusal(
        lambda: service.update_absence(
            saved, service.AbsenceDetails(None, date(2024, 1, 8), date(2024, 2, 5), "3", "SIC")
        )
    )
    assert error.message.startswith("This overlaps another absence")
    service.delete_absence(later)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 1


def test_absence_filters(worker, team):
    other_team = builders.make_team("Other team")
    other = builders.make_staff(other_team, start=date(2020, 1, 6), first_name="Zed")
    absent(worker, date(2024, 1, 8), date(2024, 1, 12), "5", "SIC")
    absent(other, date(2024, 3, 4), date(2024, 3, 4), "1", "TRN")
    db.session.commit()

    def found(**chosen: Any) -> list[int]:
        query = service.absence_query(service.AbsenceFilter(**chosen))
        return [a.staff_id for a in db.session.scalars(query)]

    assert found() == [other.id, worker.id]
    assert found(team_id=team.id) == [worker.id]
    assert found(reason="TRN") == [other.id]
    assert found(start=date(2024, 2, 1)) == [other.id]
    assert found(end=date(2024, 2, 1)) == [worker.id]
    assert found(name="zed") == [other.id]
