"""Dividend and split events of US equities, derived from factor files the way LEAN's corporate-event providers do
(Engine/DataFeeds/Enumerators/DividendEventProvider.cs, SplitEventProvider.cs).

Each user equity subscription emits these auxiliary points into its stream: they reach `on_data` (in
`slice.dividends` / `slice.splits`, the symbol's key holding None when no bar comes with them), they count as data
points, and they never set prices or feed consolidators.

Rule, for two consecutive factor-file rows `this` and `next` where `this.date` is a trading day the subscription sees:
- price factors differ → a Dividend at 00:00 of the next trading day, distribution
  round(ref − ref × this.price_factor / next.price_factor, 2) with ref = this.reference_price;
- split factors differ → a Split warning at 00:00 of `this.date` and the split itself at 00:00 of the next trading
  day, both with factor this.split_factor / next.split_factor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..naming import lean_enum
from .factors import FactorFile
from .market import BaseData, MarketDataType

SplitType = lean_enum("SplitType", {"Warning": 0, "SplitOccurred": 1})

_DISTRIBUTION_DECIMALS = 2


class Dividend(BaseData):
    """A cash distribution per share; `value` is the distribution."""

    __slots__ = ("reference_price",)

    data_type = MarketDataType["AUXILIARY"]

    def __init__(self, symbol: Any = None, time: datetime = datetime(1, 1, 1), distribution: float = 0.0,
                 reference_price: float = 0.0) -> None:
        super().__init__(time, time, symbol, distribution)
        self.reference_price = reference_price

    @property
    def distribution(self) -> float:
        return self.value


class Split(BaseData):
    """A share split: its warning on the last trading day before it, then the split itself; `value` is the
    reference price."""

    __slots__ = ("split_factor", "type")

    data_type = MarketDataType["AUXILIARY"]

    def __init__(self, symbol: Any = None, time: datetime = datetime(1, 1, 1), reference_price: float = 0.0,
                 split_factor: float = 1.0, type: Any = SplitType["SPLIT_OCCURRED"]) -> None:
        super().__init__(time, time, symbol, reference_price)
        self.split_factor = split_factor
        self.type = type

    @property
    def reference_price(self) -> float:
        return self.value


def dividend_distribution(reference_price: float, price_factor_ratio: float) -> float:
    """Cash per share: round(reference − reference × ratio, 2), ratio = price factor before / after the event."""
    return round(reference_price - reference_price * price_factor_ratio, _DISTRIBUTION_DECIMALS)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def corporate_events(factor_file: FactorFile, symbol: Any, is_trading_day: Callable[[date], bool],
                     next_trading_day: Callable[[date], date], first_day: date, last_day: date) -> list[BaseData]:
    """The dividends and splits a subscription seeing trading days `first_day`..`last_day` emits, in time order
    (see the module docstring for the rule)."""
    events: list[BaseData] = []
    rows = factor_file.rows
    for this, following in zip(rows, rows[1:], strict=False):
        if not (first_day <= this.date <= last_day) or not is_trading_day(this.date):
            continue
        event_day = next_trading_day(this.date)
        if this.split_factor != following.split_factor:
            factor = this.split_factor / following.split_factor
            events.append(Split(symbol, _midnight(this.date), this.reference_price, factor, SplitType["WARNING"]))
            if event_day <= last_day:
                events.append(Split(symbol, _midnight(event_day), this.reference_price, factor,
                                    SplitType["SPLIT_OCCURRED"]))
        if this.price_factor != following.price_factor and event_day <= last_day:
            ratio = this.price_factor / following.price_factor
            events.append(Dividend(symbol, _midnight(event_day), dividend_distribution(this.reference_price, ratio),
                                   this.reference_price))
    events.sort(key=lambda event: event.time)
    return events
