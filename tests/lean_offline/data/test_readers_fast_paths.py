"""The readers' fast paths against the general computations they stand for, on the same input."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data import readers as readers_module

_PRICE = st.sampled_from([0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1.5, 399835.0, -2.0])


def _sides_by_rows(values: np.ndarray, zero_side_is_absent: bool) -> np.ndarray:
    """LEAN's quote-side rules applied row by row in Python (the reference of `normalise_quote_sides`)."""
    rows = []
    for row in values.tolist():
        result = [float(np.nan_to_num(value, nan=0.0)) for value in row]
        for first in (0, 5):
            prices = row[first:first + 4]
            if zero_side_is_absent:
                absent = all(value == 0.0 or value != value for value in prices)
            else:
                absent = all(value != value for value in prices)
            if absent:
                result[first], result[first + 4] = float("nan"), 0.0
        rows.append(result)
    return np.array(rows, dtype=np.float64).reshape(len(rows), 10)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PRICE, min_size=10, max_size=10), max_size=8), st.booleans())
def test_quote_sides_are_normalised_as_row_by_row(rows: list[list[float]], zero_side_is_absent: bool) -> None:
    """Empty (NaN) fields read 0 and infinities the largest floats, as `np.nan_to_num` gives them; a side whose four
    prices are all empty (or, for equities, all zero or empty) is absent: NaN open, size 0."""
    values = np.array(rows, dtype=np.float64).reshape(len(rows), 10)
    result = readers_module.normalise_quote_sides(values, zero_side_is_absent)
    expected = _sides_by_rows(values, zero_side_is_absent)
    assert np.array_equal(result, expected, equal_nan=True)
    assert np.signbit(result).tolist() == np.signbit(expected).tolist()


_ZONES = ["America/New_York", "UTC", "Europe/London", "Australia/Sydney", "America/Chicago", "Asia/Kolkata"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_ZONES), st.sampled_from(_ZONES),
       st.datetimes(datetime(2019, 1, 1), datetime(2022, 12, 31)),
       st.lists(st.integers(0, 31 * 24 * 60), min_size=2, max_size=40))
def test_times_over_weeks_are_converted_as_pandas_converts_them(source: str, target: str, first: datetime,
                                                                minutes: list[int]) -> None:
    """Times over up to a month (shifted date by date when neither zone changes offset during their dates, else
    converted by pandas) come out as pandas' localisation gives them, around changes of offset too."""
    times = np.array([first + timedelta(minutes=minute) for minute in minutes], dtype="datetime64[ns]")
    expected = readers_module._convert_naive_by_pandas(times, ZoneInfo(source), ZoneInfo(target))
    assert readers_module.convert_naive(times, ZoneInfo(source), ZoneInfo(target)).tolist() == expected.tolist()


def test_a_date_with_a_change_of_offset_is_not_shifted_date_by_date() -> None:
    """New York's clocks go forward on 2021-03-14: the dates around it shift by one offset each, that date does not."""
    new_york, utc = ZoneInfo("America/New_York"), ZoneInfo("UTC")
    around = np.array([datetime(2021, 3, 12, 10), datetime(2021, 3, 13, 10)], dtype="datetime64[ns]")
    shifted = readers_module._shifted_date_by_date(around, new_york, utc)
    assert shifted is not None
    assert shifted.tolist() == np.array([datetime(2021, 3, 12, 15), datetime(2021, 3, 13, 15)],
                                        dtype="datetime64[ns]").tolist()
    across = np.array([datetime(2021, 3, 13, 10), datetime(2021, 3, 14, 10)], dtype="datetime64[ns]")
    assert readers_module._shifted_date_by_date(across, new_york, utc) is None
    assert readers_module.convert_naive(across, new_york, utc).tolist() == np.array(
        [datetime(2021, 3, 13, 15), datetime(2021, 3, 14, 14)], dtype="datetime64[ns]").tolist()


def test_a_short_window_converts_its_own_end_times_and_a_long_one_keeps_them_all() -> None:
    """`_HistoryRows.ends_utc`: a window of under half the rows is converted alone; a longer one converts every row
    once, which later windows then slice; both give the times pandas gives."""
    new_york = ZoneInfo("America/New_York")
    ends = np.array([datetime(2020, 1, 1, 16) + timedelta(days=day) for day in range(400)], dtype="datetime64[ns]")
    rows = readers_module._HistoryRows(ends - np.timedelta64(1, "h"), ends, np.zeros((400, 5)),
                                       np.arange(400), ends - np.timedelta64(1, "h"))
    expected = readers_module._convert_naive_by_pandas(ends, new_york, ZoneInfo("UTC"))
    assert rows.ends_utc(60, 70, new_york).tolist() == expected[60:70].tolist()
    assert rows._all_ends_utc is None
    assert rows.ends_utc(0, 300, new_york).tolist() == expected[:300].tolist()
    assert rows._all_ends_utc is not None
    assert rows.ends_utc(60, 70, new_york).tolist() == expected[60:70].tolist()
