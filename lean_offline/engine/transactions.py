"""`self.transactions`: LEAN's transaction handler and backtesting brokerage in one synchronous object.

Submission (`add_order`) counts the order (Total Orders), rounds it to the lot size, checks buying power
(insufficient ⇒ Invalid, still counted), marks it Submitted and then scans pending orders, so a market order is
filled before the order call returns. `process_synchronous_events()` is the scan the engine runs twice per time
step. Non-market orders never fill in the time step they were placed in.

The manager reads `securities`, `portfolio`, `settings`, `utc_time`, `time`, `is_warming_up`, `error(msg)` and
`debug(msg)` from the algorithm it is given, at call time. The module also holds the brokerage models (which orders
a brokerage accepts, the models it gives new securities) and LEAN's default margin-call model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..data.symbol import Symbol
from ..enums import (
    CANCELED,
    FILLED,
    INVALID,
    MARKET,
    SUBMITTED,
    UPDATE_SUBMITTED,
    AccountType,
    OrderStatus,
    OrderType,
    SecurityType,
)
from ..naming import DualCase, lean_enum, to_snake_case
from ..trades import record_trade_fill
from .buying_power import (
    CashBuyingPowerModel,
    SecurityMarginModel,
    has_sufficient_buying_power,
    is_plain_margin_model,
    maximum_order_quantity,
    reserved_buying_power,
    round_to_lot,
)
from .corporate_events import split_order_fields
from .fees import (
    CoinbaseFeeModel,
    ConstantFeeModel,
    InteractiveBrokersFeeModel,
    default_fee_model,
    is_engine_fee_model,
    model_method,
    order_fee,
)
from .fills import EquityFillModel, FillModel, earliest_fill_utc, run_fill_model
from .orders import (
    FILL_STATUSES,
    Order,
    OrderEvent,
    OrderEventHandler,
    OrderFee,
    OrderResponse,
    OrderTicket,
    SubmitOrderRequest,
    UpdateOrderFields,
    UpdateOrderRequest,
    is_closed_status,
)
from .portfolio import MARGIN_ONLY_TYPES, VALUATION_VERSION


def _smart_round(value: float) -> str:
    """LEAN's SmartRounding for messages: 4 decimals above 1000 in magnitude, else 7 significant digits; printed
    as a plain decimal without trailing zeros."""
    rounded = round(value, 4) if abs(value) > 1000 else float(f"{value:.7g}")
    text = format(Decimal(repr(rounded)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


BrokerageMessageType = lean_enum(
    "BrokerageMessageType", {"Information": 0, "Warning": 1, "Error": 2, "Reconnect": 3, "Disconnect": 4,
                             "ActionRequired": 5})


class BrokerageMessageEvent(DualCase):
    """A brokerage message; printed as LEAN prints it: `Information - Code: X - text`."""

    __slots__ = ("type", "code", "message")

    def __init__(self, type: Any, code: Any, message: str) -> None:  # noqa: A002 - LEAN's parameter name
        self.type = type
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.type} - Code: {self.code} - {self.message}"


class DefaultBrokerageModel(DualCase):
    """LEAN's default brokerage model: what a security gets (fees, fills, leverage) and which orders it takes.

    Python subclasses may override `get_fee_model`, `get_fill_model`, `get_leverage`, `get_buying_power_model`,
    `can_submit_order(security, order, message)` and `can_update_order(security, order, request, message)`;
    the `can_*` methods return `(bool, BrokerageMessageEvent | None)` as LEAN's Python API does.
    """

    account_type: Any
    required_free_buying_power_percent: float

    default_markets = {SecurityType.EQUITY: "usa", SecurityType.FOREX: "oanda", SecurityType.CFD: "oanda",
                       SecurityType.CRYPTO: "coinbase"}

    def __init__(self, account_type: Any = AccountType.MARGIN) -> None:
        self.account_type = AccountType.MARGIN if account_type is None else account_type
        self.required_free_buying_power_percent = 0.0

    def _is_cash_account(self) -> bool:
        return int(self.account_type) == int(AccountType.CASH)

    def get_leverage(self, security: Any) -> float:
        if self._is_cash_account():
            return 1.0
        from .securities import default_leverage

        return default_leverage(security.type)

    def get_fee_model(self, security: Any) -> Any:
        return default_fee_model(security.type)

    def get_fill_model(self, security: Any) -> Any:
        return EquityFillModel() if security.type == SecurityType.EQUITY else FillModel()

    def get_buying_power_model(self, security: Any) -> Any:
        if self._is_cash_account() and security.type in (SecurityType.CRYPTO, SecurityType.FOREX):
            return CashBuyingPowerModel()
        leverage = float(model_method(self, "get_leverage")(security))
        return SecurityMarginModel(leverage, self.required_free_buying_power_percent)

    def can_submit_order(self, security: Any, order: Any, message: Any) -> Any:
        return True, None

    def can_update_order(self, security: Any, order: Any, request: Any, message: Any) -> Any:
        return True, None

    def apply_split(self, tickets: list[Any], split: Any) -> None:
        """Update open orders of a split security so that their notional stays the same (see
        `corporate_events.split_order_fields`)."""
        for ticket in tickets:
            ticket.update(split_order_fields(ticket, float(split.split_factor)))


class InteractiveBrokersBrokerageModel(DefaultBrokerageModel):
    """IB: Interactive Brokers fees on every security type it trades; CFD leverage 10."""

    def get_fee_model(self, security: Any) -> Any:
        return InteractiveBrokersFeeModel()

    def get_leverage(self, security: Any) -> float:
        if not self._is_cash_account() and security.type == SecurityType.CFD:
            return 10.0
        return super().get_leverage(security)


class CoinbaseBrokerageModel(DefaultBrokerageModel):
    """Coinbase (GDAX): cash account, Coinbase's fee schedule for crypto."""

    def __init__(self, account_type: Any = AccountType.CASH) -> None:
        super().__init__(account_type)

    def get_fee_model(self, security: Any) -> Any:
        return CoinbaseFeeModel() if security.type == SecurityType.CRYPTO else super().get_fee_model(security)


GDAXBrokerageModel = CoinbaseBrokerageModel


class OandaBrokerageModel(DefaultBrokerageModel):
    """Oanda: no commissions (the spread is the cost)."""

    def get_fee_model(self, security: Any) -> Any:
        return ConstantFeeModel(0.0)


def brokerage_model_for(brokerage: Any, account_type: Any = None) -> Any:
    """A brokerage model from a BrokerageName (or its name) and account type; a model object is returned as is."""
    if not isinstance(brokerage, str | int):
        if account_type is not None:
            brokerage.account_type = account_type
        return brokerage
    key = to_snake_case(str(brokerage))
    if key == "interactive_brokers_brokerage":
        return InteractiveBrokersBrokerageModel(account_type)
    if key in ("gdax", "coinbase"):
        return CoinbaseBrokerageModel(AccountType.CASH if account_type is None else account_type)
    if key == "oanda_brokerage":
        return OandaBrokerageModel(account_type)
    return DefaultBrokerageModel(account_type)


def initialize_security(model: Any, security: Any) -> None:
    """Give a new security the brokerage model's fee, fill and buying-power models (an explicit leverage stays)."""
    explicit_leverage = security.leverage if security.explicit_leverage else None
    security.fee_model = model_method(model, "get_fee_model")(security)
    security.fill_model = model_method(model, "get_fill_model")(security)
    security.buying_power_model = model_method(model, "get_buying_power_model")(security)
    if explicit_leverage is not None:
        security.set_leverage(explicit_leverage)


def _user_callback(algorithm: Any, snake_name: str) -> Any:
    """The algorithm's own override of a callback (snake_case first, then PascalCase), or None."""
    pascal_name = "".join(part.capitalize() for part in snake_name.split("_"))
    for name in (snake_name, pascal_name):
        for cls in type(algorithm).__mro__:
            if name in vars(cls):
                if cls.__module__.startswith("lean_offline."):
                    break
                return getattr(algorithm, name)
    return None


def _add_broker_id(order: Order) -> None:
    """The backtesting brokerage's id of an order is its own id, as text."""
    broker_id = str(order.id)
    if broker_id not in order.broker_id:
        order.broker_id.append(broker_id)


def _can(result: Any) -> tuple[bool, Any]:
    if isinstance(result, tuple):
        return bool(result[0]), result[1] if len(result) > 1 else None
    return bool(result), None


MARGIN_CALL_TAG = "Margin Call"
MARGIN_CALL_FREQUENCY = timedelta(minutes=5)


def margin_call_requests(portfolio: Any, utc_time: datetime, margin_buffer: float = 0.10) -> tuple[list[Any], bool]:
    """LEAN's DefaultMarginCallModel.GetMarginCallOrders: (reducing market-order requests, warning flag).

    A warning when margin remaining ≤ 5 % of TPV; orders only when margin remaining ≤ 0 and margin used exceeds
    TPV × (1 + buffer). Each position is cut by the buying power needed to bring margin used back to TPV.
    """
    total_margin_used = portfolio.total_margin_used
    if total_margin_used <= 0:
        return [], False
    total = portfolio.total_portfolio_value
    remaining = portfolio.get_margin_remaining(total)
    warning = remaining <= total * 0.05
    requests: list[Any] = []
    if remaining > 0:
        return requests, warning
    if total_margin_used > total * (1 + margin_buffer):
        for security in portfolio.securities.total:
            quantity = security.holdings.quantity
            if not quantity or security.quote_currency.conversion_rate == 0:
                continue
            used = reserved_buying_power(security)
            keep = max(0.0, used - (total_margin_used - total))
            delta = (used - keep) * -math.copysign(1.0, quantity)
            signed_used = used * (1 if quantity > 0 else -1)
            target = (signed_used + delta) / total if total else 0.0
            result = maximum_order_quantity(portfolio, security, target, 0.0)
            order_quantity = abs(result.quantity) * -math.copysign(1.0, quantity)
            if order_quantity != 0:
                requests.append(SubmitOrderRequest(OrderType.MARKET, security.type, security.symbol, order_quantity,
                                                   0.0, 0.0, utc_time, MARGIN_CALL_TAG))
    return requests, bool(requests)


class SecurityTransactionManager(DualCase):
    """Orders, tickets and fills of one algorithm."""

    brokerage_model: Any
    order_events: list[OrderEvent]

    def __init__(self, algorithm: Any) -> None:
        self._algorithm = algorithm
        self._orders: dict[int, Order] = {}
        self._tickets: dict[int, OrderTicket] = {}
        self._pending: dict[int, Order] = {}
        # order id → (UTC time before which it cannot fill, the buying-power inputs when that was found, its security)
        self._waiting: dict[int, tuple[datetime, tuple[Any, ...], Any]] = {}
        # (earliest fill time, VALUATION_VERSION, `_waiting_state()`) of the last scan that found every pending order
        # waiting; any order event drops it
        self._quiet_scan: tuple[datetime, int, list[tuple[Any, ...]]] | None = None
        # order id → the buying-power inputs at which submission found it sufficient, for the scan that follows
        self._submitted_sufficient_at: dict[int, tuple[Any, ...]] = {}
        self._open: dict[int, Order] = {}
        # the open orders again, by Symbol (id order within each): set_holdings asks for them once per target
        self._open_by_symbol: dict[Symbol, dict[int, Order]] = {}
        self._event_counts: dict[int, int] = {}
        self._last_order_id = 0
        self._total_orders = 0
        self._handler: OrderEventHandler | None = None
        self.brokerage_model: Any = DefaultBrokerageModel()
        self._handler_depth = 0
        self._next_margin_call_utc: datetime | None = None
        self._deferred_updates: list[tuple[Order, UpdateOrderRequest]] = []
        self.order_events: list[OrderEvent] = []

    # --- wiring -----------------------------------------------------------------------------------------------
    def set_order_event_handler(self, handler: OrderEventHandler | None) -> None:
        """`handler(event)` runs after the portfolio has applied each event (the algorithm's on_order_event)."""
        self._handler = handler

    def set_brokerage_model(self, brokerage: Any, account_type: Any = None) -> None:
        """Use a brokerage model (BrokerageName or model object) for order checks and for securities added from
        now on, as LEAN's brokerage security initializer does."""
        model = brokerage_model_for(brokerage, account_type)
        self.brokerage_model = model
        self._algorithm.securities.security_initializer = lambda security: initialize_security(model, security)

    @property
    def orders_count(self) -> int:
        """Orders that reached the transaction handler, including ones that became invalid (Total Orders)."""
        return self._total_orders

    @property
    def last_order_id(self) -> int:
        return self._last_order_id

    @property
    def utc_time(self) -> Any:
        return self._algorithm.utc_time

    # --- submission -------------------------------------------------------------------------------------------
    def add_order(self, request: SubmitOrderRequest, security: Any = None) -> OrderTicket:
        """Accept a checked request: assign the id, count it, validate buying power, submit, then scan. `security`
        is the request's when the caller has it at hand (None: looked up)."""
        algorithm = self._algorithm
        self._last_order_id += 1
        request.order_id = self._last_order_id
        ticket = OrderTicket(self, request)
        if security is None:
            security = algorithm.securities[request.symbol]
        request.symbol = security.symbol
        order = request.create_order()
        # the engine's own fields of its own order object: written to its dict, as in `_emit`
        order_fields = vars(order)
        order_fields["price_currency"] = security.symbol_properties.quote_currency
        self._total_orders += 1
        self._tickets[order.id] = ticket
        self._orders[order.id] = order
        self._open[order.id] = order
        self._open_by_symbol.setdefault(order.symbol, {})[order.id] = order
        ticket.set_order(order)
        if algorithm.is_warming_up:
            order.tag = "Algorithm warming up."
            request.response = OrderResponse.error(order.id, "AlgorithmWarmingUp", order.tag)
            self._invalidate(order, order.tag)
            return ticket
        order_fields["order_submission_data"] = {"bidPrice": security.bid_price, "askPrice": security.ask_price,
                                                 "lastPrice": security.close}
        order_fields["price_adjustment_mode"] = security.data_normalization_mode
        request.response = self._submit(order, security)
        self.process_synchronous_events()
        self._submitted_sufficient_at.pop(order.id, None)
        return ticket

    def _submit(self, order: Order, security: Any) -> OrderResponse:
        algorithm = self._algorithm
        vars(order)["quantity"] = round_to_lot(order.quantity, security.symbol_properties.lot_size, "zero")
        if order.quantity == 0:
            message = f"Unable to submit order with id {order.id} that has zero quantity."
            algorithm.error(message)
            self._invalidate(order, message)
            return OrderResponse.error(order.id, "OrderQuantityZero", message)
        sufficient = has_sufficient_buying_power(algorithm.portfolio, security, order, 0.0)
        if not sufficient.is_sufficient:
            message = self._insufficient_message(order, security, sufficient.reason)
            algorithm.error(message)
            self._invalidate(order, message)
            return OrderResponse.error(order.id, "InsufficientBuyingPower", message)
        accepted, reason = _can(model_method(self.brokerage_model, "can_submit_order")(security, order, None))
        if not accepted:
            if reason is None:
                reason = BrokerageMessageEvent(BrokerageMessageType.WARNING, "InvalidOrder", "")
            message = f"BrokerageModel declared unable to submit order: [{order.id}] {reason}"
            self._invalidate(order, message)
            algorithm.error(message)
            return OrderResponse.error(order.id, "BrokerageModelRefusedToSubmitOrder", message)
        self._pending[order.id] = order
        _add_broker_id(order)
        self._emit(order, OrderEvent(order, algorithm.utc_time, OrderFee.zero, status=SUBMITTED))
        inputs = self._buying_power_inputs(order, security)
        if inputs is not None and order.id in self._pending:
            if self._handler is None:  # no user code ran since the check: the scan that follows may reuse it
                self._submitted_sufficient_at[order.id] = inputs
            self._wait_until_fillable(order, security, inputs)
        return OrderResponse.success(order.id)

    @staticmethod
    def _insufficient_message(order: Order, security: Any, reason: str) -> str:
        return (f"Order Error: ids: [{order.id}], Insufficient buying power to complete orders "
                f"(Value:[{_smart_round(order.get_value(security))}]), Reason: {reason}.")

    def _invalidate(self, order: Order, message: str) -> None:
        self._pending.pop(order.id, None)
        self._emit(order, OrderEvent(order, self._algorithm.utc_time, OrderFee.zero, message,
                                     status=INVALID))

    # --- fills ------------------------------------------------------------------------------------------------
    @property
    def has_pending(self) -> bool:
        """Whether an order waits to be filled (the runner's steps that cannot fill one skip the scans)."""
        return bool(self._pending)

    def process_synchronous_events(self, utc_time: Any = None) -> None:
        """Try to fill every pending order (in id order) on the current prices.

        A scan that finds every pending order waiting (see `_wait_until_fillable`) is remembered; until the earliest
        of their fill times, while no order event happened and their buying-power inputs are unchanged, the next
        scan would find the same and is skipped as a whole."""
        if not self._pending:
            return
        algorithm = self._algorithm
        now = algorithm.utc_time
        quiet = self._quiet_scan
        if (quiet is not None and now < quiet[0] and quiet[1] == VALUATION_VERSION.count
                and quiet[2] == self._waiting_state()):
            return
        earliest_fill: datetime | None = None
        all_waiting = True
        for order_id in sorted(self._pending):
            order = self._pending.get(order_id)
            if order is None:
                continue
            if is_closed_status(order.status):
                del self._pending[order_id]
                continue
            if order.time == now and order.type != MARKET:
                all_waiting = False
                continue
            waiting = self._waiting.get(order_id)
            if waiting is not None and now < waiting[0] and waiting[1] == self._buying_power_inputs(order, waiting[2]):
                # the same buying-power verdict and still before the order can fill: the scan's outcome (removing
                # or replacing the security changes VALUATION_VERSION, hence the inputs)
                if earliest_fill is None or waiting[0] < earliest_fill:
                    earliest_fill = waiting[0]
                continue
            all_waiting = False
            security = algorithm.securities.get(order.symbol)
            if security is None:
                self._invalidate(order, f"The security {order.symbol} no longer exists.")
                continue
            self._try_fill(order, security)
        if all_waiting and earliest_fill is not None:
            self._quiet_scan = (earliest_fill, VALUATION_VERSION.count, self._waiting_state())

    def _waiting_state(self) -> list[tuple[Any, ...]]:
        """The buying-power inputs of the waiting orders that can change without advancing VALUATION_VERSION: the
        price of a security not held (a held security's price moves advance it, as do a new margin model or
        leverage: `Security.buying_power_model`, `BuyingPowerModel.leverage`), the margin model's
        free-buying-power percentage and the fee model. A security becoming held or no longer held changes its
        entry (None stands for a held security's price)."""
        return [(None if security.cache.is_valued else security.price,
                 security.buying_power_model.required_free_buying_power_percent, security.fee_model)
                for _, _, security in self._waiting.values()]

    def _buying_power_inputs(self, order: Order, security: Any) -> tuple[Any, ...] | None:
        """What the engine's own margin and fee models decide sufficiency from besides the order itself: the
        portfolio state, this security's price, the margin model's leverage and free-buying-power percentage and
        the fee model; None for other models, whose verdicts may depend on anything, and for margin-only securities,
        whose unrealised profit also moves with the quotes. Changes to the order (fills, updates) emit events,
        which drop the verdicts remembered for it."""
        model = security.buying_power_model
        if (not is_plain_margin_model(model) or not is_engine_fee_model(security.fee_model)
                or security.type in MARGIN_ONLY_TYPES):
            return None
        return (VALUATION_VERSION.count, security.price, model.leverage, model.required_free_buying_power_percent,
                security.fee_model)

    def _try_fill(self, order: Order, security: Any) -> None:
        algorithm = self._algorithm
        verdict_inputs = self._submitted_sufficient_at.pop(order.id, None)
        if verdict_inputs is None or verdict_inputs != self._buying_power_inputs(order, security):
            ticket = self._tickets[order.id]
            try:
                sufficient = has_sufficient_buying_power(algorithm.portfolio, security, order, ticket.quantity_filled)
            except Exception as error:  # noqa: BLE001 - a user margin model failing must not stop the run
                self._invalidate(order, str(error))
                algorithm.error(f"Order Error: ids: [{order.id}], Error executing margin models: {error}")
                return
            if not sufficient.is_sufficient:
                message = self._insufficient_message(order, security, sufficient.reason)
                self._invalidate(order, message)
                algorithm.error(message)
                return
        try:
            fills = run_fill_model(security.fill_model, security, order, algorithm.settings.stale_price_time_span)
            for fill in fills:
                if fill.status == FILLED and fill.order_fee.value.amount == 0:
                    fill.order_fee = order_fee(security.fee_model, security, order)
        except Exception as error:  # noqa: BLE001 - LEAN reports model failures and keeps the order pending
            algorithm.error(f"Order Error: id: {order.id}, Transaction model failed to fill for order type: "
                            f"{order.type} with error: {error}")
            return
        emitted = False
        for fill in fills:
            if fill.order_id != order.id:
                continue
            if fill.status != order.status or fill.fill_quantity != 0:
                if is_closed_status(fill.status):
                    self._pending.pop(order.id, None)
                self._emit(order, fill)
                emitted = True
        if not emitted:
            inputs = self._buying_power_inputs(order, security)
            if inputs is not None:
                self._wait_until_fillable(order, security, inputs)

    def _wait_until_fillable(self, order: Order, security: Any, inputs: tuple[Any, ...]) -> None:
        """Let scans skip an order found sufficient at `inputs` until the earliest time it can fill, if it has one."""
        until = earliest_fill_utc(security, order)
        if until is not None:
            self._waiting[order.id] = (until, inputs, security)

    # --- events -----------------------------------------------------------------------------------------------
    def _emit(self, order: Order, event: OrderEvent) -> None:
        """Update the order from the event, apply fills to the portfolio, then notify the algorithm.

        Fields of the engine's own order and event objects are written to their instance dictionaries: no user code
        runs in between, and the engine's own names need no PascalCase translation."""
        order_id = order.id
        order_fields = vars(order)
        self._quiet_scan = None
        self._waiting.pop(order_id, None)
        self._submitted_sufficient_at.pop(order_id, None)
        status = event.status
        if not (order.status in (FILLED, CANCELED) and status == INVALID):
            order_fields["status"] = status
        if is_closed_status(order.status) and self._open.pop(order_id, None) is not None:
            del self._open_by_symbol[order.symbol][order_id]
        count = self._event_counts.get(order_id, 0) + 1
        self._event_counts[order_id] = count
        ticket = self._tickets[order_id]
        is_fill = status in FILL_STATUSES
        if status == CANCELED:
            order_fields["canceled_time"] = event.utc_time
        elif is_fill:
            order_fields["last_fill_time"] = event.utc_time
        elif status in (SUBMITTED, UPDATE_SUBMITTED) and ticket.update_requests:
            order_fields["last_update_time"] = event.utc_time
        vars(event).update(id=count, ticket=ticket, quantity=order.quantity)
        ticket.add_order_event(event)
        if is_fill:
            self._algorithm.portfolio.process_fill(event)
            record_trade_fill(self._algorithm, event)
            order_fields["price"] = ticket.average_fill_price
        self.order_events.append(event)
        if self._handler is None:
            return
        self._handler_depth += 1
        try:
            self._handler(event)
        finally:
            self._handler_depth -= 1
        while self._handler_depth == 0 and self._deferred_updates:
            deferred_order, deferred_request = self._deferred_updates.pop(0)
            deferred_request.response = self._apply_update(deferred_order, deferred_request)

    # --- margin calls -----------------------------------------------------------------------------------------
    def check_margin_call(self) -> list[OrderTicket]:
        """The engine's per-time-step margin-call check (§E step 6), run at most every 5 minutes of algorithm time.

        When positions must be cut and every exchange involved is open, the algorithm's `on_margin_call(requests)`
        may adjust the requests, they are executed losers first until margin remaining is back to ≥ 0, and each
        execution is reported through `error()`; otherwise a warning calls `on_margin_call_warning()`.
        """
        algorithm = self._algorithm
        now = algorithm.utc_time
        if self._next_margin_call_utc is not None and now < self._next_margin_call_utc:
            return []
        self._next_margin_call_utc = now + MARGIN_CALL_FREQUENCY
        portfolio = algorithm.portfolio
        requests, warning = margin_call_requests(portfolio, now)
        executed: list[OrderTicket] = []
        if requests and all(algorithm.securities[request.symbol].exchange.exchange_open for request in requests):
            handler = _user_callback(algorithm, "on_margin_call")
            if handler is not None:
                adjusted = handler(requests)
                requests = list(adjusted) if adjusted is not None else requests
            executed = self._execute_margin_call(requests)
            for ticket in executed:
                algorithm.error(f"{algorithm.time} - Executed MarginCallOrder: {ticket.symbol} - Quantity: "
                                f"{ticket.quantity:g} @ {ticket.average_fill_price}")
        if not executed and warning:
            handler = _user_callback(algorithm, "on_margin_call_warning")
            if handler is not None:
                handler()
        return executed

    def _execute_margin_call(self, requests: list[Any]) -> list[OrderTicket]:
        portfolio = self._algorithm.portfolio
        if portfolio.margin_remaining >= 0:
            return []
        ordered = sorted(requests, key=lambda request: portfolio[request.symbol].unrealized_profit)
        executed = []
        for request in ordered:
            executed.append(self.add_order(request))
            if portfolio.margin_remaining >= 0:
                break
        return executed

    # --- cancel / update --------------------------------------------------------------------------------------
    def cancel_order(self, order_id: int, order_tag: str | None = None) -> OrderTicket | None:
        """Cancel an open order; returns its ticket (None for an unknown id). See `request_cancel`."""
        self.request_cancel(order_id, order_tag)
        return self._tickets.get(order_id)

    remove_order = cancel_order

    def request_cancel(self, order_id: int, order_tag: str | None = None) -> OrderResponse:
        """Cancel an open order: a CancelPending then a Canceled event (both count as events, not orders)."""
        order = self._orders.get(order_id)
        if order is None:
            return OrderResponse.error(order_id, "UnableToFindOrder", f"Unable to locate order with id {order_id}.")
        if is_closed_status(order.status):
            return OrderResponse.error(order_id, "InvalidOrderStatus",
                                       f"Order {order_id} is already {order.status}: it cannot be canceled.")
        if self._algorithm.is_warming_up:
            return OrderResponse.error(order_id, "AlgorithmWarmingUp", "Orders cannot be canceled during warm-up.")
        ticket = self._tickets[order_id]
        ticket.cancel_request = order_tag if order_tag is not None else ""
        if order_tag is not None:
            order.tag = order_tag
        now = self._algorithm.utc_time
        self._emit(order, OrderEvent(order, now, OrderFee.zero, status=OrderStatus.CANCEL_PENDING))
        self._pending.pop(order_id, None)
        _add_broker_id(order)
        self._emit(order, OrderEvent(order, now, OrderFee.zero, status=OrderStatus.CANCELED))
        return OrderResponse.success(order_id)

    def cancel_open_orders(self, symbol: Any = None, tag: str | None = None) -> list[OrderTicket]:
        """Cancel every open order (of `symbol`, when given); returns their tickets."""
        tickets = []
        for order in self.get_open_orders(symbol):
            self.request_cancel(order.id, tag)
            tickets.append(self._tickets[order.id])
        return tickets

    def update_order(self, order_id: int, fields: UpdateOrderFields) -> OrderResponse:
        """Change quantity, limit/stop price or tag of an open order; emits an UpdateSubmitted event."""
        order = self._orders.get(order_id)
        if order is None:
            return OrderResponse.error(order_id, "UnableToFindOrder", f"Unable to locate order with id {order_id}.")
        ticket = self._tickets[order_id]
        request = UpdateOrderRequest(self._algorithm.utc_time, order_id, fields)
        ticket.update_requests.append(request)
        if self._handler_depth:
            # inside on_order_event LEAN queues the request: it is processed once the handler has returned
            request.response = OrderResponse.success(order_id)
            self._deferred_updates.append((order, request))
            return request.response
        request.response = self._apply_update(order, request)
        return request.response

    def _apply_update(self, order: Order, request: UpdateOrderRequest) -> OrderResponse:
        if is_closed_status(order.status):
            return OrderResponse.error(order.id, "InvalidOrderStatus",
                                       f"Order {order.id} is already {order.status}: it cannot be updated.")
        algorithm = self._algorithm
        security = algorithm.securities[order.symbol]
        accepted, reason = _can(model_method(self.brokerage_model, "can_update_order")(security, order, request,
                                                                                       None))
        if not accepted:
            if reason is None:
                reason = BrokerageMessageEvent(BrokerageMessageType.WARNING, "InvalidRequest",
                                               f"BrokerageModel declared unable to update order: {order.id}")
            message = f"OrderID: {order.id} {reason}"
            algorithm.error(message)
            self._emit(order, OrderEvent(order, algorithm.utc_time, OrderFee.zero,
                                         "BrokerageModel declared unable to update order"))
            return OrderResponse.error(order.id, "BrokerageModelRefusedToUpdateOrder", message)
        if request.quantity is not None:
            order.quantity = round_to_lot(float(request.quantity), security.symbol_properties.lot_size, "zero")
        if request.limit_price is not None:
            order.limit_price = float(request.limit_price)
        if request.stop_price is not None:
            order.stop_price = float(request.stop_price)
        if request.trigger_price is not None:
            order.trigger_price = float(request.trigger_price)
        if request.trailing_amount is not None:
            order.trailing_amount = float(request.trailing_amount)
        if request.tag is not None:
            order.tag = request.tag
        self._emit(order, OrderEvent(order, algorithm.utc_time, OrderFee.zero, status=OrderStatus.UPDATE_SUBMITTED))
        return OrderResponse.success(order.id)

    # --- queries ----------------------------------------------------------------------------------------------
    def _matches(self, order: Order, symbol: Any) -> bool:
        if symbol is None:
            return True
        if isinstance(symbol, str):
            return str(getattr(order.symbol, "value", order.symbol)).upper() == symbol.upper()
        return bool(order.symbol == symbol)

    def get_open_orders(self, symbol: Any = None, filter: Callable[[Order], bool] | None = None) -> list[Order]:
        """Open orders, optionally of one symbol (Symbol or ticker) and/or passing `filter`."""
        if callable(symbol) and filter is None and not isinstance(symbol, str):
            symbol, filter = None, symbol
        if isinstance(symbol, Symbol):
            return [order for order in list(self._open_by_symbol.get(symbol, {}).values())
                    if filter is None or filter(order)]
        return [order for order in list(self._open.values())
                if self._matches(order, symbol) and (filter is None or filter(order))]

    def get_open_order_tickets(self, filter: Any = None) -> list[OrderTicket]:
        """Tickets of open orders; `filter` is a predicate on tickets or a symbol."""
        if isinstance(filter, Symbol):
            return [self._tickets[order_id] for order_id in self._open_by_symbol.get(filter, {})]
        return [self._tickets[order_id] for order_id in list(self._open)
                if self._ticket_matches(self._tickets[order_id], filter)]

    def get_order_tickets(self, filter: Any = None) -> list[OrderTicket]:
        return [ticket for ticket in self._tickets.values() if self._ticket_matches(ticket, filter)]

    def _ticket_matches(self, ticket: OrderTicket, filter: Any) -> bool:
        if filter is None:
            return True
        if callable(filter) and not isinstance(filter, str) and not hasattr(filter, "security_type"):
            return bool(filter(ticket))
        return self._matches(ticket.get_order() or Order(ticket.symbol, 0, ticket.time), filter)

    def get_open_orders_remaining_quantity(self, filter: Any = None) -> float:
        return sum(ticket.quantity_remaining for ticket in self.get_open_order_tickets(filter))

    def get_order_ticket(self, order_id: int) -> OrderTicket | None:
        return self._tickets.get(order_id)

    def get_order_by_id(self, order_id: int) -> Order | None:
        return self._orders.get(order_id)

    def get_orders(self, filter: Callable[[Order], bool] | None = None) -> list[Order]:
        """All orders in id order, optionally filtered."""
        return [order for order in self._orders.values() if filter is None or filter(order)]

    def get_orders_by_brokerage_id(self, brokerage_id: str) -> list[Order]:
        return [order for order in self._orders.values() if str(brokerage_id) in order.broker_id]
