"""Fee models: the base class Python algorithms subclass, ConstantFeeModel and InteractiveBrokersFeeModel.

The engine asks a security's fee model through `order_fee(fee_model, security, order)`, which calls a user
subclass's `get_order_fee` (snake_case first) or `GetOrderFee`, as LEAN's Python wrapper does.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from ..enums import OrderType, SecurityType
from ..naming import DualCase
from .orders import ACCOUNT_CURRENCY, CashAmount, MarketOrder, Order, OrderFee, OrderFeeParameters

# Enum members used on the order path, read once: Python 3.11's EnumType.__getattr__ makes every `OrderStatus.X`
# read off the class cost ~0.3 µs.
_EQUITY = SecurityType.EQUITY


class FeeModel(DualCase):
    """Base fee model: free. Python algorithms subclass it and override `get_order_fee`/`GetOrderFee`."""

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        return OrderFee(CashAmount(0.0, ACCOUNT_CURRENCY))


class ConstantFeeModel(FeeModel):
    """The same fee for every order."""

    currency: str
    fee: float

    def __init__(self, fee: float, currency: str = ACCOUNT_CURRENCY) -> None:
        self.fee = float(fee)
        self.currency = currency

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        return OrderFee(CashAmount(abs(self.fee), self.currency))


class InteractiveBrokersFeeModel(FeeModel):
    """Interactive Brokers' fixed-rate schedule as LEAN models it (`InteractiveBrokersFeeModel.cs`).

    US equity: fee = 0.005·|q|; below $1 it becomes $1; otherwise it is capped at 0.5 % of |q|·price.
    Forex: max($2, 0.00002·|order value|) (first volume tier). CFD: max($1, 0.00002·|order value|).
    """

    EQUITY_FEE_PER_SHARE = 0.005
    EQUITY_MINIMUM_FEE = 1.0
    EQUITY_MAXIMUM_FEE_RATE = 0.005
    FOREX_COMMISSION_RATE = 0.00002
    FOREX_MINIMUM_FEE = 2.0
    CFD_COMMISSION_RATE = 0.00002
    CFD_MINIMUM_FEE = 1.0

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        security = parameters.security
        order = parameters.order
        security_type = security.type
        if security_type == _EQUITY:
            return OrderFee(CashAmount(self.equity_fee(order.absolute_quantity, abs(order.get_value(security))),
                                       ACCOUNT_CURRENCY))
        if security_type == SecurityType.FOREX:
            fee = max(self.FOREX_MINIMUM_FEE, abs(self.FOREX_COMMISSION_RATE * order.get_value(security)))
            return OrderFee(CashAmount(fee, ACCOUNT_CURRENCY))
        if security_type == SecurityType.CFD:
            fee = max(self.CFD_MINIMUM_FEE, self.CFD_COMMISSION_RATE * abs(order.get_value(security)))
            return OrderFee(CashAmount(fee, ACCOUNT_CURRENCY))
        raise ValueError(f"InteractiveBrokersFeeModel: security type {security_type} of {security.symbol} is not "
                         "supported by lean_offline (US equity, forex and CFD are)")

    @classmethod
    def equity_fee(cls, absolute_quantity: float, trade_value: float) -> float:
        """US-equity fee: per-share fee, raised to the minimum, else capped at MAXIMUM_FEE_RATE × trade value."""
        fee = cls.EQUITY_FEE_PER_SHARE * absolute_quantity
        if fee < cls.EQUITY_MINIMUM_FEE:
            return cls.EQUITY_MINIMUM_FEE
        return min(fee, cls.EQUITY_MAXIMUM_FEE_RATE * trade_value)


class CoinbaseFeeModel(FeeModel):
    """Coinbase (GDAX) spot fees as LEAN models them: a percentage of ask (buy) or bid (sell) × quantity.

    Taker 0.3 % before 2019-03-23 01:30 UTC, 0.25 % until 2019-10-08 00:30, then the Advanced-1 tier (0.8 %);
    non-marketable limit orders pay the maker rate (0, 0.15 %, then 0.6 %). Stable-coin pairs are not special-cased.
    """

    maker_fee: float
    taker_fee: float

    def __init__(self, maker_fee: float = 0.006, taker_fee: float = 0.008) -> None:
        self.maker_fee = maker_fee
        self.taker_fee = taker_fee

    def fee_rate(self, utc_time: datetime, is_maker: bool) -> float:
        if utc_time < datetime(2019, 3, 23, 1, 30):
            return 0.0 if is_maker else 0.003
        if utc_time < datetime(2019, 10, 8, 0, 30):
            return 0.0015 if is_maker else 0.0025
        return self.maker_fee if is_maker else self.taker_fee

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        order = parameters.order
        security = parameters.security
        is_maker = order.type == OrderType.LIMIT and not order.is_marketable
        unit_price = security.ask_price if order.quantity > 0 else security.bid_price
        value = unit_price * security.symbol_properties.contract_multiplier * order.absolute_quantity
        return OrderFee(CashAmount(value * self.fee_rate(order.time, is_maker), ACCOUNT_CURRENCY))


GDAXFeeModel = CoinbaseFeeModel


_IB_FEE_TYPES = frozenset({SecurityType.EQUITY, SecurityType.OPTION, SecurityType.FUTURE, SecurityType.FUTURE_OPTION})


def default_fee_model(security_type: Any) -> FeeModel:
    """The default brokerage model's choice: IB fees for equities/options/futures, zero for everything else."""
    if security_type in _IB_FEE_TYPES:
        return InteractiveBrokersFeeModel()
    return ConstantFeeModel(0.0)


def model_method(model: Any, snake_name: str) -> Any:
    """`model`'s implementation of `snake_name`: the most-derived class defining it in either spelling wins (snake
    first within one class), so a Python subclass overriding `GetOrderFee` beats the base `get_order_fee`."""
    try:
        return getattr(model, _implementing_name(model.__class__, snake_name))
    except TypeError:
        pascal_name = "".join(part.capitalize() for part in snake_name.split("_"))
        for name in (snake_name, pascal_name):
            method = getattr(model, name, None)
            if method is not None:
                return method
        raise


@lru_cache(maxsize=1024)
def _implementing_name(model_type: Any, snake_name: str) -> str:
    pascal_name = "".join(part.capitalize() for part in snake_name.split("_"))
    for cls in model_type.__mro__:
        for name in (snake_name, pascal_name):
            if name in vars(cls):
                return name
    for name in (snake_name, pascal_name):
        if hasattr(model_type, name):
            return name
    raise TypeError(f"{model_type.__name__} has neither {snake_name} nor {pascal_name}")


_ENGINE_FEE_MODELS = frozenset({FeeModel, ConstantFeeModel, InteractiveBrokersFeeModel, CoinbaseFeeModel})


def is_engine_fee_model(fee_model: Any) -> bool:
    """One of the engine's own fee models (not a user subclass): its fee depends only on the security and order."""
    return type(fee_model) in _ENGINE_FEE_MODELS


def order_fee(fee_model: Any, security: Any, order: Order) -> OrderFee:
    """Ask `fee_model` for the fee of `order` on `security` and check the answer is an OrderFee-like object."""
    if is_engine_fee_model(fee_model):  # the engine's own models answer OrderFee(CashAmount(...)) directly
        return fee_model.get_order_fee(OrderFeeParameters(security, order))  # type: ignore[no-any-return]
    fee = model_method(fee_model, "get_order_fee")(OrderFeeParameters(security, order))
    value = getattr(fee, "value", None) or getattr(fee, "Value", None)
    if value is None:
        raise TypeError(f"fee model {type(fee_model).__name__} returned {fee!r}; expected "
                        "OrderFee(CashAmount(amount, 'USD'))")
    amount = getattr(value, "amount", None)
    if amount is None:
        amount = value.Amount
    currency = getattr(value, "currency", None) or getattr(value, "Currency", ACCOUNT_CURRENCY)
    if isinstance(fee, OrderFee) and isinstance(value, CashAmount):
        return fee
    return OrderFee(CashAmount(float(amount), str(currency)))


def market_order_fee(fee_model: Any, security: Any, quantity: float) -> float:
    """The fee amount of a market order for `quantity` placed now, as sizing estimates it.

    The engine's models whose fee depends on quantity and price alone answer directly (IB equity:
    `equity_fee(|q|, |q × price × multiplier|)`; constant; free); any other model, user subclasses included, is
    asked with a real MarketOrder."""
    model_type = type(fee_model)
    if model_type is InteractiveBrokersFeeModel and security.type == _EQUITY:
        value = quantity * float(security.price) * security.symbol_properties.contract_multiplier
        return InteractiveBrokersFeeModel.equity_fee(abs(quantity), abs(value))
    if model_type is ConstantFeeModel:
        return abs(fee_model.fee)
    if model_type is FeeModel:
        return 0.0
    order = MarketOrder(security.symbol, quantity, security.utc_time)
    return order_fee(fee_model, security, order).value.amount


def order_fee_amount(fee_model: Any, security: Any, order: Order) -> float:
    """`order_fee(fee_model, security, order).value.amount`, computed directly for the engine's IB (US equity),
    constant and free models, which would only wrap it in result objects; any other model is asked."""
    model_type = type(fee_model)
    if model_type is InteractiveBrokersFeeModel and security.type == _EQUITY:
        return InteractiveBrokersFeeModel.equity_fee(order.absolute_quantity, abs(order.get_value(security)))
    if model_type is ConstantFeeModel:
        return abs(fee_model.fee)
    if model_type is FeeModel:
        return 0.0
    return order_fee(fee_model, security, order).value.amount
