"""Caseload services: case types, weighting schemes, snapshots and the import."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from tests import builders
from workforce.extensions import db
from workforce.metrics import caseload as metrics
from workforce.models import AuditEvent, CaseloadCount, CaseloadSnapshot, CaseType, WeightingScheme
from workforce.services import ServiceError
from workforce.services import caseloads as service
from workforce.services.caseload_import import (
    apply_caseload_import,
    plan_caseload_import,
    template_frame,
)
from workforce.services.tabular import read_table

D = Decimal
TODAY = date(2025, 10, 1)


@pytest.fixture
def loaded(db_session: Any) -> dict[str, Any]:
    builders.load_caseload_defaults()
    team = builders.make_team("Alpha")
    return {
        "team": team,
        "types": {t.code: t for t in service.case_types()},
        "ann": builders.make_staff(team, first_name="Ann", last_name="Able", staff_number="E1",
                                   swe_number="SW1234567890"),
        "lee": builders.make_staff(team, first_name="Lee", last_name="Leaver", staff_number="E2",
                                   start=date(2021, 5, 4), end=date(2025, 6, 30),
                                   leaving_reason="1"),
    }  # fmt: skip


# --- case types -------------------------------------------------------------------------------


def test_case_types_are_added_renamed_and_taken_out_of_use(loaded: dict[str, Any]) -> None:
    added = service.add_case_type("Private fostering")
    assert (added.code, added.position, added.active) == ("private_fostering", 8, True)
    with pytest.raises(ServiceError, match="already a case type called Private fostering"):
        service.add_case_type("private fostering", "pf")
    with pytest.raises(ServiceError, match="already a case type with the code cin"):
        service.add_case_type("Children in need (new)", "cin")
    with pytest.raises(ServiceError, match="Enter the name"):
        service.add_case_type("  ")
    with pytest.raises(ServiceError, match="lower-case letters"):
        service.add_case_type("Odd", "Has Spaces")
    service.update_case_type(added, "Private fostering arrangement", active=False)
    db.session.commit()
    assert [t.label for t in service.case_types(active_only=True)][-1] == "Pre-birth"
    with pytest.raises(ServiceError, match="already a case type called Child protection"):
        service.update_case_type(added, "Child protection", active=True)


# --- schemes ----------------------------------------------------------------------------------


def new_version(**changes: Any) -> service.SchemeDetails:
    current = service.scheme_in_force(TODAY)
    assert current is not None
    details = service.details_of(current)
    details.name, details.effective_from = "Version 2", date(2025, 4, 1)
    for key, value in changes.items():
        setattr(details, key, value)
    return details


def test_a_new_version_copies_the_scheme_in_force(loaded: dict[str, Any]) -> None:
    details = new_version(stable_points=D(20))
    cin = loaded["types"]["cin"].id
    details.weights[(cin, 1)] = D("4.5")
    scheme = service.create_scheme(details)
    db.session.commit()
    assert service.scheme_in_force(date(2025, 3, 31)).name == "Default weighting scheme"  # type: ignore[union-attr]
    assert service.scheme_in_force(date(2025, 4, 1)) is scheme
    assert scheme.stable_points == D(20) and len(scheme.weights) == 21 and len(scheme.bands) == 4
    assert {(w.case_type_id, w.tier): w.points for w in scheme.weights}[(cin, 1)] == D("4.5")
    # editing: a band split in two, and a weight left blank is dropped
    details = service.details_of(scheme)
    details.bands[0].upper_pct = D(50)
    details.bands.insert(1, service.BandDetails("Half to 85", D(50), D(85), "green", True))
    details.weights[(cin, 2)] = None
    service.update_scheme(scheme, details)
    db.session.commit()
    assert [(b.name, b.lower_pct) for b in scheme.bands][:2] == [
        ("Capacity for more work", D(0)),
        ("Half to 85", D(50)),
    ]
    assert len(scheme.weights) == 20


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"effective_from": date(2020, 4, 1)},
            "effective_from",
            "already takes effect on 1 April 2020",
        ),
        ({"effective_from": None}, "effective_from", "Enter the date"),
        ({"name": " "}, "name", "Enter a name"),
        ({"stable_points": D(-1)}, "stable_points", "stable element cannot be negative"),
        ({"full_time_max": D(0)}, "full_time_max", "must be more than zero"),
        ({"asye_max": D(101)}, "asye_max", "cannot be more than the full-time maximum"),
    ],
)
def test_scheme_refusals(
    loaded: dict[str, Any], change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as refused:
        service.create_scheme(new_version(**change))
    assert refused.value.field == field


def test_negative_points_per_case_are_refused(loaded: dict[str, Any]) -> None:
    details = new_version()
    cp = loaded["types"]["cp"].id
    details.weights[(cp, 2)] = D(-3)
    with pytest.raises(
        ServiceError, match="Child protection, complex cannot be negative"
    ) as refused:
        service.create_scheme(details)
    assert refused.value.field == f"weight_{cp}_2"


@pytest.mark.parametrize(
    ("band", "message"),
    [
        (("Overlapping", D(80), D(100)), "'Capacity for more work' and 'Overlapping' overlap"),
        (("Gap", D(90), D(100)), "gap from 85% to 90%"),
    ],
)
def test_bands_that_overlap_or_leave_a_gap_are_refused(
    loaded: dict[str, Any], band: tuple[str, Decimal, Decimal], message: str
) -> None:
    details = new_version()
    details.bands[1] = service.BandDetails(band[0], band[1], band[2], "green", True)
    with pytest.raises(ServiceError, match=message) as refused:
        service.create_scheme(details)
    assert refused.value.field == "bands"
    assert db.session.scalar(select(func.count()).select_from(WeightingScheme)) == 1


def test_a_scheme_needs_a_band_within_the_desired_level(loaded: dict[str, Any]) -> None:
    details = new_version()
    for band in details.bands:
        band.within_desired = False
    with pytest.raises(ServiceError, match="at least one band as within the desired level"):
        service.create_scheme(details)


# --- snapshots --------------------------------------------------------------------------------


def entry(loaded: dict[str, Any], on: date, **counts: int) -> service.SnapshotDetails:
    types = loaded["types"]
    parsed = {}
    for key, cases in counts.items():
        code, tier = key.rsplit("_", 1)
        parsed[(types[code].id, int(tier))] = cases
    return service.SnapshotDetails(taken_on=on, counts=parsed, extra_points=D(3))


def test_a_snapshot_is_recorded_judged_and_changed(loaded: dict[str, Any]) -> None:
    ann = loaded["ann"]
    snapshot = service.save_snapshot(
        ann, entry(loaded, date(2025, 9, 30), cin_1=5, cp_2=2, lac_1=0), today=TODAY
    )
    db.session.commit()
    assert snapshot.total_cases == 7 and len(snapshot.counts) == 2 and snapshot.source == "entered"
    judged = service.history(ann)[0]
    # 15 + 5x4 + 2x7 + 3 extra = 52 of 100
    assert judged.standing is not None
    assert (judged.standing.points, judged.standing.capacity) == (D(52), D(100))
    assert judged.standing.band.name == "Capacity for more work"  # type: ignore[union-attr]
    service.save_snapshot(ann, entry(loaded, date(2025, 9, 30), cin_1=6), snapshot, today=TODAY)
    db.session.commit()
    assert [(c.tier, c.cases) for c in snapshot.counts] == [(1, 6)]


@pytest.mark.parametrize(
    ("who", "on", "counts", "field", "message"),
    [
        (
            "ann",
            date(2025, 9, 30),
            {"cin_1": -1},
            "count",
            "Child in need, standard cannot be negative",
        ),
        ("ann", date(2025, 10, 2), {}, "taken_on", "cannot be in the future"),
        ("lee", date(2025, 7, 1), {}, "taken_on", "Lee Leaver left on 30 June 2025"),
        ("lee", date(2021, 5, 3), {}, "taken_on", "Lee Leaver started on 4 May 2021"),
    ],
)
def test_snapshot_refusals(
    loaded: dict[str, Any], who: str, on: date, counts: dict[str, int], field: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as refused:
        service.save_snapshot(loaded[who], entry(loaded, on, **counts), today=TODAY)
    assert (refused.value.field or "").startswith(field)


def test_a_second_snapshot_on_the_same_date_and_negative_extra_points(
    loaded: dict[str, Any],
) -> None:
    ann = loaded["ann"]
    service.save_snapshot(ann, entry(loaded, date(2025, 9, 1)), today=TODAY)
    with pytest.raises(ServiceError, match="already has a caseload on 1 September 2025"):
        service.save_snapshot(ann, entry(loaded, date(2025, 9, 1)), today=TODAY)
    details = entry(loaded, date(2025, 9, 2))
    details.extra_points = D(-1)
    with pytest.raises(ServiceError, match="Extra responsibility points cannot be negative"):
        service.save_snapshot(ann, details, today=TODAY)
    # an inactive case type cannot be recorded
    service.update_case_type(loaded["types"]["early_help"], "Early help", active=False)
    with pytest.raises(ServiceError, match="Early help is no longer in use"):
        service.save_snapshot(ann, entry(loaded, date(2025, 9, 3), early_help_1=1), today=TODAY)
    # a leaver's snapshot on their last day is fine
    service.save_snapshot(loaded["lee"], entry(loaded, date(2025, 6, 30), cp_1=2), today=TODAY)


# --- import -----------------------------------------------------------------------------------


def frame(text: str, name: str = "caseloads.csv") -> Any:
    return read_table(text.encode(), name)


COUNTS = """staff_number,swe_number,date,case_type,tier,cases,extra_points
E1,,2025-09-30,cin,1,5,2
,SW1234567890,30/09/2025,Child protection,complex,3,2
E2,,2025-06-30,lac,,4,
"""


def test_import_counts_then_again_changes_nothing(loaded: dict[str, Any]) -> None:
    plan = plan_caseload_import(frame(COUNTS), today=TODAY)
    assert plan.errors == []
    assert (plan.shape, plan.rows, plan.workers, plan.new, plan.changed) == ("counts", 3, 2, 2, 0)
    apply_caseload_import(plan, "test")
    db.session.commit()
    ann = db.session.scalar(
        select(CaseloadSnapshot).where(CaseloadSnapshot.staff_id == loaded["ann"].id)
    )
    assert ann is not None and ann.source == "import"
    assert ann.extra_points == D(2) and ann.total_cases == 8
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = plan_caseload_import(frame(COUNTS), today=TODAY)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    apply_caseload_import(again, "test")
    db.session.commit()
    # only the import's own event: no row changed
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events + 1
    assert db.session.scalar(select(func.count()).select_from(CaseloadCount)) == 3


def test_import_replaces_a_workers_snapshot_for_that_date(loaded: dict[str, Any]) -> None:
    service.save_snapshot(
        loaded["ann"], entry(loaded, date(2025, 9, 30), cin_1=9, care_leaver_1=1), today=TODAY
    )
    db.session.commit()
    plan = plan_caseload_import(
        frame("staff_number,date,case_type,tier,cases\nE1,2025-09-30,cp,1,2\n"), today=TODAY
    )
    assert (plan.new, plan.changed) == (0, 1)
    apply_caseload_import(plan, "test")
    db.session.commit()
    snapshot = db.session.scalar(select(CaseloadSnapshot))
    assert snapshot is not None
    assert [(c.case_type.code, c.cases) for c in snapshot.counts] == [("cp", 2)]
    assert snapshot.extra_points == D(3)  # no extra_points column: kept


def test_import_one_row_per_case(loaded: dict[str, Any]) -> None:
    text = (
        "staff_number,date,case_type,tier,case_reference\n"
        "E1,2025-09-30,cin,1,C-1\nE1,2025-09-30,cin,1,C-2\nE1,2025-09-30,cp,3,C-3\n"
    )
    plan = plan_caseload_import(frame(text), today=TODAY)
    assert plan.errors == [] and plan.shape == "cases"
    apply_caseload_import(plan, "test")
    db.session.commit()
    snapshot = db.session.scalar(select(CaseloadSnapshot))
    assert snapshot is not None
    assert sorted((c.case_type.code, c.tier, c.cases) for c in snapshot.counts) == [
        ("cin", 1, 2),
        ("cp", 3, 1),
    ]


def test_import_lists_every_bad_row_and_writes_nothing(loaded: dict[str, Any]) -> None:
    text = """staff_number,swe_number,date,case_type,tier,cases,extra_points
E1,,2025-09-30,cin,1,5,1
E9,,2025-09-30,cin,1,5,
,,2025-09-30,cin,1,5,
E1,SW0000000001,2025-09-30,cp,1,1,
E1,,2025-10-05,cin,1,1,
E2,,2025-07-01,cin,1,1,
E1,,not a date,cin,1,1,
E1,,2025-09-29,unknown,1,1,
E1,,2025-09-29,cin,4,1,
E1,,2025-09-29,cp,1,-2,
E1,,2025-09-29,lac,1,two,
E1,,2025-09-30,cin,1,6,1
E1,,2025-09-30,cp,1,1,7
E1,,2025-09-28,cp,1,1,-1
"""
    plan = plan_caseload_import(frame(text), today=TODAY)
    got = [(e.row, e.column, e.message) for e in plan.errors]
    assert got == [
        (3, "staff_number", "no staff record has staff number E9"),
        (4, "staff_number", "give a staff number or an SWE number"),
        (5, "swe_number", "no staff record has the SWE number SW0000000001"),
        (6, "date", "cannot be in the future"),
        (7, "date", "Lee Leaver left on 2025-06-30, before this date"),
        (8, "date", "must be a date like 2024-09-02 or 02/09/2024"),
        (9, "case_type", "there is no case type unknown"),
        (10, "tier", "must be 1, 2 or 3 (standard, complex, highly complex)"),
        (11, "cases", "cannot be negative"),
        (12, "cases", "must be a whole number"),
        (
            13,
            "case_type",
            "row 2 already gives this worker's child in need cases, tier 1, on 2025-09-30",
        ),
        (14, "extra_points", "row 2 gives this worker 1 extra points on this date"),
        (15, "extra_points", "cannot be negative"),
    ]
    assert plan.snapshots == {}
    with pytest.raises(ValueError, match="errors cannot be applied"):
        apply_caseload_import(plan, "test")


def test_import_header_problems(loaded: dict[str, Any]) -> None:
    plan = plan_caseload_import(frame("name,date\nAnn,2025-09-30\n"), today=TODAY)
    assert [(e.row, e.column) for e in plan.errors] == [
        (1, "staff_number or swe_number, case_type, cases or case_reference")
    ]
    both = plan_caseload_import(
        frame("staff_number,date,case_type,cases,case_reference\nE1,2025-09-30,cin,1,C1\n"),
        today=TODAY,
    )
    assert "not both" in both.errors[0].message
    duplicate = plan_caseload_import(
        frame(
            "staff_number,date,case_type,case_reference\nE1,2025-09-30,cin,C1\nE1,2025-09-30,cp,c1\n"
        ),
        today=TODAY,
    )
    assert [(e.row, e.column) for e in duplicate.errors] == [(3, "case_reference")]


def test_the_templates_import_as_they_are(loaded: dict[str, Any]) -> None:
    for shape in ("counts", "cases"):
        template = template_frame(shape)
        buffer = io.StringIO()
        template.to_csv(buffer, index=False)
        plan = plan_caseload_import(frame(buffer.getvalue()), today=TODAY)
        # the example staff number is not ours: the only problem is that
        assert {e.message for e in plan.errors} == {"no staff record has staff number E12345"}
    assert db.session.scalar(select(func.count()).select_from(CaseType)) == 7


# --- stored totals ----------------------------------------------------------------------------


def stored_totals() -> dict[date, tuple[int, Decimal]]:
    """Every snapshot's stored (total cases, case points) by date, read afresh, after
    checking each equals a recomputation from its counts with ``workforce.metrics.caseload``
    under the scheme in force on its date."""
    db.session.expire_all()
    schemes = list(service.metrics_schemes().values())
    stored: dict[date, tuple[int, Decimal]] = {}
    for snapshot in db.session.scalars(select(CaseloadSnapshot)):
        rows = [(c.case_type_id, c.tier, c.cases) for c in snapshot.counts]
        scheme = metrics.scheme_in_force(schemes, snapshot.taken_on)
        points = metrics.case_points(rows, scheme.weights) if scheme is not None else D(0)
        assert (snapshot.total_cases, snapshot.case_points) == (metrics.total_cases(rows), points)
        stored[snapshot.taken_on] = (snapshot.total_cases, snapshot.case_points)
    return stored


def recompute_events() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "recompute")
    )


def test_stored_totals_follow_every_kind_of_change(loaded: dict[str, Any]) -> None:
    ann, types = loaded["ann"], loaded["types"]
    cin, cp = types["cin"].id, types["cp"].id
    default = service.scheme_in_force(TODAY)
    assert default is not None
    # saved in the interface: one before every scheme (no points), three under the default
    for on, counts in (
        (date(2020, 3, 2), {"cin_1": 4}),
        (date(2024, 6, 28), {"cin_1": 5, "cp_2": 2}),
        (date(2025, 5, 1), {"lac_1": 3}),
        (date(2025, 9, 30), {"cin_1": 2, "care_leaver_3": 1}),
    ):
        service.save_snapshot(ann, entry(loaded, on, **counts), today=TODAY)
    db.session.commit()
    assert stored_totals() == {
        date(2020, 3, 2): (4, D(0)),
        date(2024, 6, 28): (7, D(34)),  # 5x4 + 2x7
        date(2025, 5, 1): (3, D(15)),
        date(2025, 9, 30): (3, D(13)),  # 2x4 + 1x5
    }
    # changed in the interface: another date and other counts
    may = db.session.scalar(
        select(CaseloadSnapshot).where(CaseloadSnapshot.taken_on == date(2025, 5, 1))
    )
    service.save_snapshot(ann, entry(loaded, date(2025, 5, 2), cp_1=4), may, today=TODAY)
    db.session.commit()
    assert stored_totals()[date(2025, 5, 2)] == (4, D(24))
    # imported: one replaced, one new
    plan = plan_caseload_import(
        frame(
            "staff_number,date,case_type,tier,cases\nE1,2025-09-30,cin,1,3\nE1,2025-08-29,cp,3,1\n"
        ),
        today=TODAY,
    )
    assert (plan.new, plan.changed) == (1, 1)
    apply_caseload_import(plan, "test")
    db.session.commit()
    totals = stored_totals()
    assert (totals[date(2025, 9, 30)], totals[date(2025, 8, 29)]) == ((3, D(12)), (1, D(8)))
    # a new version from 1 April 2025 with 10 points per standard child in need case
    details = service.details_of(default)
    details.name, details.effective_from = "Version 2", date(2025, 4, 1)
    details.weights[(cin, 1)] = D(10)
    version = service.create_scheme(details)
    db.session.commit()
    totals = stored_totals()
    assert totals[date(2025, 9, 30)] == (3, D(30)) and totals[date(2024, 6, 28)] == (7, D(34))
    assert recompute_events() == 1
    # its points per case change
    details = service.details_of(version)
    details.weights[(cp, 3)] = D(12)
    service.update_scheme(version, details)
    db.session.commit()
    assert stored_totals()[date(2025, 8, 29)] == (1, D(12))
    # it moves later: May and August go back to the default scheme
    details = service.details_of(version)
    details.effective_from = date(2025, 9, 1)
    service.update_scheme(version, details)
    db.session.commit()
    totals = stored_totals()
    assert (totals[date(2025, 5, 2)], totals[date(2025, 8, 29)]) == ((4, D(24)), (1, D(8)))
    assert totals[date(2025, 9, 30)] == (3, D(30))
    # it moves earlier than the June 2024 snapshot
    details = service.details_of(version)
    details.effective_from = date(2024, 1, 1)
    service.update_scheme(version, details)
    db.session.commit()
    assert stored_totals()[date(2024, 6, 28)] == (7, D(64))  # 5x10 + 2x7
    # a version before every other one gives the March 2020 snapshot points
    details = service.details_of(default)
    details.name, details.effective_from = "Version 0", date(2020, 1, 1)
    details.weights[(cin, 1)] = D(1)
    service.create_scheme(details)
    db.session.commit()
    assert stored_totals()[date(2020, 3, 2)] == (4, D(4))
    # a change that cannot move case points recomputes nothing
    events = recompute_events()
    details = service.details_of(version)
    details.name, details.stable_points, details.full_time_max = "Renamed", D(25), D(95)
    service.update_scheme(version, details)
    db.session.commit()
    assert recompute_events() == events
    stored_totals()


def test_recompute_snapshot_totals_after_a_bulk_write(loaded: dict[str, Any]) -> None:
    """Snapshots and counts written in bulk (as the demo data does) get their stored totals
    from ``recompute_snapshot_totals``: the ones named, or every one; set-based, without
    touching ``updated_at``."""
    cin, lac = loaded["types"]["cin"].id, loaded["types"]["lac"].id
    ids = db.session.scalars(
        insert(CaseloadSnapshot).returning(CaseloadSnapshot.id, sort_by_parameter_order=True),
        [
            {"staff_id": loaded["ann"].id, "taken_on": on, "extra_points": D(0)}
            for on in (date(2020, 2, 3), date(2024, 3, 4), date(2025, 9, 1))
        ],
    ).all()
    db.session.execute(
        insert(CaseloadCount),
        [
            {"snapshot_id": ids[0], "case_type_id": cin, "tier": 1, "cases": 2},
            {"snapshot_id": ids[1], "case_type_id": cin, "tier": 2, "cases": 3},
            {"snapshot_id": ids[1], "case_type_id": lac, "tier": 3, "cases": 1},
            {"snapshot_id": ids[2], "case_type_id": lac, "tier": 1, "cases": 6},
        ],
    )
    db.session.commit()
    when = select(CaseloadSnapshot.id, CaseloadSnapshot.updated_at)
    stamps = dict(db.session.execute(when).tuples().all())
    assert service.recompute_snapshot_totals([ids[1]]) == 1
    db.session.commit()
    db.session.expire_all()
    held = {
        s.taken_on: (s.total_cases, s.case_points)
        for s in db.session.scalars(select(CaseloadSnapshot))
    }
    assert held[date(2024, 3, 4)] == (4, D(22)) and held[date(2025, 9, 1)] == (0, D(0))
    assert service.recompute_snapshot_totals() == 3
    db.session.commit()
    assert stored_totals() == {
        date(2020, 2, 3): (2, D(0)),  # before the default scheme
        date(2024, 3, 4): (4, D(22)),  # 3x5 + 1x7
        date(2025, 9, 1): (6, D(30)),
    }
    assert dict(db.session.execute(when).tuples().all()) == stamps
    assert service.recompute_snapshot_totals([]) == 0
