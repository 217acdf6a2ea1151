"""The QCAlgorithm trading API (LEAN's `QCAlgorithm.Trading.cs`) as a mixin.

The mixin relies on these attributes of the algorithm: `securities`, `portfolio`, `transactions`, `settings`,
`utc_time`, `is_warming_up`, `live_mode`, `debug(msg)` and `error(msg)`.

Conversions (LEAN 2026): an equity market order while the exchange is closed becomes MarketOnOpen; while it is open
on a daily-resolution-only security it becomes MarketOnClose, or MarketOnOpen within the MOC submission buffer of
the close. MOO/MOC on an always-open market raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..enums import MARKET, MARKET_ON_CLOSE, MARKET_ON_OPEN, OrderDirection, OrderType, SecurityType
from .buying_power import is_plain_margin_model, maximum_order_quantity, plain_maximum_quantity, round_to_lot
from .fees import model_method
from .fills import exchange_open_now, next_regular_close
from .orders import (
    MarketOnCloseOrder,
    OrderProperties,
    OrderResponse,
    OrderTicket,
    PortfolioTarget,
    SubmitOrderRequest,
    TrailingStopOrder,
)
from .securities import Security

_NO_CONVERSION_TYPES = frozenset({SecurityType.FUTURE, SecurityType.FUTURE_OPTION})


class _TradingState:
    """One-time warning flags and the order limit of one algorithm."""

    def __init__(self) -> None:
        self.max_orders = 10000
        self.moo_warning_sent = False
        self.daily_conversion_warning_sent = False
        self.liquidate_unknown_warning_sent = False
        self.minimum_order_margin_warning_sent: bool | None = None


def _state(algorithm: Any) -> _TradingState:
    state = algorithm.__dict__.get("_trading_state")
    if state is None:
        state = _TradingState()
        algorithm.__dict__["_trading_state"] = state
    return state


def _lookup_security(algorithm: Any, symbol: Any) -> Security | None:
    return algorithm.securities.get(symbol)  # type: ignore[no-any-return]


def portfolio_target_percent(algorithm: Any, symbol: Any, percent: float, return_delta_quantity: bool = False,
                             tag: str = "") -> PortfolioTarget | None:
    """LEAN's `PortfolioTarget.Percent`: the quantity holding `percent` of the portfolio (or the delta to it).

    adjusted = percent × TPV_less_free_buffer / TPV; margin fraction = adjusted / leverage; the buying-power model
    turns that into whole lots, fee-aware. Errors (bad percent, unknown symbol, zero price) go to `error()`.
    """
    return _PercentSizer(algorithm).target(symbol, _lookup_security(algorithm, symbol), percent,
                                           return_delta_quantity, tag)


class _PercentSizer:
    """`portfolio_target_percent` for the targets of one trading call, reading the algorithm-wide inputs (the
    settings' limits, TPV, TPV less the free buffer) once for all of them: sizing places no order, so they hold
    from one target to the next, until a margin model other than the engine's plain ones (a user's model, whose code
    may change anything, or the cash model) has sized a target, after which the next target reads them afresh."""

    __slots__ = ("_algorithm", "_portfolio", "_settings", "_state", "_stale", "_maximum_percent", "_minimum_percent",
                 "_minimum_order_margin", "_total", "_less_free_buffer")

    def __init__(self, algorithm: Any) -> None:
        self._algorithm = algorithm
        self._portfolio = algorithm.portfolio
        self._state = _state(algorithm)
        self._read_inputs()

    def _read_inputs(self) -> None:
        settings = self._settings = self._algorithm.settings
        self._maximum_percent = settings.max_absolute_portfolio_target_percentage
        self._minimum_percent = settings.min_absolute_portfolio_target_percentage
        self._minimum_order_margin = settings.minimum_order_margin_portfolio_percentage
        portfolio = self._portfolio
        self._total = portfolio.total_portfolio_value
        self._less_free_buffer = portfolio.total_portfolio_value_less_free_buffer
        self._stale = False

    def target(self, symbol: Any, security: Security | None, percent: float, return_delta_quantity: bool,
               tag: str) -> PortfolioTarget | None:
        """`portfolio_target_percent` once `symbol`'s security (None: not added) is known."""
        if self._stale:
            self._read_inputs()
        algorithm = self._algorithm
        percent = float(percent)
        magnitude = abs(percent)
        if magnitude > self._maximum_percent or (magnitude != 0 and magnitude < self._minimum_percent):
            algorithm.error(f"The portfolio target percent {percent} is outside the limits of "
                            f"settings.max_absolute_portfolio_target_percentage ({self._maximum_percent}) / "
                            f"settings.min_absolute_portfolio_target_percentage ({self._minimum_percent}); "
                            "skipping it.")
            return None
        if security is None:
            algorithm.error(f"{symbol} is not in the algorithm's securities: add it before sizing a target for it.")
            return None
        price = security.price
        if price == 0:
            algorithm.error(_zero_price_message(security))
            return None
        adjusted = percent * self._less_free_buffer / self._total
        model = security.buying_power_model
        state = self._state
        # a non-error reason is read only to find the first rebalance skipped for the minimum order margin
        reasons_read = not state.minimum_order_margin_warning_sent
        if is_plain_margin_model(model):
            result = plain_maximum_quantity(model, self._portfolio, security, price, adjusted / model.leverage,
                                            self._minimum_order_margin, not reasons_read)
        else:
            self._stale = True
            leverage = float(model_method(model, "get_leverage")(security))
            result = maximum_order_quantity(self._portfolio, security, adjusted / leverage,
                                            self._minimum_order_margin, reasons_read)
        if result.is_error:
            algorithm.error(f"Unable to compute the order quantity of {security.symbol}: {result.reason}")
            return None
        if result.quantity == 0 and result.reason.startswith("The target order margin"):
            if not state.minimum_order_margin_warning_sent:
                state.minimum_order_margin_warning_sent = True
                algorithm.debug("Warning: a portfolio rebalance was skipped because its order would be smaller than "
                                "settings.minimum_order_margin_portfolio_percentage of the portfolio; set it to 0 to "
                                "disable this minimum.")
        lot_size = security.symbol_properties.lot_size
        lots = round(result.quantity / lot_size)
        quantity = lots * lot_size + (0.0 if return_delta_quantity else security.holdings.quantity)
        return PortfolioTarget(security.symbol, quantity, tag)


def _zero_price_message(security: Security) -> str:
    return (f"{security.symbol}: the security has no price yet (no data received). Warm the algorithm up with "
            f"set_warm_up, or check slice.contains_key(symbol), before trading it; custom data must set 'Value'.")


class TradingMixin:
    """Order placement, SetHoldings, Liquidate and order sizing for QCAlgorithm."""

    # the attributes below are provided by QCAlgorithm
    securities: Any
    portfolio: Any
    transactions: Any
    settings: Any
    utc_time: Any
    is_warming_up: bool
    live_mode: bool
    debug: Callable[[Any], None]
    error: Callable[[Any], None]

    # --- symbols ----------------------------------------------------------------------------------------------
    def _security_for_order(self, symbol: Any) -> Security:
        security = self.securities.get(symbol)
        if security is None:
            raise KeyError(f"The symbol {symbol} is not in the algorithm's securities; lean_offline does not add "
                           "securities automatically: add it in initialize() before ordering it.")
        return security  # type: ignore[no-any-return]

    def _create_request(self, order_type: Any, security: Security, quantity: Any, tag: str | None,
                        order_properties: Any, asynchronous: bool, stop_price: float = 0.0,
                        limit_price: float = 0.0) -> SubmitOrderRequest:
        properties = order_properties.clone() if order_properties is not None else OrderProperties()
        return SubmitOrderRequest(order_type, security.type, security.symbol, float(quantity), float(stop_price),
                                  float(limit_price), self.utc_time, tag or "", properties, asynchronous)

    # --- order entry ------------------------------------------------------------------------------------------
    def order(self, symbol: Any, quantity: Any, asynchronous: bool = False, tag: str = "",
              order_properties: Any = None) -> OrderTicket:
        """A market order (with MarketOrder's conversions)."""
        return self.market_order(symbol, quantity, asynchronous, tag, order_properties)

    def buy(self, symbol: Any, quantity: Any) -> OrderTicket:
        return self.market_order(symbol, abs(float(quantity)))

    def sell(self, symbol: Any, quantity: Any) -> OrderTicket:
        return self.market_order(symbol, -abs(float(quantity)))

    def market_order(self, symbol: Any, quantity: Any, asynchronous: bool = False, tag: str = "",
                     order_properties: Any = None) -> OrderTicket:
        """Fill now at the current price, or convert to MOO (market closed) / MOC (daily-only data, market open)."""
        security = self._security_for_order(symbol)
        return self._market_order(security, quantity, _open_for_conversion(security), asynchronous, tag,
                                  order_properties)

    def _market_order(self, security: Security, quantity: Any, exchange_open: bool, asynchronous: bool, tag: str,
                      order_properties: Any) -> OrderTicket:
        """`market_order` once the security and whether its exchange is open are known (set_holdings knows both;
        `exchange_open` is not read for the types that never convert)."""
        state = _state(self)
        if security.type not in _NO_CONVERSION_TYPES:
            if not exchange_open:
                ticket = self.market_on_open_order(security.symbol, quantity, asynchronous, tag, order_properties)
                if not state.moo_warning_sent and _succeeded(ticket):
                    self.debug("Warning: a market order sent while the market is closed was converted into a "
                               "MarketOnOpen order, which fills at the next market open.")
                    state.moo_warning_sent = True
                return ticket
            if (not self.live_mode and not security.exchange.always_open
                    and security.is_daily_resolution_only):
                # the close buffer is checked here once: the MOC request needs no second check
                within_buffer = self._within_market_on_close_buffer(security)
                order_type = MARKET_ON_OPEN if within_buffer else MARKET_ON_CLOSE
                request = self._create_request(order_type, security, quantity, tag, order_properties, asynchronous)
                ticket = self._submit_checked_request(request, security, close_buffer_checked=True)
                if not state.daily_conversion_warning_sent and _succeeded(ticket):
                    self.debug("Warning: on daily-resolution data a market order sent during market hours is "
                               "converted into a MarketOnClose order (MarketOnOpen near the close), so it does not "
                               "fill at the stale previous close; live trading does not convert it.")
                    state.daily_conversion_warning_sent = True
                return ticket
        request = self._create_request(MARKET, security, quantity, tag, order_properties, asynchronous)
        return self._submit_checked_request(request, security, close_buffer_checked=False)

    def market_on_open_order(self, symbol: Any, quantity: Any, asynchronous: bool = False, tag: str = "",
                             order_properties: Any = None) -> OrderTicket:
        security = self._security_for_order(symbol)
        request = self._create_request(OrderType.MARKET_ON_OPEN, security, quantity, tag, order_properties,
                                       asynchronous)
        return self.submit_order_request(request)

    def market_on_close_order(self, symbol: Any, quantity: Any, asynchronous: bool = False, tag: str = "",
                              order_properties: Any = None) -> OrderTicket:
        security = self._security_for_order(symbol)
        request = self._create_request(OrderType.MARKET_ON_CLOSE, security, quantity, tag, order_properties,
                                       asynchronous)
        return self.submit_order_request(request)

    def limit_order(self, symbol: Any, quantity: Any, limit_price: float, asynchronous: bool = False,
                    tag: str = "", order_properties: Any = None) -> OrderTicket:
        security = self._security_for_order(symbol)
        request = self._create_request(OrderType.LIMIT, security, quantity, tag, order_properties, asynchronous,
                                       limit_price=limit_price)
        return self.submit_order_request(request)

    def stop_market_order(self, symbol: Any, quantity: Any, stop_price: float, asynchronous: bool = False,
                          tag: str = "", order_properties: Any = None) -> OrderTicket:
        security = self._security_for_order(symbol)
        request = self._create_request(OrderType.STOP_MARKET, security, quantity, tag, order_properties,
                                       asynchronous, stop_price=stop_price)
        return self.submit_order_request(request)

    def stop_limit_order(self, symbol: Any, quantity: Any, stop_price: float, limit_price: float,
                         asynchronous: bool = False, tag: str = "", order_properties: Any = None) -> OrderTicket:
        security = self._security_for_order(symbol)
        request = self._create_request(OrderType.STOP_LIMIT, security, quantity, tag, order_properties,
                                       asynchronous, stop_price=stop_price, limit_price=limit_price)
        return self.submit_order_request(request)

    def limit_if_touched_order(self, symbol: Any, quantity: Any, trigger_price: float, limit_price: float,
                               asynchronous: bool = False, tag: str = "", order_properties: Any = None) -> OrderTicket:
        security = self._security_for_order(symbol)
        request = self._create_request(OrderType.LIMIT_IF_TOUCHED, security, quantity, tag, order_properties,
                                       asynchronous, limit_price=limit_price)
        request.trigger_price = float(trigger_price)
        return self.submit_order_request(request)

    def trailing_stop_order(self, symbol: Any, quantity: Any, *args: Any, asynchronous: bool = False,
                            tag: str = "", order_properties: Any = None) -> OrderTicket:
        """`(symbol, quantity, trailing_amount, trailing_as_percentage)`, the stop starting at the current price
        ± the trailing distance, or `(symbol, quantity, stop_price, trailing_amount, trailing_as_percentage)`."""
        security = self._security_for_order(symbol)
        direction = OrderDirection.BUY if float(quantity) > 0 else OrderDirection.SELL
        if len(args) == 2:
            trailing_amount, as_percentage = float(args[0]), bool(args[1])
            stop_price = TrailingStopOrder.calculate_stop_price(security.price, trailing_amount, as_percentage,
                                                                direction)
        elif len(args) == 3:
            stop_price, trailing_amount, as_percentage = float(args[0]), float(args[1]), bool(args[2])
        else:
            raise TypeError("trailing_stop_order(symbol, quantity, [stop_price,] trailing_amount, "
                            "trailing_as_percentage)")
        request = self._create_request(OrderType.TRAILING_STOP, security, quantity, tag, order_properties,
                                       asynchronous, stop_price=stop_price)
        request.trailing_amount = trailing_amount
        request.trailing_as_percentage = as_percentage
        return self.submit_order_request(request)

    def submit_order_request(self, request: SubmitOrderRequest) -> OrderTicket:
        """Pre-order checks; a failure gives an invalid ticket (not counted), else the order goes to the handler."""
        return self._submit_checked_request(request, None, close_buffer_checked=False)

    def _submit_checked_request(self, request: SubmitOrderRequest, security: Security | None,
                                close_buffer_checked: bool) -> OrderTicket:
        """`submit_order_request` given the request's security when the caller has it at hand (None: looked up)
        and whether the caller found the exchange closing and checked the close buffer (`_market_order`'s
        MarketOnClose conversion)."""
        if security is None:
            security = _lookup_security(self, request.symbol)
        response = self._pre_order_checks(request, security, close_buffer_checked)
        if response is not None:
            self.error(response.error_message)
            request.response = response
            return OrderTicket(self.transactions, request)
        return self.transactions.add_order(request, security)  # type: ignore[no-any-return]

    def set_maximum_orders(self, maximum: int) -> None:
        _state(self).max_orders = int(maximum)

    # --- checks -----------------------------------------------------------------------------------------------
    def _within_market_on_close_buffer(self, security: Security) -> bool:
        """Whether it is too late for a MarketOnClose order of `security`, whose market closes (both callers found
        that it is not always open)."""
        _, next_close_utc = next_regular_close(security, security.utc_time)
        return bool(self.utc_time > next_close_utc - MarketOnCloseOrder.submission_time_buffer)

    def _pre_order_checks(self, request: SubmitOrderRequest, security: Security | None,
                          close_buffer_checked: bool) -> OrderResponse | None:
        """The error response of the first check `request` fails (its `security` is None when not added), None when
        it passes them all."""
        def reject(code: str, message: str) -> OrderResponse:
            return OrderResponse.error(request.order_id, code, message)

        if self.is_warming_up:
            return reject("AlgorithmWarmingUp", "Orders cannot be placed in initialize() or during warm-up; place "
                                                "them from on_warmup_finished() or later.")
        if security is None:
            return reject("MissingSecurity", f"No data was requested for {request.symbol}: add it in "
                                             "initialize() before ordering it.")
        if request.quantity == 0:
            return reject("OrderQuantityZero", f"Unable to submit an order for {request.symbol} with zero quantity.")
        lot_size = security.symbol_properties.lot_size
        if abs(request.quantity) < lot_size:
            return reject("OrderQuantityLessThanLotSize",
                          f"Unable to submit an order for {request.symbol}: its quantity ({abs(request.quantity)})"
                          f" is less than the lot size ({lot_size}).")
        if not security.is_tradable:
            return reject("NonTradableSecurity", f"The security {request.symbol} is not tradable.")
        if security.price == 0:
            return reject("SecurityPriceZero", _zero_price_message(security))
        if not security.has_data:
            return reject("SecurityHasNoData", f"{request.symbol} has no data yet; check security.has_data before "
                                               "ordering it.")
        if not self.live_mode and self.transactions.orders_count > _state(self).max_orders:
            return reject("ExceededMaximumOrders",
                          f"The maximum number of orders ({_state(self).max_orders}) has been exceeded.")
        if request.order_type == MARKET_ON_OPEN:
            if security.exchange.always_open:
                raise ValueError(f"The market never closes for {security.symbol}: a MarketOnOpen order cannot be "
                                 "submitted.")
            if exchange_open_now(security) and not security.is_daily_resolution_only:
                return reject("MarketOnOpenNotAllowedDuringRegularHours",
                              "A MarketOnOpen order cannot be submitted while the market is open.")
        elif request.order_type == MARKET_ON_CLOSE and not close_buffer_checked:
            if security.exchange.always_open:
                raise ValueError(f"The market never closes for {security.symbol}: a MarketOnClose order cannot be "
                                 "submitted.")
            if self._within_market_on_close_buffer(security):
                return reject("MarketOnCloseOrderTooLate",
                              f"MarketOnClose orders must be placed at least "
                              f"{MarketOnCloseOrder.submission_time_buffer} before the market close (change "
                              "MarketOnCloseOrder.submission_time_buffer in initialize() if needed).")
        return None

    # --- sizing -----------------------------------------------------------------------------------------------
    def calculate_order_quantity(self, symbol: Any, target: float) -> float:
        """Delta quantity that moves `symbol` to `target` (a fraction) of the portfolio; 0 when not possible."""
        result = portfolio_target_percent(self, symbol, target, return_delta_quantity=True)
        return 0.0 if result is None else result.quantity

    def set_holdings(self, symbol: Any, percentage: float | None = None, liquidate_existing_holdings: bool = False,
                     asynchronous: bool = False, tag: str | None = None,
                     order_properties: Any = None) -> list[OrderTicket]:
        """Hold `percentage` of the portfolio in `symbol`, or apply a list of PortfolioTarget percents.

        The list form is LEAN's other overload, `SetHoldings(targets, liquidateExistingHoldings=False, tag=None,
        orderProperties=None)`: its positional arguments after the targets mean something else, so they are
        re-bound here (`set_holdings(targets, True)` liquidates the holdings that are not targeted).
        """
        if isinstance(symbol, list | tuple):
            if percentage is not None:
                if not isinstance(percentage, bool):
                    raise TypeError("set_holdings(targets, liquidate_existing_holdings, tag, order_properties): "
                                    f"the second argument must be a bool, got {percentage!r}")
                if isinstance(liquidate_existing_holdings, str):
                    tag = liquidate_existing_holdings
                elif liquidate_existing_holdings:
                    raise TypeError("set_holdings(targets, liquidate_existing_holdings, tag, order_properties): "
                                    f"the third argument is the tag, got {liquidate_existing_holdings!r}")
                liquidate_existing_holdings = percentage
            return self._set_holdings_targets(list(symbol), liquidate_existing_holdings, asynchronous, tag,
                                              order_properties)
        if percentage is None:
            raise TypeError("set_holdings(symbol, percentage): the percentage is missing")
        security = _lookup_security(self, symbol)
        resolved = security.symbol if security is not None else symbol
        delta = _PercentSizer(self).target(resolved, security, percentage, True, "")
        return self._set_holdings_impl(resolved, 0.0 if delta is None else delta.quantity,
                                       liquidate_existing_holdings, asynchronous, tag, order_properties, security)

    def _set_holdings_targets(self, targets: list[Any], liquidate_existing_holdings: bool, asynchronous: bool,
                              tag: str | None, order_properties: Any) -> list[OrderTicket]:
        tickets: list[OrderTicket] = []
        if liquidate_existing_holdings:
            keep = [target.symbol for target in targets]
            tickets = self.liquidate(self._symbols_to_liquidate(keep), tag=tag, order_properties=order_properties)
        deltas = []
        sizer = _PercentSizer(self)
        for target in targets:
            security = _lookup_security(self, target.symbol)
            resolved = security.symbol if security is not None else target.symbol
            delta = sizer.target(resolved, security, target.quantity, True, "")
            deltas.append((security, PortfolioTarget(resolved, 0.0) if delta is None else delta))
        for security, delta in self._rank_by_margin_impact(deltas, target_is_delta=True):
            tickets.extend(self._set_holdings_impl(delta.symbol, delta.quantity, False, asynchronous, tag,
                                                   order_properties, security))
        return tickets

    def order_targets_by_margin_impact(self, targets: Iterable[Any],
                                       target_is_delta: bool = False) -> list[Any]:
        """Targets that need an order, position-reducing ones first, then by descending order value."""
        pairs = [(None, target) for target in targets]
        return [target for _, target in self._rank_by_margin_impact(pairs, target_is_delta)]

    def _rank_by_margin_impact(self, pairs: Iterable[tuple[Security | None, Any]],
                               target_is_delta: bool) -> list[tuple[Security, Any]]:
        """`order_targets_by_margin_impact` of (security, target) pairs, with the target's security when the caller
        has it at hand (None: looked up here, a KeyError naming a symbol that was never added)."""
        if self.is_warming_up:
            return []
        ranked = []
        for known, target in pairs:
            security = self.securities[target.symbol] if known is None else known
            lot_size = security.symbol_properties.lot_size
            target_quantity = round_to_lot(target.quantity, lot_size, "zero")
            if target_is_delta and abs(target_quantity) < lot_size:
                continue  # no order, whatever is held or open (set_holdings sizes most targets to no change)
            existing = security.holdings.quantity + sum(
                ticket.quantity_remaining for ticket in self.transactions.get_open_order_tickets(security.symbol))
            delta = target_quantity if target_is_delta else target_quantity - existing
            if not (security.has_data and security.is_tradable and abs(delta) >= lot_size):
                continue
            final = target_quantity + existing if target_is_delta else target_quantity
            reducing = existing != 0 and abs(final) < abs(existing)
            ranked.append((not reducing, -abs(delta * security.price), security, target))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [(item[2], item[3]) for item in ranked]

    def _set_holdings_impl(self, symbol: Any, order_quantity: float, liquidate_existing_holdings: bool,
                           asynchronous: bool, tag: str | None, order_properties: Any,
                           security: Security | None = None) -> list[OrderTicket]:
        """Order `order_quantity` less what open market orders of `symbol` will still fill; `security` is
        `symbol`'s when the caller has it at hand (else it is looked up)."""
        tickets: list[OrderTicket] = []
        if liquidate_existing_holdings:
            tickets = self.liquidate(self._symbols_to_liquidate([symbol]), tag=tag,
                                     order_properties=order_properties)
        pending = sum(ticket.quantity_remaining for ticket in self.transactions.get_open_order_tickets(symbol)
                      if ticket.order_type in (MARKET, MARKET_ON_OPEN))
        quantity = order_quantity - pending
        if abs(quantity) > 0:
            if security is None:
                security = _lookup_security(self, symbol)
            if security is None:
                self.error(f"{symbol} not found in the portfolio: add it in initialize().")
                return tickets
            if exchange_open_now(security):
                tickets.append(self._market_order(security, quantity, True, asynchronous, tag or "",
                                                  order_properties))
            else:
                tickets.append(self.market_on_open_order(symbol, quantity, asynchronous, tag or "",
                                                         order_properties))
        return tickets

    def _symbols_to_liquidate(self, keep: Iterable[Any]) -> list[Any]:
        kept = set()
        for symbol in keep:
            security = _lookup_security(self, symbol)
            kept.add(security.symbol if security is not None else symbol)
        others = [security.symbol for security in self.securities.total if security.symbol not in kept]
        return sorted(others, key=lambda symbol: symbol.value)

    # --- liquidation ------------------------------------------------------------------------------------------
    def liquidate(self, symbol: Any = None, asynchronous: bool = False, tag: str | None = None,
                  order_properties: Any = None) -> list[OrderTicket]:
        """Close positions (all, one symbol, or a list), cancelling their open non-market orders first."""
        if symbol is None:
            symbols = sorted((security.symbol for security in self.securities.total),
                             key=lambda item: item.value)
        elif isinstance(symbol, list | tuple | set):
            symbols = list(symbol)
        else:
            symbols = [symbol]
        tickets: list[OrderTicket] = []
        if not self.settings.liquidate_enabled:
            self.debug("liquidate() is disabled by settings.liquidate_enabled = False.")
            return tickets
        tag = "Liquidated" if tag is None else tag
        state = _state(self)
        for item in symbols:
            security = _lookup_security(self, item)
            if security is None:
                if not state.liquidate_unknown_warning_sent:
                    state.liquidate_unknown_warning_sent = True
                    self.debug(f"Warning: liquidate ignored '{item}', which has not been added to the algorithm.")
                continue
            orders = self.transactions.get_open_orders(security.symbol)
            holdings = security.holdings
            quantity = holdings.quantity if holdings.invested else 0.0
            if (len(orders) == 1 and quantity != 0 and orders[0].quantity == -quantity
                    and orders[0].type == MARKET):
                continue
            pending_market = 0.0
            for order in orders:
                if order.type == MARKET:
                    ticket = self.transactions.get_order_ticket(order.id)
                    if ticket is not None:
                        pending_market += ticket.quantity_remaining
                else:
                    self.transactions.cancel_order(order.id, tag)
            if quantity != 0:
                tickets.append(self._market_order(security, -quantity - pending_market,
                                                  _open_for_conversion(security), asynchronous, tag,
                                                  order_properties))
        return tickets

    # --- market state -----------------------------------------------------------------------------------------
    def is_market_open(self, symbol: Any) -> bool:
        security = self._security_for_order(symbol)
        return security.is_market_open(False)


def _open_for_conversion(security: Security) -> bool:
    """`_market_order`'s `exchange_open` for `security`: whether its exchange is open now (False, and not asked,
    for the types whose market orders never convert)."""
    return security.type not in _NO_CONVERSION_TYPES and exchange_open_now(security)


def _succeeded(ticket: OrderTicket) -> bool:
    response = ticket.submit_request.response
    return response is not None and response.is_success
