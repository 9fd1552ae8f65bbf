"""The scale generator (``seed demo --staff N --years Y`` / ``--preset``): one coherent
authority written in bulk, counted as reported, valid across domains, deterministic for a
seed, and every report builds on it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from tests.conftest import clean_database, make_app
from workforce.demo import DEMO_ACCOUNTS, DEMO_DOMAIN, DEMO_PASSWORD
from workforce.extensions import db
from workforce.metrics.caseload import case_points
from workforce.models import (
    AuditEvent,
    CaseloadCount,
    CaseloadSnapshot,
    EmploymentSpell,
    Staff,
    SupervisionAttendee,
    SupervisionSession,
    Team,
    User,
)
from workforce.scale import ScaleSummary, build_scale
from workforce.services.accounts import authenticate
from workforce.services.caseloads import weights_in_force

TODAY = date(2026, 6, 15)
STAFF, YEARS, SEED = 300, 2, 11


@pytest.fixture(scope="module")
def built(app: Flask) -> Iterator[ScaleSummary]:
    """A small scale authority on the suite's database (both backends), built once for the
    module and removed after it."""
    with app.app_context():
        summary = build_scale(STAFF, YEARS, SEED, TODAY)
        db.session.commit()
        db.session.remove()
    yield summary
    clean_database(app)


@pytest.fixture
def ctx(app: Flask, built: ScaleSummary) -> Iterator[ScaleSummary]:
    """An application context on the built authority (nothing is cleaned after it)."""
    with app.app_context():
        yield built
        db.session.rollback()
        db.session.remove()


def count(sql: str, **values: Any) -> int:
    return int(db.session.execute(text(sql), values).scalar_one())


def test_the_counts_are_as_reported_and_plausible(ctx: ScaleSummary) -> None:
    summary = ctx
    # bulk rows, and the six demo accounts made through the accounts service
    added = {"user_account": len(DEMO_ACCOUNTS), "user_role": len(DEMO_ACCOUNTS)}
    for table, rows in summary.rows.items():
        assert count(f"SELECT count(*) FROM {table}") == rows + added.get(table, 0), table
    assert summary.rows["staff"] == summary.people > STAFF  # leavers as well as those in post
    assert summary.teams == STAFF // 25
    in_post = db.session.scalar(
        select(func.count(func.distinct(EmploymentSpell.staff_id))).where(
            EmploymentSpell.current_on(TODAY)
        )
    )
    assert in_post == summary.in_post and 0.9 * STAFF <= in_post <= STAFF
    assert summary.total == sum(summary.rows.values()) and summary.rate > 0
    for table in ("booking", "evaluation", "impact_follow_up", "supervision_session",
                  "supervision_action", "supervision_audit", "caseload_snapshot",
                  "assessment_rating", "development_action", "absence", "asye_enrolment",
                  "asye_review", "team_establishment"):  # fmt: skip
        assert summary.rows[table] > 0, table
    # about four bookings a person-year, a session a month each, a snapshot a month each
    assert 3 * STAFF * YEARS < summary.rows["booking"] < 5 * STAFF * YEARS
    assert 10 * STAFF * YEARS < summary.rows["supervision_session"] < 16 * STAFF * YEARS
    # the layout in the step table adds up
    assert sum(rows for _, rows in summary.steps.values()) == summary.total
    (total,) = [line for line in summary.table() if line.startswith("total")]
    assert f"{summary.total:,}" in total and f"{summary.rate:,.0f}" in total


def test_people_and_spells_hang_together(ctx: ScaleSummary) -> None:
    assert not count(
        "SELECT count(*) FROM staff s WHERE NOT EXISTS "
        "(SELECT 1 FROM employment_spell e WHERE e.staff_id = s.id)"
    )
    # a person's spells follow one another without gaps or overlaps
    rows = db.session.execute(
        select(
            EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.end_date
        ).order_by(EmploymentSpell.staff_id, EmploymentSpell.start_date)
    ).all()
    for before, after in zip(rows, rows[1:], strict=False):
        if before.staff_id == after.staff_id:
            assert before.end_date is not None
            assert (after.start_date - before.end_date).days == 1
    # leavers have a census reason and destination; only a last spell ends with one
    assert (
        count(
            "SELECT count(*) FROM employment_spell WHERE end_date IS NOT NULL "
            "AND leaving_reason IS NULL AND NOT EXISTS (SELECT 1 FROM employment_spell n "
            "WHERE n.staff_id = employment_spell.staff_id AND n.start_date > employment_spell.start_date)"
        )
        == 0
    )
    assert count("SELECT count(*) FROM employment_spell WHERE leaving_reason IS NOT NULL") > 0
    assert count("SELECT count(*) FROM employment_spell WHERE start_origin = '1'") > 0
    # someone moved team
    assert (
        count(
            "SELECT count(*) FROM employment_spell a JOIN employment_spell b "
            "ON a.staff_id = b.staff_id AND b.start_date > a.start_date AND b.team_id <> a.team_id"
        )
        > 0
    )
    # every line manager is in post in their own spell on the days they manage
    assert not count(
        "SELECT count(*) FROM employment_spell e WHERE e.line_manager_id IS NOT NULL "
        "AND e.end_date IS NULL AND NOT EXISTS (SELECT 1 FROM employment_spell m "
        "WHERE m.staff_id = e.line_manager_id AND m.end_date IS NULL)"
    )


def test_sessions_bookings_and_caseloads_are_valid(ctx: ScaleSummary) -> None:
    # every session has attendees; one-to-ones one, groups four or more
    assert not count(
        "SELECT count(*) FROM supervision_session s WHERE NOT EXISTS "
        "(SELECT 1 FROM supervision_attendee a WHERE a.session_id = s.id)"
    )
    sizes = db.session.execute(
        select(SupervisionSession.kind, func.count(SupervisionAttendee.id))
        .join(SupervisionAttendee, SupervisionAttendee.session_id == SupervisionSession.id)
        .group_by(SupervisionSession.id, SupervisionSession.kind)
    ).all()
    assert {n for kind, n in sizes if kind != "group"} == {1}
    assert min(n for kind, n in sizes if kind == "group") >= 4
    assert {o for (o,) in db.session.execute(select(SupervisionSession.outcome).distinct())} == {
        "held",
        "cancelled",
        "rescheduled",
    }
    # the supervisor is the line manager on the supervisee's spell that day
    assert not count(
        "SELECT count(*) FROM supervision_session s JOIN supervision_attendee a "
        "ON a.session_id = s.id WHERE NOT EXISTS (SELECT 1 FROM employment_spell e "
        "WHERE e.staff_id = a.staff_id AND e.start_date <= s.held_on "
        "AND (e.end_date IS NULL OR e.end_date >= s.held_on) "
        "AND e.line_manager_id = s.supervisor_id)"
    )
    assert not count("SELECT count(*) FROM supervision_session WHERE held_on > :today",
                     today=TODAY)  # fmt: skip
    # bookings are for people in post on the day
    assert not count(
        "SELECT count(*) FROM booking b JOIN training_session t ON t.id = b.session_id "
        "WHERE NOT EXISTS (SELECT 1 FROM employment_spell e WHERE e.staff_id = b.staff_id "
        "AND e.start_date <= date(t.starts_at) "
        "AND (e.end_date IS NULL OR e.end_date >= date(t.starts_at)))"
    )
    assert not count(
        "SELECT count(*) FROM booking WHERE attendance IS NOT NULL AND status <> 'booked'"
    )
    # each snapshot's stored total is the sum of its counts
    assert not count(
        "SELECT count(*) FROM caseload_snapshot s LEFT JOIN (SELECT snapshot_id, sum(cases) AS n "
        "FROM caseload_count GROUP BY snapshot_id) c ON c.snapshot_id = s.id "
        "WHERE s.total_cases <> coalesce(c.n, 0)"
    )
    # ... and its case points those of its counts under the scheme in force (a sample)
    snapshots = db.session.scalars(
        select(CaseloadSnapshot).order_by(CaseloadSnapshot.id).limit(60)
    ).all()
    snapshots += db.session.scalars(
        select(CaseloadSnapshot).order_by(CaseloadSnapshot.id.desc()).limit(60)
    ).all()
    for snapshot in snapshots:
        rows = [(c.case_type_id, c.tier, c.cases) for c in snapshot.counts]
        weights = weights_in_force(snapshot.taken_on)
        expected = Decimal(0) if weights is None else case_points(rows, weights)
        assert snapshot.case_points == expected.quantize(Decimal("0.01")), snapshot.id
        assert snapshot.total_cases == sum(c.cases for c in snapshot.counts) > 0
    assert db.session.scalar(select(func.count()).select_from(CaseloadCount)) > len(snapshots)
    # snapshots only for case holders in post that day
    assert not count(
        "SELECT count(*) FROM caseload_snapshot s WHERE NOT EXISTS (SELECT 1 FROM "
        "employment_spell e WHERE e.staff_id = s.staff_id AND e.start_date <= s.taken_on "
        "AND (e.end_date IS NULL OR e.end_date >= s.taken_on) AND e.org_role IN ('4', '5'))"
    )
    # signed-off assessments rate every domain of their framework
    assert not count(
        "SELECT count(*) FROM assessment a WHERE a.status = 'signed_off' AND "
        "(SELECT count(*) FROM assessment_rating r WHERE r.assessment_id = a.id) <> "
        "(SELECT count(*) FROM framework_domain d WHERE d.framework_id = a.framework_id "
        "AND NOT d.retired)"
    )


def test_every_follow_up_due_is_there_already(ctx: ScaleSummary) -> None:
    """The authority is as the app would have left it: every place attended in full or in
    part has its impact follow-up once due, so the first Training page opened has none to
    create (it created 12,765 at county scale, in every request that arrived meanwhile)."""
    from workforce.services.evaluations import schedule_impact_follow_ups

    due = count(
        "SELECT count(*) FROM booking b JOIN training_session t ON t.id = b.session_id "
        "WHERE b.status = 'booked' AND b.attendance IN ('attended', 'partial') "
        "AND t.status <> 'cancelled' AND t.ends_at < :cutoff",
        cutoff=date(TODAY.year, TODAY.month - 3, TODAY.day),
    )
    assert due and count("SELECT count(*) FROM impact_follow_up") >= due
    assert schedule_impact_follow_ups(TODAY) == 0
    db.session.rollback()


def test_demo_accounts_and_the_audit_trail(ctx: ScaleSummary, backend: str) -> None:
    for local, roles, link in DEMO_ACCOUNTS:
        user = authenticate(f"{local}@{DEMO_DOMAIN}", DEMO_PASSWORD)
        assert user is not None, local
        assert user.roles == set(roles)
        if link:
            assert user.staff is not None and user.staff.spell_on(TODAY) is not None, local
    manager = db.session.scalar(select(User).where(User.email == f"manager@{DEMO_DOMAIN}"))
    practitioner = db.session.scalar(
        select(User).where(User.email == f"practitioner@{DEMO_DOMAIN}")
    )
    assert practitioner.staff.spell_on(TODAY).line_manager_id == manager.staff_id
    assert practitioner.staff.qualified_social_worker
    # every team manager can sign in as a supervisor
    managers = db.session.scalars(
        select(User)
        .join(Staff, Staff.id == User.staff_id)
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .where(EmploymentSpell.post_title == "Team manager")
    ).all()
    assert len(managers) == ctx.teams and all(u.has_role("supervisor") for u in managers)

    # one event for the bulk load, none per row
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.summary.like("Scale authority generated%"))
    ).all()
    assert len(events) == 1 and events[0].changes["rows"]["booking"] == ctx.rows["booking"]
    assert not db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type.in_(("Booking", "SupervisionSession", "CaseloadCount")))
    )
    # rows added afterwards get fresh ids (the sequences moved past the bulk rows), and the
    # foreign keys are back
    team = Team(name="A team added later", service_area="Early help", tier_of_need="universal")
    db.session.add(team)
    db.session.flush()
    assert team.id > ctx.teams
    if backend == "postgresql":
        for table in ctx.rows:
            keys = count(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = CAST(:table AS regclass)",
                table=table,
            )
            assert keys == len(db.metadata.tables[table].foreign_key_constraints), table
    db.session.rollback()


def test_every_report_builds_for_the_current_year(ctx: ScaleSummary) -> None:
    from workforce.reports import check_parameters, run_report
    from workforce.reports.registry import all_reports

    built = {}
    for definition in all_reports():
        params = check_parameters(definition, {}, today=TODAY)
        result = run_report(definition, params, viewer=None)
        built[definition.name] = len(list(result.rows))
    assert {"training", "supervision-compliance", "caseload", "turnover", "scorecard",
            "evaluation-model", "asye-cohort", "capability-gaps"} <= set(built)  # fmt: skip
    empty = sorted(name for name, rows in built.items() if not rows)
    assert not empty, empty


#: Pages each demo account must be able to open (the rest may refuse it, never fail).
OWN_PAGES = {
    "admin": ("/admin/audit", "/admin/users", "/staff"),
    "hr": ("/staff", "/planning/", "/planning/census", "/capability/due"),
    "learning": ("/training/", "/training/courses", "/training/impact", "/asye/"),
    "manager": ("/supervision/", "/capability/", "/supervision/people/{practitioner}",
                "/capability/teams/{team}"),
    "practitioner": ("/staff/{practitioner}", "/training/", "/supervision/people/{practitioner}"),
    "director": ("/reports", "/performance/", "/supervision/teams"),
}  # fmt: skip


def test_every_page_opens_for_every_demo_account(app: Flask, ctx: ScaleSummary) -> None:
    """Every page without a parameter, and the main pages about a person and a team, as
    each demo account: open or refused (403), never an error. (Last of the tests on the
    built authority: pages may add impact follow-ups that have fallen due.)"""
    from workforce.models import AsyeEnrolment, SupervisionAudit

    manager = db.session.scalar(select(User).where(User.email == f"manager@{DEMO_DOMAIN}"))
    practitioner = db.session.scalar(
        select(User).where(User.email == f"practitioner@{DEMO_DOMAIN}")
    ).staff_id
    team = manager.staff.spell_on(TODAY).team_id
    enrolment = db.session.scalar(select(func.min(AsyeEnrolment.id)))
    audit = db.session.scalar(select(func.min(SupervisionAudit.id)))
    session = db.session.scalar(
        select(func.max(SupervisionAttendee.session_id)).where(
            SupervisionAttendee.staff_id == practitioner
        )
    )
    pages = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.rule != "/login"
        and not rule.rule.startswith("/static")
    )  # fmt: skip
    pages += [
        f"/staff/{practitioner}", f"/capability/people/{practitioner}",
        f"/capability/teams/{team}", f"/supervision/people/{practitioner}",
        f"/supervision/sessions/{session}", f"/supervision/audits/{audit}",
        f"/planning/caseloads/staff/{practitioner}", f"/planning/establishment/teams/{team}",
        f"/asye/enrolments/{enrolment}", "/reports/supervision-compliance", "/reports/caseload",
    ]  # fmt: skip
    db.session.rollback()
    client = app.test_client()
    for local, _, _ in DEMO_ACCOUNTS:
        response = client.post(
            "/login", data={"email": f"{local}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, local
        statuses = {page: client.get(page).status_code for page in pages}
        # a person's own pages lead to their record (the admin account has none)
        own_record = 404 if local == "admin" else 302
        failed = {
            page: status
            for page, status in statuses.items()
            if status not in (200, 403) and not (page in ("/me", "/training/me")
                                                  and status == own_record)
        }  # fmt: skip
        assert not failed, (local, failed)
        own = [p.format(practitioner=practitioner, team=team) for p in OWN_PAGES[local]]
        refused = [page for page in own if client.get(page).status_code != 200]
        assert not refused, (local, refused)
        client.post("/logout")


def test_the_command_line_options(app: Flask, built: ScaleSummary) -> None:
    runner = app.test_cli_runner()
    refused = {
        ("--preset", "county", "--staff", "500"): "--preset sets the staff and the years",
        ("--preset", "national", "--years", "3"): "--preset sets the staff and the years",
        ("--years", "3"): "--years goes with --staff",
        ("--today", "2026-01-01"): "--today goes with --staff or --preset",
        ("--preset", "city"): "'city' is not one of 'county', 'national'",
        ("--staff", "20"): "20 is not in the range",
        ("--staff", "500", "--years", "50"): "50 is not in the range",
    }
    for options, message in refused.items():
        result = runner.invoke(args=["seed", "demo", *options])
        assert result.exit_code == 2, options
        assert message in result.output, (options, result.output)
    # the database holds staff: refused, or skipped with --if-empty
    result = runner.invoke(args=["seed", "demo", "--staff", "200"])
    assert result.exit_code == 1
    assert "Staff records exist already" in result.output
    result = runner.invoke(args=["seed", "demo", "--preset", "county", "--if-empty"])
    assert result.exit_code == 0
    assert "demo data not loaded again" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Staff)) == built.people


def _checksums() -> dict[str, str]:
    """A digest of each key table's rows (without timestamps and password hashes)."""
    tables = ("team", "staff", "employment_spell", "absence", "team_establishment",
              "user_account", "course", "training_session", "booking", "evaluation",
              "impact_follow_up", "supervision_session", "supervision_attendee",
              "supervision_action", "caseload_snapshot", "caseload_count", "assessment",
              "assessment_rating", "asye_enrolment", "asye_review")  # fmt: skip
    digests = {}
    for name in tables:
        table = db.metadata.tables[name]
        columns = [c for c in table.c if c.name not in {"created_at", "updated_at",
                                                         "password_hash"}]  # fmt: skip
        digest = hashlib.sha256()
        for row in db.session.execute(select(*columns).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
        digests[name] = digest.hexdigest()
    return digests


def test_the_same_seed_builds_the_same_authority(backend: str, tmp_path: Path) -> None:
    if backend != "sqlite":
        pytest.skip("determinism is checked on SQLite only (it builds three authorities)")
    from flask_migrate import upgrade

    app = make_app(f"sqlite:///{tmp_path / 'scale.sqlite'}", tmp_path)
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    options = ["seed", "demo", "--staff", "150", "--years", "2", "--seed", "5", "--today",
               TODAY.isoformat()]  # fmt: skip
    result = runner.invoke(args=options)
    assert result.exit_code == 0, result.output
    assert "Scale authority built:" in result.output and "rows/s" in result.output
    assert "booking" in result.output and "supervision" in result.output
    with app.app_context():
        first = _checksums()
        db.session.remove()
    clean_database(app)
    with app.app_context():
        build_scale(150, 2, 5, TODAY)
        db.session.commit()
        assert _checksums() == first
        db.session.remove()
    clean_database(app)
    with app.app_context():
        build_scale(150, 2, 6, TODAY)
        db.session.commit()
        other = _checksums()
        assert other["staff"] != first["staff"] and other["booking"] != first["booking"]
        db.session.remove()
        db.engine.dispose()
