"""Date ranges and exchange sessions shared by the demo datasets."""

from __future__ import annotations

from datetime import date
from enum import Enum
from functools import lru_cache

import exchange_calendars as xcals  # type: ignore[import-untyped]
import pandas as pd  # type: ignore[import-untyped]


class Size(Enum):
    """`full`: 1996-01 to 2012-12 (the demo backtest from 2000-01-01); `small`: 1996-01 to 2003-12 (tests, notebook)."""

    FULL = "full"
    SMALL = "small"

    @property
    def first_day(self) -> date:
        return date(1996, 1, 1)

    @property
    def last_day(self) -> date:
        return date(2012, 12, 31) if self is Size.FULL else date(2003, 12, 31)


@lru_cache(maxsize=32)
def sessions(exchange: str, first_day: date, last_day: date) -> pd.DatetimeIndex:
    """Trading days of an exchange_calendars calendar (e.g. "XNYS") between the two days, inclusive."""
    calendar = xcals.get_calendar(exchange, start=first_day.isoformat(), end=last_day.isoformat())
    return calendar.sessions


@lru_cache(maxsize=4)
def nyse_schedule(first_day: date, last_day: date) -> pd.DataFrame:
    """NYSE sessions with their open and close in New York time (early closes included)."""
    calendar = xcals.get_calendar("XNYS", start=first_day.isoformat(), end=last_day.isoformat())
    schedule = calendar.schedule[["open", "close"]]
    return schedule.apply(lambda column: column.dt.tz_convert("America/New_York"))
