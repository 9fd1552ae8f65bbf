"""The learning and development programme at scale: the catalogue, sessions over the
years, bookings and registers, evaluations, impact follow-ups and CPD entries.

- **Catalogue**: the hand-made demo's ten courses (practice models, PCF domains, strategic
  priorities, mandatory roles and refreshers), an ASYE workshop on each PCF domain, and the
  national bench's 25 further courses, most linked to one or two PCF domains.
- **Sessions** on weekdays from the start of the history to three months ahead, about four
  bookings a year for each person in post (about 2 million at national scale), each course
  as often as its weight says; 4% cancelled, a few past sessions with the register marked
  but never closed or never marked at all, the future ones booked but not marked.
- **Bookings** of people in post on the day (the ASYE workshops: newly qualified social
  workers in their first year; a mandatory course: those in its roles who did it longest
  ago, so most stay in date), with a waiting list when full and some cancelled places; on
  completed sessions 85% attended, 4% partly and the rest did not attend.
- **Evaluations** from 45% of attendees (mostly good or better, confidence up); an impact
  follow-up three months after the session for every place attended in full or in part
  whose follow-up has fallen due, as the app creates them (addressed to the line manager
  then, 70% answered once a month has passed), so the app finds none left to create; and a
  few CPD log entries for qualified staff.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select

from workforce.demo_training import ASYE_THEME, VENUES
from workforce.demo_training import COURSES as DEMO_COURSES
from workforce.extensions import db
from workforce.metrics.evaluation import follow_up_due_on
from workforce.models import PracticeModel, StrategicPriority
from workforce.scale.common import Picker
from workforce.scale.people import NEWLY_QUALIFIED, Population
from workforce.scale.writer import BulkWriter
from workforce.services.frameworks import pcf

#: Bookings a year for each person in post.
BOOKINGS_A_YEAR = 4.0
#: Days ahead that sessions are already scheduled and booked.
AHEAD = 90
#: The rest of the catalogue (the national bench's): no practice model, nothing mandatory.
GENERIC = (
    "Court skills", "Parenting assessment", "Working with fathers", "Neglect toolkit",
    "Child sexual exploitation", "Contextual safeguarding", "Trauma-informed practice",
    "Motivational interviewing", "Direct work with children", "Life story work",
    "Chronologies that work", "Analysis and decision making", "Reflective supervision",
    "Adolescent development", "Substance misuse and parenting", "Parental mental health",
    "Equality and anti-racist practice", "Unaccompanied asylum seeking children",
    "Private fostering", "Disabled children's assessments", "Online safety",
    "Permanence planning", "Care proceedings", "Writing for court", "Leadership essentials",
)  # fmt: skip
TRAINERS = ("L&D team", "Jo Whitfield", "Sam Okoro", "External trainer", "Practice educator")
WILL_DO = (
    "Use the three columns in every family meeting.",
    "Ask more scaling questions in supervision.",
    "Write shorter, clearer analysis in assessments.",
)
EXAMPLES = (
    "Uses the approach in family meetings and records it in plans.",
    "Supervision notes show the model's language and tools.",
    "Assessments are clearer about risk and strengths.",
)
CPD = (
    ("reading", "Research in Practice briefing on neglect"),
    ("supervision", "Group supervision on a complex case"),
    ("observation", "Shadowed a child protection conference chair"),
    ("reading", "Read guidance on contextual safeguarding"),
)
_OVERALL = Picker({5: 45, 4: 38, 3: 13, 2: 4})
_CHANGED = Picker({"yes": 50, "partly": 35, "no": 15})

COURSE_COLUMNS = ("id", "title", "description", "provider", "delivery_mode", "cpd_hours",
                  "cost_per_place", "practice_model_id", "refresher_months",
                  "impact_follow_up_months", "is_asye_workshop", "active", "created_at",
                  "updated_at")  # fmt: skip
SESSION_COLUMNS = ("id", "course_id", "starts_at", "ends_at", "venue_id", "location_detail",
                   "trainer", "capacity", "status", "cancellation_reason", "created_at",
                   "updated_at")  # fmt: skip
BOOKING_COLUMNS = ("id", "session_id", "staff_id", "status", "requested_at", "cancelled_at",
                   "cancellation_reason", "attendance", "created_at", "updated_at")  # fmt: skip
EVALUATION_COLUMNS = ("id", "booking_id", "overall", "relevance", "confidence_before",
                      "confidence_after", "will_do_differently", "comments", "source",
                      "created_at", "updated_at")  # fmt: skip
FOLLOW_UP_COLUMNS = ("id", "booking_id", "supervisor_staff_id", "due_on", "practice_changed",
                     "example", "responded_at", "created_at", "updated_at")  # fmt: skip
CPD_COLUMNS = ("id", "staff_id", "entry_type", "description", "activity_date", "learning",
               "impact", "peer_reflection", "peer_reflection_detail", "created_at",
               "updated_at")  # fmt: skip
BATCH = 20_000


#: Census organisational roles, and "other" for posts outside the census (as course
#: audiences name them).
ROLE_CODES = ("1", "2", "3", "4", "5", "6", "other")
#: Sessions a year of the mandatory courses with a refresher, where the demo's are too few
#: for a whole workforce to keep them in date.
MANDATORY_WEIGHTS = {
    "Data protection and information sharing": 20.0,
    "Safeguarding children: level 3": 12.0,
}


class _Course:
    __slots__ = ("id", "hours", "mode", "capacity", "weight", "asye", "online", "mandatory")

    def __init__(self, course_id: int, hours: float, mode: str, capacity: int, weight: float,
                 asye: bool, mandatory: tuple[str, ...]) -> None:  # fmt: skip
        self.id = course_id
        self.hours = hours
        self.mode = mode
        self.capacity = capacity
        self.weight = weight
        self.asye = asye
        self.online = mode == "e_learning"
        #: Whether each of ROLE_CODES must do it (empty: nobody).
        self.mandatory = np.array([code in mandatory for code in ROLE_CODES]) if mandatory else None


def _catalogue(writer: BulkWriter, stamp: datetime) -> list[_Course]:
    """Venues, courses, their PCF domains, priorities and audiences; return the courses."""
    framework = pcf()
    if framework is None:
        raise RuntimeError("Load the reference data (the PCF) before the scale generator")
    domains = {d.position: d for d in framework.domains if not d.retired}
    priorities = {p.name: p.id for p in db.session.scalars(select(StrategicPriority))}
    models = {m.name: m.id for m in db.session.scalars(select(PracticeModel))}

    venue = writer.first_id("venue")
    writer.write(
        "venue",
        ("id", "name", "address", "active", "created_at", "updated_at"),
        [(venue + n, name, address, True, stamp, stamp) for n, (name, address) in
         enumerate(VENUES)],
    )  # fmt: skip

    specs: list[tuple[Any, ...]] = list(DEMO_COURSES)
    for position, domain in sorted(domains.items()):
        specs.append((ASYE_THEME.format(name=domain.name), "in_house", "workshop", "3", "0",
                      None, (position,), (), (), None, 1, 14, True))  # fmt: skip
    for n, title in enumerate(GENERIC):
        provider = ("in_house", "commissioned", "external")[n % 3]
        linked = () if n % 5 == 4 else tuple(sorted({1 + n % 9, 1 + (n * 4) % 9}))
        specs.append((title, provider, ("face_to_face", "workshop", "e_learning", "simulation")
                      [n % 4], str(3 + 3 * (n % 3)), str((0, 75, 220)[n % 3] + 5 * n), None,
                      linked, (), (), None, 2, 16 + (n * 7) % 15, False))  # fmt: skip

    first = writer.first_id("course")
    courses, rows, links, priority_links, audiences = [], [], [], [], []
    audience = writer.first_id("course_audience")
    for n, spec in enumerate(specs):
        (title, provider, mode, hours, cost, model, numbers, names, mandatory, refresher,
         per_year, capacity, asye) = spec  # fmt: skip
        course_id = first + n
        rows.append((course_id, title, f"{title}. Part of the learning and development "
                     "programme.", provider, mode, Decimal(hours), Decimal(cost),
                     models.get(model) if model else None, refresher, 3, asye, True, stamp,
                     stamp))  # fmt: skip
        links += [(course_id, domains[p].id) for p in numbers if p in domains]
        priority_links += [(course_id, priorities[name]) for name in names if name in priorities]
        roles = [(role, True) for role in mandatory] or [
            (role, False) for role in (() if asye else ("4", "5", "6"))
        ]
        for role, required in roles:
            audiences.append((audience, course_id, "role", role, required))
            audience += 1
        weight = MANDATORY_WEIGHTS.get(title, float(per_year))
        courses.append(_Course(course_id, float(hours), mode, capacity, weight, asye, mandatory))
    writer.write("course", COURSE_COLUMNS, rows)
    writer.write("course_domain", ("course_id", "domain_id"), links)
    writer.write("course_priority", ("course_id", "priority_id"), priority_links)
    writer.write("course_audience", ("id", "course_id", "kind", "value", "mandatory"), audiences)
    return courses


def write_training(writer: BulkWriter, population: Population, seed: int) -> None:
    """The catalogue, then sessions with their bookings, evaluations and follow-ups."""
    rng = random.Random(f"{seed}-training")
    picks = np.random.default_rng([seed, 3])
    stamp = population.stamp
    courses = _catalogue(writer, stamp)
    today, first = population.today, population.history_start
    venues = len(VENUES)
    venue_base = writer.first_id("venue")

    # How many sessions: about BOOKINGS_A_YEAR bookings per person-year in post.
    in_post = np.minimum(population.last_day, today) - np.maximum(population.first_day, first) + 1
    person_years = float(np.clip(in_post, 0, None).sum()) / 365.25
    weights = np.array([c.weight for c in courses])
    share = weights / weights.sum()
    per_session = float((share * np.array([c.capacity for c in courses])).sum())
    total = max(len(courses), round(BOOKINGS_A_YEAR * person_years / per_session))
    days = np.arange(first, today + AHEAD + 1)
    days = days[(days - 1) % 7 < 5]  # weekdays (ordinal 1 is a Monday)
    session_days = np.sort(picks.choice(days, total))
    session_courses = picks.choice(len(courses), total, p=share)

    # Who can be booked: everyone in post on the day; newly qualified social workers in
    # their first year for the ASYE workshops.
    firsts, lasts = population.first_day, population.last_day
    people = len(population.people)
    asye_people, asye_from = [], []
    for index, person in enumerate(population.people):
        for spell in person.spells:
            if spell.post is NEWLY_QUALIFIED:
                asye_people.append(index)
                asye_from.append(spell.start)
                break
    asye_index = np.array(asye_people, dtype=np.int64)
    asye_start = np.array(asye_from, dtype=np.int64)

    # A mandatory course is booked for those in its roles who did it longest ago (officers
    # chase the people due a refresher), so most stay in date.
    roles = np.array(
        [ROLE_CODES.index(p.spells[-1].post.role or "other") for p in population.people],
        dtype=np.int64,
    )
    last_done = {
        c.id: np.full(people, -(10**6), dtype=np.int64) for c in courses if c.mandatory is not None
    }

    def attendees(day: int, wanted: int, course: _Course) -> list[int]:
        if course.asye:
            pool = asye_index[(asye_start <= day) & (asye_start + 365 > day)
                              & (lasts[asye_index] >= day)]  # fmt: skip
            if len(pool) > wanted:
                pool = picks.choice(pool, wanted, replace=False)
            return [int(i) for i in pool]
        mandatory = course.mandatory
        enough = wanted if mandatory is None else 3 * wanted
        chosen = np.empty(0, dtype=np.int64)
        for _ in range(20):
            found = picks.integers(0, people, enough * 3 + 8)
            keep = (firsts[found] <= day) & (lasts[found] >= day)
            if mandatory is not None:
                keep &= mandatory[roles[found]]
            merged = np.concatenate([chosen, found[keep]])
            _, where = np.unique(merged, return_index=True)
            chosen = merged[np.sort(where)]
            if len(chosen) >= enough:
                break
        if mandatory is not None:
            chosen = chosen[np.argsort(last_done[course.id][chosen], kind="stable")]
        return [int(i) for i in chosen[:wanted]]

    session_id = writer.first_id("training_session")
    booking_id = writer.first_id("booking")
    evaluation_id = writer.first_id("evaluation")
    follow_up_id = writer.first_id("impact_follow_up")
    sessions: list[tuple[Any, ...]] = []
    bookings: list[tuple[Any, ...]] = []
    evaluations: list[tuple[Any, ...]] = []
    follow_ups: list[tuple[Any, ...]] = []

    def flush() -> None:
        writer.write("training_session", SESSION_COLUMNS, sessions)
        writer.write("booking", BOOKING_COLUMNS, bookings)
        writer.write("evaluation", EVALUATION_COLUMNS, evaluations)
        writer.write("impact_follow_up", FOLLOW_UP_COLUMNS, follow_ups)
        for rows in (sessions, bookings, evaluations, follow_ups):
            rows.clear()

    for day_number, index in zip(session_days.tolist(), session_courses.tolist(), strict=True):
        course = courses[index]
        day = date.fromordinal(day_number)
        starts = datetime.combine(day, time(rng.choice((9, 10, 13)), rng.choice((0, 30))))
        ends = starts + timedelta(hours=max(1.5, min(course.hours, 6.5)))
        past = day_number < today
        roll = rng.random()
        if roll < 0.04:
            state = "cancelled"
        elif not past:
            state = "scheduled"
        elif roll < 0.055:
            state = "marked"  # delivered, register marked, never closed
        elif roll < 0.06:
            state = "unmarked"  # register never marked
        else:
            state = "completed"
        status = {"marked": "scheduled", "unmarked": "scheduled"}.get(state, state)
        capacity = course.capacity if not course.online else 60
        venue = None if course.online else venue_base + rng.randrange(venues)
        sessions.append((session_id, course.id, starts, ends, venue,
                         "Online (Teams)" if venue is None else None, rng.choice(TRAINERS),
                         capacity, status, "Trainer unwell" if state == "cancelled" else None,
                         stamp, stamp))  # fmt: skip
        filled = capacity - max(0, rng.randint(-4, 5))
        waiting = rng.randint(0, 3) if filled >= capacity else 0
        dropped = rng.randint(0, 2)
        chosen = attendees(day_number, filled + waiting + dropped, course)
        done = last_done.get(course.id)
        opened = datetime.combine(day - timedelta(days=40), time(8), UTC)
        due = follow_up_due_on(ends.date(), 3)
        for k, person_index in enumerate(chosen):
            staff_id = population.people[person_index].id
            requested = opened + timedelta(minutes=7 * k)
            if state == "cancelled" or k >= filled + waiting:
                booking_status = "cancelled"
            elif k >= filled:
                booking_status = "waiting"
            else:
                booking_status = "booked"
            attendance = None
            if booking_status == "booked" and (
                state == "completed" or (state == "marked" and rng.random() < 0.6)
            ):
                mark = rng.random()
                attendance = (
                    "attended" if mark < 0.85 else "partial" if mark < 0.89 else "did_not_attend"
                )
            if done is not None and (
                attendance in ("attended", "partial") or (not past and booking_status == "booked")
            ):
                done[person_index] = day_number  # (booked ahead: not chased again)
            cancelled = booking_status == "cancelled"
            bookings.append((
                booking_id, session_id, staff_id, booking_status, requested,
                requested + timedelta(days=10) if cancelled else None,
                ("Session cancelled" if state == "cancelled" else "Caseload pressures")
                if cancelled else None,
                attendance, stamp, stamp,
            ))  # fmt: skip
            evaluable = attendance in ("attended", "partial")
            if evaluable and rng.random() < 0.45:
                overall = _OVERALL(rng)
                before = rng.randint(1, 4)
                returned = datetime.combine(day + timedelta(days=rng.randint(0, 6)), time(12), UTC)
                evaluations.append((
                    evaluation_id, booking_id, overall,
                    max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))), before,
                    min(5, before + rng.randint(0, 2)),
                    rng.choice(WILL_DO) if rng.random() < 0.6 else None, None,
                    "self" if rng.random() < 0.7 else "paper", returned, returned,
                ))  # fmt: skip
                evaluation_id += 1
            if evaluable and due.toordinal() <= today:
                spell = population.person(staff_id).spell_on(due.toordinal())
                changed = example = responded = None
                if due.toordinal() < today - 28 and rng.random() < 0.7:
                    changed = _CHANGED(rng)
                    example = None if changed == "no" else rng.choice(EXAMPLES)
                    responded = datetime.combine(
                        due + timedelta(days=rng.randint(1, 25)), time(12), UTC
                    )
                follow_ups.append((
                    follow_up_id, booking_id, spell.manager if spell else None, due, changed,
                    example, responded, stamp, stamp,
                ))  # fmt: skip
                follow_up_id += 1
            booking_id += 1
        session_id += 1
        if len(bookings) >= BATCH:
            flush()
    flush()
    _cpd(writer, population, rng)


def _cpd(writer: BulkWriter, population: Population, rng: random.Random) -> None:
    """A few CPD log entries for a quarter of the qualified staff in post."""
    today = population.today
    stamp = population.stamp
    entry = writer.first_id("cpd_entry")
    rows = []
    for person in population.people:
        spell = person.spell_on(today)
        if spell is None or not spell.post.qualified or rng.random() >= 0.25:
            continue
        for _ in range(rng.randint(1, 3)):
            kind, description = rng.choice(CPD)
            day = max(person.first_day, today - rng.randint(5, 500))
            rows.append((
                entry, person.id, kind, description, date.fromordinal(day),
                "How to weigh cumulative harm and write it down clearly.",
                "My assessments now set out the history before the analysis.",
                rng.random() < 0.5, "Discussed with my practice supervisor." if rng.random() < 0.5
                else None, stamp, stamp,
            ))  # fmt: skip
            entry += 1
    writer.write("cpd_entry", CPD_COLUMNS, rows)
