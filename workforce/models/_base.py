"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class Timestamped:
    """Adds ``created_at`` and ``updated_at`` columns kept by the ORM."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Audited:
    """Marks a model whose every insert, update and delete is written to the audit trail.

    ``__audit_exclude__`` names columns whose values are never copied into the trail
    (a password hash, for example); a change to them is still recorded, as "changed".
    ``__audit_copies__`` names columns that copy another audited record's values (where the
    change is recorded): they are left out of the trail.
    """

    __audit_exclude__: tuple[str, ...] = ()
    __audit_copies__: tuple[str, ...] = ()
