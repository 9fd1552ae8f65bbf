"""Capability frameworks: load them from YAML (the PCF ships in ``seeds/frameworks``), and
every change an administrator makes to one in the interface.

Domains and levels are retired, never deleted, so assessments and course links that use
them keep working. A pathway may be removed only while no assessment or role profile uses
it. A descriptor is what a domain looks like at a level; blank text removes it. Files in
and out (YAML and CSV) are in :mod:`workforce.services.framework_io`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from workforce.extensions import db
from workforce.models import (
    AssessmentRating,
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
    FrameworkLevel,
    FrameworkPathway,
    RoleProfile,
)
from workforce.models.capability import Assessment
from workforce.models.training import course_domain
from workforce.services import ServiceError
from workforce.services.framework_io import (
    NAME_MAX,
    TEXT_MAX,
    apply_framework,
    clean_text,
    code_problem,
    pathway_uses,
    spec_from_data,
)
from workforce.services.reference import SEEDS_DIR

#: A domain or a level: they are ordered, named, described and retired alike.
Item = FrameworkDomain | FrameworkLevel
KINDS: dict[str, type[FrameworkDomain] | type[FrameworkLevel]] = {
    "domain": FrameworkDomain,
    "level": FrameworkLevel,
}


def load_framework(data: dict[str, Any]) -> Framework:
    """Insert or update a framework from its YAML shape (idempotent).

    Domains and levels are matched by name; ones missing from ``data`` are retired, never
    deleted, so assessments and course links that use them keep working. Pathways missing
    from a level are removed unless in use (then ServiceError). Descriptors are replaced
    only when ``data`` has a ``descriptors`` list. See :mod:`framework_io` for the shape.
    """
    return apply_framework(spec_from_data(data))


def load_shipped_frameworks(folder: Path | None = None) -> list[str]:
    """Load every framework in ``seeds/frameworks``; return their codes."""
    codes = []
    for path in sorted((folder or SEEDS_DIR / "frameworks").glob("*.yaml")):
        codes.append(load_framework(yaml.safe_load(path.read_text())).code)
    return codes


@cache
def shipped_codes() -> frozenset[str]:
    """The codes of the frameworks shipped in ``seeds/frameworks``."""
    return frozenset(
        str(yaml.safe_load(path.read_text())["code"])
        for path in (SEEDS_DIR / "frameworks").glob("*.yaml")
    )


def pcf() -> Framework | None:
    """The Professional Capabilities Framework, if loaded."""
    return db.session.scalar(select(Framework).where(Framework.code == "PCF"))


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkSummary:
    """A framework with the number of its domains and levels in use."""

    framework: Framework
    domains: int
    levels: int


def framework_summaries() -> list[FrameworkSummary]:
    """Every framework, active ones first, by name, with counts of active domains and levels."""
    domains = (
        select(FrameworkDomain.framework_id, func.count().label("n"))
        .where(FrameworkDomain.retired.is_(False))
        .group_by(FrameworkDomain.framework_id)
        .subquery()
    )
    levels = (
        select(FrameworkLevel.framework_id, func.count().label("n"))
        .where(FrameworkLevel.retired.is_(False))
        .group_by(FrameworkLevel.framework_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Framework, func.coalesce(domains.c.n, 0), func.coalesce(levels.c.n, 0))
        .outerjoin(domains, domains.c.framework_id == Framework.id)
        .outerjoin(levels, levels.c.framework_id == Framework.id)
        .order_by(Framework.active.desc(), Framework.name, Framework.code)
    ).all()
    return [FrameworkSummary(f, int(d), int(n)) for f, d, n in rows]


def descriptors_of(framework: Framework) -> dict[tuple[int, int], FrameworkDescriptor]:
    """The framework's descriptors by (domain id, level id)."""
    rows = db.session.scalars(
        select(FrameworkDescriptor)
        .join(FrameworkDomain, FrameworkDescriptor.domain_id == FrameworkDomain.id)
        .where(FrameworkDomain.framework_id == framework.id)
    ).all()
    return {(d.domain_id, d.level_id): d for d in rows}


def ordered(items: list[Any], retired: bool) -> list[Any]:
    """Items (domains, levels) that are or are not retired, in order."""
    return sorted(
        (item for item in items if bool(item.retired) == retired),
        key=lambda item: (item.position, item.id),
    )


@dataclass(frozen=True)
class ItemUse:
    """What uses a domain or level: ratings or assessments, course links, role profiles."""

    assessments: int = 0
    courses: int = 0
    profiles: int = 0


def item_use(item: Item) -> ItemUse:
    """How much a domain or level is used, shown before retiring it."""
    if isinstance(item, FrameworkDomain):
        ratings = db.session.scalar(
            select(func.count(func.distinct(AssessmentRating.assessment_id))).where(
                AssessmentRating.domain_id == item.id
            )
        )
        courses = db.session.scalar(
            select(func.count())
            .select_from(course_domain)
            .where(course_domain.c.domain_id == item.id)
        )
        return ItemUse(assessments=int(ratings or 0), courses=int(courses or 0))
    assessments = db.session.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.level_id == item.id)
    )
    profiles = db.session.scalar(
        select(func.count()).select_from(RoleProfile).where(RoleProfile.level_id == item.id)
    )
    return ItemUse(assessments=int(assessments or 0), profiles=int(profiles or 0))


# --- frameworks ----------------------------------------------------------------------------


def _name(value: str | None, what: str, field: str = "name") -> str:
    name = clean_text(value)
    if not name:
        raise ServiceError(f"Enter {what}", field)
    if len(name) > NAME_MAX:
        raise ServiceError(
            f"{what[0].upper()}{what[1:]} must be {NAME_MAX} characters or fewer", field
        )
    return name


def _text(value: str | None, field: str) -> str | None:
    text = clean_text(value)
    if text and len(text) > TEXT_MAX:
        raise ServiceError(f"Keep this to {TEXT_MAX:,} characters or fewer", field)
    return text


def save_framework(
    framework: Framework | None,
    *,
    code: str | None,
    name: str | None,
    description: str | None = None,
    source: str | None = None,
    active: bool = True,
) -> Framework:
    """Add a framework (``framework`` None) or change one; ServiceError if refused."""
    code = (code or "").strip()
    problem = code_problem(code)
    if problem:
        raise ServiceError(problem, "code")
    clash = db.session.scalar(
        select(Framework).where(
            func.lower(Framework.code) == code.lower(),
            Framework.id != (framework.id if framework is not None else -1),
        )
    )
    if clash is not None:
        raise ServiceError(f"A framework with code {clash.code} already exists", "code")
    if framework is not None and code != framework.code and framework.code in shipped_codes():
        raise ServiceError(
            f"{framework.code} is shipped with Workforce and loaded by its code, so its code "
            "cannot change",
            "code",
        )
    values = {
        "code": code,
        "name": _name(name, "a name"),
        "description": _text(description, "description"),
        "source": _text(source, "source"),
        "active": bool(active),
    }
    if framework is None:
        framework = Framework(**values)
        db.session.add(framework)
    else:
        for key, value in values.items():
            if getattr(framework, key) != value:
                setattr(framework, key, value)
    db.session.flush()
    return framework


# --- domains and levels --------------------------------------------------------------------


def _siblings(framework: Framework, kind: str) -> list[Any]:
    return list(framework.domains if kind == "domain" else framework.levels)


def kind_of(item: Item) -> str:
    """'domain' or 'level'."""
    return "domain" if isinstance(item, FrameworkDomain) else "level"


def _unique_name(framework: Framework, kind: str, name: str, item: Item | None) -> None:
    for other in _siblings(framework, kind):
        if other is not item and other.name.casefold() == name.casefold():
            hint = " (it is retired: reinstate it instead)" if other.retired else ""
            raise ServiceError(
                f"This framework already has a {kind} called {other.name}{hint}", "name"
            )


def save_item(
    framework: Framework,
    kind: str,
    item: Item | None,
    *,
    name: str | None,
    description: str | None = None,
    former_name: str | None = None,
) -> Item:
    """Add a domain or level at the end (``item`` None), or change one."""
    name = _name(name, "a name")
    _unique_name(framework, kind, name, item)
    values: dict[str, Any] = {"name": name, "description": _text(description, "description")}
    if kind == "domain":
        former = clean_text(former_name)
        if former and len(former) > NAME_MAX:
            raise ServiceError(f"Former name must be {NAME_MAX} characters or fewer", "former_name")
        values["former_name"] = former
    if item is None:
        position = max((s.position for s in _siblings(framework, kind)), default=0) + 1
        item = KINDS[kind](framework=framework, position=position, retired=False, **values)
        db.session.add(item)
    else:
        for key, value in values.items():
            if getattr(item, key) != value:
                setattr(item, key, value)
    db.session.flush()
    return item


def move_item(item: Item, direction: str) -> bool:
    """Swap a domain or level with the next one in use above ('up') or below ('down');
    False when it is already first or last."""
    if direction not in ("up", "down"):
        raise ServiceError("Move a domain or level up or down")
    if item.retired:
        raise ServiceError(f"Reinstate this {kind_of(item)} before moving it")
    in_use = ordered(_siblings(item.framework, kind_of(item)), retired=False)
    index = in_use.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(in_use):
        return False
    other = in_use[other_index]
    if item.position == other.position:  # positions should differ; make them so
        for position, each in enumerate(
            ordered(_siblings(item.framework, kind_of(item)), False), 1
        ):
            each.position = position
    item.position, other.position = other.position, item.position
    db.session.flush()
    return True


def set_retired(item: Item, retired: bool) -> None:
    """Retire a domain or level (kept, with everything that uses it), or reinstate it."""
    if item.retired != retired:
        item.retired = retired
        db.session.flush()


# --- pathways ------------------------------------------------------------------------------


def save_pathway(
    level: FrameworkLevel, pathway: FrameworkPathway | None, name: str | None
) -> FrameworkPathway:
    """Add a pathway at the end of a level (``pathway`` None), or rename one."""
    name = _name(name, "a name")
    for other in level.pathways:
        if other is not pathway and other.name.casefold() == name.casefold():
            raise ServiceError(f"{level.name} already has a pathway called {other.name}", "name")
    if pathway is None:
        position = max((p.position for p in level.pathways), default=0) + 1
        pathway = FrameworkPathway(level=level, name=name, position=position)
        db.session.add(pathway)
    elif pathway.name != name:
        pathway.name = name
    db.session.flush()
    return pathway


def remove_pathway(pathway: FrameworkPathway) -> None:
    """Delete a pathway no assessment or role profile uses; ServiceError if one does."""
    uses = pathway_uses(pathway.id)
    if uses:
        raise ServiceError(
            f"The pathway {pathway.name} is used by {uses} assessment(s) or role profile(s), "
            "so it cannot be removed. Rename it instead."
        )
    level = pathway.level
    db.session.delete(pathway)
    db.session.flush()
    db.session.expire(level, ["pathways"])
    for position, each in enumerate(sorted(level.pathways, key=lambda p: (p.position, p.id)), 1):
        if each.position != position:
            each.position = position
    db.session.flush()


# --- descriptors ---------------------------------------------------------------------------


def set_descriptor(
    domain: FrameworkDomain, level: FrameworkLevel, text: str | None
) -> FrameworkDescriptor | None:
    """Set what ``domain`` looks like at ``level``; blank text removes the descriptor."""
    if domain.framework_id != level.framework_id:
        raise ServiceError("The domain and level belong to different frameworks")
    text = _text(text, "text")
    current = db.session.scalar(
        select(FrameworkDescriptor).where(
            FrameworkDescriptor.domain_id == domain.id, FrameworkDescriptor.level_id == level.id
        )
    )
    if not text:
        if current is not None:
            db.session.delete(current)
            db.session.flush()
        return None
    if current is None:
        current = FrameworkDescriptor(domain=domain, level=level, text=text)
        db.session.add(current)
    elif current.text != text:
        current.text = text
    db.session.flush()
    return current
