"""Code lists: load them from ``seeds/`` and look them up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from workforce.extensions import db
from workforce.models import CodeEntry

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def load_code_lists(path: Path | None = None) -> dict[str, int]:
    """Insert or update every code in ``seeds/code_lists.yaml``; return counts per list.

    Idempotent: running it twice changes nothing the second time. Codes no longer in the
    file are marked inactive, never deleted, because records may still use them.
    """
    data: dict[str, Any] = yaml.safe_load((path or SEEDS_DIR / "code_lists.yaml").read_text())
    existing = {(e.list_name, e.code): e for e in db.session.scalars(select(CodeEntry))}
    counts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for list_name, spec in data["lists"].items():
        for order, item in enumerate(spec["codes"]):
            key = (list_name, str(item["code"]))
            seen.add(key)
            values = {
                "label": item["label"],
                "group": item.get("group"),
                "sort_order": order,
                "active": True,
            }
            entry = existing.get(key)
            if entry is None:
                db.session.add(CodeEntry(list_name=list_name, code=key[1], **values))
            else:
                for attr, value in values.items():
                    if getattr(entry, attr) != value:
                        setattr(entry, attr, value)
        counts[list_name] = len(spec["codes"])
    for key, entry in existing.items():
        if key not in seen and entry.active:
            entry.active = False
    db.session.flush()
    return counts


def codes(list_name: str, include_inactive: bool = False) -> list[CodeEntry]:
    """The entries of a list, in order."""
    query = select(CodeEntry).where(CodeEntry.list_name == list_name)
    if not include_inactive:
        query = query.where(CodeEntry.active.is_(True))
    return list(db.session.scalars(query.order_by(CodeEntry.sort_order)))


def choices(list_name: str, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select box, with an optional blank first choice."""
    options = [(e.code, e.label) for e in codes(list_name)]
    return ([("", blank)] if blank is not None else []) + options


def labels(list_name: str) -> dict[str, str]:
    """Map code to label for a list, including inactive codes (old records use them)."""
    return {e.code: e.label for e in codes(list_name, include_inactive=True)}
