"""Capability at scale: the hand-made demo's role profiles (and the council's own framework
for staff who are not social workers), and the last two years of assessments.

Everyone in post has an annual appraisal each year (not in their first two months; 8% miss
the latest, 3% have it as a draft still being written), signed off by their line manager's
account (the HR account for those whose manager has none); a sixth also have a supervisor
assessment; newly qualified social workers have ASYE reviews at three and six months
against the PCF's ASYE level instead; managers with an account write a self-assessment
before their appraisal. Every current domain of the profile's framework is rated (mostly
"meets", lower in a person's first year, higher for strong performers), with the demo's
evidence lines; a rating below "meets" comes with a development action, older ones mostly
done.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from workforce.demo_capability import (
    ACTIONS,
    COMMENTS,
    EVIDENCE,
    RATING_ORDER,
    RATING_WEIGHTS,
    SUMMARIES,
    build_profiles,
)
from workforce.extensions import db
from workforce.metrics.capability import ProfileCriteria, match_profile
from workforce.models import FrameworkDomain
from workforce.scale.accounts import Accounts
from workforce.scale.common import Picker
from workforce.scale.people import NEWLY_QUALIFIED, Person, Population, Spell
from workforce.scale.supervision import recent_start
from workforce.scale.writer import BulkWriter

BATCH = 5_000
_RATINGS = {band: Picker(zip(RATING_ORDER, weights, strict=True))
            for band, weights in RATING_WEIGHTS.items()}  # fmt: skip
ASSESSMENT_COLUMNS = ("id", "staff_id", "framework_id", "level_id", "pathway_id", "kind",
                      "assessed_on", "assessor_id", "status", "summary", "assessee_comment",
                      "assessee_commented_at", "signed_off_at", "corrects_id", "created_at",
                      "updated_at")  # fmt: skip
RATING_COLUMNS = ("id", "assessment_id", "domain_id", "rating", "evidence")
ACTION_COLUMNS = ("id", "assessment_id", "description", "owner", "due_date", "domain_id",
                  "completed_on", "created_at", "updated_at")  # fmt: skip


class _Profile:
    __slots__ = ("framework", "level", "pathway", "domains")

    def __init__(self, framework: int, level: int, pathway: int | None,
                 domains: list[tuple[int, str]]) -> None:  # fmt: skip
        self.framework = framework
        self.level = level
        self.pathway = pathway
        self.domains = domains


def write_capability(
    writer: BulkWriter, population: Population, accounts: Accounts, seed: int, years: int
) -> None:
    """Role profiles, then assessments with their ratings and actions."""
    rng = random.Random(f"{seed}-capability")
    profiles = build_profiles()
    db.session.flush()
    criteria = [ProfileCriteria(p.post_title, p.org_role, p.grade) for p in profiles]
    domains: dict[int, list[tuple[int, str]]] = {}
    for profile in profiles:
        if profile.framework_id not in domains:
            domains[profile.framework_id] = [
                (d.id, d.name)
                for d in db.session.scalars(
                    select(FrameworkDomain)
                    .where(FrameworkDomain.framework_id == profile.framework_id,
                           FrameworkDomain.retired.is_(False))
                    .order_by(FrameworkDomain.position)
                )
            ]  # fmt: skip
    built = [
        _Profile(p.framework_id, p.level_id, p.pathway_id, domains[p.framework_id])
        for p in profiles
    ]
    asye_level = next(p.level_id for p in profiles if p.level.name == "ASYE")
    matched: dict[tuple[str, str | None, str], _Profile | None] = {}

    def profile_of(spell: Spell) -> _Profile | None:
        key = (spell.post.title, spell.post.role, spell.post.grade)
        if key not in matched:
            index = match_profile(criteria, *key)
            matched[key] = None if index is None else built[index]
        return matched[key]

    today = population.today
    last_day = today - 1
    first = recent_start(population, years)
    cycles = max(1, (today - first) // 365)
    stamp = population.stamp
    ids = {
        "assessment": writer.first_id("assessment"),
        "rating": writer.first_id("assessment_rating"),
        "action": writer.first_id("development_action"),
    }
    assessments: list[tuple[Any, ...]] = []
    ratings: list[tuple[Any, ...]] = []
    actions: list[tuple[Any, ...]] = []

    def flush() -> None:
        writer.write("assessment", ASSESSMENT_COLUMNS, assessments)
        writer.write("assessment_rating", RATING_COLUMNS, ratings)
        writer.write("development_action", ACTION_COLUMNS, actions)
        for rows in (assessments, ratings, actions):
            rows.clear()

    def assessor_for(person: Person, spell: Spell, kind: str) -> int:
        if kind == "self":
            return accounts.by_staff[person.id]
        manager = accounts.by_staff.get(spell.manager) if spell.manager else None
        if manager is not None:
            return manager
        return accounts.admin if accounts.by_staff.get(person.id) == accounts.hr else accounts.hr

    def assess(person: Person, day: int, kind: str, band: str, *, draft: bool = False) -> None:
        spell = person.spell_on(day)
        if spell is None:
            return
        profile = profile_of(spell)
        if profile is None:
            return
        assessment_id = ids["assessment"]
        ids["assessment"] += 1
        rated = profile.domains
        if draft:
            rated = rated[: rng.randint(2, len(rated) - 1)]
        pick = _RATINGS[band]
        for domain_id, domain_name in rated:
            rating = pick(rng)
            ratings.append((ids["rating"], assessment_id, domain_id, rating,
                            rng.choice(EVIDENCE[rating])))  # fmt: skip
            ids["rating"] += 1
            if rating in ("not_yet_evident", "developing") and kind != "self":
                due = day + rng.choice((60, 90, 120, 180))
                done = None
                if not draft and due < today and rng.random() < 0.65:
                    done = date.fromordinal(max(min(due - rng.randint(0, 40), last_day), day))
                owner = person.name if rng.random() < 0.8 else "Line manager"
                actions.append((ids["action"], assessment_id, f"{domain_name}: "
                                f"{rng.choice(ACTIONS)}", owner, date.fromordinal(due),
                                domain_id, done, stamp, stamp))  # fmt: skip
                ids["action"] += 1
        signed = comment = commented = None
        if not draft:
            signed = datetime.combine(
                date.fromordinal(min(day + rng.randint(0, 10), last_day)),
                time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))),
                UTC,
            )
            if kind != "self" and rng.random() < 0.3:
                comment, commented = rng.choice(COMMENTS), signed
        level = asye_level if kind == "asye_review" else profile.level
        assessments.append((
            assessment_id, person.id, profile.framework, level,
            None if kind == "asye_review" else profile.pathway, kind, date.fromordinal(day),
            assessor_for(person, spell, kind), "draft" if draft else "signed_off",
            rng.choice(SUMMARIES[kind]), comment, commented, signed, None, stamp, stamp,
        ))  # fmt: skip

    for person in population.people:
        until = last_day if person.last_day is None else min(person.last_day, last_day)
        start = person.first_day
        if until < first or start > until:
            continue
        settle = rng.gauss(0, 1)
        offset = rng.randint(0, 364)
        steady = "struggling" if settle < -1.1 else "strong" if settle > 1.2 else "steady"

        def band(day: int, start: int = start, steady: str = steady) -> str:
            return "new" if day - start < 365 else steady

        nqsw = next((s for s in person.spells if s.post is NEWLY_QUALIFIED), None)
        for cycle in range(cycles):
            cycle_start = first + 365 * cycle
            low = max(cycle_start, start + 60)
            high = min(cycle_start + 364, until)
            if low > high:
                continue
            day = min(max(cycle_start + offset, low), high)
            spell = person.spell_on(day)
            if spell is None:
                continue
            if nqsw is not None and spell is nqsw:
                continue  # in the ASYE: reviews instead (below)
            latest = cycle == cycles - 1
            roll = rng.random()
            if latest and roll < 0.08 and person.id != population.links["practitioner"]:
                continue  # missed this year's appraisal
            draft = latest and roll < 0.11 and person.last_day is None
            if draft:
                day = max(last_day - rng.randint(0, 25), low)
            if person.id in accounts.by_staff and not draft:
                own = max(day - rng.randint(7, 20), low)
                assess(person, own, "self", band(own))
            assess(person, day, "appraisal", band(day), draft=draft)
        if rng.random() < 1 / 6:
            low, high = max(first, start + 60), until
            if low <= high:
                day = low + rng.randint(0, high - low)
                assess(person, day, "supervisor", band(day))
        if nqsw is not None:
            for months in (3, 6):
                day = nqsw.start + 30 * months + rng.randint(0, 10)
                if first <= day <= until and nqsw.covers_day(day):
                    assess(person, day, "asye_review", "new")
        if len(ratings) >= BATCH * 8:
            flush()
    flush()
