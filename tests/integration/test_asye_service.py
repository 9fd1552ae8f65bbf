"""The ASYE service: enrolment, the year's record, its refusals and the enrolment view."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.builders import load_caseload_defaults, make_staff, make_team, make_user
from workforce.extensions import db
from workforce.models import Staff
from workforce.models.asye import AsyeEnrolment, AsyeProgramme
from workforce.models.supervision import SupervisionAttendee, SupervisionSession
from workforce.models.workforce_planning import CaseloadSnapshot
from workforce.services import ServiceError
from workforce.services import asye as service

START = date(2026, 1, 5)
TODAY = date(2026, 5, 1)


def make_enrolment(**values: Any) -> AsyeEnrolment:
    """An NQSW enrolled from ``START`` with an assessor and a line manager (committed)."""
    service.load_default_programme()
    team = make_team()
    manager = values.pop("line_manager", None) or make_staff(team)
    nqsw = values.pop("staff", None) or make_staff(team, manager=manager, start=START)
    assessor = values.pop("assessor", None) or make_user("supervisor")
    enrolment = service.enrol(
        nqsw,
        start_date=values.pop("start_date", START),
        contracted_hours=values.pop("contracted_hours", "37"),
        cohort_name=values.pop("cohort_name", "January 2026"),
        assessor=assessor,
        line_manager=manager,
        today=values.pop("today", TODAY),
    )
    db.session.commit()
    return enrolment


def supervise(staff: Staff, *days: date) -> None:
    """Held supervision sessions of ``staff`` on ``days`` (committed)."""
    supervisor = make_staff()
    for day in days:
        session = SupervisionSession(
            supervisor_id=supervisor.id, kind="one_to_one", held_on=day, outcome="held"
        )
        session.attendees = [SupervisionAttendee(staff_id=staff.id)]
        db.session.add(session)
    db.session.commit()


def refused(field: str, call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    assert caught.value.field == field, caught.value.message
    return caught.value.message


def test_default_programme_loads_once(db_session: Any) -> None:
    assert service.load_default_programme() == 1
    assert service.load_default_programme() == 0
    programme = service.programme_on(date(2026, 1, 1))
    assert programme is not None
    assert [p[0] for p in service.review_points(programme)][-1] == "moderation"
    assert service.evidence_requirements(programme)["observation"][1] == 3
    assert service.programme_on(date(2010, 1, 1)) is None


def test_enrol_new_cohort_and_refusals(db_session: Any) -> None:
    enrolment = make_enrolment()
    assert enrolment.cohort.name == "January 2026"
    assert enrolment.programme.name == "Child and family ASYE"
    other = make_staff()
    assert "already enrolled" in refused(
        "staff_id",
        service.enrol,
        enrolment.staff,
        start_date=START,
        contracted_hours="37",
        cohort=enrolment.cohort,
        today=TODAY,
    )
    assert "more than a year" in refused(
        "start_date",
        service.enrol,
        other,
        start_date=TODAY + timedelta(days=400),
        contracted_hours="37",
        cohort_name="Later",
        today=TODAY,
    )
    for hours in ("0", "49", "-3", "lots"):
        refused(
            "contracted_hours",
            service.enrol,
            other,
            start_date=START,
            contracted_hours=hours,
            cohort_name="January 2026",
            today=TODAY,
        )
    # A cohort named again is the same cohort.
    again = service.enrol(
        other, start_date=START, contracted_hours="30", cohort_name="january 2026", today=TODAY
    )
    assert again.cohort_id == enrolment.cohort_id


def test_enrol_refused_without_programme(db_session: Any) -> None:
    staff = make_staff()
    message = refused(
        "start_date",
        service.enrol,
        staff,
        start_date=START,
        contracted_hours="37",
        cohort_name="X",
        today=TODAY,
    )
    assert "No ASYE programme" in message


def test_review_before_start_refused(db_session: Any) -> None:
    enrolment = make_enrolment()
    user = enrolment.assessor
    message = refused(
        "held_on",
        service.record_review,
        enrolment,
        user,
        point="review_3",
        held_on=START - timedelta(days=1),
        judgement="on_track",
        today=TODAY,
    )
    assert "before the ASYE starts" in message
    refused(
        "point",
        service.record_review,
        enrolment,
        user,
        point="review_99",
        held_on=TODAY,
        judgement="on_track",
        today=TODAY,
    )
    review = service.record_review(
        enrolment,
        user,
        point="review_3",
        held_on=date(2026, 4, 6),
        judgement="some_concerns",
        development_plan="More direct work",
        today=TODAY,
    )
    db.session.commit()
    view = service.enrolment_view(enrolment, TODAY)
    row = next(r for r in view.reviews if r.code == "review_3")
    assert row.review is review and row.status == "held"
    assert view.latest_judgement == "some_concerns"


def test_review_starts_asye_assessment(db_session: Any) -> None:
    enrolment = make_enrolment()
    hr = make_user("hr")
    review = service.record_review(
        enrolment,
        hr,
        point="agreement",
        held_on=START,
        judgement="on_track",
        start_ratings=True,
        today=TODAY,
    )
    db.session.commit()
    assert review.assessment is not None
    assert review.assessment.kind == "asye_review"
    assert review.assessment.level.name == "ASYE"


def test_evidence_outside_programme_refused(db_session: Any) -> None:
    enrolment = make_enrolment()
    assert "before the ASYE starts" in refused(
        "dated",
        service.add_evidence,
        enrolment,
        kind="observation",
        dated=START - timedelta(days=1),
        title="Home visit",
        today=TODAY,
    )
    assert "completion deadline" in refused(
        "dated",
        service.add_evidence,
        enrolment,
        kind="observation",
        dated=date(2028, 1, 6),
        title="Home visit",
        today=date(2028, 2, 1),
    )
    refused(
        "kind",
        service.add_evidence,
        enrolment,
        kind="selfie",
        dated=TODAY,
        title="x",
        today=TODAY,
    )
    domains = service.pcf_domains()
    evidence = service.add_evidence(
        enrolment,
        kind="observation",
        dated=date(2026, 3, 2),
        title="Home visit",
        domain_ids=[domains[0].id, domains[2].id],
        today=TODAY,
    )
    db.session.commit()
    assert [d.id for d in evidence.domains] == [domains[0].id, domains[2].id]
    row = next(r for r in service.enrolment_view(enrolment, TODAY).evidence)
    assert (row.kind, row.held, row.required, row.met) == ("observation", 1, 3, False)


def test_overlapping_pause_refused_and_pause_moves_schedule(db_session: Any) -> None:
    enrolment = make_enrolment()
    before = {r.code: r.due for r in service.enrolment_view(enrolment, TODAY).reviews}
    assert before["review_3"] == date(2026, 4, 5)
    service.add_pause(
        enrolment, start_date=date(2026, 2, 2), end_date=date(2026, 2, 15), reason="sickness"
    )
    db.session.commit()
    after = {r.code: r.due for r in service.enrolment_view(enrolment, TODAY).reviews}
    assert after["agreement"] == START
    assert after["review_3"] == date(2026, 4, 19)
    assert after["final"] == before["final"] + timedelta(days=14)
    assert "overlap" in refused(
        "start_date",
        service.add_pause,
        enrolment,
        start_date=date(2026, 2, 10),
        end_date=date(2026, 3, 1),
        reason="bereavement",
    )
    assert "before the programme" in refused(
        "start_date",
        service.add_pause,
        enrolment,
        start_date=date(2025, 12, 1),
        end_date=date(2025, 12, 5),
        reason="sickness",
    )
    refused(
        "end_date",
        service.add_pause,
        enrolment,
        start_date=date(2026, 6, 10),
        end_date=date(2026, 6, 1),
        reason="sickness",
    )
    service.remove_pause(enrolment.pauses[0])
    db.session.commit()
    assert {r.code: r.due for r in service.enrolment_view(enrolment, TODAY).reviews} == before


def test_long_pause_warns_past_deadline(db_session: Any) -> None:
    enrolment = make_enrolment()
    assert not service.enrolment_view(enrolment, TODAY).past_deadline
    service.add_pause(
        enrolment, start_date=date(2026, 2, 1), end_date=date(2027, 3, 1), reason="parental_leave"
    )
    view = service.enrolment_view(enrolment, TODAY)
    assert view.past_deadline and view.rag == "red"


def test_outcome_before_final_review_refused(db_session: Any) -> None:
    enrolment = make_enrolment()
    today = date(2027, 3, 1)
    assert "final review has not been held" in refused(
        "outcome_on",
        service.record_outcome,
        enrolment,
        outcome="passed",
        outcome_on=date(2027, 2, 1),
        today=today,
    )
    service.record_review(
        enrolment,
        enrolment.assessor,
        point="final",
        held_on=date(2027, 1, 11),
        judgement="on_track",
        today=today,
    )
    db.session.commit()
    assert "before the final review" in refused(
        "outcome_on",
        service.record_outcome,
        enrolment,
        outcome="passed",
        outcome_on=date(2027, 1, 4),
        today=today,
    )
    service.record_outcome(
        enrolment,
        outcome="passed",
        outcome_on=date(2027, 2, 15),
        moderation_notes="Panel agreed",
        today=today,
    )
    db.session.commit()
    assert enrolment.outcome == "passed"
    assert service.enrolment_view(enrolment, today).rag == "grey"


def test_withdrawn_needs_no_final_review(db_session: Any) -> None:
    enrolment = make_enrolment()
    service.record_outcome(enrolment, outcome="withdrawn", outcome_on=TODAY, today=TODAY)
    db.session.commit()
    assert enrolment.outcome == "withdrawn"


def test_protected_time_used_against_due(db_session: Any) -> None:
    enrolment = make_enrolment()
    refused(
        "hours",
        service.log_protected_time,
        enrolment,
        taken_on=TODAY,
        hours="25",
        activity="Reading",
        today=TODAY,
    )
    refused(
        "taken_on",
        service.log_protected_time,
        enrolment,
        taken_on=START - timedelta(days=3),
        hours="3",
        activity="Reading",
        today=TODAY,
    )
    service.log_protected_time(
        enrolment, taken_on=date(2026, 2, 3), hours="7.5", activity="Workshop", today=TODAY
    )
    service.log_protected_time(
        enrolment, taken_on=date(2026, 3, 3), hours="3", activity="Reading", today=TODAY
    )
    db.session.commit()
    view = service.enrolment_view(enrolment, TODAY)
    assert view.protected_used == Decimal("10.5")
    # 116 of 365 days at 10% of 37 hours x 52 weeks.
    assert view.protected_due == Decimal(str(round(116 / 365 * 0.1 * 37 * 52, 1)))
    assert view.protected_used < view.protected_due


def test_missed_supervision_week_and_status(db_session: Any) -> None:
    enrolment = make_enrolment()
    # Weekly for six weeks: held in every week but the third (19 to 25 January).
    supervise(
        enrolment.staff,
        date(2026, 1, 6),
        date(2026, 1, 13),
        date(2026, 1, 27),
        date(2026, 2, 3),
        date(2026, 2, 10),
    )
    view = service.enrolment_view(enrolment, date(2026, 2, 16))
    assert [(w.starts, w.ends) for w in view.missed] == [(date(2026, 1, 19), date(2026, 1, 25))]
    assert view.supervision_held == 5
    assert view.rag in ("amber", "red")


def test_review_statuses(db_session: Any) -> None:
    enrolment = make_enrolment()
    view = service.enrolment_view(enrolment, date(2026, 3, 25))
    status = {r.code: r.status for r in view.reviews}
    assert status["agreement"] == "overdue"
    assert status["review_3"] == "upcoming"
    assert status["review_6"] == "later"
    assert [r.code for r in view.due_soon] == ["agreement", "review_3"]


def test_caseload_against_cap(db_session: Any) -> None:
    load_caseload_defaults()
    team = make_team()
    nqsw = make_staff(team, start=START, hours="18.5")
    enrolment = make_enrolment(staff=nqsw)
    db.session.add(
        CaseloadSnapshot(
            staff_id=nqsw.id,
            taken_on=date(2026, 4, 1),
            case_points=Decimal("40"),
            extra_points=Decimal("2"),
        )
    )
    db.session.commit()
    view = service.enrolment_view(enrolment, TODAY)
    assert view.caseload is not None
    assert view.caseload.points == Decimal("57")  # 15 stable + 40 + 2
    assert view.caseload.cap == Decimal("45.00")  # 90 x 0.5 FTE
    assert view.caseload.over_cap
    programme = db.session.get(AsyeProgramme, enrolment.programme_id)
    programme.workload_cap_points = Decimal("120")
    db.session.commit()
    view = service.enrolment_view(enrolment, TODAY)
    assert view.caseload is not None and view.caseload.cap == Decimal("60.00")
    assert not view.caseload.over_cap


def test_permissions(db_session: Any) -> None:
    enrolment = make_enrolment()
    nqsw_user = make_user("practitioner", staff=enrolment.staff)
    manager_user = make_user("supervisor", staff=enrolment.line_manager)
    lead = make_user("ld_officer")
    stranger = make_user("supervisor", staff=make_staff())
    assert service.can_manage(lead) and not service.can_manage(stranger)
    assert service.can_work_on(enrolment.assessor, enrolment)
    assert service.can_work_on(manager_user, enrolment)
    assert service.can_work_on(lead, enrolment)
    assert not service.can_work_on(nqsw_user, enrolment)
    assert service.can_read(nqsw_user, enrolment)
    assert not service.can_read(stranger, enrolment)
    assert service.enrolments_for(manager_user) == [enrolment]
    assert service.enrolments_for(stranger) == []
    assert service.own_enrolments(nqsw_user) == [enrolment]


def test_assesses(db_session: Any) -> None:
    enrolment = make_enrolment()
    assert service.assesses(enrolment.assessor, enrolment.staff_id)
    assert not service.assesses(make_user("supervisor"), enrolment.staff_id)


def test_summaries_judge_as_the_record_does(db_session: Any) -> None:
    """The home page's summaries (read as columns for every enrolment at once) show the
    same review rows, next review, reviews due and RAG status as each enrolment's record."""
    load_caseload_defaults()
    weekly = [START + timedelta(days=1 + 7 * week) for week in range(17)]

    def enrolment(
        *,
        reviews: tuple[str, str] = ("on_track", "on_track"),
        hours: tuple[str, ...] = ("21", "21", "21"),
        sessions: list[date] = weekly,
        **values: Any,
    ) -> AsyeEnrolment:
        """Held agreement and 3-month reviews with these judgements, protected time and
        supervision: green unless told otherwise."""
        made = make_enrolment(**values)
        start = made.start_date
        for point, held_on, judgement in zip(
            ("agreement", "review_3"), (start, date(2026, 4, 6)), reviews, strict=False
        ):
            service.record_review(
                made, made.assessor, point=point, held_on=held_on, judgement=judgement, today=TODAY
            )
        for day, amount in enumerate(hours, start=1):
            service.log_protected_time(
                made,
                taken_on=start + timedelta(days=day),
                hours=amount,
                activity="Study",
                today=TODAY,
            )
        db.session.commit()
        supervise(made.staff, *sessions)
        return made

    capped = make_staff(make_team(), start=START, hours="18.5")
    expected = {
        enrolment(): "green",
        enrolment(sessions=[d for d in weekly if d != date(2026, 1, 20)]): "amber",
        enrolment(hours=("10",)): "amber",
        enrolment(reviews=("on_track", "some_concerns")): "amber",
        enrolment(reviews=("on_track", "not_on_track")): "red",
        enrolment(reviews=("on_track",)): "red",
        enrolment(staff=capped): "amber",
        # Due in the next 14 days: the 3-month review on 10 May.
        enrolment(start_date=date(2026, 2, 10), reviews=("on_track",)): "green",
    }
    db.session.add(
        CaseloadSnapshot(
            staff_id=capped.id,
            taken_on=date(2026, 4, 1),
            case_points=Decimal("40"),
            extra_points=Decimal("2"),
        )
    )
    paused = enrolment()
    service.add_pause(
        paused, start_date=date(2026, 2, 2), end_date=date(2026, 2, 15), reason="sickness"
    )
    late = enrolment()  # paused past the 24-month deadline: red
    service.add_pause(
        late, start_date=date(2026, 2, 1), end_date=date(2027, 3, 1), reason="parental_leave"
    )
    expected[late] = "red"
    closed = enrolment()  # not current: not listed
    service.record_outcome(closed, outcome="withdrawn", outcome_on=TODAY, today=TODAY)
    db.session.commit()
    current = [*expected, paused]

    def rows(reviews: list[service.ReviewRow]) -> list[tuple[Any, ...]]:
        return [
            (r.code, r.label, r.due, r.optional, r.status)
            + ((None,) if r.review is None else (r.review.held_on, r.review.judgement))
            for r in reviews
        ]

    summaries = service.enrolment_summaries(make_user("ld_officer"), TODAY)
    ordered = sorted(current, key=lambda e: (e.start_date, e.id))
    assert [s.id for s in summaries] == [e.id for e in ordered]
    for summary, enrolled in zip(summaries, ordered, strict=True):
        view = service.enrolment_view(enrolled, TODAY)
        assert (summary.name, summary.cohort, summary.start_date) == (
            enrolled.staff.full_name,
            enrolled.cohort.name,
            enrolled.start_date,
        )
        assert rows(summary.reviews) == rows(view.reviews)
        assert rows(summary.due_soon) == rows(view.due_soon)
        assert summary.next_review == view.next_review  # the first not held
        assert summary.rag == view.rag == expected.get(enrolled, view.rag)
    assert {s.rag for s in summaries} == {"red", "amber", "green"}
    upcoming = next(s for s in summaries if s.start_date == date(2026, 2, 10))
    assert [r.code for r in upcoming.due_soon] == ["review_3"]
    # An assessor sees their own enrolments' reviews, without the status.
    mine = service.enrolment_summaries(paused.assessor, TODAY, rag=False)
    assert [(s.id, s.rag) for s in mine] == [(paused.id, None)]
