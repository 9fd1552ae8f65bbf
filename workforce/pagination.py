"""Paginate any SELECT (including multi-column rows) and describe it for govukPagination."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from workforce.extensions import db
from workforce.templating import url_with


@dataclass
class Page:
    """One page of rows and where it sits in the whole."""

    rows: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        """1-based position of the first row shown."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        """1-based position of the last row shown."""
        return min(self.page * self.per_page, self.total)

    def govuk_params(self) -> dict[str, Any] | None:
        """Parameters for the govukPagination macro; None when one page holds everything."""
        if self.pages <= 1:
            return None
        items: list[dict[str, Any]] = []
        last_shown = 0
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.page) <= 2:
                if last_shown and number - last_shown > 1:
                    items.append({"ellipsis": True})
                items.append(
                    {
                        "number": number,
                        "href": url_with(page=number),
                        "current": number == self.page,
                    }
                )
                last_shown = number
        params: dict[str, Any] = {"items": items, "landmarkLabel": "Pages"}
        if self.page > 1:
            params["previous"] = {"href": url_with(page=self.page - 1)}
        if self.page < self.pages:
            params["next"] = {"href": url_with(page=self.page + 1)}
        return params


def paginate(query: Select[Any], page: int, per_page: int) -> Page:
    """Run ``query`` for one page; a page past the end shows the last page."""
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows=list(rows), page=page, per_page=per_page, total=total)


def paginate_list(items: list[Any], page: int | None = None, per_page: int | None = None) -> Page:
    """One page of an already computed list (page and size from the request by default)."""
    from flask import current_app, request

    per_page = per_page or current_app.config["PAGE_SIZE"]
    if page is None:
        page = request.args.get("page", 1, type=int) or 1
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Page(
        rows=items[start : start + per_page], page=page, per_page=per_page, total=len(items)
    )
