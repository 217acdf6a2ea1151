"""Fee models: Interactive Brokers' US-equity schedule by hand, custom Python fee models in both spellings."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.fees import (
    ConstantFeeModel,
    FeeModel,
    InteractiveBrokersFeeModel,
    default_fee_model,
    market_order_fee,
    order_fee,
)
from lean_offline.engine.orders import CashAmount, MarketOrder, OrderFee
from lean_offline.engine.securities import EngineClock, Security
from lean_offline.enums import SecurityType

NOW = datetime(2013, 10, 8, 20)


def equity_at(price: float) -> Security:
    symbol = Symbol.create("SPY", SecurityType.EQUITY, "usa")
    security = Security(symbol, SecurityExchangeHours.always_open_hours("America/New_York"), clock=EngineClock(NOW))
    security.update(TradeBar(datetime(2013, 10, 8, 9, 30), symbol, price, price, price, price, 100.0,
                             timedelta(hours=6.5)))
    return security


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        (100, 50.0, 1.00),     # 100 × 0.005 = 0.50 → raised to the $1 minimum
        (200, 50.0, 1.00),     # exactly the minimum
        (697, 143.0, 3.485),   # 697 × 0.005 = 3.485, far below 0.5 % of ~$99.7k
        (-1000, 20.0, 5.00),   # sells pay the same: 1000 × 0.005
        (1000, 0.50, 2.50),    # 5.00 per share would exceed 0.5 % × $500 = 2.50 → capped
        (100, 0.10, 1.00),     # 0.50 < minimum → $1, although 0.5 % of $10 is 0.05: cap not applied below minimum
    ],
)
def test_interactive_brokers_us_equity_fee_by_hand(quantity: int, price: float, expected: float) -> None:
    security = equity_at(price)
    result = order_fee(InteractiveBrokersFeeModel(), security, MarketOrder(security.symbol, quantity, NOW))
    assert result.value.currency == "USD"
    assert result.value.amount == pytest.approx(expected, abs=1e-12)


@given(quantity=st.integers(min_value=1, max_value=10_000_000), price=st.floats(min_value=0.01, max_value=5000))
def test_ib_fee_bounds(quantity: int, price: float) -> None:
    fee = InteractiveBrokersFeeModel.equity_fee(quantity, quantity * price)
    assert 0 < fee <= max(1.0, 0.005 * quantity) + 1e-12
    if 0.005 * quantity < 1.0:
        assert fee == 1.0
    else:
        assert fee <= 0.005 * quantity + 1e-12
        assert fee <= 0.005 * quantity * price + 1e-9


def test_default_fee_models_by_security_type() -> None:
    assert isinstance(default_fee_model(SecurityType.EQUITY), InteractiveBrokersFeeModel)
    for free_type in (SecurityType.BASE, SecurityType.FOREX, SecurityType.CFD, SecurityType.CRYPTO):
        model = default_fee_model(free_type)
        assert isinstance(model, ConstantFeeModel)
        assert model.fee == 0.0


class PascalFeeModel(FeeModel):
    """The seed algorithm's style: PascalCase method and PascalCase reads of the parameters."""

    def GetOrderFee(self, parameters):  # noqa: N802, ANN001, ANN201 - user code spelled as in LEAN examples
        return OrderFee(CashAmount(parameters.Security.Price * parameters.Order.AbsoluteQuantity * 0.001, "USD"))


class SnakeFeeModel(FeeModel):
    def get_order_fee(self, parameters):  # noqa: ANN001, ANN201
        return OrderFee(CashAmount(parameters.security.price * parameters.order.absolute_quantity * 0.002, "USD"))


def test_custom_fee_models_in_both_spellings() -> None:
    security = equity_at(40.0)
    order = MarketOrder(security.symbol, -250, NOW)
    assert order_fee(PascalFeeModel(), security, order).value.amount == pytest.approx(40.0 * 250 * 0.001)
    assert order_fee(SnakeFeeModel(), security, order).value.amount == pytest.approx(40.0 * 250 * 0.002)


def test_fee_model_returning_garbage_is_reported() -> None:
    class Broken(FeeModel):
        def get_order_fee(self, parameters):  # noqa: ANN001, ANN201
            return 3.0

    with pytest.raises(TypeError, match="expected OrderFee"):
        order_fee(Broken(), equity_at(10.0), MarketOrder(Symbol.create("SPY", SecurityType.EQUITY, "usa"), 1, NOW))


@given(st.integers(-100_000, 100_000).filter(bool).map(float), st.floats(0.01, 5_000.0),
       st.sampled_from(["ib", "constant", "free", "snake", "pascal"]))
def test_sizing_fee_estimate_equals_the_fee_of_a_real_market_order(quantity: float, price: float, model: str) -> None:
    """The direct estimate for the engine's own models gives the amount the model gives a MarketOrder, to the bit;
    user subclasses (a subclass of the IB model included) are asked with a real order."""
    fee_model = {"ib": InteractiveBrokersFeeModel(), "constant": ConstantFeeModel(-2.5), "free": FeeModel(),
                 "snake": SnakeFeeModel(), "pascal": PascalFeeModel()}[model]
    security = equity_at(price)
    order = MarketOrder(security.symbol, quantity, NOW)
    assert market_order_fee(fee_model, security, quantity) == order_fee(fee_model, security, order).value.amount


def test_sizing_fee_estimate_asks_an_ib_subclass_with_a_real_order() -> None:
    class HalfIB(InteractiveBrokersFeeModel):
        def get_order_fee(self, parameters):  # noqa: ANN001, ANN201
            fee = super().get_order_fee(parameters)
            return OrderFee(CashAmount(fee.value.amount / 2, "USD"))

    assert market_order_fee(HalfIB(), equity_at(50.0), 1000.0) == 2.5
