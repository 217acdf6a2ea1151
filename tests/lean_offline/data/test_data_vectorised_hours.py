"""The readers' vectorised market-hours checks agree with SecurityExchangeHours' scalar answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market_hours import nyse_fallback_hours
from lean_offline.data.readers import _open_mask

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
