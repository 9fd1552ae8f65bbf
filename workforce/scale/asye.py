"""The ASYE at scale: an enrolment for every newly qualified social worker who started
since the shipped programme took effect, in a cohort by the month they started.

Reviews are held at each point of the programme's schedule that has come (the optional
9-month review for half), a few days after it is due; most are on track. Those whose
moderation panel has sat passed (93%), were deferred (5%) or failed; those who left during
the year withdrew. 3% had a sickness pause of two to four weeks, which pushed their
schedule back. Evidence of every kind the programme asks for comes in through the year
(all of it for those who finished), each piece linked to one or two PCF domains, and
protected development time is logged fortnightly. The assessor is the line manager's account
(the learning and development account where the manager has none).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workforce.demo_asye import ACTIVITIES, EVIDENCE_TITLES, PLANS
from workforce.extensions import db
from workforce.metrics.asye import Pause, schedule
from workforce.metrics.supervision import add_months
from workforce.models import AsyeProgramme
from workforce.scale.accounts import Accounts
from workforce.scale.common import Picker
from workforce.scale.people import NEWLY_QUALIFIED, Population
from workforce.scale.writer import BulkWriter
from workforce.services.frameworks import pcf

_OUTCOME = Picker({"passed": 93, "deferred": 5, "failed": 2})
_JUDGEMENT = Picker({"on_track": 92, "some_concerns": 8})
NOTES = {
    "passed": "Panel of the principal social worker and two assessors: portfolio meets the PCF "
    "at ASYE level; passed.",
    "deferred": "Panel: evidence of analysis in assessments not yet sufficient; deferred for "
    "three months with a development plan.",
    "failed": "Panel: the portfolio does not yet meet the PCF at ASYE level.",
    "withdrawn": "Withdrew from the programme on leaving.",
}
BATCH = 20_000


def write_asye(writer: BulkWriter, population: Population, accounts: Accounts, seed: int) -> None:
    """Cohorts, enrolments, pauses, reviews, evidence and protected time."""
    rng = random.Random(f"{seed}-asye")
    programme = db.session.scalar(select(AsyeProgramme).order_by(AsyeProgramme.effective_from))
    framework = pcf()
    if programme is None or framework is None:
        raise RuntimeError("Load the reference data (the ASYE programme, the PCF) first")
    points = [
        (str(p["code"]), str(p["label"]), int(p["months"]), bool(p.get("optional", False)))
        for p in programme.review_points
    ]
    required = {
        kind: int(spec["required"]) for kind, spec in programme.evidence_requirements.items()
    }
    share = float(programme.protected_share)
    domains = [d.id for d in framework.domains if not d.retired]
    today = population.today
    effective = programme.effective_from.toordinal()
    stamp = population.stamp
    ids = {table: writer.first_id(table) for table in (
        "asye_cohort", "asye_enrolment", "asye_pause", "asye_review", "asye_evidence",
        "asye_protected_time")}  # fmt: skip
    rows: dict[str, list[tuple[Any, ...]]] = {
        table: [] for table in ("asye_enrolment", "asye_pause", "asye_review", "asye_evidence",
                                "asye_evidence_domain", "asye_protected_time")
    }  # fmt: skip
    columns = {
        "asye_enrolment": ("id", "staff_id", "cohort_id", "programme_id", "start_date",
                           "assessor_id", "line_manager_id", "contracted_hours", "outcome",
                           "outcome_on", "moderation_notes", "created_at", "updated_at"),
        "asye_pause": ("id", "enrolment_id", "start_date", "end_date", "reason", "notes",
                       "created_at", "updated_at"),
        "asye_review": ("id", "enrolment_id", "point", "held_on", "judgement", "assessment_id",
                        "development_plan", "created_at", "updated_at"),
        "asye_evidence": ("id", "enrolment_id", "kind", "dated", "title", "notes", "created_at",
                          "updated_at"),
        "asye_evidence_domain": ("evidence_id", "domain_id"),
        "asye_protected_time": ("id", "enrolment_id", "taken_on", "hours", "activity",
                                "created_at", "updated_at"),
    }  # fmt: skip

    starters = []
    for person in population.people:
        spell = next((s for s in person.spells if s.post is NEWLY_QUALIFIED), None)
        if spell is not None and effective <= spell.start <= today - 7:
            starters.append((spell.start, person, spell))
    starters.sort(key=lambda item: (item[0], item[1].id))
    cohorts: dict[date, int] = {}
    for start, _, _ in starters:
        month = date.fromordinal(start).replace(day=1)
        if month not in cohorts:
            cohorts[month] = ids["asye_cohort"]
            ids["asye_cohort"] += 1
    writer.write(
        "asye_cohort",
        ("id", "name", "starts_on", "created_at", "updated_at"),
        [(cohort, f"ASYE cohort {month:%B %Y}", month, stamp, stamp)
         for month, cohort in cohorts.items()],
    )  # fmt: skip

    def flush(force: bool = False) -> None:
        if len(rows["asye_protected_time"]) < BATCH and not force:
            return
        for table, waiting in rows.items():
            writer.write(table, columns[table], waiting)
            waiting.clear()

    for start, person, spell in starters:
        enrolment = ids["asye_enrolment"]
        ids["asye_enrolment"] += 1
        begins = date.fromordinal(start)
        pauses: list[Pause] = []
        if rng.random() < 0.03:
            pause_start = add_months(begins, rng.randint(3, 5))
            pause = Pause(pause_start, pause_start + timedelta(days=rng.randint(14, 28)))
            if pause.end.toordinal() < today:
                pauses.append(pause)
                rows["asye_pause"].append((ids["asye_pause"], enrolment, pause.start, pause.end,
                                           "sickness", None, stamp, stamp))  # fmt: skip
                ids["asye_pause"] += 1
        plan = schedule(begins, pauses, points)
        left = person.last_day
        moderation = plan[-1].due.toordinal()
        outcome = outcome_on = None
        if left is not None and left < moderation:
            outcome, outcome_on = "withdrawn", left
        elif moderation + 6 < today:
            outcome, outcome_on = _OUTCOME(rng), None
        last_held = start
        for point in plan:
            due = point.due.toordinal()
            if due > today - 3 or (outcome == "withdrawn" and due > left):  # type: ignore[operator]
                break
            if point.optional and rng.random() < 0.5:
                continue
            judgement = _JUDGEMENT(rng)
            if outcome in ("deferred", "failed") and point.code in ("final", "moderation"):
                judgement = "not_on_track"
            held = min(due + rng.randint(0, 6), today)
            rows["asye_review"].append((ids["asye_review"], enrolment, point.code,
                                        date.fromordinal(held), judgement, None,
                                        rng.choice(PLANS), stamp, stamp))  # fmt: skip
            ids["asye_review"] += 1
            last_held = held
        if outcome is not None and outcome != "withdrawn":
            outcome_on = last_held
        until = min(today, outcome_on if outcome_on is not None else today)
        done = 1.0 if outcome in ("passed", "deferred", "failed") else min(
            1.0, (until - start) / 365)  # fmt: skip
        for kind, needed in required.items():
            for _ in range(round(needed * done)):
                evidence = ids["asye_evidence"]
                ids["asye_evidence"] += 1
                dated = start + rng.randint(0, max(0, until - start))
                rows["asye_evidence"].append((evidence, enrolment, kind, date.fromordinal(dated),
                                              EVIDENCE_TITLES.get(kind, kind), None, stamp,
                                              stamp))  # fmt: skip
                for domain in sorted(rng.sample(domains, rng.randint(1, 2))):
                    rows["asye_evidence_domain"].append((evidence, domain))
        weekly = float(spell.hours) * share
        day = start + 14
        while day <= until:
            hours = min(8.0, round(weekly * 2 * rng.uniform(0.85, 1.1) * 2) / 2)
            if hours > 0:
                rows["asye_protected_time"].append((ids["asye_protected_time"], enrolment,
                                                    date.fromordinal(day), Decimal(str(hours)),
                                                    rng.choice(ACTIVITIES), stamp, stamp))  # fmt: skip
                ids["asye_protected_time"] += 1
            day += 14
        assessor = accounts.by_staff.get(spell.manager or 0, accounts.learning)
        enrolment_row = (enrolment, person.id, cohorts[begins.replace(day=1)], programme.id,
                         begins, assessor, spell.manager, spell.hours, outcome,
                         None if outcome_on is None else date.fromordinal(outcome_on),
                         NOTES.get(outcome or ""), stamp, stamp)  # fmt: skip
        rows["asye_enrolment"].append(enrolment_row)
        flush()
    flush(force=True)
