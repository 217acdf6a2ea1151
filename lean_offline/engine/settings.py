"""`self.settings`: the algorithm settings LEAN reads while sizing, submitting and filling orders.

Defaults are those of LEAN's `Common/AlgorithmSettings.cs` at the commit the engine follows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..naming import DualCase


class AlgorithmSettings(DualCase):
    """Settings in both spellings (`settings.liquidate_enabled` / `Settings.LiquidateEnabled`)."""

    automatic_indicator_warm_up: bool
    daily_consolidation_use_extended_market_hours: bool
    daily_precise_end_time: bool
    data_subscription_limit: int
    free_portfolio_value: float | None
    free_portfolio_value_percentage: float
    ignore_unknown_asset_holdings: bool
    liquidate_enabled: bool
    max_absolute_portfolio_target_percentage: float
    min_absolute_portfolio_target_percentage: float
    minimum_order_margin_portfolio_percentage: float
    rebalance_portfolio_on_insight_changes: bool | None
    rebalance_portfolio_on_security_changes: bool | None
    seed_initial_prices: bool
    stale_price_time_span: timedelta
    trading_days_per_year: int | None
    warmup_resolution: Any

    def __init__(self) -> None:
        # None: the free buffer trails TPV × free_portfolio_value_percentage; a number: a fixed cash amount.
        self.free_portfolio_value: float | None = None
        self.free_portfolio_value_percentage = 0.0025
        self.minimum_order_margin_portfolio_percentage = 0.001
        self.max_absolute_portfolio_target_percentage = 1e9
        self.min_absolute_portfolio_target_percentage = 1e-10
        self.liquidate_enabled = True
        self.stale_price_time_span = timedelta(hours=1)
        self.daily_precise_end_time = True
        self.seed_initial_prices = True
        self.warmup_resolution: Any = None
        self.automatic_indicator_warm_up = False
        self.rebalance_portfolio_on_insight_changes: bool | None = True
        self.rebalance_portfolio_on_security_changes: bool | None = True
        self.trading_days_per_year: int | None = None
        self.data_subscription_limit = 2**31 - 1
        self.daily_consolidation_use_extended_market_hours = False
        self.ignore_unknown_asset_holdings = False
