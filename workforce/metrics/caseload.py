"""Caseload weighting: points, capacity, utilisation and bands, and the DfE caseload.

Pure functions on plain values (no Flask, no database), tested on hand-made data.

**Weighted points** (DOMAIN.md section 5, the published council schemes): a stable non-case
element every worker carries (meetings, duty, training; 15 by default) + for each case type
and complexity tier, the cases held times the scheme's points for one such case + points for
extra responsibilities (a student, a project). A case type and tier the scheme gives no
points carries none.

**Capacity**: the scheme's maximum times the worker's FTE; the maximum is the ASYE maximum
(90 by default) for a worker in their ASYE, the full-time maximum (100) otherwise.

**Utilisation**: weighted points as a percentage of capacity (none when the capacity is
zero). It falls in the scheme's band whose range holds it, each band running from its lower
percentage *inclusive* to its upper percentage *exclusive* (the last band has no upper
bound). Each band carries a RAG colour and says whether it is "within the desired level".
A scheme's bands must cover every utilisation from 0% up, with no gap and no overlap.

**Over capacity**: weighted points above capacity (utilisation over 100%).

**Average caseload** exactly as the DfE children's social work workforce census publishes it
(DOMAIN.md section 4): cases held / FTE of the case holders, a case holder being anyone
holding one or more cases (2023 England: 337,055 / 21,111.4 = 16.0).

**% of social workers within the desired level** (seed 002's measure): workers whose
utilisation falls in a band within the desired level, over workers with a utilisation.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")
RATE_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
#: Census KSS status code of a worker in their ASYE.
ASYE_KSS_STATUS = "1"
#: Census start origin code of a newly qualified social worker.
NQSW_ORIGIN = "1"
RAG_COLOURS = ("green", "amber", "red")
#: A scheme's key (its id, say).
K = TypeVar("K")


@dataclass(frozen=True)
class Band:
    """A band of utilisation from ``lower_pct`` (inclusive) to ``upper_pct`` (exclusive;
    None: no upper bound)."""

    name: str
    lower_pct: Decimal
    upper_pct: Decimal | None
    rag: str
    within_desired: bool

    def holds(self, utilisation_pct: Decimal) -> bool:
        """Whether a utilisation (a percentage) falls in this band."""
        return self.lower_pct <= utilisation_pct and (
            self.upper_pct is None or utilisation_pct < self.upper_pct
        )


@dataclass(frozen=True)
class Scheme:
    """What a weighting scheme says, as the calculations need it."""

    effective_from: date
    stable_points: Decimal
    full_time_max: Decimal
    asye_max: Decimal
    #: (case type key, tier) -> points for one case.
    weights: Mapping[tuple[object, int], Decimal]
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Standing:
    """One worker's caseload judged against a scheme."""

    cases: int
    points: Decimal
    capacity: Decimal
    #: Points as a percentage of capacity; None when the capacity is zero.
    utilisation_pct: Decimal | None
    band: Band | None

    @property
    def within_desired(self) -> bool:
        """Whether the utilisation falls in a band within the desired level."""
        return self.band is not None and self.band.within_desired

    @property
    def over_capacity(self) -> bool:
        """Whether the points are above capacity."""
        return over_capacity(self.points, self.capacity)


def _dec(value: Decimal | int | float | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def case_points(
    counts: Iterable[tuple[object, int, int]], weights: Mapping[tuple[object, int], Decimal]
) -> Decimal:
    """Sum of cases x points per case for each (type, tier): the case points of a caseload,
    without the stable element and extra points (what ``CaseloadSnapshot.case_points``
    stores for the scheme in force on the snapshot's date).

    ``counts`` are (case type key, tier, cases). Negative counts or points are refused.
    """
    total = Decimal(0)
    for key, tier, cases in counts:
        if cases < 0:
            raise ValueError("case counts cannot be negative")
        weight = weights.get((key, tier), Decimal(0))
        if weight < 0:
            raise ValueError("points cannot be negative")
        total += cases * weight
    return total


def total_cases(counts: Iterable[tuple[object, int, int]]) -> int:
    """Cases of every type and tier (what ``CaseloadSnapshot.total_cases`` stores)."""
    total = 0
    for _, _, cases in counts:
        if cases < 0:
            raise ValueError("case counts cannot be negative")
        total += cases
    return total


def weighted_points(
    counts: Iterable[tuple[object, int, int]],
    weights: Mapping[tuple[object, int], Decimal],
    stable_points: Decimal,
    extra_points: Decimal = Decimal(0),
) -> Decimal:
    """Stable element + sum of cases x points per case for each (type, tier) + extra points.

    ``counts`` are (case type key, tier, cases). Negative counts or points are refused.
    """
    stable, extra = _dec(stable_points), _dec(extra_points)
    if stable < 0 or extra < 0:
        raise ValueError("points cannot be negative")
    return stable + case_points(counts, weights) + extra


def capacity(maximum: Decimal, fte: Decimal) -> Decimal:
    """The points a worker can carry: the maximum times their FTE (0 to 1)."""
    fte = _dec(fte)
    if not Decimal(0) <= fte <= Decimal(1):
        raise ValueError("FTE must be from 0 to 1")
    if _dec(maximum) <= 0:
        raise ValueError("the maximum must be more than zero")
    return _dec(maximum) * fte


def maximum_for(scheme: Scheme, asye: bool) -> Decimal:
    """The scheme's maximum for a worker: the ASYE maximum in their ASYE."""
    return scheme.asye_max if asye else scheme.full_time_max


def one_year_after(day: date) -> date:
    """The same day a year later (29 February becomes 28 February)."""
    year = day.year + 1
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def in_asye(
    kss_status: str | None, start_origin: str | None, spell_start: date | None, on: date
) -> bool:
    """Whether a worker is in their ASYE on ``on``: their post's census KSS status is ASYE,
    or the post began as a newly qualified social worker (start origin 1) less than a year
    before (as the supervision policies judge it)."""
    if kss_status == ASYE_KSS_STATUS:
        return True
    return (
        start_origin == NQSW_ORIGIN
        and spell_start is not None
        and spell_start <= on < one_year_after(spell_start)
    )


def utilisation(points: Decimal, capacity_points: Decimal) -> Decimal | None:
    """Points as a percentage of capacity (exact); None when the capacity is zero."""
    capacity_points = _dec(capacity_points)
    if capacity_points <= 0:
        return None
    return _dec(points) * HUNDRED / capacity_points


def band_for(bands: Sequence[Band], utilisation_pct: Decimal | None) -> Band | None:
    """The band a utilisation falls in (None without a utilisation or a band holding it)."""
    if utilisation_pct is None:
        return None
    return next((band for band in bands if band.holds(utilisation_pct)), None)


def over_capacity(points: Decimal, capacity_points: Decimal) -> bool:
    """Whether ``points`` are above capacity (capacity zero: any points are over it)."""
    return _dec(points) > _dec(capacity_points)


def standing(
    scheme: Scheme,
    counts: Sequence[tuple[object, int, int]],
    *,
    fte: Decimal,
    asye: bool,
    extra_points: Decimal = Decimal(0),
) -> Standing:
    """A worker's cases, points, capacity, utilisation and band under ``scheme``."""
    points = weighted_points(counts, scheme.weights, scheme.stable_points, extra_points)
    room = capacity(maximum_for(scheme, asye), fte)
    used = utilisation(points, room)
    return Standing(
        cases=sum(cases for _, _, cases in counts),
        points=points,
        capacity=room,
        utilisation_pct=used,
        band=band_for(scheme.bands, used),
    )


def band_problems(bands: Sequence[Band]) -> list[str]:
    """Why a scheme's bands do not cover every utilisation from 0% up exactly once: gaps,
    overlaps, a band whose upper bound is not above its lower, a band after the open-ended
    one, an unknown RAG colour. Empty when the bands are good."""
    problems: list[str] = []
    if not bands:
        return ["Add at least one band"]
    for band in bands:
        if band.lower_pct < 0:
            problems.append(f"Band {band.name!r} starts below 0%")
        if band.upper_pct is not None and band.upper_pct <= band.lower_pct:
            problems.append(f"Band {band.name!r} must end above where it starts")
        if band.rag not in RAG_COLOURS:
            problems.append(f"Band {band.name!r} needs a RAG colour: green, amber or red")
    if problems:
        return problems
    ordered = sorted(bands, key=lambda b: (b.lower_pct, b.upper_pct is None, b.upper_pct))
    if ordered[0].lower_pct != 0:
        problems.append(f"The bands leave a gap from 0% to {_pct(ordered[0].lower_pct)}")
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.upper_pct is None or after.lower_pct < before.upper_pct:
            problems.append(f"Bands {before.name!r} and {after.name!r} overlap")
        elif after.lower_pct > before.upper_pct:
            problems.append(
                f"The bands leave a gap from {_pct(before.upper_pct)} to {_pct(after.lower_pct)}"
            )
    if all(band.upper_pct is not None for band in ordered):
        top = max(band.upper_pct for band in ordered if band.upper_pct is not None)
        problems.append(
            f"The bands leave a gap above {_pct(top)}: leave the last band's upper limit empty"
        )
    return problems


def _pct(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return f"{text}%"


def scheme_in_force(schemes: Iterable[Scheme], on: date) -> Scheme | None:
    """The scheme in force on ``on``: the latest ``effective_from`` on or before it."""
    candidates = [s for s in schemes if s.effective_from <= on]
    return max(candidates, key=lambda s: s.effective_from) if candidates else None


def scheme_periods(effective: Mapping[K, date]) -> list[tuple[K, date, date | None]]:
    """Each scheme's period in force, in date order: (scheme key, from its effective date,
    until the next scheme's effective date, exclusive; None for the last: no end)."""
    ordered = sorted(effective.items(), key=lambda pair: pair[1])
    return [
        (key, start, ordered[n + 1][1] if n + 1 < len(ordered) else None)
        for n, (key, start) in enumerate(ordered)
    ]


def periods_to_recompute(
    before: Mapping[K, date], after: Mapping[K, date], changed: Iterable[K] = ()
) -> list[tuple[date, date | None]]:
    """The date ranges, from (inclusive) and until (exclusive; None: no end), in which a
    snapshot's case points may differ after schemes change from ``before`` to ``after``
    (scheme key -> effective date, each): where the scheme in force differs, or where a
    scheme in ``changed`` (whose points per case changed) is in force afterwards. Sorted and
    merged; empty when nothing can differ. Days before every scheme carry no case points,
    so a scheme added first, or the first scheme moved, covers those days too."""
    changed = set(changed)
    bounds = sorted(set(before.values()) | set(after.values()))
    out: list[tuple[date, date | None]] = []
    for n, start in enumerate(bounds):
        end = bounds[n + 1] if n + 1 < len(bounds) else None
        was = _in_force_key(before, start)
        now = _in_force_key(after, start)
        if was == now and (now is None or now not in changed):
            continue
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _in_force_key(effective: Mapping[K, date], on: date) -> K | None:
    candidates = [(day, key) for key, day in effective.items() if day <= on]
    return max(candidates, key=lambda pair: pair[0])[1] if candidates else None


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator`` as a proportion to four places; None over zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def share_within_desired(standings: Iterable[Standing]) -> Decimal | None:
    """The share of workers within the desired level, over workers with a utilisation
    (a proportion to four places; None when there are none)."""
    judged = [s for s in standings if s.utilisation_pct is not None]
    return rate(sum(1 for s in judged if s.within_desired), len(judged))


def caseload_ratio(cases: int, case_holder_fte: Decimal) -> Decimal | None:
    """Cases / FTE of case holders to one decimal place, as the DfE publishes it; None when
    the FTE is zero."""
    if cases < 0 or case_holder_fte < 0:
        raise ValueError("cases and FTE cannot be negative")
    if not case_holder_fte:
        return None
    return (Decimal(cases) / _dec(case_holder_fte)).quantize(ONE_PLACE, ROUND_HALF_UP)


def average_caseload(holdings: Iterable[tuple[int, Decimal]]) -> Decimal | None:
    """The DfE caseload from (cases, FTE) per worker: cases / FTE of case holders, a case
    holder being anyone holding one or more cases (so workers with no cases are left out
    of the FTE). To one decimal place; None without case holders."""
    cases = 0
    fte_total = Decimal(0)
    for held, fte in holdings:
        if held < 0:
            raise ValueError("case counts cannot be negative")
        if held >= 1:
            cases += held
            fte_total += _dec(fte)
    return caseload_ratio(cases, fte_total)


def round_points(value: Decimal) -> Decimal:
    """Points or capacity to two places, as shown."""
    return _dec(value).quantize(TWO_PLACES, ROUND_HALF_UP)
