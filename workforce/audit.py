"""Write every insert, update and delete of an audited model to the audit trail.

A ``after_flush`` listener reads each changed object's attribute history (still available
at that point) and inserts one ``audit_event`` row per object in the same transaction, so
a change and its audit record are committed or rolled back together.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import g, has_app_context, has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from workforce.extensions import db
from workforce.models._base import Audited, utcnow
from workforce.models.audit import AuditEvent

SYSTEM_ACTOR = "system"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Fixed-point always: 60.0000 is "60", never "6E+1".
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value


def current_actor() -> tuple[int | None, str]:
    """Return (user id, label) of whoever is making the change."""
    if has_app_context() and getattr(g, "audit_actor", None):
        return g.audit_actor
    if has_request_context():
        # Read the user Flask-Login has already loaded; asking for current_user here could
        # load it with a query, whose autoflush would call this listener again.
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            return user.id, user.email
        return None, "anonymous"
    return None, SYSTEM_ACTOR


def set_actor(user_id: int | None, label: str) -> None:
    """Name the actor for changes made outside a signed-in request (CLI, imports)."""
    g.audit_actor = (user_id, label)


def _entity_id(obj: Any) -> str:
    identity = inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else ""


def _changes(obj: Audited, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    excluded = set(getattr(obj, "__audit_exclude__", ()))
    skipped = {"created_at", "updated_at", *getattr(obj, "__audit_copies__", ())}
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skipped:
            continue
        history = state.attrs[key].history
        if action == "create":
            value = getattr(obj, key)
            if value is None:
                continue
            before, after = None, value
        elif action == "delete":
            before, after = (history.unchanged or history.deleted or [None])[0], None
        else:
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        if key in excluded:
            changes[key] = ["(hidden)", "(changed)"]
        else:
            changes[key] = [_jsonable(before), _jsonable(after)]
    return changes


def _after_flush(session: Session, flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    actor_id, actor_label = current_actor()
    now = utcnow()
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "at": now,
                    "actor_user_id": actor_id,
                    "actor_label": actor_label,
                    "action": action,
                    "entity_type": type(obj).__name__,
                    "entity_id": _entity_id(obj),
                    "summary": str(obj)[:500],
                    "changes": changes,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def record_event(
    action: str,
    entity_type: str,
    summary: str,
    details: dict[str, Any] | None = None,
    entity_id: str | None = None,
) -> None:
    """Add an event that is not a row change: an export, an import, a sign-in."""
    actor_id, actor_label = current_actor()
    db.session.add(
        AuditEvent(
            actor_user_id=actor_id,
            actor_label=actor_label,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            summary=summary[:500],
            changes=details,
        )
    )


def init_app() -> None:
    """Listen to every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
