"""Holdings and the portfolio (`self.portfolio`), with LEAN's fill bookkeeping (`SecurityPortfolioModel.ProcessFill`).

The account currency is USD and every traded quote currency is taken at conversion rate 1; forex and crypto
positions are valued as holdings (equivalent to LEAN's cash-book accounting for USD-quoted pairs), CFD positions
add their unrealised profit to the portfolio value without moving cash, as LEAN does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..data.symbol import Symbol
from ..enums import BUY, SELL, OrderDirection, SecurityType
from ..naming import DualCase
from .buying_power import is_plain_margin_model, reserved_buying_power, round_to_lot_precision
from .corporate_events import dividend_payment, pays_cash_dividends, split_position, splits_holdings
from .fees import order_fee
from .orders import ACCOUNT_CURRENCY, MarketOrder, OrderEvent
from .slice import KeyValuePair

if TYPE_CHECKING:
    from .securities import Security, SecurityCache, SecurityManager

TransactionRecordHandler = Callable[[datetime, float], None]

# Forex and crypto fills swap currencies in LEAN's cash book; here they are positions valued at the pair's price.
_CURRENCY_SWAP_TYPES = frozenset({SecurityType.FOREX, SecurityType.CRYPTO})

# Securities whose fills do not move cash: profit settles into cash when positions close.
MARGIN_ONLY_TYPES = frozenset({SecurityType.FUTURE, SecurityType.CFD, SecurityType.CRYPTO_FUTURE})


class ValuationVersion:
    """Counts changes to what a portfolio's value is made of: prices, positions, cash and the securities held.

    Every point that changes one of them adds 1 (`SecurityHolding.set_holdings`, `Cash`, `SecurityManager`, the
    price caches of securities with a position, leverage and buying-power model changes); cached portfolio values
    and margin totals are reused only while the count is unchanged.
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


VALUATION_VERSION = ValuationVersion()
CASH_VERSION = ValuationVersion()  # the cash part alone: cash books reuse their total while it is unchanged


class Cash(DualCase):
    """An amount of one currency with its conversion rate to the account currency."""

    amount: float
    conversion_rate: float
    symbol: str

    def __init__(self, symbol: str, amount: float, conversion_rate: float) -> None:
        self.symbol = symbol
        self.amount = float(amount)
        self.conversion_rate = float(conversion_rate)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        VALUATION_VERSION.count += 1  # amount and conversion rate are part of the portfolio value
        CASH_VERSION.count += 1

    @property
    def value_in_account_currency(self) -> float:
        return self.amount * self.conversion_rate

    def set_amount(self, amount: float) -> None:
        self.amount = float(amount)

    def add_amount(self, amount: float) -> float:
        self.amount += float(amount)
        return self.amount

    def __repr__(self) -> str:
        return f"{self.symbol}: {self.amount:.2f} @ {self.conversion_rate}"


class CashBook(DualCase):
    """Currency → Cash. Only the account currency (USD) is held; other currencies convert at rate 1."""

    account_currency: str

    def __init__(self, account_currency: str = ACCOUNT_CURRENCY) -> None:
        self.account_currency = account_currency
        self._cash: dict[str, Cash] = {account_currency: Cash(account_currency, 0.0, 1.0)}
        self._total_version = -1
        self._total = 0.0

    def __getitem__(self, currency: str) -> Cash:
        if currency not in self._cash:
            raise KeyError(f"currency '{currency}' is not in the cash book (it holds {', '.join(self._cash)})")
        return self._cash[currency]

    def __contains__(self, currency: object) -> bool:
        return currency in self._cash

    def __iter__(self) -> Any:
        return iter(self._cash.items())

    def add(self, currency: str, amount: float, conversion_rate: float) -> Cash:
        cash = Cash(currency, amount, conversion_rate)
        self._cash[currency] = cash
        return cash

    @property
    def total_value_in_account_currency(self) -> float:
        """Σ amount × conversion rate; reused while CASH_VERSION is unchanged (every Cash change, a new currency
        included, advances it)."""
        if CASH_VERSION.count != self._total_version:
            total = 0.0
            for cash in self._cash.values():
                total += cash.amount * cash.conversion_rate
            self._total = total
            self._total_version = CASH_VERSION.count
        return self._total

    def convert_to_account_currency(self, amount: float, currency: str) -> float:
        if currency in self._cash:
            return amount * self._cash[currency].conversion_rate
        return amount

    def keys(self) -> list[str]:
        return list(self._cash)

    def values(self) -> list[Cash]:
        return list(self._cash.values())


class SecurityHolding(DualCase):
    """A security's position: quantity, average price, realised profit, fees and traded volume."""

    average_price: float
    last_trade_profit: float
    total_dividends: float
    total_fees: float

    # Counts created holdings, position changes and recorded sales (of every portfolio): the portfolio's list of
    # positions and its total sale volume are reused while neither this count nor its number of securities changes.
    changes = 0

    def __init__(self, security: Security) -> None:
        self._security = security
        self._quantity = 0.0
        self._invested = False
        self.average_price = 0.0
        self.total_fees = 0.0
        self._total_sale_volume = 0.0
        SecurityHolding.changes += 1
        self.last_trade_profit = 0.0
        self._profit = 0.0
        self.total_dividends = 0.0

    @property
    def security(self) -> Security:
        return self._security

    @property
    def symbol(self) -> Any:
        return self._security.symbol

    @property
    def type(self) -> Any:
        return self._security.type

    # the reads algorithms make at every step: C getters, no Python frame
    quantity = property(operator.attrgetter("_quantity"), doc="The signed number of units held.")

    @property
    def price(self) -> float:
        return self._security.price

    invested = property(operator.attrgetter("_invested"), doc="Whether at least one lot is held, long or short.")
    hold_stock = invested

    @property
    def is_long(self) -> bool:
        return self._quantity > 0

    @property
    def is_short(self) -> bool:
        return self._quantity < 0

    @property
    def absolute_quantity(self) -> float:
        return abs(self._quantity)

    @property
    def total_sale_volume(self) -> float:
        """Σ |fill quantity| × fill price × contract multiplier of the security's fills (read-only, as in LEAN)."""
        return self._total_sale_volume

    def quantity_value(self, quantity: float, price: float | None = None) -> float:
        """Value of `quantity` units at `price` (default: current price) × contract multiplier, in USD."""
        used_price = self._security.price if price is None else price
        return used_price * quantity * self._security.symbol_properties.contract_multiplier

    @property
    def holdings_value(self) -> float:
        return self.quantity_value(self._quantity) if self._quantity else 0.0

    @property
    def absolute_holdings_value(self) -> float:
        return abs(self.holdings_value)

    @property
    def holdings_cost(self) -> float:
        return self.quantity_value(self._quantity, self.average_price) if self._quantity else 0.0

    @property
    def absolute_holdings_cost(self) -> float:
        return abs(self.holdings_cost)

    @property
    def profit(self) -> float:
        return self._profit + self.total_dividends

    @property
    def net_profit(self) -> float:
        return self.profit - self.total_fees

    @property
    def unrealized_profit(self) -> float:
        return self.total_close_profit()

    unrealised_profit = unrealized_profit

    @property
    def unrealized_profit_percent(self) -> float:
        cost = self.absolute_holdings_cost
        return self.unrealized_profit / cost if cost else 0.0

    def total_close_profit(self, include_fees: bool = True, exit_price: float | None = None,
                           entry_price: float | None = None, quantity: float | None = None) -> float:
        """Profit if the position closed now: exit value − entry value − (fee of the closing market order)."""
        used_quantity = self._quantity if quantity is None else quantity
        if quantity is None and not self._invested:
            return 0.0
        fees = 0.0
        if include_fees:
            closing = MarketOrder(self._security.symbol, -used_quantity, self._security.utc_time)
            fees = order_fee(self._security.fee_model, self._security, closing).value.amount
        price = self._security.bid_price if self.is_long else self._security.ask_price
        if price == 0:
            price = self._security.price
        entry = self.quantity_value(used_quantity, self.average_price if entry_price is None else entry_price)
        exit_value = self.quantity_value(used_quantity, price if exit_price is None else exit_price)
        return exit_value - entry - fees

    def set_holdings(self, average_price: float, quantity: float) -> None:
        self._quantity = float(quantity)
        self._invested = abs(self._quantity) >= self._security.symbol_properties.lot_size
        self.average_price = float(average_price)
        self._security.cache.set_valued(self._quantity != 0)
        VALUATION_VERSION.count += 1
        SecurityHolding.changes += 1

    def add_new_fee(self, fee: float) -> None:
        self.total_fees += fee

    def add_new_profit(self, profit: float) -> None:
        self._profit += profit

    def add_new_dividend(self, dividend: float) -> None:
        """Add a dividend payment (account currency) to `total_dividends`, which `profit` includes."""
        self.total_dividends += dividend

    def add_new_sale(self, sale_value: float) -> None:
        self._total_sale_volume += sale_value
        SecurityHolding.changes += 1

    def set_last_trade_profit(self, profit: float) -> None:
        self.last_trade_profit = profit

    def __repr__(self) -> str:
        return f"{getattr(self.symbol, 'value', self.symbol)}: {self._quantity:g} @ {self.average_price}"


class SecurityPortfolioManager(DualCase):
    """`self.portfolio`: holdings by symbol, cash, portfolio value, margin and the transaction record."""

    cash_book: CashBook
    transaction_record: dict[datetime, float]

    def __init__(self, securities: SecurityManager, settings: Any = None) -> None:
        self._securities = securities
        # the manager's own Symbol → Security dict (never rebound): `portfolio[symbol]` is one probe of it
        self._security_of: dict[Any, Security] = securities._items
        self._settings = settings
        self.cash_book = CashBook()
        self.transaction_record: dict[datetime, float] = {}
        self._next_free_record_time: dict[datetime, datetime] = {}
        self._record_handler: TransactionRecordHandler | None = None
        self._cached_value_version = -1
        self._cached_value = 0.0
        self._cached_margin_version = -1
        self._cached_margin = 0.0
        self._terms = _PositionTerms()
        self._cached_sale_volume_key = (-1, -1)
        self._cached_sale_volume = 0.0
        self._positions_changes = self._positions_composition = -1
        self._positions: list[Security] = []
        self._any_position_invested = False

    # --- dictionary access ----------------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> SecurityHolding:
        if type(key) is Symbol:
            security = self._security_of.get(key)
            if security is not None:
                return security.holdings
        return self._securities[key].holdings

    def __contains__(self, key: object) -> bool:
        return key in self._securities

    def contains_key(self, key: Any) -> bool:
        return key in self._securities

    def __len__(self) -> int:
        return len(self._securities)

    def __iter__(self) -> Any:
        return (KeyValuePair(security.symbol, security.holdings) for security in self._securities.total)

    @property
    def keys(self) -> Any:
        from .securities import CallableList

        return CallableList(security.symbol for security in self._securities.total)

    @property
    def values(self) -> Any:
        from .securities import CallableList

        return CallableList(security.holdings for security in self._securities.total)

    def items(self) -> list[tuple[Any, SecurityHolding]]:
        return [(security.symbol, security.holdings) for security in self._securities.total]

    @property
    def securities(self) -> SecurityManager:
        return self._securities

    # --- cash -----------------------------------------------------------------------------------------------
    @property
    def cash(self) -> float:
        """LEAN's `Portfolio.Cash`: the cash book's total value, which includes the base currencies bought with
        forex and crypto trades (valued here as those positions' holdings value)."""
        total = self.cash_book.total_value_in_account_currency
        for security in self._securities.total:
            if security.type in _CURRENCY_SWAP_TYPES and security.holdings.quantity:
                total += security.holdings.holdings_value
        return total

    def set_cash(self, amount_or_currency: float | str, amount: float = 0.0, conversion_rate: float = 0.0) -> None:
        """`set_cash(100000)` sets the USD balance; `set_cash("EUR", amount, rate)` is LEAN's currency form
        (a non-USD balance at the given conversion rate to USD)."""
        if isinstance(amount_or_currency, str):
            currency = amount_or_currency.upper()
            if currency == self.cash_book.account_currency:
                self.cash_book[currency].set_amount(float(amount))
            else:
                self.cash_book.add(currency, float(amount), float(conversion_rate))
            return
        self.cash_book[self.cash_book.account_currency].set_amount(float(amount_or_currency))

    def set_account_currency(self, currency: str, starting_cash: float | None = None) -> None:
        if currency != ACCOUNT_CURRENCY:
            raise ValueError(f"lean_offline supports the account currency USD only, not {currency!r}")
        if starting_cash is not None:
            self.set_cash(starting_cash)

    @property
    def unsettled_cash(self) -> float:
        return 0.0

    # --- values ---------------------------------------------------------------------------------------------
    @property
    def total_portfolio_value(self) -> float:
        """Cash + Σ holdings value (CFD/futures: + unrealised profit instead of value).

        Reused while VALUATION_VERSION is unchanged, except with margin-only positions: their unrealised profit
        also depends on quotes and the fee model."""
        if VALUATION_VERSION.count == self._cached_value_version:
            return self._cached_value
        return self._revalue()

    def _revalue(self) -> float:
        """Cash + Σ holdings value (margin-only positions: + unrealised profit, which also depends on quotes and the
        fee model, so such a total is not reused)."""
        version = VALUATION_VERSION.count
        terms = self._terms
        if terms.version != version:
            terms.compute(self._securities_with_positions())
        book = self.cash_book
        total = book._total if book._total_version == CASH_VERSION.count else book.total_value_in_account_currency
        values = terms.values
        if values is not None:
            for value in values:
                total += value
            self._cached_value_version = version
            self._cached_value = total
            return total
        for security in self._securities_with_positions():
            holdings = security.holdings
            if not holdings._invested:
                continue
            total += holdings.unrealized_profit if security.type in MARGIN_ONLY_TYPES else holdings.holdings_value
        return total

    def _current_terms(self) -> _PositionTerms:
        """The positions' value and margin terms at the current VALUATION_VERSION, computed afresh if the count
        moved since (a fill carries them over itself, see `process_fill`)."""
        terms = self._terms
        if terms.version != VALUATION_VERSION.count:
            terms.compute(self._securities_with_positions())
        return terms

    def _securities_with_positions(self) -> list[Security]:
        """The securities with a non-zero quantity, in the securities' order (what valuation and margin sum over).
        Rebuilt, with whether one of them is invested (a holding's `_invested` changes only with its position), when
        a holding is created or changes position or a security is added, replaced or removed."""
        changes, composition = SecurityHolding.changes, self._securities.composition
        if changes != self._positions_changes or composition != self._positions_composition:
            positions = self._positions = [security for security in self._securities.total
                                           if security.holdings._quantity]
            self._any_position_invested = any(security.holdings._invested for security in positions)
            self._positions_changes, self._positions_composition = changes, composition
        return self._positions

    @property
    def total_portfolio_value_less_free_buffer(self) -> float:
        """TPV minus the free buffer: the user's fixed `free_portfolio_value`, or TPV × free percentage."""
        total = self.total_portfolio_value
        settings = self._settings
        if settings is None:
            return total - total * 0.0025
        if settings.free_portfolio_value is not None:
            return total - float(settings.free_portfolio_value)
        return total - total * settings.free_portfolio_value_percentage

    @property
    def total_holdings_value(self) -> float:
        return sum(security.holdings.absolute_holdings_value for security in self._securities.total)

    @property
    def total_absolute_holdings_cost(self) -> float:
        return sum(security.holdings.absolute_holdings_cost for security in self._securities.total)

    @property
    def total_unrealized_profit(self) -> float:
        return sum(security.holdings.unrealized_profit for security in self._securities.total)

    total_unrealised_profit = total_unrealized_profit

    @property
    def total_profit(self) -> float:
        return sum(security.holdings.profit for security in self._securities.total)

    @property
    def total_net_profit(self) -> float:
        return sum(security.holdings.net_profit for security in self._securities.total)

    @property
    def total_fees(self) -> float:
        return sum(security.holdings.total_fees for security in self._securities.total)

    @property
    def total_sale_volume(self) -> float:
        """Σ total sale volume of the securities, in their order. Reused until a sale is recorded, a holding is
        created or a security is added, replaced or removed."""
        key = (SecurityHolding.changes, self._securities.composition)
        if key != self._cached_sale_volume_key:
            total = 0.0
            for security in self._securities.total:
                total += security.holdings._total_sale_volume
            self._cached_sale_volume_key = key
            self._cached_sale_volume = total
        return self._cached_sale_volume

    @property
    def invested(self) -> bool:
        """Whether any holding is invested: one of the securities with a position (most algorithms ask at every
        step, so it is found when the positions are)."""
        self._securities_with_positions()
        return self._any_position_invested

    hold_stock = invested

    # --- margin ---------------------------------------------------------------------------------------------
    @property
    def total_margin_used(self) -> float:
        """Σ reserved buying power of the positions, in the securities' order; from the cached per-position terms
        when every position uses one of the engine's own margin models (a user model's margin may depend on
        anything, so it is asked every time)."""
        version = VALUATION_VERSION.count
        if version == self._cached_margin_version:
            return self._cached_margin
        margins = self._current_terms().margin_terms()
        total = 0.0
        if margins is None:
            for security in self._securities_with_positions():
                total += reserved_buying_power(security)
            return total
        for margin in margins:
            total += margin
        self._cached_margin_version = version
        self._cached_margin = total
        return total

    def get_margin_remaining(self, total_portfolio_value: float | None = None) -> float:
        """TPV − unsettled cash − margin used (may be negative)."""
        tpv = self.total_portfolio_value if total_portfolio_value is None else total_portfolio_value
        return tpv - self.unsettled_cash - self.total_margin_used

    @property
    def margin_remaining(self) -> float:
        return self.get_margin_remaining()

    def get_buying_power(self, symbol: Any, direction: Any = OrderDirection.BUY) -> float:
        security = self._securities[symbol]
        return float(security.buying_power_model.get_margin_remaining(self, security, direction))

    def above_minimum_order_margin(self, minimum_percentage: float, absolute_order_margin: float) -> bool:
        """False when the order margin is below TPV × `minimum_percentage` while margin remains positive."""
        if minimum_percentage == 0:
            return True
        total = self.total_portfolio_value
        return not (total * minimum_percentage > absolute_order_margin and self.get_margin_remaining(total) > 0)

    # --- fills ----------------------------------------------------------------------------------------------
    def set_transaction_record_handler(self, handler: TransactionRecordHandler | None) -> None:
        """Called with (utc time, profit − 2 × fee) for every fill that reduces a position."""
        self._record_handler = handler

    def add_transaction_record(self, utc_time: datetime, profit_loss: float) -> None:
        key = self._next_free_record_time.get(utc_time, utc_time)
        while key in self.transaction_record:
            key += timedelta(milliseconds=1)
        self._next_free_record_time[utc_time] = key + timedelta(milliseconds=1)
        self.transaction_record[key] = profit_loss
        if self._record_handler is not None:
            self._record_handler(key, profit_loss)

    # --- corporate events -------------------------------------------------------------------------------------
    def apply_dividend(self, dividend: Any, live_mode: bool, mode: Any) -> None:
        """Pay a dividend into account cash and the holding's dividends (backtests with RAW or SPLIT_ADJUSTED
        prices only; live accounts get dividends from the brokerage)."""
        if live_mode or not pays_cash_dividends(mode):
            return
        security = self._securities[dividend.symbol]
        payment = dividend_payment(security.holdings.quantity, float(dividend.distribution),
                                   security.quote_currency.conversion_rate)
        self.cash_book[self.cash_book.account_currency].add_amount(payment)
        security.holdings.add_new_dividend(payment)

    def apply_split(self, split: Any, security: Security, live_mode: bool, mode: Any) -> None:
        """Split a RAW-priced equity position: whole shares ÷ split factor, average price × factor, the security's
        cached prices rescaled, and the fractional share paid in cash at the rescaled last price (at the split's
        reference price × factor when the security has no data yet)."""
        if not splits_holdings(security.type, mode, live_mode):
            return
        factor = float(split.split_factor)
        holdings = security.holdings
        after = split_position(holdings.quantity, holdings.average_price, factor)
        holdings.set_holdings(after.average_price, after.quantity)
        account = self.cash_book[self.cash_book.account_currency]
        if security.get_last_data() is None:
            account.add_amount(after.fractional_quantity * float(split.reference_price) * factor)
            return
        security.apply_split(factor)
        account.add_amount(after.fractional_quantity * security.get_last_data().price)

    def process_fill(self, fill: OrderEvent) -> None:
        """Apply a fill: sale volume, fee, cash, realised profit (and its transaction record), quantity, average.

        Closing trades record `profit − 2 × fee` (LEAN's own convention) at the security's current UTC time.
        """
        security = self._securities[fill.symbol]
        holdings = security.holdings
        terms_were_current = self._terms.version == VALUATION_VERSION.count
        quantity = holdings.quantity
        average = holdings.average_price
        properties = security.symbol_properties
        multiplier = properties.contract_multiplier
        fill_price, fill_quantity = fill.fill_price, fill.fill_quantity
        margin_only = security.type in MARGIN_ONLY_TYPES
        account = self.cash_book[self.cash_book.account_currency]

        holdings.add_new_sale(fill_price * abs(fill_quantity) * multiplier)
        fee = 0.0
        fee_value = fill.order_fee.value
        if fee_value.amount != 0:
            fee = self.cash_book.convert_to_account_currency(fee_value.amount, fee_value.currency)
            holdings.add_new_fee(fee)
            account.add_amount(-fee)
        if not margin_only:
            account.add_amount(-fill_quantity * fill_price * multiplier)

        direction = fill.direction
        if (quantity > 0 and direction == SELL) or (quantity < 0 and direction == BUY):
            closed = min(abs(fill_quantity), abs(quantity))
            signed_closed = closed if fill_quantity < 0 else -closed
            profit = (fill_price - average) * signed_closed * multiplier
            if margin_only:
                account.add_amount(profit)
            holdings.add_new_profit(profit)
            holdings.set_last_trade_profit(profit)
            self.add_transaction_record(security.utc_time, profit - 2 * fee)

        new_quantity, new_average = _position_after_fill(quantity, average, fill_quantity, fill_price)
        holdings.set_holdings(new_average, round_to_lot_precision(new_quantity, properties.lot_size))
        if terms_were_current:  # the fill moved account cash and this one position only
            self._terms.carry_over_position_change(security)


class _PositionTerms:
    """Each position's value term (0 for a position below one lot, which the value skips) and margin term, in the
    securities' order, valid while VALUATION_VERSION equals `version`. Totals re-add these floats in that order,
    so they equal a fresh sum to the last bit, while a fill recomputes only its own position's terms.

    `values` is None while a margin-only position is held (its unrealised profit also moves with quotes and the
    fee model); `margins` is computed when first asked for, and stays None while a position has a user margin
    model (whose margin may depend on anything)."""

    __slots__ = ("version", "securities", "margin_only_held", "factors", "values", "margins", "margins_asked",
                 "_price_of")

    def __init__(self) -> None:
        from .securities import current_price  # here: the securities module imports this one

        self._price_of = current_price  # `cache.price` without the attribute's descriptor: read for every term
        self.version = -1
        self.securities: list[Security] = []
        self.margin_only_held = False
        # (price cache, quantity, contract multiplier) of each position, while every position is at least one lot
        # and none is margin-only: the value terms are then `cache.price × quantity × multiplier`
        self.factors: list[tuple[SecurityCache, float, float]] | None = None
        self.values: list[float] | None = None
        self.margins: list[float] | None = None
        self.margins_asked = False

    def compute(self, positions: list[Security]) -> None:
        """Terms afresh for `positions` (the portfolio's list of positions, a new list whenever a position or the
        membership changes, so the factors read from it stay valid while the same list comes back); the values
        inline, as they are recomputed at every time step that moves a held price."""
        self.version = VALUATION_VERSION.count
        self.margins = None
        self.margins_asked = False
        if positions is not self.securities:
            self.securities = positions
            self.margin_only_held = any(security.type in MARGIN_ONLY_TYPES for security in positions)
            self.factors = None
            if not self.margin_only_held and all(security.holdings._invested for security in positions):
                self.factors = [(security.cache, security.holdings._quantity,
                                 security.symbol_properties.contract_multiplier) for security in positions]
        factors = self.factors
        if factors is not None:
            price_of = self._price_of
            self.values = [price_of(cache) * quantity * multiplier for (cache, quantity, multiplier) in factors]
        elif self.margin_only_held:
            self.values = None
        else:
            self.values = [security.holdings.holdings_value if security.holdings._invested else 0.0
                           for security in positions]

    def margin_terms(self) -> list[float] | None:
        if not self.margins_asked:
            self.margins_asked = True
            positions = self.securities
            if not all(is_plain_margin_model(security.buying_power_model) for security in positions):
                return None
            values = self.values
            if self.factors is not None and values is not None:  # every value term is the position's own
                self.margins = [abs(value) / security.buying_power_model.leverage
                                for value, security in zip(values, positions, strict=True)]
            else:
                self.margins = [reserved_buying_power(security) for security in positions]
        return self.margins

    def carry_over_position_change(self, security: Security) -> None:
        """Bring the terms to the current VALUATION_VERSION after a change of `security`'s position and of cash
        amounts only (a fill); a position that opened or closed changes the list itself: computed afresh later."""
        if not security.holdings._quantity or security not in self.securities:
            self.version = -1
            return
        place = self.securities.index(security)
        holdings = security.holdings
        if self.factors is not None:
            if holdings._invested:
                self.factors[place] = (security.cache, holdings._quantity,
                                       security.symbol_properties.contract_multiplier)
            else:
                self.factors = None
        if self.values is not None:
            self.values[place] = holdings.holdings_value if holdings._invested else 0.0
        if self.margins is not None:
            self.margins[place] = reserved_buying_power(security)
        self.version = VALUATION_VERSION.count


def _position_after_fill(quantity: float, average: float, fill_quantity: float,
                         fill_price: float) -> tuple[float, float]:
    """(quantity, average price) after a fill: same-side fills average in; crossing zero restarts at the fill."""
    if quantity == 0:
        return fill_quantity, fill_price
    new_quantity = quantity + fill_quantity
    if (quantity > 0) == (fill_quantity > 0):
        return new_quantity, (average * quantity + fill_quantity * fill_price) / new_quantity
    if new_quantity == 0:
        return 0.0, 0.0
    if (new_quantity > 0) != (quantity > 0):
        return new_quantity, fill_price
    return new_quantity, average
