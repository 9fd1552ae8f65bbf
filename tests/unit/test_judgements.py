"""RAG, target met, variance, % of target, direction of travel, trend and forecast on
hand-made figures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from workforce.metrics.judgements import (
    baseline_change,
    direction,
    forecast,
    percent_of_target,
    rag,
    target_met,
    trend,
    variance_from_target,
)


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "expected"),
    [
        # Target 60, tolerance 5% (3 points).
        ("60", "60", "higher", "green"),
        ("61", "60", "higher", "green"),
        ("57", "60", "higher", "amber"),
        ("56.99", "60", "higher", "red"),
        ("60", "60", "lower", "green"),
        ("63", "60", "lower", "amber"),
        ("63.01", "60", "lower", "red"),
        ("10", "60", "neither", None),
        # A target of zero: met only at zero, no amber band.
        ("0", "0", "lower", "green"),
        ("1", "0", "lower", "red"),
    ],
)
def test_rag_against_target_with_polarity_and_tolerance(actual, target, polarity, expected):
    assert rag(D(actual), D(target), polarity, D("5")) == expected


def test_rag_needs_both_figures_and_takes_the_measures_own_tolerance():
    assert rag(None, D("60"), "higher") is None
    assert rag(D("50"), None, "higher") is None
    assert rag(D("50"), D("60"), "higher", D("20")) == "amber"
    assert rag(D("47"), D("60"), "higher", D("20")) == "red"


def test_target_met_variance_and_percent_of_target():
    assert target_met(D("13.9"), D("13.5"), "lower") is False
    assert target_met(D("13.5"), D("13.5"), "lower") is True
    assert target_met(D("80"), D("85"), "higher") is False
    assert target_met(D("1"), D("2"), "neither") is None
    assert target_met(None, D("2"), "higher") is None
    assert variance_from_target(D("61.3"), D("80")) == (D("61.3") - D("80")) / D("80")
    assert variance_from_target(D("1"), D("0")) is None
    assert percent_of_target(D("71"), D("95")) == D("71") / D("95")
    assert percent_of_target(None, D("95")) is None


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "expected"),
    [
        ("14.8", "8.4", "lower", "worsening"),
        ("13.9", "14.8", "lower", "improving"),
        ("71", "54", "higher", "improving"),
        ("40", "68", "higher", "worsening"),
        ("5", "5", "higher", "no_change"),
        ("6", "5", "neither", "up"),
        ("4", "5", "neither", "down"),
    ],
)
def test_direction_of_travel(current, previous, polarity, expected):
    assert direction(D(current), D(previous), polarity) == expected


def test_direction_needs_both_figures():
    assert direction(None, D("1"), "higher") is None
    assert direction(D("1"), None, "higher") is None


def test_baseline_change():
    assert baseline_change(D("71"), D("54")) == (D("71") - D("54")) / D("54")
    assert baseline_change(D("71"), None) is None
    assert baseline_change(D("71"), D("0")) is None


def test_trend_runs_end_at_the_latest_period_and_break_on_a_gap():
    values = [D("50"), D("55"), D("60")]
    assert (trend(values, "higher").direction, trend(values, "higher").run_length) == (
        "improving",
        2,
    )
    assert trend(values, "higher").label == "Improving for 2 periods"
    turned = trend([D("50"), D("55"), D("60"), D("58")], "higher")
    assert (turned.direction, turned.run_length, turned.label) == ("worsening", 1, "Worsening")
    gap = trend([D("40"), D("45"), None, D("50"), D("55")], "higher")
    assert (gap.direction, gap.run_length) == ("improving", 1)
    flat = trend([D("5"), D("5"), D("5")], "lower")
    assert (flat.direction, flat.run_length) == ("no_change", 2)
    assert trend([D("5")], "higher").label == "Not enough figures"
    assert trend([D("5"), None], "higher").direction is None


def test_forecast_is_a_least_squares_line_and_needs_three_points():
    assert forecast([D("10"), D("12"), D("14")], 2) == [D("16"), D("18")]
    # The line through (0, 10), (1, 13), (2, 14): slope 2, intercept 10.333...
    ahead = forecast([D("10"), D("13"), D("14")], 1)
    assert ahead[0].quantize(D("0.001")) == D("16.333")
    # Gaps are skipped; positions are kept.
    assert forecast([D("10"), None, D("14"), D("16")], 1)[0].quantize(D("0.01")) == D("18.00")
    assert forecast([D("10"), D("12")], 3) == []
    assert forecast([D("10"), D("12"), D("13")], 0) == []
    # Only the last ``history`` figures count.
    assert forecast([D("100"), D("1"), D("2"), D("3")], 1, history=3) == [D("4")]
