"""LEAN's TradeBuilder: closed trades from fills, and the TradeStatistics of a list of trades.

The engine feeds a :class:`TradeBuilder` as LEAN's engine does:

* ``process_fill(fill, conversion_rate, fee_in_account_currency, multiplier)`` for every (partial) fill, after the
  portfolio has applied it;
* ``set_market_price(symbol, price)`` after every security price update (it drives MAE, MFE and the end-trade
  drawdown; it returns at once when no trade is open for the symbol). The engine does this without a call per
  price: ``record_trade_fill`` makes the builder ``track_security`` of every fill, and while a FillToFill position
  is open the security's cache appends the prices of the user feeds' points to the position's path
  (``SecurityCache.set_recorder``), as it applies them: the builder has it apply them before it reads the path.

``closed_trades`` lists the trades closed so far; positions still open are not trades. A fill is only recorded when
it arrives (with how many prices its FillToFill position had seen then); the trades are built from the recorded fills
when somebody reads them (``closed_trades``, ``has_open_position``, a split), with the same arithmetic in the same
order, so reads at any time see what building them at every fill would give. Fills are grouped into trades
by :class:`FillGroupingMethod` and matched against earlier fills by :class:`FillMatchingMethod`; LEAN's algorithms
start with FillToFill grouping and FIFO matching. Money and prices are C# decimals in LEAN and
:class:`decimal.Decimal` here (engine floats converted with 15 significant digits), so the rounded trade P&L comes
out identical. MAE, MFE and the end-trade drawdown are only tracked by FillToFill grouping (0 otherwise), as in LEAN.
"""

from __future__ import annotations

import math
import uuid
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Any, NamedTuple

import numpy as np

from .enums import DataNormalizationMode, SecurityType
from .naming import DualCase, lean_enum
from .statistics import to_decimal

__all__ = [
    "FillGroupingMethod",
    "FillMatchingMethod",
    "TimeSpan",
    "Trade",
    "TradeBuilder",
    "TradeDirection",
    "TradeFacts",
    "TradeStatistics",
    "record_trade_fill",
]

TradeDirection = lean_enum("TradeDirection", {"Long": 0, "Short": 1})
FillGroupingMethod = lean_enum("FillGroupingMethod", {"FillToFill": 0, "FlatToFlat": 1, "FlatToReduced": 2})
FillMatchingMethod = lean_enum("FillMatchingMethod", {"FIFO": 0, "LIFO": 1})

_DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)  # C# decimal
_ZERO = Decimal(0)
_ONE = Decimal(1)
_CENT = Decimal("0.01")
_TICKS_PER_SECOND = 10_000_000
_TICKS_PER_MICROSECOND = 10
_SHORT_PATH = 64  # drawdown paths up to this long are folded in Python (below numpy's call overhead), longer with numpy
_FEE_ORDER_MEMORY = 1000  # LEAN remembers the last 1000 order ids whose fee was assigned to a trade


def _money(value: Decimal) -> Decimal:
    """C# ``Math.Round(value, 2)``: banker's rounding to cents."""
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN, context=_DECIMAL_CONTEXT)


def _account_scale(conversion_rate: float, multiplier: float) -> Decimal:
    """conversion rate × contract multiplier, each converted to a decimal as C# (decimal)double does; 1 for the
    usual fill of an account-currency security without a multiplier (no conversions per fill)."""
    if conversion_rate == 1.0 and multiplier == 1.0:
        return _ONE
    return to_decimal(conversion_rate) * to_decimal(multiplier)


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


class TimeSpan(timedelta):
    """A .NET TimeSpan: a timedelta that keeps its exact count of 100 ns ticks (timedelta stops at microseconds)."""

    ticks: int

    def __new__(cls, ticks: int) -> TimeSpan:
        span = super().__new__(cls, microseconds=ticks // _TICKS_PER_MICROSECOND)
        span.ticks = ticks
        return span

    @classmethod
    def of(cls, duration: timedelta) -> TimeSpan:
        return cls((duration // timedelta(microseconds=1)) * _TICKS_PER_MICROSECOND)

    @classmethod
    def from_seconds(cls, seconds: float) -> TimeSpan:
        """.NET ``TimeSpan.FromSeconds(double)``: seconds × 10^7 truncated to whole ticks."""
        return cls(int(seconds * _TICKS_PER_SECOND))

    @property
    def total_seconds_double(self) -> float:
        """.NET ``TotalSeconds``: ticks / 10^7 as a double."""
        return self.ticks / _TICKS_PER_SECOND

    def __add__(self, other: timedelta) -> TimeSpan:  # type: ignore[override]
        return TimeSpan(self.ticks + _ticks(other))

    def __sub__(self, other: timedelta) -> TimeSpan:  # type: ignore[override]
        return TimeSpan(self.ticks - _ticks(other))

    def to_dotnet_string(self) -> str:
        """.NET's constant ("c") format, as Json.NET writes a TimeSpan: ``[-][d.]hh:mm:ss[.fffffff]``."""
        ticks = abs(self.ticks)
        days, remainder = divmod(ticks, 86_400 * _TICKS_PER_SECOND)
        seconds, fraction = divmod(remainder, _TICKS_PER_SECOND)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        text = ("-" if self.ticks < 0 else "") + (f"{days}." if days else "")
        text += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
        return text + (f".{fraction:07d}" if fraction else "")


_NO_TIME = TimeSpan(0)


def _ticks(duration: timedelta) -> int:
    return duration.ticks if isinstance(duration, TimeSpan) else TimeSpan.of(duration).ticks


@dataclass(eq=False)
class Trade(DualCase):
    """A closed trade, with LEAN's fields: prices are (average) fill prices; ``profit_loss`` is gross,
    (exit − entry) × quantity × direction sign × conversion rate × multiplier rounded to cents; ``total_fees`` is
    positive; ``mae``/``mfe`` are the worst/best excursion of the position's price range from the entry price, in
    account currency; ``end_trade_drawdown`` is the largest profit given back during the trade."""

    symbols: list[Any]
    entry_time: datetime
    entry_price: Decimal
    direction: Any
    quantity: Decimal
    exit_time: datetime
    exit_price: Decimal
    profit_loss: Decimal
    total_fees: Decimal
    mae: Decimal = _ZERO
    mfe: Decimal = _ZERO
    end_trade_drawdown: Decimal = _ZERO
    is_win: bool = False
    order_ids: set[int] = field(default_factory=set)
    id: str = ""

    @property
    def symbol(self) -> Any:
        """The first traded symbol (LEAN's obsolete single-symbol accessor)."""
        return self.symbols[0] if self.symbols else None

    @property
    def duration(self) -> TimeSpan:
        """exit_time − entry_time."""
        return TimeSpan.of(self.exit_time - self.entry_time)


@dataclass(eq=False, slots=True)
class _Fill:
    """A pending fill (a mutable copy: reductions and reversals change its quantity)."""

    order_id: int
    utc_time: datetime
    quantity: Decimal
    price: Decimal


@dataclass(eq=False, slots=True)
class _OpenTrade:
    """FillToFill: one open entry with its running drawdown. The best price seen (start: the entry) and the pair of
    prices of the largest giveback are kept as engine floats and converted once, when the trade closes. They are
    brought up to date lazily (`settle`) from the position's price path: `settled` is the absolute index of the
    first observation not yet folded in."""

    entry_time: datetime
    entry_price: Decimal
    sign: int  # +1 long, -1 short
    quantity: Decimal
    total_fees: Decimal
    order_ids: set[int]
    best_price: float
    settled: int = 0
    drawdown: float = 0.0
    drawdown_prices: tuple[float, float] | None = None

    def settle(self, prices: Sequence[float]) -> None:
        """Fold in the observations `prices` (those from `settled` on), as LEAN's TradeState.UpdateDrawdown does
        one price at a time with profit = sign × (price − entry): a price past the best becomes the best; otherwise
        the giveback sign × (best − price) may be the largest so far (the first largest is kept). A few prices are
        folded one by one, more with numpy (whose call overhead only pays off on longer paths): same results."""
        count = len(prices)
        if not count:
            return
        self.settled += count
        if count <= _SHORT_PATH:
            self.fold_each(prices)
        else:
            self.fold_vectorised(np.asarray(prices, dtype=np.float64))

    def fold_vectorised(self, prices: np.ndarray) -> None:
        """The fold with numpy: NaN propagates through the running best, and a NaN giveback (argmax picks the first
        NaN) leaves the drawdown unchanged."""
        accumulate = np.maximum.accumulate if self.sign > 0 else np.minimum.accumulate
        running_best = accumulate(np.concatenate(([self.best_price], prices)))
        best_before = running_best[:-1]
        givebacks = (best_before - prices) * self.sign
        largest = int(np.argmax(givebacks))
        if givebacks[largest] > self.drawdown:
            self.drawdown = float(givebacks[largest])
            self.drawdown_prices = (float(best_before[largest]), float(prices[largest]))
        self.best_price = float(running_best[-1])

    def fold_each(self, prices: Iterable[float]) -> None:
        """The fold one price at a time, with :meth:`fold_vectorised`'s arithmetic and NaN rules."""
        sign = self.sign
        best = self.best_price
        largest: float | None = None
        largest_prices = (best, best)
        saw_nan = False
        for price in prices:
            giveback = (best - price) * sign
            if giveback != giveback:
                saw_nan = True
            elif largest is None or giveback > largest:
                largest, largest_prices = giveback, (best, price)
            if price != price or (price >= best if sign > 0 else price <= best):
                best = price  # numpy's maximum/minimum: NaN sticks, a tie takes the new value (0.0 vs -0.0)
        if not saw_nan and largest is not None and largest > self.drawdown:
            self.drawdown = largest
            self.drawdown_prices = largest_prices
        self.best_price = best

    def rescale(self, factor: float, exact: Decimal) -> None:
        """A split: quantity ÷ factor, prices × factor (the trade must be settled first)."""
        self.quantity /= exact
        self.entry_price *= exact
        self.best_price *= factor
        self.drawdown *= factor
        if self.drawdown_prices is not None:
            self.drawdown_prices = (self.drawdown_prices[0] * factor, self.drawdown_prices[1] * factor)

    def max_drawdown(self) -> Decimal:
        if self.drawdown_prices is None:
            return _ZERO
        best, worst = self.drawdown_prices
        return (to_decimal(best) - to_decimal(worst)) * self.sign


@dataclass(eq=False, slots=True)
class _Position:
    """What a symbol has open: FillToFill trades or the other groupings' fills, the fees not yet in a trade, and
    (FillToFill) the price path since the position opened (engine floats). Every observed price is appended to
    `path` (observation number `path_start` first) and nothing else happens per price: the price range
    [`min_price`, `max_price`] takes in the observations from number `ranged` on (`fold_range`) and each trade its
    drawdown (`settle`) only when a trade closes or a split rescales them, up to the observation the fill had seen.
    `net` is the signed quantity of the fills recorded so far (FillToFill): the position is open while it is not
    zero, which is when the open trades hold a quantity."""

    min_price: float
    max_price: float
    open_trades: list[_OpenTrade] = field(default_factory=list)
    fills: list[_Fill] = field(default_factory=list)
    total_fees: Decimal = _ZERO
    path: array[float] = field(default_factory=lambda: array("d"))
    path_start: int = 0
    ranged: int = 0
    net: Decimal = _ZERO

    @property
    def observations(self) -> int:
        """The absolute index the next observed price will have."""
        return self.path_start + len(self.path)

    def fold_range(self, upto: int) -> None:
        """Widen the price range by the observations not in it yet, before number `upto`, by LEAN's per-price rule:
        a price above the high becomes the high, one below the low the low (NaN changes nothing), which is max/min
        when no price is NaN (a NaN sum tells). Each observation is folded once."""
        if self.ranged < upto:
            prices = self.path[self.ranged - self.path_start:upto - self.path_start]
            high, low = self.max_price, self.min_price
            total = sum(prices)
            if total == total:
                high, low = max(high, max(prices)), min(low, min(prices))
            else:
                for price in prices:
                    if price > high:
                        high = price
                    elif price < low:
                        low = price
            self.max_price, self.min_price = high, low
            self.ranged = upto

    def restart_range(self, price: float, upto: int) -> None:
        """The range of a reversed position starts again at the fill price (the observations before `upto` leave
        it)."""
        self.min_price = self.max_price = price
        self.ranged = upto

    def settle(self, trade: _OpenTrade, upto: int) -> None:
        """Fold the observations before number `upto` into the trade's drawdown."""
        trade.settle(self.path[trade.settled - self.path_start:upto - self.path_start])

    def forget_settled_path(self) -> None:
        """Drop the observations every open trade and the price range have folded in already."""
        keep_from = min((trade.settled for trade in self.open_trades), default=self.observations)
        keep_from = min(keep_from, self.ranged)
        if keep_from > self.path_start:
            del self.path[:keep_from - self.path_start]
            self.path_start = keep_from


class _FillValues(NamedTuple):
    """A fill as decimals, with its account-currency scale (conversion rate × contract multiplier)."""

    order_id: int
    symbol: Any
    utc_time: datetime
    quantity: Decimal
    price: Decimal
    price_float: float
    scale: Decimal

    @property
    def absolute_quantity(self) -> Decimal:
        return abs(self.quantity)


class _RecordedFill(NamedTuple):
    """A fill waiting to be built into trades: its values, the order fee it brings, and (FillToFill) its position
    with the number of prices observed when it arrived (its own price included, unless it opened the position)."""

    values: _FillValues
    order_fee: Decimal
    position: _Position | None
    observed: int


_RECORDED_FILLS_LIMIT = 4096
"""Recorded fills are built into trades at the latest when this many wait: the paths of their positions are kept
until then."""


class TradeBuilder(DualCase):
    """LEAN's TradeBuilder (see the module docstring)."""

    grouping_method: Any
    matching_method: Any

    def __init__(self, grouping_method: Any = None, matching_method: Any = None) -> None:
        self.grouping_method = FillGroupingMethod(grouping_method if grouping_method is not None else 0)
        self.matching_method = FillMatchingMethod(matching_method if matching_method is not None else 0)
        self._positions: dict[Any, _Position] = {}  # as of the fills built into trades
        self._open: dict[Any, _Position] = {}  # FillToFill: the positions the recorded fills leave open
        self._securities: dict[Any, Any] = {}  # symbol → the engine's security whose prices it records
        self._recorded: list[_RecordedFill] = []
        self._closed: list[Trade] = []
        self._orders_with_fee: dict[int, None] = {}  # insertion-ordered: the oldest id is forgotten first

    @property
    def closed_trades(self) -> list[Trade]:
        """The trades closed so far, in closing order (a copy)."""
        self._build_recorded_fills()
        return list(self._closed)

    def has_open_position(self, symbol: Any) -> bool:
        self._build_recorded_fills()
        position = self._positions.get(symbol)
        if position is None:
            return False
        if self.grouping_method == FillGroupingMethod.FILL_TO_FILL:
            return bool(position.open_trades)
        return bool(position.fills)

    def set_market_price(self, symbol: Any, price: float) -> None:
        """A new market price for ``symbol``: recorded for the open FillToFill trades' price range and drawdowns.
        Nothing to do (one dict lookup) when the symbol has no such trade."""
        position = self._open.get(symbol)
        if position is not None:
            self._take_recorded_prices(symbol)
            position.path.append(price)

    def track_security(self, security: Any) -> None:
        """Record the prices `security`'s cache observes while its symbol has an open FillToFill position (the
        engine's securities are tracked as their fills arrive: a position opens with a fill). A symbol has one
        security at a time: one tracked before for the symbol (removed and added again) records no more."""
        symbol = security.symbol
        tracked = self._securities.get(symbol)
        if tracked is not security:
            if tracked is not None:
                tracked.cache.set_recorder(None)
            self._securities[symbol] = security
            position = self._open.get(symbol)
            security.cache.set_recorder(None if position is None else position.path)

    def _take_recorded_prices(self, symbol: Any) -> None:
        """Bring the path of `symbol`'s open position up to date with the points its security has taken."""
        security = self._securities.get(symbol)
        if security is not None:
            security.cache.apply_pending()

    def _set_recorder(self, symbol: Any, path: array[float] | None) -> None:
        """Start (appending to `path`) or stop (None) recording the prices of `symbol`'s security (the points it
        took before go to the path they came under)."""
        security = self._securities.get(symbol)
        if security is not None:
            security.cache.set_recorder(path)

    def apply_split(self, split: Any, live_mode: bool, data_normalization_mode: Any) -> None:
        """A split of an equity with an open position, when prices are raw (or live): quantities ÷ split factor,
        prices, the price range and the drawdowns × split factor. Adjusted data needs nothing."""
        if split.symbol.security_type != SecurityType.EQUITY or (
                not live_mode and data_normalization_mode != DataNormalizationMode.RAW):
            return
        self._build_recorded_fills()
        position = self._positions.get(split.symbol)
        if position is None:
            return
        self._take_recorded_prices(split.symbol)
        factor = float(split.split_factor)
        exact = to_decimal(split.split_factor)
        observed = position.observations
        with localcontext(_DECIMAL_CONTEXT):
            position.fold_range(observed)
            position.min_price *= factor
            position.max_price *= factor
            for trade in position.open_trades:
                position.settle(trade, observed)
                trade.rescale(factor, exact)
            # the open/closed decision of the fills to come counts from the rescaled trades' quantity
            position.net = sum((trade.quantity * trade.sign for trade in position.open_trades), _ZERO)
            position.forget_settled_path()
            for pending in position.fills:
                pending.quantity /= exact
                pending.price *= exact

    def set_live_mode(self, live: bool) -> None:
        """LEAN caps the trade list in live mode; offline runs are backtests, so nothing changes."""

    def process_fill(self, fill: Any, security_conversion_rate: float, fee_in_account_currency: float,
                     multiplier: float = 1.0) -> None:
        """Add one fill (an OrderEvent with symbol, utc_time, order_id, fill_quantity, fill_price). An order's fee
        counts once, with its first fill. The fill is converted and recorded (FillToFill: its price observed by its
        open position); it becomes part of trades when they are read."""
        order_fee = _ZERO
        if fill.order_id not in self._orders_with_fee:
            order_fee = to_decimal(fee_in_account_currency)
            self._orders_with_fee[fill.order_id] = None
            if len(self._orders_with_fee) > _FEE_ORDER_MEMORY:
                del self._orders_with_fee[next(iter(self._orders_with_fee))]
        fill_price = fill.fill_price
        values = _FillValues(fill.order_id, fill.symbol, fill.utc_time, to_decimal(fill.fill_quantity),
                             to_decimal(fill_price), float(fill_price),
                             _account_scale(security_conversion_rate, multiplier))
        if values.quantity == 0:
            return
        if self.grouping_method == FillGroupingMethod.FILL_TO_FILL:
            position, observed = self._observe_fill(values)
            self._recorded.append(_RecordedFill(values, order_fee, position, observed))
        else:
            self._recorded.append(_RecordedFill(values, order_fee, None, 0))
        if len(self._recorded) >= _RECORDED_FILLS_LIMIT:
            self._build_recorded_fills()

    def _observe_fill(self, fill: _FillValues) -> tuple[_Position, int]:
        """FillToFill, as the fill arrives: the position it opens (its path starts after the fill price) or the
        open one, which observes the fill price and stops observing prices once the fill leaves it flat; returns
        the position and the number of prices it has observed."""
        position = self._open.get(fill.symbol)
        if position is None:
            position = self._open[fill.symbol] = _Position(fill.price_float, fill.price_float, net=fill.quantity)
            self._set_recorder(fill.symbol, position.path)
            return position, 0
        self._take_recorded_prices(fill.symbol)
        position.path.append(fill.price_float)
        position.net = _DECIMAL_CONTEXT.add(position.net, fill.quantity)
        if not position.net:
            del self._open[fill.symbol]
            self._set_recorder(fill.symbol, None)
        return position, position.observations

    def _build_recorded_fills(self) -> None:
        """Build the recorded fills into trades, in the order they arrived."""
        if not self._recorded:
            return
        recorded, self._recorded = self._recorded, []
        with localcontext(_DECIMAL_CONTEXT):
            if self.grouping_method == FillGroupingMethod.FILL_TO_FILL:
                for values, order_fee, position, observed in recorded:
                    assert position is not None  # every FillToFill fill was recorded with its position
                    self._fill_to_fill(values, order_fee, position, observed)
            elif self.grouping_method == FillGroupingMethod.FLAT_TO_FLAT:
                for values, order_fee, _position, _observed in recorded:
                    self._flat_to_flat(values, order_fee)
            else:
                for values, order_fee, _position, _observed in recorded:
                    self._flat_to_reduced(values, order_fee)

    # -- FillToFill: every entry fill is a trade, closed by opposite fills in matching order --------------------

    def _fill_to_fill(self, fill: _FillValues, order_fee: Decimal, position: _Position, observed: int) -> None:
        """Build one recorded fill of `position`, which had observed `observed` prices when the fill arrived."""
        if not position.open_trades:
            position.open_trades.append(self._open_trade(fill, fill.quantity, order_fee))
            self._positions[fill.symbol] = position
            return
        lifo = self.matching_method == FillMatchingMethod.LIFO
        index = len(position.open_trades) - 1 if lifo else 0
        if _sign(fill.quantity) == position.open_trades[index].sign:
            position.open_trades.append(self._open_trade(fill, fill.quantity, order_fee, observed))
            return
        executed = _ZERO  # signed quantity of the open trades closed so far (opposite to the fill)
        fee_assigned = False
        while position.open_trades and abs(executed) < fill.absolute_quantity:
            trade = position.open_trades[index]
            unexecuted = fill.absolute_quantity - abs(executed)
            fee = _ZERO if fee_assigned else order_fee
            if unexecuted >= trade.quantity:
                executed -= trade.quantity * trade.sign
                position.open_trades.pop(index)
                if lifo and index > 0:
                    index -= 1
                self._close_open_trade(position, trade, trade.quantity, trade.total_fees + fee, fill, observed)
            else:
                executed += unexecuted * -trade.sign
                trade.quantity -= unexecuted
                self._close_open_trade(position, trade, unexecuted, trade.total_fees + fee, fill, observed)
                trade.total_fees = _ZERO
            fee_assigned = True
        if abs(executed) == fill.absolute_quantity and not position.open_trades:
            del self._positions[fill.symbol]
            return
        if abs(executed) < fill.absolute_quantity:
            position.open_trades = [self._open_trade(fill, fill.quantity - executed, _ZERO, observed)]
            position.restart_range(fill.price_float, observed)
        position.forget_settled_path()

    @staticmethod
    def _open_trade(fill: _FillValues, quantity: Decimal, fees: Decimal, observations: int = 0) -> _OpenTrade:
        return _OpenTrade(entry_time=fill.utc_time, entry_price=fill.price, sign=_sign(quantity),
                          quantity=abs(quantity), total_fees=fees, order_ids={fill.order_id},
                          best_price=fill.price_float, settled=observations)

    def _close_open_trade(self, position: _Position, trade: _OpenTrade, quantity: Decimal, fees: Decimal,
                          fill: _FillValues, observed: int) -> None:
        """Close ``quantity`` of an open FillToFill trade at the fill, which came after `observed` prices of the
        position: P&L, MAE = worst excursion of the position's price range from the entry, MFE = best one,
        end-trade drawdown = largest giveback, all × quantity × scale."""
        scaled = quantity * fill.scale
        position.settle(trade, observed)
        position.fold_range(observed)
        low, high = to_decimal(position.min_price), to_decimal(position.max_price)
        worst, best = (low, high) if trade.sign > 0 else (high, low)
        self._add_trade(Trade(
            symbols=[fill.symbol], entry_time=trade.entry_time, entry_price=trade.entry_price,
            direction=_direction(trade.sign), quantity=quantity, exit_time=fill.utc_time, exit_price=fill.price,
            profit_loss=_money((fill.price - trade.entry_price) * trade.sign * scaled), total_fees=fees,
            mae=_money((worst - trade.entry_price) * trade.sign * scaled),
            mfe=_money((best - trade.entry_price) * trade.sign * scaled),
            end_trade_drawdown=_money(trade.max_drawdown() * scaled),
            order_ids={*trade.order_ids, fill.order_id}))

    # -- FlatToFlat: a trade runs from flat to flat; entries and exits are averaged -----------------------------

    def _flat_to_flat(self, fill: _FillValues, order_fee: Decimal) -> None:
        position = self._positions.get(fill.symbol)
        if position is None or not position.fills:
            self._positions[fill.symbol] = self._fill_position(fill, fill.quantity, order_fee)
            return
        position.fills.append(_Fill(fill.order_id, fill.utc_time, fill.quantity, fill.price))
        position.total_fees += order_fee
        if _sign(position.fills[0].quantity) == _sign(fill.quantity):
            return
        net = sum((f.quantity for f in position.fills), _ZERO)
        held = net - fill.quantity
        if net != 0 and fill.absolute_quantity <= abs(held):
            return  # reduced, still open
        fills = position.fills if self.matching_method == FillMatchingMethod.FIFO else position.fills[::-1]
        entry_quantity = exit_quantity = entry_price = exit_price = _ZERO
        for pending in fills:
            if _sign(pending.quantity) != _sign(fill.quantity):
                entry_quantity += pending.quantity
                entry_price += (pending.price - entry_price) * pending.quantity / entry_quantity
            else:
                exit_quantity += pending.quantity
                exit_price += (pending.price - exit_price) * pending.quantity / exit_quantity
        self._add_trade(Trade(
            symbols=[fill.symbol], entry_time=position.fills[0].utc_time, entry_price=entry_price,
            direction=_direction(-_sign(fill.quantity)), quantity=abs(entry_quantity), exit_time=fill.utc_time,
            exit_price=exit_price,
            profit_loss=_money((exit_price - entry_price) * entry_quantity * fill.scale),
            total_fees=position.total_fees, order_ids={f.order_id for f in position.fills}))
        del self._positions[fill.symbol]
        if net != 0:
            self._positions[fill.symbol] = self._fill_position(fill, net, _ZERO)

    @staticmethod
    def _fill_position(fill: _FillValues, quantity: Decimal, fees: Decimal) -> _Position:
        return _Position(fill.price_float, fill.price_float,
                         fills=[_Fill(fill.order_id, fill.utc_time, quantity, fill.price)], total_fees=fees)

    # -- FlatToReduced: every reduction closes a trade against the matched entry fills --------------------------

    def _flat_to_reduced(self, fill: _FillValues, order_fee: Decimal) -> None:
        position = self._positions.get(fill.symbol)
        if position is None or not position.fills:
            self._positions[fill.symbol] = self._fill_position(fill, fill.quantity, order_fee)
            return
        lifo = self.matching_method == FillMatchingMethod.LIFO
        index = len(position.fills) - 1 if lifo else 0
        position.total_fees += order_fee
        if _sign(fill.quantity) == _sign(position.fills[index].quantity):
            position.fills.append(_Fill(fill.order_id, fill.utc_time, fill.quantity, fill.price))
            return
        entry_time = position.fills[index].utc_time
        executed = entry_price = _ZERO  # executed: signed, like the fill
        order_ids = {fill.order_id}
        while position.fills and abs(executed) < fill.absolute_quantity:
            pending = position.fills[index]
            unexecuted = fill.absolute_quantity - abs(executed)
            if unexecuted >= abs(pending.quantity):
                if lifo:
                    entry_time = pending.utc_time
                executed -= pending.quantity
                entry_price -= (pending.price - entry_price) * pending.quantity / executed
                position.fills.pop(index)
                if lifo and index > 0:
                    index -= 1
            else:
                part = unexecuted * _sign(fill.quantity)
                executed += part
                entry_price += (pending.price - entry_price) * part / executed
                pending.quantity += part
            order_ids.add(pending.order_id)
        self._add_trade(Trade(
            symbols=[fill.symbol], entry_time=entry_time, entry_price=entry_price,
            direction=_direction(-_sign(executed)), quantity=abs(executed), exit_time=fill.utc_time,
            exit_price=fill.price,
            profit_loss=_money((fill.price - entry_price) * abs(executed) * -_sign(executed) * fill.scale),
            total_fees=position.total_fees, order_ids=order_ids))
        if abs(executed) < fill.absolute_quantity:
            position.fills = [_Fill(fill.order_id, fill.utc_time, fill.quantity - executed, fill.price)]
            position.total_fees = _ZERO
        elif not position.fills:
            del self._positions[fill.symbol]
        else:
            position.total_fees = _ZERO

    def _add_trade(self, trade: Trade) -> None:
        trade.is_win = trade.profit_loss > 0
        trade.id = str(uuid.uuid4())
        self._closed.append(trade)


def record_trade_fill(algorithm: Any, fill: Any) -> None:
    """Give an engine fill to the algorithm's trade builder as LEAN's transaction handler does: with the security's
    quote-currency conversion rate, the fill's fee in account currency and the contract multiplier. Algorithm
    stand-ins without a trade builder (engine unit tests) are left alone."""
    builder = getattr(algorithm, "trade_builder", None)
    if builder is None:
        return
    security = algorithm.securities[fill.symbol]
    builder.track_security(security)
    fee = fill.order_fee.value
    builder.process_fill(fill, security.quote_currency.conversion_rate,
                         algorithm.portfolio.cash_book.convert_to_account_currency(fee.amount, fee.currency),
                         security.symbol_properties.contract_multiplier)


def _direction(sign: int) -> Any:
    return TradeDirection.LONG if sign > 0 else TradeDirection.SHORT


# ---------------------------------------------------------------------------------------------------------------
# TradeStatistics
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class TradeStatistics(DualCase):
    """LEAN's TradeStatistics of closed trades taken in order (all money in account currency, durations as
    :class:`TimeSpan`). A trade with P&L > 0 is a win, any other a loss. Formulas:

    * averages (P&L, profit, loss, MAE, MFE, durations) are running means, m_k = m_{k−1} + (x_k − m_{k−1})/k;
      a duration mean adds TimeSpan.FromSeconds((d_k − m_{k−1})/k) in whole ticks; medians take the sorted element
      at index ⌊n/2⌋;
    * profit_loss_standard_deviation = √(Σ(x−x̄)²/(n−1)) over all P&L (Welford's update; 0 for one trade);
      profit_loss_downside_deviation the same over the losses only;
    * profit_loss_ratio = average_profit/|average_loss| (0 without losses); win_loss_ratio = wins/losses (10 without
      losses, 0 without trades); win_rate = wins/n, loss_rate = 1 − win_rate (0 without trades);
    * profit_factor = total_profit/|total_loss| (10 without losses, 0 without profit); sharpe_ratio =
      average_profit_loss/standard deviation; sortino_ratio = average_profit_loss/downside deviation (0 when 0);
    * maximum_closed_trade_drawdown = min over losing trades of cumulative P&L − its running peak (≤ 0);
      profit_to_max_drawdown_ratio = total_profit_loss/|that| (10 when 0, 0 without P&L);
      maximum_drawdown_duration = longest time from a peak's exit to the exit of the next new peak;
    * maximum_intra_trade_drawdown = min over trades of cumulative P&L before the trade + MAE − the running peak of
      (cumulative P&L before a trade + its MFE);
    * maximum_end_trade_drawdown = max end-trade drawdown; average_end_trade_drawdown = average_profit_loss −
      average_mfe (LEAN's definition).
    """

    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    total_number_of_trades: int = 0
    number_of_winning_trades: int = 0
    number_of_losing_trades: int = 0
    total_profit_loss: Decimal = _ZERO
    total_profit: Decimal = _ZERO
    total_loss: Decimal = _ZERO
    largest_profit: Decimal = _ZERO
    largest_loss: Decimal = _ZERO
    average_profit_loss: Decimal = _ZERO
    average_profit: Decimal = _ZERO
    average_loss: Decimal = _ZERO
    average_trade_duration: TimeSpan = _NO_TIME
    average_winning_trade_duration: TimeSpan = _NO_TIME
    average_losing_trade_duration: TimeSpan = _NO_TIME
    median_trade_duration: TimeSpan = _NO_TIME
    median_winning_trade_duration: TimeSpan = _NO_TIME
    median_losing_trade_duration: TimeSpan = _NO_TIME
    max_consecutive_winning_trades: int = 0
    max_consecutive_losing_trades: int = 0
    profit_loss_ratio: Decimal = _ZERO
    win_loss_ratio: Decimal = _ZERO
    win_rate: Decimal = _ZERO
    loss_rate: Decimal = _ZERO
    average_mae: Decimal = _ZERO
    average_mfe: Decimal = _ZERO
    largest_mae: Decimal = _ZERO
    largest_mfe: Decimal = _ZERO
    maximum_closed_trade_drawdown: Decimal = _ZERO
    maximum_intra_trade_drawdown: Decimal = _ZERO
    profit_loss_standard_deviation: Decimal = _ZERO
    profit_loss_downside_deviation: Decimal = _ZERO
    profit_factor: Decimal = _ZERO
    sharpe_ratio: Decimal = _ZERO
    sortino_ratio: Decimal = _ZERO
    profit_to_max_drawdown_ratio: Decimal = _ZERO
    maximum_end_trade_drawdown: Decimal = _ZERO
    average_end_trade_drawdown: Decimal = _ZERO
    maximum_drawdown_duration: TimeSpan = _NO_TIME
    total_fees: Decimal = _ZERO

    @classmethod
    def of(cls, trades: Iterable[Trade]) -> TradeStatistics:
        """The statistics of ``trades`` (see the class docstring)."""
        return cls.of_facts([TradeFacts.of(trade) for trade in trades])

    @classmethod
    def of_facts(cls, trades: Sequence[TradeFacts]) -> TradeStatistics:
        """The statistics of the trades described by ``trades``, in order (see the class docstring)."""
        with localcontext(_DECIMAL_CONTEXT):
            return _finish(*_single_pass(trades))


class TradeFacts(NamedTuple):
    """What TradeStatistics reads of a closed trade, taken once: the rolling windows read each trade ~20 times."""

    entry_time: datetime
    exit_time: datetime
    profit_loss: Decimal
    mae: Decimal
    mfe: Decimal
    end_trade_drawdown: Decimal
    total_fees: Decimal
    is_win: bool
    duration_ticks: int

    @classmethod
    def of(cls, trade: Trade) -> TradeFacts:
        return cls(trade.entry_time, trade.exit_time, trade.profit_loss, trade.mae, trade.mfe,
                   trade.end_trade_drawdown, trade.total_fees, trade.is_win, trade.duration.ticks)


@dataclass
class _PassTotals:
    """What LEAN's pass over the trades leaves besides the running statistics: the variance sums and durations."""

    sum_for_variance: Decimal = _ZERO
    sum_for_downside_variance: Decimal = _ZERO
    durations: list[int] = field(default_factory=list)
    winning_durations: list[int] = field(default_factory=list)
    losing_durations: list[int] = field(default_factory=list)


def _single_pass(trades: Sequence[TradeFacts]) -> tuple[TradeStatistics, _PassTotals]:
    """LEAN's running update, one trade at a time, on local variables (it runs ~75k times for the rolling
    windows of a 25-year backtest). The durations are collected and averaged afterwards."""
    s = TradeStatistics()
    totals = _PassTotals()
    if not trades:
        return s, totals
    durations, winning_durations, losing_durations = totals.durations, totals.winning_durations, totals.losing_durations
    count = wins = losses = winners_in_row = losers_in_row = 0
    max_winners_in_row = max_losers_in_row = 0
    total_pnl = total_profit = total_loss = largest_profit = largest_loss = _ZERO
    average_pnl = average_profit = average_loss = average_mae = average_mfe = _ZERO
    largest_mae = largest_mfe = max_end_drawdown = total_fees = _ZERO
    max_closed_drawdown = max_intra_drawdown = peak_pnl = peak_pnl_with_mfe = _ZERO
    sum_for_variance = sum_for_downside_variance = _ZERO
    start, end = trades[0].entry_time, trades[0].exit_time
    last_peak_time = trades[0].entry_time
    longest_drawdown = timedelta(0)
    in_drawdown = False
    for entry_time, exit_time, pnl, mae, mfe, end_drawdown, fees, is_win, ticks in trades:
        if entry_time < start:
            start = entry_time
        if exit_time > end:
            end = exit_time
        count += 1
        if total_pnl + mfe > peak_pnl_with_mfe:
            peak_pnl_with_mfe = total_pnl + mfe
        intra = total_pnl + mae - peak_pnl_with_mfe
        if intra < max_intra_drawdown:
            max_intra_drawdown = intra
        total_pnl += pnl
        if pnl > 0:
            wins += 1
            total_profit += pnl
            average_profit += (pnl - average_profit) / wins
            winning_durations.append(ticks)
            if pnl > largest_profit:
                largest_profit = pnl
            winners_in_row += 1
            losers_in_row = 0
            if winners_in_row > max_winners_in_row:
                max_winners_in_row = winners_in_row
            if total_pnl > peak_pnl:
                peak_pnl = total_pnl
                if in_drawdown and exit_time - last_peak_time > longest_drawdown:
                    longest_drawdown = exit_time - last_peak_time
                last_peak_time = exit_time
                in_drawdown = False
        else:
            losses += 1
            total_loss += pnl
            previous_average_loss = average_loss
            average_loss += (pnl - average_loss) / losses
            sum_for_downside_variance += (pnl - previous_average_loss) * (pnl - average_loss)
            losing_durations.append(ticks)
            if pnl < largest_loss:
                largest_loss = pnl
            if is_win:  # an option assignment that saved more than it cost (never offline: P&L ≤ 0 here)
                winners_in_row += 1
                losers_in_row = 0
                if winners_in_row > max_winners_in_row:
                    max_winners_in_row = winners_in_row
            else:
                winners_in_row = 0
                losers_in_row += 1
                if losers_in_row > max_losers_in_row:
                    max_losers_in_row = losers_in_row
            if total_pnl - peak_pnl < max_closed_drawdown:
                max_closed_drawdown = total_pnl - peak_pnl
            in_drawdown = True
        previous_average = average_pnl
        average_pnl += (pnl - average_pnl) / count
        sum_for_variance += (pnl - previous_average) * (pnl - average_pnl)
        durations.append(ticks)
        average_mae += (mae - average_mae) / count
        average_mfe += (mfe - average_mfe) / count
        if mae < largest_mae:
            largest_mae = mae
        if mfe > largest_mfe:
            largest_mfe = mfe
        if end_drawdown > max_end_drawdown:
            max_end_drawdown = end_drawdown
        total_fees += fees
    s.start_date_time, s.end_date_time = start, end
    s.total_number_of_trades, s.number_of_winning_trades, s.number_of_losing_trades = count, wins, losses
    s.total_profit_loss, s.total_profit, s.total_loss = total_pnl, total_profit, total_loss
    s.largest_profit, s.largest_loss = largest_profit, largest_loss
    s.average_profit_loss, s.average_profit, s.average_loss = average_pnl, average_profit, average_loss
    s.average_trade_duration = _running_mean_duration(durations)
    s.average_winning_trade_duration = _running_mean_duration(winning_durations)
    s.average_losing_trade_duration = _running_mean_duration(losing_durations)
    s.max_consecutive_winning_trades, s.max_consecutive_losing_trades = max_winners_in_row, max_losers_in_row
    s.average_mae, s.average_mfe, s.largest_mae, s.largest_mfe = average_mae, average_mfe, largest_mae, largest_mfe
    s.maximum_closed_trade_drawdown, s.maximum_intra_trade_drawdown = max_closed_drawdown, max_intra_drawdown
    s.maximum_end_trade_drawdown, s.total_fees = max_end_drawdown, total_fees
    s.maximum_drawdown_duration = TimeSpan.of(longest_drawdown)
    totals.sum_for_variance, totals.sum_for_downside_variance = sum_for_variance, sum_for_downside_variance
    return s, totals


def _finish(s: TradeStatistics, totals: _PassTotals) -> TradeStatistics:
    """The statistics LEAN derives from the running ones after the pass."""
    count, losses = s.total_number_of_trades, s.number_of_losing_trades
    if count:
        s.profit_loss_standard_deviation = _root(totals.sum_for_variance / (count - 1) if count > 1 else _ZERO)
    if losses:
        s.profit_loss_downside_deviation = _root(totals.sum_for_downside_variance / (losses - 1)
                                                 if losses > 1 else _ZERO)
    s.profit_loss_ratio = _ZERO if s.average_loss == 0 else s.average_profit / abs(s.average_loss)
    if count:
        s.win_loss_ratio = (Decimal(s.number_of_winning_trades) / losses if losses > 0 else Decimal(10))
        s.win_rate = Decimal(s.number_of_winning_trades) / count
        s.loss_rate = 1 - s.win_rate
    s.profit_factor = (_ZERO if s.total_profit == 0 else
                       s.total_profit / abs(s.total_loss) if s.total_loss < 0 else Decimal(10))
    s.sharpe_ratio = (s.average_profit_loss / s.profit_loss_standard_deviation
                      if s.profit_loss_standard_deviation > 0 else _ZERO)
    s.sortino_ratio = (s.average_profit_loss / s.profit_loss_downside_deviation
                       if s.profit_loss_downside_deviation > 0 else _ZERO)
    s.profit_to_max_drawdown_ratio = (
        _ZERO if s.total_profit_loss == 0 else
        s.total_profit_loss / abs(s.maximum_closed_trade_drawdown) if s.maximum_closed_trade_drawdown < 0
        else Decimal(10))
    s.average_end_trade_drawdown = s.average_profit_loss - s.average_mfe
    s.median_trade_duration = _median(totals.durations)
    s.median_winning_trade_duration = _median(totals.winning_durations)
    s.median_losing_trade_duration = _median(totals.losing_durations)
    return s


def _root(variance: Decimal) -> Decimal:
    """(decimal)Math.Sqrt((double)variance)."""
    return to_decimal(math.sqrt(float(variance)))


def _running_mean_duration(ticks: Sequence[int]) -> TimeSpan:
    """LEAN's running mean of durations, m_k = m_{k−1} + TimeSpan.FromSeconds((d_k − m_{k−1})/k): the seconds are
    doubles and every step is truncated to whole ticks."""
    mean = 0
    for count, duration in enumerate(ticks, 1):
        mean += int((duration / _TICKS_PER_SECOND - mean / _TICKS_PER_SECOND) / count * _TICKS_PER_SECOND)
    return TimeSpan(mean)


def _median(ticks: Sequence[int]) -> TimeSpan:
    """LEAN's Median: the element at index ⌊n/2⌋ of the sorted values (zero when empty)."""
    return TimeSpan(sorted(ticks)[len(ticks) // 2]) if ticks else _NO_TIME
