"""Margin: LEAN's `BuyingPowerModel`/`SecurityMarginModel` with initial = maintenance margin = 1/leverage.

Margin of q units = price × q × contract multiplier × conversion rate / leverage. Sizing (`get_maximum_order_quantity_
for_target_buying_power`) follows `BuyingPowerModel.cs` step by step, fee-aware loop included.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from ..enums import OrderDirection
from ..naming import DualCase
from .fees import order_fee
from .orders import MarketOrder, Order

if TYPE_CHECKING:
    from .portfolio import SecurityPortfolioManager
    from .securities import Security


class MaximumOrderQuantity(NamedTuple):
    """Result of a sizing request: the delta quantity, a reason when it is 0, and whether that is an error."""

    quantity: float
    reason: str = ""
    is_error: bool = False


class SufficientBuyingPower(NamedTuple):
    is_sufficient: bool
    reason: str = ""


def round_to_lot(quantity: float, lot_size: float, toward: str) -> float:
    """Round `quantity` to a multiple of `lot_size`: toward "zero", "floor" (−∞) or "ceiling" (+∞)."""
    lots = quantity / lot_size
    # a hair of tolerance: 697.0000000001 lots computed in binary must still count as 697
    nearest = round(lots)
    if abs(lots - nearest) < 1e-9:
        lots = nearest
    if toward == "floor":
        whole = math.floor(lots)
    elif toward == "ceiling":
        whole = math.ceil(lots)
    else:
        whole = math.trunc(lots)
    return whole * lot_size


class BuyingPowerModel(DualCase):
    """Margin model with equal initial and maintenance requirements of 1/leverage."""

    def __init__(self, leverage: float = 1.0, required_free_buying_power_percent: float = 0.0) -> None:
        self._check_leverage(leverage)
        self.leverage = float(leverage)
        self.required_free_buying_power_percent = required_free_buying_power_percent

    @staticmethod
    def _check_leverage(leverage: float) -> None:
        if leverage < 1:
            raise ValueError(f"leverage must be at least 1, got {leverage}")

    def get_leverage(self, security: Security | None = None) -> float:
        return self.leverage

    def set_leverage(self, security: Security | None, leverage: float) -> None:
        self._check_leverage(leverage)
        self.leverage = float(leverage)

    def initial_margin(self, security: Security, quantity: float) -> float:
        """Signed initial margin of `quantity` units at the current price: price·q·multiplier·rate / leverage."""
        return (security.quote_currency.conversion_rate * security.symbol_properties.contract_multiplier
                * float(security.price) * quantity / self.leverage)

    def maintenance_margin(self, security: Security) -> float:
        """Margin held by the current position: |holdings value| / leverage."""
        return security.holdings.absolute_holdings_value / self.leverage

    def initial_margin_required_for_order(self, security: Security, order: Order) -> float:
        """Margin of the order plus its fee, with the sign of the margin."""
        fee = order_fee(security.fee_model, security, order).value.amount
        margin = self.initial_margin(security, order.quantity)
        return margin + math.copysign(1.0, margin) * fee if margin else 0.0

    def get_margin_remaining(self, portfolio: SecurityPortfolioManager, security: Security, direction: Any) -> float:
        """Free margin for an order in `direction`; reversing a position also frees that position's margin."""
        total_portfolio_value = portfolio.total_portfolio_value
        result = portfolio.get_margin_remaining(total_portfolio_value)
        holdings = security.holdings
        reverses = ((holdings.is_long and direction == OrderDirection.SELL)
                    or (holdings.is_short and direction == OrderDirection.BUY))
        if reverses:
            result += self.maintenance_margin(security) + self.initial_margin(security, holdings.absolute_quantity)
        result -= total_portfolio_value * self.required_free_buying_power_percent
        return max(result, 0.0)

    def has_sufficient_buying_power_for_order(self, portfolio: SecurityPortfolioManager, security: Security,
                                              order: Order, quantity_filled: float = 0.0) -> SufficientBuyingPower:
        """Enough free margin for the unfilled part of `order`? Reducing or closing a position always is."""
        if order.quantity == 0:
            return SufficientBuyingPower(True)
        holdings_quantity = security.holdings.quantity
        if holdings_quantity * order.quantity < 0 and abs(holdings_quantity) >= abs(order.quantity):
            return SufficientBuyingPower(True)
        free_margin = self.get_margin_remaining(portfolio, security, order.direction)
        required = self.initial_margin_required_for_order(security, order)
        unfilled_fraction = (abs(order.quantity) - abs(quantity_filled)) / abs(order.quantity)
        required_for_remainder = unfilled_fraction * required
        if abs(required_for_remainder) > free_margin:
            return SufficientBuyingPower(
                False, f"Id: {order.id}, Initial Margin: {_normalize(required_for_remainder)}, "
                       f"Free Margin: {_normalize(free_margin)}")
        return SufficientBuyingPower(True)

    def get_maximum_order_quantity_for_target_buying_power(
            self, portfolio: SecurityPortfolioManager, security: Security, target_buying_power: float,
            minimum_order_margin_portfolio_percentage: float) -> MaximumOrderQuantity:
        """Delta quantity that brings the position's margin to `target_buying_power` × TPV, net of fees.

        target = t·(TPV − TPV·free%); q = lot-rounded(target/unit_margin − holdings) (toward −∞ for long targets,
        +∞ for short), stepped back while |margin(holdings+q)| > |target|; then target = (TPV − fee(q) −
        TPV·free%)·t and repeat until |margin(holdings+q)| ≤ |target|. Returns 0 when |target − current margin|
        < TPV × minimum_order_margin_portfolio_percentage (while margin remains).
        """
        total_portfolio_value = portfolio.total_portfolio_value
        free = total_portfolio_value * self.required_free_buying_power_percent
        target_margin = target_buying_power * (total_portfolio_value - free)
        if target_margin == 0:
            return MaximumOrderQuantity(-security.holdings.quantity)
        current_margin = self.initial_margin(security, security.holdings.quantity)
        unit_margin = self.initial_margin(security, 1.0)
        if unit_margin == 0:
            return MaximumOrderQuantity(0.0, f"{security.symbol}: the security has no price yet", True)
        margin_change = abs(target_margin - current_margin)
        if not portfolio.above_minimum_order_margin(minimum_order_margin_portfolio_percentage, margin_change):
            minimum = total_portfolio_value * minimum_order_margin_portfolio_percentage
            return MaximumOrderQuantity(
                0.0, f"The target order margin {margin_change} is less than the minimum {minimum}.")
        last_quantity = 0.0
        while True:
            quantity, final_margin = self.get_amount_to_order(security, target_margin, unit_margin)
            if quantity == 0:
                return MaximumOrderQuantity(
                    0.0, f"The order quantity for {security.symbol} is less than the lot size of "
                         f"{security.symbol_properties.lot_size}")
            fee = order_fee(security.fee_model, security, MarketOrder(security.symbol, quantity, security.utc_time))
            target_margin = (total_portfolio_value - fee.value.amount - free) * target_buying_power
            if quantity == last_quantity:
                raise ValueError(f"GetMaximumOrderQuantityForTargetBuyingPower failed to converge for "
                                 f"{security.symbol}: target margin {target_margin}, fee {fee.value.amount}")
            last_quantity = quantity
            if abs(final_margin) <= abs(target_margin):
                return MaximumOrderQuantity(quantity)

    def get_amount_to_order(self, security: Security, target_margin: float,
                            unit_margin: float) -> tuple[float, float]:
        """Lot-rounded delta quantity whose resulting margin does not exceed `target_margin`, and that margin."""
        lot_size = security.symbol_properties.lot_size
        holdings = security.holdings.quantity
        size = -holdings + target_margin / unit_margin
        size = round_to_lot(size, lot_size, "ceiling" if target_margin < 0 else "floor")
        final_margin = self.initial_margin(security, size + holdings)
        difference = final_margin - target_margin
        while (target_margin < 0 and difference < 0) or (target_margin > 0 and difference > 0):
            size += lot_size if target_margin < 0 else -lot_size
            final_margin = self.initial_margin(security, size + holdings)
            new_difference = final_margin - target_margin
            if abs(new_difference) > abs(difference) and math.copysign(1, new_difference) == math.copysign(
                    1, difference):
                raise ValueError(f"margin adjustment for {security.symbol} moves away from the target "
                                 f"{target_margin}")
            difference = new_difference
        return size, final_margin


class SecurityMarginModel(BuyingPowerModel):
    """LEAN's default margin model for margin accounts (same rules as BuyingPowerModel)."""


class CashBuyingPowerModel(BuyingPowerModel):
    """Cash-account model approximated by leverage 1 (no shorting checks beyond the margin rule)."""

    def __init__(self) -> None:
        super().__init__(1.0)


def _normalize(value: float) -> str:
    """A decimal without trailing zeros, as C#'s `decimal.Normalize()` prints it."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
