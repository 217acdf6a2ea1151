"""Market data points as LEAN hands them to an algorithm: BaseData, TradeBar, QuoteBar (with its Bar sides) and Tick.

Times are naive datetimes in the security's exchange time zone, as LEAN presents them. Each point also carries
`end_time_utc` (naive UTC), which the engine uses to merge subscriptions; readers set it, user code never needs it.
"""

from __future__ import annotations

import operator
from datetime import datetime, timedelta
from typing import Any

from ..enums import TickType
from ..naming import DualCase, lean_enum

MarketDataType = lean_enum(
    "MarketDataType",
    {"Base": 0, "TradeBar": 1, "Tick": 2, "Auxiliary": 3, "QuoteBar": 4, "OptionChain": 5, "FuturesChain": 6},
)

_NO_TIME = datetime(1, 1, 1)
_ZERO = timedelta(0)


_SLOT_NAMES: dict[type, tuple[str, ...]] = {}

# `price` and `close` read `value` through a C getter: no Python frame for the most read fields of a bar
_read_value = operator.attrgetter("value")


def _slot_names(cls: type) -> tuple[str, ...]:
    """Every slot of `cls` and its bases (memoised per class)."""
    names = _SLOT_NAMES.get(cls)
    if names is None:
        names = tuple(slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())
                      if slot not in ("__dict__", "__weakref__"))
        _SLOT_NAMES[cls] = names
    return names


class BaseData(DualCase):
    """One data point: `symbol`, `time` (start), `end_time` (when it is emitted), `value` (= `price`)."""

    __slots__ = ("symbol", "time", "end_time", "value", "is_fill_forward", "end_time_utc")

    data_type: Any = MarketDataType["BASE"]

    def __init__(self, time: datetime = _NO_TIME, end_time: datetime | None = None, symbol: Any = None,
                 value: float = 0.0) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time if end_time is None else end_time
        self.value = value
        self.is_fill_forward = False
        self.end_time_utc: datetime | None = None

    price = property(_read_value, doc="The point's value.")

    @property
    def period(self) -> timedelta:
        return self.end_time - self.time

    def clone(self, fill_forward: bool = False) -> BaseData:
        """A shallow copy of every set field (and instance dict of subclasses), flagged fill-forward when asked."""
        cls = type(self)
        copy = object.__new__(cls)
        for name in _slot_names(cls):
            try:
                value = object.__getattribute__(self, name)
            except AttributeError:  # a slot never set (e.g. a QuoteBar's packed sides)
                continue
            object.__setattr__(copy, name, value)
        if cls.__dictoffset__:  # a subclass without __slots__ keeps extra fields in an instance dict
            copy.__dict__.update(object.__getattribute__(self, "__dict__"))
        copy.is_fill_forward = fill_forward
        return copy

    def __repr__(self) -> str:
        return f"{self.symbol}: {self.value}"


class TradeBar(BaseData):
    """OHLCV bar; `close` is the point's `value`. Constructor mirrors LEAN: (time, symbol, open, high, low, close,
    volume, period)."""

    __slots__ = ("open", "high", "low", "volume")

    data_type = MarketDataType["TRADE_BAR"]

    def __init__(self, time: datetime = _NO_TIME, symbol: Any = None, open: float = 0.0, high: float = 0.0,
                 low: float = 0.0, close: float = 0.0, volume: float = 0.0,
                 period: timedelta | None = None) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time + (period if period is not None else timedelta(minutes=1))
        self.value = close
        self.is_fill_forward = False
        self.end_time_utc = None
        self.open = open
        self.high = high
        self.low = low
        self.volume = volume

    def _write_close(self, close: float) -> None:
        self.value = close

    close = property(_read_value, _write_close, doc="The bar's close: its value.")

    def clone(self, fill_forward: bool = False) -> BaseData:
        if type(self) is not TradeBar:
            return super().clone(fill_forward)
        # field by field: the feed clones a bar for every fill-forward point
        copy = object.__new__(TradeBar)
        copy.symbol = self.symbol
        copy.time = self.time
        copy.end_time = self.end_time
        copy.end_time_utc = self.end_time_utc
        copy.value = self.value
        copy.is_fill_forward = fill_forward
        copy.open = self.open
        copy.high = self.high
        copy.low = self.low
        copy.volume = self.volume
        return copy

    def __repr__(self) -> str:
        return (f"{self.symbol}: O: {self.open:.2f} H: {self.high:.2f} L: {self.low:.2f} C: {self.value:.2f} "
                f"V: {self.volume:.2f}")


class Bar(DualCase):
    """One side (bid or ask) of a quote bar."""

    __slots__ = ("open", "high", "low", "close")

    def __init__(self, open: float = 0.0, high: float = 0.0, low: float = 0.0, close: float = 0.0) -> None:
        self.open = open
        self.high = high
        self.low = low
        self.close = close

    def __repr__(self) -> str:
        return f"O: {self.open} H: {self.high} L: {self.low} C: {self.close}"


def _mid(bid: float | None, ask: float | None) -> float:
    """Mid of the two sides when both exist (bid+ask)/2, else the side present, else 0 (LEAN's QuoteBar rule)."""
    if bid is not None and ask is not None:
        return (bid + ask) / 2.0
    if bid is not None:
        return bid
    return ask if ask is not None else 0.0


class _PackedSide:
    """Marker in a QuoteBar's `_bid`/`_ask` slots: the sides are still packed in `_sides`."""

    __slots__ = ()


PACKED_SIDE: Any = _PackedSide()


class QuoteBar(BaseData):
    """Bid and ask bars; `open/high/low/close` are the mids (or the side present), `value` = `close`.

    Constructor mirrors LEAN: (time, symbol, bid, last_bid_size, ask, last_ask_size, period).
    Readers may instead leave the sides packed in `_sides` (bid O,H,L,C,size, ask O,H,L,C,size; NaN open = side
    absent), or as `_packed_row` = (a read-only array of such rows, the row's index) from which `_sides` is taken
    when first needed, with `_bid`/`_ask` set to `PACKED_SIDE` (or unset): the Bar objects are then only built
    when `bid`/`ask` are first read, and `open/high/low` read the packed prices directly, which keeps reading fast.
    Readers may also give the security cache's prices precomputed in `_cache_prices` (see `_prices`).
    """

    __slots__ = ("_bid", "_ask", "_sides", "_packed_row", "_cache_prices", "last_bid_size", "last_ask_size")
    _bid: Bar | None
    _ask: Bar | None
    _sides: list[float]
    _packed_row: tuple[Any, int]
    _cache_prices: tuple[float, float, float, float, float]

    data_type = MarketDataType["QUOTE_BAR"]

    def __init__(self, time: datetime = _NO_TIME, symbol: Any = None, bid: Bar | None = None,
                 last_bid_size: float = 0.0, ask: Bar | None = None, last_ask_size: float = 0.0,
                 period: timedelta | None = None) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time + (period if period is not None else timedelta(minutes=1))
        self.is_fill_forward = False
        self.end_time_utc = None
        self._bid = bid
        self._ask = ask
        self.last_bid_size = last_bid_size
        self.last_ask_size = last_ask_size
        self.value = _mid(bid.close if bid else None, ask.close if ask else None)

    def _packed_sides(self) -> list[float]:
        try:
            return self._sides
        except AttributeError:
            rows, index = self._packed_row
            sides = self._sides = rows[index].tolist()
            del self._packed_row  # the bar no longer keeps its file's rows alive
            return sides

    def _unpack_sides(self) -> None:
        sides = self._packed_sides()
        self._bid = Bar(sides[0], sides[1], sides[2], sides[3]) if sides[0] == sides[0] else None
        self._ask = Bar(sides[5], sides[6], sides[7], sides[8]) if sides[5] == sides[5] else None

    def _is_packed(self) -> bool:
        """True while the sides live only in `_sides` (readers mark this with PACKED_SIDE; hand-built packed
        bars leave the slots unset)."""
        try:
            return self._bid is PACKED_SIDE
        except AttributeError:
            return True

    @property
    def bid(self) -> Bar | None:
        if self._is_packed():
            self._unpack_sides()
        return self._bid

    @bid.setter
    def bid(self, side: Bar | None) -> None:
        if self._is_packed():
            self._unpack_sides()
        self._bid = side

    @property
    def ask(self) -> Bar | None:
        if self._is_packed():
            self._unpack_sides()
        return self._ask

    @ask.setter
    def ask(self, side: Bar | None) -> None:
        if self._is_packed():
            self._unpack_sides()
        self._ask = side

    def _packed_mid(self, offset: int) -> float:
        """Mid of the packed bid/ask prices at `offset` (0 open, 1 high, 2 low) under LEAN's side-presence rule."""
        sides = self._packed_sides()
        has_bid, has_ask = sides[0] == sides[0], sides[5] == sides[5]
        return _mid(sides[offset] if has_bid else None, sides[5 + offset] if has_ask else None)

    @property
    def open(self) -> float:
        if self._is_packed():
            return self._packed_mid(0)
        bid, ask = self._bid, self._ask
        return _mid(bid.open if bid else None, ask.open if ask else None)

    @property
    def high(self) -> float:
        if self._is_packed():
            return self._packed_mid(1)
        bid, ask = self._bid, self._ask
        return _mid(bid.high if bid else None, ask.high if ask else None)

    @property
    def low(self) -> float:
        if self._is_packed():
            return self._packed_mid(2)
        bid, ask = self._bid, self._ask
        return _mid(bid.low if bid else None, ask.low if ask else None)

    def _prices(self) -> tuple[float, float, float, float, float]:
        """(open, high, low, bid close, ask close) in one read, for the security cache: open/high/low are the
        mids (bid+ask)/2 or the side present, a close is 0 for an absent side. Packed sides stay packed."""
        if self._is_packed():
            try:
                return self._cache_prices
            except AttributeError:
                pass
            sides = self._packed_sides()
            if sides[0] == sides[0]:
                if sides[5] == sides[5]:
                    return ((sides[0] + sides[5]) / 2.0, (sides[1] + sides[6]) / 2.0, (sides[2] + sides[7]) / 2.0,
                            sides[3], sides[8])
                return sides[0], sides[1], sides[2], sides[3], 0.0
            if sides[5] == sides[5]:
                return sides[5], sides[6], sides[7], 0.0, sides[8]
            return 0.0, 0.0, 0.0, 0.0, 0.0
        bid, ask = self.bid, self.ask
        return (self.open, self.high, self.low, bid.close if bid is not None else 0.0,
                ask.close if ask is not None else 0.0)

    close = property(_read_value, doc="The close: the bar's value (the mid of the closes, or the side present).")

    def clone(self, fill_forward: bool = False) -> BaseData:
        """A copy whose bid/ask Bars are copies too (consolidators mutate sides), as LEAN's QuoteBar.Clone."""
        copy = super().clone(fill_forward)
        assert isinstance(copy, QuoteBar)
        for name in ("_bid", "_ask"):
            try:
                side = object.__getattribute__(self, name)
            except AttributeError:
                continue
            if side is not None and side is not PACKED_SIDE:
                object.__setattr__(copy, name, Bar(side.open, side.high, side.low, side.close))
        return copy

    def __repr__(self) -> str:
        return f"{self.symbol}: Bid: {self.bid} Ask: {self.ask}"


class Tick(BaseData):
    """A trade or quote tick. `value` is the trade price, or the mid of bid/ask for quote ticks."""

    __slots__ = ("tick_type", "quantity", "bid_price", "ask_price", "bid_size", "ask_size", "exchange",
                 "sale_condition", "suspicious")

    data_type = MarketDataType["TICK"]

    def __init__(self, time: datetime = _NO_TIME, symbol: Any = None, value: float = 0.0, quantity: float = 0.0,
                 tick_type: Any = TickType["TRADE"], bid_price: float = 0.0, ask_price: float = 0.0,
                 bid_size: float = 0.0, ask_size: float = 0.0) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time
        self.is_fill_forward = False
        self.end_time_utc = None
        self.tick_type = tick_type
        self.quantity = quantity
        self.bid_price = bid_price
        self.ask_price = ask_price
        self.bid_size = bid_size
        self.ask_size = ask_size
        self.exchange = ""
        self.sale_condition = ""
        self.suspicious = False
        if tick_type == TickType["QUOTE"] and not value:
            value = _mid(bid_price or None, ask_price or None)
        self.value = value

    @property
    def last_price(self) -> float:
        return self.value

    @property
    def period(self) -> timedelta:
        return _ZERO
