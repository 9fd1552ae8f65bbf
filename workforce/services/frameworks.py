"""Capability frameworks: load them from YAML (the PCF ships in ``seeds/frameworks``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from workforce.extensions import db
from workforce.models import Framework, FrameworkDomain, FrameworkLevel, FrameworkPathway
from workforce.services.reference import SEEDS_DIR


def _set(obj: Any, **values: Any) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def load_framework(data: dict[str, Any]) -> Framework:
    """Insert or update a framework from its YAML shape (idempotent).

    Domains and levels are matched by name; ones missing from ``data`` are retired, never
    deleted, so assessments and course links that use them keep working.
    """
    framework = db.session.scalar(select(Framework).where(Framework.code == data["code"]))
    if framework is None:
        framework = Framework(code=data["code"], name=data["name"])
        db.session.add(framework)
    _set(
        framework,
        name=data["name"],
        description=data.get("description"),
        source=data.get("source"),
        active=True,
    )
    db.session.flush()
    domains = {d.name: d for d in framework.domains}
    for position, item in enumerate(data.get("domains", []), start=1):
        domain = domains.pop(item["name"], None)
        if domain is None:
            domain = FrameworkDomain(
                framework_id=framework.id, name=item["name"], position=position
            )
            db.session.add(domain)
        _set(
            domain,
            position=position,
            description=item.get("description"),
            former_name=item.get("former_name"),
            retired=False,
        )
    for leftover in domains.values():
        _set(leftover, retired=True)
    levels = {level.name: level for level in framework.levels}
    for position, item in enumerate(data.get("levels", []), start=1):
        level = levels.pop(item["name"], None)
        if level is None:
            level = FrameworkLevel(framework_id=framework.id, name=item["name"], position=position)
            db.session.add(level)
            db.session.flush()
        _set(level, position=position, description=item.get("description"), retired=False)
        pathways = {p.name: p for p in level.pathways}
        for index, name in enumerate(item.get("pathways", []), start=1):
            pathway = pathways.get(name)
            if pathway is None:
                db.session.add(FrameworkPathway(level_id=level.id, name=name, position=index))
            else:
                _set(pathway, position=index)
    for leftover in levels.values():
        _set(leftover, retired=True)
    db.session.flush()
    return framework


def load_shipped_frameworks(folder: Path | None = None) -> list[str]:
    """Load every framework in ``seeds/frameworks``; return their codes."""
    codes = []
    for path in sorted((folder or SEEDS_DIR / "frameworks").glob("*.yaml")):
        codes.append(load_framework(yaml.safe_load(path.read_text())).code)
    return codes


def pcf() -> Framework | None:
    """The Professional Capabilities Framework, if loaded."""
    return db.session.scalar(select(Framework).where(Framework.code == "PCF"))
