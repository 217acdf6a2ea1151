"""lean_offline.statistics against hand-computed cases, numpy/scipy references and LEAN's recorded statistics."""

from __future__ import annotations

import json
import math
import random
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats as scipy_stats  # type: ignore[import-untyped]

from lean_offline.statistics import (
    STATISTIC_NAMES,
    BacktestStatistics,
    FloatMemo,
    PortfolioStatistics,
    ResultCollector,
    _candle_price,
    _orders_exactly_as_floats,
    build_summary,
    compounding_annual_return,
    compute_portfolio_statistics,
    drawdown_metrics,
    format_dotnet_double,
    kurtosis,
    probabilistic_sharpe_ratio,
    round_decimal,
    runtime_statistics,
    sample_covariance,
    sample_variance,
    skewness,
    smart_round,
    smart_round_decimal,
    to_decimal,
)

D = Decimal
NOT_COMPARED = {"Estimated Strategy Capacity", "Lowest Capacity Asset", "OrderListHash"}


# --- SmartRounding ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("104486.219996", "104486.2200"),   # above 1000: 4 decimals, the rounding keeps the scale
        ("1000.00005", "1000.0000"),        # tie at the 5th decimal: half to even (down)
        ("1000.00015", "1000.0002"),        # tie: half to even (up)
        ("143.372382812", "143.3724"),      # 7 significant digits
        ("0.00012345675", "0.0001234568"),  # tie at the 8th significant digit: 7 is odd, rounds up
        ("0.00012345665", "0.0001234566"),  # tie: 6 is even, stays
        ("-0.123456789", "-0.1234568"),
        ("1000", "1000"),                   # exactly 1000 takes the significant-digit branch
        ("12.3400000", "12.34"),            # trailing zeros dropped
        ("0", "0"),
    ],
)
def test_smart_round_decimal_hand_cases(value: str, expected: str) -> None:
    result = smart_round_decimal(D(value))
    assert result == D(expected)
    assert format(result, "f") == expected


def test_smart_round_float_interface() -> None:
    assert smart_round(143.372382812) == 143.3724
    assert smart_round(1234.56789) == 1234.5679
    assert smart_round(0.0) == 0.0


@given(st.decimals(min_value=D("-1e9"), max_value=D("1e9"), allow_nan=False, allow_infinity=False, places=10))
def test_smart_round_is_idempotent_and_close(value: Decimal) -> None:
    once = smart_round_decimal(value)
    assert smart_round_decimal(once) == once
    if value != 0:
        tolerance = D("0.00005") if value > 1000 else abs(value) * D("1e-6")
        assert abs(once - value) <= tolerance


def _smart_round_by_exponents(value: Decimal) -> Decimal:
    """SmartRounding spelled out on the decimal's digits: strip trailing zeros; above 1000 keep at most 4 decimals,
    otherwise at most 7 significant digits (half to even), then strip trailing zeros again."""
    def stripped(number: Decimal) -> Decimal:
        text = format(number.normalize(), "f")
        return D(text)

    value = stripped(value) if value else D(0)
    if value > 1000:
        decimals = -int(value.as_tuple().exponent)
        return value.quantize(D("1e-4")) if decimals > 4 else value
    if value == 0:
        return D(0)
    places = 7 - (math.floor(math.log10(abs(float(value)))) + 1)
    if -int(value.as_tuple().exponent) > places:
        value = value.quantize(D(1).scaleb(-places))
    return stripped(value)


@given(st.decimals(min_value=D("-1e15"), max_value=D("1e15"), allow_nan=False, allow_infinity=False)
       | st.builds(lambda digits, exponent: D(digits).scaleb(exponent), st.integers(-10**15, 10**15),
                   st.integers(-20, 6)))
def test_smart_round_matches_the_rule_read_off_the_digits(value: Decimal) -> None:
    expected = _smart_round_by_exponents(value)
    result = smart_round_decimal(value)
    assert format(result, "f") == format(expected, "f")


def _round_by_exponent(value: Decimal, digits: int) -> Decimal:
    """Math.Round(decimal, digits) read off the exponent: quantized only when it has more than `digits` decimals."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -digits:
        return value.quantize(D(1).scaleb(-digits))
    return value


@given(st.decimals(allow_nan=False, places=None)
       | st.builds(lambda digits, exponent: D(digits).scaleb(exponent), st.integers(-10**28 + 1, 10**28 - 1),
                   st.integers(-30, 4))
       | st.sampled_from([D("-0.000000000000"), D("1.50000000000000"), D("99999.99999"), D("-9.9999999999999"),
                          D("Infinity"), D("-Infinity"), D("9999999999999999999999.99999")]),
       st.sampled_from([0, 2, 3, 4, 10]))
def test_round_decimal_keeps_a_value_with_fewer_decimals_as_it_is(value: Decimal, digits: int) -> None:
    """The rounding skips reading the exponent when it can; the result, scale included, is the rule's (or both
    raise: the rounded value does not fit 28 digits)."""
    try:
        expected: Decimal | type[Exception] = _round_by_exponent(value, digits)
    except ArithmeticError as error:
        expected = type(error)
    try:
        result: Decimal | type[Exception] = round_decimal(value, digits)
    except ArithmeticError as error:
        result = type(error)
    if isinstance(expected, Decimal) and isinstance(result, Decimal):
        assert result.as_tuple() == expected.as_tuple()
    else:
        assert result == expected


# --- .NET double formatting --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-19.0, "-19"), (0.02, "0.02"), (17.304, "17.304"), (-0.0, "-0"), (0.0, "0"), (0.5, "0.5"),
        # values printed in LEAN's own regression statistics
        (1.3466330963256e25, "1.3466330963256E+25"), (-4.1599647001098314e27, "-4.1599647001098314E+27"),
        (123456789012345.0, "123456789012345"), (1e15, "1E+15"), (0.00001, "1E-05"), (0.0001, "0.0001"),
    ],
)
def test_format_dotnet_double(value: float, expected: str) -> None:
    assert format_dotnet_double(value) == expected


# --- moments and formulas against numpy / scipy ------------------------------------------------------------------

@pytest.fixture
def returns() -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(7)
    benchmark = rng.normal(0.0004, 0.01, 300)
    strategy = 0.8 * benchmark + rng.normal(0.0002, 0.004, 300)
    return list(strategy), list(benchmark)


def test_moments_match_scipy(returns: tuple[list[float], list[float]]) -> None:
    p, b = returns
    assert sample_variance(p) == pytest.approx(np.var(p, ddof=1), rel=1e-12)
    assert sample_covariance(p, b) == pytest.approx(np.cov(p, b, ddof=1)[0, 1], rel=1e-12)
    assert skewness(p) == pytest.approx(scipy_stats.skew(p, bias=False), rel=1e-10)
    assert kurtosis(p) == pytest.approx(scipy_stats.kurtosis(p, fisher=True, bias=False), rel=1e-10)
    assert math.isnan(sample_variance([1.0])) and math.isnan(skewness([1.0, 2.0])) and math.isnan(kurtosis([1, 2, 3]))


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=400))
def test_sample_variance_is_numpys_bit_for_bit(values: list[float]) -> None:
    """The statistics LEAN prints were matched with np.var; the cheaper computation must not move a single bit,
    on a list or on a strided view alike."""
    assert sample_variance(values) == float(np.var(np.asarray(values), ddof=1))
    view = np.asarray(values)[::2]
    if len(view) >= 2:
        assert sample_variance(view) == float(np.var(view, ddof=1))


def test_probabilistic_sharpe_ratio_matches_formula(returns: tuple[list[float], list[float]]) -> None:
    p, _ = returns
    rf_daily = 0.0075 / 252
    sr = (np.mean(p) - rf_daily) / np.std(p, ddof=1)
    g1 = scipy_stats.skew(p, bias=False)
    g2 = scipy_stats.kurtosis(p, fisher=True, bias=False)
    sigma = math.sqrt((1 - g1 * sr + (g2 - 1) / 4 * sr**2) / (len(p) - 1))
    expected = scipy_stats.norm.cdf((sr - 1 / math.sqrt(252)) / sigma)
    assert probabilistic_sharpe_ratio(p, 1 / math.sqrt(252), rf_daily) == pytest.approx(expected, rel=1e-9)


def test_portfolio_statistics_match_independent_formulas(returns: tuple[list[float], list[float]]) -> None:
    p, b = returns
    t, rf = 252, 0.0075
    start = datetime(2020, 1, 1)
    equity = [(start + timedelta(days=i), D(100000) * D(repr(v)))
              for i, v in enumerate(np.cumprod(np.r_[1.0, 1 + np.array(p)]))]
    stats = compute_portfolio_statistics(
        profit_loss=[], equity=equity, turnover=[D("0.1"), D("0.3")], performance=p, benchmark=b,
        starting_capital=D(100000), risk_free_rate=D(repr(rf)), trading_days_per_year=t)

    ap = (np.mean(p) + 1) ** t - 1
    bp = (np.mean(b) + 1) ** t - 1
    asd = math.sqrt(np.var(p, ddof=1) * t)
    negatives = [x for x in p if x < 0]
    beta = np.cov(p, b, ddof=1)[0, 1] / np.var(b, ddof=1)
    te = math.sqrt(np.var(np.subtract(p, b), ddof=1) * t)
    years = (len(equity) - 1) / 365
    expected = {
        "annual_variance": np.var(p, ddof=1) * t,
        "annual_standard_deviation": asd,
        "sharpe_ratio": (ap - rf) / asd,
        "sortino_ratio": (ap - rf) / math.sqrt(np.var(negatives, ddof=1) * t),
        "beta": beta,
        "alpha": ap - (rf + beta * (bp - rf)),
        "tracking_error": te,
        "information_ratio": (ap - bp) / te,
        "treynor_ratio": (ap - rf) / beta,
        "compounding_annual_return": (float(equity[-1][1]) / 100000) ** (1 / years) - 1,
        "total_net_profit": float(equity[-1][1]) / 100000 - 1,
        "portfolio_turnover": 0.2,
    }
    for name, value in expected.items():
        assert float(getattr(stats, name)) == pytest.approx(value, rel=1e-9), name
    peak = np.maximum.accumulate([float(v) for _, v in equity])
    assert float(stats.drawdown) == pytest.approx(round(max(1 - np.array([float(v) for _, v in equity]) / peak), 3))


def test_fewer_than_two_returns_give_zeros_but_equity_and_turnover() -> None:
    equity = [(datetime(2020, 1, 1), D(100)), (datetime(2020, 1, 2), D(110))]
    stats = compute_portfolio_statistics(
        profit_loss=[D(5)], equity=equity, turnover=[D("0.5")], performance=[0.1], benchmark=[0.2],
        starting_capital=D(100), risk_free_rate=D(0), trading_days_per_year=252)
    assert stats == PortfolioStatistics(start_equity=D(100), end_equity=D(110), portfolio_turnover=D("0.5"))


def test_drawdown_and_recovery_hand_case() -> None:
    day = datetime(2021, 3, 1)
    equity = [(day, D(100)), (day + timedelta(days=1), D(120)), (day + timedelta(days=2), D(90)),
              (day + timedelta(days=3, hours=12), D(130)), (day + timedelta(days=4), D(129))]
    drawdown, recovery = drawdown_metrics(equity)
    assert drawdown == D("0.250")          # 1 - 90/120
    assert recovery == 2                   # peak on day 1, back above it 2.5 days later: whole days
    assert drawdown_metrics(equity[:1]) == (D(0), 0)
    assert drawdown_metrics(equity, floats=np.array([float(v) for _, v in equity])) == (D("0.250"), 2)


@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 40) | st.integers(1, 10**12), st.integers(-8, 2)),
                min_size=2, max_size=60),
       st.integers(0, 6))
def test_drawdown_found_on_floats_is_the_decimal_one(steps: list[tuple[int, int, int]], rounding: int) -> None:
    """The float path (rolling windows) must give the decimal loop's figures to the last digit, plateaus and
    equal peaks included (small digit counts repeat values): up to 12 digits at scales 1e-8 to 1e2, gaps of 1 to 30
    hours."""
    time = datetime(2020, 1, 1)
    equity = []
    for hours, digits, exponent in steps:
        time += timedelta(hours=hours)
        equity.append((time, D(digits).scaleb(exponent)))
    floats = np.array([float(v) for _, v in equity])
    assert _orders_exactly_as_floats([v for _, v in equity])
    expected = drawdown_metrics(equity, rounding)
    found = drawdown_metrics(equity, rounding, floats)
    assert (str(found[0]), found[1]) == (str(expected[0]), expected[1])


def test_only_positive_values_of_at_most_15_digits_take_the_float_path() -> None:
    assert _orders_exactly_as_floats([D("123456789012.345"), D("0.5")])
    assert not _orders_exactly_as_floats([D("1234567890123.456"), D("0.5")])  # 16 digits: floats may tie them
    assert not _orders_exactly_as_floats([D("10"), D(0)])


def test_compounding_annual_return_hand_case() -> None:
    assert float(compounding_annual_return(D(100), D(121), D(2))) == pytest.approx(0.1, rel=1e-12)
    assert compounding_annual_return(D(100), D(121), D(0)) == 0


def test_win_loss_statistics_from_transaction_record() -> None:
    stats = _collector_with_trades([D(100), D(-50)])
    # average win 100/100000, average loss -50/100100, PL ratio 2.002, expectancy 0.5*2.002-0.5
    assert stats.summary["Average Win"] == "0.10%"
    assert stats.summary["Average Loss"] == "-0.05%"
    assert stats.summary["Profit-Loss Ratio"] == "2.00"   # a 28-digit decimal keeps 2 decimals once rounded
    assert stats.summary["Expectancy"] == "0.501"
    assert stats.summary["Win Rate"] == "50%" and stats.summary["Loss Rate"] == "50%"


def _collector_with_trades(records: list[Decimal]) -> BacktestStatistics:
    start = datetime(2021, 1, 4, 5)
    collector = ResultCollector(start, start + timedelta(days=10), 100000)
    for i, value in enumerate([100000, 100000, 100100, 100050, 100300, 100200]):
        collector.sample(start + timedelta(days=i), value, 300 + i * (-1) ** i, 0, is_start=i == 0)
    for i, amount in enumerate(records):
        collector.record_profit_loss(start + timedelta(days=2 + i), amount)
    return collector.statistics(total_fees=0, total_orders=4, trading_days_per_year=252,
                                risk_free_rate=lambda _: 0.01)


# --- collector behaviour ---------------------------------------------------------------------------------------

def test_resample_period() -> None:
    start = datetime(2013, 10, 8, 4)
    assert ResultCollector(start, start + timedelta(days=10), 1).resample_period == timedelta(minutes=4)
    eleven_years = timedelta(days=4018)
    assert ResultCollector(start, start + eleven_years, 1).resample_period == eleven_years / 4000


def test_sampling_rules() -> None:
    start = datetime(2020, 1, 6, 5)
    collector = ResultCollector(start, start + timedelta(days=3), 1000)
    collector.sample(start, 1000, 10, 0, is_start=True)
    collector.on_time_step_end(start + timedelta(hours=10), 1010)
    collector.on_time_step_end(start + timedelta(hours=10, minutes=2), 1020)   # inside the 4-minute period
    collector.on_time_step_end(start + timedelta(hours=11), 990)
    collector.sample(start + timedelta(days=1), 990, 11, 500)
    collector.on_time_step_end(start + timedelta(days=1, hours=1), 995)
    collector.sample(start + timedelta(days=1, hours=1), 995, 12, 700)        # final sample, same time as the step
    charts = collector.charts_json()
    equity = charts["Strategy Equity"]["series"]["Equity"]["values"]
    t0 = int((start - datetime(1970, 1, 1)).total_seconds())
    assert [c[0] - t0 for c in equity] == [0, 36000, 39600, 86400, 90000]
    assert equity[2] == [t0 + 39600, 1020.0, 1020.0, 990.0, 990.0]   # aggregated between two samples
    returns = charts["Strategy Equity"]["series"]["Return"]["values"]
    assert [r[1] for r in returns] == [0.0, -1.0, pytest.approx(0.5050505)]   # round((995-990)*100/990, 10), 7 sig
    turnover = charts["Portfolio Turnover"]["series"]["Portfolio Turnover"]["values"]
    # no point at the start; the final sample at day 1 + 1h is a new time: (700-500)/995
    assert [v for _, v in turnover] == [pytest.approx(500 / 990), pytest.approx(0.2010050)]
    drawdown = charts["Drawdown"]["series"]["Equity Drawdown"]["values"]
    assert [v for _, v in drawdown] == [0.0, -1.0, -0.5]
    assert charts["Strategy Equity"]["series"]["Equity"]["seriesType"] == 2
    assert charts["Strategy Equity"]["series"]["Return"]["seriesType"] == 3


@given(st.lists(st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 4e-5, -4e-5])),
                min_size=1, max_size=40))
def test_equity_candle_aggregates_the_steps_between_two_points(values: list[float]) -> None:
    """The candle of the steps between two equity points: open/close the first/last value not rounding to zero
    (|v| < 0.00005), high/low their max/min, each SmartRounded after Math.Round(v, 4) (0 for all of them when
    every value rounds to zero)."""
    start = datetime(2020, 1, 6, 5)
    collector = ResultCollector(start, start + timedelta(days=3), 1000)
    collector.on_time_step_end(start, 1000)   # the first step is a point of its own
    for second, value in enumerate(values, 1):
        collector.on_time_step_end(start + timedelta(seconds=second), value)   # within the 4-minute period
    collector.on_time_step_end(start + timedelta(hours=1), 1.0)   # the next point: the steps since the last one
    candle = collector.charts_json()["Strategy Equity"]["series"]["Equity"]["values"][1][1:]
    kept = [v for v in [*values, 1.0] if abs(v) > 0.00005]
    expected = [kept[0], max(kept), min(kept), kept[-1]]
    assert candle == [float(smart_round_decimal(round(D(format(v, ".15g")), 4))) for v in expected]


_NUMBERS = (st.floats(allow_subnormal=True) | st.sampled_from([0.0, -0.0, 5e-324, -1e300, 7.9e28, math.nan])
            | st.integers(-10**30, 10**30)
            | st.sampled_from([D("1000.00"), D("1E+3"), D("-0"), D("0.000"), D("NaN"), D("123.4500")]))


def _conversion(convert: object, value: float | int | Decimal) -> tuple[object, ...] | type[Exception]:
    assert callable(convert)
    try:
        return convert(value).as_tuple()  # sign, digits and exponent: the scale counts
    except (ValueError, ArithmeticError) as error:  # non-finite; a value too large to round in 28 digits
        return type(error)


@pytest.mark.parametrize("function", [to_decimal, _candle_price])
@given(st.lists(_NUMBERS, max_size=12), st.randoms(use_true_random=False))
@example([0.0, -0.0, 1e20, 10**20, 100.0, D("100.0")], random.Random(0))
def test_float_memo_converts_as_its_function_does(function: object, values: list[float | int | Decimal],
                                                  order: random.Random) -> None:
    """The series' memos of to_decimal and of the candle price: every value, met again or first, converts as the
    function converts it (signed zeros, ints and decimals equal to a float kept apart; non-finite floats rejected
    every time)."""
    assert callable(function)
    repeated = values * 3
    order.shuffle(repeated)
    memo = FloatMemo(function)
    assert [_conversion(memo.of, v) for v in repeated] == [_conversion(function, v) for v in repeated]


def test_equity_candle_of_steps_that_all_round_to_zero() -> None:
    start = datetime(2020, 1, 6, 5)
    collector = ResultCollector(start, start + timedelta(days=3), 1000)
    collector.on_time_step_end(start, 1000)
    collector.on_time_step_end(start + timedelta(hours=1), 0.00004)
    assert collector.charts_json()["Strategy Equity"]["series"]["Equity"]["values"][1][1:] == [0, 0, 0, 0]


def test_turnover_resampled_at_same_time_uses_previous_volume() -> None:
    start = datetime(2020, 1, 6, 5)
    collector = ResultCollector(start, start + timedelta(days=3), 1000)
    collector.sample(start, 1000, 10, 0, is_start=True)
    collector.sample(start + timedelta(days=1), 1000, 10, 100)
    collector.sample(start + timedelta(days=1), 1000, 10, 300)   # same time: LEAN measures from the T-2 volume
    turnover = collector.charts_json()["Portfolio Turnover"]["series"]["Portfolio Turnover"]["values"]
    assert [v for _, v in turnover] == [0.3]


def _feed_days(collector: ResultCollector, start: datetime, read_between: bool) -> None:
    """Samples with a same-time turnover replacement, optionally reading the charts after every call."""
    calls = [
        lambda: collector.sample(start, 1000, 10, 0, is_start=True),
        lambda: collector.on_time_step_end(start + timedelta(hours=10), 1010.123456789),
        lambda: collector.sample(start + timedelta(days=1), 990.5, 11, 100),
        lambda: collector.sample(start + timedelta(days=1), 991.25, 11.5, 300),   # replaces the turnover point
        lambda: collector.plot("Strategy Equity", "Return", start + timedelta(days=1, hours=2), 7),
        lambda: collector.on_time_step_end(start + timedelta(days=1, hours=3), 1005),
        lambda: collector.sample(start + timedelta(days=2), 1002, 12, 450),
    ]
    for call in calls:
        call()
        if read_between:
            collector.charts_json()


def test_series_read_during_the_run_equal_series_read_once() -> None:
    """Series convert their inputs when read: reads between samples (a replaced point after a read, a user point
    among engine points) must give what one read at the end gives."""
    start = datetime(2020, 1, 6, 5)
    once, often = (ResultCollector(start, start + timedelta(days=3), 1000) for _ in range(2))
    _feed_days(once, start, read_between=False)
    _feed_days(often, start, read_between=True)
    assert often.charts_json() == once.charts_json()
    returns = once.charts_json()["Strategy Equity"]["series"]["Return"]["values"]
    # round((990.5 − 1000) × 100 / 1000, 10) = −0.95; the resample at the same time is not later, so not added;
    # the user's point (7) follows; (1002 − 991.25) × 100 / 991.25 = 1.084489281… → 7 significant digits
    assert [v for _, v in returns] == [0.0, -0.95, 7.0, 1.084489]
    turnover = once.charts_json()["Portfolio Turnover"]["series"]["Portfolio Turnover"]["values"]
    assert [v for _, v in turnover] == [pytest.approx(300 / 991.25, abs=5e-8), pytest.approx(150 / 1002, abs=5e-8)]


def test_user_plot_before_the_engine_samples_its_series() -> None:
    start = datetime(2020, 1, 6, 5)
    collector = ResultCollector(start, start + timedelta(days=3), 1000)
    collector.plot("Benchmark", "Benchmark", start - timedelta(hours=1), 3.14159265)
    collector.sample(start, 1000, 10.5, 0, is_start=True)
    values = collector.charts_json()["Benchmark"]["series"]["Benchmark"]["values"]
    assert [v for _, v in values] == [3.141593, 10.5]
    assert list(collector.charts_json())[0] == "Benchmark"   # the chart keeps its place


def test_profit_loss_keys_are_made_unique() -> None:
    collector = ResultCollector(datetime(2020, 1, 1), datetime(2020, 2, 1), 1000)
    moment = datetime(2020, 1, 2, 21)
    collector.record_profit_loss(moment, 5.0)
    collector.record_profit_loss(moment, -3.0)
    assert collector.profit_loss == {moment: 5.0, moment + timedelta(milliseconds=1): -3.0}


def test_user_plot_replaces_same_time_and_rejects_nan() -> None:
    collector = ResultCollector(datetime(2020, 1, 1), datetime(2020, 2, 1), 1000)
    moment = datetime(2020, 1, 2, 21)
    collector.plot("Signals", "z", moment, 1.0)
    collector.plot("Signals", "z", moment, 2.123456789)
    collector.plot("Signals", "z", moment + timedelta(hours=1), 3.0)
    series = collector.charts_json()["Signals"]["series"]["z"]
    assert series["values"] == [[1577998800, 2.123457], [1578002400, 3.0]]
    with pytest.raises(ValueError, match="plot\\('Signals', 'z'\\)"):
        collector.plot("Signals", "z", moment, math.nan)


def test_runtime_statistics_format() -> None:
    result = runtime_statistics(equity=104486.2154, fees=3.485, holdings=104399.1, net_profit=-1234.5,
                                psr="96.710%", return_fraction=0.044862154, unrealized=0, volume=99930.5508)
    assert result == {
        "Equity": "$104,486.22", "Fees": "-$3.49", "Holdings": "$104,399.10", "Net Profit": "$-1,234.50",
        "Probabilistic Sharpe Ratio": "96.710%", "Return": "4.49 %", "Unrealized": "$0.00", "Volume": "$99,930.55",
    }


# --- formatting against LEAN's recorded statistics ----------------------------------------------------------------

_DECIMAL_PERCENT = {"Average Win": "average_win_rate", "Average Loss": "average_loss_rate",
                    "Compounding Annual Return": "compounding_annual_return", "Net Profit": "total_net_profit",
                    "Probabilistic Sharpe Ratio": "probabilistic_sharpe_ratio", "Loss Rate": "loss_rate",
                    "Win Rate": "win_rate", "Portfolio Turnover": "portfolio_turnover"}
_DOUBLE = {"Sharpe Ratio": "sharpe_ratio", "Sortino Ratio": "sortino_ratio", "Alpha": "alpha", "Beta": "beta",
           "Annual Standard Deviation": "annual_standard_deviation", "Annual Variance": "annual_variance",
           "Information Ratio": "information_ratio", "Tracking Error": "tracking_error", "Treynor Ratio": "treynor_ratio"}


def _expected_cases(folder: Path) -> list[dict[str, str]]:
    return [json.loads(p.read_text())["expected_statistics"] for p in sorted(folder.glob("*/expected_statistics.json"))]


def test_summary_formatting_reproduces_lean_strings(fidelity_folder: Path) -> None:
    """Values rebuilt from each printed statistic (plus sub-rounding noise, as computed values carry) must print
    back as LEAN printed them."""
    noise = D("1e-12")
    for expected in _expected_cases(fidelity_folder):
        stats = PortfolioStatistics()
        for name, attribute in _DECIMAL_PERCENT.items():
            text = expected[name].rstrip("%")
            value = D(text) / 100
            setattr(stats, attribute, D(0) if text == "0" else value + noise)
        for name, attribute in _DOUBLE.items():
            setattr(stats, attribute, D(expected[name]) + noise)
        stats.drawdown = D(expected["Drawdown"].rstrip("%")) / 100        # pre-rounded to 3 decimals by LEAN
        stats.expectancy = D(expected["Expectancy"]) + (noise if expected["Expectancy"] != "0" else 0)
        stats.profit_loss_ratio = D(expected["Profit-Loss Ratio"]) + (noise if expected["Profit-Loss Ratio"] != "0" else 0)
        stats.start_equity = D(expected["Start Equity"])
        stats.end_equity = D(expected["End Equity"]) + noise
        stats.drawdown_recovery = int(expected["Drawdown Recovery"])
        fees = D(expected["Total Fees"].lstrip("$"))
        summary = build_summary(stats, total_fees=fees - D("0.004") if fees else fees,
                                total_orders=int(expected["Total Orders"]))
        assert list(summary) == list(STATISTIC_NAMES)
        for name in STATISTIC_NAMES:
            if name not in NOT_COMPARED:
                assert summary[name] == expected[name], name


def test_total_fees_round_half_away_from_zero() -> None:
    summary = build_summary(PortfolioStatistics(), total_fees=D("3.485"), total_orders=1)
    assert summary["Total Fees"] == "$3.49"
    assert summary["Estimated Strategy Capacity"] == "$0.00" and summary["Lowest Capacity Asset"] == ""


# --- BasicTemplateDailyAlgorithm rebuilt by hand from LEAN's sample data -----------------------------------------

def _adjusted_rows(zip_path: Path, factor: Decimal, deci_cents: bool = True) -> list[tuple[datetime, list[Decimal]]]:
    """(time, [open, high, low, close]) of a LEAN zip; equity prices are in deci-cents (÷ 10000) × the factor."""
    scale = factor / 10000 if deci_cents else factor
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read(archive.namelist()[0]).decode()
    rows = []
    for line in text.splitlines():
        parts = line.split(",")
        rows.append((datetime.strptime(parts[0], "%Y%m%d %H:%M"), [D(x) * scale for x in parts[1:5]]))
    return rows


def _price_factor(factor_file: Path, day: datetime) -> Decimal:
    """First factor-file row dated on or after the bar's date: price factor × split factor."""
    for line in factor_file.read_text().splitlines():
        date, price_factor, split_factor, _ = line.split(",")
        if datetime.strptime(date, "%Y%m%d") >= day:
            return D(price_factor) * D(split_factor)
    return D(1)


@pytest.mark.lean_data
def test_basic_template_daily_reconstruction(lean_data_folder: Path, fidelity_folder: Path) -> None:
    """Feed the collector what LEAN's engine feeds it for BasicTemplateDailyAlgorithm (SPY daily + the internal
    hourly SPY benchmark; 697 shares bought by a market-on-open order filled at the 2013-10-09 daily open during
    the 16:00 step, fee 3.485) and compare with LEAN's recorded statistics."""
    equity_folder = lean_data_folder / "equity" / "usa"
    factor = _price_factor(equity_folder / "factor_files" / "spy.csv", datetime(2013, 10, 17))
    hourly = [(t, v) for t, v in _adjusted_rows(equity_folder / "hour" / "spy.zip", factor)
              if datetime(2013, 10, 8) <= t < datetime(2013, 10, 18)]
    daily = {t.date(): v for t, v in _adjusted_rows(equity_folder / "daily" / "spy.zip", factor)}
    new_york_offset = timedelta(hours=4)   # EDT throughout October 2013
    start = datetime(2013, 10, 8)
    collector = ResultCollector(start + new_york_offset, datetime(2013, 10, 18) + new_york_offset, 100000)

    cash, quantity, fee = D(100000), 0, D("3.485")
    price, sale_volume = daily[datetime(2013, 10, 7).date()][3], D(0)
    next_midnight, step = start, start
    for bar_time, (_, _, _, close) in hourly:
        step = bar_time + timedelta(hours=1)
        while next_midnight < step:   # midnight samples replayed before the step's price update
            collector.sample(next_midnight + new_york_offset, cash + quantity * price, price, sale_volume,
                             is_start=next_midnight == start)
            next_midnight += timedelta(days=1)
        price = close
        if step == datetime(2013, 10, 9, 16):
            fill_price = daily[step.date()][0]
            quantity, cash, sale_volume = 697, cash - 697 * fill_price - fee, sale_volume + 697 * fill_price
        collector.on_time_step_end(step + new_york_offset, cash + quantity * price)
    collector.sample(step + new_york_offset, cash + quantity * price, price, sale_volume)

    stats = collector.statistics(total_fees=fee, total_orders=1, trading_days_per_year=252,
                                 risk_free_rate=lambda _: 0.0075)   # primary credit rate 0.75% all of 2013
    expected = json.loads((fidelity_folder / "BasicTemplateDailyAlgorithm" / "expected_statistics.json").read_text())
    for name, value in expected["expected_statistics"].items():
        if name not in NOT_COMPARED:
            assert stats.summary[name] == value, name


# --- rolling windows -------------------------------------------------------------------------------------------

def test_period_ranges_hand_case() -> None:
    from datetime import date

    from lean_offline.statistics import _period_ranges

    first, last = date(2020, 1, 15), date(2020, 4, 10)
    assert _period_ranges(3, first, last) == [
        (date(2020, 1, 15), date(2020, 1, 31)), (date(2020, 1, 15), date(2020, 2, 29)),
        (date(2020, 1, 15), date(2020, 3, 31)), (date(2020, 2, 1), date(2020, 4, 10))]
    assert _period_ranges(1, date(2013, 10, 8), date(2013, 10, 17)) == [(date(2013, 10, 8), date(2013, 10, 17))]


def test_rolling_window_periods() -> None:
    start = datetime(2020, 1, 15, 5)
    collector = ResultCollector(start, start + timedelta(days=36), 1000)
    values = [1000 + 10 * math.sin(i) + i for i in range(37)]
    for day, value in enumerate(values):
        collector.sample(start + timedelta(days=day), value, 100 + math.cos(day), 0, is_start=day == 0)
    stats = collector.statistics(total_fees=0, total_orders=0, trading_days_per_year=252,
                                 risk_free_rate=lambda _: 0.0)
    assert sorted(stats.rolling) == ["M12_20200131", "M12_20200220", "M1_20200131", "M1_20200220",
                                     "M3_20200131", "M3_20200220", "M6_20200131", "M6_20200220"]
    february = stats.rolling["M1_20200220"]
    assert february.start_equity == smart_round_decimal(D(repr(values[17])))   # first point dated Feb 1
    assert february.end_equity == stats.portfolio_decimals.end_equity
    # a period holding the whole backtest is the whole backtest
    assert stats.rolling["M3_20200220"] == stats.portfolio_decimals


@pytest.mark.lean_data
def test_custom_data_properties_reconstruction(lean_data_folder: Path, fidelity_folder: Path) -> None:
    """CustomDataPropertiesRegressionAlgorithm fed by hand: BTC custom data arrives at each New York midnight
    (always-open exchange), so the midnight sample of that slice is taken *after* the price update; the order
    (margin_remaining / (close + 1), lot 0.01) fills at once at the close, fee 0; the hourly SPY benchmark adds
    the intraday steps; the last BTC row (Time 2018-04-10) arrives at 2018-04-11 00:00 and is the final sample."""
    factor = _price_factor(lean_data_folder / "equity" / "usa" / "factor_files" / "spy.csv", datetime(2018, 4, 10))
    spy = {t + timedelta(hours=1): v[3] for t, v in
           _adjusted_rows(lean_data_folder / "equity" / "usa" / "hour" / "spy.zip", factor)
           if datetime(2018, 4, 4) <= t < datetime(2018, 4, 11)}
    btc = {t + timedelta(days=1): v[3] for t, v in
           _adjusted_rows(lean_data_folder / "crypto" / "coinbase" / "daily" / "btcusd_trade.zip", D(1), False)
           if datetime(2018, 4, 4) <= t <= datetime(2018, 4, 10)}
    new_york_offset = timedelta(hours=4)   # EDT
    start, end = datetime(2018, 4, 5), datetime(2018, 4, 10, 23, 59, 59)
    collector = ResultCollector(start + new_york_offset, end + new_york_offset, 100000)
    cash, quantity, sale_volume = D(100000), D(0), D(0)
    btc_price = D(0)
    benchmark = spy[max(t for t in spy if t <= start)]   # the benchmark security is seeded with its last price
    for step in sorted({t for t in spy if t >= start} | set(btc)):
        btc_price = btc.get(step, btc_price)
        benchmark = spy.get(step, benchmark)
        if step.hour == 0 and step <= end:
            collector.sample(step + new_york_offset, cash + quantity * btc_price, benchmark, sale_volume,
                             is_start=step == start)
        if step in btc and quantity == 0:
            quantity = (cash / abs(btc_price + 1)).quantize(D("0.01"), rounding="ROUND_DOWN")
            cash, sale_volume = cash - quantity * btc_price, sale_volume + quantity * btc_price
        collector.on_time_step_end(step + new_york_offset, cash + quantity * btc_price)
    collector.sample(step + new_york_offset, cash + quantity * btc_price, benchmark, sale_volume)

    stats = collector.statistics(total_fees=0, total_orders=1, trading_days_per_year=252,
                                 risk_free_rate=lambda _: 0.0225)   # primary credit rate from 2018-03-22
    expected = json.loads((fidelity_folder / "CustomDataPropertiesRegressionAlgorithm" /
                           "expected_statistics.json").read_text())
    for name, value in expected["expected_statistics"].items():
        if name not in NOT_COMPARED:
            assert stats.summary[name] == value, name


def test_non_finite_inputs() -> None:
    start = datetime(2020, 1, 6, 5)
    collector = ResultCollector(start, start + timedelta(days=3), 1000)
    collector.sample(start, 1000, math.nan, 0, is_start=True)   # benchmark without a price yet counts as 0
    assert collector.charts_json()["Benchmark"]["series"]["Benchmark"]["values"][0][1] == 0.0
    with pytest.raises(ValueError, match="portfolio value at 2020-01-07 05:00:00 UTC is nan"):
        collector.sample(start + timedelta(days=1), math.nan, 10, 0)
    with pytest.raises(ValueError, match="portfolio value at 2020-01-07 06:00:00 UTC is inf"):
        collector.on_time_step_end(start + timedelta(days=1, hours=1), math.inf)
