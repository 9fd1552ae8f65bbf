"""The local clock: session times are stored as UK local time, without a zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def local_now() -> datetime:
    """The time now in Europe/London, naive, to compare with stored session times."""
    return datetime.now(LONDON).replace(tzinfo=None, microsecond=0)
