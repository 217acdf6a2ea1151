"""The block feed: fill-forward computed per block with numpy agrees with the point-by-point `fill_forward`
generator, corporate events go before the points ending with them, and the security cache takes a row's prices as it
takes the row's bar."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline import backtest
from lean_offline.data.corporate_actions import Dividend, Split
from lean_offline.data.market import BaseData, QuoteBar, TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours, nyse_fallback_hours
from lean_offline.data.readers import BarBlock, convert_naive
from lean_offline.data.symbol import Symbol
from lean_offline.engine.config import SubscriptionDataConfig
from lean_offline.engine.feed import Clock, DailySessions, FillForward, block_segments, fill_forward
from lean_offline.engine.portfolio import VALUATION_VERSION
from lean_offline.engine.securities import _BLOCK, SecurityCache
from lean_offline.enums import Resolution, SecurityType

NYSE = nyse_fallback_hours(2012, 2014)
ALWAYS_OPEN = SecurityExchangeHours.always_open_hours("America/New_York")
NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
AAA = Symbol.create("AAA", SecurityType["EQUITY"], "usa")
ORIGIN = datetime(2013, 11, 20)  # Thanksgiving (28th) and its early close (29th) fall inside the generated spans


def _config(resolution: Any, extended: bool = False) -> SubscriptionDataConfig:
    return SubscriptionDataConfig(type=TradeBar, symbol=AAA, resolution=resolution, data_time_zone="America/New_York",
                                  exchange_time_zone="America/New_York", fill_data_forward=True,
                                  extended_market_hours=extended)


def _block(times: list[datetime], ends: list[datetime], closes: list[float]) -> BarBlock:
    end_array = np.array(ends, dtype="datetime64[ns]")
    values = np.array([[close, close + 1, close - 1, close, 100.0] for close in closes]).reshape(len(closes), 5)
    return BarBlock(AAA, TradeBar, np.array(times, dtype="datetime64[ns]"), end_array,
                    convert_naive(end_array, NY, UTC), values)


def _facts(points: list[BaseData]) -> list[tuple[Any, ...]]:
    return [(type(p).__name__, p.time, p.end_time, p.end_time_utc, p.is_fill_forward, p.value) for p in points]


def _block_points(blocks: list[BarBlock], config: SubscriptionDataConfig, end_local: datetime, precise: bool,
                  events: list[BaseData] | None = None, hours: SecurityExchangeHours = NYSE) -> list[BaseData]:
    fill = FillForward(config, hours, end_local, precise, DailySessions())
    clock = Clock()
    segments = block_segments(iter(blocks), fill, events or [], lambda local: clock.to_utc(local, NY), NY)
    return [segment.point(position) for segment in segments for position in range(len(segment))]


def _generator_points(blocks: list[BarBlock], config: SubscriptionDataConfig, end_local: datetime,
                      precise: bool, hours: SecurityExchangeHours = NYSE) -> list[BaseData]:
    bars = [bar for block in blocks for bar in block.bars()]
    return list(fill_forward(iter(bars), config, hours, end_local, Clock(), NY, precise, DailySessions()))


@settings(max_examples=100, deadline=None)
@given(st.sets(st.integers(0, 20), min_size=1, max_size=12), st.booleans(), st.integers(0, 22), st.booleans())
def test_daily_fill_forward_of_a_block_matches_the_generator(days: set[int], precise: bool, end_day: int,
                                                             always_open: bool) -> None:
    hours = ALWAYS_OPEN if always_open else NYSE
    config = _config(Resolution["DAILY"])
    end_local = ORIGIN + timedelta(days=end_day, hours=23, minutes=59)
    bar_days = [ORIGIN + timedelta(days=day) for day in sorted(days) if day <= end_day]
    if not bar_days:
        return
    times = [day + timedelta(hours=9, minutes=30) if precise else day for day in bar_days]
    ends = [day + timedelta(hours=16) if precise else day + timedelta(days=1) for day in bar_days]
    blocks = [_block(times, ends, [float(index + 1) for index in range(len(times))])]
    expected = _generator_points(blocks, config, end_local, precise, hours)
    assert _facts(_block_points(blocks, config, end_local, precise, hours=hours)) == _facts(expected)


@settings(max_examples=100, deadline=None)
@given(st.sets(st.integers(0, 9 * 24 * 4 - 1), min_size=1, max_size=30), st.booleans(),
       st.sampled_from([Resolution["MINUTE"], Resolution["HOUR"]]), st.integers(1, 9 * 24), st.booleans())
def test_intraday_fill_forward_over_day_blocks_matches_the_generator(quarters: set[int], extended: bool,
                                                                       resolution: Any, end_hours: int,
                                                                       always_open: bool) -> None:
    """Bars every quarter hour over nine days around Thanksgiving and its early close (or on an exchange that never
    closes), read as one block per day (a block's last bar fills forward up to the next block's first one)."""
    hours = ALWAYS_OPEN if always_open else NYSE
    config = _config(resolution, extended)
    period = config.increment
    end_local = ORIGIN + timedelta(hours=end_hours)
    times = [ORIGIN + timedelta(minutes=15 * quarter) for quarter in sorted(quarters)]
    times = [time for time in times if time <= end_local]
    if resolution == Resolution["HOUR"]:
        times = sorted({time.replace(minute=0) for time in times})
    if not times:
        return
    blocks = []
    for day in sorted({time.date() for time in times}):
        day_times = [time for time in times if time.date() == day]
        blocks.append(_block(day_times, [time + period for time in day_times],
                             [float(time.hour * 100 + time.minute) for time in day_times]))
    expected = _generator_points(blocks, config, end_local, False, hours)
    assert _facts(_block_points(blocks, config, end_local, False, hours=hours)) == _facts(expected)


def test_events_go_before_points_ending_with_them_and_stop_with_the_stream() -> None:
    days = [datetime(2013, 11, 18), datetime(2013, 11, 19), datetime(2013, 11, 22)]
    block = _block(days, [day + timedelta(days=1) for day in days], [1.0, 2.0, 3.0])
    events: list[BaseData] = [Dividend(AAA, datetime(2013, 11, 19), 1.0), Split(AAA, datetime(2013, 11, 22)),
                              Split(AAA, datetime(2013, 11, 30))]
    clock = Clock()
    segments = list(block_segments(iter([block]), None, events, lambda local: clock.to_utc(local, NY), NY))
    points = [segment.point(position) for segment in segments for position in range(len(segment))]
    assert [(type(p).__name__, p.end_time) for p in points] == [
        ("Dividend", datetime(2013, 11, 19)), ("TradeBar", datetime(2013, 11, 19)),
        ("TradeBar", datetime(2013, 11, 20)), ("Split", datetime(2013, 11, 22)), ("TradeBar", datetime(2013, 11, 23))]
    assert points[0].end_time_utc == datetime(2013, 11, 19, 5)
    assert segments[0].utc.tolist() == sorted(segments[0].utc.tolist())


PRICES = st.floats(min_value=0.0, max_value=500.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3), PRICES, PRICES, PRICES, PRICES, PRICES),
                min_size=1, max_size=12))
def test_cache_takes_a_rows_prices_as_it_takes_its_bar(rows: list[tuple[bool, int, float, float, float, float,
                                                                        float]]) -> None:
    """Trade and quote rows, some sharing end times (a trade bar after a quote bar with the same end time keeps the
    quote bar's OHLC), zero prices that must not overwrite: `add_row` leaves the cache as `add_data` of the row's bar
    does, and `get_data` builds the same bars."""
    by_rows, by_bars = SecurityCache(), SecurityCache()
    minute = 0
    for is_quote, advance, first, second, third, fourth, size in rows:
        minute += advance
        time = [datetime(2013, 11, 20, 10, minute)]
        end = [time[0] + timedelta(minutes=1)]
        if is_quote:
            values = np.array([[first, second, third, fourth, size, second, third, first, fourth, size]])
            block = BarBlock(AAA, QuoteBar, np.array(time, dtype="datetime64[ns]"),
                             np.array(end, dtype="datetime64[ns]"), np.array(end, dtype="datetime64[ns]"), values)
        else:
            block = _block(time, end, [fourth])
        by_rows.add_row(block, 0)
        by_bars.add_data(block.bar(0))
        fields = ("price", "open", "high", "low", "close", "volume", "bid_price", "ask_price", "bid_size", "ask_size")
        assert [getattr(by_rows, name) for name in fields] == [getattr(by_bars, name) for name in fields]
        for kind in (None, TradeBar, QuoteBar, BaseData):
            built, expected = by_rows.get_data(kind), by_bars.get_data(kind)
            assert (None if built is None else _facts([built])) == (None if expected is None else _facts([expected]))
            assert by_rows.get_data(kind) is built  # built once, then the same object


class GeneralRulesBlock(BarBlock):
    """A block whose rows never take the cache's fast path: each row's state claims a column without a non-zero
    value, so the cache applies it by the general rules."""

    def cache_state(self, row: int) -> tuple[Any, ...]:
        return (-1, *super().cache_state(row)[1:])


CACHE_FIELDS = ("price", "open", "high", "low", "close", "volume", "bid_price", "ask_price", "bid_size", "ask_size")
SOME_PRICES = st.sampled_from([0.0, 0.0, 1.5, 2.0, 7.25, 100.0]) | PRICES


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 2), st.sampled_from(["trade", "quote", "quote trade", "trade quote"]),
                          st.booleans(), SOME_PRICES, SOME_PRICES, SOME_PRICES, SOME_PRICES, SOME_PRICES),
                min_size=1, max_size=16), st.sampled_from(["trade", "quote", "both"]), st.integers(0, 20),
       st.booleans(), st.booleans(), st.integers(0, 20))
def test_rows_applied_when_read_leave_the_cache_as_bars_added_one_by_one(
        steps: list[tuple[int, str, bool, float, float, float, float, float]], observed: str,
        recording_from: int, general_rules_only: bool, price_reads_only: bool, held_from: int) -> None:
    """The cache applies the rows `add_row` took when it is read (a run of one block's rows at once, or the state
    the block's rows leave): whatever the reads in between, the trade and quote rows sharing end times and the zero
    prices, every read sees what adding each row's bar at once gives, with the fast path or by the general rules
    only; and a recorder installed after `recording_from` rows gets the price after each later row of the observed
    kinds. With `price_reads_only` the reads in between are of the price alone, which the cache may answer from the
    block's state while the rows keep waiting; from the `held_from`th row on the security is held, and `add_row`
    settles that price as each row is added."""
    trade_rows: list[tuple[datetime, list[float]]] = []
    quote_rows: list[tuple[datetime, list[float]]] = []
    order: list[tuple[str, int, bool]] = []
    minute = 0
    for advance, kinds, read_now, first, second, third, fourth, size in steps:
        minute += advance
        start = datetime(2013, 11, 20, 10) + timedelta(minutes=minute)
        for kind in kinds.split():
            rows = trade_rows if kind == "trade" else quote_rows
            values = ([first, second, third, fourth, size] if kind == "trade"
                      else [first, second, third, fourth, size, second, third, first, third, size])
            order.append((kind, len(rows), read_now))
            rows.append((start, values))

    def block(kind: str, rows: list[tuple[datetime, list[float]]]) -> BarBlock | None:
        if not rows:
            return None
        times = np.array([time for time, _ in rows], dtype="datetime64[ns]")
        ends = times + np.timedelta64(60, "s")
        block_type = GeneralRulesBlock if general_rules_only else BarBlock
        return block_type(AAA, TradeBar if kind == "trade" else QuoteBar, times, ends, ends,
                          np.array([values for _, values in rows], dtype=np.float64))

    blocks = {"trade": block("trade", trade_rows), "quote": block("quote", quote_rows)}
    by_rows, by_bars = SecurityCache(), SecurityCache()
    assert not by_rows.has_any_data()
    recorded: list[float] = []  # any mutable sequence: the engine's are arrays
    expected_path: list[float] = []
    for number, (row_kind, row, read_now) in enumerate(order):
        source = blocks[row_kind]
        assert source is not None
        if number == recording_from:
            by_rows.set_recorder(recorded)
        if number == held_from:
            by_rows.set_valued(True)
        is_observed = observed in (row_kind, "both")
        by_rows.add_row(source, row, None, is_observed)
        by_bars.add_data(source.bar(row))
        if is_observed and number >= recording_from:
            expected_path.append(by_bars.price)
        assert by_rows.has_any_data() and (by_rows.has_any_data() == (by_bars.get_data() is not None))
        if price_reads_only and (read_now or number >= held_from):  # a held price is read at every step
            assert by_rows.price == by_bars.price
        elif read_now:
            assert [getattr(by_rows, name) for name in CACHE_FIELDS] == [getattr(by_bars, name) for name in CACHE_FIELDS]
    assert [getattr(by_rows, name) for name in CACHE_FIELDS] == [getattr(by_bars, name) for name in CACHE_FIELDS]
    assert recorded == expected_path
    for data_type in (None, TradeBar, QuoteBar):
        built, expected = by_rows.get_data(data_type), by_bars.get_data(data_type)
        assert (None if built is None else _facts([built])) == (None if expected is None else _facts([expected]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(0, 2_499), min_size=1, max_size=120), st.booleans())
def test_a_blocks_cache_state_is_the_same_read_row_by_row_or_by_chunk(seed: int, reads: list[int],
                                                                       in_order: bool) -> None:
    """`BarBlock.cache_state` makes a few reads in a chunk of rows row by row and more of them from the whole chunk;
    either way a row's state is what its definition gives, computed here by a plain walk over the rows: per cache
    column the last row up to it whose value is not zero (-1: none) and that value, the earliest of those rows, and
    the row's end time."""
    generator = np.random.default_rng(seed)
    count = 2_500  # three chunks of rows
    closes = generator.choice([0.0, 1.5, 2.0, 7.25], size=count)
    values = np.column_stack([closes, closes + 1, generator.choice([0.0, 3.0], size=count), closes,
                              generator.choice([0.0, 100.0], size=count)])
    starts = np.datetime64("2013-11-20T09:30", "ns") + np.arange(count) * np.timedelta64(60, "s")
    ends = starts + np.timedelta64(60, "s")
    block = BarBlock(AAA, TradeBar, starts, ends, ends, values)
    last_rows, last_values = [-1] * 5, [0.0] * 5
    expected = []
    for row in range(count):
        for column in range(5):
            if values[row, column] != 0.0:
                last_rows[column], last_values[column] = row, float(values[row, column])
        end = datetime(2013, 11, 20, 9, 31) + timedelta(minutes=row)
        expected.append((min(last_rows), end, *last_values))
    for row in sorted(reads) if in_order else reads:
        assert block.cache_state(row) == expected[row]
    assert [block.cache_state(row) for row in range(count)] == expected  # every chunk read densely too


def test_rows_whose_prices_are_all_set_take_the_fast_path(monkeypatch: Any) -> None:
    """A run whose last row's state has every price from the run (here: rows without zeros) is applied as that
    state, without the general rules; the result is the last row's prices."""
    block = _block([datetime(2013, 11, 18), datetime(2013, 11, 19), datetime(2013, 11, 20)],
                   [datetime(2013, 11, 19), datetime(2013, 11, 20), datetime(2013, 11, 21)], [100.0, 101.0, 102.0])

    def general_rules(*_args: Any) -> None:
        raise AssertionError("the general rules were used")

    monkeypatch.setattr(SecurityCache, "_apply_in_general", general_rules)
    cache = SecurityCache()
    cache.add_row(block, 0)
    assert (cache.price, cache.high, cache.volume) == (100.0, 101.0, 100.0)
    cache.add_row(block, 1)
    cache.add_row(block, 2)
    assert cache.price == 102.0 and cache._run[_BLOCK] is block  # the price alone leaves the rows waiting
    assert (cache.price, cache.open, cache.high, cache.low, cache.close) == (102.0, 102.0, 103.0, 101.0, 102.0)
    assert cache.get_data().end_time == datetime(2013, 11, 21)


def test_rows_not_yet_applied_are_applied_before_a_split_and_a_price_written() -> None:
    block = _block([datetime(2013, 11, 18), datetime(2013, 11, 19), datetime(2013, 11, 20)],
                   [datetime(2013, 11, 19), datetime(2013, 11, 20), datetime(2013, 11, 21)], [100.0, 0.0, 0.0])
    cache = SecurityCache()
    for row in range(3):
        cache.add_row(block, row)
    cache.apply_split(0.5)  # the last non-zero close, 100, then halved
    assert (cache.price, cache.close, cache.high) == (50.0, 50.0, 0.5)
    cache.add_row(block, 0)
    cache.price = 7.0  # a price written by the user after the row stays
    assert cache.price == 7.0 and cache.close == 100.0


def test_a_row_given_with_its_bar_keeps_that_bar_object() -> None:
    """The algorithm's slice and the cache share one object per point, as in LEAN."""
    block = _block([datetime(2013, 11, 20), datetime(2013, 11, 21)], [datetime(2013, 11, 21), datetime(2013, 11, 22)],
                   [100.0, 101.0])
    cache, delivered = SecurityCache(), block.bar(1)
    cache.add_row(block, 1, delivered)
    assert cache.get_data() is delivered and cache.get_data(TradeBar) is delivered and cache.price == 101.0


def test_a_split_rescales_a_row_the_cache_has_not_built_yet() -> None:
    cache = SecurityCache()
    cache.add_row(_block([datetime(2013, 11, 20)], [datetime(2013, 11, 21)], [100.0]), 0)
    cache.apply_split(0.5)
    assert cache.price == 50.0 and cache.get_data().close == 50.0 and cache.get_data(TradeBar).volume == 200.0
    assert date(2013, 11, 28) in NYSE.holidays


RECORDER = '''from AlgorithmImports import *


class Recorder(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 9)
        self.aaa = self.add_equity("AAA", Resolution.HOUR).symbol
        self.seen = []
        self.schedule.on(self.date_rules.every_day(self.aaa), self.time_rules.every(timedelta(minutes=30)),
                         self.record)

    def record(self):
        security = self.securities[self.aaa]
        last = security.get_last_data()
        self.seen.append((self.time, security.price, security.open, security.high, security.low, security.volume,
                          None if last is None else (last.time, last.end_time, last.close, last.is_fill_forward)))
        if self.time.hour == 11 and self.time.minute == 0:
            self.market_order(self.aaa, 10 if self.time.day % 2 else -10)
'''


def _hourly_folder(root: Path) -> Path:
    days = [date(2019, 12, 31), date(2020, 1, 2), date(2020, 1, 3), date(2020, 1, 6), date(2020, 1, 8),
            date(2020, 1, 9)]  # 01-07 missing: a day of fill-forward
    folder = root / "equity" / "usa" / "hour"
    folder.mkdir(parents=True)
    rows = [f"{day:%Y%m%d} {hour:02d}:00,{(10 * i + hour) * 10000},{(10 * i + hour + 1) * 10000},"
            f"{(10 * i + hour - 1) * 10000},{(10 * i + hour) * 10000},{0 if hour == 12 else 100}"
            for i, day in enumerate(days) for hour in range(9, 16) if (i, hour) != (2, 13)]
    with zipfile.ZipFile(folder / "aaa.zip", "w") as archive:
        archive.writestr("aaa.csv", "\n".join(rows) + "\n")
    return root


def test_a_run_whose_bars_nobody_observes_matches_one_that_builds_them(tmp_path: Path) -> None:
    """Without on_data the caches take the rows' prices and no bar is built unless asked for; with an on_data that
    does nothing every bar is built and added as before. Prices seen by scheduled events, the cache's last data,
    orders, statistics and data point counts must agree."""
    data_folder = _hourly_folder(tmp_path / "data")
    results = []
    for name, body in (("rows.py", RECORDER), ("bars.py", RECORDER + "\n    def on_data(self, data):\n        pass\n")):
        algorithm = tmp_path / name
        algorithm.write_text(body)
        result = backtest(algorithm, data_folder=data_folder, write_results=False)
        assert result.status == "Completed", result.stack_trace
        results.append(result)
    rows, bars = results
    assert rows.algorithm.seen == bars.algorithm.seen and len(rows.algorithm.seen) > 50
    assert any(seen[-1] is not None and seen[-1][3] is False for seen in rows.algorithm.seen)
    assert rows.orders == bars.orders and len(rows.orders) == 6
    assert rows.statistics == bars.statistics and rows.data_points == bars.data_points


def test_observed_points_are_recorded_in_the_order_they_are_applied() -> None:
    """Rows waiting to be applied go to the path before a later data object's price; fill-forward points and rows
    of feeds nobody observes (the benchmark's) add nothing, and a path installed later sees only later points."""
    block = _block([datetime(2013, 11, 18), datetime(2013, 11, 19)], [datetime(2013, 11, 19), datetime(2013, 11, 20)],
                   [100.0, 101.0])
    cache, path = SecurityCache(), [1.0]
    cache.add_row(block, 0, None, True)
    cache.set_recorder(path)  # the pending row came before the path: it is applied for nobody
    cache.add_row(block, 1, None, True)
    later = TradeBar(datetime(2013, 11, 20), AAA, 102.0, 103.0, 101.0, 102.5, 10.0, timedelta(days=1))
    cache.add_observed_data(later)
    copy = TradeBar(datetime(2013, 11, 21), AAA, 102.0, 103.0, 101.0, 104.0, 10.0, timedelta(days=1))
    copy.is_fill_forward = True
    cache.add_observed_data(copy)
    unobserved = _block([datetime(2013, 11, 21)], [datetime(2013, 11, 22)], [90.0])
    cache.add_row(unobserved, 0)
    cache.apply_pending()
    assert path == [1.0, 101.0, 102.5] and cache.price == 90.0


def test_a_held_securitys_prices_advance_the_valuation_version_when_added_not_when_read() -> None:
    """Cached portfolio values must see every price change of a held security, and a valuation that reads the
    prices (which applies the rows waiting) must not make itself stale; prices of securities not held change no
    version."""
    block = _block([datetime(2013, 11, 18), datetime(2013, 11, 19)], [datetime(2013, 11, 19), datetime(2013, 11, 20)],
                   [100.0, 0.0])
    held, not_held = SecurityCache(), SecurityCache()
    held.set_valued(True)
    before = VALUATION_VERSION.count
    not_held.add_row(block, 0)
    assert not_held.price == 100.0 and VALUATION_VERSION.count == before
    for row in range(2):  # a row whose prices are all set (the fast path), then one with zeros (the general rules)
        held.add_row(block, row)
        added = VALUATION_VERSION.count
        assert added > before
        assert held.price == 100.0 and VALUATION_VERSION.count == added
        before = added
    held.add_data(TradeBar(datetime(2013, 11, 20), AAA, 1.0, 2.0, 0.5, 1.5, 10.0, timedelta(days=1)))
    assert VALUATION_VERSION.count > before and held.price == 1.5


def test_a_row_read_alone_that_sets_every_price_leaves_the_blocks_other_rows_unscanned() -> None:
    """A sparse `cache_state` read of a row whose cache columns are all set is made from that row (a fill at the
    close looks at one row of a 25-year block); a row with a zero column needs the rows before it."""
    block = _block([datetime(2013, 11, 18), datetime(2013, 11, 19), datetime(2013, 11, 20)],
                   [datetime(2013, 11, 19), datetime(2013, 11, 20), datetime(2013, 11, 21)], [100.0, 0.0, 102.0])
    assert block.cache_state(2) == (2, datetime(2013, 11, 21), 102.0, 103.0, 101.0, 102.0, 100.0)
    assert block._last_nonzero is None
    assert block.cache_state(1) == (0, datetime(2013, 11, 20), 100.0, 1.0, -1.0, 100.0, 100.0)
    assert block._last_nonzero is not None
