"""Caseload weighting as pure functions, on hand-made data (``workforce.metrics.caseload``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workforce.metrics import caseload as m

D = Decimal
BANDS = (
    m.Band("Capacity for more work", D(0), D(85), "green", True),
    m.Band("Within the desired level", D(85), D(100), "green", True),
    m.Band("Above the desired level", D(100), D(110), "amber", False),
    m.Band("Over capacity", D(110), None, "red", False),
)
SCHEME = m.Scheme(
    effective_from=date(2020, 4, 1),
    stable_points=D(15),
    full_time_max=D(100),
    asye_max=D(90),
    weights={("cin", 1): D(4), ("cin", 2): D(5), ("cp", 1): D(6), ("lac", 3): D(7)},
    bands=BANDS,
)


def test_weighted_points_add_the_stable_element_cases_and_extra_points() -> None:
    counts = [("cin", 1, 5), ("cin", 2, 2), ("cp", 1, 3)]
    # 15 + 5x4 + 2x5 + 3x6 + 2.5 = 65.5
    assert m.weighted_points(counts, SCHEME.weights, D(15), D("2.5")) == D("65.5")
    assert m.weighted_points([], SCHEME.weights, D(15)) == D(15)


def test_a_type_the_scheme_does_not_weight_carries_no_points() -> None:
    assert m.weighted_points([("pre_birth", 1, 4)], SCHEME.weights, D(15)) == D(15)


@pytest.mark.parametrize(
    ("counts", "stable", "extra"),
    [([("cin", 1, -1)], D(15), D(0)), ([], D(-1), D(0)), ([], D(15), D(-1))],
)
def test_negative_counts_or_points_are_refused(
    counts: list, stable: Decimal, extra: Decimal
) -> None:
    with pytest.raises(ValueError, match="negative"):
        m.weighted_points(counts, SCHEME.weights, stable, extra)


def test_capacity_is_the_maximum_times_fte() -> None:
    assert m.capacity(D(100), D("0.5")) == D(50)
    assert m.capacity(D(90), D("0.8")) == D(72)
    assert m.capacity(D(100), D(0)) == D(0)
    for bad in (D("1.01"), D("-0.1")):
        with pytest.raises(ValueError, match="FTE"):
            m.capacity(D(100), bad)


def test_the_asye_maximum_applies_in_the_asye() -> None:
    assert m.maximum_for(SCHEME, asye=True) == D(90)
    assert m.maximum_for(SCHEME, asye=False) == D(100)


def test_in_asye_by_kss_status_or_a_newly_qualified_start_within_a_year() -> None:
    assert m.in_asye("1", None, None, date(2025, 1, 1))
    start = date(2024, 3, 1)
    assert m.in_asye(None, "1", start, date(2025, 2, 28))
    assert not m.in_asye(None, "1", start, date(2025, 3, 1))
    assert not m.in_asye(None, "2", start, date(2024, 6, 1))
    assert not m.in_asye("2", None, start, date(2024, 6, 1))
    # a leap-day start: the year ends on 28 February
    assert m.one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert m.in_asye(None, "1", date(2024, 2, 29), date(2025, 2, 27))
    assert not m.in_asye(None, "1", date(2024, 2, 29), date(2025, 2, 28))


def test_utilisation_and_bands_lower_inclusive_upper_exclusive() -> None:
    assert m.utilisation(D(85), D(100)) == D(85)
    assert m.utilisation(D(55), D(50)) == D(110)
    assert m.utilisation(D(10), D(0)) is None
    assert m.band_for(BANDS, D(0)).name == "Capacity for more work"  # type: ignore[union-attr]
    assert m.band_for(BANDS, D("84.99")).name == "Capacity for more work"  # type: ignore[union-attr]
    assert m.band_for(BANDS, D(85)).name == "Within the desired level"  # type: ignore[union-attr]
    assert m.band_for(BANDS, D(100)).rag == "amber"  # type: ignore[union-attr]
    assert m.band_for(BANDS, D(110)).rag == "red"  # type: ignore[union-attr]
    assert m.band_for(BANDS, D(400)).rag == "red"  # type: ignore[union-attr]
    assert m.band_for(BANDS, None) is None


def test_over_capacity_is_points_above_capacity() -> None:
    assert m.over_capacity(D("80.01"), D(80))
    assert not m.over_capacity(D(80), D(80))


def test_standing_of_a_part_time_asye_worker() -> None:
    # 15 + 10x4 + 1x7 = 62 points; capacity 90 x 0.8 = 72; 86.11%: within the desired level
    result = m.standing(SCHEME, [("cin", 1, 10), ("lac", 3, 1)], fte=D("0.8"), asye=True)
    assert (result.cases, result.points, result.capacity) == (11, D(62), D("72.0"))
    assert result.utilisation_pct is not None
    assert round(result.utilisation_pct, 2) == D("86.11")
    assert result.band is BANDS[1]
    assert result.within_desired and not result.over_capacity


def test_band_problems_overlap_gap_and_open_end() -> None:
    assert m.band_problems(BANDS) == []
    overlap = (BANDS[0], m.Band("Middle", D(80), D(100), "green", True), *BANDS[2:])
    assert m.band_problems(overlap) == ["Bands 'Capacity for more work' and 'Middle' overlap"]
    gap = (BANDS[0], m.Band("Middle", D(90), D(100), "green", True), *BANDS[2:])
    assert m.band_problems(gap) == ["The bands leave a gap from 85% to 90%"]
    late_start = (m.Band("Low", D(10), D(85), "green", True), *BANDS[1:])
    assert m.band_problems(late_start) == ["The bands leave a gap from 0% to 10%"]
    closed = BANDS[:3]
    assert m.band_problems(closed) == [
        "The bands leave a gap above 110%: leave the last band's upper limit empty"
    ]
    two_open = (*BANDS, m.Band("Also open", D(120), None, "red", False))
    assert m.band_problems(two_open) == ["Bands 'Over capacity' and 'Also open' overlap"]
    assert m.band_problems(()) == ["Add at least one band"]
    assert m.band_problems((m.Band("Upside down", D(50), D(40), "green", True),)) == [
        "Band 'Upside down' must end above where it starts"
    ]
    assert "RAG colour" in m.band_problems((m.Band("Blue", D(0), None, "blue", True),))[0]


def test_share_within_desired_counts_only_workers_with_a_utilisation() -> None:
    within = m.standing(SCHEME, [("cin", 1, 5)], fte=D(1), asye=False)  # 35%
    above = m.standing(SCHEME, [("cin", 1, 22)], fte=D(1), asye=False)  # 103%
    no_capacity = m.standing(SCHEME, [], fte=D(0), asye=False)
    assert no_capacity.utilisation_pct is None
    assert m.share_within_desired([within, above, no_capacity]) == D("0.5000")
    assert m.share_within_desired([no_capacity]) is None


def test_average_caseload_is_cases_over_case_holding_fte() -> None:
    # the DfE's England 2023 figure: 337,055 cases over 21,111.4 case-holding FTE = 16.0
    assert m.caseload_ratio(337_055, D("21111.4")) == D("16.0")
    # a worker with no cases is not a case holder: 54 / (1 + 0.5 + 1 + 1 + 0.8) = 12.6,
    # where 54 over every worker's 5.3 FTE would be 10.2
    holdings = [(12, D(1)), (5, D("0.5")), (15, D(1)), (12, D(1)), (0, D(1)), (10, D("0.8"))]
    assert m.average_caseload(holdings) == D("12.6")
    assert m.average_caseload([(0, D(1))]) is None
    with pytest.raises(ValueError, match="negative"):
        m.average_caseload([(-1, D(1))])


def test_the_scheme_in_force_is_the_latest_effective_on_or_before_the_day() -> None:
    later = m.Scheme(date(2025, 9, 20), D(20), D(100), D(90), {}, BANDS)
    schemes = [SCHEME, later]
    assert m.scheme_in_force(schemes, date(2020, 3, 31)) is None
    assert m.scheme_in_force(schemes, date(2020, 4, 1)) is SCHEME
    assert m.scheme_in_force(schemes, date(2025, 9, 19)) is SCHEME
    assert m.scheme_in_force(schemes, date(2025, 9, 20)) is later


def test_case_points_and_total_cases_leave_out_the_stable_element_and_extra_points() -> None:
    counts = [("cin", 1, 5), ("cin", 2, 2), ("cp", 1, 3), ("pre_birth", 1, 4)]
    # 5x4 + 2x5 + 3x6 (+ pre-birth unweighted) = 48, of 14 cases
    assert m.case_points(counts, SCHEME.weights) == D(48)
    assert m.total_cases(counts) == 14
    assert m.case_points([], SCHEME.weights) == 0 and m.total_cases([]) == 0
    # the weighted points are the stable element + the case points + extra points
    assert m.weighted_points(counts, SCHEME.weights, D(15), D("2.5")) == D("65.5")
    with pytest.raises(ValueError, match="negative"):
        m.case_points([("cin", 1, -1)], SCHEME.weights)
    with pytest.raises(ValueError, match="negative"):
        m.total_cases([("cin", 1, -1)])
    with pytest.raises(ValueError, match="negative"):
        m.case_points([("cin", 1, 1)], {("cin", 1): D(-1)})


A, B, C = date(2020, 4, 1), date(2024, 4, 1), date(2025, 4, 1)


def test_scheme_periods_run_to_the_next_effective_date() -> None:
    assert m.scheme_periods({2: B, 1: A, 3: C}) == [(1, A, B), (2, B, C), (3, C, None)]
    assert m.scheme_periods({}) == []


@pytest.mark.parametrize(
    ("before", "after", "changed", "expected"),
    [
        # a new latest version: from its date on
        ({1: A}, {1: A, 2: C}, [2], [(C, None)]),
        # a new version between two: until the next one
        ({1: A, 3: C}, {1: A, 2: B, 3: C}, [2], [(B, C)]),
        # a new first version: from its date up to the old first one (none before it)
        ({1: B}, {0: A, 1: B}, [0], [(A, B)]),
        # the points per case of the middle one change: its own period
        ({1: A, 2: B, 3: C}, {1: A, 2: B, 3: C}, [2], [(B, C)]),
        # only its name, stable element, maxima or bands change: nothing
        ({1: A, 2: B, 3: C}, {1: A, 2: B, 3: C}, [], []),
        # its date moves later: the days it gave up go back to the one before
        ({1: A, 2: B, 3: C}, {1: A, 2: date(2024, 10, 1), 3: C}, [], [(B, date(2024, 10, 1))]),
        # its date moves earlier and its points change: from the new date to the next one
        ({1: A, 2: B, 3: C}, {1: A, 2: date(2023, 1, 1), 3: C}, [2], [(date(2023, 1, 1), C)]),
        # it jumps past the next one: both of its periods, not the one between
        (
            {1: A, 2: B, 3: C},
            {1: A, 2: date(2025, 6, 1), 3: C},
            [],
            [(B, C), (date(2025, 6, 1), None)],
        ),
        # the first one moves later: the days before it carry no points any more
        ({1: A, 2: C}, {1: B, 2: C}, [], [(A, B)]),
    ],
)
def test_periods_to_recompute_after_a_scheme_change(
    before: dict[int, date],
    after: dict[int, date],
    changed: list[int],
    expected: list[tuple[date, date | None]],
) -> None:
    assert m.periods_to_recompute(before, after, changed) == expected
