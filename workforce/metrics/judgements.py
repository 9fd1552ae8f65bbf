"""Judgements on a performance measure's figures, as results-based accountability scorecards
make them (``DOMAIN.md`` section 8): RAG against target with polarity and a tolerance band,
target met, variance from target, % of target, direction of travel against the previous
period and against the baseline, the run length of the current trend, and a straight-line
forecast for the turn-the-curve page.

Polarity says which way is better: ``higher`` (a % of staff within supervision policy),
``lower`` (turnover) or ``neither`` (a count that is context, not a goal; it has no RAG).

Percentages and shares returned here are proportions (0.25 is 25%), like every report
column of kind "percent". Everything is pure: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

#: Which way is better, with the label shown to people.
POLARITIES: dict[str, str] = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neither": "Neither (context only)",
}
#: RAG ratings, with a symbol and words (the colour is never the only signal).
RAG_LABELS: dict[str, str] = {
    "green": "Green: target met",
    "amber": "Amber: within tolerance of target",
    "red": "Red: off target",
}
RAG_SYMBOLS: dict[str, str] = {"green": "●", "amber": "◐", "red": "○"}
#: Directions of travel, with a symbol and words.
DIRECTION_LABELS: dict[str, str] = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no_change": "No change",
    "up": "Going up",
    "down": "Going down",
}
DIRECTION_SYMBOLS: dict[str, str] = {
    "improving": "▲",
    "worsening": "▼",
    "no_change": "▶",
    "up": "▲",
    "down": "▼",
}
#: The tolerance band (a % of target) a measure gets unless it sets its own.
DEFAULT_TOLERANCE = Decimal("5")


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"unknown polarity {polarity!r}")


def target_met(actual: Decimal | None, target: Decimal | None, polarity: str) -> bool | None:
    """Whether ``actual`` meets ``target``: at or above it when higher is better, at or
    below it when lower is better. None when either figure is missing or the measure has
    no polarity."""
    _check_polarity(polarity)
    if actual is None or target is None or polarity == "neither":
        return None
    return actual >= target if polarity == "higher" else actual <= target


def rag(
    actual: Decimal | None,
    target: Decimal | None,
    polarity: str,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> str | None:
    """Green when the target is met; amber when the actual misses it by no more than
    ``tolerance`` per cent of the target; red otherwise. None without both figures or a
    polarity.

    A target of 60 with a 5% tolerance: higher is better gives green from 60, amber from
    57 and red below 57; lower is better gives green up to 60, amber up to 63, red above.
    """
    met = target_met(actual, target, polarity)
    if met is None:
        return None
    if met:
        return "green"
    assert actual is not None and target is not None
    band = abs(target) * tolerance / Decimal(100)
    shortfall = target - actual if polarity == "higher" else actual - target
    return "amber" if shortfall <= band else "red"


def variance_from_target(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """(actual - target) / target, as a proportion; None without both or with a zero
    target. Its sign is arithmetic: for a lower-is-better measure a negative variance is
    good."""
    if actual is None or target is None or target == 0:
        return None
    return (actual - target) / target


def percent_of_target(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """actual / target, as a proportion (1 is exactly on target); None without both or
    with a zero target."""
    if actual is None or target is None or target == 0:
        return None
    return actual / target


def direction(current: Decimal | None, previous: Decimal | None, polarity: str) -> str | None:
    """The direction of travel from ``previous`` to ``current``: improving, worsening or no
    change (for a measure without polarity: up, down or no change). None without both."""
    _check_polarity(polarity)
    if current is None or previous is None:
        return None
    if current == previous:
        return "no_change"
    went_up = current > previous
    if polarity == "neither":
        return "up" if went_up else "down"
    return "improving" if went_up == (polarity == "higher") else "worsening"


def baseline_change(current: Decimal | None, baseline: Decimal | None) -> Decimal | None:
    """(current - baseline) / baseline, as a proportion; None without both or with a zero
    baseline."""
    if current is None or baseline is None or baseline == 0:
        return None
    return (current - baseline) / baseline


@dataclass(frozen=True)
class Trend:
    """The current trend: the direction of the latest change and how many period-to-period
    changes in a row went that way (ending at the latest period)."""

    direction: str | None
    run_length: int

    @property
    def label(self) -> str:
        """ "Improving for 3 periods", "No change", or "Not enough figures"."""
        if self.direction is None:
            return "Not enough figures"
        words = DIRECTION_LABELS[self.direction]
        if self.run_length <= 1:
            return words
        return f"{words} for {self.run_length} periods"


def trend(values: Sequence[Decimal | None], polarity: str) -> Trend:
    """The current trend of ``values`` (oldest first, one per period; None where a period
    has no figure).

    The run counts changes between consecutive periods, from the latest backwards, while
    they go the same way; a gap (a period without a figure) ends it. [50, 55, 60, 58] with
    higher better is worsening for 1; [50, 55, 60] is improving for 2.
    """
    _check_polarity(polarity)
    latest_direction: str | None = None
    run = 0
    for index in range(len(values) - 1, 0, -1):
        step = direction(values[index], values[index - 1], polarity)
        if step is None:
            break
        if latest_direction is None:
            latest_direction = step
        elif step != latest_direction:
            break
        run += 1
    return Trend(latest_direction, run)


def forecast(values: Sequence[Decimal | None], ahead: int, *, history: int = 6) -> list[Decimal]:
    """A straight-line forecast for the ``ahead`` periods after ``values`` (oldest first),
    fitted by least squares to the last ``history`` periods that have figures. Empty when
    fewer than three of them have figures: too few to draw a line through honestly.
    """
    points = [(index, value) for index, value in enumerate(values) if value is not None]
    points = points[-history:]
    if len(points) < 3 or ahead <= 0:
        return []
    count = Decimal(len(points))
    mean_x = sum(Decimal(x) for x, _ in points) / count
    mean_y = sum(y for _, y in points) / count
    spread = sum((Decimal(x) - mean_x) ** 2 for x, _ in points)
    slope = sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in points) / spread
    intercept = mean_y - slope * mean_x
    last = len(values) - 1
    return [intercept + slope * Decimal(last + step) for step in range(1, ahead + 1)]
