"""ASYE pages: enrolling, the record, recording the year, refusals and who may see what."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.builders import make_staff, make_team, make_user
from workforce.extensions import db
from workforce.models.asye import AsyeEnrolment, AsyeEvidence, AsyePause, AsyeReview
from workforce.models.audit import AuditEvent
from workforce.models.supervision import SupervisionAttendee, SupervisionSession
from workforce.services import asye as service

TODAY = date.today()
#: Started 20 weeks ago: the agreement and 3-month review are past due.
START = TODAY - timedelta(weeks=20)


def dated(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(db_session: Any) -> dict[str, Any]:
    """An NQSW with a line manager and an assessor, enrolled from ``START`` (committed)."""
    service.load_default_programme()
    team = make_team()
    manager = make_staff(team, first_name="Maria", last_name="Manager")
    nqsw = make_staff(team, manager=manager, start=START, first_name="Nia", last_name="Newly")
    assessor = make_user("supervisor", email="assessor@example.org")
    enrolment = service.enrol(
        nqsw,
        start_date=START,
        contracted_hours="37",
        cohort_name="Spring cohort",
        assessor=assessor,
        line_manager=manager,
    )
    db.session.commit()
    return {
        "team": team,
        "manager": manager,
        "nqsw": nqsw,
        "assessor": assessor,
        "enrolment": enrolment,
    }


def sign_in_as(client: FlaskClient, user: Any) -> None:
    from tests.builders import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def record_url(enrolment: AsyeEnrolment, part: str = "") -> str:
    return f"/asye/enrolments/{enrolment.id}{part}"


def test_lead_enrols_from_the_form(client: FlaskClient, login: Any, db_session: Any) -> None:
    service.load_default_programme()
    db.session.commit()
    team = make_team()
    nqsw = make_staff(team, first_name="Ola", last_name="Okafor")
    manager = make_staff(team)
    assessor = make_user("supervisor")
    login("ld_officer")
    page = client.get(f"/asye/enrol?staff_id={nqsw.id}")
    assert page.status_code == 200 and "Ola Okafor" in text(page)
    form = {
        "staff_id": str(nqsw.id),
        **dated("start_date", TODAY - timedelta(days=10)),
        "cohort": "",
        "cohort_name": "Autumn intake",
        "assessor": str(assessor.id),
        "line_manager": str(manager.id),
        "contracted_hours": "60",
    }
    refused = client.post("/asye/enrol", data=form)
    assert refused.status_code == 200
    assert "must be more than 0 and at most 48" in text(refused)
    assert 'value="Autumn intake"' in text(refused)  # nothing lost
    assert db.session.query(AsyeEnrolment).count() == 0
    form["contracted_hours"] = "30"
    done = client.post("/asye/enrol", data=form)
    assert done.status_code == 302
    enrolment = db.session.query(AsyeEnrolment).one()
    assert enrolment.cohort.name == "Autumn intake"
    assert enrolment.assessor_id == assessor.id
    audited = db.session.query(AuditEvent).filter(
        AuditEvent.entity_type == "AsyeEnrolment",
        AuditEvent.action == "create",
    )
    assert audited.count() == 1
    record = client.get(done.headers["Location"])
    assert "Ola Okafor" in text(record) and "Autumn intake" in text(record)


def test_enrol_is_for_managers_only(client: FlaskClient, login: Any, people: Any) -> None:
    login("supervisor")
    assert client.get("/asye/enrol").status_code == 403


def test_review_before_start_refused_then_held(client: FlaskClient, people: dict[str, Any]) -> None:
    enrolment = people["enrolment"]
    sign_in_as(client, people["assessor"])
    form = {
        "point": "review_3",
        **dated("held_on", START - timedelta(days=1)),
        "judgement": "on_track",
        "development_plan": "Build confidence in court work",
    }
    refused = client.post(record_url(enrolment, "/reviews/new"), data=form)
    assert refused.status_code == 200
    assert "cannot be held before the ASYE starts" in text(refused)
    assert "Build confidence in court work" in text(refused)
    assert db.session.query(AsyeReview).count() == 0
    form.update(dated("held_on", TODAY - timedelta(days=3)))
    assert client.post(record_url(enrolment, "/reviews/new"), data=form).status_code == 302
    review = db.session.query(AsyeReview).one()
    assert review.point == "review_3" and review.judgement == "on_track"
    page = text(client.get(record_url(enrolment)))
    assert "Build confidence in court work" in page


def test_evidence_outside_programme_refused(client: FlaskClient, people: Any) -> None:
    enrolment = people["enrolment"]
    sign_in_as(client, people["assessor"])
    domains = service.pcf_domains()
    form = {
        "kind": "observation",
        **dated("dated", START - timedelta(days=5)),
        "title": "Home visit observed",
        "domains": [str(domains[0].id)],
    }
    refused = client.post(record_url(enrolment, "/evidence/new"), data=form)
    assert "before the ASYE starts" in text(refused)
    assert db.session.query(AsyeEvidence).count() == 0
    form.update(dated("dated", TODAY - timedelta(days=1)))
    assert client.post(record_url(enrolment, "/evidence/new"), data=form).status_code == 302
    page = text(client.get(record_url(enrolment)))
    assert "Home visit observed" in page and domains[0].name in page
    assert "2 to go" in page


def test_pause_moves_schedule_and_overlap_refused(client: FlaskClient, people: Any) -> None:
    enrolment = people["enrolment"]
    sign_in_as(client, make_user("supervisor", staff=people["manager"]))  # line manager
    before = next(r for r in service.enrolment_view(enrolment).reviews if r.code == "review_6")
    pause = {
        **dated("start_date", START + timedelta(days=30)),
        **dated("end_date", START + timedelta(days=43)),
        "reason": "sickness",
    }
    assert client.post(record_url(enrolment, "/pauses/new"), data=pause).status_code == 302
    page = text(client.get(record_url(enrolment)))
    moved = before.due + timedelta(days=14)
    assert f"{moved.day} {moved:%B %Y}" in page
    overlap = {
        **dated("start_date", START + timedelta(days=40)),
        **dated("end_date", START + timedelta(days=50)),
        "reason": "bereavement",
    }
    refused = client.post(record_url(enrolment, "/pauses/new"), data=overlap)
    assert refused.status_code == 200 and "overlap" in text(refused)
    assert db.session.query(AsyePause).count() == 1


def test_outcome_before_final_review_refused(client: FlaskClient, login: Any, people: Any) -> None:
    enrolment = people["enrolment"]
    login("ld_officer")
    refused = client.post(
        record_url(enrolment, "/outcome"),
        data={"outcome": "passed", **dated("outcome_on", TODAY)},
    )
    assert refused.status_code == 200
    assert "final review has not been held" in text(refused)
    db.session.refresh(enrolment)
    assert enrolment.outcome is None
    withdrawn = client.post(
        record_url(enrolment, "/outcome"),
        data={"outcome": "withdrawn", **dated("outcome_on", TODAY), "moderation_notes": "Left"},
    )
    assert withdrawn.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.outcome == "withdrawn"


def test_protected_time_logged(client: FlaskClient, people: Any) -> None:
    enrolment = people["enrolment"]
    sign_in_as(client, people["assessor"])
    bad = client.post(
        record_url(enrolment, "/protected-time/new"),
        data={**dated("taken_on", TODAY), "hours": "30", "activity": "Workshop"},
    )
    assert "at most 24" in text(bad)
    ok = client.post(
        record_url(enrolment, "/protected-time/new"),
        data={**dated("taken_on", TODAY), "hours": "7.5", "activity": "Workshop"},
    )
    assert ok.status_code == 302
    assert "Used <strong>7.5 hours</strong>" in text(client.get(record_url(enrolment)))


def test_missed_supervision_week_shown(client: FlaskClient, people: Any) -> None:
    enrolment = people["enrolment"]
    supervisor = make_staff()
    # Weekly for 6 weeks: held in weeks 1, 2, 4, 5 and 6, not week 3.
    for week in (0, 1, 3, 4, 5):
        session = SupervisionSession(
            supervisor_id=supervisor.id,
            kind="one_to_one",
            held_on=START + timedelta(weeks=week, days=1),
            outcome="held",
        )
        session.attendees = [SupervisionAttendee(staff_id=people["nqsw"].id)]
        db.session.add(session)
    db.session.commit()
    sign_in_as(client, people["assessor"])
    page = text(client.get(record_url(enrolment)))
    week3 = START + timedelta(weeks=2)
    assert 'id="missed"' in page
    assert f"{week3.day} {week3:%B %Y}" in page


def test_permissions(client: FlaskClient, login: Any, people: Any) -> None:
    enrolment = people["enrolment"]
    own = make_user("practitioner", staff=people["nqsw"])
    sign_in_as(client, own)
    page = client.get(record_url(enrolment))
    assert page.status_code == 200
    assert "Record a pause" not in text(page)
    assert client.get(record_url(enrolment, "/pauses/new")).status_code == 403
    assert client.get(record_url(enrolment, "/outcome")).status_code == 403
    index = text(client.get("/asye/"))
    assert record_url(enrolment) in index
    client.post("/logout")
    other = make_user("practitioner", staff=make_staff())
    sign_in_as(client, other)
    assert client.get(record_url(enrolment)).status_code == 403
    assert client.get(record_url(enrolment, "/print")).status_code == 403
    assert client.get(record_url(enrolment, "/evidence/new")).status_code == 403
    assert record_url(enrolment) not in text(client.get("/asye/"))
    assert client.get("/asye/enrolments/999999").status_code == 404


def test_index_lists_due_reviews_for_assessor(client: FlaskClient, people: Any) -> None:
    sign_in_as(client, people["assessor"])
    page = text(client.get("/asye/"))
    assert 'id="due"' in page and "Nia Newly" in page
    assert "3-month review" in page and "Overdue" in page
    assert 'id="enrolments"' not in page


def test_index_and_print_for_lead(client: FlaskClient, login: Any, people: Any) -> None:
    login("ld_officer")
    page = text(client.get("/asye/"))
    assert 'id="enrolments"' in page and "Spring cohort" in page
    printable = client.get(record_url(people["enrolment"], "/print"))
    assert printable.status_code == 200
    assert "Record a pause" not in text(printable) and "Printed" in text(printable)


def test_forms_need_csrf(client: FlaskClient, people: Any, monkeypatch: Any) -> None:
    sign_in_as(client, people["assessor"])
    monkeypatch.setitem(client.application.config, "WTF_CSRF_ENABLED", True)
    response = client.post(
        record_url(people["enrolment"], "/protected-time/new"),
        data={**dated("taken_on", TODAY), "hours": "2", "activity": "Reading"},
    )
    assert response.status_code in (200, 400)
    assert not people["enrolment"].protected_time


def test_every_form_page_renders(client: FlaskClient, login: Any, people: Any) -> None:
    enrolment = people["enrolment"]
    service.add_pause(
        enrolment,
        start_date=START + timedelta(days=3),
        end_date=START + timedelta(days=4),
        reason="other",
    )
    evidence = service.add_evidence(enrolment, kind="observation", dated=START, title="Visit")
    db.session.commit()
    login("hr")
    for url in (
        "/asye/enrol",
        record_url(enrolment, "/pauses/new"),
        record_url(enrolment, "/reviews/new?point=review_3"),
        record_url(enrolment, "/evidence/new"),
        record_url(enrolment, "/protected-time/new"),
        record_url(enrolment, "/outcome"),
        f"/asye/pauses/{enrolment.pauses[0].id}/remove",
        f"/asye/evidence/{evidence.id}/remove",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="csrf_token"' in text(response), url
    removed = client.post(f"/asye/evidence/{evidence.id}/remove")
    assert removed.status_code == 302
    assert db.session.query(AsyeEvidence).count() == 0
    removed = client.post(f"/asye/pauses/{enrolment.pauses[0].id}/remove")
    assert removed.status_code == 302
    assert db.session.query(AsyePause).count() == 0


def test_the_record_exports_as_xlsx_and_is_audited(client, login, db_session):
    from decimal import Decimal
    from io import BytesIO

    from openpyxl import load_workbook
    from sqlalchemy import select

    service.load_default_programme()
    team = make_team("Export team")
    manager = make_staff(team, first_name="Eve", last_name="Export", org_role="3")
    nqsw = make_staff(
        team,
        manager=manager,
        first_name="Ned",
        last_name="New",
        start=date.today() - timedelta(days=40),
    )
    lead = login("ld_officer")
    enrolment = service.enrol(
        nqsw,
        start_date=date.today() - timedelta(days=30),
        cohort_name="Export cohort",
        assessor=lead,
        line_manager=manager,
        contracted_hours=Decimal("37"),
    )
    db.session.commit()
    response = client.get(f"/asye/enrolments/{enrolment.id}/record.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.data))
    assert "Schedule and reviews" in workbook.sheetnames
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Social worker"] == "Ned New"
    assert summary["Cohort"] == "Export cohort"
    reviews = list(workbook["Schedule and reviews"].iter_rows(min_row=2, values_only=True))
    assert reviews[0][0] == "Support and assessment agreement"
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "AsyeEnrolment", AuditEvent.action == "export"
        )
    ).all()
    assert len(events) == 1
