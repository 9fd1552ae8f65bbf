"""Supervision policies as data: adding and changing them, describing them in words, and
how many people in post each applies to.

A policy matches posts like a role profile (post title, census organisational role and
grade, the most specific first; none of them is the default), or applies to people in
their ASYE ahead of any other. Its stages say how often sessions are expected from a
number of weeks after the anchor (``workforce.metrics.supervision``).

Rules checked here, each refused with a message naming the field:

- a name, unique (ignoring case);
- at most one active policy for people in their ASYE, and it sets no post criteria (it
  applies to everyone in their ASYE, whatever their post);
- no two active policies with exactly the same criteria (post titles compared ignoring
  case);
- a minimum duration of 1 to 480 minutes;
- at least one stage; the first from week 0; starting weeks increasing (so unique);
  every stage one session every 1 or more weeks or months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from workforce.extensions import db
from workforce.models import EmploymentSpell
from workforce.models.people import spell_in_force
from workforce.models.supervision import (
    INTERVAL_UNITS,
    SupervisionPolicy,
    SupervisionPolicyStage,
)
from workforce.services import ServiceError
from workforce.services.reference import labels
from workforce.services.supervision import PolicyMatcher, active_policies

#: The longest minimum duration a policy may set (8 hours, as for a session).
MAX_MINUTES = 480
#: Bounds that keep a stage meaningful (ten years; a session at least once a year).
MAX_FROM_WEEK = 520
MAX_EVERY = {"week": 52, "month": 12}


@dataclass(frozen=True)
class StageInput:
    """One stage row of the form (all blank: the row is ignored)."""

    from_week: int | None = None
    every: int | None = None
    unit: str | None = None

    @property
    def blank(self) -> bool:
        """Whether nothing was entered in the row."""
        return self.from_week is None and self.every is None and not self.unit


@dataclass(frozen=True)
class PolicyDetails:
    """What the policy form gives."""

    name: str | None
    post_title: str | None = None
    org_role: str | None = None
    grade: str | None = None
    applies_to_asye: bool = False
    min_minutes: int | None = 90
    active: bool = True
    stages: Sequence[StageInput] = field(default_factory=tuple)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _criteria_key(
    post_title: str | None, org_role: str | None, grade: str | None
) -> tuple[str | None, str | None, str | None]:
    return (post_title.casefold() if post_title else None, org_role, grade)


def _check_stages(rows: Sequence[StageInput]) -> list[tuple[int, int, str]]:
    """The stages entered, checked, as (from_week, every, unit); blank rows are skipped."""
    stages: list[tuple[int, int, str]] = []
    for number, row in enumerate(rows, start=1):
        if row.blank:
            continue
        which = f"Stage {number}"
        if row.from_week is None:
            raise ServiceError(
                f"{which}: enter the week it starts from (0 for the start)",
                f"stage_{number}_from_week",
            )
        if not 0 <= row.from_week <= MAX_FROM_WEEK:
            raise ServiceError(
                f"{which}: the starting week must be between 0 and {MAX_FROM_WEEK}",
                f"stage_{number}_from_week",
            )
        if row.every is None:
            raise ServiceError(
                f"{which}: enter how often a session is expected, like 1 for every month",
                f"stage_{number}_every",
            )
        if row.unit not in INTERVAL_UNITS:
            raise ServiceError(f"{which}: choose weeks or months", f"stage_{number}_unit")
        if not 1 <= row.every <= MAX_EVERY[row.unit]:
            raise ServiceError(
                f"{which}: a session every 1 to {MAX_EVERY[row.unit]} {row.unit}s",
                f"stage_{number}_every",
            )
        if not stages and row.from_week != 0:
            raise ServiceError(
                f"{which}: the first stage must start at week 0, the start of the post",
                f"stage_{number}_from_week",
            )
        if stages and row.from_week <= stages[-1][0]:
            raise ServiceError(
                f"{which}: each stage must start after the one before it "
                f"(week {row.from_week} is not after week {stages[-1][0]})",
                f"stage_{number}_from_week",
            )
        stages.append((row.from_week, row.every, row.unit))
    if not stages:
        raise ServiceError(
            "Enter at least one stage: from week 0, one session every so many weeks or months",
            "stage_1_from_week",
        )
    return stages


def save_policy(policy: SupervisionPolicy | None, details: PolicyDetails) -> SupervisionPolicy:
    """Create (``policy`` None) or change a policy after checking everything."""
    name = _clean(details.name)
    if not name:
        raise ServiceError("Enter a name for the policy", "name")
    if len(name) > 150:
        raise ServiceError("The name must be 150 characters or fewer", "name")
    post_title, grade = _clean(details.post_title), _clean(details.grade)
    org_role = _clean(details.org_role)
    if post_title and len(post_title) > 150:
        raise ServiceError("The post title must be 150 characters or fewer", "post_title")
    if grade and len(grade) > 30:
        raise ServiceError("The grade must be 30 characters or fewer", "grade")
    if org_role is not None and org_role not in labels("org_role"):
        raise ServiceError("Choose an organisational role from the census list", "org_role")
    own_id = policy.id if policy is not None else None
    same_name = select(SupervisionPolicy.name).where(
        func.lower(SupervisionPolicy.name) == name.lower()
    )
    if own_id is not None:
        same_name = same_name.where(SupervisionPolicy.id != own_id)
    clash = db.session.scalar(same_name)
    if clash is not None:
        raise ServiceError(f"There is already a policy called {clash}", "name")
    if details.applies_to_asye and (post_title or org_role or grade):
        raise ServiceError(
            "A policy for people in their ASYE applies to everyone in their ASYE, whatever "
            "their post: leave the post title, role and grade blank",
            "applies_to_asye",
        )
    if details.min_minutes is None:
        raise ServiceError("Enter the minimum length of a session, in minutes", "min_minutes")
    if not 1 <= details.min_minutes <= MAX_MINUTES:
        raise ServiceError(
            f"The minimum length must be between 1 and {MAX_MINUTES} minutes (8 hours)",
            "min_minutes",
        )
    stages = _check_stages(details.stages)
    if details.active:
        others = [p for p in active_policies() if p.id != own_id]
        if details.applies_to_asye:
            asye = next((p for p in others if p.applies_to_asye), None)
            if asye is not None:
                raise ServiceError(
                    f"The policy {asye.name} already applies to people in their ASYE; only "
                    "one may be in use: change that one, or take it out of use first",
                    "applies_to_asye",
                )
        else:
            key = _criteria_key(post_title, org_role, grade)
            same = next(
                (
                    p
                    for p in others
                    if not p.applies_to_asye
                    and _criteria_key(p.post_title, p.org_role, p.grade) == key
                ),
                None,
            )
            if same is not None:
                what = (
                    "is already the default"
                    if key == (None, None, None)
                    else ("already matches exactly these posts")
                )
                raise ServiceError(
                    f"The policy {same.name} {what}: change that one, or take it out of use first",
                    "post_title",
                )
    if policy is None:
        policy = SupervisionPolicy()
        db.session.add(policy)
    policy.name = name
    policy.post_title, policy.org_role, policy.grade = post_title, org_role, grade
    policy.applies_to_asye = details.applies_to_asye
    policy.min_minutes = details.min_minutes
    policy.active = details.active
    current = [(s.from_week, s.every, s.unit) for s in policy.stages]
    if current != stages:
        if policy.stages:
            # Remove the old stages first: a new stage may reuse a starting week.
            policy.stages.clear()
            db.session.flush()
        policy.stages = [SupervisionPolicyStage(from_week=w, every=e, unit=u) for w, e, u in stages]
    db.session.flush()
    return policy


# --- describing ----------------------------------------------------------------------------


def describe_interval(every: int, unit: str) -> str:
    """'weekly', 'fortnightly', 'monthly', 'every 3 weeks', 'every 2 months'."""
    if every == 1:
        return "weekly" if unit == "week" else "monthly"
    if every == 2 and unit == "week":
        return "fortnightly"
    return f"every {every} {unit}s"


def describe_stages(stages: Sequence[SupervisionPolicyStage]) -> str:
    """The stages in words: 'weekly from the start; fortnightly from week 6; monthly from
    week 26'."""
    return "; ".join(
        f"{describe_interval(s.every, s.unit)} "
        f"{'from the start' if s.from_week == 0 else f'from week {s.from_week}'}"
        for s in stages
    )


def describe_criteria(policy: SupervisionPolicy, org_roles: dict[str, str]) -> str:
    """Who the policy is for, in words."""
    if policy.applies_to_asye:
        return "People in their ASYE (their first year as a newly qualified social worker)"
    parts = []
    if policy.post_title:
        parts.append(f"post title “{policy.post_title}”")
    if policy.org_role:
        parts.append(f"role {org_roles.get(policy.org_role, policy.org_role)}")
    if policy.grade:
        parts.append(f"grade {policy.grade}")
    return ", ".join(parts) if parts else "The default: anyone no other policy matches"


# --- coverage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyUse:
    """How many people in post a policy applies to on a day."""

    policy: SupervisionPolicy
    people: int


def policy_coverage(on: date) -> tuple[list[PolicyUse], int]:
    """People in post on ``on`` per active policy, and how many match none; three queries
    (policies, their stages, spells in force) whatever the number of people."""
    policies = active_policies()
    matcher = PolicyMatcher(policies)
    rows = db.session.execute(
        select(
            EmploymentSpell.staff_id,
            EmploymentSpell.post_title,
            EmploymentSpell.org_role,
            EmploymentSpell.grade,
            EmploymentSpell.start_origin,
            EmploymentSpell.start_date,
        )
        .where(spell_in_force(EmploymentSpell, on))
        .order_by(EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.id)
    ).all()
    latest: dict[int, Any] = {}
    for row in rows:  # the latest started spell in force wins, as in Staff.spell_on
        latest[row.staff_id] = row
    counts: dict[int, int] = defaultdict(int)
    unmatched = 0
    for row in latest.values():
        choice = matcher.choose(
            post_title=row.post_title,
            org_role=row.org_role,
            grade=row.grade,
            start_origin=row.start_origin,
            spell_start=row.start_date,
            first_start=row.start_date,  # the anchor does not change which policy applies
            on=on,
        )
        if choice is None:
            unmatched += 1
        else:
            counts[choice.policy.id] += 1
    return [PolicyUse(p, counts[p.id]) for p in policies], unmatched


def inactive_policies() -> list[SupervisionPolicy]:
    """Policies out of use, by name."""
    return list(
        db.session.scalars(
            select(SupervisionPolicy)
            .where(SupervisionPolicy.active.is_(False))
            .order_by(SupervisionPolicy.name)
        )
    )
