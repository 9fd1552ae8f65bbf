"""Builders for hand-made test data: short calls with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from workforce.extensions import db
from workforce.models import (
    EmploymentSpell,
    Framework,
    FrameworkDomain,
    FrameworkLevel,
    RoleProfile,
    Staff,
    Team,
    User,
)

PASSWORD = "correct horse battery staple"  # noqa: S105
_numbers = itertools.count(1)


def load_reference() -> None:
    """Load the code lists and commit."""
    from workforce.services.frameworks import load_shipped_frameworks
    from workforce.services.reference import load_code_lists
    from workforce.services.training_lists import load_training_lists

    load_code_lists()
    load_shipped_frameworks()
    load_training_lists()
    db.session.commit()


def make_team(name: str | None = None, **values: Any) -> Team:
    """A team (committed)."""
    team = Team(
        name=name or f"Team {next(_numbers)}",
        service_area=values.pop("service_area", "Children's social care"),
        tier_of_need=values.pop("tier_of_need", "complex"),
        active=values.pop("active", True),
        **values,
    )
    db.session.add(team)
    db.session.commit()
    return team


def make_staff(
    team: Team | None = None,
    *,
    start: date = date(2020, 1, 6),
    end: date | None = None,
    manager: Staff | None = None,
    hours: str = "37",
    contract: str = "permanent",
    org_role: str | None = "5",
    leaving_reason: str | None = None,
    **values: Any,
) -> Staff:
    """A person with one spell in ``team`` (committed)."""
    n = next(_numbers)
    team = team or make_team()
    staff = Staff(
        staff_number=values.pop("staff_number", f"T{n:05d}"),
        first_name=values.pop("first_name", f"First{n}"),
        last_name=values.pop("last_name", f"Last{n}"),
        work_email=values.pop("work_email", f"person{n}@example.org"),
        **values,
    )
    db.session.add(staff)
    db.session.flush()
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title="Social worker",
            org_role=org_role,
            grade="SW2",
            contracted_hours=Decimal(hours),
            standard_hours=Decimal("37"),
            contract_type=contract,
            team_id=team.id,
            line_manager_id=manager.id if manager else None,
            start_date=start,
            end_date=end,
            leaving_reason=leaving_reason,
        )
    )
    db.session.commit()
    return staff


def make_user(*roles: str, staff: Staff | None = None, email: str | None = None) -> User:
    """An active account holding ``roles`` with the test password (committed)."""
    from workforce.services.accounts import create_user

    user = create_user(
        email or f"user{next(_numbers)}@example.org",
        PASSWORD,
        roles or ("practitioner",),
        staff=staff,
    )
    db.session.commit()
    return user


def make_framework(
    code: str | None = None,
    *,
    domains: tuple[str, ...] = ("Practice", "Partnership", "Leadership"),
    levels: tuple[str, ...] = ("Does not supervise", "Supervises others"),
) -> Framework:
    """A framework of our own (committed); tests never change the shipped ones."""
    framework = Framework(code=code or f"TEST{next(_numbers)}", name="Test capabilities")
    framework.domains = [
        FrameworkDomain(name=name, position=position)
        for position, name in enumerate(domains, start=1)
    ]
    framework.levels = [
        FrameworkLevel(name=name, position=position)
        for position, name in enumerate(levels, start=1)
    ]
    db.session.add(framework)
    db.session.commit()
    return framework


def make_profile(
    level: FrameworkLevel, name: str | None = None, *, pathway: Any = None, **criteria: Any
) -> RoleProfile:
    """A role profile expecting ``level`` of posts matching ``criteria`` (committed)."""
    profile = RoleProfile(
        name=name or f"Profile {next(_numbers)}",
        framework_id=level.framework_id,
        level_id=level.id,
        pathway_id=pathway.id if pathway is not None else None,
        post_title=criteria.pop("post_title", None),
        org_role=criteria.pop("org_role", None),
        grade=criteria.pop("grade", None),
        active=criteria.pop("active", True),
    )
    assert not criteria, criteria
    db.session.add(profile)
    db.session.commit()
    return profile


def load_supervision_policies() -> None:
    """The shipped supervision policies (monthly for everyone; the ASYE schedule), committed."""
    from workforce.services.supervision import load_default_policies

    load_default_policies()
    db.session.commit()


def load_caseload_defaults() -> None:
    """The shipped case types and default weighting scheme, committed."""
    from workforce.services.caseloads import load_caseload_defaults as load

    load()
    db.session.commit()


def load_performance() -> dict[str, int]:
    """The shipped performance measures, evaluation model and scorecards, committed (their
    tables are not reference tables: every test that needs them loads them)."""
    from workforce.services.performance_seed import load_performance_seeds

    added = load_performance_seeds()
    db.session.commit()
    return added
