"""Orders, order events, tickets, fees and requests, with LEAN's JSON shapes (`Common/Orders/*`).

Every object reads in both spellings (`ticket.order_id` / `ticket.OrderId`). Times on orders and events are naive
UTC, as LEAN keeps them; `to_json_dict` renders them the way LEAN's result files do.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..enums import BUY, HOLD, INVALID, MARKET, SELL, DataNormalizationMode, OrderDirection, OrderStatus, OrderType
from ..naming import DualCase, lean_enum

if TYPE_CHECKING:
    from .transactions import SecurityTransactionManager

OrderField = lean_enum("OrderField", {"LimitPrice": 0, "StopPrice": 1, "TriggerPrice": 2, "TrailingAmount": 3,
                                      "TrailingAsPercentage": 4})

_FIELD_ORDER_TYPES = {
    0: (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED),
    2: (OrderType.LIMIT_IF_TOUCHED,),
    1: (OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP),
    3: (OrderType.TRAILING_STOP,),
    4: (OrderType.TRAILING_STOP,),
}
_FIELD_ATTRIBUTES = {0: "limit_price", 1: "stop_price", 2: "trigger_price", 3: "trailing_amount",
                     4: "trailing_as_percentage"}

NULL_CURRENCY = "QCC"
ACCOUNT_CURRENCY = "USD"

_NEW = OrderStatus.NEW
_ADJUSTED = DataNormalizationMode.ADJUSTED
CLOSED_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.INVALID})
FILL_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED})


def is_closed_status(status: Any) -> bool:
    """Filled, canceled and invalid orders are closed; every other status is open."""
    return status in CLOSED_STATUSES


def iso_utc(moment: datetime) -> str:
    """A naive UTC datetime as LEAN's JSON writes it: `2013-10-09T20:00:00Z` (fraction only when non-zero)."""
    text = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text + "Z"


def unix_seconds(moment: datetime) -> float:
    """Seconds since 1970-01-01 of a naive UTC datetime (LEAN's `Time.DateTimeToUnixTimeStamp`)."""
    return calendar.timegm(moment.timetuple()) + moment.microsecond / 1e6


def direction_of(quantity: float) -> Any:
    """Buy for a positive quantity, Sell for a negative one, Hold for zero."""
    if quantity > 0:
        return BUY
    if quantity < 0:
        return SELL
    return HOLD


def _lower_camel(enum_member: Any) -> str:
    name = str(enum_member)
    return name[:1].lower() + name[1:]


def symbol_json(symbol: Any) -> dict[str, str]:
    """LEAN's Symbol JSON: value, security identifier string and permtick."""
    sid = getattr(symbol, "id", None)
    permtick = getattr(sid, "symbol", None) or getattr(symbol, "value", str(symbol))
    return {"value": str(getattr(symbol, "value", symbol)), "id": str(sid) if sid is not None else str(symbol),
            "permtick": str(permtick)}


class CashAmount(DualCase):
    """An amount of one currency."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount: float, currency: str = ACCOUNT_CURRENCY) -> None:
        self.amount = float(amount)
        self.currency = str(currency)

    def __repr__(self) -> str:
        return f"{self.amount} {self.currency}"


class OrderFee(DualCase):
    """The fee of one fill (`OrderFee(CashAmount(x, "USD"))`); `OrderFee.zero` has no currency."""

    __slots__ = ("value",)

    zero: OrderFee
    Zero: OrderFee
    ZERO: OrderFee

    def __init__(self, order_fee: CashAmount) -> None:
        self.value = order_fee

    def __repr__(self) -> str:
        return f"{self.value.amount} {self.value.currency}"


OrderFee.zero = OrderFee(CashAmount(0.0, NULL_CURRENCY))
OrderFee.Zero = OrderFee.zero
OrderFee.ZERO = OrderFee.zero


class OrderFeeParameters(DualCase):
    """What a fee model sees: `security` and `order` (`parameters.Security.Price`, `parameters.Order.Quantity`)."""

    __slots__ = ("security", "order")

    def __init__(self, security: Any, order: Order) -> None:
        self.security = security
        self.order = order


class TimeInForce(DualCase):
    """Good-til-canceled, the only time in force the offline engine implements."""

    __slots__ = ()

    good_til_canceled: TimeInForce
    GoodTilCanceled: TimeInForce
    GOOD_TIL_CANCELED: TimeInForce

    def __repr__(self) -> str:
        return "GoodTilCanceled"


TimeInForce.good_til_canceled = TimeInForce()
TimeInForce.GoodTilCanceled = TimeInForce.good_til_canceled
TimeInForce.GOOD_TIL_CANCELED = TimeInForce.good_til_canceled


class OrderProperties(DualCase):
    """Order properties: only `time_in_force` (good-til-canceled)."""

    time_in_force: TimeInForce

    def __init__(self, time_in_force: TimeInForce | None = None) -> None:
        self.time_in_force = time_in_force or TimeInForce.good_til_canceled

    def clone(self) -> OrderProperties:
        return OrderProperties(self.time_in_force)


class _SubmissionBufferMeta(type):
    """Lets `MarketOnCloseOrder.SubmissionTimeBuffer = timedelta(...)` and the snake spelling share one value."""

    _buffer = timedelta(minutes=15.5)

    @property
    def submission_time_buffer(cls) -> timedelta:
        return _SubmissionBufferMeta._buffer

    @submission_time_buffer.setter
    def submission_time_buffer(cls, value: timedelta) -> None:
        _SubmissionBufferMeta._buffer = value

    SubmissionTimeBuffer = submission_time_buffer
    SUBMISSION_TIME_BUFFER = submission_time_buffer


def _value_at_reference(quantity: float, reference_price: float, price: float) -> float:
    """Order value at the more conservative of its reference (limit or stop) price and the market price:
    quantity × min(reference, price) for buys, quantity × max(reference, price) for sells (LEAN's GetValueImpl)."""
    if quantity > 0:
        return quantity * min(reference_price, price)
    if quantity < 0:
        return quantity * max(reference_price, price)
    return 0.0


class Order(DualCase):
    """One order. `time` is the submission time (UTC); `price` becomes the average fill price once filled."""

    type: Any = OrderType.MARKET
    id: int
    contingent_id: int
    broker_id: list[str]
    symbol: Any
    quantity: float
    price: float
    price_currency: str
    time: datetime
    last_fill_time: datetime | None
    last_update_time: datetime | None
    canceled_time: datetime | None
    status: Any
    tag: str
    properties: OrderProperties
    security_type: Any
    order_submission_data: dict[str, float] | None
    price_adjustment_mode: Any
    limit_price: float
    stop_price: float

    def __init__(self, symbol: Any, quantity: float, time: datetime, tag: str = "",
                 properties: OrderProperties | None = None, security_type: Any = None) -> None:
        self.id = 0
        self.contingent_id = 0
        self.broker_id = []
        self.symbol = symbol
        self.quantity = float(quantity)
        self.price = 0.0
        self.price_currency = ACCOUNT_CURRENCY
        self.time = time
        self.last_fill_time = None
        self.last_update_time = None
        self.canceled_time = None
        self.status = _NEW
        self.tag = tag or ""
        self.properties = properties or OrderProperties()
        self.security_type = security_type if security_type is not None else getattr(symbol, "security_type", None)
        self.order_submission_data = None
        self.price_adjustment_mode = _ADJUSTED
        self.limit_price = 0.0
        self.stop_price = 0.0

    @property
    def created_time(self) -> datetime:
        return self.time

    @property
    def direction(self) -> Any:
        return direction_of(self.quantity)

    @property
    def absolute_quantity(self) -> float:
        return abs(self.quantity)

    @property
    def value(self) -> float:
        return self.quantity * self.price

    @property
    def time_in_force(self) -> TimeInForce:
        return self.properties.time_in_force

    @property
    def is_marketable(self) -> bool:
        return self.type == MARKET

    def get_value(self, security: Any) -> float:
        """Order value in the account currency: `quantity × price × contract multiplier` (price per order type)."""
        return self._value_at(float(security.price)) * security.symbol_properties.contract_multiplier

    def _value_at(self, price: float) -> float:
        return self.quantity * price

    def clone(self) -> Order:
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        return copy

    def _type_fields(self) -> dict[str, Any]:
        return {}

    def to_json_dict(self) -> dict[str, Any]:
        """The order as LEAN serialises it in `<id>.json` under `orders` (camelCase, int enums, ISO-Z times)."""
        result: dict[str, Any] = {
            "type": int(self.type), "id": self.id, "contingentId": self.contingent_id, "brokerId": list(self.broker_id),
            "symbol": symbol_json(self.symbol), "price": self.price, "priceCurrency": self.price_currency,
            "time": iso_utc(self.time), "createdTime": iso_utc(self.time),
        }
        if self.last_fill_time is not None:
            result["lastFillTime"] = iso_utc(self.last_fill_time)
        if self.last_update_time is not None:
            result["lastUpdateTime"] = iso_utc(self.last_update_time)
        if self.canceled_time is not None:
            result["canceledTime"] = iso_utc(self.canceled_time)
        result.update({
            "quantity": self.quantity, "status": int(self.status), "tag": self.tag,
            "properties": {"timeInForce": {}},
            "securityType": int(self.security_type) if self.security_type is not None else 0,
            "direction": int(self.direction), "value": self.value,
        })
        if self.order_submission_data is not None:
            result["orderSubmissionData"] = dict(self.order_submission_data)
        result["isMarketable"] = self.is_marketable
        result["priceAdjustmentMode"] = int(self.price_adjustment_mode)
        result.update(self._type_fields())
        return result

    def to_string(self) -> str:
        return repr(self)

    def __repr__(self) -> str:
        return (f"OrderId: {self.id} (Tag: {self.tag}) {self.status} {self.type} order for {self.quantity} unit"
                f"{'s' if abs(self.quantity) != 1 else ''} of {getattr(self.symbol, 'value', self.symbol)}")


class MarketOrder(Order):
    type = OrderType.MARKET


class MarketOnOpenOrder(Order):
    type = OrderType.MARKET_ON_OPEN


class MarketOnCloseOrder(Order, metaclass=_SubmissionBufferMeta):
    """Market-on-close order; `MarketOnCloseOrder.submission_time_buffer` (15.5 min) is the latest submission lead."""

    type = OrderType.MARKET_ON_CLOSE


class LimitOrder(Order):
    type = OrderType.LIMIT

    def _value_at(self, price: float) -> float:
        return _value_at_reference(self.quantity, self.limit_price, price)

    @property
    def is_marketable(self) -> bool:
        data = self.order_submission_data
        if data is None:
            return False
        if self.quantity > 0:
            return self.limit_price >= data["askPrice"]
        return self.quantity < 0 and self.limit_price <= data["bidPrice"]

    def _type_fields(self) -> dict[str, Any]:
        return {"limitPrice": self.limit_price}


class StopMarketOrder(Order):
    type = OrderType.STOP_MARKET

    def _value_at(self, price: float) -> float:
        return _value_at_reference(self.quantity, self.stop_price, price)

    def _type_fields(self) -> dict[str, Any]:
        return {"stopPrice": self.stop_price}


class TrailingStopOrder(StopMarketOrder):
    """A stop that trails the market by `trailing_amount` (a price distance, or a fraction when
    `trailing_as_percentage`)."""

    trailing_amount: float
    trailing_as_percentage: bool

    type = OrderType.TRAILING_STOP

    def __init__(self, symbol: Any, quantity: float, time: datetime, tag: str = "",
                 properties: OrderProperties | None = None, security_type: Any = None) -> None:
        super().__init__(symbol, quantity, time, tag, properties, security_type)
        self.trailing_amount = 0.0
        self.trailing_as_percentage = False

    @staticmethod
    def calculate_stop_price(market_price: float, trailing_amount: float, trailing_as_percentage: bool,
                             direction: Any) -> float:
        """Buy stops sit above the market (price + amount or price × (1 + amount)), sell stops below."""
        if trailing_as_percentage:
            factor = 1 + trailing_amount if direction == OrderDirection.BUY else 1 - trailing_amount
            return market_price * factor
        return market_price + trailing_amount if direction == OrderDirection.BUY else market_price - trailing_amount

    @staticmethod
    def try_update_stop_price(market_price: float, stop_price: float, trailing_amount: float,
                              trailing_as_percentage: bool, direction: Any) -> float | None:
        """The new stop when the market moved away by more than the trailing distance, else None."""
        distance = market_price - stop_price if direction == OrderDirection.SELL else stop_price - market_price
        reference = market_price * trailing_amount if trailing_as_percentage else trailing_amount
        if distance <= reference:
            return None
        return TrailingStopOrder.calculate_stop_price(market_price, trailing_amount, trailing_as_percentage, direction)

    def _type_fields(self) -> dict[str, Any]:
        return {"stopPrice": self.stop_price, "trailingAmount": self.trailing_amount,
                "trailingAsPercentage": self.trailing_as_percentage}


class LimitIfTouchedOrder(Order):
    """Arms when the market touches `trigger_price`, then behaves as a limit order at `limit_price`."""

    trigger_price: float
    trigger_touched: bool

    type = OrderType.LIMIT_IF_TOUCHED

    def __init__(self, symbol: Any, quantity: float, time: datetime, tag: str = "",
                 properties: OrderProperties | None = None, security_type: Any = None) -> None:
        super().__init__(symbol, quantity, time, tag, properties, security_type)
        self.trigger_price = 0.0
        self.trigger_touched = False

    def _value_at(self, price: float) -> float:
        return _value_at_reference(self.quantity, self.limit_price, price)

    def _type_fields(self) -> dict[str, Any]:
        return {"triggerPrice": self.trigger_price, "limitPrice": self.limit_price,
                "triggerTouched": self.trigger_touched}


class StopLimitOrder(Order):
    stop_triggered: bool

    type = OrderType.STOP_LIMIT

    def __init__(self, symbol: Any, quantity: float, time: datetime, tag: str = "",
                 properties: OrderProperties | None = None, security_type: Any = None) -> None:
        super().__init__(symbol, quantity, time, tag, properties, security_type)
        self.stop_triggered = False

    def _value_at(self, price: float) -> float:
        return _value_at_reference(self.quantity, self.limit_price, price)

    def _type_fields(self) -> dict[str, Any]:
        return {"stopPrice": self.stop_price, "limitPrice": self.limit_price, "stopTriggered": self.stop_triggered}


_ORDER_CLASSES: dict[Any, type[Order]] = {
    cls.type: cls for cls in (MarketOrder, MarketOnOpenOrder, MarketOnCloseOrder, LimitOrder, StopMarketOrder,
                              StopLimitOrder, TrailingStopOrder, LimitIfTouchedOrder)
}


_LIMIT_PRICE_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED})
_STOP_PRICE_TYPES = frozenset({OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP})


class OrderEvent(DualCase):
    """A change of an order's state: submitted, filled (with price, quantity and fee), canceled, invalid…"""

    order_id: int
    id: int
    symbol: Any
    utc_time: datetime
    status: Any
    order_fee: OrderFee
    fill_price: float
    fill_price_currency: str
    fill_quantity: float
    direction: Any
    message: str
    is_assignment: bool
    quantity: float
    limit_price: float | None
    trigger_price: float | None
    stop_price: float | None
    trailing_amount: float | None
    trailing_as_percentage: bool | None
    ticket: OrderTicket | None

    def __init__(self, order: Order, utc_time: datetime, order_fee: OrderFee | None = None, message: str = "",
                 status: Any = None) -> None:
        order_type = order.type
        self.order_id = order.id
        self.id = 0
        self.symbol = order.symbol
        self.utc_time = utc_time
        self.status = order.status if status is None else status
        self.order_fee = order_fee or OrderFee.zero
        self.fill_price = 0.0
        self.fill_price_currency = order.price_currency
        self.fill_quantity = 0.0
        self.direction = order.direction
        self.message = message
        self.is_assignment = False
        self.quantity = order.quantity
        self.limit_price = order.limit_price if order_type in _LIMIT_PRICE_TYPES else None
        self.trigger_price = getattr(order, "trigger_price", None)
        self.stop_price = order.stop_price if order_type in _STOP_PRICE_TYPES else None
        self.trailing_amount = getattr(order, "trailing_amount", None)
        self.trailing_as_percentage = getattr(order, "trailing_as_percentage", None)
        self.ticket = None

    @property
    def absolute_fill_quantity(self) -> float:
        return abs(self.fill_quantity)

    @property
    def is_fill(self) -> bool:
        return self.status in FILL_STATUSES

    def to_json_dict(self, algorithm_id: str) -> dict[str, Any]:
        """One element of LEAN's `<id>-order-events.json` (SerializedOrderEvent)."""
        sid = getattr(self.symbol, "id", None)
        result: dict[str, Any] = {
            "id": f"{algorithm_id}-{self.order_id}-{self.id}", "algorithmId": algorithm_id, "orderId": self.order_id,
            "orderEventId": self.id, "symbol": str(sid) if sid is not None else str(self.symbol),
            "symbolValue": getattr(self.symbol, "value", str(self.symbol)),
            "symbolPermtick": getattr(sid, "symbol", None) or getattr(self.symbol, "value", str(self.symbol)),
            "time": unix_seconds(self.utc_time), "status": _lower_camel(self.status),
        }
        if self.order_fee.value.currency != NULL_CURRENCY:
            result["orderFeeAmount"] = self.order_fee.value.amount
            result["orderFeeCurrency"] = self.order_fee.value.currency
        result.update({"fillPrice": self.fill_price, "fillPriceCurrency": self.fill_price_currency,
                       "fillQuantity": self.fill_quantity, "direction": _lower_camel(self.direction)})
        if self.message:
            result["message"] = self.message
        result["isAssignment"] = self.is_assignment
        result["quantity"] = self.quantity
        if self.stop_price:
            result["stopPrice"] = self.stop_price
        if self.limit_price:
            result["limitPrice"] = self.limit_price
        if self.trailing_amount:
            result["trailingAmount"] = self.trailing_amount
        if self.trailing_as_percentage:
            result["trailingAsPercentage"] = self.trailing_as_percentage
        return result

    def to_string(self) -> str:
        return repr(self)

    def __repr__(self) -> str:
        text = (f"Time: {self.utc_time} OrderID: {self.order_id} EventID: {self.id} Symbol: "
                f"{getattr(self.symbol, 'value', self.symbol)} Status: {self.status} Quantity: {self.quantity}")
        if self.fill_quantity:
            text += (f" FillQuantity: {self.fill_quantity} FillPrice: {self.fill_price} {self.fill_price_currency}"
                     f" OrderFee: {self.order_fee}")
        if self.message:
            text += f" Message: {self.message}"
        return text


class OrderResponse(DualCase):
    """The outcome of an order request: success, or an error code name and message."""

    __slots__ = ("order_id", "is_success", "error_code", "error_message")

    def __init__(self, order_id: int, is_success: bool, error_code: str = "None", error_message: str = "") -> None:
        self.order_id = order_id
        self.is_success = is_success
        self.error_code = error_code
        self.error_message = error_message

    @property
    def is_error(self) -> bool:
        return not self.is_success

    @classmethod
    def success(cls, order_id: int = 0) -> OrderResponse:
        return cls(order_id, True)

    @classmethod
    def error(cls, order_id: int, error_code: str, message: str) -> OrderResponse:
        return cls(order_id, False, error_code, message)

    def __repr__(self) -> str:
        return "Success" if self.is_success else f"{self.error_code}: {self.error_message}"


class SubmitOrderRequest(DualCase):
    """A request to place an order; `order_id` is assigned when the transaction manager accepts it."""

    asynchronous: bool
    limit_price: float
    order_id: int
    order_properties: OrderProperties
    order_type: Any
    quantity: float
    response: OrderResponse | None
    security_type: Any
    stop_price: float
    symbol: Any
    tag: str
    time: Any
    trailing_amount: float
    trailing_as_percentage: bool
    trigger_price: float

    def __init__(self, order_type: Any, security_type: Any, symbol: Any, quantity: float, stop_price: float,
                 limit_price: float, time: Any, tag: Any = "", properties: Any = None, *extra: Any,
                 asynchronous: bool = False) -> None:
        self.trigger_price = 0.0
        self.trailing_amount = 0.0
        self.trailing_as_percentage = False
        if not isinstance(time, datetime):
            # LEAN's longer overload: (..., limit_price, trigger_price, trailing_amount, trailing_as_percentage,
            # time, tag[, properties])
            if not extra or not isinstance(extra[0], datetime):
                raise TypeError("SubmitOrderRequest: expected the order time (a datetime) after the prices")
            self.trigger_price = float(time or 0.0)
            self.trailing_amount, self.trailing_as_percentage = float(tag or 0.0), bool(properties)
            time, tag, properties = extra[0], extra[1] if len(extra) > 1 else "", extra[2] if len(extra) > 2 else None
        self.order_type = order_type
        self.security_type = security_type
        self.symbol = symbol
        self.quantity = float(quantity)
        self.stop_price = float(stop_price)
        self.limit_price = float(limit_price)
        self.time = time
        self.tag = tag or ""
        self.order_properties = properties or OrderProperties()
        self.asynchronous = asynchronous
        self.order_id = 0
        self.response: OrderResponse | None = None

    @property
    def order_request_type(self) -> str:
        return "Submit"

    def create_order(self) -> Order:
        order = _ORDER_CLASSES[self.order_type](self.symbol, self.quantity, self.time, self.tag,
                                                self.order_properties, self.security_type)
        vars(order).update(id=self.order_id, limit_price=self.limit_price, stop_price=self.stop_price)
        if isinstance(order, LimitIfTouchedOrder):
            order.trigger_price = self.trigger_price
        if isinstance(order, TrailingStopOrder):
            order.trailing_amount = self.trailing_amount
            order.trailing_as_percentage = self.trailing_as_percentage
        return order


class UpdateOrderFields(DualCase):
    """Fields to change on an open order; None leaves a field unchanged."""

    limit_price: float | None
    quantity: float | None
    stop_price: float | None
    tag: str | None
    trailing_amount: float | None
    trigger_price: float | None

    def __init__(self, quantity: float | None = None, limit_price: float | None = None,
                 stop_price: float | None = None, tag: str | None = None, trigger_price: float | None = None,
                 trailing_amount: float | None = None) -> None:
        self.quantity = quantity
        self.limit_price = limit_price
        self.stop_price = stop_price
        self.tag = tag
        self.trigger_price = trigger_price
        self.trailing_amount = trailing_amount


class UpdateOrderRequest(DualCase):
    """A request to change an open order (what `ticket.update_requests` holds), with its `response`."""

    limit_price: Any
    order_id: int
    quantity: Any
    response: OrderResponse | None
    stop_price: Any
    tag: Any
    time: datetime
    trailing_amount: Any
    trigger_price: Any

    def __init__(self, time: datetime, order_id: int, fields: UpdateOrderFields) -> None:
        self.time = time
        self.order_id = order_id
        self.quantity = fields.quantity
        self.limit_price = fields.limit_price
        self.stop_price = fields.stop_price
        self.tag = fields.tag
        self.trigger_price = fields.trigger_price
        self.trailing_amount = fields.trailing_amount
        self.response: OrderResponse | None = None

    @property
    def order_request_type(self) -> str:
        return "Update"


class OrderTicket(DualCase):
    """The handle the algorithm gets for each order: live status, fills, and cancel/update requests."""

    cancel_request: Any
    order_events: list[OrderEvent]
    submit_request: SubmitOrderRequest
    update_requests: list[UpdateOrderRequest]

    def __init__(self, transactions: SecurityTransactionManager | None, request: SubmitOrderRequest) -> None:
        self._transactions = transactions
        self.submit_request = request
        self.order_events: list[OrderEvent] = []
        self.update_requests: list[UpdateOrderRequest] = []
        self.cancel_request: Any = None
        self._order: Order | None = None
        # running Σ fill quantity and Σ fill price × fill quantity of `order_events`, added in event order (as the
        # sums over the events would be); an int 0 until the first event, as `sum` of no events is
        self._quantity_filled: float = 0
        self._filled_value: float = 0

    def set_order(self, order: Order) -> None:
        self._order = order

    def add_order_event(self, event: OrderEvent) -> None:
        """Record an event of the order (the engine's only way of adding one), keeping the fill totals."""
        self.order_events.append(event)
        fill_quantity = event.fill_quantity
        self._quantity_filled += fill_quantity
        if fill_quantity:
            self._filled_value += event.fill_price * fill_quantity

    @property
    def order_id(self) -> int:
        return self.submit_request.order_id

    @property
    def symbol(self) -> Any:
        return self.submit_request.symbol

    @property
    def security_type(self) -> Any:
        return self.submit_request.security_type

    @property
    def order_type(self) -> Any:
        return self.submit_request.order_type

    @property
    def time(self) -> datetime:
        return self.submit_request.time

    @property
    def tag(self) -> str:
        return self._order.tag if self._order is not None else self.submit_request.tag

    @property
    def status(self) -> Any:
        return self._order.status if self._order is not None else INVALID

    @property
    def quantity(self) -> float:
        return self._order.quantity if self._order is not None else self.submit_request.quantity

    @property
    def quantity_filled(self) -> float:
        """Σ fill quantity of the order's events."""
        return self._quantity_filled

    @property
    def quantity_remaining(self) -> float:
        return self.quantity - self.quantity_filled

    @property
    def average_fill_price(self) -> float:
        """Σ fill price × fill quantity / Σ fill quantity of the order's fills (0 before any)."""
        total = self._quantity_filled
        return self._filled_value / total if total else 0.0

    @property
    def order_closed(self) -> bool:
        return is_closed_status(self.status)

    @property
    def has_order(self) -> bool:
        return self._order is not None

    def get_order(self) -> Order | None:
        return self._order

    def get(self, field: Any) -> float | bool:
        """The current limit/stop price or trailing setting of the order (`ticket.get(OrderField.LIMIT_PRICE)`)."""
        field = OrderField(field)
        if self.order_type not in _FIELD_ORDER_TYPES.get(int(field), ()):
            raise ValueError(f"Unable to get field {field} on an order of type {self.order_type}")
        source: Any = self._order if self._order is not None else self.submit_request
        value = getattr(source, _FIELD_ATTRIBUTES[int(field)])
        return value if isinstance(value, bool) else float(value)

    def get_most_recent_order_response(self) -> OrderResponse | None:
        return self.submit_request.response

    def cancel(self, tag: str | None = None) -> OrderResponse:
        if self._transactions is None or self._order is None:
            return OrderResponse.error(self.order_id, "UnableToFindOrder", f"Order {self.order_id} cannot be canceled.")
        return self._transactions.request_cancel(self.order_id, tag)

    def update(self, fields: UpdateOrderFields) -> OrderResponse:
        if self._transactions is None or self._order is None:
            return OrderResponse.error(self.order_id, "UnableToFindOrder", f"Order {self.order_id} cannot be updated.")
        return self._transactions.update_order(self.order_id, fields)

    def update_quantity(self, quantity: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(quantity=quantity, tag=tag))

    def update_limit_price(self, limit_price: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(limit_price=limit_price, tag=tag))

    def update_stop_price(self, stop_price: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(stop_price=stop_price, tag=tag))

    def update_tag(self, tag: str) -> OrderResponse:
        return self.update(UpdateOrderFields(tag=tag))

    def to_string(self) -> str:
        return repr(self)

    def __repr__(self) -> str:
        return (f"{self.order_id}: {self.order_type} {self.status} order for {self.quantity} "
                f"{getattr(self.symbol, 'value', self.symbol)}")


class PortfolioTarget(DualCase):
    """A symbol and a quantity; in `set_holdings(targets)` the quantity is read as a portfolio percent."""

    __slots__ = ("symbol", "quantity", "tag")

    def __init__(self, symbol: Any, quantity: float, tag: str = "") -> None:
        self.symbol = symbol
        self.quantity = float(quantity)
        self.tag = tag

    @staticmethod
    def percent(algorithm: Any, symbol: Any, percent: float, return_delta_quantity: bool = False,
                tag: str = "") -> PortfolioTarget | None:
        """LEAN's `PortfolioTarget.Percent`: the target (or delta) quantity for `percent` of the portfolio."""
        from .trading import portfolio_target_percent

        return portfolio_target_percent(algorithm, symbol, percent, return_delta_quantity, tag)

    Percent = percent

    def __repr__(self) -> str:
        return f"{getattr(self.symbol, 'value', self.symbol)}: {self.quantity}"


OrderEventHandler = Callable[[OrderEvent], None]
