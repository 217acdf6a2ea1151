"""Fill models: `FillModel` (= LEAN's ImmediateFillModel, used for non-equities) and `EquityFillModel`.

`fill(security, order, stale_price_span)` returns an OrderEvent whose status is FILLED when the order fills now;
any other status means "not yet". Slippage is zero unless the security has a slippage model with
`get_slippage_approximation(asset, order)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from ..data.market import QuoteBar, Tick, TradeBar
from ..enums import BUY, CANCELED, FILLED, HOLD, MARKET_ON_CLOSE, SELL, OrderType, TickType
from ..naming import DualCase
from .fees import model_method
from .orders import Order, OrderEvent, OrderFee, TrailingStopOrder
from .scheduling import local_to_utc, utc_to_local

if TYPE_CHECKING:
    from .securities import Security


class Prices(NamedTuple):
    """The price set a fill is computed from (start/end times in exchange time)."""

    time: datetime
    end_time: datetime
    current: float
    open: float
    high: float
    low: float
    close: float


def make_prices(time: datetime, end_time: datetime, current: float, open_: float, high: float, low: float,
                close: float) -> Prices:
    """Prices with LEAN's rule that a missing (zero) open/high/low/close stands for the current price."""
    return Prices(time, end_time, current, open_ or current, high or current, low or current, close or current)


_FILL_METHODS: dict[Any, tuple[str, str]] = {
    OrderType.MARKET: ("market_fill", "MarketFill"),
    OrderType.MARKET_ON_OPEN: ("market_on_open_fill", "MarketOnOpenFill"),
    OrderType.MARKET_ON_CLOSE: ("market_on_close_fill", "MarketOnCloseFill"),
    OrderType.LIMIT: ("limit_fill", "LimitFill"),
    OrderType.STOP_MARKET: ("stop_market_fill", "StopMarketFill"),
    OrderType.STOP_LIMIT: ("stop_limit_fill", "StopLimitFill"),
    OrderType.TRAILING_STOP: ("trailing_stop_fill", "TrailingStopFill"),
    OrderType.LIMIT_IF_TOUCHED: ("limit_if_touched_fill", "LimitIfTouchedFill"),
}


# Time-zone conversions and next closes are pure functions of their arguments (exchange hours memoise their own
# intervals the same way), and every order of one time step asks for the same ones: memoised.
@lru_cache(maxsize=4096)
def _local_time_in(zone: ZoneInfo, utc_time: datetime) -> datetime:
    return utc_to_local(utc_time, zone)


@lru_cache(maxsize=4096)
def _utc_time_in(zone: ZoneInfo, local_time: datetime) -> datetime:
    return local_to_utc(local_time, zone)


@lru_cache(maxsize=1024)
def _next_regular_close(hours: Any, zone: ZoneInfo, utc_time: datetime) -> tuple[datetime, datetime]:
    local_close = hours.get_next_market_close(_local_time_in(zone, utc_time), False)
    return local_close, _utc_time_in(zone, local_close)


@lru_cache(maxsize=1024)
def _regular_hours_open(hours: Any, zone: ZoneInfo, utc_time: datetime) -> bool:
    return bool(hours.is_open(_local_time_in(zone, utc_time), False))


def _local_time_of(security: Security, utc_time: datetime) -> datetime:
    """`utc_time` in the security's exchange time (one conversion per time zone and time for all securities)."""
    return _local_time_in(security.exchange.time_zone, utc_time)


def local_time_now(security: Security) -> datetime:
    """`security.local_time`, converted once per time zone and time for all securities (each security's own memo
    converts once per security: forty times for forty orders of one rebalance)."""
    return _local_time_in(security.exchange.time_zone, security.utc_time)


def exchange_open_now(security: Security) -> bool:
    """`security.exchange.exchange_open` (open now, regular hours), found once per exchange hours and time for all
    the securities that share those hours."""
    exchange = security.exchange
    return _regular_hours_open(exchange.hours, exchange.time_zone, security.utc_time)


def _utc_time_of(security: Security, local_time: datetime) -> datetime:
    return _utc_time_in(security.exchange.time_zone, local_time)


def next_regular_close(security: Security, utc_time: datetime) -> tuple[datetime, datetime]:
    """The first regular close of `security`'s market after the UTC time `utc_time`: (exchange time, UTC)."""
    exchange = security.exchange
    return _next_regular_close(exchange.hours, exchange.time_zone, utc_time)


def market_on_close_fill_time(security: Security, order: Order) -> datetime:
    """Exchange time from which a market-on-close order may fill: the first regular close after it was placed."""
    return next_regular_close(security, order.time)[0]


class NullSlippageModel(DualCase):
    """No slippage (LEAN's default)."""

    def get_slippage_approximation(self, asset: Security, order: Order) -> float:
        return 0.0


class ConstantSlippageModel(DualCase):
    """Slippage = `slippage_percent` × the last data point's value, added to buys and taken from sells."""

    slippage_percent: float

    def __init__(self, slippage_percent: float) -> None:
        self.slippage_percent = float(slippage_percent)

    def get_slippage_approximation(self, asset: Security, order: Order) -> float:
        last = asset.get_last_data()
        return 0.0 if last is None else float(last.value) * self.slippage_percent


def _slippage(security: Security, order: Order) -> float:
    model = security.slippage_model
    if model is None:
        return 0.0
    return float(model_method(model, "get_slippage_approximation")(security, order))


class FillModelParameters(DualCase):
    """What `FillModel.fill(parameters)` receives: `security`, `order` and the stale-price span."""

    __slots__ = ("security", "order", "stale_price_time_span", "config_provider", "securities_for_orders",
                 "on_order_updated")

    def __init__(self, security: Security, order: Order, config_provider: Any = None,
                 stale_price_time_span: timedelta = timedelta(hours=1), securities_for_orders: Any = None,
                 on_order_updated: Any = None) -> None:
        self.security = security
        self.order = order
        self.config_provider = config_provider
        self.stale_price_time_span = stale_price_time_span
        self.securities_for_orders = securities_for_orders
        self.on_order_updated = on_order_updated


class Fill(list[OrderEvent]):
    """The order events a fill model produced (LEAN's `Fill`): `Fill([event])` or `Fill(event)`."""

    def __init__(self, events: Any = ()) -> None:
        super().__init__([events] if isinstance(events, OrderEvent) else list(events))


@lru_cache(maxsize=256)
def _implementing_name(model_type: Any, names: tuple[str, ...], stop_at: Any = None) -> str | None:
    """The first of `names` defined along `model_type`'s MRO (most derived class first, `names` in order within a
    class), looking no further than `stop_at`; None when none is."""
    for cls in model_type.__mro__:
        if cls is stop_at:
            return None
        for name in names:
            if name in vars(cls):
                return name
    return None


def _dispatch(model: Any, security: Security, order: Order) -> OrderEvent:
    names = _FILL_METHODS.get(order.type)
    if names is None:
        raise ValueError(f"lean_offline cannot fill {order.type} orders")
    name = _implementing_name(model.__class__, names)
    if name is None:
        raise ValueError(f"fill model {type(model).__name__} has no {names[0]}")
    return getattr(model, name)(security, order)  # type: ignore[no-any-return]


def run_fill_model(model: Any, security: Security, order: Order, stale_price_time_span: timedelta) -> list[Any]:
    """The events `model` produces for `order` now. A Python subclass overriding `fill(parameters)` (either
    spelling) gets LEAN's FillModelParameters; otherwise the per-order-type rule (`market_fill`, …) is called."""
    if isinstance(model, FillModel):
        model.stale_price_time_span = stale_price_time_span
    name = _implementing_name(model.__class__, ("fill", "Fill"), FillModel)
    if name is not None:
        result = getattr(model, name)(FillModelParameters(security, order, None, stale_price_time_span))
        return [result] if isinstance(result, OrderEvent) else list(result)
    return [_dispatch(model, security, order)]


class FillModel(DualCase):
    """LEAN's base fill model: market orders fill at the current price (bid/ask for quote data)."""

    parameters: FillModelParameters | None
    stale_price_time_span: timedelta

    def __init__(self) -> None:
        self.stale_price_time_span = timedelta(hours=1)
        self.parameters: FillModelParameters | None = None

    def fill(self, parameters: FillModelParameters) -> Fill:
        """LEAN's entry point: the fill rule of the order type, wrapped in a Fill."""
        self.parameters = parameters
        self.stale_price_time_span = parameters.stale_price_time_span
        return Fill([_dispatch(self, parameters.security, parameters.order)])

    # --- helpers ----------------------------------------------------------------------------------------------
    @staticmethod
    def _new_event(security: Security, order: Order) -> OrderEvent:
        return OrderEvent(order, security.utc_time, OrderFee.zero)

    @staticmethod
    def _complete(event: OrderEvent, order: Order, price: float) -> OrderEvent:
        vars(event).update(fill_price=price, fill_quantity=order.quantity, status=FILLED)
        return event

    def is_exchange_open(self, security: Security, extended_market_hours: bool) -> bool:
        """Open now, or (for bars longer than an hour) on the same date as the last bar's end, if the bar
        overlapped open hours."""
        local_time = local_time_now(security)
        hours = security.exchange.hours
        if hours.is_open(local_time, extended_market_hours):
            return True
        bar = security.get_last_data()
        if bar is None:
            return False
        if bar.end_time - bar.time > timedelta(hours=1):
            on_current_bar = local_time.date() == bar.end_time.date()
        else:
            on_current_bar = local_time <= bar.end_time
        return on_current_bar and security.exchange.is_open_during_bar(bar.time, bar.end_time, extended_market_hours)

    def _extended_hours(self, security: Security) -> bool:
        return any(info.extended_market_hours for info in security.subscriptions if not info.is_internal)

    def get_prices(self, security: Security, direction: Any) -> Prices:
        """Tick, then quote bar (ask for buys, bid for sells), then trade bar, then the security's own prices."""
        last = security.get_last_data()
        start = last.time if last is not None else datetime.min
        end = last.end_time if last is not None else datetime.min
        fallback = make_prices(start, end, security.price, security.open, security.high, security.low,
                               security.close)
        if direction == HOLD:
            return fallback
        cache = security.cache
        if security.is_subscribed_to(Tick):
            tick = cache.get_data(Tick)
            if tick is not None:
                price = tick.bid_price if direction == SELL else tick.ask_price
                price = price or tick.value
                if price:
                    return make_prices(tick.time, tick.end_time, price, 0.0, 0.0, 0.0, 0.0)
        if security.is_subscribed_to(QuoteBar):
            quote = cache.get_data(QuoteBar)
            if quote is not None:
                side = quote.bid if direction == SELL else quote.ask
                if side is not None:
                    return make_prices(quote.time, quote.end_time, side.close, side.open, side.high, side.low,
                                       side.close)
        if security.is_subscribed_to(TradeBar):
            bar = cache.get_data(TradeBar)
            if bar is not None:
                return make_prices(bar.time, bar.end_time, bar.close, bar.open, bar.high, bar.low, bar.close)
        return fallback

    def should_wait_for_fresh_data_on_stale(self, security: Security, data_end_utc: datetime,
                                            order_time_utc: datetime) -> bool:
        """Coarse (Hour/Daily-only) subscriptions always wait; finer ones wait when more than a bar behind."""
        if security.has_coarse_subscriptions_only:
            return True
        span = security.finest_resolution_span
        if span == timedelta(0):
            return False
        return order_time_utc - data_end_utc > span

    # --- fill rules -------------------------------------------------------------------------------------------
    def market_fill(self, security: Security, order: Order) -> OrderEvent:
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, False):
            return event
        prices = self.get_prices(security, order.direction)
        prices_end_utc = _utc_time_of(security, prices.end_time) if prices.end_time != datetime.min else datetime.min
        if prices_end_utc + self.stale_price_time_span < order.time:
            if self.should_wait_for_fresh_data_on_stale(security, prices_end_utc, order.time):
                return event
            event.message = f"Warning: fill at stale price ({prices.end_time})"
        price = prices.current
        if prices.open != 0 and security.has_coarse_subscriptions_only:
            if order.time <= _utc_time_of(security, prices.time):
                price = prices.open
        slip = _slippage(security, order)
        return self._complete(event, order, price + slip if order.direction == BUY else price - slip)

    def market_on_open_fill(self, security: Security, order: Order) -> OrderEvent:
        if security.exchange.always_open:
            raise ValueError(f"Market never closes for {security.symbol}: a MarketOnOpen order cannot be filled")
        event = self._new_event(security, order)
        if order.status == CANCELED:
            return event
        bar = security.get_last_data()
        local_order_time = _local_time_of(security, order.time)
        if bar is None or local_order_time >= bar.end_time:
            return event
        if security.exchange.date_time_is_open(local_order_time) and local_order_time.date() == \
                local_time_now(security).date():
            return event
        if not self.is_exchange_open(security, False):
            return event
        slip = _slippage(security, order)
        price = self.get_prices(security, order.direction).open
        return self._complete(event, order, price + slip if order.direction == BUY else price - slip)

    def market_on_close_fill(self, security: Security, order: Order) -> OrderEvent:
        if security.exchange.always_open:
            raise ValueError(f"Market never closes for {security.symbol}: a MarketOnClose order cannot be filled")
        event = self._new_event(security, order)
        if order.status == CANCELED:
            return event
        if local_time_now(security) < market_on_close_fill_time(security, order):
            return event
        slip = _slippage(security, order)
        price = self.get_prices(security, order.direction).close
        return self._complete(event, order, price + slip if order.direction == BUY else price - slip)

    def limit_fill(self, security: Security, order: Order) -> OrderEvent:
        """Buy when the bar's low goes below the limit (at min(high, limit)); sell when its high goes above."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, self._extended_hours(security)):
            return event
        prices = self.get_prices(security, order.direction)
        if _utc_time_of(security, prices.end_time) <= order.time:
            return event
        if order.direction == BUY and prices.low < order.limit_price:
            return self._complete(event, order, min(prices.high, order.limit_price))
        if order.direction == SELL and prices.high > order.limit_price:
            return self._complete(event, order, max(prices.low, order.limit_price))
        return event

    def stop_market_fill(self, security: Security, order: Order) -> OrderEvent:
        """Sell stop triggers when the low goes below the stop (fills at min(stop, price)); buy stop mirrors it."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, False):
            return event
        prices = self.get_prices(security, order.direction)
        if _utc_time_of(security, prices.end_time) <= order.time:
            return event
        slip = _slippage(security, order)
        if order.direction == SELL and prices.low < order.stop_price:
            return self._complete(event, order, min(order.stop_price, prices.current - slip))
        if order.direction == BUY and prices.high > order.stop_price:
            return self._complete(event, order, max(order.stop_price, prices.current + slip))
        return event

    def trailing_stop_fill(self, security: Security, order: Order) -> OrderEvent:
        """A stop-market fill at the trailing stop; when not filled the stop follows the bar's high (sells) or low
        (buys) once the market has moved away by more than the trailing distance."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, False):
            return event
        prices = self.get_prices(security, order.direction)
        if _utc_time_of(security, prices.end_time) <= order.time:
            return event
        slip = _slippage(security, order)
        if order.direction == SELL and prices.low <= order.stop_price:
            return self._complete(event, order, min(order.stop_price, prices.current - slip))
        if order.direction == BUY and prices.high >= order.stop_price:
            return self._complete(event, order, max(order.stop_price, prices.current + slip))
        market = prices.high if order.direction == SELL else prices.low
        updated = TrailingStopOrder.try_update_stop_price(market, order.stop_price, order.trailing_amount,
                                                          order.trailing_as_percentage, order.direction)
        if updated is not None:
            order.stop_price = updated
        return event

    def limit_if_touched_fill(self, security: Security, order: Order) -> OrderEvent:
        """Trade data touching the trigger arms the order; it then fills at the limit once the ask (sells) is at or
        above it, or the bid (buys) at or below it."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, self._extended_hours(security)):
            return event
        bar = security.cache.get_data(TradeBar) if security.is_subscribed_to(TradeBar) else None
        if bar is None or _utc_time_of(security, bar.end_time) <= order.time:
            return event
        buy = order.direction == BUY
        if order.trigger_touched or (bar.low <= order.trigger_price if buy else bar.high >= order.trigger_price):
            order.trigger_touched = True
            quote = (security.bid_price if buy else security.ask_price) or bar.close
            if (quote <= order.limit_price) if buy else (quote >= order.limit_price):
                return self._complete(event, order, order.limit_price)
        return event

    def stop_limit_fill(self, security: Security, order: Order) -> OrderEvent:
        """The stop arms the order when crossed; then it fills like a limit order against the same bar."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, False):
            return event
        prices = self.get_prices(security, order.direction)
        if _utc_time_of(security, prices.end_time) <= order.time:
            return event
        if order.direction == BUY:
            if prices.high > order.stop_price or getattr(order, "stop_triggered", False):
                order.stop_triggered = True  # type: ignore[attr-defined]
                if prices.current < order.limit_price:
                    return self._complete(event, order, min(prices.high, order.limit_price))
        elif order.direction == SELL:
            if prices.low < order.stop_price or getattr(order, "stop_triggered", False):
                order.stop_triggered = True  # type: ignore[attr-defined]
                if prices.current > order.limit_price:
                    return self._complete(event, order, max(prices.low, order.limit_price))
        return event


def covers(subscribed: Iterable[type], data_type: type) -> bool:
    """Whether one of the `subscribed` data types is `data_type` or a subclass of it (what subscribing to
    `data_type` means)."""
    return any(issubclass(kind, data_type) for kind in subscribed)


@lru_cache(maxsize=256)
def _price_sources(subscribed: frozenset[type]) -> tuple[bool, bool, bool]:
    """Whether the `subscribed` data types cover ticks, quote bars and trade bars (`covers` of each), found once per
    set of types: every market order of a security asks for the same."""
    return covers(subscribed, Tick), covers(subscribed, QuoteBar), covers(subscribed, TradeBar)


def _quote_side_close(quote_bar: Any, buy: bool) -> float:
    """Close of the ask side for a buy, of the bid side for a sell; the bar's close when that side is absent.

    Read from the bar's price tuple, which leaves a reader's packed sides packed; a zero there (an absent side, or
    a side whose close is 0) is settled by the side objects."""
    bid_close, ask_close = quote_bar._prices()[3:]
    price: float = ask_close if buy else bid_close
    if price:
        return price
    side = quote_bar.ask if buy else quote_bar.bid
    return side.close if side is not None else quote_bar.close  # type: ignore[no-any-return]


class ImmediateFillModel(FillModel):
    """LEAN's ImmediateFillModel: the base fill rules."""


class EquityFillModel(FillModel):
    """Equity rules: market orders at the best-effort ask/bid (quote, then trade data), MOO at the opening bar's
    open, MOC at the close once the market has closed."""

    def _best_effort_price(self, security: Security, order: Order) -> tuple[float, datetime | None]:
        """(price, stale data end UTC or None when fresh): quote ticks, quote bars, trade ticks, trade bars."""
        buy = order.direction == BUY
        cut_off = _local_time_of(security, order.time) - self.stale_price_time_span
        cache = security.cache
        tick_subscribed, quote_subscribed, trade_subscribed = _price_sources(frozenset(security.subscribed_types()))
        best: tuple[float, datetime] | None = None

        def consider(price: float, end_time: datetime) -> float | None:
            nonlocal best
            if best is not None and end_time <= best[1]:
                return None
            if end_time >= cut_off:
                return price
            best = (price, end_time)
            return None

        if tick_subscribed:
            tick = cache.get_data(Tick)
            if tick is not None and tick.tick_type == TickType.QUOTE:
                quote_price = tick.ask_price if buy else tick.bid_price
                if quote_price > 0:
                    fresh = consider(quote_price, tick.end_time)
                    if fresh is not None:
                        return fresh, None
        if quote_subscribed:
            quote_bar = cache.get_data(QuoteBar)
            if quote_bar is not None:
                fresh = consider(_quote_side_close(quote_bar, buy), quote_bar.end_time)
                if fresh is not None:
                    return fresh, None
        if tick_subscribed:
            tick = cache.get_data(Tick)
            if tick is not None and tick.tick_type == TickType.TRADE:
                fresh = consider(tick.value, tick.end_time)
                if fresh is not None:
                    return fresh, None
        if trade_subscribed:
            trade_bar = cache.get_data(TradeBar)
            if trade_bar is not None:
                fresh = consider(trade_bar.close, trade_bar.end_time)
                if fresh is not None:
                    return fresh, None
        if best is None:
            raise ValueError(f"no market data to fill the {order.type} order for {security.symbol}")
        return best[0], _utc_time_of(security, best[1])

    def market_fill(self, security: Security, order: Order) -> OrderEvent:
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, False):
            return event
        price, stale_end_utc = self._best_effort_price(security, order)
        if stale_end_utc is not None and self.should_wait_for_fresh_data_on_stale(security, stale_end_utc,
                                                                                  order.time):
            return event
        slip = _slippage(security, order)
        return self._complete(event, order, price + slip if order.direction == BUY else price - slip)

    def market_on_open_fill(self, security: Security, order: Order) -> OrderEvent:
        event = self._new_event(security, order)
        if order.status == CANCELED:
            return event
        local_order_time = _local_time_of(security, order.time)
        end_time = datetime.min
        price = 0.0
        if security.is_subscribed_to(TradeBar):
            bar = security.cache.get_data(TradeBar)
            if bar is not None:
                if bar.time < local_order_time:
                    return event
                if bar.end_time - bar.time < timedelta(hours=1) and not security.exchange.date_time_is_open(bar.time):
                    return event
                end_time = bar.end_time
                price = bar.open
        if local_order_time >= end_time:
            return event
        if security.exchange.date_time_is_open(local_order_time) and local_order_time.date() == end_time.date():
            return event
        if not self.is_exchange_open(security, False):
            return event
        if price == 0:
            price, _ = self._best_effort_price(security, order)
        slip = _slippage(security, order)
        return self._complete(event, order, price + slip if order.direction == BUY else price - slip)

    def market_on_close_fill(self, security: Security, order: Order) -> OrderEvent:
        event = self._new_event(security, order)
        if order.status == CANCELED:
            return event
        if local_time_now(security) < market_on_close_fill_time(security, order):
            return event
        price = 0.0
        if security.is_subscribed_to(TradeBar):
            price = security.cache.data_close(TradeBar) or 0.0
        if price == 0:
            price, _ = self._best_effort_price(security, order)
        slip = _slippage(security, order)
        return self._complete(event, order, price + slip if order.direction == BUY else price - slip)

    def _best_effort_trade_bar(self, security: Security, order: Order) -> Any:
        """The latest trade bar, if it ended after the order was placed (older trade data is never used)."""
        bar = security.cache.get_data(TradeBar) if security.is_subscribed_to(TradeBar) else None
        if bar is None or _utc_time_of(security, bar.end_time) <= order.time:
            return None
        return bar

    def limit_fill(self, security: Security, order: Order) -> OrderEvent:
        """Fills at the limit once the bar trades through it, or at the open when the bar gaps past it favourably."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, self._extended_hours(security)):
            return event
        bar = self._best_effort_trade_bar(security, order)
        if bar is None:
            return event
        if order.direction == BUY and bar.low < order.limit_price:
            return self._complete(event, order, bar.open if bar.open < order.limit_price else order.limit_price)
        if order.direction == SELL and bar.high > order.limit_price:
            return self._complete(event, order, bar.open if bar.open > order.limit_price else order.limit_price)
        return event

    def stop_market_fill(self, security: Security, order: Order) -> OrderEvent:
        """Fills at the stop once the bar touches it, or at the open when the bar gaps through it unfavourably."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, False):
            return event
        bar = self._best_effort_trade_bar(security, order)
        if bar is None:
            return event
        slip = _slippage(security, order)
        if order.direction == SELL and bar.low <= order.stop_price:
            return self._complete(event, order, (bar.open if bar.open <= order.stop_price else order.stop_price) - slip)
        if order.direction == BUY and bar.high >= order.stop_price:
            return self._complete(event, order, (bar.open if bar.open >= order.stop_price else order.stop_price) + slip)
        return event

    def limit_if_touched_fill(self, security: Security, order: Order) -> OrderEvent:
        """Trade data touching the trigger arms the order; it fills at the best-effort ask (buys) or bid (sells)
        once that is within the limit, capped at the limit."""
        event = self._new_event(security, order)
        if order.status == CANCELED or not self.is_exchange_open(security, self._extended_hours(security)):
            return event
        bar = self._best_effort_trade_bar(security, order)
        if bar is None:
            return event
        buy = order.direction == BUY
        if order.trigger_touched or (bar.low <= order.trigger_price if buy else bar.high >= order.trigger_price):
            order.trigger_touched = True
            price, _ = self._best_effort_price(security, order)
            if buy and price <= order.limit_price:
                return self._complete(event, order, min(price, order.limit_price))
            if not buy and price >= order.limit_price:
                return self._complete(event, order, max(price, order.limit_price))
        return event


_ENGINE_FILL_MODELS = (FillModel, ImmediateFillModel, EquityFillModel)


def earliest_fill_utc(security: Security, order: Order) -> datetime | None:
    """A UTC time before which the engine's own fill models cannot fill `order`, whatever the data: the close a
    market-on-close order waits for. None when there is no such time (or a user fill model decides)."""
    if order.type != MARKET_ON_CLOSE or type(security.fill_model) not in _ENGINE_FILL_MODELS \
            or security.exchange.always_open:
        return None
    return next_regular_close(security, order.time)[1]
