"""The organisation at scale: teams with their managers, staff with employment spells over
the years, each team's funded establishment, and absences.

**Structure.** About one team per 25 posts, of the kinds the hand-made demo has (front door,
assessment, child protection and court, children in care, leaving care, family support
hubs, workforce development), ten to a service under a head of service, under one
director. Team managers, heads of service and the director stay in post throughout (so the
line manager on every spell is the manager who supervises, appraises and answers impact
follow-ups); everyone else fills a post in a team.

**Posts over time.** Each post is held by a sequence of people: whoever held it when the
history begins (having started up to 30 years before), then, as each leaves, a vacancy of
a few weeks to a few months and a successor. Stays are exponential with a mean of about
six and a half years (so about 15% of staff leave a year, near the published social worker
turnover); agency workers (8% of those taking a case-holding post) stay about a year. A
fifth of vacancies are filled from inside: someone of the same kind of post in another team
moves (their spell ends the day before the new one starts, often a promotion to senior
social worker or advanced practitioner); the rest by joiners from outside, a third of those to
social worker posts newly qualified (start origin 1, the ASYE post and grade SW1, then
social worker, SW2, from about a year on: a second spell). Leavers have a census reason
and destination; every spell in a census role a child and family KSS status; agency
spells say whether they cover a vacancy and their contract weeks in the census year.

**Establishment.** Each team with census posts has a funded FTE from the 1 April on or
before the history begins, changed on some later 1 Aprils, set 5% to 15% above the FTE of
its census posts in post today (vacancy rates of about 10-15% with the posts the history
leaves empty).

**Absence.** About one sickness absence per person-year (a twentieth of them long-term),
training and other paid, unpaid, public-duty and unauthorised absences, and maternity or
paternity leave, while employed in the history; working days lost are the weekdays of the
absence times the FTE, to the half day. A few long absences are still open today.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import numpy as np

from workforce.demo import (
    DEMO_DOMAIN,
    DESTINATIONS,
    ETHNICITY_WEIGHTS,
    FIRST,
    LAST,
    LEAVING_REASONS,
)
from workforce.demo_workforce_planning import INSTITUTIONS
from workforce.scale.common import Picker, exponential, poisson
from workforce.scale.writer import BulkWriter

STANDARD_HOURS = Decimal("37")
#: Mean stay in the organisation of a permanent member of staff, and of an agency worker.
STAY_DAYS = 6.5 * 365
AGENCY_STAY_DAYS = 400
#: Share of vacancies filled from inside, of joiners to social worker posts newly qualified,
#: and of joiners to case-holding posts from an agency.
MOVE_SHARE = 0.2
NQSW_SHARE = 0.33
AGENCY_SHARE = 0.08
TEAM_SIZE = 25
TEAMS_PER_SERVICE = 10
NQSW_ORIGIN = "1"
ORIGINS = {"2": 40, "3": 3, "4": 14, "5": 10, "6": 15, "7": 6, "8": 2, "9": 10}
HOURS = (Decimal("37"), Decimal("30"), Decimal("22.5"), Decimal("18.5"))
HOURS_WEIGHTS = (75, 10, 10, 5)
CONTRACTS = ("permanent", "fixed_term", "secondment")
CONTRACT_WEIGHTS = (90, 7, 3)


class Post(NamedTuple):
    """A post: its title, census organisational role, grade, and whether it needs a
    qualified social worker."""

    title: str
    role: str | None
    grade: str
    qualified: bool


SOCIAL_WORKER = Post("Social worker", "5", "SW2", True)
NEWLY_QUALIFIED = Post("Newly qualified social worker (ASYE)", "5", "SW1", True)
SENIOR = Post("Senior social worker", "4", "SW3", True)
HR_PARTNER = Post("HR business partner", None, "HR3", False)
LD_OFFICER = Post("Learning and development officer", None, "LD2", False)
DIRECTOR = Post("Director of children's services", "1", "CO1", True)
HEAD = Post("Head of service", "2", "HS1", True)
SOCIAL_WORK_MANAGER = Post("Team manager", "3", "TM1", True)
OTHER_MANAGER = Post("Team manager", None, "TM1", False)

#: Posts of social care teams, early help hubs and workforce development, with weights
#: (the demo's, the ASYE post folded into social worker: newly qualified joiners hold it).
SOCIAL_CARE_POSTS: tuple[tuple[Post, int], ...] = (
    (SOCIAL_WORKER, 55),
    (SENIOR, 12),
    (Post("Family support worker", None, "FSW", False), 18),
    (Post("Business support officer", None, "BS2", False), 8),
    (Post("Advanced practitioner", "6", "AP1", True), 7),
)
EARLY_HELP_POSTS: tuple[tuple[Post, int], ...] = (
    (Post("Family support worker", None, "FSW", False), 60),
    (Post("Early help practitioner", None, "EH2", False), 30),
    (Post("Business support officer", None, "BS2", False), 10),
)
DEVELOPMENT_POSTS: tuple[tuple[Post, int], ...] = (
    (LD_OFFICER, 35),
    (Post("Practice educator", "6", "AP1", True), 30),
    (HR_PARTNER, 20),
    (Post("Business support officer", None, "BS2", False), 15),
)


@dataclass(frozen=True)
class TeamKind:
    """A kind of team: its name, service area, tier of need, share of teams, relative size
    and posts."""

    name: str
    service_area: str
    tier: str
    weight: float
    size: float
    posts: tuple[tuple[Post, int], ...]
    social_work: bool = True


KINDS: tuple[TeamKind, ...] = (
    TeamKind("Assessment", "Children's social care", "complex", 22, 1.0, SOCIAL_CARE_POSTS),
    TeamKind("Workforce Development", "Quality and improvement", "universal", 3, 0.5,
             DEVELOPMENT_POSTS, social_work=False),
    TeamKind("Front Door and MASH", "Children's social care", "complex", 8, 1.0,
             SOCIAL_CARE_POSTS),
    TeamKind("Child Protection and Court", "Children's social care", "severe", 14, 1.0,
             SOCIAL_CARE_POSTS),
    TeamKind("Children in Care", "Children's social care", "severe", 14, 1.0, SOCIAL_CARE_POSTS),
    TeamKind("Leaving Care", "Children's social care", "severe", 8, 0.8, SOCIAL_CARE_POSTS),
    TeamKind("Family Support Hub", "Early help", "vulnerable", 20, 1.1, EARLY_HELP_POSTS,
             social_work=False),
)  # fmt: skip


@dataclass
class TeamInfo:
    """A generated team."""

    id: int
    name: str
    kind: TeamKind
    service: int
    manager: int = 0  # staff id of its manager


class Spell:
    """One post held by one person: dates are day ordinals, ``end`` None while it lasts."""

    __slots__ = (
        "id",
        "staff",
        "team",
        "post",
        "start",
        "end",
        "manager",
        "origin",
        "reason",
        "destination",
        "hours",
        "contract",
        "covers",
    )

    def __init__(
        self,
        staff: int,
        team: TeamInfo,
        post: Post,
        start: int,
        manager: int | None,
        origin: str | None,
        hours: Decimal,
        contract: str,
    ) -> None:
        self.id = 0
        self.staff = staff
        self.team = team
        self.post = post
        self.start = start
        self.end: int | None = None
        self.manager = manager
        self.origin = origin
        self.reason: str | None = None
        self.destination: str | None = None
        self.hours = hours
        self.contract = contract
        self.covers = False

    def covers_day(self, day: int) -> bool:
        """Whether the spell is in force on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def fte(self) -> float:
        return min(1.0, float(self.hours) / float(STANDARD_HOURS))

    @property
    def in_asye_post(self) -> bool:
        return self.origin == NQSW_ORIGIN and self.post is NEWLY_QUALIFIED


class Person:
    """A member of staff and their spells (in date order, back to back)."""

    __slots__ = ("id", "spells", "exit", "agency", "nqsw", "name", "email")

    def __init__(self, staff_id: int, exit_day: int | None, agency: bool = False) -> None:
        self.id = staff_id
        self.name = ""
        self.email = ""
        self.spells: list[Spell] = []
        self.exit = exit_day  # last day in the organisation (None: stays)
        self.agency = agency
        self.nqsw = False

    @property
    def first_day(self) -> int:
        return self.spells[0].start

    @property
    def last_day(self) -> int | None:
        return self.spells[-1].end

    def spell_on(self, day: int) -> Spell | None:
        """The spell in force on ``day`` (the later one on a change-over day)."""
        for spell in reversed(self.spells):
            if spell.start <= day:
                return spell if spell.end is None or day <= spell.end else None
        return None


class _Slot:
    __slots__ = ("index", "team", "post", "occupant", "spell", "version", "stable", "family")

    def __init__(self, index: int, team: TeamInfo, post: Post, stable: bool) -> None:
        self.index = index
        self.team = team
        self.post = post
        self.occupant: Person | None = None
        self.spell: Spell | None = None
        self.version = 0
        self.stable = stable
        # who may move into it: any qualified social worker, or the same post
        self.family = "qualified" if post.qualified else post.title


LEAVE, FILL, REGRADE = 0, 1, 2


@dataclass
class Population:
    """The generated organisation, as the other domains read it."""

    today: int
    history_start: int
    teams: list[TeamInfo]
    people: list[Person]
    director: int
    heads: list[int]
    #: Staff ids of the people the demo accounts sign in as, by the demo's link names.
    links: dict[str, int]
    stamp: datetime
    first_day: np.ndarray = field(init=False)
    last_day: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        far = self.today + 100_000
        self.first_day = np.array([p.first_day for p in self.people], dtype=np.int64)
        self.last_day = np.array(
            [far if p.last_day is None else p.last_day for p in self.people], dtype=np.int64
        )
        self.base = self.people[0].id if self.people else 1

    def person(self, staff_id: int) -> Person:
        return self.people[staff_id - self.base]

    @property
    def managers(self) -> list[int]:
        """Staff ids of the team managers, by team."""
        return [team.manager for team in self.teams]

    def in_post_today(self) -> int:
        return int(np.count_nonzero(self.last_day >= self.today))


_ORIGIN = Picker(ORIGINS)
_REASON = Picker(LEAVING_REASONS)
_DESTINATION = Picker(DESTINATIONS)
_HOURS = Picker(zip(HOURS, HOURS_WEIGHTS, strict=True))
_CONTRACT = Picker(zip(CONTRACTS, CONTRACT_WEIGHTS, strict=True))
_LEVEL = Picker({"1": 55, "2": 35, "3": 10})
_GENDER = Picker({"2": 78, "1": 20, "9": 2})
_ETHNICITY = Picker(ETHNICITY_WEIGHTS)


def build_population(staff: int, years: int, seed: int, today: date) -> Population:
    """Simulate the organisation's posts over ``years`` years ending ``today``."""
    rng = random.Random(f"{seed}-people")
    end = today.toordinal()
    start_of_history = end - round(years * 365.25)
    teams_wanted = max(len(KINDS), round(staff / TEAM_SIZE))
    heads_wanted = max(1, math.ceil(teams_wanted / TEAMS_PER_SERVICE))
    members_wanted = staff - 1 - heads_wanted - teams_wanted
    if members_wanted < 3 * teams_wanted:
        raise ValueError(f"{staff} staff are too few for the scale generator (100 at least)")

    kinds = list(KINDS)
    kinds += rng.choices(KINDS, weights=[k.weight for k in KINDS], k=teams_wanted - len(KINDS))
    numbered: dict[str, int] = {}
    teams: list[TeamInfo] = []
    for index, kind in enumerate(kinds):
        numbered[kind.name] = numbered.get(kind.name, 0) + 1
        teams.append(
            TeamInfo(index + 1, f"{kind.name} {numbered[kind.name]}", kind,
                     index // TEAMS_PER_SERVICE)
        )  # fmt: skip

    people: list[Person] = []

    def new_person(exit_day: int | None, agency: bool = False) -> Person:
        person = Person(len(people) + 1, exit_day, agency)
        people.append(person)
        return person

    def add_spell(person: Person, team: TeamInfo, post: Post, begins: int, **values: Any) -> Spell:
        spell = Spell(
            person.id,
            team,
            post,
            begins,
            values.get("manager", team.manager),
            values.get("origin"),
            values.get("hours", STANDARD_HOURS),
            values.get("contract", "permanent"),
        )
        person.spells.append(spell)
        return spell

    def origin() -> str:
        return _ORIGIN(rng)

    def long_ago(years_at_most: float) -> int:
        return start_of_history - 60 - rng.randrange(int(years_at_most * 365))

    # The leaders: the director, a head per service, a manager per team; they stay.
    # (the director and the first head in the first workforce development team, each other
    # head in the first team of their service)
    director = new_person(None)
    add_spell(director, teams[1], DIRECTOR, long_ago(8), manager=None, origin=origin())
    heads = []
    for service in range(heads_wanted):
        head = new_person(None)
        team = teams[service * TEAMS_PER_SERVICE or 1]
        add_spell(head, team, HEAD, long_ago(10), manager=director.id, origin=origin())
        heads.append(head)
    for team in teams:
        manager = new_person(None)
        post = SOCIAL_WORK_MANAGER if team.kind.social_work else OTHER_MANAGER
        add_spell(manager, team, post, long_ago(12), manager=heads[team.service].id,
                  origin=origin())  # fmt: skip
        team.manager = manager.id

    # The posts in teams, sized around the kind's relative size.
    weights = [team.kind.size * rng.gammavariate(4.0, 0.25) for team in teams]
    scale = (members_wanted - 3 * len(teams)) / sum(weights)
    sizes = [3 + int(w * scale) for w in weights]
    for index in range(members_wanted - sum(sizes)):
        sizes[index % len(sizes)] += 1
    first_of = {kind.name: next(t for t in teams if t.kind is kind) for kind in KINDS}
    slots: list[_Slot] = []
    for team, size in zip(teams, sizes, strict=True):
        posts = [p for p, _ in team.kind.posts]
        chosen = rng.choices(posts, weights=[w for _, w in team.kind.posts], k=size)
        forced: list[Post] = []
        if team is first_of["Assessment"]:
            forced = [SOCIAL_WORKER]  # the demo practitioner's post
        elif team is first_of["Workforce Development"]:
            forced = [HR_PARTNER, LD_OFFICER]  # the demo HR and L&D accounts' posts
        for position, post in enumerate(forced + chosen[len(forced) :]):
            slots.append(_Slot(len(slots), team, post, stable=position < len(forced)))
    families: dict[str, list[_Slot]] = {}
    for slot in slots:
        families.setdefault(slot.family, []).append(slot)

    events: list[tuple[int, int, int, int, int]] = []
    sequence = iter(range(10**12))

    def push(day: int, kind: int, slot: _Slot) -> None:
        if day <= end:
            heapq.heappush(events, (day, next(sequence), kind, slot.index, slot.version))

    def hours() -> Decimal:
        return _HOURS(rng)

    def occupy(slot: _Slot, person: Person, spell: Spell) -> None:
        slot.occupant, slot.spell = person, spell
        slot.version += 1
        if person.exit is not None:
            push(person.exit, LEAVE, slot)

    def vacate(slot: _Slot, day: int) -> None:
        """``slot`` is empty from ``day``: a successor starts after a vacancy."""
        slot.occupant = slot.spell = None
        slot.version += 1
        push(day + 14 + min(200, exponential(rng, 45)), FILL, slot)

    def joiner(slot: _Slot, day: int, *, incumbent: bool) -> None:
        """Someone from outside takes ``slot`` from ``day``."""
        case_holding = slot.post.role in ("4", "5")
        agency = case_holding and not slot.stable and rng.random() < AGENCY_SHARE
        nqsw = (
            slot.post is SOCIAL_WORKER
            and not slot.stable
            and not agency
            and rng.random() < NQSW_SHARE
        )
        stay = None
        if not slot.stable:
            # whoever holds a post when the history begins stays a memoryless time from then
            mean = AGENCY_STAY_DAYS if agency else STAY_DAYS
            stay = max(day, start_of_history) + (0 if incumbent else 30) + exponential(rng, mean)
        person = new_person(stay, agency)
        person.nqsw = nqsw
        spell = add_spell(
            person, slot.team, NEWLY_QUALIFIED if nqsw else slot.post, day,
            origin=NQSW_ORIGIN if nqsw else ("4" if agency else origin()),
            hours=STANDARD_HOURS if agency else hours(),
            contract="agency" if agency else _CONTRACT(rng),
        )  # fmt: skip
        if agency:
            spell.covers = rng.random() < 0.8
        occupy(slot, person, spell)
        if nqsw:
            regrade = day + 365 + rng.randrange(60)
            if person.exit is None or regrade < person.exit:
                push(regrade, REGRADE, slot)

    def mover(slot: _Slot, day: int) -> bool:
        """Someone in the same kind of post in another team moves into ``slot`` on
        ``day``; False when nobody suitable turns up."""
        family = families[slot.family]
        for _ in range(12):
            other = family[rng.randrange(len(family))]
            person, spell = other.occupant, other.spell
            if (
                other.team is slot.team
                or other.stable
                or person is None
                or spell is None
                or person.agency
                or spell.post is NEWLY_QUALIFIED
                or spell.start > day - 180
                or (person.exit is not None and person.exit < day + 60)
            ):
                continue
            spell.end = day - 1
            vacate(other, day)
            moved = add_spell(person, slot.team, slot.post, day, hours=spell.hours,
                              contract=spell.contract)  # fmt: skip
            occupy(slot, person, moved)
            return True
        return False

    # Whoever holds each post when the history begins, then what happens until today.
    for slot in slots:
        tenure = 30 + min(30 * 365, exponential(rng, 6 * 365))
        joiner(slot, start_of_history - tenure, incumbent=True)
    while events:
        day, _, kind, index, version = heapq.heappop(events)
        slot = slots[index]
        if version != slot.version:
            continue  # the occupant moved on: this event no longer applies
        if kind == LEAVE:
            assert slot.occupant is not None and slot.spell is not None
            spell = slot.spell
            spell.end = day
            if slot.occupant.agency:
                spell.reason, spell.destination = "9", "8"
            else:
                spell.reason = _REASON(rng)
                spell.destination = _DESTINATION(rng)
            vacate(slot, day + 1)
        elif kind == REGRADE:
            assert slot.occupant is not None and slot.spell is not None
            slot.spell.end = day - 1
            slot.spell = add_spell(slot.occupant, slot.team, SOCIAL_WORKER, day,
                                   hours=slot.spell.hours, contract=slot.spell.contract)  # fmt: skip
        elif kind == FILL:
            if rng.random() < MOVE_SHARE and mover(slot, day):
                continue
            joiner(slot, day, incumbent=False)

    links = {
        "leader": director.id,
        "manager": first_of["Assessment"].manager,
        "practitioner": next(s for s in slots if s.team is first_of["Assessment"]).occupant.id,  # type: ignore[union-attr]
        "hr": next(s for s in slots if s.post is HR_PARTNER and s.stable).occupant.id,  # type: ignore[union-attr]
        "ld": next(s for s in slots if s.post is LD_OFFICER and s.stable).occupant.id,  # type: ignore[union-attr]
    }
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return Population(
        today=end,
        history_start=start_of_history,
        teams=teams,
        people=people,
        director=director.id,
        heads=[h.id for h in heads],
        links=links,
        stamp=stamp,
    )


# --- rows ----------------------------------------------------------------------------------

TEAM_COLUMNS = ("id", "name", "service_area", "tier_of_need", "active", "created_at",
                "updated_at")  # fmt: skip
STAFF_COLUMNS = ("id", "staff_number", "first_name", "last_name", "work_email", "swe_number",
                 "qualified_social_worker", "date_of_birth", "gender", "ethnicity", "qual_inst",
                 "qual_level", "step_up_grad", "frontline_grad", "created_at",
                 "updated_at")  # fmt: skip
SPELL_COLUMNS = ("id", "staff_id", "post_title", "org_role", "grade", "contracted_hours",
                 "standard_hours", "contract_type", "team_id", "line_manager_id", "start_date",
                 "start_origin", "end_date", "leaving_reason", "leaver_destination",
                 "cfkss_status", "covers_vacancy", "contract_weeks", "created_at",
                 "updated_at")  # fmt: skip
ESTABLISHMENT_COLUMNS = ("id", "team_id", "effective_from", "funded_fte", "notes", "created_at",
                         "updated_at")  # fmt: skip
ABSENCE_COLUMNS = ("id", "staff_id", "start_date", "end_date", "working_days_lost", "reason",
                   "created_at", "updated_at")  # fmt: skip


def _kss(spell: Spell) -> str | None:
    role = spell.post.role
    if role is None:
        return None
    if role in ("1", "2"):
        return "4"
    if role == "3":
        return "3"
    return "1" if spell.post is NEWLY_QUALIFIED else "2"


def _contract_weeks(spell: Spell, today: int) -> Decimal | None:
    """An agency spell's weeks in the census year its last day (or today) falls in."""
    if spell.contract != "agency":
        return None
    last = date.fromordinal(min(spell.end if spell.end is not None else today, today))
    year_end = date(last.year if last.month < 10 else last.year + 1, 9, 30)
    year_start = date(year_end.year - 1, 10, 1).toordinal()
    until = spell.end if spell.end is not None else year_end.toordinal()
    days = min(until, year_end.toordinal()) - max(spell.start, year_start) + 1
    return min(Decimal("52.1"), Decimal(max(days, 0)) / 7).quantize(Decimal("0.1"), ROUND_HALF_UP)


def write_people(writer: BulkWriter, population: Population, seed: int) -> None:
    """Teams, staff and spells (ids given here: the population's are relative to these)."""
    rng = random.Random(f"{seed}-staff")
    stamp = population.stamp
    if writer.first_id("team") != 1 or writer.first_id("staff") != 1:
        # the population numbers teams and staff from 1 (build_scale checks they are none)
        raise RuntimeError("The scale generator needs a database without teams or staff")
    writer.write(
        "team",
        TEAM_COLUMNS,
        [(t.id, t.name, t.kind.service_area, t.kind.tier, True, stamp, stamp)
         for t in population.teams],
    )  # fmt: skip
    today = population.today

    def staff_rows() -> Iterator[tuple[Any, ...]]:
        for person in population.people:
            first_spell = person.spells[0]
            qualified = first_spell.post.qualified
            first, last = rng.choice(FIRST), rng.choice(LAST)
            number = f"NB{person.id:07d}"
            person.name = f"{first} {last}"
            person.email = f"{first}.{last}.{number[2:]}@{DEMO_DOMAIN}".lower()
            young = first_spell.origin == NQSW_ORIGIN
            age = rng.randint(22 * 365, 34 * 365) if young else rng.randint(24 * 365, 56 * 365)
            born = date.fromordinal(min(first_spell.start, today) - age)
            level = step_up = frontline = institution = None
            if qualified:
                level = _LEVEL(rng)
                institution = rng.choice(INSTITUTIONS)
                route = rng.random()
                step_up = level == "2" and route < 0.15
                frontline = level == "2" and 0.15 <= route < 0.3
            yield (
                person.id, number, first, last, person.email,
                f"SW{(person.id * 7_919 + seed * 104_729) % 10**10:010d}" if qualified else None,
                qualified, born, _GENDER(rng), _ETHNICITY(rng), institution, level,
                step_up, frontline, stamp, stamp,
            )  # fmt: skip

    writer.write("staff", STAFF_COLUMNS, staff_rows())

    spell_id = writer.first_id("employment_spell")
    for person in population.people:
        for spell in person.spells:
            spell.id = spell_id
            spell_id += 1

    def spell_rows() -> Iterator[tuple[Any, ...]]:
        for person in population.people:
            for s in person.spells:
                yield (
                    s.id, s.staff, s.post.title, s.post.role, s.post.grade, s.hours,
                    STANDARD_HOURS, s.contract, s.team.id, s.manager, date.fromordinal(s.start),
                    s.origin, None if s.end is None else date.fromordinal(s.end), s.reason,
                    s.destination, _kss(s), s.covers, _contract_weeks(s, today), stamp, stamp,
                )  # fmt: skip

    writer.write("employment_spell", SPELL_COLUMNS, spell_rows())


def _half(value: float) -> Decimal:
    return (Decimal(str(value)) * 2).quantize(Decimal("1"), ROUND_HALF_UP) / 2


def write_establishment(writer: BulkWriter, population: Population, seed: int) -> None:
    """Funded FTE of census posts per team, from the 1 April the history begins in, with
    changes on some later 1 Aprils."""
    rng = random.Random(f"{seed}-establishment")
    today = population.today
    first = date.fromordinal(population.history_start)
    april = date(first.year if first.month >= 4 else first.year - 1, 4, 1)
    census: dict[int, float] = {}
    for person in population.people:
        spell = person.spell_on(today) or person.spells[-1]
        if spell.post.role is not None and spell.contract != "agency":
            census[spell.team.id] = census.get(spell.team.id, 0.0) + spell.fte
    rows = []
    record = writer.first_id("team_establishment")
    for team in population.teams:
        if team.id not in census:
            continue
        funded = census[team.id] / (1 - rng.uniform(0.05, 0.15))
        rows.append((record, team.id, april, _half(funded), None, population.stamp,
                     population.stamp))  # fmt: skip
        record += 1
        year = april.year + 1
        while date(year, 4, 1).toordinal() <= today:
            if rng.random() < 0.3:
                change = _half(funded * rng.uniform(0.9, 1.12))
                if change != _half(funded):
                    note = (
                        "Posts added in the budget"
                        if change > _half(funded)
                        else "Posts removed in the budget"
                    )
                    rows.append((record, team.id, date(year, 4, 1), change, note,
                                 population.stamp, population.stamp))  # fmt: skip
                    record += 1
                    funded = float(change)
            year += 1
    writer.write("team_establishment", ESTABLISHMENT_COLUMNS, rows)


#: (reason, episodes a person-year, (fewest, most) working days) besides sickness and
#: maternity or paternity leave.
OTHER_ABSENCES = (("TRN", 0.15, (1, 3)), ("OTH", 0.1, (1, 5)), ("UNP", 0.03, (1, 5)),
                  ("PUB", 0.02, (5, 10)), ("UNA", 0.015, (1, 2)))  # fmt: skip
SICK_A_YEAR = 0.9
_SICK_DAYS = Picker(zip((1, 2, 3, 4, 5, 8), (34, 24, 16, 10, 10, 6), strict=True))


def _weekday_after(day: int) -> int:
    """``day``, or the Monday after it if it falls at a weekend (ordinal 1 is a Monday)."""
    weekday = (day - 1) % 7
    return day + (7 - weekday if weekday >= 5 else 0)


def _working_end(start: int, days: int) -> int:
    """The weekday ``days`` working days on from weekday ``start`` (which counts)."""
    weeks, rest = divmod(days - 1, 5)
    end = start + 7 * weeks + rest
    if (start - 1) % 7 + rest >= 5:
        end += 2
    return end


def _weekdays(start: int, end: int) -> int:
    """Weekdays from ``start`` to ``end``, both counted."""
    weeks, rest = divmod(end - start + 1, 7)
    first = (start - 1) % 7
    return weeks * 5 + sum(1 for k in range(rest) if (first + k) % 7 < 5)


def write_absences(writer: BulkWriter, population: Population, seed: int) -> None:
    """Absences over the history for everyone while employed, without overlaps."""
    rng = random.Random(f"{seed}-absence")
    today, first = population.today, population.history_start
    stamp = population.stamp
    next_id = [writer.first_id("absence")]

    def rows() -> Iterator[tuple[Any, ...]]:
        for person in population.people:
            begins = max(person.first_day, first)
            ends = today if person.last_day is None else min(person.last_day, today)
            if begins > ends:
                continue
            years = (ends - begins + 1) / 365.25
            wanted: list[tuple[str, int]] = []
            for _ in range(poisson(rng, SICK_A_YEAR * years)):
                if rng.random() < 0.05:
                    wanted.append(("SIC", rng.randint(15, 65)))
                else:
                    wanted.append(("SIC", _SICK_DAYS(rng)))
            for reason, rate, (low, high) in OTHER_ABSENCES:
                for _ in range(poisson(rng, rate * years)):
                    wanted.append((reason, rng.randint(low, high)))
            if rng.random() < 0.03 * years:
                wanted.append(("MAT", rng.randint(100, 190) if rng.random() < 0.75 else 10))
            taken: list[tuple[int, int]] = []
            for reason, days in wanted:
                start = _weekday_after(begins + rng.randint(0, ends - begins))
                finish = _working_end(start, days)
                if start > ends or any(b <= finish and start <= f for b, f in taken):
                    continue
                open_ended = False
                if finish > ends:
                    if ends == today and person.last_day is None and days >= 15:
                        open_ended = True  # still off today
                    else:
                        finish = ends
                last = today if open_ended else finish
                spell = person.spell_on(start) or person.spells[-1]
                lost = _half(_weekdays(start, last) * spell.fte)
                if lost <= 0:
                    continue
                taken.append((start, last))
                yield (
                    next_id[0], person.id, date.fromordinal(start),
                    None if open_ended else date.fromordinal(finish), lost, reason, stamp, stamp,
                )  # fmt: skip
                next_id[0] += 1

    writer.write("absence", ABSENCE_COLUMNS, rows())
