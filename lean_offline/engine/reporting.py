"""Turn a finished run into a BacktestResult and LEAN's result files."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import BacktestResult

if TYPE_CHECKING:
    from .wiring import EngineContext

_NO_TRADES_HINT = ("The algorithm placed no orders and {count} data file(s) were missing (see the warnings): "
                   "it most likely traded nothing because its data is absent from the data folder.")


def warning_counts(warnings: list[str]) -> dict[str, int]:
    """Data warnings by kind: missing files, malformed lines skipped, reader errors, other."""
    counts = {"missing files": 0, "malformed lines skipped": 0, "reader errors": 0, "other": 0}
    for warning in warnings:
        if warning.startswith("missing data file"):
            counts["missing files"] += 1
        elif "malformed line skipped" in warning:
            counts["malformed lines skipped"] += 1
        elif "reader error" in warning:
            counts["reader errors"] += 1
        else:
            counts["other"] += 1
    return counts


def _order_dicts(context: EngineContext) -> list[dict[str, Any]]:
    transactions = getattr(context, "transactions", None)
    if transactions is None:
        return []
    return [order.to_json_dict() for order in transactions.get_orders()]


def _order_event_dicts(context: EngineContext, algorithm_id: str) -> list[dict[str, Any]]:
    transactions = getattr(context, "transactions", None)
    if transactions is None:
        return []
    events = getattr(transactions, "order_events", None)
    if events is None:
        return []
    return [event.to_json_dict(algorithm_id) for event in events]


def _runtime_statistics(context: EngineContext, psr: str) -> dict[str, str]:
    from ..statistics import runtime_statistics

    portfolio = context.portfolio
    start = float(context.results.starting_capital) if context.results is not None else 0.0
    equity = float(portfolio.total_portfolio_value)
    return runtime_statistics(
        equity=equity, fees=float(portfolio.total_fees), holdings=float(portfolio.total_holdings_value),
        net_profit=float(portfolio.total_net_profit), psr=psr,
        return_fraction=(equity - start) / start if start else 0.0,
        unrealized=float(portfolio.total_unrealized_profit), volume=float(portfolio.total_sale_volume))


def build_result(context: EngineContext, status: str, error: str, stack: str, data_points: int, seconds: float,
                 output_dir: Path | None, algorithm: Any, *, started_at: datetime) -> BacktestResult:
    """Statistics, charts, orders and logs of the run; writes LEAN's files when `output_dir` is given (only they
    carry the M1/M3/M6/M12 rolling-window statistics, so these are computed only then).

    `seconds` is the loop time LEAN reports; `started_at` is the run's wall-clock start (aware), written as the
    result state's StartTime."""
    algorithm_id = uuid.uuid4().hex[:16]
    statistics: dict[str, str] = {}
    runtime: dict[str, str] = {}
    charts: dict[str, Any] = {}
    computed = None
    if context.results is not None:
        computed = context.results.statistics(
            total_fees=float(context.portfolio.total_fees), total_orders=int(context.transactions.orders_count),
            trading_days_per_year=context.trading_days_per_year, risk_free_rate=context.risk_free_rate,
            closed_trades=context.trade_builder.closed_trades, rolling_window=output_dir is not None)
        statistics = dict(computed.summary)
        charts = computed.charts
        runtime = _runtime_statistics(context, statistics.get("Probabilistic Sharpe Ratio", "0%"))
    orders = _order_dicts(context)
    counts = warning_counts(context.warnings)
    if context.warnings:
        context.logs.append("Data warnings: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    if not orders and counts["missing files"]:
        context.logs.append(_NO_TRADES_HINT.format(count=counts["missing files"]))
    order_events = _order_event_dicts(context, algorithm_id)
    result = BacktestResult(
        status=status, statistics=statistics, runtime_statistics=runtime, orders=orders, order_events=order_events,
        logs=list(context.logs), warnings=list(context.warnings), charts=charts, data_points=data_points,
        seconds=seconds, output_dir=output_dir, algorithm=algorithm, error=error, stack_trace=stack,
        extra={"algorithm_id": algorithm_id, "data_warning_counts": counts,
               "insights": list(algorithm.insights.all_insights) if algorithm is not None else []})
    if output_dir is not None:
        _write_files(context, result, computed, algorithm_id, output_dir, started_at)
    return result


def _write_files(context: EngineContext, result: BacktestResult, computed: Any, algorithm_id: str,
                 output_dir: Path, started_at: datetime) -> None:
    from .. import results as results_module

    if computed is None:
        return
    finished_utc = datetime.now(UTC).replace(tzinfo=None)
    algorithm = result.algorithm
    data = results_module.BacktestResultData(
        statistics=computed, runtime_statistics=result.runtime_statistics,
        name=getattr(algorithm, "name", context.project_name), start_date=getattr(algorithm, "start_date", None),
        end_date=getattr(algorithm, "end_date", None),
        orders={order["id"]: order for order in result.orders}, order_events=result.order_events,
        profit_loss=context.results.profit_loss, logs=result.logs, status=result.status,
        runtime_error=result.error, stack_trace=result.stack_trace, parameters=context.parameters,
        trading_days_per_year=context.trading_days_per_year,
        insight_count=len(result.extra.get("insights", [])),
        started_utc=started_at.astimezone(UTC).replace(tzinfo=None), finished_utc=finished_utc)
    results_module.write_backtest_results(output_dir, algorithm_id, data)
