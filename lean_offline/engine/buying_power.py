"""Margin: LEAN's `BuyingPowerModel`/`SecurityMarginModel` with initial = maintenance margin = 1/leverage.

Margin of q units = price × q × contract multiplier × conversion rate / leverage. The model methods take LEAN's
parameter objects and return LEAN's result objects, so Python subclasses written for LEAN (overriding e.g.
`has_sufficient_buying_power_for_order(self, parameters)`) work unchanged; the engine reaches every model through
the module functions at the bottom, which prefer a subclass's override in either spelling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from ..enums import BUY, MARKET, SELL
from ..naming import DualCase
from .fees import market_order_fee, model_method, order_fee, order_fee_amount
from .orders import Order

if TYPE_CHECKING:
    from .portfolio import SecurityPortfolioManager
    from .securities import Security


def round_to_lot(quantity: float, lot_size: float, toward: str) -> float:
    """Round `quantity` to a multiple of `lot_size`: toward "zero", "floor" (−∞) or "ceiling" (+∞)."""
    if lot_size == 1.0 and type(quantity) is float and quantity.is_integer():
        return quantity + 0.0  # whole units are their own rounding in every direction (+ 0.0 turns −0 into 0)
    lots = quantity / lot_size
    # a hair of tolerance: 697.0000000001 lots computed in binary must still count as 697
    nearest = round(lots)
    if abs(lots - nearest) < 1e-9 * max(1.0, abs(lots)):
        lots = nearest
    if toward == "floor":
        whole = math.floor(lots)
    elif toward == "ceiling":
        whole = math.ceil(lots)
    else:
        whole = math.trunc(lots)
    return round_to_lot_precision(whole * lot_size, lot_size)


def round_to_lot_precision(quantity: float, lot_size: float) -> float:
    """`quantity` rounded to the decimals of `lot_size` (0.00000001 → 8), removing binary noise so that
    318 + 0.1 + 0.01 − 0.02 reads 318.09 as LEAN's decimals do. A whole number is its own rounding at any number
    of decimals, and `round(x, n)` of a float goes through its decimal digits: whole numbers, the usual quantities,
    are returned at once."""
    if type(quantity) is float and quantity.is_integer():
        return quantity
    decimals = _lot_decimals(lot_size)
    return round(quantity, decimals + 2) if decimals else float(round(quantity, 6))


@lru_cache(maxsize=64)
def _lot_decimals(lot_size: float) -> int:
    """Decimal places of a lot size: max(0, −⌊log10(lot size)⌋), 0 for a non-positive lot size."""
    return max(0, -math.floor(math.log10(lot_size))) if lot_size > 0 else 0


# --- LEAN's parameter and result objects ------------------------------------------------------------------------
class _Value(DualCase):
    """A result carrying one amount in `value` (MaintenanceMargin, InitialMargin, BuyingPower)."""

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = float(value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value})"


class MaintenanceMargin(_Value):
    pass


class InitialMargin(_Value):
    pass


class BuyingPower(_Value):
    pass


class ReservedBuyingPowerForPosition(DualCase):
    __slots__ = ("absolute_used_buying_power",)

    def __init__(self, reserved_buying_power: float) -> None:
        self.absolute_used_buying_power = abs(float(reserved_buying_power))


class ReservedBuyingPowerForPositionParameters(DualCase):
    __slots__ = ("security",)

    def __init__(self, security: Security) -> None:
        self.security = security

    def result_in_account_currency(self, reserved_buying_power: float) -> ReservedBuyingPowerForPosition:
        return ReservedBuyingPowerForPosition(reserved_buying_power)


class InitialMarginParameters(DualCase):
    __slots__ = ("security", "quantity")

    def __init__(self, security: Security, quantity: float) -> None:
        self.security = security
        self.quantity = float(quantity)


class InitialMarginRequiredForOrderParameters(DualCase):
    __slots__ = ("security", "order")

    def __init__(self, security: Security, order: Order) -> None:
        self.security = security
        self.order = order


class MaintenanceMarginParameters(DualCase):
    """Maintenance margin request for `quantity` units (the current holdings by default)."""

    __slots__ = ("security", "quantity")

    def __init__(self, security: Security, quantity: float | None = None) -> None:
        self.security = security
        self.quantity = security.holdings.quantity if quantity is None else float(quantity)

    @property
    def absolute_holdings_value(self) -> float:
        return abs(self.security.holdings.quantity_value(self.quantity))

    @staticmethod
    def for_current_holdings(security: Security) -> MaintenanceMarginParameters:
        return MaintenanceMarginParameters(security)


class HasSufficientBuyingPowerForOrderResult(DualCase):
    __slots__ = ("is_sufficient", "reason")

    def __init__(self, is_sufficient: bool, reason: str | None = None) -> None:
        self.is_sufficient = bool(is_sufficient)
        self.reason = reason or ""


class HasSufficientBuyingPowerForOrderParameters(DualCase):
    """`portfolio`, `security`, `order`; `quantity_filled` is what the order's ticket has filled so far."""

    __slots__ = ("portfolio", "security", "order", "quantity_filled")

    def __init__(self, portfolio: SecurityPortfolioManager, security: Security, order: Order,
                 quantity_filled: float = 0.0) -> None:
        self.portfolio = portfolio
        self.security = security
        self.order = order
        self.quantity_filled = quantity_filled

    def sufficient(self) -> HasSufficientBuyingPowerForOrderResult:
        return HasSufficientBuyingPowerForOrderResult(True)

    def insufficient(self, reason: str) -> HasSufficientBuyingPowerForOrderResult:
        return HasSufficientBuyingPowerForOrderResult(False, reason)


class GetMaximumOrderQuantityResult(DualCase):
    """A delta quantity; a reason without an explicit `is_error` counts as an error, as in LEAN."""

    __slots__ = ("quantity", "reason", "is_error")

    def __init__(self, quantity: float, reason: str | None = None, is_error: bool | None = None) -> None:
        self.quantity = float(quantity)
        self.reason = reason or ""
        self.is_error = bool(reason) if is_error is None else bool(is_error)


class GetMaximumOrderQuantityForTargetBuyingPowerParameters(DualCase):
    __slots__ = ("portfolio", "security", "target_buying_power", "minimum_order_margin_portfolio_percentage",
                 "silence_non_error_reasons")

    def __init__(self, portfolio: SecurityPortfolioManager, security: Security, target_buying_power: float,
                 minimum_order_margin_portfolio_percentage: float, silence_non_error_reasons: bool = False) -> None:
        self.portfolio = portfolio
        self.security = security
        self.target_buying_power = float(target_buying_power)
        self.minimum_order_margin_portfolio_percentage = float(minimum_order_margin_portfolio_percentage)
        self.silence_non_error_reasons = silence_non_error_reasons


class BuyingPowerParameters(DualCase):
    __slots__ = ("portfolio", "security", "direction")

    def __init__(self, portfolio: SecurityPortfolioManager, security: Security, direction: Any) -> None:
        self.portfolio = portfolio
        self.security = security
        self.direction = direction


def _amount(result: Any, attribute: str = "value") -> float:
    """The number inside a LEAN result object (or the number itself, for lenient user models)."""
    if isinstance(result, int | float):
        return float(result)
    value = getattr(result, attribute, None)
    if value is None:
        value = getattr(result, "".join(part.capitalize() for part in attribute.split("_")))
    return float(value)


# --- the model ---------------------------------------------------------------------------------------------------
class BuyingPowerModel(DualCase):
    """Margin model with equal initial and maintenance requirements of 1/leverage."""

    required_free_buying_power_percent: float

    def __init__(self, leverage: float = 1.0, required_free_buying_power_percent: float = 0.0) -> None:
        self._check_leverage(leverage)
        self._leverage = float(leverage)
        self.required_free_buying_power_percent = required_free_buying_power_percent

    @staticmethod
    def _check_leverage(leverage: float) -> None:
        if leverage < 1:
            raise ValueError(f"leverage must be at least 1, got {leverage}")

    @property
    def leverage(self) -> float:
        return self._leverage

    @leverage.setter
    def leverage(self, leverage: float) -> None:
        from .portfolio import VALUATION_VERSION  # portfolio imports this module

        self._leverage = leverage
        VALUATION_VERSION.count += 1  # cached margin totals depend on it

    def get_leverage(self, security: Security | None = None) -> float:
        return self.leverage

    def set_leverage(self, security: Security | None, leverage: float) -> None:
        self._check_leverage(leverage)
        self.leverage = float(leverage)

    def get_initial_margin_requirement(self, parameters: InitialMarginParameters) -> InitialMargin:
        """price × quantity × multiplier × conversion rate / leverage (signed)."""
        return InitialMargin(_initial_margin_at_leverage(parameters.security, parameters.quantity, self.leverage))

    def get_maintenance_margin(self, parameters: MaintenanceMarginParameters) -> MaintenanceMargin:
        """|holdings value| / leverage."""
        return MaintenanceMargin(parameters.absolute_holdings_value / self.leverage)

    def get_reserved_buying_power_for_position(
            self, parameters: ReservedBuyingPowerForPositionParameters) -> ReservedBuyingPowerForPosition:
        return parameters.result_in_account_currency(maintenance_margin(parameters.security))

    def get_initial_margin_required_for_order(self, parameters: InitialMarginRequiredForOrderParameters) -> InitialMargin:
        """Margin of the order plus its fee, with the sign of the margin."""
        return InitialMargin(_order_margin_with_fee(parameters.security, parameters.order))

    def get_margin_remaining(self, portfolio: SecurityPortfolioManager, security: Security, direction: Any) -> float:
        """Free margin for an order in `direction`; reversing a position also frees that position's margin."""
        total_portfolio_value = portfolio.total_portfolio_value
        result = portfolio.get_margin_remaining(total_portfolio_value)
        holdings = security.holdings
        reverses = ((holdings.is_long and direction == SELL)
                    or (holdings.is_short and direction == BUY))
        if reverses:
            result += maintenance_margin(security) + initial_margin(security, holdings.absolute_quantity)
        result -= total_portfolio_value * self.required_free_buying_power_percent
        return max(result, 0.0)

    def get_buying_power(self, parameters: BuyingPowerParameters) -> BuyingPower:
        return BuyingPower(self.get_margin_remaining(parameters.portfolio, parameters.security, parameters.direction))

    def has_sufficient_buying_power_for_order(
            self, parameters: HasSufficientBuyingPowerForOrderParameters) -> HasSufficientBuyingPowerForOrderResult:
        """Enough free margin for the unfilled part of the order? Reducing or closing a position always is."""
        reason = _insufficiency(self, parameters.portfolio, parameters.security, parameters.order,
                                parameters.quantity_filled)
        return parameters.sufficient() if reason is None else parameters.insufficient(reason)

    def get_maximum_order_quantity_for_target_buying_power(
            self, parameters: GetMaximumOrderQuantityForTargetBuyingPowerParameters) -> GetMaximumOrderQuantityResult:
        """Delta quantity that brings the position's margin to `target_buying_power` × TPV, net of fees.

        target = t·(TPV − TPV·free%); q = lot-rounded(target/unit_margin − holdings) (toward −∞ for long targets,
        +∞ for short), stepped back while |margin(holdings+q)| > |target|; then target = (TPV − fee(q) −
        TPV·free%)·t and repeat until |margin(holdings+q)| ≤ |target|. Returns 0 when |target − current margin|
        < TPV × minimum_order_margin_portfolio_percentage (while margin remains).
        """
        security = parameters.security
        return _maximum_quantity_for_margin(
            self, parameters.portfolio, security, parameters.target_buying_power,
            parameters.minimum_order_margin_portfolio_percentage, parameters.silence_non_error_reasons,
            partial(initial_margin, security), self.get_amount_to_order)

    def get_amount_to_order(self, security: Security, target_margin: float,
                            unit_margin: float) -> tuple[float, float]:
        """Lot-rounded delta quantity whose resulting margin does not exceed `target_margin`, and that margin."""
        return _amount_to_order(security.symbol, security.symbol_properties.lot_size, security.holdings.quantity,
                                target_margin, unit_margin, partial(initial_margin, security))


class SecurityMarginModel(BuyingPowerModel):
    """LEAN's default margin model for margin accounts (same rules as BuyingPowerModel)."""


class CashBuyingPowerModel(BuyingPowerModel):
    """Cash accounts for currency pairs (crypto, forex): no leverage, no shorting, no margin held.

    Buys need the quote cash (order value + fee for market orders, via the sizing below); sells need the base
    currency (the position). Prices are the ask for buys and the bid for sells, or the last price when the security
    has no quotes. Reservations by other open orders are not modelled.
    """

    def __init__(self) -> None:
        super().__init__(1.0)

    def set_leverage(self, security: Security | None, leverage: float) -> None:
        if leverage != 1:
            raise ValueError("CashBuyingPowerModel does not allow leverage: cash accounts trade at leverage 1")

    def get_reserved_buying_power_for_position(
            self, parameters: ReservedBuyingPowerForPositionParameters) -> ReservedBuyingPowerForPosition:
        return parameters.result_in_account_currency(0.0)

    @staticmethod
    def _unit_price(security: Security, buy: bool) -> float:
        quote = security.ask_price if buy else security.bid_price
        return float(quote or security.price) * security.symbol_properties.contract_multiplier

    def has_sufficient_buying_power_for_order(
            self, parameters: HasSufficientBuyingPowerForOrderParameters) -> HasSufficientBuyingPowerForOrderResult:
        order = parameters.order
        security = parameters.security
        if order.quantity == 0:
            return parameters.sufficient()
        if order.quantity < 0:
            held = security.holdings.quantity
            if order.absolute_quantity <= held:
                return parameters.sufficient()
            return parameters.insufficient(
                f"Your portfolio holds {held:g} {security.symbol}, but your Sell order is for "
                f"{order.absolute_quantity:g}: cash accounts cannot short.")
        cash = parameters.portfolio.cash_book[parameters.portfolio.cash_book.account_currency].amount
        order_value = order.absolute_quantity * self._unit_price(security, True)
        if order.type == MARKET:
            total = parameters.portfolio.total_portfolio_value
            target = (cash + security.holdings.holdings_value) / total if total else 0.0
            result = self.get_maximum_order_quantity_for_target_buying_power(
                GetMaximumOrderQuantityForTargetBuyingPowerParameters(parameters.portfolio, security, target, 0.0))
            maximum_value = abs(result.quantity) * self._unit_price(security, True)
        else:
            fee = order_fee(security.fee_model, security, order).value.amount
            maximum_value = cash - fee
        if order_value <= maximum_value + 1e-9:
            return parameters.sufficient()
        return parameters.insufficient(
            f"Your portfolio holds {cash:g} USD, your Buy order is for {order.absolute_quantity:g} {security.symbol} "
            f"worth {order_value:g} USD; at most {maximum_value:g} USD can be bought.")

    def get_maximum_order_quantity_for_target_buying_power(
            self, parameters: GetMaximumOrderQuantityForTargetBuyingPowerParameters) -> GetMaximumOrderQuantityResult:
        """Quantity whose value plus fee reaches `target` × TPV from the current position, never short.

        q = lot-floor(|target value − position value| / unit price); while value(q) + fee(q) exceeds the target
        value, q shrinks by the overshoot (at least one lot).
        """
        security = parameters.security
        target_value = parameters.target_buying_power * parameters.portfolio.total_portfolio_value
        if target_value < 0:
            return GetMaximumOrderQuantityResult(0.0, "The cash model does not allow shorting.")
        if target_value == 0:
            return GetMaximumOrderQuantityResult(-security.holdings.quantity)
        position_value = security.holdings.holdings_value
        target_order_value = abs(target_value - position_value)
        buy = target_value > position_value
        unit_price = self._unit_price(security, buy)
        if unit_price == 0:
            return GetMaximumOrderQuantityResult(0.0, f"{security.symbol}: the security has no price yet")
        lot_size = security.symbol_properties.lot_size
        quantity = round_to_lot(target_order_value / unit_price, lot_size, "floor")
        if quantity == 0:
            reason = "" if parameters.silence_non_error_reasons else (
                f"The order quantity for {security.symbol} is less than the lot size of {lot_size}")
            return GetMaximumOrderQuantityResult(0.0, reason, False)
        current_value = 0.0
        last_quantity = 0.0
        while True:
            if current_value > target_order_value:
                overshoot_units = (current_value - target_order_value) / (current_value / quantity)
                quantity -= max(overshoot_units, lot_size)
            quantity = round_to_lot(quantity, lot_size, "floor")
            if quantity <= 0:
                return GetMaximumOrderQuantityResult(
                    0.0, f"The order quantity for {security.symbol} is less than the lot size after fees")
            if quantity == last_quantity:
                raise ValueError(f"the cash model failed to converge on the target order value {target_order_value} "
                                 f"for {security.symbol}")
            last_quantity = quantity
            current_value = quantity * unit_price + market_order_fee(security.fee_model, security, quantity)
            if current_value <= target_order_value:
                return GetMaximumOrderQuantityResult(quantity if buy else -quantity)


MarginOf = Callable[[float], float]
AmountToOrder = Callable[[Any, float, float], tuple[float, float]]


def _maximum_quantity_for_margin(model: BuyingPowerModel, portfolio: SecurityPortfolioManager, security: Security,
                                 target_fraction: float, minimum_percentage: float, silence_non_error_reasons: bool,
                                 margin_of: MarginOf, amount_to_order: AmountToOrder) -> GetMaximumOrderQuantityResult:
    """`BuyingPowerModel.get_maximum_order_quantity_for_target_buying_power` given the signed initial margin of q
    units (`margin_of`) and the model's lot-rounding step (`amount_to_order(security, target margin, unit margin)`)."""
    total_portfolio_value = portfolio.total_portfolio_value
    free = total_portfolio_value * model.required_free_buying_power_percent
    target_margin = target_fraction * (total_portfolio_value - free)
    holdings_quantity = security.holdings.quantity
    if target_margin == 0:
        return GetMaximumOrderQuantityResult(-holdings_quantity, "", False)
    current_margin = margin_of(holdings_quantity)
    unit_margin = margin_of(1.0)
    if unit_margin == 0:
        return GetMaximumOrderQuantityResult(0.0, f"{security.symbol}: the security has no price yet")
    margin_change = abs(target_margin - current_margin)
    if not portfolio.above_minimum_order_margin(minimum_percentage, margin_change):
        minimum = total_portfolio_value * minimum_percentage
        reason = ("" if silence_non_error_reasons else
                  f"The target order margin {margin_change} is less than the minimum {minimum}.")
        return GetMaximumOrderQuantityResult(0.0, reason, False)
    last_quantity = 0.0
    while True:
        quantity, final_margin = amount_to_order(security, target_margin, unit_margin)
        if quantity == 0:
            reason = ("" if silence_non_error_reasons else
                      f"The order quantity for {security.symbol} is less than the lot size of "
                      f"{security.symbol_properties.lot_size}")
            return GetMaximumOrderQuantityResult(0.0, reason, False)
        fee = market_order_fee(security.fee_model, security, quantity)
        target_margin = (total_portfolio_value - fee - free) * target_fraction
        if quantity == last_quantity:
            raise ValueError(f"GetMaximumOrderQuantityForTargetBuyingPower failed to converge for "
                             f"{security.symbol}: target margin {target_margin}, fee {fee}")
        last_quantity = quantity
        if abs(final_margin) <= abs(target_margin):
            return GetMaximumOrderQuantityResult(quantity)


def _amount_to_order(symbol: Any, lot_size: float, holdings: float, target_margin: float, unit_margin: float,
                     margin_of: MarginOf) -> tuple[float, float]:
    """`BuyingPowerModel.get_amount_to_order` given the holdings, lot size and `margin_of` q units."""
    size = -holdings + target_margin / unit_margin
    size = round_to_lot(size, lot_size, "ceiling" if target_margin < 0 else "floor")
    final_margin = margin_of(size + holdings)
    difference = final_margin - target_margin
    while (target_margin < 0 and difference < 0) or (target_margin > 0 and difference > 0):
        size += lot_size if target_margin < 0 else -lot_size
        final_margin = margin_of(size + holdings)
        new_difference = final_margin - target_margin
        if abs(new_difference) > abs(difference) and math.copysign(1, new_difference) == math.copysign(
                1, difference):
            raise ValueError(f"margin adjustment for {symbol} moves away from the target {target_margin}")
        difference = new_difference
    return size, final_margin


def _order_margin_with_fee(security: Security, order: Order) -> float:
    """Initial margin of the order plus its fee, with the sign of the margin (0 for no margin)."""
    fee = order_fee_amount(security.fee_model, security, order)
    margin = initial_margin(security, order.quantity)
    return margin + math.copysign(1.0, margin) * fee if margin else 0.0


def _insufficiency(model: BuyingPowerModel, portfolio: SecurityPortfolioManager, security: Security, order: Order,
                   quantity_filled: float) -> str | None:
    """Why `model` finds the free margin short of the unfilled part of `order`, or None when it suffices (reducing
    or closing a position always does): |unfilled fraction × initial margin with fee| > margin remaining."""
    quantity = order.quantity
    if quantity == 0:
        return None
    holdings_quantity = security.holdings.quantity
    if holdings_quantity * quantity < 0 and abs(holdings_quantity) >= abs(quantity):
        return None
    free_margin = model.get_margin_remaining(portfolio, security, order.direction)
    if is_plain_margin_model(model):
        required = _order_margin_with_fee(security, order)
    else:
        method = model_method(model, "get_initial_margin_required_for_order")
        required = _amount(method(InitialMarginRequiredForOrderParameters(security, order)))
    unfilled_fraction = (abs(quantity) - abs(quantity_filled)) / abs(quantity)
    required_for_remainder = unfilled_fraction * required
    if abs(required_for_remainder) > free_margin:
        return (f"Id: {order.id}, Initial Margin: {_normalize(required_for_remainder)}, "
                f"Free Margin: {_normalize(free_margin)}")
    return None


# --- engine access (user overrides in either spelling win) ---------------------------------------------------------
def _unit_value(security: Security, price: float) -> float:
    """conversion rate × contract multiplier × price: the account-currency value of one unit of `security` at
    `price`."""
    return security.quote_currency.conversion_rate * security.symbol_properties.contract_multiplier * float(price)


def _margin(unit_value: float, leverage: float, quantity: float) -> float:
    """unit value × quantity / leverage (signed), in this order of operations."""
    return unit_value * quantity / leverage


def _initial_margin_at_leverage(security: Security, quantity: float, leverage: float) -> float:
    """conversion rate × contract multiplier × price × quantity / leverage (signed), in this order of operations."""
    return _margin(_unit_value(security, security.price), leverage, quantity)


def initial_margin(security: Security, quantity: float) -> float:
    """Signed initial margin of `quantity` units of `security` per its buying-power model (computed directly for
    the engine's own margin models: sizing asks it for every target)."""
    model = security.buying_power_model
    if is_plain_margin_model(model):
        return _initial_margin_at_leverage(security, quantity, model.leverage)
    method = model_method(model, "get_initial_margin_requirement")
    return _amount(method(InitialMarginParameters(security, quantity)))


def maintenance_margin(security: Security) -> float:
    """Maintenance margin of the current position per the security's buying-power model."""
    method = model_method(security.buying_power_model, "get_maintenance_margin")
    return _amount(method(MaintenanceMarginParameters(security)))


PLAIN_MARGIN_MODEL_TYPES = frozenset({SecurityMarginModel, BuyingPowerModel})


def is_plain_margin_model(model: Any) -> bool:
    """True for the engine's own margin models (not subclasses): their margin is a function of price, position and
    leverage only, which the portfolio's cached totals track."""
    return type(model) in PLAIN_MARGIN_MODEL_TYPES


def reserved_buying_power(security: Security) -> float:
    """Margin the current position uses (what `Portfolio.TotalMarginUsed` adds up).

    For the engine's own margin models (not user subclasses, which may override either method) this is computed
    directly as |price × quantity × multiplier| / leverage, the same arithmetic as the model's result objects,
    because the engine sums it over every security at each fill."""
    model = security.buying_power_model
    if is_plain_margin_model(model):
        holdings = security.holdings
        return abs(holdings.quantity_value(holdings.quantity)) / model.leverage
    method = model_method(model, "get_reserved_buying_power_for_position")
    return _amount(method(ReservedBuyingPowerForPositionParameters(security)), "absolute_used_buying_power")


def has_sufficient_buying_power(portfolio: SecurityPortfolioManager, security: Security, order: Order,
                                quantity_filled: float = 0.0) -> HasSufficientBuyingPowerForOrderResult:
    model = security.buying_power_model
    if is_plain_margin_model(model):  # the model's own method, without its parameter object
        reason = _insufficiency(model, portfolio, security, order, quantity_filled)
        return HasSufficientBuyingPowerForOrderResult(reason is None, reason)
    parameters = HasSufficientBuyingPowerForOrderParameters(portfolio, security, order, quantity_filled)
    result = model_method(model, "has_sufficient_buying_power_for_order")(parameters)
    if isinstance(result, bool):
        return HasSufficientBuyingPowerForOrderResult(result)
    flag = getattr(result, "is_sufficient", None)
    if flag is None:
        flag = result.IsSufficient
    return HasSufficientBuyingPowerForOrderResult(bool(flag), str(getattr(result, "reason", "") or ""))


def maximum_order_quantity(portfolio: SecurityPortfolioManager, security: Security, target_buying_power: float,
                           minimum_order_margin_portfolio_percentage: float,
                           reasons_read: bool = True) -> GetMaximumOrderQuantityResult:
    """The security's model's delta quantity for `target_buying_power`. A caller that reads no non-error reason
    says so with `reasons_read=False`: the engine's own models then leave them empty (silenced) instead of
    formatting their numbers, while a user's model gets LEAN's parameters unchanged."""
    model = security.buying_power_model
    if is_plain_margin_model(model):
        return plain_maximum_quantity(model, portfolio, security, security.price, target_buying_power,
                                      minimum_order_margin_portfolio_percentage, not reasons_read)
    parameters = GetMaximumOrderQuantityForTargetBuyingPowerParameters(
        portfolio, security, target_buying_power, minimum_order_margin_portfolio_percentage)
    result = model_method(model, "get_maximum_order_quantity_for_target_buying_power")(parameters)
    if isinstance(result, GetMaximumOrderQuantityResult):
        return result
    return GetMaximumOrderQuantityResult(_amount(result, "quantity"), str(getattr(result, "reason", "") or ""),
                                         bool(getattr(result, "is_error", False)))


def plain_maximum_quantity(model: BuyingPowerModel, portfolio: SecurityPortfolioManager, security: Security,
                           price: float, target_buying_power: float, minimum_percentage: float,
                           silence_non_error_reasons: bool) -> GetMaximumOrderQuantityResult:
    """The engine's own model's `get_maximum_order_quantity_for_target_buying_power` (`model` is one of
    PLAIN_MARGIN_MODEL_TYPES) given the security's current `price`, without the parameter object and with the unit
    value taken once for every margin the sizing asks: sizing runs for every target of every rebalance."""
    margin_of = partial(_margin, _unit_value(security, price), model.leverage)
    symbol = security.symbol
    lot_size = security.symbol_properties.lot_size

    def amount_to_order(security: Security, target_margin: float, unit_margin: float) -> tuple[float, float]:
        return _amount_to_order(symbol, lot_size, security.holdings.quantity, target_margin, unit_margin, margin_of)

    return _maximum_quantity_for_margin(model, portfolio, security, float(target_buying_power),
                                        float(minimum_percentage), silence_non_error_reasons, margin_of,
                                        amount_to_order)


def _normalize(value: float) -> str:
    """A decimal without trailing zeros, as C#'s `decimal.Normalize()` prints it."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
