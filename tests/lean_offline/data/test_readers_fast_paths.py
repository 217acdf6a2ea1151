"""The readers' fast paths against the general computations they stand for, on the same input."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data import readers as readers_module
from lean_offline.data.market_hours import nyse_fallback_hours

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
       st.one_of(st.datetimes(datetime(2019, 1, 1), datetime(2022, 12, 31)),
                 st.datetimes(datetime(2038, 1, 1), datetime(2045, 12, 31))),
       st.lists(st.integers(0, 31 * 24 * 60), min_size=2, max_size=40))
def test_times_over_weeks_are_converted_as_each_time_alone_is(source: str, target: str, first: datetime,
                                                              minutes: list[int]) -> None:
    """Times over up to a month (shifted date by date when neither zone changes offset during their dates, else
    converted by pandas) come out as `convert_naive_scalar` converts each of them with zoneinfo, around changes of
    offset too, and after 2037, where daylight-saving time goes on (pytz's rules, which pandas takes for a zone's
    name, stop there)."""
    times = np.array([first + timedelta(minutes=minute) for minute in minutes], dtype="datetime64[ns]")
    expected = [readers_module.convert_naive_scalar(moment, ZoneInfo(source), ZoneInfo(target))
                for moment in times.astype("datetime64[us]").tolist()]
    converted = readers_module.convert_naive(times, ZoneInfo(source), ZoneInfo(target))
    assert converted.astype("datetime64[us]").tolist() == expected
    by_pandas = readers_module._convert_naive_by_pandas(times, ZoneInfo(source), ZoneInfo(target))
    assert by_pandas.astype("datetime64[us]").tolist() == expected


def test_long_spans_with_the_same_times_are_converted_once_and_handed_out_as_copies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Daily files of one exchange share their end times: the second array with the same times (another array object)
    is not converted again, and each caller's result is its own (changing one leaves the next as pandas gives it)."""
    conversions: list[int] = []
    by_pandas = readers_module._convert_naive_by_pandas

    def counted(times: np.ndarray, source: ZoneInfo, target: ZoneInfo) -> np.ndarray:
        conversions.append(len(times))
        return by_pandas(times, source, target)

    monkeypatch.setattr(readers_module, "_convert_naive_by_pandas", counted)
    monkeypatch.setattr(readers_module, "_kept_conversion", lru_cache(maxsize=2)(readers_module._kept_conversion.__wrapped__))
    monkeypatch.setattr(readers_module, "_MAX_KEPT_ROWS", 500)
    new_york, utc = ZoneInfo("America/New_York"), ZoneInfo("UTC")
    days = np.arange(np.datetime64("2019-01-02T16:00"), np.datetime64("2020-01-02T16:00"), np.timedelta64(1, "D"))
    ends = days.astype("datetime64[ns]")
    expected = by_pandas(ends, new_york, utc)
    first = readers_module.convert_naive(ends, new_york, utc)
    first[:] = np.datetime64("2000-01-01", "ns")
    second = readers_module.convert_naive(ends.copy(), new_york, utc)
    assert second.tolist() == expected.tolist() and len(conversions) == 1
    assert readers_module.convert_naive(ends, utc, new_york).tolist() == by_pandas(ends, utc, new_york).tolist()
    assert readers_module.convert_naive(ends[1:], new_york, utc).tolist() == expected[1:].tolist()
    assert len(conversions) == 3
    assert readers_module.convert_naive(ends, new_york, utc).tolist() == expected.tolist()  # the oldest, dropped
    assert len(conversions) == 4
    longer = np.arange(np.datetime64("2019-01-02T16:00"), np.datetime64("2021-01-02T16:00"), np.timedelta64(1, "D"))
    readers_module.convert_naive(longer.astype("datetime64[ns]"), new_york, utc)
    readers_module.convert_naive(longer.astype("datetime64[ns]"), new_york, utc)
    assert conversions[4:] == [731, 731]  # above `_MAX_KEPT_ROWS`: never kept


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


@pytest.mark.parametrize("extended", [False, True])
def test_a_window_of_history_rows_keeps_the_open_bars_with_their_utc_ends(extended: bool) -> None:
    """`_HistoryRows.window`: a window of under half the rows drops its closed-hours bars and converts its end times
    alone; a longer one does both for every row once, which later windows then slice. Each window must hold, in
    order, the bars of its rows that `SecurityExchangeHours.is_open_between` finds open, with the UTC ends pandas
    gives."""
    hours = nyse_fallback_hours(2012, 2014)
    new_york = ZoneInfo("America/New_York")
    starts = [datetime(2013, 3, 1) + timedelta(hours=5 * step) for step in range(400)]  # nights, weekends, a DST change
    times = np.array(starts, dtype="datetime64[ns]")
    ends = times + np.timedelta64(1, "h")
    values = np.arange(400.0)[:, None] * np.ones((1, 5))
    rows = readers_module._HistoryRows(times, ends, values, np.arange(400), times, (hours, extended))

    def expected(low: int, high: int) -> list[tuple[datetime, datetime, float]]:
        return [(start, start + timedelta(hours=1), float(row)) for row, start in enumerate(starts)
                if low <= row < high and hours.is_open_between(start, start + timedelta(hours=1), extended)]

    def window(low: int, high: int) -> list[tuple[datetime, datetime, float]]:
        _, window_ends, window_utc, window_values = rows.window(low, high, new_york)
        assert window_utc.tolist() == readers_module._convert_naive_by_pandas(window_ends, new_york,
                                                                               ZoneInfo("UTC")).tolist()
        utc_minus_local = (window_utc - window_ends).astype("timedelta64[h]").astype(int).tolist()
        assert set(utc_minus_local) <= {4, 5}
        return [(end.astype(datetime) - timedelta(hours=1), end.astype(datetime), value)
                for end, value in zip(window_ends.astype("datetime64[us]"), window_values[:, 0].tolist(), strict=True)]

    assert window(60, 90) == expected(60, 90)
    assert rows._all_open is None
    assert window(0, 300) == expected(0, 300)
    assert rows._all_open is not None
    assert window(60, 90) == expected(60, 90)
    assert 0 < len(expected(60, 90)) < 30
