"""Demo workforce planning data for the demo authority built by ``workforce.demo``: census
fields, three years of absence, each team's funded establishment, and three years of
monthly caseload snapshots weighted by the shipped default scheme.

- **Census fields.** Every qualified social worker has a qualifying institution and level
  (mostly under-graduate, a third post-graduate, a few older "other" qualifications); some
  younger post-graduates came through Step Up to Social Work or Frontline. Every spell in
  a census role has a child and family KSS status: 1 (ASYE) for newly qualified workers in
  their first year, 2 (frontline practitioner) for case holders, senior practitioners and
  those qualified without cases, 3 (practice supervisor) for first line managers, 4
  (practice leader) for senior and middle managers. Most agency social workers cover a
  vacancy (the census's "agency cover", about 80%) and all of them have the contract weeks
  they worked in the census year their spell ended in (or the current one).
- **Absence**, from three years ago to today, for everyone while employed: short sickness
  spells and a few long-term ones, training days, maternity and paternity leave, and a few
  other paid, unpaid, public-duty and unauthorised absences. Working days lost are the
  weekdays of the absence times the person's FTE, so the absence rate (days lost over FTE
  x 253) comes out near the published 3.2%. A few long absences are still open today.
- **Establishment.** Each team with census social workers has a funded FTE from 1 April
  three years ago, and most have a change or two on a later 1 April; each figure is set so
  that the team's vacancy rate (vacancies over vacancies plus in-post non-agency FTE) over
  the period is about 13% to 21%, near the published 15-20%.
- **Caseloads.** On the first working day of each month for three years (weekends, New
  Year's Day and the early May bank holiday skipped), one snapshot per case-holding social
  worker in post that day (census roles 5 and 4, which include ASYE workers, and a few cases
  for two first-line managers outside Assessment North), never while on maternity leave.
  A worker's caseload carries from month to month: some cases close, new ones are
  allocated from the team's mix of case types and tiers, towards a utilisation of
  capacity (maximum x FTE) that differs between workers (most within the desired level,
  some over capacity) and drifts with the team's pressure. New starters and ASYE workers
  build up their caseload over their first months and ASYE workers stay lighter (their
  maximum is 90); people about to leave hand cases on. About one in eight workers carries
  extra-responsibility points (a student, a project). Cases per case-holding FTE come out
  around 15.5 to 17.5 (national 16-19), and 60% to 80% of workers are within the desired
  level (Northumberland: 61% then 72%).

Snapshots (with their stored ``total_cases`` and ``case_points``, computed here as
``workforce.services.caseloads`` would) and counts, and the absences, are written in bulk
inserts that one audit event describes; the rest goes through the session. Deterministic for the ``rng`` it is given.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, select

from workforce.audit import record_event
from workforce.extensions import db
from workforce.metrics.supervision import add_months
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.workforce_planning import (
    Absence,
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    TeamEstablishment,
    WeightingScheme,
)
from workforce.services.caseloads import load_caseload_defaults

HISTORY_MONTHS = 36
#: Census start origin of a newly qualified social worker (their first year is the ASYE).
NQSW_ORIGIN = "1"
CASE_HOLDING_ROLES = {"4", "5"}
MANAGER_ROLE = "3"
#: The demo manager's team: its manager does not hold cases.
DEMO_MANAGER_TEAM = "Assessment North"

#: Per team: the mix of case types (weights) and of tiers 1, 2 and 3, and the share of cases
#: that close in a month.
TEAM_CASE_MIX: dict[str, tuple[dict[str, int], tuple[int, int, int], float]] = {
    "Front Door and MASH": (
        {"cin": 55, "early_help": 30, "cp": 10, "pre_birth": 5},
        (76, 19, 5),
        0.3,
    ),
    "Assessment North": (
        {"cin": 55, "cp": 22, "early_help": 16, "pre_birth": 7},
        (74, 21, 5),
        0.2,
    ),
    "Assessment South": (
        {"cin": 56, "cp": 21, "early_help": 16, "pre_birth": 7},
        (74, 21, 5),
        0.2,
    ),
    "Child Protection and Court": (
        {"cp": 40, "cin": 36, "care_proceedings": 15, "lac": 5, "pre_birth": 4},
        (70, 24, 6),
        0.12,
    ),
    "Children in Care": ({"lac": 76, "care_leaver": 20, "care_proceedings": 4}, (76, 19, 5), 0.06),
    "Leaving Care": ({"care_leaver": 88, "lac": 12}, (76, 19, 5), 0.05),
}
DEFAULT_MIX: tuple[dict[str, int], tuple[int, int, int], float] = (
    {"cin": 55, "cp": 25, "lac": 20},
    (68, 25, 7),
    0.15,
)

#: Qualifying institutions (social work degree providers in England).
INSTITUTIONS = (
    "University of Sheffield",
    "Sheffield Hallam University",
    "University of York",
    "University of Hull",
    "University of Lincoln",
    "Leeds Beckett University",
    "University of Leeds",
    "University of Bradford",
    "University of Huddersfield",
    "Manchester Metropolitan University",
    "University of Salford",
    "University of Central Lancashire",
    "Northumbria University",
    "Durham University",
    "Teesside University",
    "University of Nottingham",
    "Nottingham Trent University",
    "University of Birmingham",
    "Goldsmiths, University of London",
    "The Open University",
)
#: Absences other than sickness and maternity or paternity leave: (reason, episodes a
#: year, (fewest, most) working days).
ABSENCE_KINDS: tuple[tuple[str, float, tuple[int, int]], ...] = (
    ("TRN", 0.45, (1, 3)),
    ("OTH", 0.12, (1, 5)),
    ("UNP", 0.03, (1, 5)),
    ("PUB", 0.02, (5, 10)),
    ("UNA", 0.015, (1, 2)),
)
SICK_EPISODES_A_YEAR = 1.05
LONG_SICK_SHARE = 0.05


@dataclass
class _Spell:
    id: int
    staff_id: int
    team: str
    team_id: int
    org_role: str | None
    contract_type: str
    fte: Decimal
    start: date
    end: date | None
    start_origin: str | None
    post_title: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class _Worker:
    """One case holder's caseload as it carries from month to month."""

    base: float
    extra: Decimal
    team: str = ""
    cases: list[tuple[str, int]] = field(default_factory=list)


def first_working_day(year: int, month: int) -> date:
    """The first weekday of the month that is not New Year's Day or the early May bank
    holiday (the first Monday of May)."""
    day = date(year, month, 1)
    while (
        day.weekday() >= 5
        or (month == 1 and day.day == 1)
        or (month == 5 and day.day <= 7 and day.weekday() == 0)
    ):
        day += timedelta(days=1)
    return day


def snapshot_dates(today: date, months: int = HISTORY_MONTHS) -> list[date]:
    """The first working day of each of the last ``months`` months, up to ``today``."""
    dates: list[date] = []
    year, month = today.year, today.month
    while len(dates) < months:
        day = first_working_day(year, month)
        if day <= today:
            dates.append(day)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(dates)


def weekdays_between(start: date, end: date) -> int:
    """Weekdays from ``start`` to ``end`` inclusive."""
    whole, rest = divmod((end - start).days + 1, 7)
    count = whole * 5
    for offset in range(rest):
        if (start + timedelta(days=whole * 7 + offset)).weekday() < 5:
            count += 1
    return count


def _add_weekdays(start: date, days: int) -> date:
    """The weekday ``days`` working days on from ``start`` (``start`` counts as the first)."""
    day, left = start, days - 1
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _census_year_end(day: date) -> date:
    """30 September ending the census year that contains ``day``."""
    return date(day.year if day.month < 10 else day.year + 1, 9, 30)


def _half(value: Decimal | float) -> Decimal:
    return (Decimal(str(value)) * 2).quantize(Decimal("1"), ROUND_HALF_UP) / 2


def _load_spells() -> dict[int, list[_Spell]]:
    spells: dict[int, list[_Spell]] = defaultdict(list)
    rows = db.session.execute(
        select(
            EmploymentSpell.id,
            EmploymentSpell.staff_id,
            Team.name,
            EmploymentSpell.team_id,
            EmploymentSpell.org_role,
            EmploymentSpell.contract_type,
            EmploymentSpell.contracted_hours,
            EmploymentSpell.standard_hours,
            EmploymentSpell.start_date,
            EmploymentSpell.end_date,
            EmploymentSpell.start_origin,
            EmploymentSpell.post_title,
        )
        .join(Team, Team.id == EmploymentSpell.team_id)
        .order_by(EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.id)
    )
    for row in rows:
        hours, standard = row[6], row[7]
        fte = Decimal("1") if hours >= standard else hours / standard
        spells[row[1]].append(_Spell(*row[:6], fte, *row[8:]))
    return spells


def _is_asye(spell: _Spell, day: date) -> bool:
    return spell.start_origin == NQSW_ORIGIN and day < add_months(spell.start, 12)


def _census_fields(rng: random.Random, today: date, spells: dict[int, list[_Spell]]) -> int:
    """Qualification fields on qualified staff; KSS status, agency cover and contract weeks
    on spells. Return how many agency spells cover a vacancy."""
    staff_rows = {s.id: s for s in db.session.scalars(select(Staff).order_by(Staff.id))}
    for staff in staff_rows.values():
        if not staff.qualified_social_worker:
            continue
        first = spells[staff.id][0].start if spells.get(staff.id) else today
        age_at_start = (first - staff.date_of_birth).days / 365.25 if staff.date_of_birth else 40
        recent = staff.date_of_birth is not None and staff.date_of_birth > today - timedelta(
            days=42 * 365
        )
        level = rng.choices(("1", "2", "3"), weights=(58, 36, 6) if recent else (50, 30, 20))[0]
        step_up = frontline = False
        if level == "2" and recent and age_at_start < 40:
            route = rng.random()
            step_up, frontline = route < 0.18, 0.18 <= route < 0.36
        staff.qual_inst = rng.choice(INSTITUTIONS)
        staff.qual_level = level
        staff.step_up_grad = step_up
        staff.frontline_grad = frontline
    records = {s.id: s for s in db.session.scalars(select(EmploymentSpell))}
    covering = 0
    for own in spells.values():
        for spell in own:
            record = records[spell.id]
            role = spell.org_role
            if role is None:
                continue
            if role in {"1", "2"}:
                record.cfkss_status = "4"
            elif role == MANAGER_ROLE:
                record.cfkss_status = "3"
            elif _is_asye(spell, min(today, spell.end or today)):
                record.cfkss_status = "1"
            else:
                record.cfkss_status = "2"
            if spell.contract_type == "agency":
                record.covers_vacancy = rng.random() < 0.8
                covering += record.covers_vacancy
                last = min(spell.end or today, today)
                year_end = _census_year_end(last)
                year_start = date(year_end.year - 1, 10, 1)
                until = spell.end if spell.end is not None else year_end
                days = (min(until, year_end) - max(spell.start, year_start)).days + 1
                record.contract_weeks = min(Decimal("52.1"), Decimal(days) / 7).quantize(
                    Decimal("0.1"), ROUND_HALF_UP
                )
    db.session.flush()
    return covering


def _employment(own: list[_Spell], today: date, first: date) -> list[tuple[date, date, _Spell]]:
    """Periods of continuous employment within [first, today], each with its last spell."""
    periods: list[tuple[date, date, _Spell]] = []
    for spell in own:
        start = max(spell.start, first)
        end = min(spell.end or today, today)
        if start > end:
            continue
        if periods and periods[-1][1] + timedelta(days=1) >= start:
            periods[-1] = (periods[-1][0], max(periods[-1][1], end), spell)
        else:
            periods.append((start, end, spell))
    return periods


def _absences(
    rng: random.Random,
    today: date,
    first: date,
    spells: dict[int, list[_Spell]],
    genders: dict[int, tuple[str | None, date | None]],
) -> list[dict]:
    """Absence rows for everyone while employed, without overlaps."""
    rows: list[dict] = []
    for staff_id in sorted(spells):
        own = spells[staff_id]
        gender, born = genders[staff_id]
        for start, end, _ in _employment(own, today, first):
            years = ((end - start).days + 1) / 365.25
            wanted: list[tuple[str, int]] = []
            sick = rng.random() < 0.82  # some people are never off sick
            for _ in range(_poisson(rng, SICK_EPISODES_A_YEAR * years * (1.2 if sick else 0))):
                if rng.random() < LONG_SICK_SHARE:
                    wanted.append(("SIC", rng.randint(15, 65)))
                else:
                    wanted.append(
                        ("SIC", rng.choices((1, 2, 3, 4, 5, 8), (34, 24, 16, 10, 10, 6))[0])
                    )
            for reason, rate, (low, high) in ABSENCE_KINDS:
                for _ in range(_poisson(rng, rate * years)):
                    wanted.append((reason, rng.randint(low, high)))
            age = (start - born).days / 365.25 if born else 45
            if age < 44 and rng.random() < 0.05 * years:
                days = rng.randint(120, 195) if gender == "2" else rng.randint(5, 10)
                wanted.append(("MAT", days))
            taken: list[tuple[date, date]] = []
            for reason, days in wanted:
                begin = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
                while begin.weekday() >= 5:
                    begin += timedelta(days=1)
                finish = _add_weekdays(begin, days)
                if begin > end or any(b <= finish and begin <= f for b, f in taken):
                    continue
                open_ended = False
                if finish > end:
                    if end == today and own[-1].end is None and days >= 15:
                        open_ended = True  # still off today
                    else:
                        finish = end
                        while finish.weekday() >= 5 and finish > begin:
                            finish -= timedelta(days=1)
                last = today if open_ended else finish
                spell = next((s for s in own if s.covers(begin)), own[-1])
                lost = _half(Decimal(weekdays_between(begin, last)) * spell.fte)
                if lost <= 0:
                    continue
                taken.append((begin, last))
                rows.append(
                    {
                        "staff_id": staff_id,
                        "start_date": begin,
                        "end_date": None if open_ended else finish,
                        "working_days_lost": lost,
                        "reason": reason,
                    }
                )
    return rows


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count with ``mean`` (Knuth's method; means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _establishment(
    rng: random.Random, today: date, first: date, spells: dict[int, list[_Spell]]
) -> list[TeamEstablishment]:
    """Funded FTE per team from 1 April three years ago, with a change or two."""
    start = date(first.year if first.month >= 4 else first.year - 1, 4, 1)
    months = []
    day = start
    while day <= today:
        months.append(day)
        day = add_months(day, 1)

    def in_post(team_id: int, on: date) -> Decimal:
        total = Decimal("0")
        for own in spells.values():
            current = [s for s in own if s.covers(on)]
            if not current:
                continue
            spell = current[-1]
            if spell.team_id == team_id and spell.org_role and spell.contract_type != "agency":
                total += spell.fte
        return total

    team_ids = sorted({s.team_id for own in spells.values() for s in own if s.org_role is not None})
    records: list[TeamEstablishment] = []
    for team_id in team_ids:
        changes = [start]
        for year in (1, 2):
            if rng.random() < 0.55:
                changes.append(date(start.year + year, 4, 1))
        if len(changes) == 1:
            changes.append(date(start.year + rng.choice((1, 2)), 4, 1))
        changes = [c for c in changes if c <= today]
        for index, effective in enumerate(changes):
            until = changes[index + 1] if index + 1 < len(changes) else today + timedelta(days=1)
            sample = [in_post(team_id, m) for m in months if effective <= m < until]
            if not sample:
                continue
            average = sum(sample) / len(sample)
            vacancy = Decimal(str(rng.uniform(0.13, 0.21)))
            funded = _half(average / (1 - vacancy))
            note = None
            if index:
                previous = records[-1].funded_fte
                note = (
                    "Posts added in the budget"
                    if funded > previous
                    else "Posts removed in the budget"
                    if funded < previous
                    else "Establishment confirmed in the budget"
                )
            records.append(
                TeamEstablishment(
                    team_id=team_id, effective_from=effective, funded_fte=funded, notes=note
                )
            )
    return records


def build_workforce_planning_demo(rng: random.Random, today: date) -> str:
    """Create census fields, absence, establishment and caseload snapshots; return a
    summary. The caller commits."""
    load_caseload_defaults()
    first = today - timedelta(days=3 * 365)
    spells = _load_spells()
    genders = {
        staff_id: (gender, born)
        for staff_id, gender, born in db.session.execute(
            select(Staff.id, Staff.gender, Staff.date_of_birth)
        )
    }
    covering = _census_fields(rng, today, spells)

    absence_rows = _absences(rng, today, first, spells, genders)
    if absence_rows:
        db.session.execute(insert(Absence), absence_rows)
    maternity: dict[int, list[tuple[date, date]]] = defaultdict(list)
    long_absent: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for row in absence_rows:
        span = (row["start_date"], row["end_date"] or today)
        if row["reason"] == "MAT" and (span[1] - span[0]).days > 20:
            maternity[row["staff_id"]].append(span)
        elif (span[1] - span[0]).days > 20:
            long_absent[row["staff_id"]].append(span)

    establishment = _establishment(rng, today, first, spells)
    db.session.add_all(establishment)

    snapshots, counts = _caseloads(rng, today, spells, maternity, long_absent)
    record_event(
        "import",
        "CaseloadSnapshot",
        f"Demo data: {snapshots} caseload snapshots with {counts} counts, "
        f"{len(absence_rows)} absences",
        {"snapshots": snapshots, "counts": counts, "absences": len(absence_rows)},
    )
    db.session.flush()
    return (
        f"{snapshots} caseload snapshots over {HISTORY_MONTHS} months, "
        f"{len(establishment)} establishment records, {len(absence_rows)} absences, "
        f"{covering} agency workers covering vacancies"
    )


def _caseloads(
    rng: random.Random,
    today: date,
    spells: dict[int, list[_Spell]],
    maternity: dict[int, list[tuple[date, date]]],
    long_absent: dict[int, list[tuple[date, date]]],
) -> tuple[int, int]:
    """Bulk insert the monthly snapshots; return how many snapshots and counts."""
    schemes = list(
        db.session.scalars(select(WeightingScheme).order_by(WeightingScheme.effective_from))
    )
    types = {t.code: t.id for t in db.session.scalars(select(CaseType))}
    dates = snapshot_dates(today)

    def scheme_on(day: date) -> WeightingScheme:
        current = [s for s in schemes if s.effective_from <= day]
        return current[-1] if current else schemes[0]

    exact = {
        scheme.id: {(w.case_type.code, w.tier): w.points for w in scheme.weights}
        for scheme in schemes
    }
    points_of = {
        scheme_id: {key: float(points) for key, points in weights.items()}
        for scheme_id, weights in exact.items()
    }
    # Two first-line managers hold a few cases (not the demo manager's).
    managers = sorted(
        {
            own[-1].staff_id
            for own in spells.values()
            if own[-1].org_role == MANAGER_ROLE and own[-1].team != DEMO_MANAGER_TEAM
        }
    )
    managers_with_cases = set(rng.sample(managers, min(2, len(managers))))
    pressure: dict[str, float] = defaultdict(float)
    workers: dict[int, _Worker] = {}
    employment_start = {staff_id: own[0].start for staff_id, own in spells.items()}
    snapshot_rows: list[dict] = []
    case_rows: list[list[tuple[str, int, int]]] = []
    for day in dates:
        scheme = scheme_on(day)
        weights = points_of[scheme.id]
        for team in sorted(TEAM_CASE_MIX):
            pressure[team] = max(-0.05, min(0.05, pressure[team] + rng.gauss(0, 0.015)))
        for staff_id in sorted(spells):
            current = [s for s in spells[staff_id] if s.covers(day)]
            if not current:
                continue
            spell = current[-1]
            manager = spell.org_role == MANAGER_ROLE and staff_id in managers_with_cases
            if spell.org_role not in CASE_HOLDING_ROLES and not manager:
                continue
            if any(b <= day <= e for b, e in maternity.get(staff_id, ())):
                workers.pop(staff_id, None)  # cases reallocated while on leave
                continue
            mix, tiers, closing = TEAM_CASE_MIX.get(spell.team, DEFAULT_MIX)
            worker = workers.get(staff_id)
            if worker is None:
                worker = workers[staff_id] = _Worker(
                    base=min(1.2, max(0.7, rng.gauss(0.95, 0.08))),
                    extra=Decimal(rng.choice((2, 3, 5))) if rng.random() < 0.13 else Decimal("0"),
                )
            asye = _is_asye(spell, day)
            maximum = float(scheme.asye_max if asye else scheme.full_time_max)
            capacity = maximum * float(spell.fte)
            target = worker.base + pressure[spell.team] + rng.gauss(0, 0.035)
            if worker.team != spell.team:  # a move: cases stay with the old team
                worker.team, worker.cases = spell.team, []
            months_in = (day - employment_start[staff_id]).days / 30.4
            if asye:
                target = min(target, 0.9) * min(1.0, 0.35 + 0.13 * months_in)
            elif months_in < 3:
                target *= 0.55 + 0.15 * months_in
            leaving = (
                spell.end is not None
                and (spell.end - day).days < 40
                and spell is spells[staff_id][-1]
            )
            if leaving:
                target *= 0.6
            if any(b <= day <= e for b, e in long_absent.get(staff_id, ())):
                target *= 0.5
            budget = target * capacity - float(scheme.stable_points) - float(worker.extra)
            if manager:
                budget = rng.choice((10, 15, 20))
            # Some cases close, new ones are allocated up to the budget.
            worker.cases = [c for c in worker.cases if rng.random() >= closing]
            kinds = list(mix)
            held = sum(weights.get(c, 0.0) for c in worker.cases)
            while held < budget - 1:
                case = (
                    rng.choices(kinds, weights=[mix[k] for k in kinds])[0],
                    rng.choices((1, 2, 3), weights=tiers)[0],
                )
                worker.cases.append(case)
                held += weights.get(case, 0.0)
            while worker.cases and held > budget + 4:
                gone = worker.cases.pop(rng.randrange(len(worker.cases)))
                held -= weights.get(gone, 0.0)
            tally: dict[tuple[str, int], int] = defaultdict(int)
            for case in worker.cases:
                tally[case] += 1
            # the stored totals: cases, and case points under the scheme in force that day
            snapshot_rows.append(
                {
                    "staff_id": staff_id,
                    "taken_on": day,
                    "extra_points": worker.extra,
                    "source": "entered",
                    "total_cases": sum(tally.values()),
                    "case_points": sum(
                        (exact[scheme.id].get(key, Decimal(0)) * n for key, n in tally.items()),
                        Decimal(0),
                    ).quantize(Decimal("0.01")),
                }
            )
            case_rows.append(
                [
                    (types[code], tier, n)
                    for (code, tier), n in sorted(tally.items())
                    if code in types
                ]
            )
    if not snapshot_rows:
        return 0, 0
    ids = db.session.scalars(
        insert(CaseloadSnapshot).returning(CaseloadSnapshot.id, sort_by_parameter_order=True),
        snapshot_rows,
    ).all()
    count_rows = [
        {"snapshot_id": snapshot_id, "case_type_id": type_id, "tier": tier, "cases": n}
        for snapshot_id, rows in zip(ids, case_rows, strict=True)
        for type_id, tier, n in rows
    ]
    if count_rows:
        db.session.execute(insert(CaseloadCount), count_rows)
    return len(snapshot_rows), len(count_rows)


__all__ = ["build_workforce_planning_demo", "first_working_day", "snapshot_dates"]
