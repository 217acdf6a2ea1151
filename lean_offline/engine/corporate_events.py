"""Dividends and splits applied to the portfolio, the price cache, the trades and open orders, as LEAN's backtests
apply them (Engine/AlgorithmManager.cs HandleDividends/HandleSplits; SecurityPortfolioManager.ApplyDividend/ApplySplit;
SecurityCache.ApplySplit; DefaultBrokerageModel.ApplySplit), and the user's `on_splits`/`on_dividends` callbacks.

Rules (backtests only; nothing is applied while the algorithm warms up):
- a dividend pays holdings quantity × distribution × quote conversion rate into account cash, and adds it to the
  holding's `total_dividends`, when the subscription's prices are RAW or SPLIT_ADJUSTED (adjusted prices already
  contain the dividend);
- a split (its "occurred" event, not the warning) on an equity with RAW prices divides the quantity by the split
  factor, keeping whole shares and paying the fractional share in cash at the rescaled last price, multiplies the
  average price by the factor, rescales the security's cached prices and data, the trade builder's open trades and
  the open orders (quantity ÷ factor truncated to whole shares, limit/stop/trigger prices and absolute trailing
  amounts × factor).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..data.corporate_actions import Dividend, Split, SplitType
from ..data.market import BaseData, QuoteBar, Tick, TradeBar
from ..enums import DataNormalizationMode, OrderType, SecurityType, TickType
from .fees import model_method
from .orders import OrderField, UpdateOrderFields
from .slice import DataDictionary

if TYPE_CHECKING:
    from .algorithm import QCAlgorithm
    from .securities import Security

_SPLIT_OCCURRED = SplitType["SPLIT_OCCURRED"]
_DIVIDEND_PAYING_MODES = frozenset({DataNormalizationMode.RAW, DataNormalizationMode.SPLIT_ADJUSTED})
_LIMIT_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED})
_STOP_TYPES = frozenset({OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP})


# --- rules -----------------------------------------------------------------------------------------------------
def pays_cash_dividends(mode: Any) -> bool:
    """Whether a dividend moves cash: only when prices are not dividend-adjusted (RAW, SPLIT_ADJUSTED)."""
    return mode in _DIVIDEND_PAYING_MODES


def dividend_payment(quantity: float, distribution: float, conversion_rate: float = 1.0) -> float:
    """Cash paid for a dividend: quantity × distribution × conversion rate (negative for a short position)."""
    return quantity * distribution * conversion_rate


def splits_holdings(security_type: Any, mode: Any, live_mode: bool = False) -> bool:
    """Whether a split changes holdings and prices: equities only, with RAW prices in a backtest (other modes
    already show split-adjusted prices), always live."""
    return security_type == SecurityType.EQUITY and (live_mode or mode == DataNormalizationMode.RAW)


class SplitPosition(NamedTuple):
    """A position after a split: whole shares, the new average price, and the fractional share paid in cash."""

    quantity: int
    average_price: float
    fractional_quantity: float


def split_position(quantity: float, average_price: float, split_factor: float) -> SplitPosition:
    """quantity' = trunc(quantity / f), average' = average × f, fraction = quantity / f − quantity' (f is the split
    factor: 1/7 for a 7-for-1 split, so a long of 10 becomes 70 at a seventh of the price)."""
    split_quantity = quantity / split_factor
    whole = math.trunc(split_quantity)
    return SplitPosition(whole, average_price * split_factor, split_quantity - whole)


def split_order_fields(ticket: Any, split_factor: float) -> UpdateOrderFields:
    """The update that keeps an open order's notional across a split: quantity ÷ f truncated to whole shares;
    limit, stop and trigger prices × f; a trailing amount × f unless it is a percentage."""
    order_type = ticket.order_type
    trailing_amount = None
    if order_type == OrderType.TRAILING_STOP and not ticket.get(OrderField.TRAILING_AS_PERCENTAGE):
        trailing_amount = float(ticket.get(OrderField.TRAILING_AMOUNT)) * split_factor

    def scaled(field: Any, order_types: Iterable[Any]) -> float | None:
        return float(ticket.get(field)) * split_factor if order_type in order_types else None

    return UpdateOrderFields(quantity=math.trunc(ticket.quantity / split_factor),
                             limit_price=scaled(OrderField.LIMIT_PRICE, _LIMIT_TYPES),
                             stop_price=scaled(OrderField.STOP_PRICE, _STOP_TYPES),
                             trigger_price=scaled(OrderField.TRIGGER_PRICE, (OrderType.LIMIT_IF_TOUCHED,)),
                             trailing_amount=trailing_amount)


def split_adjusted_copy(point: BaseData, split_factor: float) -> BaseData:
    """A copy of a price point as it reads after a split: prices × f, volumes and sizes ÷ f rounded to whole units
    (half to even); points without prices (auxiliary, custom data) are returned as they are."""
    if isinstance(point, TradeBar):
        bar: Any = point.clone(point.is_fill_forward)
        bar.open, bar.high, bar.low = bar.open * split_factor, bar.high * split_factor, bar.low * split_factor
        bar.value = bar.value * split_factor
        bar.volume = round(bar.volume / split_factor)
        return bar  # type: ignore[no-any-return]
    if isinstance(point, QuoteBar):
        quote: Any = point.clone(point.is_fill_forward)
        for side in (quote.bid, quote.ask):
            if side is not None:
                side.open, side.high = side.open * split_factor, side.high * split_factor
                side.low, side.close = side.low * split_factor, side.close * split_factor
        quote.value = quote.value * split_factor
        quote.last_bid_size = round(quote.last_bid_size / split_factor)
        quote.last_ask_size = round(quote.last_ask_size / split_factor)
        return quote  # type: ignore[no-any-return]
    if isinstance(point, Tick):
        tick: Any = point.clone(point.is_fill_forward)
        if tick.tick_type == TickType.TRADE:
            tick.value = tick.value * split_factor
            tick.quantity = round(tick.quantity / split_factor)
        else:
            tick.bid_price, tick.ask_price = tick.bid_price * split_factor, tick.ask_price * split_factor
            tick.bid_size, tick.ask_size = round(tick.bid_size / split_factor), round(tick.ask_size / split_factor)
            quoted = [price for price in (tick.bid_price, tick.ask_price) if price]
            tick.value = sum(quoted) / len(quoted) if quoted else tick.value * split_factor
        return tick  # type: ignore[no-any-return]
    return point


# --- the time-step handler -------------------------------------------------------------------------------------
class Dividends(DataDictionary):
    """A time step's dividends by symbol (what `on_dividends` receives)."""


class Splits(DataDictionary):
    """A time step's splits by symbol, warnings included (what `on_splits` receives)."""


def _events_by_symbol(events: Iterable[BaseData], collection: type[DataDictionary],
                      event_type: type) -> DataDictionary:
    return collection({event.symbol: event for event in events if isinstance(event, event_type)})


class CorporateEventHandler:
    """Applies a time step's dividends and splits (before consolidators, after scheduled events) and calls the
    user's `on_splits` then `on_dividends` (after consolidators, before `on_data`), as LEAN's main loop does."""

    def __init__(self, algorithm: QCAlgorithm, on_splits: Callable[[Any], None] | None,
                 on_dividends: Callable[[Any], None] | None) -> None:
        self._algorithm = algorithm
        self._on_splits = on_splits
        self._on_dividends = on_dividends

    def apply(self, events: list[BaseData]) -> None:
        """Dividends first, then splits; skipped entirely while warming up (positions then already reflect them)."""
        algorithm = self._algorithm
        if algorithm.is_warming_up:
            return
        portfolio = algorithm.portfolio
        for event in events:
            if isinstance(event, Dividend):
                mode = algorithm.securities[event.symbol].data_normalization_mode
                portfolio.apply_dividend(event, False, mode)
        for event in events:
            if isinstance(event, Split) and event.type == _SPLIT_OCCURRED:
                self._apply_split(event)

    def _apply_split(self, split: Split) -> None:
        algorithm = self._algorithm
        security: Security = algorithm.securities[split.symbol]
        mode = security.data_normalization_mode
        algorithm.portfolio.apply_split(split, security, False, mode)
        algorithm.trade_builder.apply_split(split, False, mode)
        if mode == DataNormalizationMode.RAW:
            transactions = algorithm.transactions
            tickets = transactions.get_open_order_tickets(split.symbol)
            model_method(transactions.brokerage_model, "apply_split")(tickets, split)

    def notify(self, events: list[BaseData]) -> None:
        """`on_splits(splits)` when the step holds splits (warnings included), then `on_dividends(dividends)`."""
        if self._on_splits is not None:
            splits = _events_by_symbol(events, Splits, Split)
            if splits:
                self._on_splits(splits)
        if self._on_dividends is not None:
            dividends = _events_by_symbol(events, Dividends, Dividend)
            if dividends:
                self._on_dividends(dividends)


__all__ = ["CorporateEventHandler", "Dividends", "SplitPosition", "Splits", "dividend_payment", "pays_cash_dividends",
           "split_adjusted_copy", "split_order_fields", "split_position", "splits_holdings"]
