"""lean_offline.results: LEAN's result files written to disk and read back as strict JSON."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lean_offline.results import (
    BacktestResultData,
    _json_rounded,
    downsample_equity_candles,
    format_statistics_table,
    strict_json_text,
    write_backtest_results,
)
from lean_offline.statistics import STATISTIC_NAMES, ResultCollector, runtime_statistics

START = datetime(2013, 10, 8, 4)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-strict JSON constant {name}")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Path]:
    collector = ResultCollector(START, START + timedelta(days=5), 100000)
    values = [100000, 100000, 100500, 99800, 101200, 101000]
    for day, value in enumerate(values):
        collector.on_time_step_end(START + timedelta(days=day, hours=12), value)
        collector.sample(START + timedelta(days=day + 1), value, 140 + day, 1000 * day)
    collector.record_profit_loss(START + timedelta(days=3, hours=16), 120.5)
    collector.plot("Indicators", "SMA", START + timedelta(days=1), 141.25)
    stats = collector.statistics(total_fees=3.485, total_orders=1, trading_days_per_year=252,
                                 risk_free_rate=lambda _: 0.0075)
    order = {"type": 4, "id": 1, "price": 143.372382812, "quantity": 697, "status": 3, "tag": "",
             "time": "2013-10-08T20:00:00Z", "priceAdjustment": math.nan}
    event = {"id": "test-1-1", "algorithmId": "test", "orderId": 1, "orderEventId": 1, "symbolValue": "SPY",
             "time": 1381348800.0, "status": "filled", "fillPrice": 143.372382812, "fillQuantity": 697.0,
             "orderFeeAmount": 3.485, "direction": "buy", "quantity": 697.0}
    data = BacktestResultData(
        statistics=stats,
        runtime_statistics=runtime_statistics(equity=101000, fees=3.485, holdings=100000, net_profit=1000,
                                              psr=stats.summary["Probabilistic Sharpe Ratio"],
                                              return_fraction=0.01, unrealized=50, volume=99930.55),
        name="BasicTemplateDailyAlgorithm", start_date=datetime(2013, 10, 8),
        end_date=datetime(2013, 10, 17, 23, 59, 59), orders={1: order}, order_events=[event],
        profit_loss=collector.profit_loss, logs=["2013-10-08 16:00:00 Purchased Stock", "done"],
        started_utc=datetime(2026, 1, 2, 3, 4, 5), finished_utc=datetime(2026, 1, 2, 3, 4, 9),
        parameters={"fast": "10"},
    )
    return write_backtest_results(tmp_path / "out", "1234567890", data)


def test_files_are_named_by_algorithm_id(written: dict[str, Path]) -> None:
    names = sorted(p.name for p in written.values())
    assert names == ["1234567890-log.txt", "1234567890-order-events.json", "1234567890-summary.json",
                     "1234567890.json"]
    assert all(p.is_file() for p in written.values())


def test_full_result_structure(written: dict[str, Path]) -> None:
    result = _load(written["result"])
    assert set(result) == {"rollingWindow", "totalPerformance", "charts", "orders", "profitLoss", "statistics",
                           "runtimeStatistics", "state", "algorithmConfiguration"}
    assert list(result["statistics"]) == list(STATISTIC_NAMES)
    assert result["statistics"]["Total Fees"] == "$3.49"
    assert set(result["totalPerformance"]) == {"tradeStatistics", "portfolioStatistics", "closedTrades"}
    assert sorted(result["rollingWindow"]) == ["M12_20131014", "M1_20131014", "M3_20131014", "M6_20131014"]
    assert result["rollingWindow"]["M1_20131014"]["portfolioStatistics"] == result["totalPerformance"]["portfolioStatistics"]
    portfolio = result["totalPerformance"]["portfolioStatistics"]
    assert portfolio["startEquity"] == "100000" and portfolio["endEquity"] == "101000"
    assert all(isinstance(v, str) for v in portfolio.values())        # LEAN writes rounded decimals as strings
    assert result["orders"]["1"]["quantity"] == 697
    assert result["orders"]["1"]["priceAdjustment"] is None             # NaN becomes null
    assert result["profitLoss"] == {"2013-10-11T20:00:00Z": 120.5}
    assert result["runtimeStatistics"]["Equity"] == "$101,000.00"
    state = result["state"]
    assert state["Status"] == "Completed" and state["LogCount"] == "2" and state["OrderCount"] == "1"
    assert state["StartTime"] == "2026-01-02T03:04:05Z" and state["Name"] == "BasicTemplateDailyAlgorithm"
    config = result["algorithmConfiguration"]
    assert config["startDate"] == "2013-10-08T00:00:00Z" and config["endDate"] == "2013-10-17T23:59:59Z"
    assert config["parameters"] == {"fast": "10"} and config["tradingDaysPerYear"] == 252


def test_chart_point_shapes(written: dict[str, Path]) -> None:
    charts = _load(written["result"])["charts"]
    assert {"Strategy Equity", "Benchmark", "Drawdown", "Portfolio Turnover", "Indicators"} <= set(charts)
    equity = charts["Strategy Equity"]["series"]["Equity"]
    assert equity["seriesType"] == 2 and equity["unit"] == "$"
    for point in equity["values"]:
        assert len(point) == 5 and isinstance(point[0], int)
        assert point[2] >= max(point[1], point[4]) and point[3] <= min(point[1], point[4])
    assert equity["values"][0][0] == int((START + timedelta(hours=12) - datetime(1970, 1, 1)).total_seconds())
    for chart, series in (("Strategy Equity", "Return"), ("Benchmark", "Benchmark"), ("Indicators", "SMA"),
                          ("Drawdown", "Equity Drawdown"), ("Portfolio Turnover", "Portfolio Turnover")):
        values = charts[chart]["series"][series]["values"]
        assert values and all(len(p) == 2 and isinstance(p[0], int) for p in values), (chart, series)
    assert charts["Indicators"]["series"]["SMA"]["values"] == [[1381291200, 141.25]]


def test_summary_file_holds_only_the_equity_chart(written: dict[str, Path]) -> None:
    summary = _load(written["summary"])
    assert set(summary) == {"charts", "statistics", "runtimeStatistics", "state", "algorithmConfiguration",
                            "totalPerformance"}
    assert list(summary["charts"]) == ["Strategy Equity"]
    assert list(summary["charts"]["Strategy Equity"]["series"]) == ["Equity"]
    assert set(summary["totalPerformance"]) == {"tradeStatistics", "portfolioStatistics"}


def test_order_events_and_log(written: dict[str, Path]) -> None:
    events = _load(written["order_events"])
    assert isinstance(events, list) and events[0]["status"] == "filled" and events[0]["time"] == 1381348800.0
    assert written["log"].read_text().splitlines() == ["2013-10-08 16:00:00 Purchased Stock", "done"]


def test_downsampled_candles_follow_lean_sampler() -> None:
    day = 86400
    candles = [[1_000_000 + i * day, 100.0 + i, 101.5 + i, 99.2 + i, 100.7 + i] for i in range(1500)]
    sampled = downsample_equity_candles(candles)
    assert sampled[0] == candles[0]                                        # the first candle is kept as it is
    assert {b[0] - a[0] for a, b in zip(sampled, sampled[1:], strict=False)} == {7 * day}   # min(7, 1500 // 100)
    # days 1..7 aggregated and truncated; the close is the line from day 1's open (at day 0) to day 7's close
    assert sampled[1] == [1_000_000 + 7 * day, 101.0, 108.0, 100.0, 107.7]
    short = candles[:150]                                                  # 150 // 100 = 1 day: unchanged
    assert downsample_equity_candles(short) == short


def test_downsampling_interpolates_across_a_gap() -> None:
    day, t0 = 86400, 1_000_000
    flat = [[t0 + i * day, *[100.0 + i] * 4] for i in range(100)]                      # values 100..199
    after_gap = [[t0 + (105 + k) * day, *[300.0 + k] * 4] for k in range(100)]          # 300.. from day 105
    sampled = downsample_equity_candles(flat + after_gap)                               # step: 2 days
    by_time = {c[0]: c for c in sampled}
    # days 99 and 105 aggregated (open 199, high 300, low 199); closes on the line from 199 at day 98
    # to 300 at day 105, one candle per 2-day step, each opening at the previous close
    assert by_time[t0 + 100 * day] == [t0 + 100 * day, 199.0, 300.0, 199.0, 227.8571]   # 199 + 101·2/7
    assert by_time[t0 + 102 * day] == [t0 + 102 * day, 227.8571, 300.0, 199.0, 256.7143]  # 199 + 101·4/7
    assert by_time[t0 + 104 * day] == [t0 + 104 * day, 256.7143, 300.0, 199.0, 285.5714]  # 199 + 101·6/7
    assert by_time[t0 + 106 * day] == [t0 + 106 * day, 301.0, 301.0, 301.0, 301.0]


def test_statistics_table() -> None:
    table = format_statistics_table({"Total Orders": "1", "Drawdown": "0.800%"})
    assert table.splitlines() == ["STATISTICS:: Total Orders 1", "STATISTICS:: Drawdown 0.800%"]


_JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.floats()
                | st.decimals(allow_nan=True, allow_infinity=True))
_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda children: (st.lists(children, max_size=4) | st.lists(children, max_size=3).map(tuple)
                      | st.dictionaries(st.text(max_size=4) | st.integers(), children, max_size=4)),
    max_leaves=25)


def _finite_or_none(value: Any) -> Any:
    """Independent reading of the strict-JSON rule: every number as a float unless it is not finite (then None)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value) if not isinstance(value, Decimal) or value.is_finite() else math.nan
        return number if math.isfinite(number) else None
    if isinstance(value, dict):
        return {str(k): _finite_or_none(v) for k, v in value.items()}
    return [_finite_or_none(v) for v in value]


@given(_JSON_VALUES)
def test_strict_json_writes_non_finite_numbers_as_null_and_decimals_as_numbers(content: Any) -> None:
    text = strict_json_text(content)
    assert json.loads(text) == _finite_or_none(content)


def test_strict_json_keys_are_written_alike_with_and_without_a_non_finite_value() -> None:
    assert strict_json_text({True: 1, None: 2, 3: 3}) == '{"true":1,"null":2,"3":3}'
    assert strict_json_text({True: 1, None: 2, 3: math.nan}) == '{"true":1,"null":2,"3":null}'


def test_strict_json_hand_case() -> None:
    content = {"a": [1.5, math.nan, Decimal("2.50"), (Decimal("-Infinity"), 3)], 7: {"b": math.inf}}
    assert strict_json_text(content) == '{"a":[1.5,null,2.5,[null,3]],"7":{"b":null}}'


@given(st.integers(-10**20, 10**20)
       | st.builds(lambda digits, exponent: Decimal(digits).scaleb(exponent), st.integers(-10**27, 10**27),
                   st.integers(-30, 4))
       | st.sampled_from([Decimal("-0.00000"), Decimal("2.50005"), Decimal("-1.23455"), Decimal("1E+3"),
                          Decimal("NaN")]))
def test_json_rounding_writes_the_value_rounded_to_4_decimals_only_when_it_has_more(value: Decimal | int) -> None:
    """JsonRoundingConverter: Math.Round(value, 4) read off the exponent (banker's rounding), the scale kept."""
    number = Decimal(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        number = number.quantize(Decimal("0.0001"))
    text = format(number, "f")
    assert _json_rounded(value) == (text[1:] if text.startswith("-") and number == 0 else text)
