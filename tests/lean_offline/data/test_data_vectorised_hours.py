"""The readers' vectorised market-hours checks agree with SecurityExchangeHours' scalar answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lean_offline.data.market_hours import (
    MarketHoursSegment,
    MarketHoursState,
    SecurityExchangeHours,
    nyse_fallback_hours,
)
from lean_offline.data.readers import _open_mask, convert_naive, convert_naive_scalar

NYSE = nyse_fallback_hours(2012, 2014)
MINUTES = st.integers(0, 3 * 366 * 24 * 60 - 1)
LENGTHS = st.sampled_from([0, 1, 30, 60, 390, 24 * 60, 3 * 24 * 60])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(MINUTES, LENGTHS), min_size=1, max_size=40), st.booleans())
def test_open_mask_matches_is_open_between(bars: list[tuple[int, int]], extended: bool) -> None:
    origin = datetime(2012, 1, 1)
    starts = [origin + timedelta(minutes=start) for start, _ in bars]
    ends = [start + timedelta(minutes=length) for start, (_, length) in zip(starts, bars, strict=True)]
    mask = _open_mask(NYSE, np.array(starts, dtype="datetime64[ns]"), np.array(ends, dtype="datetime64[ns]"),
                      extended)
    expected = [NYSE.is_open_between(start, end, extended) for start, end in zip(starts, ends, strict=True)]
    assert mask.tolist() == expected


def test_open_mask_on_known_bars() -> None:
    starts = [datetime(2013, 11, 29, 12, 59), datetime(2013, 11, 29, 13), datetime(2013, 11, 28, 10),
              datetime(2013, 10, 8, 9, 0), datetime(2013, 10, 8, 16, 0)]
    ends = [start + timedelta(minutes=1) for start in starts[:3]] + [datetime(2013, 10, 8, 10),
                                                                      datetime(2013, 10, 8, 17)]
    mask = _open_mask(NYSE, np.array(starts, dtype="datetime64[ns]"), np.array(ends, dtype="datetime64[ns]"), False)
    # open before the 13:00 early close, closed after it, closed on Thanksgiving, 09:00-10:00 overlaps the open,
    # 16:00-17:00 is after the close
    assert mask.tolist() == [True, False, False, True, False]
    assert date(2013, 11, 28) in NYSE.holidays


@settings(max_examples=40, deadline=None)
@given(st.lists(st.datetimes(datetime(2019, 1, 1), datetime(2021, 12, 31)), min_size=1, max_size=30),
       st.sampled_from([("America/New_York", "UTC"), ("UTC", "America/New_York"), ("America/Chicago", "UTC")]))
@example([datetime(2019, 1, 1), datetime(2019, 11, 3, 1, 0, fold=1)], ("America/New_York", "UTC"))
def test_vector_and_scalar_time_zone_conversions_agree(moments: list[datetime], zones: tuple[str, str]) -> None:
    """Both resolve ambiguous times to the earlier instant and move skipped times forward by the gap."""
    source, target = ZoneInfo(zones[0]), ZoneInfo(zones[1])
    moments = [moment.replace(microsecond=0) for moment in moments]
    vector = convert_naive(np.array(moments, dtype="datetime64[ns]"), source, target)
    assert vector.astype("datetime64[us]").tolist() == [convert_naive_scalar(m, source, target) for m in moments]


def test_skipped_and_repeated_new_york_times() -> None:
    new_york, utc = ZoneInfo("America/New_York"), ZoneInfo("UTC")
    # 2020-03-08 02:30 does not exist in New York: NodaTime's lenient resolver reads it as 03:30 EDT
    assert convert_naive_scalar(datetime(2020, 3, 8, 2, 30), new_york, utc) == datetime(2020, 3, 8, 7, 30)
    # 2020-11-01 01:30 happens twice: the earlier (EDT) instant
    assert convert_naive_scalar(datetime(2020, 11, 1, 1, 30), new_york, utc) == datetime(2020, 11, 1, 5, 30)
    vector = convert_naive(np.array([datetime(2020, 3, 8, 2, 30), datetime(2020, 11, 1, 1, 30)],
                                    dtype="datetime64[ns]"), new_york, utc)
    assert vector.astype("datetime64[us]").tolist() == [datetime(2020, 3, 8, 7, 30), datetime(2020, 11, 1, 5, 30)]


def _brute_force_next_transition(start: datetime, extended: bool, to_open: bool) -> datetime:
    """Scan minute by minute for the first moment after `start` where openness switches on (or off)."""
    moment = start.replace(second=0, microsecond=0)
    previous = NYSE.is_open(moment, extended)
    while True:
        moment += timedelta(minutes=1)
        now_open = NYSE.is_open(moment, extended)
        if now_open != previous and now_open == to_open and moment > start:
            return moment
        previous = now_open


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 700 * 24 * 60), st.booleans())
def test_next_open_and_close_match_a_minute_scan(minutes: int, extended: bool) -> None:
    moment = datetime(2012, 3, 1) + timedelta(minutes=minutes)
    assert NYSE.get_next_market_open(moment, extended) == _brute_force_next_transition(moment, extended, True)
    assert NYSE.get_next_market_close(moment, extended) == _brute_force_next_transition(moment, extended, False)


def test_always_open_market_has_no_next_close() -> None:
    from lean_offline.data.market_hours import SecurityExchangeHours

    with pytest.raises(ValueError, match="no market close"):
        SecurityExchangeHours.always_open_hours("UTC").get_next_market_close(datetime(2020, 1, 1))


def test_extended_close_on_an_early_close_day_spans_premarket_and_market() -> None:
    # The day after Thanksgiving 2012 closes at 13:00; with extended hours the premarket (04:00-09:30) runs straight
    # into the shortened session, so the next extended close after the Wednesday post-market is 13:00, not 09:30.
    assert NYSE.get_next_market_close(datetime(2012, 11, 21, 20, 0), True) == datetime(2012, 11, 23, 13, 0)
    assert NYSE.get_next_market_close(datetime(2012, 11, 21, 20, 0), False) == datetime(2012, 11, 23, 13, 0)
    assert NYSE.get_next_market_open(datetime(2012, 11, 21, 20, 0), True) == datetime(2012, 11, 23, 4, 0)


def _overnight_hours() -> SecurityExchangeHours:
    """A futures-like week: Sunday 18:00 to Friday 17:00 with a daily 17:00-18:00 break, so stretches run past
    midnight; pre-market 16:00-17:00 on Sundays runs into the session in extended hours."""
    market = MarketHoursState.MARKET
    midnight = timedelta(days=1)
    weekly = {day: [MarketHoursSegment(timedelta(0), timedelta(hours=17), market),
                    MarketHoursSegment(timedelta(hours=18), midnight, market)] for day in range(4)}
    weekly[4] = [MarketHoursSegment(timedelta(0), timedelta(hours=17), market)]
    weekly[6] = [MarketHoursSegment(timedelta(hours=16), timedelta(hours=18), MarketHoursState.PRE_MARKET),
                 MarketHoursSegment(timedelta(hours=18), midnight, market)]
    return SecurityExchangeHours(ZoneInfo("America/Chicago"), weekly, holidays=[date(2013, 7, 4)],
                                 early_closes={date(2013, 7, 3): timedelta(hours=12)})


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60 * 24 * 60), st.booleans(), st.booleans())
def test_next_close_from_the_days_windows_is_the_first_end_of_the_merged_stretches(minutes: int, extended: bool,
                                                                                   overnight: bool) -> None:
    """`get_next_market_close` answers from the day's windows when a stretch of that day ends before midnight
    without running into another; either way the answer is the first end after the moment among the merged
    stretches of the search window starting the day before (`_open_intervals`)."""
    hours = _overnight_hours() if overnight else NYSE
    moment = datetime(2013, 6, 20) + timedelta(minutes=minutes)
    _, ends = hours._open_intervals(moment.date() - timedelta(days=1), extended)
    assert hours.get_next_market_close(moment, extended) == min(end for end in ends if end > moment)
