"""LEAN's backtest charts and statistics, reproduced number for number.

The engine feeds a :class:`ResultCollector` the way LEAN's ``BacktestingResultHandler`` is fed:

* ``sample(...)`` at every midnight "Daily Sampling" event (algorithm time zone, every calendar day) and once more
  for the final sample;
* ``on_time_step_end(...)`` at the end of every time step (the intraday equity points, one per resample period);
* ``record_profit_loss(...)`` for every fill that closes part of a position (LEAN's TransactionRecord);
* ``plot(...)`` for user charts.

``statistics(...)`` then turns the collected series into the 28-key summary dict LEAN prints, the portfolio
statistics and the chart JSON. LEAN computes most of this in C# ``decimal``; the same quantities are computed here
with :class:`decimal.Decimal` (28 significant digits) so that roundings and printed scales ("0.800%", "104486.22")
come out identical. Quantities LEAN computes in ``double`` are computed with Python floats, and every double→decimal
conversion keeps 15 significant digits as .NET does.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cached_property, partial
from itertools import repeat
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .trades import Trade, TradeFacts, TradeStatistics

__all__ = [
    "BacktestStatistics",
    "Candle",
    "FloatMemo",
    "PortfolioStatistics",
    "ResultCollector",
    "STATISTIC_NAMES",
    "compounding_annual_return",
    "drawdown_metrics",
    "format_dotnet_decimal",
    "format_dotnet_double",
    "kurtosis",
    "probabilistic_sharpe_ratio",
    "round_decimal",
    "runtime_statistics",
    "sample_covariance",
    "sample_variance",
    "skewness",
    "smart_round",
    "smart_round_decimal",
    "to_decimal",
]

STATISTIC_NAMES: tuple[str, ...] = (
    "Total Orders", "Average Win", "Average Loss", "Compounding Annual Return", "Drawdown", "Expectancy",
    "Start Equity", "End Equity", "Net Profit", "Sharpe Ratio", "Sortino Ratio", "Probabilistic Sharpe Ratio",
    "Loss Rate", "Win Rate", "Profit-Loss Ratio", "Alpha", "Beta", "Annual Standard Deviation", "Annual Variance",
    "Information Ratio", "Tracking Error", "Treynor Ratio", "Total Fees", "Estimated Strategy Capacity",
    "Lowest Capacity Asset", "Portfolio Turnover", "Drawdown Recovery", "OrderListHash",
)

# C# decimal: 96-bit mantissa, i.e. 28 to 29 significant digits.
_DECIMAL_DIGITS = 28
_DECIMAL_CONTEXT = Context(prec=_DECIMAL_DIGITS, rounding=ROUND_HALF_EVEN)
_DECIMAL_MAX = Decimal("79228162514264337593543950335")
_DECIMAL_MAX_FLOAT = 7.9e28  # below decimal.MaxValue even after rounding to 15 significant digits
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_UNIX_EPOCH = datetime(1970, 1, 1)
_MINIMUM_SAMPLE_PERIOD = timedelta(minutes=4)
_SAMPLES_PER_BACKTEST = 4000
# SeriesType values LEAN serialises (lean_offline.enums.SeriesType).
_LINE, _CANDLE, _BAR = 0, 2, 3
_ROUNDS_TO_ZERO = 0.00005  # below this Math.Round(x, 4) is 0

Number = float | int | Decimal


# ---------------------------------------------------------------------------------------------------------------
# .NET numeric conversions, rounding and formatting
# ---------------------------------------------------------------------------------------------------------------

def to_decimal(value: Number) -> Decimal:
    """Convert a number to Decimal the way C# ``(decimal)double`` does: 15 significant digits, clamped to
    ±decimal.MaxValue. Decimals and ints are taken as they are. Non-finite input raises ValueError."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    number = float(value)
    if -_DECIMAL_MAX_FLOAT < number < _DECIMAL_MAX_FLOAT:  # the common case: no clamping needed
        return Decimal(format(number, ".15g"))
    if not math.isfinite(number):
        raise ValueError(f"cannot convert non-finite value {number!r} to a decimal")
    converted = Decimal(format(number, ".15g"))
    return max(-_DECIMAL_MAX, min(_DECIMAL_MAX, converted))


def round_decimal(value: Decimal, digits: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """C# ``Math.Round(decimal, digits)``: rounds only when the value has more than ``digits`` decimals.

    It runs ~50k times when a long run's chart points are converted, so the exponent (``as_tuple`` is slow) is read
    only when rounding a finite value that fits the precision leaves it equal: a rounding that changes the value
    drops decimals the value had, and one that keeps it may only have dropped trailing zeros."""
    quantum = _QUANTA.get(digits) or Decimal(1).scaleb(-digits, context=_DECIMAL_CONTEXT)
    if value.is_finite() and value.adjusted() < _DECIMAL_DIGITS - 1 - digits:  # room for a carry into a new digit
        rounded = value.quantize(quantum, rounding=rounding, context=_DECIMAL_CONTEXT)
        if rounded != value:
            return rounded
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -digits:
        return value.quantize(quantum, rounding=rounding, context=_DECIMAL_CONTEXT)
    return value


_QUANTA = {digits: Decimal(1).scaleb(-digits) for digits in range(29)}
_ONE = Decimal(1)


def _normalize(value: Decimal) -> Decimal:
    """C# ``decimal.Normalize`` (LEAN's extension): drop trailing zeros without switching to an exponent."""
    if value == 0:
        return _ZERO
    normalized = value.normalize(_DECIMAL_CONTEXT)
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normalized.quantize(Decimal(1))
    return normalized


_TAKEN_AS_THEY_ARE = (Decimal, int)  # what to_decimal never rejects


def _check_finite(what: str, utc_time: datetime, *values: Number) -> None:
    """Raise ValueError naming ``what`` and the time for the first of ``values`` :func:`to_decimal` would reject,
    without converting."""
    for value in values:
        if not isinstance(value, _TAKEN_AS_THEY_ARE) and not math.isfinite(value):
            raise _not_finite(value, what, utc_time)


def _not_finite(value: Number, what: str, utc_time: datetime) -> ValueError:
    return ValueError(f"{what} at {utc_time:%Y-%m-%d %H:%M:%S} UTC is {value!r}, not a finite number")


def smart_round_decimal(value: Decimal) -> Decimal:
    """LEAN's ``SmartRounding``: above 1000 round to 4 decimals, otherwise to 7 significant digits (banker's
    rounding), trailing zeros removed first. The significant-digit scale is 10^(floor(log10|x|)+1), as in C#.

    It runs ~70k times in a 25-year daily run, so it reads no exponents (``as_tuple`` is slow): a value above 1000
    has more than 4 decimals exactly when rounding to 4 changes it, and rounding to 7 significant digits a value
    with fewer changes nothing."""
    if not value:
        return _ZERO
    normalized = value.normalize(_DECIMAL_CONTEXT)
    if normalized > 1000:
        if normalized.adjusted() < _MAX_ADJUSTED_WITH_4_DECIMALS:
            rounded = normalized.quantize(_QUANTA[4], rounding=ROUND_HALF_EVEN, context=_DECIMAL_CONTEXT)
            if rounded != normalized:
                return rounded
        return _without_exponent(normalized)
    power = math.floor(math.log10(float(abs(normalized)))) + 1
    quantum = _QUANTA.get(7 - power) or Decimal(1).scaleb(power - 7, context=_DECIMAL_CONTEXT)
    rounded = normalized.quantize(quantum, rounding=ROUND_HALF_EVEN, context=_DECIMAL_CONTEXT)
    return _without_exponent(rounded.normalize(_DECIMAL_CONTEXT))


_MAX_ADJUSTED_WITH_4_DECIMALS = 24  # below 10^24 a value with 4 decimals fits in 28 digits


def _without_exponent(normalized: Decimal) -> Decimal:
    """A normalized non-zero value with a positive exponent (2E+3) written out (2000), as C#'s Normalize does:
    the integral values are the ones whose exponent may be positive."""
    if normalized == normalized.to_integral_value():
        return normalized.quantize(_ONE, context=_DECIMAL_CONTEXT)
    return normalized


def smart_round(value: Number) -> float:
    """LEAN's ``SmartRounding`` of a number, returned as float (see :func:`smart_round_decimal`)."""
    return float(smart_round_decimal(to_decimal(value)))


def _dotnet_round_double(value: float, digits: int) -> float:
    """.NET ``Math.Round(double, digits)``: scale by 10^digits, round half to even, scale back (|x| < 1e16)."""
    if not math.isfinite(value) or abs(value) >= 1e16:
        return value
    power = 10.0 ** digits
    return round(value * power) / power


def format_dotnet_double(value: float) -> str:
    """.NET Core ``double.ToString()``: the shortest round-trip digits, scientific from 1E+15 or below 1E-05."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    text_digits = "".join(map(str, digits)).lstrip("0") or "0"
    trimmed = text_digits.rstrip("0") or "0"
    exponent += len(text_digits) - len(trimmed)
    if trimmed == "0":
        return "-0" if sign else "0"
    decimal_exponent = exponent + len(trimmed) - 1  # position of the first digit
    prefix = "-" if sign else ""
    if decimal_exponent >= 15 or decimal_exponent < -4:
        mantissa = trimmed[0] + ("." + trimmed[1:] if len(trimmed) > 1 else "")
        return f"{prefix}{mantissa}E{'+' if decimal_exponent >= 0 else '-'}{abs(decimal_exponent):02d}"
    return prefix + format(Decimal((0, tuple(int(d) for d in trimmed), exponent)), "f")


def format_dotnet_decimal(value: Decimal) -> str:
    """C# ``decimal.ToString(CultureInfo.InvariantCulture)``: fixed point keeping the value's scale."""
    text = format(value, "f")
    return text[1:] if text.startswith("-") and value == 0 else text


def _format_number_with_separators(value: Decimal) -> str:
    """C# ``decimal.ToString("N2")``: thousands separators, 2 decimals, midpoint away from zero."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=_DECIMAL_CONTEXT)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.2f}"


def _unix_seconds(time: datetime) -> float:
    return (time - _UNIX_EPOCH).total_seconds()


# ---------------------------------------------------------------------------------------------------------------
# Sample moments (MathNet.Numerics conventions)
# ---------------------------------------------------------------------------------------------------------------

Floats = Sequence[float] | np.ndarray


def _mean(x: np.ndarray) -> float:
    """Σx/n, summed as ``np.mean`` sums (pairwise) without its per-call overhead (it runs ~10k times per run)."""
    return float(np.add.reduce(x) / len(x))


def sample_variance(values: Floats) -> float:
    """Unbiased sample variance Σ(x−x̄)²/(n−1); NaN for fewer than 2 values (MathNet ``Variance``). The operations
    are those of ``np.var(x, ddof=1)``, so the result is bit for bit the same."""
    if len(values) < 2:
        return math.nan
    x = np.asarray(values, dtype=float)
    deviations = x - np.add.reduce(x) / len(x)
    return float(np.add.reduce(deviations * deviations) / (len(x) - 1))


def sample_covariance(xs: Floats, ys: Floats) -> float:
    """Unbiased sample covariance Σ(x−x̄)(y−ȳ)/(n−1); NaN for fewer than 2 pairs (MathNet ``Covariance``)."""
    if len(xs) != len(ys):
        raise ValueError(f"covariance needs series of equal length, got {len(xs)} and {len(ys)}")
    if len(xs) < 2:
        return math.nan
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    return float(np.sum((x - x.mean()) * (y - y.mean())) / (len(x) - 1))


def skewness(values: Floats) -> float:
    """Sample skewness G1 = n/((n−1)(n−2)) · Σ((x−x̄)/s)³ with s the sample standard deviation; NaN if n < 3."""
    n = len(values)
    if n < 3:
        return math.nan
    x = np.asarray(values, dtype=float)
    s = math.sqrt(sample_variance(values))
    if s == 0:
        return math.nan
    return float(n / ((n - 1) * (n - 2)) * np.sum(((x - x.mean()) / s) ** 3))


def kurtosis(values: Floats) -> float:
    """Sample excess kurtosis G2 = n(n+1)/((n−1)(n−2)(n−3)) · Σ((x−x̄)/s)⁴ − 3(n−1)²/((n−2)(n−3)); NaN if n < 4."""
    n = len(values)
    if n < 4:
        return math.nan
    x = np.asarray(values, dtype=float)
    s = math.sqrt(sample_variance(values))
    if s == 0:
        return math.nan
    fourth = float(np.sum(((x - x.mean()) / s) ** 4))
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * fourth - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def _annual_variance(values: Floats, trading_days: float) -> float:
    """Var(x)·T, or 0 when the variance is NaN or zero."""
    variance = sample_variance(values)
    return 0.0 if math.isnan(variance) or variance == 0 else variance * trading_days


def _annual_performance(values: Floats, trading_days: float) -> float:
    """(mean(x) + 1)^T − 1."""
    return math.pow(_mean(np.asarray(values, dtype=float)) + 1.0, trading_days) - 1.0


def probabilistic_sharpe_ratio(returns: Floats, benchmark_sharpe: float, risk_free_rate: float = 0.0) -> float:
    """LEAN's PSR: SR = (mean(r) − rf)/stdev(r) (not annualised), σ = √((1 − skew·SR + ((kurt−1)/4)·SR²)/(n−1)),
    PSR = Φ((SR − SR*)/σ); kurt is the *excess* kurtosis as LEAN uses it. 0 when σ is NaN."""
    deviation = math.sqrt(sample_variance(returns)) if len(returns) >= 2 else math.nan
    mean_excess = _mean(np.asarray(returns, dtype=float)) - risk_free_rate if len(returns) else math.nan
    observed = 0.0 if math.isnan(deviation) or deviation == 0 else mean_excess / deviation
    operand_a = skewness(returns) * observed
    operand_b = (kurtosis(returns) - 1) / 4 * observed**2
    radicand = (1 - operand_a + operand_b) / (len(returns) - 1)
    if math.isnan(radicand) or radicand < 0:
        return 0.0
    estimate_deviation = math.sqrt(radicand)
    value = 0.0 if estimate_deviation == 0 else (observed - benchmark_sharpe) / estimate_deviation
    return 0.5 * math.erfc(-value / math.sqrt(2))


def compounding_annual_return(starting_capital: Decimal, final_capital: Decimal, years: Decimal) -> Decimal:
    """(final/start)^(1/years) − 1, computed in double; 0 when years or start is 0 or the result is not finite."""
    if years == 0 or starting_capital == 0:
        return _ZERO
    try:
        result = math.pow(float(final_capital) / float(starting_capital), 1 / float(years)) - 1
    except (OverflowError, ValueError):
        return _ZERO
    return _ZERO if not math.isfinite(result) else to_decimal(result)


def drawdown_metrics(equity: Sequence[tuple[datetime, Decimal]], rounding: int = 3,
                     floats: np.ndarray | None = None) -> tuple[Decimal, int]:
    """Maximum drawdown max(1 − equity/peak), rounded to ``rounding`` decimals, and the longest recovery in whole
    days: from the peak before a drawdown to the first point at or above that peak. ``floats``: the values as
    floats, given when floats order them exactly (see :func:`_orders_exactly_as_floats`); the peaks and the
    deepest drawdown's candidates are then found with numpy (the rolling windows ask ~1200 times)."""
    if len(equity) < 2:
        return _ZERO, 0
    if floats is not None:
        return _drawdown_metrics_of_floats(equity, floats, rounding)
    max_drawdown = _ZERO
    max_recovery_days = 0.0
    peak_time, peak_value = equity[0]
    drawdown_start: datetime | None = None
    with localcontext(_DECIMAL_CONTEXT):
        for time, value in equity:
            if value >= peak_value:
                if drawdown_start is not None:
                    max_recovery_days = max(max_recovery_days, (time - drawdown_start).total_seconds() / 86400)
                    drawdown_start = None
                peak_value, peak_time = value, time
                continue  # at a new peak the drawdown is 0 (or the peak is 0): nothing to record
            if peak_value == 0:
                continue
            current = value / peak_value - 1
            if current < 0:
                max_drawdown = min(max_drawdown, current)
                if drawdown_start is None:
                    drawdown_start = peak_time
    return round_decimal(abs(max_drawdown), rounding), int(max_recovery_days)


_RATIO_ERROR_BOUND = 1e-12  # far above the ~4e-16 relative error of a float ratio of two values


def _orders_exactly_as_floats(values: Sequence[Decimal]) -> bool:
    """Whether the values are positive with at most 15 significant digits: their floats then compare as they do
    (a double recovers any such decimal), and a ratio of two of them is within 1e-15 of the decimal ratio."""
    return all(value > 0 and len(value.as_tuple().digits) <= 15 for value in values)


def _drawdown_metrics_of_floats(equity: Sequence[tuple[datetime, Decimal]], floats: np.ndarray,
                                rounding: int) -> tuple[Decimal, int]:
    """:func:`drawdown_metrics` from the float values: a point is at a peak when it equals the running maximum;
    a recovery runs from the last peak before a dip to the next peak; the drawdown is computed in decimal for the
    points whose float ratio to their peak is within the error bound of the lowest, the first lowest kept."""
    running_peak = np.maximum.accumulate(floats)
    at_peak = floats == running_peak
    peak_indices = np.flatnonzero(at_peak)
    max_recovery_days = 0.0
    for gap in np.flatnonzero(np.diff(peak_indices) > 1):
        recovery = equity[peak_indices[gap + 1]][0] - equity[peak_indices[gap]][0]
        max_recovery_days = max(max_recovery_days, recovery.total_seconds() / 86400)
    max_drawdown = _ZERO
    if len(peak_indices) < len(floats):
        ratios = np.where(at_peak, np.inf, floats / running_peak)
        last_peak = np.maximum.accumulate(np.where(at_peak, np.arange(len(floats)), 0))
        with localcontext(_DECIMAL_CONTEXT):
            for index in np.flatnonzero(ratios <= ratios.min() + _RATIO_ERROR_BOUND):
                current = equity[index][1] / equity[last_peak[index]][1] - 1
                if current < max_drawdown:
                    max_drawdown = current
    return round_decimal(abs(max_drawdown), rounding), int(max_recovery_days)


# ---------------------------------------------------------------------------------------------------------------
# Portfolio statistics (LEAN's PortfolioStatistics)
# ---------------------------------------------------------------------------------------------------------------

_PORTFOLIO_FIELDS = (
    "averageWinRate", "averageLossRate", "profitLossRatio", "winRate", "lossRate", "expectancy", "startEquity",
    "endEquity", "compoundingAnnualReturn", "drawdown", "totalNetProfit", "sharpeRatio", "probabilisticSharpeRatio",
    "sortinoRatio", "alpha", "beta", "annualStandardDeviation", "annualVariance", "informationRatio",
    "trackingError", "treynorRatio", "portfolioTurnover", "valueAtRisk99", "valueAtRisk95", "drawdownRecovery",
)


@dataclass
class PortfolioStatistics:
    """LEAN's PortfolioStatistics with its C# decimal values (``drawdown_recovery`` in whole days)."""

    average_win_rate: Decimal = _ZERO
    average_loss_rate: Decimal = _ZERO
    profit_loss_ratio: Decimal = _ZERO
    win_rate: Decimal = _ZERO
    loss_rate: Decimal = _ZERO
    expectancy: Decimal = _ZERO
    start_equity: Decimal = _ZERO
    end_equity: Decimal = _ZERO
    compounding_annual_return: Decimal = _ZERO
    drawdown: Decimal = _ZERO
    total_net_profit: Decimal = _ZERO
    sharpe_ratio: Decimal = _ZERO
    probabilistic_sharpe_ratio: Decimal = _ZERO
    sortino_ratio: Decimal = _ZERO
    alpha: Decimal = _ZERO
    beta: Decimal = _ZERO
    annual_standard_deviation: Decimal = _ZERO
    annual_variance: Decimal = _ZERO
    information_ratio: Decimal = _ZERO
    tracking_error: Decimal = _ZERO
    treynor_ratio: Decimal = _ZERO
    portfolio_turnover: Decimal = _ZERO
    value_at_risk_99: Decimal = _ZERO
    value_at_risk_95: Decimal = _ZERO
    drawdown_recovery: int = 0

    def to_camel_dict(self) -> dict[str, Decimal | int]:
        """The values under LEAN's JSON (camelCase) names."""
        values = list(vars(self).values())
        return dict(zip(_PORTFOLIO_FIELDS, values, strict=True))


def _value_at_risk(returns: np.ndarray, lookback: int, confidence: float) -> Decimal:
    """One-day parametric VaR: the (1−confidence) quantile of N(mean, stdev) of the last ``lookback`` returns,
    rounded to 3 decimals."""
    window = returns[-lookback:]
    if len(window) < 2:
        return _ZERO
    deviation = math.sqrt(sample_variance(window))
    if deviation == 0 or math.isnan(deviation):
        return _ZERO
    quantile = NormalDist(_mean(window), deviation).inv_cdf(1 - confidence)
    return round_decimal(to_decimal(quantile), 3)


def compute_portfolio_statistics(
    *,
    profit_loss: Sequence[Decimal],
    equity: Sequence[tuple[datetime, Decimal]],
    turnover: Sequence[Decimal],
    performance: Floats,
    benchmark: Floats,
    starting_capital: Decimal,
    risk_free_rate: Decimal,
    trading_days_per_year: int,
    win_count: int | None = None,
    loss_count: int | None = None,
    equity_floats: np.ndarray | None = None,
) -> PortfolioStatistics:
    """LEAN's PortfolioStatistics constructor (formulas in lean-semantics §G), from the prepared series:
    ``performance`` = daily returns (fractions, first two samples dropped), ``benchmark`` = benchmark %-changes
    (first dropped), ``equity`` = (utc time, value) of the equity chart, ``profit_loss`` = TransactionRecord values
    in time order; ``equity_floats`` as in :func:`drawdown_metrics`."""
    stats = PortfolioStatistics(start_equity=starting_capital, end_equity=equity[-1][1] if equity else _ZERO)
    performance = np.asarray(performance, dtype=float)
    benchmark = np.asarray(benchmark, dtype=float)
    trading_days = float(trading_days_per_year)
    with localcontext(_DECIMAL_CONTEXT):
        if turnover:
            stats.portfolio_turnover = sum(turnover, _ZERO) / len(turnover)
        if starting_capital == 0 or len(benchmark) < 2 or len(performance) < 2:
            return stats
        if len(performance) != len(benchmark):
            raise ValueError(f"performance and benchmark differ in length: {len(performance)} and {len(benchmark)}")

        running_capital = starting_capital
        total_profit = total_loss = _ZERO
        wins = losses = 0
        for amount in profit_loss:
            if amount > 0:
                total_profit += amount / running_capital
                wins += 1
            else:
                total_loss += amount / running_capital
                losses += 1
            running_capital += amount
        stats.average_win_rate = _ZERO if wins == 0 else total_profit / wins
        stats.average_loss_rate = _ZERO if losses == 0 else total_loss / losses
        stats.profit_loss_ratio = (
            _ZERO if stats.average_loss_rate == 0 else stats.average_win_rate / abs(stats.average_loss_rate)
        )
        if win_count is not None and loss_count is not None:
            wins, losses = win_count, loss_count
        trades = wins + losses
        stats.win_rate = _ZERO if trades == 0 else Decimal(wins) / trades
        stats.loss_rate = _ZERO if trades == 0 else Decimal(losses) / trades
        stats.expectancy = stats.win_rate * stats.profit_loss_ratio - stats.loss_rate

        last_equity = equity[-1][1]
        stats.total_net_profit = last_equity / starting_capital - 1
        years = to_decimal((equity[-1][0] - equity[0][0]).total_seconds() / 86400) / 365
        stats.compounding_annual_return = compounding_annual_return(starting_capital, last_equity, years)

        stats.annual_variance = to_decimal(_annual_variance(performance, trading_days))
        stats.annual_standard_deviation = to_decimal(math.sqrt(float(stats.annual_variance)))
        benchmark_annual = to_decimal(_annual_performance(benchmark, trading_days))
        annual = to_decimal(_annual_performance(performance, trading_days))
        excess = float(annual) - float(risk_free_rate)

        if stats.annual_standard_deviation != 0:
            stats.sharpe_ratio = to_decimal(excess / float(stats.annual_standard_deviation))
        downside = to_decimal(math.sqrt(_annual_variance(performance[performance < 0], trading_days)))
        if downside != 0:
            stats.sortino_ratio = to_decimal(excess / float(downside))

        benchmark_variance = sample_variance(benchmark)
        if not (math.isnan(benchmark_variance) or benchmark_variance == 0):
            stats.beta = to_decimal(sample_covariance(performance, benchmark) / benchmark_variance)
        if stats.beta != 0:
            stats.alpha = annual - (risk_free_rate + stats.beta * (benchmark_annual - risk_free_rate))

        stats.tracking_error = to_decimal(math.sqrt(_annual_variance(performance - benchmark, trading_days)))
        if stats.tracking_error != 0:
            stats.information_ratio = to_decimal(float(annual) - float(benchmark_annual)) / stats.tracking_error
        if stats.beta != 0:
            stats.treynor_ratio = to_decimal(excess) / stats.beta

        stats.probabilistic_sharpe_ratio = to_decimal(
            probabilistic_sharpe_ratio(performance, 1.0 / math.sqrt(trading_days), float(risk_free_rate) / trading_days)
        )
        stats.value_at_risk_99 = _value_at_risk(performance, trading_days_per_year, 0.99)
        stats.value_at_risk_95 = _value_at_risk(performance, trading_days_per_year, 0.95)
        stats.drawdown, stats.drawdown_recovery = drawdown_metrics(equity, 3, equity_floats)
    return stats


def _safe_multiply_100(value: Decimal) -> Decimal:
    with localcontext(_DECIMAL_CONTEXT):
        return _DECIMAL_MAX if value >= _DECIMAL_MAX / 100 else value * _HUNDRED


def _percent(value: Decimal, digits: int) -> str:
    return format_dotnet_decimal(round_decimal(_safe_multiply_100(value), digits)) + "%"


def _double_text(value: Decimal) -> str:
    return format_dotnet_double(_dotnet_round_double(float(value), 3))


def build_summary(
    stats: PortfolioStatistics,
    *,
    total_fees: Decimal,
    total_orders: int,
    currency_symbol: str = "$",
    estimated_capacity: str | None = None,
    lowest_capacity_asset: str = "",
    order_list_hash: str = "",
) -> dict[str, str]:
    """LEAN's ``StatisticsBuilder.GetSummary``: the 28 statistics as strings, in LEAN's order."""
    fees = total_fees.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=_DECIMAL_CONTEXT)
    values = (
        str(total_orders),
        _percent(stats.average_win_rate, 2),
        _percent(stats.average_loss_rate, 2),
        _percent(stats.compounding_annual_return, 3),
        _percent(stats.drawdown, 3),
        format_dotnet_decimal(round_decimal(stats.expectancy, 3)),
        format_dotnet_decimal(round_decimal(stats.start_equity, 2)),
        format_dotnet_decimal(round_decimal(stats.end_equity, 2)),
        _percent(stats.total_net_profit, 3),
        _double_text(stats.sharpe_ratio),
        _double_text(stats.sortino_ratio),
        _percent(stats.probabilistic_sharpe_ratio, 3),
        _percent(stats.loss_rate, 0),
        _percent(stats.win_rate, 0),
        format_dotnet_decimal(round_decimal(stats.profit_loss_ratio, 2)),
        _double_text(stats.alpha),
        _double_text(stats.beta),
        _double_text(stats.annual_standard_deviation),
        _double_text(stats.annual_variance),
        _double_text(stats.information_ratio),
        _double_text(stats.tracking_error),
        _double_text(stats.treynor_ratio),
        currency_symbol + format_dotnet_decimal(fees if fees != 0 else abs(fees)),
        estimated_capacity if estimated_capacity is not None else currency_symbol + "0.00",
        lowest_capacity_asset,
        _percent(stats.portfolio_turnover, 2),
        str(stats.drawdown_recovery),
        order_list_hash,
    )
    return dict(zip(STATISTIC_NAMES, values, strict=True))


def runtime_statistics(
    *,
    equity: Number,
    fees: Number,
    holdings: Number,
    net_profit: Number,
    psr: str,
    return_fraction: Number,
    unrealized: Number,
    volume: Number,
    currency_symbol: str = "$",
) -> dict[str, str]:
    """LEAN's runtime statistics (``GetAlgorithmRuntimeStatistics``), keys sorted as LEAN's SortedDictionary:
    money as "N2" ("$104,486.22", fees as "-$3.49"), Return as "P" ("4.49 %")."""
    def money(value: Number) -> str:
        return currency_symbol + _format_number_with_separators(to_decimal(value))

    percent = _format_number_with_separators(to_decimal(return_fraction) * _HUNDRED)
    values = {
        "Equity": money(equity),
        "Fees": f"-{currency_symbol}{_format_number_with_separators(to_decimal(fees))}",
        "Holdings": money(holdings),
        "Net Profit": money(net_profit),
        "Probabilistic Sharpe Ratio": psr,
        "Return": f"{percent} %",
        "Unrealized": money(unrealized),
        "Volume": money(volume),
    }
    return dict(sorted(values.items()))


# ---------------------------------------------------------------------------------------------------------------
# Chart series
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candle:
    """One equity candlestick (SmartRounded OHLC), ``time`` in naive UTC."""

    time: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal

    def to_json(self) -> list[float | int]:
        """LEAN's candlestick JSON: [unix seconds, open, high, low, close]."""
        return [int(_unix_seconds(self.time)), float(self.open), float(self.high), float(self.low), float(self.close)]


Converter = Callable[[datetime, Any, Callable[[Number], Decimal]], Any]


class FloatMemo:
    """A memo of a conversion of numbers, ``function``, computing it once for each non-zero float; ints, Decimals
    and ±0.0 (equal keys of different signs) are passed to ``function`` every time. The engine series' inputs
    repeat: a daily portfolio value is the equity candle's close, the Return point's value and the next one's base,
    the Equity Drawdown's value (and often its running maximum) and the Portfolio Turnover's base; a sale volume is
    in two Turnover points; an equity flat over a weekend makes candles of one value."""

    __slots__ = ("_function", "_results")

    def __init__(self, function: Callable[[Number], Decimal]) -> None:
        self._function = function
        self._results: dict[float, Decimal] = {}

    def of(self, value: Number) -> Decimal:
        """``function(value)``."""
        if type(value) is not float or not value:
            return self._function(value)
        result = self._results.get(value)
        if result is None:
            result = self._results[value] = self._function(value)
        return result

    def clear(self) -> None:
        self._results.clear()


class _Series:
    """A chart series. Engine samples arrive as raw inputs (engine floats, tuples of them, equity bars) with the
    function that turns one into LEAN's point, ``convert(time, inputs, number)``, where ``number`` converts a number
    of the inputs (a :class:`FloatMemo` of the collector's: of :func:`to_decimal`, or for equity candles of their
    price); they are converted to decimals only when the series
    is read (a daily sample then costs a few appends, and the conversions run once). User plots arrive as finished
    points (``convert`` None)."""

    __slots__ = ("name", "unit", "index", "series_type", "_convert", "_number", "_times", "_inputs", "_points")

    def __init__(self, name: str, unit: str, index: int, series_type: int, convert: Converter | None,
                 number: Callable[[Number], Decimal]) -> None:
        self.name = name
        self.unit = unit
        self.index = index
        self.series_type = series_type
        self._convert = convert
        self._number = number
        self._times: list[datetime] = []
        self._inputs: list[Any] = []
        self._points: list[Any] = []  # Candle or (datetime, Decimal); the first len(_points) inputs converted

    @property
    def points(self) -> list[Any]:
        """The points, converting the inputs added since the last read."""
        done = len(self._points)
        if done < len(self._inputs):
            convert = self._convert
            assert convert is not None  # inputs wait for conversion only in engine series
            with localcontext(_DECIMAL_CONTEXT):
                self._points.extend(map(convert, self._times[done:], self._inputs[done:], repeat(self._number)))
        return self._points

    def add_if_later(self, time: datetime, inputs: Any) -> None:
        times = self._times
        if not times or time > times[-1]:
            times.append(time)
            self._inputs.append(inputs)

    def add_or_replace(self, time: datetime, inputs: Any) -> None:
        times = self._times
        if times and times[-1] == time:
            self._inputs[-1] = inputs
            del self._points[len(times) - 1:]
        else:
            times.append(time)
            self._inputs.append(inputs)

    def put_point(self, time: datetime, point: Decimal) -> None:
        """A finished point; it replaces a point at the same time."""
        points = self.points
        times = self._times
        if times and times[-1] == time:
            self._inputs[-1] = point
            points[-1] = (time, point)
        else:
            times.append(time)
            self._inputs.append(point)
            points.append((time, point))

    def to_json(self) -> dict[str, Any]:
        values: list[Any] = [
            p.to_json() if isinstance(p, Candle) else [int(round(_unix_seconds(p[0]))), float(p[1])]
            for p in self.points
        ]
        result: dict[str, Any] = {"name": self.name, "unit": self.unit, "index": self.index,
                                  "seriesType": self.series_type, "values": values}
        if self.series_type != _CANDLE:
            result.update({"color": "", "scatterMarkerSymbol": "none"})
        return result


def _benchmark_point(time: datetime, value: Number, decimal: Callable[[Number], Decimal]) -> tuple[datetime, Decimal]:
    """A Benchmark point: SmartRounding of the value as a decimal."""
    return time, smart_round_decimal(decimal(value))


def _return_point(time: datetime, values: tuple[Number, Number],
                  decimal: Callable[[Number], Decimal]) -> tuple[datetime, Decimal]:
    """A Return point from (portfolio value v, previous daily value d): Math.Round((v − d) × 100 / d, 10),
    SmartRounded (0 when d is 0)."""
    value, daily_value = values
    if daily_value == 0:
        return time, _ZERO
    daily = decimal(daily_value)
    return time, smart_round_decimal(round_decimal((decimal(value) - daily) * _HUNDRED / daily, 10))


def _drawdown_point(time: datetime, values: tuple[Number, Number],
                    decimal: Callable[[Number], Decimal]) -> tuple[datetime, Decimal]:
    """An Equity Drawdown point from (portfolio value v, its running maximum m ≠ 0): Math.Round((v / m − 1) × 100,
    2), SmartRounded."""
    value, cumulative_max = values
    return time, smart_round_decimal(round_decimal((decimal(value) / decimal(cumulative_max) - 1) * _HUNDRED, 2))


def _turnover_point(time: datetime, values: tuple[Number, Number, Number],
                    decimal: Callable[[Number], Decimal]) -> tuple[datetime, Decimal]:
    """A Portfolio Turnover point from (sale volume s, reference sale volume r, portfolio value v ≠ 0): (s − r) / v,
    SmartRounded."""
    sale_volume, reference, value = values
    return time, smart_round_decimal((decimal(sale_volume) - decimal(reference)) / decimal(value))


def _candle_price(value: Number, decimal: Callable[[Number], Decimal] = to_decimal) -> Decimal:
    """An equity candle's price: SmartRounding of Math.Round(value, 4), the value made a decimal by ``decimal``
    (:func:`to_decimal` or a memo of it)."""
    return smart_round_decimal(round_decimal(decimal(value), 4))


def _equity_candle(time: datetime, bar: _EquityBar, price: Callable[[Number], Decimal]) -> Candle:
    return bar.candle(time, price)


class _EquityBar:
    """The OHLC aggregate of portfolio values between two equity samples, as LEAN's Bar of Math.Round(value, 4):
    values rounding to zero are ignored. The values are folded by LEAN's per-value rule (a value above the high
    becomes the high, else one below the low the low; the last is the close) on the raw values: rounding is
    monotone, so comparing raw values picks the same open/high/low/close. They are converted only when the candle
    is taken."""

    __slots__ = ("open", "high", "low", "close")

    def __init__(self, values: Iterable[Number] = ()) -> None:
        open_: Number | None = None
        high: Number = 0
        low: Number = 0
        close: Number = 0
        for value in values:
            if -_ROUNDS_TO_ZERO <= value <= _ROUNDS_TO_ZERO:
                continue
            if open_ is None:
                open_ = high = low = value
            elif value > high:
                high = value
            elif value < low:
                low = value
            close = value
        self.open = open_
        self.high = high
        self.low = low
        self.close = close

    def check_finite(self, time: datetime) -> None:
        """Raise ValueError naming ``time`` when a value of the bar is not a finite number."""
        if self.open is not None:
            _check_finite("portfolio value", time, self.open, self.high, self.low, self.close)

    def candle(self, time: datetime, price: Callable[[Number], Decimal]) -> Candle:
        """The candle at ``time``, each value turned into its :func:`_candle_price` by ``price`` (that or a memo of
        it). The bar must hold finite values (:meth:`check_finite`: the collector checks every bar it keeps)."""
        if self.open is None:
            return Candle(time, _ZERO, _ZERO, _ZERO, _ZERO)
        return Candle(time, price(self.open), price(self.high), price(self.low), price(self.close))


@dataclass(frozen=True)
class BacktestStatistics:
    """Everything LEAN derives from the collected series at the end of a backtest."""

    summary: dict[str, str]
    portfolio: dict[str, float]
    trades: TradeStatistics
    charts: dict[str, Any]
    portfolio_decimals: PortfolioStatistics = field(default_factory=PortfolioStatistics)
    rolling: dict[str, PortfolioStatistics] = field(default_factory=dict)
    closed_trades: list[Trade] = field(default_factory=list)
    rolling_trades: dict[str, TradeStatistics] = field(default_factory=dict)


def plot_value(chart: str, series: str, value: Number) -> Decimal:
    """A user chart point's value as LEAN stores it (smart-rounded); a ValueError naming the chart and series for a
    value that is not a finite number."""
    try:
        return smart_round_decimal(to_decimal(value))
    except ValueError as error:
        raise ValueError(f"plot('{chart}', '{series}'): {error}") from None


class ResultCollector:
    """Collects LEAN's chart series during a backtest and turns them into statistics.

    Times are naive UTC datetimes. Values may be floats (converted with 15 significant digits, as C# converts a
    double to decimal) or Decimals (used as they are)."""

    def __init__(self, start_utc: datetime, end_utc: datetime, starting_capital: Number) -> None:
        total = end_utc - start_utc
        self.resample_period = max(_MINIMUM_SAMPLE_PERIOD, total / _SAMPLES_PER_BACKTEST)
        self.starting_capital = to_decimal(starting_capital)
        self._daily_value: Number = self.starting_capital
        self._cumulative_max: Number = self.starting_capital
        self._next_sample = datetime.min
        self._bar_values: list[Number] = []  # the portfolio values since the last equity point, one per time step
        self._sales_volumes: list[Number] = [_ZERO]  # newest first, at most 2
        self._previous_turnover_time: datetime | None = None
        self._profit_loss: dict[datetime, tuple[Decimal, bool]] = {}
        self._charts: dict[str, dict[str, _Series]] = {}
        self._decimals = FloatMemo(to_decimal)
        self._candle_prices = FloatMemo(partial(_candle_price, decimal=self._decimals.of))

    # -- feeding -------------------------------------------------------------------------------------------------

    def set_starting_capital(self, value: Number) -> None:
        """Re-capture the starting portfolio value after warm-up (resets the equity bar when it changed)."""
        new_value = to_decimal(value)
        if self._cumulative_max != new_value:
            self._cumulative_max = new_value
        if self._daily_value != new_value:
            self._daily_value = new_value
        if self.starting_capital != new_value:
            self.starting_capital = new_value
            self._bar_values.clear()

    def sample(self, utc_time: datetime, portfolio_value: Number, benchmark_value: Number,
               total_sale_volume: Number, *, is_start: bool = False, warming_up: bool = False) -> None:
        """A daily (midnight) or final sample: equity candle, daily return %, benchmark, drawdown, turnover.
        ``is_start``: the sample taken exactly at the start date (no turnover point). During warm-up the state is
        updated as LEAN does but no point is stored. A non-finite benchmark value counts as 0 (no price yet);
        a non-finite portfolio value raises ValueError naming the time. The values are kept as they come: the
        series convert them to decimals when read, and comparing them before conversion decides as comparing the
        decimals would (the conversion to 15 significant digits is monotone)."""
        value = portfolio_value
        if type(value) is not float or not math.isfinite(value):  # a finite float, the usual value, is taken as is
            _check_finite("portfolio value", utc_time, value)
        if isinstance(benchmark_value, float) and not math.isfinite(benchmark_value):
            benchmark_value = 0
        self._cumulative_max = max(value, self._cumulative_max)
        self._bar_values.append(value)
        self._sample_equity(utc_time, warming_up)
        if not warming_up:
            self._benchmark_series.add_if_later(utc_time, benchmark_value)
            self._return_series.add_if_later(utc_time, (value, self._daily_value))
            if self._cumulative_max != 0:
                self._drawdown_series.add_if_later(utc_time, (value, self._cumulative_max))
        if value != 0 and not is_start:
            if type(total_sale_volume) is not float or not math.isfinite(total_sale_volume):
                _check_finite("total sale volume", utc_time, total_sale_volume)
            self._sample_turnover(utc_time, value, total_sale_volume, warming_up)
        self._daily_value = value

    def on_time_step_end(self, utc_time: datetime, portfolio_value: Number, warming_up: bool = False, *,
                         force: bool = False) -> None:
        """End of a time step: the value joins the equity bar and, once per resample period (or when ``force``d at
        exit), an equity point is added. A step between two points costs one append and one comparison."""
        self._bar_values.append(portfolio_value)
        if utc_time > self._next_sample or force:
            self._next_sample = utc_time + self.resample_period
            self._sample_equity(utc_time, warming_up)

    def record_profit_loss(self, utc_time: datetime, amount: Number, is_win: bool | None = None) -> None:
        """LEAN's TransactionRecord: a closing fill's profit minus twice its fee; keys made unique by +1 ms."""
        value = to_decimal(amount)
        key = utc_time
        while key in self._profit_loss:
            key += timedelta(milliseconds=1)
        self._profit_loss[key] = (value, value > 0 if is_win is None else is_win)

    def plot(self, chart: str, series: str, utc_time: datetime, value: Number, series_type: int | None = None,
             unit: str = "$") -> None:
        """A user chart point (``self.plot``); a second point at the same time replaces the first, as LEAN does.
        LEAN caps custom series points per organisation tier; offline every point is kept."""
        kind = int(series_type) if series_type is not None else _LINE
        self._series(chart, series, 0, kind, unit).put_point(utc_time, plot_value(chart, series, value))

    # -- reading -------------------------------------------------------------------------------------------------

    @property
    def profit_loss(self) -> dict[datetime, float]:
        """The TransactionRecord, time-ordered."""
        return {t: float(v) for t, (v, _) in sorted(self._profit_loss.items())}

    def equity_points(self) -> list[tuple[datetime, Decimal]]:
        """(time, close) of every equity candle."""
        return [(c.time, c.close) for c in self._points("Strategy Equity", "Equity")]

    def charts_json(self) -> dict[str, Any]:
        """LEAN's chart JSON: {name: {"name", "chartType", "series": {name: series}}}."""
        return {
            name: {"name": name, "chartType": 0,   # ChartType.Overlay, LEAN's default
                   "series": {s.name: s.to_json() for s in series.values()}}
            for name, series in self._charts.items()
        }

    def statistics(self, *, total_fees: Number, total_orders: int, trading_days_per_year: int,
                   risk_free_rate: Callable[[datetime], Number], lowest_capacity_asset: str = "",
                   estimated_capacity: str | None = None, order_list_hash: str = "",
                   currency_symbol: str = "$", rolling_window: bool = True,
                   closed_trades: Sequence[Trade] = ()) -> BacktestStatistics:
        """LEAN's ``StatisticsBuilder.Generate``: the whole-backtest statistics and (``rolling_window``) the
        M1/M3/M6/M12 rolling ones keyed "M3_20131031". ``risk_free_rate(utc)`` returns the annual rate as a
        fraction; it is averaged over the equity-chart times of the period. The trade statistics of a period are
        those of the ``closed_trades`` whose exit (UTC) falls on its dates; the summary's win/loss figures come
        from the transaction record, not from the trades, as in LEAN."""
        from .trades import TradeStatistics  # trades imports this module's decimal conversion

        series = _SeriesSnapshot.take(self, risk_free_rate, trading_days_per_year, many_periods=rolling_window)
        stats = PortfolioStatistics()
        trades = _TradesByExit(closed_trades)
        period_trades: list[Trade] = []
        trade_stats = TradeStatistics()
        rolling: dict[str, PortfolioStatistics] = {}
        rolling_trades: dict[str, TradeStatistics] = {}
        if series.equity and series.aligned:
            first_date, last_date = series.equity[0][0].date(), series.equity[-1][0].date()
            stats = series.performance(first_date, last_date)
            period_trades = trades.exiting(first_date, last_date)
            trade_stats = TradeStatistics.of_facts(trades.facts_exiting(first_date, last_date))
            if rolling_window:
                for months in (1, 3, 6, 12):
                    for period_start, period_end in _period_ranges(months, first_date, last_date):
                        key = f"M{months}_{period_end:%Y%m%d}"
                        rolling[key] = series.performance(period_start, period_end)
                        has_equity = series.has_equity(period_start, period_end)
                        rolling_trades[key] = TradeStatistics.of_facts(
                            trades.facts_exiting(period_start, period_end) if has_equity else ())
        elif series.equity:
            stats = PortfolioStatistics(start_equity=self.starting_capital, end_equity=series.equity[-1][1])
        summary = build_summary(stats, total_fees=to_decimal(total_fees), total_orders=total_orders,
                                currency_symbol=currency_symbol, estimated_capacity=estimated_capacity,
                                lowest_capacity_asset=lowest_capacity_asset, order_list_hash=order_list_hash)
        portfolio = {k: float(v) for k, v in stats.to_camel_dict().items()}
        charts = self.charts_json()
        self._decimals.clear()  # every series is converted: the points hold the decimals they use
        self._candle_prices.clear()
        return BacktestStatistics(summary=summary, portfolio=portfolio, trades=trade_stats,
                                  charts=charts, portfolio_decimals=stats, rolling=rolling,
                                  closed_trades=period_trades, rolling_trades=rolling_trades)

    # -- internals -----------------------------------------------------------------------------------------------

    def _series(self, chart: str, name: str, index: int, series_type: int, unit: str = "$",
                convert: Converter | None = None, number: Callable[[Number], Decimal] | None = None) -> _Series:
        """The series, created on first use; ``convert`` (engine series) turns its inputs into points with
        ``number`` (the memo of :func:`to_decimal` unless given)."""
        chart_series = self._charts.get(chart)
        if chart_series is None:
            chart_series = self._charts[chart] = {}
        series = chart_series.get(name)
        if series is None:
            series = chart_series[name] = _Series(name, unit, index, int(series_type), convert,
                                                  number or self._decimals.of)
        elif series._convert is None and convert is not None:
            series._convert = convert  # a user plot created it
            series._number = number or self._decimals.of
        return series

    # the engine's own series, each created (`_series`) when first written to, so that the charts keep the order in
    # which a run first writes them, and looked up once
    @cached_property
    def _equity_series(self) -> _Series:
        return self._series("Strategy Equity", "Equity", 0, _CANDLE, convert=_equity_candle,
                            number=self._candle_prices.of)

    @cached_property
    def _return_series(self) -> _Series:
        return self._series("Strategy Equity", "Return", 1, _BAR, "%", convert=_return_point)

    @cached_property
    def _benchmark_series(self) -> _Series:
        return self._series("Benchmark", "Benchmark", 0, _LINE, convert=_benchmark_point)

    @cached_property
    def _drawdown_series(self) -> _Series:
        return self._series("Drawdown", "Equity Drawdown", 0, _LINE, "%", convert=_drawdown_point)

    @cached_property
    def _turnover_series(self) -> _Series:
        return self._series("Portfolio Turnover", "Portfolio Turnover", 0, _LINE, "%", convert=_turnover_point)

    def _points(self, chart: str, series: str) -> list[Any]:
        found = self._charts.get(chart, {}).get(series)
        return list(found.points) if found else []

    def _sample_equity(self, utc_time: datetime, warming_up: bool) -> None:
        bar = _EquityBar(self._bar_values)
        bar.check_finite(utc_time)
        self._bar_values.clear()
        if not warming_up:
            self._equity_series.add_if_later(utc_time, bar)

    def _sample_turnover(self, utc_time: datetime, value: Number, sale_volume: Number, warming_up: bool) -> None:
        if self._previous_turnover_time == utc_time and len(self._sales_volumes) > 1:
            reference = self._sales_volumes[1]
        else:
            reference = self._sales_volumes[0]
        self._sales_volumes = [sale_volume, *self._sales_volumes[:1]]
        self._previous_turnover_time = utc_time
        if not warming_up:
            self._turnover_series.add_or_replace(utc_time, (sale_volume, reference, value))


@dataclass(frozen=True)
class _SeriesSnapshot:
    """The collected series, time-sorted, with what a period's statistics need (LEAN's GetAlgorithmPerformance)."""

    equity: list[tuple[datetime, Decimal]]
    performance_points: list[tuple[datetime, Decimal]]
    benchmark_points: list[tuple[datetime, Decimal]]
    turnover_points: list[tuple[datetime, Decimal]]
    records: list[tuple[datetime, Decimal, bool]]
    rates: list[Decimal]               # the risk-free rate at each equity point
    equity_floats: np.ndarray | None   # the equity values, when floats order them exactly
    return_fractions: np.ndarray       # Return points / 100
    benchmark_changes: np.ndarray      # [i]: change from benchmark point i-1 to i ([0] unused)
    starting_capital: Decimal
    trading_days_per_year: int

    @classmethod
    def take(cls, collector: ResultCollector, risk_free_rate: Callable[[datetime], Number],
             trading_days_per_year: int, many_periods: bool = True) -> _SeriesSnapshot:
        """The snapshot; ``many_periods``: the rolling windows will ask for ~1200 periods, worth the equity's
        floats (one period does not repay them)."""
        equity = collector.equity_points()
        performance_points = collector._points("Strategy Equity", "Return")
        benchmark_values = [v for _, v in collector._points("Benchmark", "Benchmark")]
        with localcontext(_DECIMAL_CONTEXT):
            return_fractions = [float(v / _HUNDRED) for _, v in performance_points]
            benchmark_changes = [0.0] + [0.0 if prev == 0 else float((cur - prev) / prev)
                                         for prev, cur in zip(benchmark_values, benchmark_values[1:], strict=False)]
        return cls(
            equity=equity,
            performance_points=performance_points,
            benchmark_points=collector._points("Benchmark", "Benchmark"),
            turnover_points=collector._points("Portfolio Turnover", "Portfolio Turnover"),
            records=[(t, v, win) for t, (v, win) in sorted(collector._profit_loss.items())],
            rates=[to_decimal(risk_free_rate(time)) for time, _ in equity],
            equity_floats=(np.array([float(value) for _, value in equity], dtype=float)
                           if many_periods and _orders_exactly_as_floats([value for _, value in equity]) else None),
            starting_capital=collector.starting_capital,
            trading_days_per_year=trading_days_per_year,
            return_fractions=np.array(return_fractions, dtype=float),
            benchmark_changes=np.array(benchmark_changes, dtype=float),
        )

    @property
    def aligned(self) -> bool:
        return bool(self.performance_points) and len(self.performance_points) == len(self.benchmark_points)

    def has_equity(self, from_date: date, to_date: date) -> bool:
        period = _date_slice(self.equity, from_date, to_date)
        return period.stop > period.start

    def performance(self, from_date: date, to_date: date) -> PortfolioStatistics:
        """Statistics of the points dated (UTC) from ``from_date`` to ``to_date`` inclusive."""
        equity_range = _date_slice(self.equity, from_date, to_date)
        period_equity = self.equity[equity_range]
        if not period_equity:
            return PortfolioStatistics()
        performance_range = _date_slice(self.performance_points, from_date, to_date)
        benchmark_range = _date_slice(self.benchmark_points, from_date, to_date)
        if performance_range.stop - performance_range.start != benchmark_range.stop - benchmark_range.start:
            raise ValueError(f"benchmark and performance series are misaligned from {from_date} to {to_date}")
        # LEAN drops the first two returns of the period and the first benchmark change inside the period.
        performance = self.return_fractions[performance_range.start + 2:performance_range.stop]
        benchmark = self.benchmark_changes[benchmark_range.start + 2:benchmark_range.stop]
        records = [(v, win) for _, v, win in self.records[_date_slice(self.records, from_date, to_date)]]
        with localcontext(_DECIMAL_CONTEXT):
            average_rate = sum(self.rates[equity_range], _ZERO) / len(period_equity)
        whole = len(period_equity) == len(self.equity)
        return compute_portfolio_statistics(
            profit_loss=[v for v, _ in records], equity=period_equity,
            turnover=[v for _, v in self.turnover_points[_date_slice(self.turnover_points, from_date, to_date)]],
            performance=performance, benchmark=benchmark,
            starting_capital=self.starting_capital if whole else period_equity[0][1],
            risk_free_rate=average_rate, trading_days_per_year=self.trading_days_per_year,
            win_count=sum(1 for _, win in records if win), loss_count=sum(1 for _, win in records if not win),
            equity_floats=None if self.equity_floats is None else self.equity_floats[equity_range],
        )


def _date_slice(points: Sequence[tuple[Any, ...]], from_date: date, to_date: date) -> slice:
    """The index range of the time-sorted points whose date lies in [from_date, to_date]."""
    low = bisect_left(points, datetime.combine(from_date, time_of_day.min), key=_point_time)
    high = bisect_left(points, datetime.combine(to_date + timedelta(days=1), time_of_day.min), key=_point_time)
    return slice(low, high)


def _point_time(point: tuple[Any, ...]) -> datetime:
    return point[0]


def _period_ranges(months: int, first_date: date, last_date: date) -> list[tuple[date, date]]:
    """LEAN's rolling periods: month ends from ``last_date`` back to ``first_date``, each period spanning
    ``months`` months up to its end (the first and last periods partial)."""
    end_dates = []
    current = last_date
    while True:
        end_dates.append(current)
        current = current.replace(day=1) - timedelta(days=1)
        if current < first_date:
            break
    ranges = [(first_date, end_dates[-1])]
    for end in reversed(end_dates[:-1]):
        next_month_start = ranges[-1][1] + timedelta(days=1)
        month_index = next_month_start.year * 12 + next_month_start.month - 1 + (1 - months)
        start = date(month_index // 12, month_index % 12 + 1, 1)
        ranges.append((max(start, first_date), end))
    return ranges


class _TradesByExit:
    """Closed trades ordered by exit time (UTC; equal times keep their closing order), sliced by exit date with two
    bisections: the rolling windows ask for a few hundred ranges. Each trade's facts are taken once."""

    def __init__(self, trades: Sequence[Trade]) -> None:
        from .trades import TradeFacts  # trades imports this module's decimal conversion

        self._trades = sorted(trades, key=lambda trade: trade.exit_time)
        self._facts = [TradeFacts.of(trade) for trade in self._trades]
        self._dates = [trade.exit_time.date() for trade in self._trades]

    def _range(self, from_date: date, to_date: date) -> slice:
        return slice(bisect_left(self._dates, from_date), bisect_right(self._dates, to_date))

    def exiting(self, from_date: date, to_date: date) -> list[Trade]:
        """The trades whose exit date is from ``from_date`` to ``to_date`` inclusive."""
        return self._trades[self._range(from_date, to_date)]

    def facts_exiting(self, from_date: date, to_date: date) -> list[TradeFacts]:
        """The facts of :meth:`exiting`'s trades."""
        return self._facts[self._range(from_date, to_date)]
