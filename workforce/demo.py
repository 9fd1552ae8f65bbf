"""A realistic, deterministic demo authority: about 300 staff in 8 teams with three years
of history (joiners, movers and leavers), and one account per role.

The same seed always builds the same authority; dates are relative to today, so the
history always covers the last three years.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from workforce.demo_asye import build_asye_demo
from workforce.demo_capability import build_capability_demo
from workforce.demo_performance import build_performance_demo
from workforce.demo_supervision import build_supervision_demo
from workforce.demo_training import build_training_demo
from workforce.demo_workforce_planning import build_workforce_planning_demo
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, Team
from workforce.services.accounts import create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (published in the README, demo only)
DEMO_DOMAIN = "northbrook.example.org"

#: (email local part, roles, which staff record it links to)
DEMO_ACCOUNTS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("admin", ("admin",), None),
    ("hr", ("hr",), "hr"),
    ("learning", ("ld_officer",), "ld"),
    ("manager", ("supervisor",), "manager"),
    ("practitioner", ("practitioner",), "practitioner"),
    ("director", ("senior_leader",), "leader"),
)

TEAMS = (
    ("Front Door and MASH", "Children's social care", "complex", 34),
    ("Assessment North", "Children's social care", "complex", 40),
    ("Assessment South", "Children's social care", "complex", 38),
    ("Child Protection and Court", "Children's social care", "severe", 42),
    ("Children in Care", "Children's social care", "severe", 40),
    ("Leaving Care", "Children's social care", "severe", 28),
    ("Family Support Hub", "Early help", "vulnerable", 44),
    ("Workforce Development", "Quality and improvement", "universal", 12),
)

FIRST = [
    "Aisha",
    "Amelia",
    "Amir",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Emily",
    "Fatima",
    "Grace",
    "Hannah",
    "Harry",
    "Isla",
    "Jack",
    "James",
    "Jasmine",
    "Joe",
    "Josh",
    "Katie",
    "Laura",
    "Leah",
    "Liam",
    "Lucy",
    "Maya",
    "Megan",
    "Mohammed",
    "Noah",
    "Olivia",
    "Oliver",
    "Priya",
    "Rachel",
    "Ravi",
    "Rebecca",
    "Ryan",
    "Sam",
    "Sarah",
    "Sophie",
    "Tom",
    "Wei",
    "Zara",
    "Kwame",
    "Nia",
    "Ola",
    "Tomasz",
    "Agnieszka",
    "Sean",
    "Niamh",
    "Rhys",
    "Ffion",
]
LAST = [
    "Ahmed",
    "Ali",
    "Bailey",
    "Baker",
    "Begum",
    "Brown",
    "Campbell",
    "Carter",
    "Chen",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Khan",
    "King",
    "Kowalski",
    "Lee",
    "Lewis",
    "Martin",
    "Mensah",
    "Mitchell",
    "Moore",
    "Morgan",
    "Murphy",
    "Okafor",
    "Patel",
    "Phillips",
    "Price",
    "Roberts",
    "Robinson",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]
ETHNICITY_WEIGHTS = {
    "WBRI": 70,
    "WIRI": 2,
    "WOTH": 6,
    "MWBC": 2,
    "MWBA": 1,
    "MWAS": 1,
    "MOTH": 1,
    "AIND": 3,
    "APKN": 3,
    "ABAN": 1,
    "AOTH": 1,
    "BCRB": 2,
    "BAFR": 3,
    "BOTH": 1,
    "CHNE": 1,
    "OOTH": 1,
    "REFU": 1,
}
LEAVING_REASONS = {"1": 60, "5": 10, "2": 3, "4": 3, "7": 8, "8": 8, "9": 8}
DESTINATIONS = {"1": 30, "3": 25, "4": 10, "5": 10, "6": 10, "7": 5, "8": 10}

#: (post title, census role, grade, qualified social worker, share of a social care team)
POSTS = (
    ("Social worker", "5", "SW2", True, 45),
    ("Senior social worker", "4", "SW3", True, 12),
    ("Newly qualified social worker (ASYE)", "5", "SW1", True, 10),
    ("Family support worker", None, "FSW", False, 18),
    ("Business support officer", None, "BS2", False, 8),
    ("Advanced practitioner", "6", "AP1", True, 7),
)
DEVELOPMENT_POSTS = (
    ("Learning and development officer", None, "LD2", False, 40),
    ("Practice educator", "6", "AP1", True, 40),
    ("Business support officer", None, "BS2", False, 20),
)
EARLY_HELP_POSTS = (
    ("Family support worker", None, "FSW", False, 60),
    ("Early help practitioner", None, "EH2", False, 30),
    ("Business support officer", None, "BS2", False, 10),
)


@dataclass
class _Person:
    staff: Staff
    team: Team


def demo_present() -> bool:
    """Whether any staff record exists already."""
    return bool(db.session.scalar(select(func.count()).select_from(Staff)))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _swe(rng: random.Random) -> str:
    return "SW" + "".join(rng.choice("0123456789") for _ in range(10))


def build_demo(seed: int = 2026, today: date | None = None) -> str:
    """Create the demo authority; return a one-line summary. The caller commits."""
    rng = random.Random(seed)
    today = today or date.today()
    start_of_history = today - timedelta(days=3 * 365)
    teams = []
    for name, area, tier, _ in TEAMS:
        team = db.session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = Team(name=name, service_area=area, tier_of_need=tier, active=True)
            db.session.add(team)
        teams.append(team)
    db.session.flush()

    used_swe: set[str] = set()
    counter = iter(range(10001, 99999))

    def new_staff(first: str, last: str, qualified: bool) -> Staff:
        number = f"NB{next(counter)}"
        swe = None
        if qualified:
            swe = _swe(rng)
            while swe in used_swe:
                swe = _swe(rng)
            used_swe.add(swe)
        age_days = rng.randint(23 * 365, 62 * 365)
        staff = Staff(
            staff_number=number,
            first_name=first,
            last_name=last,
            work_email=f"{first}.{last}.{number[2:]}@{DEMO_DOMAIN}".lower(),
            swe_number=swe,
            qualified_social_worker=qualified,
            date_of_birth=today - timedelta(days=age_days),
            gender=rng.choices(["2", "1", "9"], weights=[78, 20, 2])[0],
            ethnicity=_weighted(rng, ETHNICITY_WEIGHTS),
        )
        db.session.add(staff)
        return staff

    def spell(
        staff: Staff,
        team: Team,
        post: tuple,
        start: date,
        manager: Staff | None,
        end: date | None = None,
        hours: Decimal = Decimal("37"),
        contract: str = "permanent",
        origin: str | None = None,
    ) -> EmploymentSpell:
        title, role, grade, _, _ = post
        record = EmploymentSpell(
            staff=staff,
            team=team,
            post_title=title,
            org_role=role,
            grade=grade,
            contracted_hours=hours,
            standard_hours=Decimal("37"),
            contract_type=contract,
            line_manager=manager,
            start_date=start,
            end_date=end,
            start_origin=origin,
        )
        db.session.add(record)
        return record

    # Leaders first: a director, a head of service, and one team manager per team.
    director = new_staff("Helen", "Ashworth", True)
    spell(
        director,
        teams[0],
        ("Director of children's services", "1", "CO1", True, 0),
        start_of_history - timedelta(days=900),
        None,
        origin="2",
    )
    head = new_staff("Marcus", "Oyelaran", True)
    spell(
        head,
        teams[0],
        ("Head of service", "2", "HS1", True, 0),
        start_of_history - timedelta(days=700),
        director,
        origin="2",
    )
    managers = []
    for index, team in enumerate(teams):
        first, last = ("Claire", "Redfern") if index == 1 else (rng.choice(FIRST), rng.choice(LAST))
        qualified = team.service_area == "Children's social care"
        manager = new_staff(first, last, qualified)
        spell(
            manager,
            team,
            ("Team manager", "3" if qualified else None, "TM1", qualified, 0),
            start_of_history - timedelta(days=rng.randint(100, 2000)),
            head,
            origin="2",
        )
        managers.append(manager)
    db.session.flush()

    people: list[_Person] = []
    leavers = movers = joiners = 0
    for team, manager, (_, _, _, size) in zip(teams, managers, TEAMS, strict=True):
        posts = {"Early help": EARLY_HELP_POSTS, "Quality and improvement": DEVELOPMENT_POSTS}.get(
            team.service_area, POSTS
        )
        for _ in range(size):
            post = rng.choices(posts, weights=[p[4] for p in posts])[0]
            staff = new_staff(rng.choice(FIRST), rng.choice(LAST), post[3])
            newly_qualified = post[0].startswith("Newly")
            joined_in_window = newly_qualified or rng.random() < 0.3
            if newly_qualified:  # in their first year, so still on the ASYE
                start = today - timedelta(days=rng.randint(14, 340))
            elif joined_in_window:
                start = start_of_history + timedelta(days=rng.randint(0, 3 * 365 - 30))
            else:
                start = start_of_history - timedelta(days=rng.randint(30, 15 * 365))
            joiners += joined_in_window
            contract = rng.choices(
                ["permanent", "fixed_term", "agency", "secondment"], weights=[80, 6, 12, 2]
            )[0]
            hours = rng.choices(
                [Decimal("37"), Decimal("30"), Decimal("22.5"), Decimal("18.5")],
                weights=[75, 10, 10, 5],
            )[0]
            origin = "1" if newly_qualified else rng.choice(["2", "4", "5", "6", "9"])
            current = spell(
                staff, team, post, start, manager, hours=hours, contract=contract, origin=origin
            )
            if staff.date_of_birth > start - timedelta(days=22 * 365):  # adults when they started
                staff.date_of_birth = start - timedelta(days=rng.randint(22 * 365, 40 * 365))
            roll = rng.random()
            latest_possible = today - timedelta(days=5)
            if roll < 0.22 and start < latest_possible - timedelta(days=60) and not newly_qualified:
                low = max(start + timedelta(days=30), start_of_history)
                end = low + timedelta(days=rng.randint(0, max(1, (latest_possible - low).days)))
                current.end_date = end
                current.leaving_reason = _weighted(rng, LEAVING_REASONS)
                current.leaver_destination = _weighted(rng, DESTINATIONS)
                leavers += 1
            elif roll < 0.32 and start < today - timedelta(days=120) and not newly_qualified:
                low = max(start + timedelta(days=60), start_of_history)
                move = low + timedelta(days=rng.randint(0, max(1, (today - low).days - 10)))
                current.end_date = move - timedelta(days=1)
                new_team = rng.choice([t for t in teams[:6] if t is not team]) if post[3] else team
                new_post = POSTS[1] if post[3] else post
                spell(
                    staff,
                    new_team,
                    new_post,
                    move,
                    managers[teams.index(new_team)],
                    hours=hours,
                    contract="permanent" if contract == "agency" else contract,
                )
                movers += 1
            people.append(_Person(staff, team))
    db.session.flush()

    linked = {
        "hr": new_staff("Priya", "Raman", False),
        "ld": new_staff("Tom", "Gallagher", False),
        "leader": director,
        "manager": managers[1],
    }
    spell(
        linked["hr"],
        teams[7],
        ("HR business partner", None, "HR3", False, 0),
        start_of_history - timedelta(days=400),
        managers[7],
        origin="9",
    )
    spell(
        linked["ld"],
        teams[7],
        ("Learning and development officer", None, "LD2", False, 0),
        start_of_history - timedelta(days=300),
        managers[7],
        origin="9",
    )
    practitioner = next(
        p.staff
        for p in people
        if p.team is teams[1]
        and p.staff.qualified_social_worker
        and all(s.end_date is None and s.team_id == teams[1].id for s in p.staff.spells)
    )
    linked["practitioner"] = practitioner
    db.session.flush()

    for local, roles, link in DEMO_ACCOUNTS:
        create_user(
            f"{local}@{DEMO_DOMAIN}", DEMO_PASSWORD, roles, staff=linked.get(link) if link else None
        )
    db.session.flush()
    training = build_training_demo(rng, today)
    capability = build_capability_demo(rng, today)
    supervision = build_supervision_demo(rng, today)
    planning = build_workforce_planning_demo(rng, today)
    asye = build_asye_demo(rng, today)
    performance = build_performance_demo(rng, today)
    total = db.session.scalar(select(func.count()).select_from(Staff))
    return (
        f"Demo authority built: {total} staff in {len(teams)} teams, {joiners} joiners, "
        f"{movers} movers and {leavers} leavers over three years; "
        f"{len(DEMO_ACCOUNTS)} demo accounts (password {DEMO_PASSWORD}); training: {training}; "
        f"capability: {capability}; supervision: {supervision}; workforce planning: {planning}; "
        f"{asye}; {performance}."
    )
