"""Sizing's direct path for the engine's own margin models against the general path user models take."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.buying_power import (
    GetMaximumOrderQuantityResult,
    SecurityMarginModel,
    is_plain_margin_model,
    maximum_order_quantity,
)
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.securities import EngineClock, Security, SecurityManager
from lean_offline.enums import SecurityType

START = datetime(2020, 1, 2, 9, 30)


class SubclassedMarginModel(SecurityMarginModel):
    """A user subclass overriding nothing: the engine reaches it through the model's methods and parameter
    objects, so it sizes by the general path."""


def sizing_result(model: SecurityMarginModel, price: float, held: float, other_held: float, leverage: float,
                  target: float, minimum_percentage: float) -> GetMaximumOrderQuantityResult:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    portfolio.set_cash(100_000.0)
    clock = EngineClock(START)
    hours = SecurityExchangeHours.always_open_hours("America/New_York")
    sized = securities.add(Security(Symbol.create("AAA", SecurityType.EQUITY, "usa"), hours, clock=clock))
    other = securities.add(Security(Symbol.create("BBB", SecurityType.EQUITY, "usa"), hours, clock=clock))
    sized.set_buying_power_model(model)
    model.set_leverage(sized, leverage)
    for security, close in ((sized, price), (other, 37.25)):
        security.update(TradeBar(START, security.symbol, close, close, close, close, 1e6, timedelta(minutes=1)))
    sized.holdings.set_holdings(price * 0.9, held)
    other.holdings.set_holdings(40.0, other_held)
    return maximum_order_quantity(portfolio, sized, target, minimum_percentage)


@settings(max_examples=300, deadline=None)
@given(st.floats(0.5, 2000.0), st.integers(-500, 500).map(float), st.integers(-800, 800).map(float),
       st.sampled_from([1.0, 2.0, 3.3, 4.0]), st.floats(-2.0, 2.0), st.sampled_from([0.0, 0.001, 0.05]))
def test_direct_sizing_equals_the_general_path(price: float, held: float, other_held: float, leverage: float,
                                               target: float, minimum_percentage: float) -> None:
    plain = SecurityMarginModel()
    subclassed = SubclassedMarginModel()
    assert is_plain_margin_model(plain) and not is_plain_margin_model(subclassed)
    direct = sizing_result(plain, price, held, other_held, leverage, target, minimum_percentage)
    general = sizing_result(subclassed, price, held, other_held, leverage, target, minimum_percentage)
    assert (direct.quantity, direct.reason, direct.is_error) == (general.quantity, general.reason, general.is_error)


def test_direct_sizing_buys_the_whole_shares_the_margin_and_fee_allow() -> None:
    # $100,000 cash, 400 BBB at $37.25 (=$14,900 held), AAA at $123.45 with none held, leverage 2, target 50%:
    # margin target = 0.5 × TPV with TPV = 100,000 + 14,900 = 114,900 → 57,450; ⌊57,450 × 2 / 123.45⌋ = 930 shares,
    # whose fee (930 × $0.005 = $4.65) leaves (114,900 − 4.65) × 0.5 = 57,447.675 ≥ 930 × 123.45 / 2 = 57,404.25.
    result = sizing_result(SecurityMarginModel(), 123.45, 0.0, 400.0, 2.0, 0.5, 0.0)
    assert (result.quantity, result.is_error) == (930.0, False)
