"""Caseloads at scale: a snapshot on the first working day of each month of the last two
years for every case holder in post (census roles 4 and 5: senior practitioners, social
workers and newly qualified social workers), about 2 million rows with their counts at
national scale.

Each worker aims at a utilisation of their capacity (the scheme's maximum, the ASYE
maximum in their first year, times their FTE) that is theirs (most within the desired
level, some over) and drifts from month to month; newly qualified workers and new starters
build their caseload up over their first months. The cases fall into three or four case
types and tiers from the team's mix (the hand-made demo's mixes by kind of team); one in
eight workers carries extra points for other responsibilities. Each snapshot's stored
``total_cases`` and ``case_points`` are those of its counts under the weighting scheme in
force on its date (none before the first scheme: no case points), as
``workforce.services.caseloads`` keeps them.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select

from workforce.demo_workforce_planning import DEFAULT_MIX, TEAM_CASE_MIX, snapshot_dates
from workforce.extensions import db
from workforce.metrics.supervision import add_months
from workforce.models import CaseType, WeightingScheme
from workforce.scale.people import NQSW_ORIGIN, Population, Spell
from workforce.scale.supervision import recent_start
from workforce.scale.writer import BulkWriter

CASE_HOLDING = ("4", "5")
BATCH = 20_000
SNAPSHOT_COLUMNS = ("id", "staff_id", "taken_on", "extra_points", "source", "total_cases",
                    "case_points", "created_at", "updated_at")  # fmt: skip
COUNT_COLUMNS = ("id", "snapshot_id", "case_type_id", "tier", "cases")


class _Scheme:
    __slots__ = ("effective", "stable", "full", "asye", "weights")

    def __init__(self, scheme: WeightingScheme) -> None:
        self.effective = scheme.effective_from.toordinal()
        self.stable = float(scheme.stable_points)
        self.full = float(scheme.full_time_max)
        self.asye = float(scheme.asye_max)
        self.weights = {(w.case_type_id, w.tier): w.points for w in scheme.weights}


def _mix(kind: str) -> tuple[dict[str, int], tuple[int, int, int]]:
    found = TEAM_CASE_MIX.get(kind) or TEAM_CASE_MIX.get(f"{kind} North") or DEFAULT_MIX
    return found[0], found[1]


def write_caseloads(writer: BulkWriter, population: Population, seed: int, years: int) -> None:
    """Monthly snapshots with their counts and stored totals."""
    rng = random.Random(f"{seed}-caseload")
    draws = np.random.default_rng([seed, 7])
    types = {t.code: t.id for t in db.session.scalars(select(CaseType))}
    schemes = [
        _Scheme(s)
        for s in db.session.scalars(
            select(WeightingScheme).order_by(WeightingScheme.effective_from)
        )
    ]
    if not schemes:
        raise RuntimeError("Load the caseload weighting defaults before the scale generator")
    today = population.today
    months = max(1, round((today - recent_start(population, years)) / 30.44))
    days = [d.toordinal() for d in snapshot_dates(date.fromordinal(today), months)]
    scheme_on = []
    for day in days:
        current = [s for s in schemes if s.effective <= day]
        scheme_on.append(current[-1] if current else None)
    stamp = population.stamp
    snapshot_id = writer.first_id("caseload_snapshot")
    count_id = writer.first_id("caseload_count")
    snapshots: list[tuple[Any, ...]] = []
    counts: list[tuple[Any, ...]] = []
    mixes: dict[str, list[tuple[tuple[int, int], float]]] = {}

    def combos_of(kind: str) -> list[tuple[tuple[int, int], float]]:
        """(case type id, tier) and weight of each combination in a kind of team's mix."""
        if kind not in mixes:
            mix, tiers = _mix(kind)
            mixes[kind] = [
                ((types[code], tier), share * tiers[tier - 1])
                for code, share in mix.items()
                if code in types
                for tier in (1, 2, 3)
            ]
        return mixes[kind]

    for person in population.people:
        if (person.last_day is not None and person.last_day < days[0]) or not any(
            s.post.role in CASE_HOLDING for s in person.spells
        ):
            continue
        # the snapshot days this person holds cases on, grouped by spell
        held: list[tuple[Spell, list[int]]] = []
        for index, day in enumerate(days):
            spell = person.spell_on(day)
            if spell is None or spell.post.role not in CASE_HOLDING:
                continue
            if held and held[-1][0] is spell:
                held[-1][1].append(index)
            else:
                held.append((spell, [index]))
        if not held:
            continue
        base = min(1.2, max(0.7, rng.gauss(0.95, 0.09)))
        extra = Decimal(rng.choice((2, 3, 5))) if rng.random() < 0.125 else Decimal(0)
        for spell, indexes in held:
            combos = combos_of(spell.team.kind.name)
            chosen = sorted(
                draws.choice(
                    len(combos),
                    min(len(combos), rng.randint(3, 4)),
                    replace=False,
                    p=np.array([w for _, w in combos]) / sum(w for _, w in combos),
                ).tolist()
            )
            keys = [combos[c][0] for c in chosen]
            shares = np.array([combos[c][1] for c in chosen])
            shares = shares / shares.sum()
            asye_until = (
                add_months(date.fromordinal(spell.start), 12).toordinal()
                if spell.origin == NQSW_ORIGIN
                else 0
            )
            wanted = []
            for index in indexes:
                day, scheme = days[index], scheme_on[index] or schemes[0]
                asye = day < asye_until
                capacity = (scheme.asye if asye else scheme.full) * spell.fte
                target = base + rng.gauss(0, 0.04)
                months_in = (day - person.first_day) / 30.4
                if asye:
                    target = min(target, 0.9) * min(1.0, 0.35 + 0.13 * months_in)
                elif months_in < 3:
                    target *= 0.55 + 0.15 * months_in
                budget = target * capacity - scheme.stable - float(extra)
                average = sum(
                    float(scheme.weights.get(key, 5)) * share
                    for key, share in zip(keys, shares, strict=True)
                )
                wanted.append(max(0, round(budget / average)))
            tallies = draws.multinomial(np.array(wanted), shares).tolist()
            for index, tally in zip(indexes, tallies, strict=True):
                scheme = scheme_on[index]
                weights = scheme.weights if scheme is not None else {}
                total, points = 0, Decimal(0)
                for key, cases in zip(keys, tally, strict=True):
                    if cases:
                        counts.append((count_id, snapshot_id, key[0], key[1], cases))
                        count_id += 1
                        total += cases
                        points += weights.get(key, Decimal(0)) * cases
                snapshots.append((snapshot_id, person.id, date.fromordinal(days[index]), extra,
                                  "import", total, points.quantize(Decimal("0.01")), stamp,
                                  stamp))  # fmt: skip
                snapshot_id += 1
        if len(snapshots) >= BATCH:
            writer.write("caseload_snapshot", SNAPSHOT_COLUMNS, snapshots)
            writer.write("caseload_count", COUNT_COLUMNS, counts)
            snapshots.clear()
            counts.clear()
    writer.write("caseload_snapshot", SNAPSHOT_COLUMNS, snapshots)
    writer.write("caseload_count", COUNT_COLUMNS, counts)
