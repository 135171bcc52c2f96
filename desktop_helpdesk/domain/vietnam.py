"""Vietnam as the desk sees it: its time zone and the desk's calendar day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM_ZONE_NAME = "Asia/Ho_Chi_Minh"
VIETNAM = ZoneInfo(VIETNAM_ZONE_NAME)


def desk_today(now: datetime) -> date:
    """The desk's calendar day in Hà Nội at the aware moment `now`."""
    return now.astimezone(VIETNAM).date()
