"""LEAN's backtest result files, written from plain data.

Public interface (called by the engine at the end of a run)::

    data = BacktestResultData(
        statistics=collector.statistics(...),          # lean_offline.statistics.BacktestStatistics
        runtime_statistics=runtime_statistics(...),    # dict[str, str]
        orders={1: order.to_json_dict(), ...},         # order id -> LEAN order JSON
        order_events=[event.to_json_dict(algorithm_id), ...],
        profit_loss=collector.profit_loss,             # dict[utc datetime, float]
        logs=["2013-10-08 16:00:00 Purchased Stock", ...],
        name="BasicTemplateDailyAlgorithm",
        start_date=datetime(2013, 10, 8), end_date=datetime(2013, 10, 17),
        started_utc=..., finished_utc=...,             # wall-clock times of the run
        status="Completed", parameters={...},
    )
    paths = write_backtest_results(output_dir, algorithm_id, data)

``write_backtest_results`` creates ``output_dir`` and writes, as LEAN's ``BacktestingResultHandler`` does:

* ``<id>.json``: rollingWindow (M1/M3/M6/M12 periods, their closedTrades emptied as LEAN does), totalPerformance
  {tradeStatistics, portfolioStatistics, closedTrades}, charts, orders, profitLoss, statistics, runtimeStatistics,
  state, algorithmConfiguration;
* ``<id>-summary.json``: the same without orders/profit-loss/rolling window, and only the Strategy Equity chart,
  down-sampled to candles of at most 7 days;
* ``<id>-order-events.json``: the order events as a JSON array (written even when empty, unlike LEAN);
* ``<id>-log.txt``: one log line per line.

It returns ``{"result": Path, "summary": Path, "order_events": Path, "log": Path}``. All JSON is strict: a
non-finite number is written as ``null``. ``format_statistics_table(stats)`` renders the console table
("STATISTICS:: Total Orders 1" lines) the CLI prints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from .engine.orders import symbol_json
from .statistics import (
    BacktestStatistics,
    FloatMemo,
    PortfolioStatistics,
    format_dotnet_decimal,
    round_decimal,
    smart_round_decimal,
    to_decimal,
)
from .trades import TimeSpan, Trade, TradeStatistics

__all__ = ["BacktestResultData", "downsample_equity_candles", "format_statistics_table", "strict_json_text",
           "trade_json", "trade_statistics_json", "write_backtest_results"]

_JSON_ROUNDING_DIGITS = 4
_MAX_SUMMARY_CANDLE_DAYS = 7
_SUMMARY_POINTS_PER_DAY = 100


@dataclass(frozen=True)
class BacktestResultData:
    """Everything a backtest's result files contain, as plain data. Dates are naive; ``start_date``/``end_date``
    are the algorithm's dates, ``started_utc``/``finished_utc`` the wall-clock run times."""

    statistics: BacktestStatistics
    runtime_statistics: Mapping[str, str]
    name: str
    start_date: datetime | None = None
    end_date: datetime | None = None
    orders: Mapping[int | str, Mapping[str, Any]] = field(default_factory=dict)
    order_events: Sequence[Mapping[str, Any]] = ()
    profit_loss: Mapping[datetime, float] = field(default_factory=dict)
    logs: Sequence[str] = ()
    started_utc: datetime | None = None
    finished_utc: datetime | None = None
    status: str = "Completed"
    runtime_error: str = ""
    stack_trace: str = ""
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Sequence[str] = ()
    account_currency: str = "USD"
    brokerage: int = 0
    account_type: int = 0
    trading_days_per_year: int = 252
    insight_count: int = 0


def write_backtest_results(output_dir: str | Path, algorithm_id: str, data: BacktestResultData) -> dict[str, Path]:
    """Write LEAN's four result files for ``algorithm_id`` into ``output_dir`` (created if missing)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    full = _full_result(data)
    paths = {
        "result": folder / f"{algorithm_id}.json",
        "summary": folder / f"{algorithm_id}-summary.json",
        "order_events": folder / f"{algorithm_id}-order-events.json",
        "log": folder / f"{algorithm_id}-log.txt",
    }
    _write_json(paths["result"], full)
    _write_json(paths["summary"], _summary_result(full))
    _write_json(paths["order_events"], list(data.order_events))
    paths["log"].write_text("".join(f"{line}\n" for line in data.logs), encoding="utf-8")
    return paths


def format_statistics_table(stats: BacktestStatistics | Mapping[str, str]) -> str:
    """The console statistics block, one "STATISTICS:: <name> <value>" line per statistic in LEAN's order."""
    summary = stats.summary if isinstance(stats, BacktestStatistics) else stats
    return "\n".join(f"STATISTICS:: {name} {value}" for name, value in summary.items())


# ---------------------------------------------------------------------------------------------------------------

def _full_result(data: BacktestResultData) -> dict[str, Any]:
    return {
        "rollingWindow": {key: _performance_json(stats, data.statistics.rolling_trades.get(key, TradeStatistics()), [])
                          for key, stats in data.statistics.rolling.items()},
        "totalPerformance": _performance_json(data.statistics.portfolio_decimals, data.statistics.trades,
                                              data.statistics.closed_trades),
        "charts": data.statistics.charts,
        "orders": {str(order_id): dict(order) for order_id, order in data.orders.items()},
        "profitLoss": {_iso_utc(time): value for time, value in sorted(data.profit_loss.items())},
        "statistics": dict(data.statistics.summary),
        "runtimeStatistics": dict(data.runtime_statistics),
        "state": _state_json(data),
        "algorithmConfiguration": _configuration_json(data),
    }


def _summary_result(full: Mapping[str, Any]) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    strategy_equity = full["charts"].get("Strategy Equity")
    if strategy_equity and "Equity" in strategy_equity["series"]:
        equity = dict(strategy_equity["series"]["Equity"])
        equity["values"] = downsample_equity_candles(equity["values"])
        charts["Strategy Equity"] = {**strategy_equity, "series": {"Equity": equity}}
    return {
        "charts": charts,
        "statistics": full["statistics"],
        "runtimeStatistics": full["runtimeStatistics"],
        "state": full["state"],
        "algorithmConfiguration": full["algorithmConfiguration"],
        "totalPerformance": {key: full["totalPerformance"][key] for key in ("tradeStatistics", "portfolioStatistics")},
    }


def downsample_equity_candles(candles: Sequence[Sequence[float]]) -> list[list[float]]:
    """LEAN's summary equity series: with n candles [t, o, h, l, c] and a step of min(7, n // 100) days (n < 200
    leaves the series as it is), LEAN's SeriesSampler keeps the first candle, then for every step boundary
    reached by a candle aggregates the candles since the previous boundary into one candle stamped at the
    boundary, OHLC truncated to integers, and sets its close to the straight-line value between the first
    aggregated open (at the previous candle's time) and the last close; a single candle spanning several steps
    yields one interpolated candle per step, each opening at the previous close with high/low from open/close."""
    period_days = min(_MAX_SUMMARY_CANDLE_DAYS, len(candles) // _SUMMARY_POINTS_PER_DAY)
    if period_days <= 1:
        return [list(c) for c in candles]
    step = int(timedelta(days=period_days).total_seconds())
    decimal = FloatMemo(to_decimal).of  # the values repeat: a candle of one value, an equity flat over a weekend
    bars = [_SummaryCandle(int(c[0]), *map(decimal, c[1:5])) for c in candles]
    return [bar.to_json() for bar in _sample_candles(bars, step)]


@dataclass
class _SummaryCandle:
    time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal

    def to_json(self) -> list[float]:
        return [self.time, float(self.open), float(self.high), float(self.low), float(self.close)]


def _sample_candles(bars: list[_SummaryCandle], step: int) -> list[_SummaryCandle]:
    """LEAN's SeriesSampler.SampleCandlestickSeries (sub-sampling, truncated values) over strictly increasing times."""
    sampled = [replace(bars[0])]
    next_time = bars[0].time + step
    start_index = 1
    for index in range(1, len(bars)):
        current = bars[index]
        if next_time > current.time:
            continue
        template = _aggregate_truncated(bars[start_index:index + 1])
        first = bars[start_index]
        first_open_time = bars[start_index - 1].time
        aggregated = start_index != index
        previous: _SummaryCandle | None = None
        while True:
            slope = (current.close - first.open) / (current.time - first_open_time)
            candle = replace(template, time=next_time,
                             close=smart_round_decimal(slope * (next_time - first_open_time) + first.open))
            next_time += step
            if previous is not None:
                candle.open = previous.close
            if not aggregated:
                candle.high = max(candle.open, candle.close)
                candle.low = min(candle.open, candle.close)
            sampled.append(candle)
            previous = candle
            if next_time > current.time:
                break
        start_index = index + 1
    return sampled


def _aggregate_truncated(bars: Sequence[_SummaryCandle]) -> _SummaryCandle:
    """One candle from the opens, highs, lows and closes in order (LEAN's Candlestick.Update), truncated."""
    values = [v for bar in bars for v in (bar.open, bar.high, bar.low, bar.close)]
    open_ = high = low = values[0]
    for value in values[1:]:
        if value > high:
            high = value
        elif value < low:
            low = value
    truncated = [v.to_integral_value(rounding=ROUND_DOWN) for v in (open_, high, low, values[-1])]
    return _SummaryCandle(bars[-1].time, *truncated)


def _json_rounded(value: Decimal | int) -> str:
    """LEAN's JsonRoundingConverter: the value rounded to 4 decimals (C# ``Math.Round(decimal, 4)``), written as a
    string."""
    return format_dotnet_decimal(round_decimal(value if isinstance(value, Decimal) else Decimal(value),
                                                _JSON_ROUNDING_DIGITS))


def _performance_json(stats: PortfolioStatistics, trade_statistics: TradeStatistics,
                      closed_trades: Sequence[Trade]) -> dict[str, Any]:
    """LEAN's AlgorithmPerformance: trade statistics, portfolio statistics (rounded decimals written as strings)
    and the closed trades."""
    return {
        "tradeStatistics": trade_statistics_json(trade_statistics),
        "portfolioStatistics": {name: _json_rounded(value) for name, value in stats.to_camel_dict().items()},
        "closedTrades": [trade_json(trade) for trade in closed_trades],
    }


def _camel(snake: str) -> str:
    """Json.NET's camel case of the C# property (``average_mae`` is AverageMAE, written "averageMAE")."""
    head, *rest = snake.split("_")
    return head + "".join("MAE" if part == "mae" else "MFE" if part == "mfe" else part.capitalize() for part in rest)


# The JSON names of TradeStatistics' fields; written ~1200 times per long run (once per rolling window).
_TRADE_STATISTICS_KEYS = {name: _camel(name) for name in vars(TradeStatistics())}


def trade_statistics_json(stats: TradeStatistics) -> dict[str, Any]:
    """LEAN's TradeStatistics JSON: times ISO (null when there are no trades), counts as integers, decimals rounded
    to 4 places as strings, durations as .NET TimeSpan strings ("1.02:03:04.5000000")."""
    result: dict[str, Any] = {}
    for name, value in vars(stats).items():
        key = _TRADE_STATISTICS_KEYS[name]
        if isinstance(value, datetime):
            result[key] = _iso_utc(value)
        elif value is None or isinstance(value, int):
            result[key] = value
        elif isinstance(value, TimeSpan):
            result[key] = value.to_dotnet_string()
        else:
            result[key] = _json_rounded(value)
    return result


def trade_json(trade: Trade) -> dict[str, Any]:
    """LEAN's Trade JSON (Json.NET, camelCase): symbols as Symbol objects, int direction, decimals as numbers,
    times ISO, the duration as a TimeSpan string."""
    return {
        "id": trade.id,
        "symbols": [symbol_json(symbol) for symbol in trade.symbols],
        "entryTime": _iso_utc(trade.entry_time),
        "entryPrice": trade.entry_price,
        "direction": int(trade.direction),
        "quantity": trade.quantity,
        "exitTime": _iso_utc(trade.exit_time),
        "exitPrice": trade.exit_price,
        "profitLoss": trade.profit_loss,
        "totalFees": trade.total_fees,
        "mae": trade.mae,
        "mfe": trade.mfe,
        "duration": trade.duration.to_dotnet_string(),
        "endTradeDrawdown": trade.end_trade_drawdown,
        "isWin": trade.is_win,
        "orderIds": sorted(trade.order_ids),
    }


def _state_json(data: BacktestResultData) -> dict[str, str]:
    failed = bool(data.runtime_error) or data.status == "RuntimeError"
    return {
        "StartTime": _iso_utc(data.started_utc) if data.started_utc else "",
        "EndTime": _iso_utc(data.finished_utc) if data.finished_utc else "",
        "RuntimeError": data.runtime_error,
        "StackTrace": data.stack_trace,
        "LogCount": str(len(data.logs)),
        "OrderCount": str(len(data.orders)),
        "InsightCount": str(data.insight_count),
        "Name": data.name,
        "Status": "RuntimeError" if failed else data.status,
    }


def _configuration_json(data: BacktestResultData) -> dict[str, Any]:
    return {
        "name": data.name,
        "tags": list(data.tags),
        "accountCurrency": data.account_currency,
        "brokerage": data.brokerage,
        "accountType": data.account_type,
        "parameters": dict(data.parameters),
        "outOfSampleMaxEndDate": None,
        "outOfSampleDays": 0,
        "startDate": _iso_utc(data.start_date.replace(microsecond=0)) if data.start_date else None,
        "endDate": _iso_utc(data.end_date.replace(microsecond=0)) if data.end_date else None,
        "tradingDaysPerYear": data.trading_days_per_year,
    }


def _iso_utc(time: datetime) -> str:
    text = time.strftime("%Y-%m-%dT%H:%M:%S")
    if time.microsecond:
        text += f".{time.microsecond // 1000:03d}"
    return text + "Z"


def _strict(value: Any) -> Any:
    """Replace non-finite floats (anywhere in the structure) by None so the JSON stays strict."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, Mapping):
        return {_json_key(k): _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    return value


def _json_key(key: Any) -> str:
    """A mapping key as ``json.dumps`` writes it (None → "null", True → "true", numbers as JSON numbers), other
    objects by ``str``."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(key)
    return str(key)


def _finite_json(value: Any) -> Any:
    """``json.dumps``'s hook for what it cannot write itself: a finite Decimal as its float, a mapping as a dict.
    A non-finite Decimal raises ValueError (the caller then writes the strict copy)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"non-finite decimal {value}")
        return float(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def strict_json_text(content: Any) -> str:
    """Compact strict JSON of ``content``, non-finite numbers written as null (see :func:`_strict`). Results are
    large (a 25-year run writes ~600k values) and nearly always finite: they are written directly, and copied
    through ``_strict`` only when a non-finite number (or a key json cannot write) is met."""
    try:
        return json.dumps(content, allow_nan=False, separators=(",", ":"), default=_finite_json)
    except (ValueError, TypeError):
        return json.dumps(_strict(content), allow_nan=False, separators=(",", ":"))


def _write_json(path: Path, content: Any) -> None:
    path.write_text(strict_json_text(content), encoding="utf-8")
