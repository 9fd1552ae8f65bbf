"""Code lists loaded from ``seeds/`` (census codes, tiers of need and the like)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workforce.extensions import db


class CodeEntry(db.Model):
    """One code in a named list, such as census organisational role 5, "Case holder"."""

    __tablename__ = "code_entry"
    __table_args__ = (UniqueConstraint("list_name", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(60), index=True)
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    group: Mapped[str | None] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<CodeEntry {self.list_name}:{self.code} {self.label!r}>"
