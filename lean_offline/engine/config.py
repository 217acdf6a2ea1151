"""SubscriptionDataConfig: what one data subscription reads and how (LEAN's Common/Data/SubscriptionDataConfig.cs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..enums import DataNormalizationMode, Resolution, SecurityType, TickType
from ..naming import DualCase

RESOLUTION_INCREMENT: dict[int, timedelta] = {
    int(Resolution["TICK"]): timedelta(0),
    int(Resolution["SECOND"]): timedelta(seconds=1),
    int(Resolution["MINUTE"]): timedelta(minutes=1),
    int(Resolution["HOUR"]): timedelta(hours=1),
    int(Resolution["DAILY"]): timedelta(days=1),
}


def resolution_increment(resolution: Any) -> timedelta:
    """The bar period of a resolution (Tick → 0)."""
    return RESOLUTION_INCREMENT[int(resolution)]


@dataclass(eq=False)
class SubscriptionDataConfig(DualCase):
    """One subscription; field names follow LEAN's snake_case members so get_source/reader code can read them."""

    type: type
    symbol: Any
    resolution: Any
    data_time_zone: str
    exchange_time_zone: str
    fill_data_forward: bool
    extended_market_hours: bool
    is_internal_feed: bool = False
    is_custom_data: bool = False
    data_normalization_mode: Any = DataNormalizationMode["ADJUSTED"]
    tick_type: Any = TickType["TRADE"]

    @property
    def security_type(self) -> Any:
        return SecurityType(self.symbol.security_type)

    @property
    def market(self) -> str:
        return str(self.symbol.market)

    @property
    def increment(self) -> timedelta:
        return resolution_increment(self.resolution)

    @property
    def is_fill_forward(self) -> bool:
        return self.fill_data_forward

    @property
    def extended_market_hours_enabled(self) -> bool:
        return self.extended_market_hours

    def __repr__(self) -> str:
        return f"{self.symbol},{self.type.__name__},{Resolution(self.resolution)}"
