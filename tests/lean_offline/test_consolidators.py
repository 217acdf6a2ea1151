"""Consolidators: bar boundaries and OHLCV against pandas resampling, emission timing, counts, calendars, quotes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lean_offline.data.market import Bar, QuoteBar, TradeBar
from lean_offline.enums import Resolution
from lean_offline.indicators import (
    BaseDataConsolidator,
    Calendar,
    CalendarInfo,
    IndicatorDataPoint,
    QuoteBarConsolidator,
    SimpleMovingAverage,
    TradeBarConsolidator,
    update_indicator,
)
from lean_offline.naming import UnsupportedApiError

DAY = datetime(2021, 3, 1)
MINUTE = timedelta(minutes=1)


def minute_bars(skip: set[int] | None = None, seed: int = 5) -> list[TradeBar]:
    """Minute bars 09:30–15:59, leaving out the minute offsets in `skip`."""
    rng = np.random.default_rng(seed)
    bars = []
    close = 100.0
    for offset in range(390):
        opened = close
        close = opened * float(np.exp(rng.normal(0, 0.001)))
        if skip and offset in skip:
            continue
        high = max(opened, close) + float(rng.uniform(0, 0.05))
        low = min(opened, close) - float(rng.uniform(0, 0.05))
        start = DAY + timedelta(hours=9, minutes=30 + offset)
        bars.append(TradeBar(start, "SPY", opened, high, low, close, float(rng.integers(100, 10000)), MINUTE))
    return bars


def collect(consolidator: Any) -> list[Any]:
    emitted: list[Any] = []
    consolidator.data_consolidated += lambda sender, bar: emitted.append(bar)
    return emitted


def pandas_resample(bars: list[TradeBar], rule: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"open": [b.open for b in bars], "high": [b.high for b in bars], "low": [b.low for b in bars],
         "close": [b.close for b in bars], "volume": [b.volume for b in bars]},
        index=pd.DatetimeIndex([b.time for b in bars]),
    )
    grouped = frame.resample(rule, label="left", closed="left")
    return pd.DataFrame({"open": grouped["open"].first(), "high": grouped["high"].max(),
                         "low": grouped["low"].min(), "close": grouped["close"].last(),
                         "volume": grouped["volume"].sum()}).dropna()


@pytest.mark.parametrize("skip", [None, {0, 1, 2, 3, 4, 7, 100, 101, 389}])
def test_five_minute_bars_match_pandas_resample(skip: set[int] | None) -> None:
    bars = minute_bars(skip)
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    emitted = collect(consolidator)
    for bar in bars:
        consolidator.update(bar)
    consolidator.scan(DAY + timedelta(hours=16))
    expected = pandas_resample(bars, "5min")
    assert [b.time for b in emitted] == list(expected.index.to_pydatetime())
    assert all(b.end_time - b.time == timedelta(minutes=5) for b in emitted)
    for column in ("open", "high", "low", "close", "volume"):
        np.testing.assert_allclose([getattr(b, column) for b in emitted], expected[column].to_numpy())


def test_bar_is_emitted_by_the_first_bar_of_the_next_period_or_by_scan() -> None:
    bars = minute_bars()
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    emitted = collect(consolidator)
    for bar in bars[:5]:
        consolidator.update(bar)
    assert emitted == []
    consolidator.scan(DAY + timedelta(hours=9, minutes=34, seconds=59))
    assert emitted == []
    consolidator.scan(DAY + timedelta(hours=9, minutes=35))
    assert len(emitted) == 1 and emitted[0].end_time == DAY + timedelta(hours=9, minutes=35)
    assert consolidator.consolidated is emitted[0] and consolidator.current is emitted[0]
    consolidator.update(bars[5])  # already emitted by scan: not emitted twice
    assert len(emitted) == 1
    assert consolidator.working_data.time == DAY + timedelta(hours=9, minutes=35)


def test_count_consolidator_spans_first_start_to_last_end() -> None:
    bars = minute_bars()[:7]
    consolidator = TradeBarConsolidator(3)
    emitted = collect(consolidator)
    for bar in bars:
        consolidator.update(bar)
    assert len(emitted) == 2
    first, second = emitted
    assert (first.time, first.end_time) == (bars[0].time, bars[2].end_time)
    assert (second.time, second.end_time) == (bars[3].time, bars[5].end_time)
    assert first.open == bars[0].open and first.close == bars[2].close
    assert first.high == max(b.high for b in bars[:3]) and first.volume == sum(b.volume for b in bars[:3])
    consolidator.scan(DAY + timedelta(days=2))  # count consolidators never emit on time
    assert len(emitted) == 2


def test_resolution_period_and_pascal_event() -> None:
    bars = minute_bars()
    consolidator = TradeBarConsolidator(Resolution.HOUR)
    emitted: list[Any] = []
    consolidator.DataConsolidated += lambda sender, bar: emitted.append(bar)
    for bar in bars:
        consolidator.update(bar)
    consolidator.scan(DAY + timedelta(hours=16))
    assert [b.time.hour for b in emitted] == [9, 10, 11, 12, 13, 14, 15]
    assert emitted[0].end_time == DAY + timedelta(hours=10)  # the 09:30–10:00 half hour is bar 09:00
    assert TradeBarConsolidator.from_resolution(Resolution.MINUTE).period == MINUTE


def test_daily_bars_with_precise_end_times_roll_up_to_midnight_days() -> None:
    consolidator = TradeBarConsolidator(timedelta(days=1))
    emitted = collect(consolidator)
    for day in range(3):
        start = DAY + timedelta(days=day, hours=9, minutes=30)
        consolidator.update(TradeBar(start, "SPY", 1, 2, 0.5, 1.5, 10, timedelta(hours=6, minutes=30)))
    assert [b.time for b in emitted] == [DAY, DAY + timedelta(days=1)]
    assert emitted[0].end_time == DAY + timedelta(days=1)


def test_weekly_and_monthly_calendars_against_iso_weeks_and_months() -> None:
    days = pd.bdate_range("2021-01-01", "2021-04-30")
    daily = [TradeBar(d.to_pydatetime(), "SPY", 1.0 + i, 2.0 + i, 0.5 + i, 1.5 + i, 1.0, timedelta(days=1))
             for i, d in enumerate(days)]
    weekly = TradeBarConsolidator(Calendar.WEEKLY)
    monthly = TradeBarConsolidator(Calendar.Monthly)
    weeks, months = collect(weekly), collect(monthly)
    for bar in daily:
        weekly.update(bar)
        monthly.update(bar)
    iso = pd.Series(range(len(days)), index=days).groupby([days.isocalendar().year, days.isocalendar().week])
    expected_week_opens = [1.0 + group.iloc[0] for _, group in iso][:-1]  # the last week is still open
    assert [b.open for b in weeks] == expected_week_opens
    assert all(b.time.weekday() == 0 and b.end_time - b.time == timedelta(days=7) for b in weeks)
    assert [(b.time.month, b.end_time.month) for b in months] == [(1, 2), (2, 3), (3, 4)]
    assert months[1].volume == len(pd.bdate_range("2021-02-01", "2021-02-28"))
    assert Calendar.QUARTERLY(datetime(2021, 5, 17)) == CalendarInfo(datetime(2021, 4, 1), timedelta(days=91))
    assert Calendar.Yearly(datetime(2020, 7, 1)).end == datetime(2021, 1, 1)


def test_user_calendar_function_must_start_at_or_before_the_time() -> None:
    with pytest.raises(ValueError, match="start of the bar"):
        TradeBarConsolidator(lambda dt: CalendarInfo(dt + timedelta(days=1), timedelta(days=1)))


def test_quote_bars_aggregate_each_side_and_seed_from_the_previous_close() -> None:
    consolidator = QuoteBarConsolidator(timedelta(minutes=2))
    emitted = collect(consolidator)
    start = DAY + timedelta(hours=10)
    quotes = [
        QuoteBar(start, "EURUSD", Bar(1.0, 1.2, 0.9, 1.1), 5, Bar(1.1, 1.3, 1.0, 1.2), 6, MINUTE),
        QuoteBar(start + MINUTE, "EURUSD", Bar(1.1, 1.5, 1.05, 1.3), 7, Bar(1.2, 1.6, 1.1, 1.4), 8, MINUTE),
        QuoteBar(start + 2 * MINUTE, "EURUSD", Bar(1.3, 1.35, 1.25, 1.32), 9, None, 0, MINUTE),
    ]
    for quote in quotes:
        consolidator.update(quote)
    consolidator.scan(start + 4 * MINUTE)
    first, second = emitted
    assert (first.bid.open, first.bid.high, first.bid.low, first.bid.close) == (1.0, 1.5, 0.9, 1.3)
    assert (first.ask.open, first.ask.high, first.ask.low, first.ask.close) == (1.1, 1.6, 1.0, 1.4)
    assert (first.last_bid_size, first.last_ask_size) == (7, 8)
    assert first.close == pytest.approx((1.3 + 1.4) / 2)
    # the second bar's sides open at the first bar's closes; the ask had no quote and stays flat
    assert (second.bid.open, second.bid.high, second.bid.low, second.bid.close) == (1.3, 1.35, 1.25, 1.32)
    assert (second.ask.open, second.ask.close) == (1.4, 1.4)
    assert second.time == start + 2 * MINUTE and second.end_time == start + 4 * MINUTE


def test_base_data_consolidator_builds_bars_of_values() -> None:
    consolidator = BaseDataConsolidator(2)
    emitted = collect(consolidator)
    for i, value in enumerate([3.0, 1.0, 4.0, 1.0]):
        consolidator.update(IndicatorDataPoint("X", DAY + timedelta(days=i), value))
    assert [(b.open, b.high, b.low, b.close, b.volume) for b in emitted] == [(3, 3, 1, 1, 0), (4, 4, 1, 1, 0)]


def test_consolidated_bars_feed_indicators() -> None:
    bars = minute_bars()
    consolidator = TradeBarConsolidator(timedelta(minutes=30))
    sma = SimpleMovingAverage(3)
    consolidator.data_consolidated += lambda sender, bar: update_indicator(sma, bar)
    for bar in bars:
        consolidator.update(bar)
    expected = pandas_resample(bars, "30min")["close"].iloc[-4:-1].mean()  # the last half hour is still open
    assert sma.current.value == pytest.approx(expected)


def test_bad_inputs_are_named() -> None:
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    with pytest.raises(TypeError, match="expects TradeBar"):
        consolidator.update(IndicatorDataPoint(DAY, 1.0))
    consolidator.update(minute_bars()[0])
    other = minute_bars()[1]
    other.symbol = "QQQ"
    with pytest.raises(ValueError, match="single symbol"):
        consolidator.update(other)
    hourly = TradeBar(DAY, "SPY", 1, 1, 1, 1, 1, timedelta(hours=1))
    with pytest.raises(ValueError, match="can not consolidate bars of period"):
        TradeBarConsolidator(timedelta(minutes=5)).update(hourly)
    with pytest.raises(TypeError, match="unsupported consolidator period"):
        TradeBarConsolidator("5min")
    with pytest.raises(UnsupportedApiError, match="start_time"):
        TradeBarConsolidator(timedelta(minutes=5), timedelta(minutes=1))
    with pytest.raises(UnsupportedApiError, match="start_time"):
        TradeBarConsolidator(timedelta(minutes=5), start_time=timedelta(minutes=1))


def test_reset_forgets_the_working_bar_and_symbol() -> None:
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    consolidator.update(minute_bars()[0])
    consolidator.reset()
    assert consolidator.working_data is None and consolidator.consolidated is None
    other = minute_bars()[1]
    other.symbol = "QQQ"
    consolidator.update(other)
    working = consolidator.working_data
    assert working is not None and working.symbol == "QQQ"
