"""The training programme's configurable lists: strategic priorities and practice models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from workforce.extensions import db
from workforce.models import PracticeModel, StrategicPriority
from workforce.services.reference import SEEDS_DIR


def load_training_lists(path: Path | None = None) -> dict[str, int]:
    """Add the shipped priorities and practice models that are missing (idempotent).

    Existing entries are left as officers edited them; nothing is deleted.
    """
    data: dict[str, Any] = yaml.safe_load((path or SEEDS_DIR / "training.yaml").read_text())
    priorities = {(p.source, p.name) for p in db.session.scalars(select(StrategicPriority))}
    added_priorities = 0
    for group in data["strategic_priorities"]:
        for position, item in enumerate(group["items"], start=1):
            if (group["source"], item["name"]) not in priorities:
                db.session.add(
                    StrategicPriority(
                        source=group["source"],
                        name=item["name"],
                        position=position,
                        description=item.get("description"),
                        active=True,
                    )
                )
                added_priorities += 1
    models = {m.name for m in db.session.scalars(select(PracticeModel))}
    added_models = 0
    for item in data["practice_models"]:
        if item["name"] not in models:
            db.session.add(
                PracticeModel(name=item["name"], description=item.get("description"), active=True)
            )
            added_models += 1
    db.session.flush()
    return {"strategic priorities": added_priorities, "practice models": added_models}
