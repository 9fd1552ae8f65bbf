"""The command-line tools: users, seed reference, seed demo."""

from __future__ import annotations

from sqlalchemy import func, select

from workforce.extensions import db
from workforce.models import AuditEvent, CodeEntry, EmploymentSpell, Staff, Team, User


def test_users_create(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Lead@Example.org",
            "--role",
            "hr",
            "--role",
            "senior_leader",
            "--password",
            "twelve chars long",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "lead@example.org"))
    assert user.roles == {"hr", "senior_leader"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "User"))
    assert event.actor_label == "command line: users create"


def test_users_create_refuses_short_password_and_unknown_role(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "hr", "--password", "short"]
    )
    assert result.exit_code != 0 and "12 characters" in result.output
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "wizard", "--password", "x" * 12]
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_reference_is_idempotent(app_ctx):
    runner = app_ctx.test_cli_runner()
    # The first run adds the supervision policies (the tests' database has none).
    first = runner.invoke(args=["seed", "reference"])
    assert "Supervision policies: 2 added" in first.output
    before = db.session.scalar(select(func.count()).select_from(CodeEntry))
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    result = runner.invoke(args=["seed", "reference"])
    assert result.exit_code == 0 and "ethnicity (18)" in result.output
    assert "Supervision policies: kept as they are" in result.output
    assert "Caseload weighting: kept as it is" in result.output
    assert "ASYE programme: kept as it is" in result.output
    assert db.session.scalar(select(func.count()).select_from(CodeEntry)) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_seed_demo_builds_a_realistic_authority(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    staff = db.session.scalar(select(func.count()).select_from(Staff))
    assert 250 <= staff <= 350
    assert db.session.scalar(select(func.count()).select_from(Team)) == 8
    leavers = db.session.scalar(
        select(func.count()).where(EmploymentSpell.leaving_reason.is_not(None))
    )
    movers = db.session.scalar(
        select(func.count(func.distinct(EmploymentSpell.staff_id))).where(
            EmploymentSpell.end_date.is_not(None), EmploymentSpell.leaving_reason.is_(None)
        )
    )
    assert leavers > 20 and movers > 10
    roles = {r for u in db.session.scalars(select(User)) for r in u.roles}
    assert roles == {"admin", "hr", "ld_officer", "supervisor", "practitioner", "senior_leader"}
    again = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert "not loaded again" in again.output
    assert db.session.scalar(select(func.count()).select_from(Staff)) == staff


def test_demo_training_programme_keeps_the_rules(demo_authority):
    from datetime import date

    from workforce.models import Booking, Course, Evaluation, TrainingSession

    assert (demo_authority.seed, demo_authority.today) == (11, date(2026, 6, 15))
    assert db.session.scalar(select(func.count()).select_from(Course)) >= 10
    asye = db.session.scalars(select(Course).where(Course.is_asye_workshop.is_(True))).all()
    assert len(asye) == 9 and all(len(c.domains) == 1 for c in asye)
    booked = (
        select(TrainingSession.id, TrainingSession.capacity, func.count(Booking.id))
        .join(Booking, Booking.session_id == TrainingSession.id)
        .where(Booking.status == "booked")
        .group_by(TrainingSession.id, TrainingSession.capacity)
    )
    rows = db.session.execute(booked).all()
    assert rows and all(count <= capacity for _, capacity, count in rows)
    attendance = db.session.scalars(
        select(Booking.attendance).join(Evaluation, Evaluation.booking_id == Booking.id)
    ).all()
    assert attendance and set(attendance) <= {"attended", "partial"}
    future_marked = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(TrainingSession)
        .where(TrainingSession.starts_at > date(2026, 6, 15), Booking.attendance.is_not(None))
    )
    assert future_marked == 0
