"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from workforce.metrics.capability import rating_label
from workforce.navigation import navigation_for


def format_date(value: date | datetime | None, empty: str = "Not recorded") -> str:
    """Show a date the GOV.UK way: 5 January 2026."""
    if value is None:
        return empty
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """Show a date and time: 5 January 2026 at 2:05pm (UTC)."""
    if value is None:
        return ""
    hour = value.strftime("%I").lstrip("0")
    return f"{format_date(value)} at {hour}:{value:%M}{value:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def format_number(value: Any, places: int = 0) -> str:
    """Group thousands and round to ``places`` decimals."""
    if value is None:
        return ""
    return f"{Decimal(str(value)):,.{places}f}"


def url_with(**changes: Any) -> str:
    """The current page's address with some query parameters changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "main.home", **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_number, "number")
    app.add_template_global(url_with)
    app.add_template_global(rating_label)

    @app.context_processor
    def inject_navigation() -> dict[str, Any]:
        try:
            user = current_user if current_user and current_user.is_authenticated else None
        except Exception:  # noqa: BLE001  (an error page must render even if loading the user failed)
            app.logger.exception("Could not load the signed-in user for the navigation")
            user = None
        return {
            "navigation": navigation_for(user, request.endpoint or ""),
            "authority_name": app.config["AUTHORITY_NAME"],
            "today": date.today(),
        }
