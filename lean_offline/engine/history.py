"""`self.history(...)` for subscribed market data: LEAN's pandas layout, (symbol, time) MultiIndex, lower-case columns.

Supported forms: history(symbol | ticker | [symbols], bar_count, resolution=None), history(symbols, timedelta,
resolution=None), history(symbols, start: datetime, end: datetime, resolution=None). The `time` level is the bars'
end time (LEAN's convention); only data ending at or before the algorithm's current time is returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd  # type: ignore[import-untyped]

from ..data.market import BaseData, QuoteBar
from ..data.symbol import Symbol
from ..enums import Resolution
from ..naming import UnsupportedApiError
from .config import SubscriptionDataConfig, resolution_increment

if TYPE_CHECKING:
    from .wiring import EngineContext

_TRADE_COLUMNS = ("open", "high", "low", "close", "volume")
_QUOTE_COLUMNS = ("askclose", "askhigh", "asklow", "askopen", "asksize", "bidclose", "bidhigh", "bidlow", "bidopen",
                  "bidsize", "close", "high", "low", "open")


def _row(point: BaseData) -> dict[str, Any]:
    storage = getattr(point, "get_storage_dictionary", None)
    if storage is not None:  # custom data: value plus its dynamic properties, lower-case
        return {"value": point.value, **{k: v for k, v in storage().items() if k.islower() and "_" not in k}}
    if isinstance(point, QuoteBar):
        row = {"close": point.close, "high": point.high, "low": point.low, "open": point.open,
               "asksize": point.last_ask_size, "bidsize": point.last_bid_size}
        for side_name, side in (("ask", point.ask), ("bid", point.bid)):
            if side is not None:
                row.update({f"{side_name}open": side.open, f"{side_name}high": side.high,
                            f"{side_name}low": side.low, f"{side_name}close": side.close})
        return row
    return {"open": point.open, "high": point.high, "low": point.low, "close": point.close,  # type: ignore[attr-defined]
            "volume": point.volume}  # type: ignore[attr-defined]


def _config_of(context: EngineContext, symbol: Symbol) -> tuple[SubscriptionDataConfig, Any]:
    for config, security in context.configs:
        if config.symbol == symbol:
            return config, security
    raise KeyError(f"history: {symbol} is not subscribed (add it with add_equity/add_forex/... first)")


def _points(context: EngineContext, config: SubscriptionDataConfig, security: Any, start_local: datetime,
            end_local: datetime, resolution: Any, on_warning: Any = None) -> list[BaseData]:
    from ..data import readers

    if config.is_custom_data:
        return [p for p in context.custom_points(config, security, start_local, end_local) if p.end_time <= end_local]
    spec = readers.SubscriptionSpec(
        data_folder=context.data_folder, symbol=config.symbol, security_type=config.security_type,
        market=config.market, resolution=resolution, tick_type=config.tick_type,
        normalization=config.data_normalization_mode, exchange_hours=security.exchange.hours,
        data_time_zone=ZoneInfo(config.data_time_zone), start_local=start_local, end_local=end_local,
        daily_precise_end_time=bool(context.settings.daily_precise_end_time),
        extended_market_hours=config.extended_market_hours)
    return [p for p in readers.read_subscription(spec, on_warning or context.warn) if p.end_time <= end_local]


def _collect(context: EngineContext, symbols: Any, periods: Any, resolution: Any, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> list[tuple[Symbol, list[BaseData]]]:
    """The points of each requested symbol for the requested window (see the module docstring)."""
    from .wiring import _bars_back

    end_override: datetime | None = None
    if isinstance(periods, datetime):
        if isinstance(resolution, datetime):
            end_override, resolution = resolution, (args[0] if args else kwargs.get("resolution"))
        elif args and isinstance(args[0], datetime):
            end_override = args[0]
    symbol_list = list(symbols) if isinstance(symbols, (list, tuple, set)) else [symbols]
    collected = []
    algorithm = context.algorithm
    for raw in symbol_list:
        symbol = context._symbol(raw)
        config, security = _config_of(context, symbol)
        chosen = Resolution(resolution) if resolution is not None else config.resolution
        zone = ZoneInfo(config.exchange_time_zone)
        now_local = context.clock.to_local(algorithm.utc_time, zone)
        end_local = now_local if end_override is None else min(end_override, now_local)
        if isinstance(periods, int):
            start_local = _bars_back(security.exchange.hours, end_local, periods + 1, resolution_increment(chosen),
                                     config.extended_market_hours)
        elif isinstance(periods, timedelta):
            start_local = end_local - periods
        elif isinstance(periods, datetime):
            start_local = periods
        else:
            raise UnsupportedApiError("QCAlgorithm", f"history(..., {type(periods).__name__}, ...)")
        points = _points(context, config, security, start_local, end_local, chosen)
        if isinstance(periods, int):
            points = points[-periods:] if periods > 0 else []
        collected.append((symbol, points))
    return collected


def history(context: EngineContext, symbols: Any, periods: Any, resolution: Any, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> pd.DataFrame:
    """See the module docstring."""
    if isinstance(symbols, type):  # history(Type, symbols, ...): the type is implied by the subscription
        symbols, periods, resolution, args = periods, resolution, (args[0] if args else None), args[1:]
    frames = []
    for symbol, points in _collect(context, symbols, periods, resolution, args, kwargs):
        if not points:
            continue
        frames.append(pd.DataFrame([_row(p) for p in points],
                                   index=pd.MultiIndex.from_tuples([(symbol, p.end_time) for p in points],
                                                                   names=["symbol", "time"])))
    if not frames:
        return pd.DataFrame(columns=list(_TRADE_COLUMNS),
                            index=pd.MultiIndex.from_tuples([], names=["symbol", "time"]))
    return pd.concat(frames)


def typed_history(context: EngineContext, data_type: type, symbols: Any, periods: Any, resolution: Any,
                  args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """`self.history[Type](...)`: the data objects themselves; for a list of symbols one {symbol: point} per
    time, in time order."""
    from .slice import DataDictionary

    collected = _collect(context, symbols, periods, resolution, args, kwargs)
    if not isinstance(symbols, (list, tuple, set)):
        return [p for p in collected[0][1] if isinstance(p, data_type)] if collected else []
    by_time: dict[datetime, DataDictionary] = {}
    for symbol, points in collected:
        for point in points:
            if isinstance(point, data_type):
                by_time.setdefault(point.end_time, DataDictionary())[symbol] = point
    return [by_time[time] for time in sorted(by_time)]
