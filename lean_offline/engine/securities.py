"""Securities: `Security` (price cache, exchange, models, holdings) and `SecurityManager` (`self.securities`).

Clock: a security reads the engine time from a `clock` object with a `utc_time` attribute (naive UTC; the algorithm
itself qualifies) and shows it in its exchange time zone as `local_time`.

Subscriptions: the engine registers each user subscription with `security.add_subscription(data_type, resolution,
is_internal=False, extended_market_hours=False)`; fills use them to pick trade/quote prices and to decide when a
market order waits for fresh data. `is_daily_resolution_only` derives from them unless the engine sets it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from ..data.market import BaseData, QuoteBar, Tick, TradeBar
from ..data.symbol import Symbol
from ..enums import DataNormalizationMode, Resolution, SecurityType
from ..naming import DualCase
from .buying_power import SecurityMarginModel
from .corporate_events import split_adjusted_copy
from .fees import default_fee_model
from .fills import EquityFillModel, FillModel, covers
from .portfolio import VALUATION_VERSION, Cash, SecurityHolding
from .scheduling import utc_to_local
from .slice import KeyValuePair

_ABSENT = object()

_RESOLUTION_SPANS = {
    Resolution.TICK: timedelta(0), Resolution.SECOND: timedelta(seconds=1), Resolution.MINUTE: timedelta(minutes=1),
    Resolution.HOUR: timedelta(hours=1), Resolution.DAILY: timedelta(days=1),
}
_DEFAULT_LEVERAGE = {
    SecurityType.EQUITY: 2.0, SecurityType.FOREX: 50.0, SecurityType.CFD: 50.0, SecurityType.CRYPTO: 1.0,
    SecurityType.CRYPTO_FUTURE: 25.0,
}


def resolution_span(resolution: Any) -> timedelta:
    """Length of one bar of `resolution` (zero for ticks)."""
    return _RESOLUTION_SPANS.get(resolution, timedelta(0))


def default_leverage(security_type: Any) -> float:
    """LEAN's default brokerage leverage for a margin account: equity 2, forex/CFD 50, crypto 1, others 1."""
    return _DEFAULT_LEVERAGE.get(security_type, 1.0)


class EngineClock:
    """A settable clock (`utc_time`, naive UTC) for securities used outside an algorithm."""

    def __init__(self, utc_time: datetime = datetime(1998, 1, 1)) -> None:
        self.utc_time = utc_time


class SubscriptionInfo(NamedTuple):
    """What the fill models need to know about one subscription of a security."""

    data_type: type
    resolution: Any
    is_internal: bool = False
    extended_market_hours: bool = False


class DefaultSymbolProperties(DualCase):
    """LEAN's default symbol properties (lot 1, multiplier 1, USD, tick 0.01) for symbols not in the database."""

    __slots__ = ("description", "quote_currency", "contract_multiplier", "minimum_price_variation", "lot_size",
                 "market_ticker", "minimum_order_size")

    def __init__(self, quote_currency: str = "USD", lot_size: float = 1.0, contract_multiplier: float = 1.0,
                 minimum_price_variation: float = 0.01) -> None:
        self.description = ""
        self.quote_currency = quote_currency
        self.contract_multiplier = contract_multiplier
        self.minimum_price_variation = minimum_price_variation
        self.lot_size = lot_size
        self.market_ticker = ""
        self.minimum_order_size: float | None = None


def _time_zone(hours: Any) -> ZoneInfo:
    zone = hours.time_zone
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))


def market_always_open(hours: Any) -> bool:
    """Whether exchange hours never close (LEAN's `IsMarketAlwaysOpen`), whichever spelling the hours object uses."""
    for name in ("is_market_always_open", "always_open"):
        flag = getattr(hours, name, None)
        if isinstance(flag, bool):
            return flag
    return False


class SecurityExchange(DualCase):
    """A security's exchange: its hours and, through the security's clock, whether it is open now."""

    hours: Any

    def __init__(self, hours: Any, security: Security) -> None:
        self.hours = hours
        self._security = security

    @property
    def time_zone(self) -> ZoneInfo:
        return _time_zone(self.hours)

    @property
    def local_time(self) -> datetime:
        return self._security.local_time

    @property
    def always_open(self) -> bool:
        return market_always_open(self.hours)

    @property
    def exchange_open(self) -> bool:
        """Open now, regular hours only."""
        return bool(self.hours.is_open(self.local_time, False))

    @property
    def closing_soon(self) -> bool:
        return not self.hours.is_open(self.local_time + timedelta(minutes=10), False)

    def date_time_is_open(self, local_time: datetime) -> bool:
        return bool(self.hours.is_open(local_time, False))

    def date_is_open(self, day: Any) -> bool:
        return bool(self.hours.is_date_open(day))

    def is_open_during_bar(self, start: datetime, end: datetime, extended_market_hours: bool) -> bool:
        return bool(self.hours.is_open_between(start, end, extended_market_hours))


_KIND_OF_TYPE: dict[type, type] = {}


def _data_kind(data_type: type) -> type:
    """The cache slot of a data type: TradeBar, QuoteBar or Tick for them and their subclasses, else the type."""
    kind = _KIND_OF_TYPE.get(data_type)
    if kind is None:
        kind = next((base for base in (TradeBar, QuoteBar, Tick) if issubclass(data_type, base)), data_type)
        _KIND_OF_TYPE[data_type] = kind
    return kind


# `SecurityCache._run`, the rows `add_row` added and not yet applied: their block (None: no rows wait), first and
# last row, the last row's bar when the feed built it, the price they leave once known without applying them, and
# whether a user feed's recorder observes them. A list rather than six attributes: `add_row` and the price rule, run
# at every step of every held security, read and write several of them together, and compiled code unpacks a list
# in a few instructions where each attribute read costs a generic lookup of some 200 (docs/engine-performance.md).
_BLOCK, _FIRST, _LAST, _BAR, _PRICE, _OBSERVED = range(6)


class _Price:
    """A price field of `SecurityCache`, read and written after the rows added since the last read are applied."""

    __slots__ = ("storage",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.storage = "_" + name

    def __get__(self, cache: Any, owner: type | None = None) -> Any:
        if cache is None:
            return self
        if cache._run[_BLOCK] is not None:
            cache._apply_run()
        return cache.__dict__[self.storage]

    def __set__(self, cache: Any, value: float) -> None:
        if cache._run[_BLOCK] is not None:
            cache._apply_run()
        cache.__dict__[self.storage] = value


def current_price(cache: SecurityCache) -> float:
    """`SecurityCache.price`: while rows wait, the price they leave, known without applying them (memoised in
    the run's entry until the next row); the rows stay waiting. That price is the run's last row's close when that row
    sets it (the close is not zero, and the row does not keep an earlier quote bar's OHLC, which only a run's first
    row can: end times increase within a block; `_add_trade_prices`, `_add_quote_prices`), else the close of the
    state the block leaves when that state is what applying the rows would give (`_applicable_state`). Read at every
    revaluation of every position (called directly there, without the attribute's descriptor), so the rule is written
    out here rather than in helper methods."""
    run = cache._run
    block, first, last, _bar, price, _observed = run
    if block is None:
        return cache._price
    if price is None:
        closes = block.closes
        price = (closes if closes is not None else block.load_closes())[last]  # `BarBlock.close`, inline
        # `_keeps_ohlc` asked only after a quote bar (the one way a row can keep an earlier bar's OHLC)
        if not price or (last == first and cache._last_quote_bar_end is not None
                         and cache._keeps_ohlc(block, first)):
            state = cache._applicable_state(block, first, last)
            if state is None:
                cache._apply_run()
                return cache._price
            price = state[5]  # the close, which `_apply_run` makes the price
        run[_PRICE] = price
    return price


class _CurrentPrice(_Price):
    """`SecurityCache.price` (`current_price`)."""

    __slots__ = ()

    def __get__(self, cache: Any, owner: type | None = None) -> Any:
        return self if cache is None else current_price(cache)


class _QuotePrice(_Price):
    """A quote field of `SecurityCache` (bid/ask price and size): only quote bars and ticks set it, so rows of a
    trade-bar block waiting to be applied cannot change it and stay waiting."""

    __slots__ = ()

    def __get__(self, cache: Any, owner: type | None = None) -> Any:
        if cache is None:
            return self
        block = cache._run[_BLOCK]
        if block is not None and block.data_type is not TradeBar:
            cache._apply_run()
        return cache.__dict__[self.storage]


class _Close(_Price):
    """`SecurityCache.close`: while rows wait, the price they leave when it is known without applying them (that
    price is the close the rows leave: `_CurrentPrice`); otherwise the rows are applied."""

    __slots__ = ()

    def __get__(self, cache: Any, owner: type | None = None) -> Any:
        if cache is None:
            return self
        if cache._run[_BLOCK] is not None:
            price = current_price(cache)
            if cache._run[_BLOCK] is not None:  # still waiting: the price was known without applying the rows
                return price
        return cache._close


_CURRENT_PRICE = _CurrentPrice()


class SecurityCache(DualCase):
    """Latest prices and data of a security. Fill-forward points are ignored, as in LEAN's SecurityCache.

    Rows of one block added one after another (`add_row`) are applied when something reads the cache: the feed
    adds a row per security and time step, and most of them are never looked at."""

    price = _CURRENT_PRICE
    open = _Price()
    high = _Price()
    low = _Price()
    close = _Close()
    volume = _Price()
    bid_price = _QuotePrice()
    ask_price = _QuotePrice()
    bid_size = _QuotePrice()
    ask_size = _QuotePrice()

    is_valued: bool

    def __init__(self) -> None:
        self._run: list[Any] = [None, 0, 0, None, None, False]  # indexed by `_BLOCK` ... `_OBSERVED`
        self._path: MutableSequence[float] | None = None
        self._price = 0.0
        self._open = 0.0
        self._high = 0.0
        self._low = 0.0
        self._close = 0.0
        self._volume = 0.0
        self._bid_price = 0.0
        self._ask_price = 0.0
        self._bid_size = 0.0
        self._ask_size = 0.0
        # a (block, row) pair stands for the bar of a row added by `add_row` until somebody reads it
        self._last_data: BaseData | tuple[Any, int] | None = None
        self._by_type: dict[type, BaseData | tuple[Any, int]] = {}
        self._last_quote_bar_end: datetime | None = None
        self._last_ohlc_end: datetime | None = None
        self.is_valued = False

    def set_valued(self, valued: bool) -> None:
        """Engine use: whether a position makes this price part of portfolio values, so that price changes must
        advance VALUATION_VERSION (prices of securities not held leave cached portfolio values valid)."""
        self.is_valued = valued

    def add_data(self, data: BaseData) -> None:
        """Store a data point and update prices (skipped entirely for fill-forward points)."""
        if data.is_fill_forward:
            return
        if self.is_valued:
            VALUATION_VERSION.count += 1
        if self._run[_BLOCK] is not None:
            self._apply_run()
        kind = type(data)
        if kind is not TradeBar and kind is not QuoteBar:  # the two kinds of nearly every point, checked inline
            kind = _data_kind(kind)
        self._by_type[kind] = data
        end_time = data.end_time
        if kind is not TradeBar or self._last_quote_bar_end != end_time or self._last_data is None:
            self._last_data = data
        if kind is TradeBar:
            bar: Any = data
            self._add_trade_prices(end_time, bar.open, bar.high, bar.low, bar.value, bar.volume)
        elif kind is QuoteBar:
            open_, high, low, bid_close, ask_close = data._prices()  # type: ignore[attr-defined]
            self._add_quote_prices(end_time, open_, high, low, data.value, bid_close, ask_close,
                                   data.last_bid_size, data.last_ask_size)  # type: ignore[attr-defined]
        elif kind is Tick:
            self._add_tick(data)
        elif data.price != 0:
            self._price = float(data.price)

    def set_recorder(self, path: MutableSequence[float] | None) -> None:
        """Engine use (the trade builder, while the symbol has an open position): from now on, append to `path` the
        price this cache holds after each observed point (`add_row(..., observed=True)`, `add_observed_data`), in
        order, as the points are applied. The rows added so far are applied first, for the path they were added
        under."""
        if self._run[_BLOCK] is not None:
            self._apply_run()
        self._path = path

    def apply_pending(self) -> None:
        """Apply the rows added since the last read now (so that the recorder's path has them)."""
        if self._run[_BLOCK] is not None:
            self._apply_run()

    def add_observed_data(self, data: BaseData) -> None:
        """`add_data` for a point of a user feed: the recorder, if any, sees the price it leaves."""
        self.add_data(data)
        if self._path is not None and not data.is_fill_forward:
            self._path.append(self._price)

    def add_row(self, block: Any, row: int, bar: BaseData | None = None, observed: bool = False) -> None:
        """`add_data` for row `row` of a reader's `BarBlock` (a TradeBar or QuoteBar that is not fill-forward),
        applied when the cache is next read (`_apply_run`; rows of one block come in order, none skipped): the bar
        object is built only if `get_data` asks for it, unless `bar`, the row's bar already built for the algorithm,
        is given to be kept. The recorder's path gets the price after each row of an `observed` block (rows of a
        user feed) as it is applied. A held security's row advances the valuation version."""
        run = self._run
        if block is not run[_BLOCK]:
            if run[_BLOCK] is not None:
                self._apply_run()
            run[_BLOCK] = block
            run[_FIRST] = row
            run[_OBSERVED] = observed
        run[_LAST] = row
        run[_BAR] = bar
        run[_PRICE] = None
        if self.is_valued:
            VALUATION_VERSION.count += 1

    def _applicable_state(self, block: Any, first: int, last: int) -> tuple[Any, ...] | None:
        """The block's state at `last` (`BarBlock.cache_state`) when it is the cache after rows `first`..`last`:
        every price of the state comes from a row of the run that sets it, and the run does not start with a row
        keeping an earlier quote bar's OHLC; else None."""
        state: tuple[Any, ...] = block.cache_state(last)
        complete_from = state[0]
        if complete_from > first or (complete_from == last and (
                self._last_quote_bar_end != state[1] or self._last_ohlc_end != state[1])):
            return state
        return None

    def _apply_run(self) -> None:
        """Apply the rows added since the last read, as adding them one by one would (and append the price after
        each of them to the recorder's path, when it observes them). It changes no valuation version: `add_row`
        advanced it (a read inside a portfolio valuation must not make that valuation stale at once). When every
        price of the state the block's rows leave at the last row (`BarBlock.cache_state`) comes from a row of the
        run that sets it, that state is the cache's; otherwise all rows but the last at once (per price, the last
        non-zero value among them), then the last as `add_data` would."""
        run = self._run
        block, first, last, bar, _price, observed = run
        run[_BLOCK] = run[_BAR] = None
        path = self._path if observed else None
        if path is not None and last > first:
            changes_from = first + 1 if self._keeps_ohlc(block, first) else first
            path.extend(block.price_path(changes_from, first, last - 1, self._price))
        reference: Any = (block, last) if bar is None else bar
        state = self._applicable_state(block, first, last)
        if state is not None:
            end = state[1]
            self._last_ohlc_end = end
            if block.data_type is TradeBar:
                _, _, self._open, self._high, self._low, self._close, self._volume = state
                self._by_type[TradeBar] = reference
                if self._last_quote_bar_end != end or self._last_data is None:
                    self._last_data = reference
            else:
                (_, _, self._open, self._high, self._low, self._close, self._bid_price, self._ask_price,
                 self._bid_size, self._ask_size) = state
                self._last_quote_bar_end = end
                self._by_type[QuoteBar] = self._last_data = reference
            self._price = self._close
        else:
            self._apply_in_general(block, first, last, reference)
        if path is not None:
            path.append(self._price)

    def _keeps_ohlc(self, block: Any, row: int) -> bool:
        """Whether row `row` of `block`, applied next, keeps the OHLC of an earlier quote bar with its end time (the
        rule `_add_trade_prices` and `_add_quote_prices` apply to a bar)."""
        quote_end = self._last_quote_bar_end
        return quote_end is not None and quote_end == self._last_ohlc_end and block.end_time(row) == quote_end

    def _apply_in_general(self, block: Any, first: int, last: int, reference: Any) -> None:
        """`_apply_run` by the rules of adding rows one by one: rows `first`..`last` - 1 at once, then the last."""
        if last > first:
            self._apply_rows(block, first, last - 1)
        entry = block.cache_row(last)
        if block.data_type is not TradeBar:
            self._by_type[QuoteBar] = self._last_data = reference
            self._add_quote_prices(*entry)
            return
        self._by_type[TradeBar] = reference
        if self._last_quote_bar_end != entry[0] or self._last_data is None:
            self._last_data = reference
        self._add_trade_prices(*entry)

    def _apply_rows(self, block: Any, first: int, last: int) -> None:
        """Rows `first`..`last` of `block`, which a later row of the same block follows (so the data references
        they would leave are replaced anyway). Only the first row can share its end time with an earlier bar (end
        times increase within a block): it keeps that quote bar's OHLC as `_add_trade_prices` says; the prices of
        the rows after it always apply, and zero prices never do."""
        keeps_ohlc = self._keeps_ohlc(block, first)
        from_rows, values = block.last_nonzero(last)
        last_end = block.end_time(last)
        self._last_ohlc_end = last_end
        ohlc_first = first + 1 if keeps_ohlc else first
        if from_rows[0] >= ohlc_first:
            self._open = values[0]
        if from_rows[1] >= ohlc_first:
            self._high = values[1]
        if from_rows[2] >= ohlc_first:
            self._low = values[2]
        if from_rows[3] >= ohlc_first:
            self._price = self._close = values[3]
        if block.data_type is TradeBar:
            if from_rows[4] >= first:
                self._volume = values[4]
            return
        self._last_quote_bar_end = last_end
        for column, name in enumerate(("_bid_price", "_ask_price", "_bid_size", "_ask_size"), start=4):
            if from_rows[column] >= first:
                self.__dict__[name] = values[column]

    def _add_trade_prices(self, end_time: datetime, open_: float, high: float, low: float, close: float,
                          volume: float) -> None:
        """A trade bar after a quote bar with the same end time keeps the quote bar's OHLC."""
        if self._last_quote_bar_end != end_time or self._last_ohlc_end != end_time:
            self._last_ohlc_end = end_time
            self._set_ohlc(open_, high, low, close)
        if volume:
            self._volume = volume

    def _set_ohlc(self, open_: float, high: float, low: float, close: float) -> None:
        if open_:
            self._open = open_
        if high:
            self._high = high
        if low:
            self._low = low
        if close:
            self._price = close
            self._close = close

    def _add_quote_prices(self, end_time: datetime, open_: float, high: float, low: float, close: float,
                          bid_close: float, ask_close: float, bid_size: float, ask_size: float) -> None:
        if self._last_quote_bar_end != end_time or self._last_ohlc_end != end_time:
            self._last_ohlc_end = end_time
            self._set_ohlc(open_, high, low, close)
        self._last_quote_bar_end = end_time
        if ask_close:
            self._ask_price = ask_close
        if bid_close:
            self._bid_price = bid_close
        if bid_size:
            self._bid_size = bid_size
        if ask_size:
            self._ask_size = ask_size

    def _add_tick(self, tick: Any) -> None:
        if tick.value:
            self._price = tick.value
        if tick.bid_price:
            self._bid_price = tick.bid_price
        if tick.ask_price:
            self._ask_price = tick.ask_price
        if tick.quantity:
            self._volume = tick.quantity

    def apply_split(self, split_factor: float) -> None:
        """Rescale to post-split units: prices × split factor, volume and sizes ÷ it, the cached data points
        replaced by rescaled copies (the points already delivered to the algorithm stay as they were)."""
        if self._run[_BLOCK] is not None:
            self._apply_run()
        self._price *= split_factor
        self._open *= split_factor
        self._high *= split_factor
        self._low *= split_factor
        self._close *= split_factor
        self._volume /= split_factor
        self._bid_price *= split_factor
        self._ask_price *= split_factor
        self._bid_size /= split_factor
        self._ask_size /= split_factor
        self._build_pending()
        built = cast("dict[type, BaseData]", self._by_type)
        copies = {id(data): split_adjusted_copy(data, split_factor) for data in built.values()}
        self._by_type = {kind: copies[id(data)] for kind, data in built.items()}
        last = cast("BaseData | None", self._last_data)
        if last is not None:
            copy = copies.get(id(last))
            self._last_data = copy if copy is not None else split_adjusted_copy(last, split_factor)
        if self.is_valued:
            VALUATION_VERSION.count += 1

    def _build_pending(self) -> None:
        """Build the bar objects of the rows `add_row` stored (once: later reads get the same object)."""
        built: dict[int, BaseData] = {}
        for kind, data in self._by_type.items():
            if type(data) is tuple:
                built[id(data)] = self._by_type[kind] = data[0].bar(data[1])
        last = self._last_data
        if type(last) is tuple:
            self._last_data = built.get(id(last)) or last[0].bar(last[1])

    def get_data(self, data_type: type | None = None) -> Any:
        """The latest data point, or the latest of `data_type` (None when there is none)."""
        if self._run[_BLOCK] is not None:
            self._apply_run()
        if data_type is None:
            if type(self._last_data) is tuple:
                self._build_pending()
            return self._last_data
        found = self._by_type.get(data_type)
        if found is not None:
            if type(found) is tuple:
                self._build_pending()
                return self._by_type[data_type]
            return found
        for kind in self._by_type:
            if issubclass(kind, data_type):
                self._build_pending()
                return self._by_type[kind]
        return None

    def data_close(self, data_type: type) -> float | None:
        """The close of `get_data(data_type)` (None when that is None), read from the block of a row `add_row`
        stored without building the row's bar (a fill at the close needs the number, not the bar)."""
        if self._run[_BLOCK] is not None:
            self._apply_run()
        found = self._by_type.get(data_type)
        if type(found) is tuple:
            return found[0].close(found[1])  # type: ignore[no-any-return]
        data = self.get_data(data_type)
        return None if data is None else data.close  # type: ignore[no-any-return]

    def has_any_data(self) -> bool:
        """Whether any data point has arrived (`get_data() is not None`, without building the latest bar)."""
        return self._run[_BLOCK] is not None or self._last_data is not None

    def has_type(self, data_type: type) -> bool:
        return self.get_data(data_type) is not None

    def data_types(self) -> set[type]:
        if self._run[_BLOCK] is not None:
            self._apply_run()
        return set(self._by_type)


class Security(DualCase):
    """One tradable asset: symbol, exchange, price cache, holdings and its fee/fill/margin models."""

    cache: SecurityCache
    data_normalization_mode: Any
    exchange: SecurityExchange
    explicit_leverage: bool
    fee_model: Any
    fill_model: Any
    holdings: SecurityHolding
    is_delisted: bool
    is_tradable: bool
    quote_currency: Cash
    slippage_model: Any
    subscriptions: list[SubscriptionInfo]
    symbol: Any
    symbol_properties: Any
    type: Any

    def __init__(self, symbol: Any, exchange_hours: Any, symbol_properties: Any = None,
                 security_type: Any = None, clock: Any = None, leverage: float | None = None,
                 fee_model: Any = None, fill_model: Any = None, quote_currency: Cash | None = None) -> None:
        self.symbol = symbol
        self.type = security_type if security_type is not None else symbol.security_type
        self.symbol_properties = symbol_properties or DefaultSymbolProperties()
        self.quote_currency = quote_currency or Cash(self.symbol_properties.quote_currency, 0.0, 1.0)
        self.exchange = SecurityExchange(exchange_hours, self)
        self._zone = _time_zone(exchange_hours)
        self._clock = clock or EngineClock()
        self._local_cache: tuple[datetime, datetime] | None = None
        self.cache = SecurityCache()
        self.holdings = SecurityHolding(self)
        self.explicit_leverage = bool(leverage)
        self.buying_power_model = SecurityMarginModel(leverage if leverage else default_leverage(self.type))
        self.fee_model: Any = fee_model or default_fee_model(self.type)
        self.fill_model: Any = fill_model or (EquityFillModel() if self.type == SecurityType.EQUITY
                                              else FillModel())
        self.slippage_model: Any = None
        self.subscriptions: list[SubscriptionInfo] = []
        self._daily_only_override: bool | None = None
        self.is_tradable = True
        self.is_delisted = False
        self.data_normalization_mode: Any = (DataNormalizationMode.ADJUSTED if self.type == SecurityType.EQUITY
                                             else DataNormalizationMode.RAW)

    # --- time -------------------------------------------------------------------------------------------------
    def set_clock(self, clock: Any) -> None:
        self._clock = clock
        self._local_cache = None

    @property
    def utc_time(self) -> datetime:
        return self._clock.utc_time

    @property
    def local_time(self) -> datetime:
        utc_time = self._clock.utc_time
        cached = self._local_cache
        if cached is not None and cached[0] == utc_time:
            return cached[1]
        local = utc_to_local(utc_time, self._zone)
        self._local_cache = (utc_time, local)
        return local

    @property
    def exchange_hours(self) -> Any:
        return self.exchange.hours

    def is_market_open(self, extended_market_hours: bool = False) -> bool:
        return bool(self.exchange.hours.is_open(self.local_time, extended_market_hours))

    # --- subscriptions ----------------------------------------------------------------------------------------
    def add_subscription(self, data_type: type, resolution: Any, is_internal: bool = False,
                         extended_market_hours: bool = False) -> None:
        self.subscriptions.append(SubscriptionInfo(data_type, resolution, is_internal, extended_market_hours))

    @property
    def _user_resolutions(self) -> list[Any]:
        return [info.resolution for info in self.subscriptions if not info.is_internal]

    @property
    def is_daily_resolution_only(self) -> bool:
        if self._daily_only_override is not None:
            return self._daily_only_override
        resolutions = self._user_resolutions
        return bool(resolutions) and all(resolution == Resolution.DAILY for resolution in resolutions)

    @is_daily_resolution_only.setter
    def is_daily_resolution_only(self, value: bool) -> None:
        self._daily_only_override = bool(value)

    @property
    def has_coarse_subscriptions_only(self) -> bool:
        """All user subscriptions are Hour/Daily (LEAN's `ShouldWaitForFreshData`)."""
        resolutions = self._user_resolutions
        if not resolutions:
            return bool(self._daily_only_override)
        return all(resolution in (Resolution.HOUR, Resolution.DAILY) for resolution in resolutions)

    @property
    def finest_resolution_span(self) -> timedelta:
        resolutions = [info.resolution for info in self.subscriptions]
        if not resolutions:
            return timedelta(days=1) if self._daily_only_override else timedelta(0)
        return min(resolution_span(resolution) for resolution in resolutions)

    def subscribed_types(self) -> set[type]:
        """Data types of the subscriptions, or the types received so far when none were registered."""
        if self.subscriptions:
            return {info.data_type for info in self.subscriptions}
        return self.cache.data_types()

    def is_subscribed_to(self, data_type: type) -> bool:
        return covers(self.subscribed_types(), data_type)

    # --- data and prices --------------------------------------------------------------------------------------
    def update(self, data: BaseData | Iterable[BaseData]) -> None:
        """Feed new data; fill-forward points never change prices."""
        if isinstance(data, BaseData):
            self.cache.add_data(data)
            return
        points: Iterable[BaseData] = data
        for point in points:
            self.cache.add_data(point)

    set_market_price = update

    def get_last_data(self) -> Any:
        return self.cache.get_data()

    def apply_split(self, split_factor: float) -> None:
        """Rescale the cached prices and data to post-split units (`SecurityCache.apply_split`)."""
        self.cache.apply_split(split_factor)

    @property
    def has_data(self) -> bool:
        return self.cache.has_any_data()

    @property
    def price(self) -> float:
        return current_price(self.cache)

    @property
    def close(self) -> float:
        return self.cache.close

    @property
    def open(self) -> float:
        return self.cache.open

    @property
    def high(self) -> float:
        return self.cache.high

    @property
    def low(self) -> float:
        return self.cache.low

    @property
    def volume(self) -> float:
        return self.cache.volume

    @property
    def bid_price(self) -> float:
        return self.cache.bid_price

    @property
    def ask_price(self) -> float:
        return self.cache.ask_price

    # --- models -----------------------------------------------------------------------------------------------
    @property
    def invested(self) -> bool:
        return self.holdings.invested

    @property
    def leverage(self) -> float:
        return float(self.buying_power_model.get_leverage(self))

    def set_leverage(self, leverage: float) -> None:
        self.buying_power_model.set_leverage(self, leverage)

    @property
    def margin_model(self) -> Any:
        """LEAN's older name of `buying_power_model`, readable and settable."""
        return self.buying_power_model

    @margin_model.setter
    def margin_model(self, model: Any) -> None:
        self.buying_power_model = model

    @property
    def buying_power_model(self) -> Any:
        return self._buying_power_model

    @buying_power_model.setter
    def buying_power_model(self, model: Any) -> None:
        self._buying_power_model = model
        VALUATION_VERSION.count += 1  # cached margin totals depend on it

    def set_buying_power_model(self, model: Any) -> None:
        self.buying_power_model = model

    set_margin_model = set_buying_power_model

    def set_fee_model(self, model: Any) -> None:
        self.fee_model = model

    def set_fill_model(self, model: Any) -> None:
        self.fill_model = model

    def set_slippage_model(self, model: Any) -> None:
        self.slippage_model = model

    def set_data_normalization_mode(self, mode: Any) -> None:
        self.data_normalization_mode = mode

    def __repr__(self) -> str:
        return str(getattr(self.symbol, "value", self.symbol))


class CallableList(list[Any]):
    """A list that can also be called, so `manager.keys` (C# property style) and `manager.keys()` both work."""

    def __call__(self) -> CallableList:
        return self


class SymbolKeyedCollection(DualCase):
    """A dictionary keyed by Symbol that also accepts ticker strings (LEAN converts them via the SymbolCache)."""

    def __init__(self) -> None:
        self._items: dict[Any, Any] = {}
        self._by_ticker: dict[str, Any] = {}

    def _store(self, symbol: Any, value: Any) -> None:
        self._items[symbol] = value
        self._by_ticker[str(getattr(symbol, "value", symbol)).upper()] = symbol

    def resolve_symbol(self, key: Any) -> Any:
        """The stored Symbol for a Symbol or ticker string, or None."""
        if isinstance(key, str):
            return self._by_ticker.get(key.upper())
        return key if key in self._items else None

    def _missing(self, key: Any) -> KeyError:
        return KeyError(f"'{key}' was not found in {type(self).__name__}: add it first (add_equity/add_data/...)")

    def _lookup(self, key: Any) -> Any:
        if type(key) is Symbol:  # the usual key: one dictionary probe
            found = self._items.get(key, _ABSENT)
            if found is not _ABSENT:
                return found
        symbol = self.resolve_symbol(key)
        if symbol is None:
            raise self._missing(key)
        return self._items[symbol]

    def __contains__(self, key: object) -> bool:
        return self.resolve_symbol(key) is not None

    def contains_key(self, key: Any) -> bool:
        return key in self

    def __len__(self) -> int:
        return len(self._items)

    @property
    def count(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[KeyValuePair]:
        return (KeyValuePair(key, self._value_of(key)) for key in list(self._items))

    def _value_of(self, symbol: Any) -> Any:
        return self._items[symbol]

    @property
    def keys(self) -> CallableList:
        return CallableList(self._items)

    @property
    def values(self) -> CallableList:
        return CallableList(self._value_of(symbol) for symbol in self._items)

    def items(self) -> list[tuple[Any, Any]]:
        return [(symbol, self._value_of(symbol)) for symbol in self._items]

    def get(self, key: Any, default: Any = None) -> Any:
        symbol = self.resolve_symbol(key)
        return default if symbol is None else self._value_of(symbol)

    def try_get_value(self, key: Any) -> tuple[bool, Any]:
        symbol = self.resolve_symbol(key)
        return (False, None) if symbol is None else (True, self._value_of(symbol))


class SecurityManager(SymbolKeyedCollection):
    """`self.securities`: Symbol (or ticker) → Security. `security_initializer`, when set, runs on each added
    security (the brokerage model's defaults)."""

    composition: int
    security_initializer: Callable[[Security], None] | None

    def __init__(self) -> None:
        super().__init__()
        self.security_initializer: Callable[[Security], None] | None = None
        self.composition = 0
        """Counts the securities added, replaced and removed (what caches over the securities depend on)."""

    def add(self, security: Security) -> Security:
        if self.security_initializer is not None:
            self.security_initializer(security)
        self._store(security.symbol, security)
        self.composition += 1
        VALUATION_VERSION.count += 1
        return security

    def __setitem__(self, symbol: Any, security: Security) -> None:
        self._store(symbol, security)
        self.composition += 1
        VALUATION_VERSION.count += 1

    def __getitem__(self, key: Any) -> Security:
        if type(key) is Symbol:  # the usual key, read per step by algorithms: one dictionary probe, no further call
            security = self._items.get(key)
            if security is not None:
                return security  # type: ignore[no-any-return]
        return self._lookup(key)  # type: ignore[no-any-return]

    def remove(self, key: Any) -> bool:
        symbol = self.resolve_symbol(key)
        if symbol is None:
            return False
        del self._items[symbol]
        self._by_ticker.pop(str(getattr(symbol, "value", symbol)).upper(), None)
        self.composition += 1
        VALUATION_VERSION.count += 1
        return True

    @property
    def total(self) -> list[Security]:
        return list(self._items.values())
