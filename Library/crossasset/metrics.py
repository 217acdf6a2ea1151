"""Research metrics of an equity curve or a series of periodic simple returns.

Equity curves must be finite and strictly positive; returns finite. Bad input raises ValueError naming the
argument; a ratio whose denominator is zero is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _equity(equity: npt.ArrayLike) -> FloatArray:
    curve = np.asarray(equity, dtype=np.float64).reshape(-1)
    if curve.size < 2:
        raise ValueError(f"equity needs at least 2 values, got {curve.size}")
    if not np.all(np.isfinite(curve)) or np.any(curve <= 0.0):
        raise ValueError("equity must be finite and strictly positive")
    return curve


def _returns(returns: npt.ArrayLike, minimum: int = 1) -> FloatArray:
    series = np.asarray(returns, dtype=np.float64).reshape(-1)
    if series.size < minimum:
        raise ValueError(f"returns need at least {minimum} values, got {series.size}")
    if not np.all(np.isfinite(series)):
        raise ValueError("returns hold NaN or infinite values")
    return series


def total_return(equity: npt.ArrayLike) -> float:
    """E_last / E_first − 1."""
    curve = _equity(equity)
    return float(curve[-1] / curve[0] - 1.0)


def cagr(equity: npt.ArrayLike, periods_per_year: float = 252) -> float:
    """Compound annual growth (E_last / E_first) ** (periods_per_year / (n − 1)) − 1 for n equity points."""
    curve = _equity(equity)
    return float((curve[-1] / curve[0]) ** (periods_per_year / (curve.size - 1)) - 1.0)


def return_volatility(returns: npt.ArrayLike, periods_per_year: float = 252) -> float:
    """Annualised volatility std(r, ddof=1) × √periods_per_year."""
    series = _returns(returns, 2)
    return float(np.std(series, ddof=1) * math.sqrt(periods_per_year))


def sharpe_ratio(returns: npt.ArrayLike, risk_free: float = 0.0, periods_per_year: float = 252) -> float:
    """mean(r − r_f) / std(r − r_f, ddof=1) × √periods_per_year, r_f per period; NaN when the std is 0."""
    excess = _returns(returns, 2) - risk_free
    deviation = float(np.std(excess, ddof=1))
    return float(excess.mean() / deviation * math.sqrt(periods_per_year)) if deviation > 0.0 else math.nan


def sortino_ratio(returns: npt.ArrayLike, risk_free: float = 0.0, periods_per_year: float = 252) -> float:
    """mean(r − r_f) / DD × √periods_per_year, DD = √(mean(min(r − r_f, 0)²)) over all periods; NaN if DD = 0."""
    excess = _returns(returns, 1) - risk_free
    downside = math.sqrt(float(np.mean(np.minimum(excess, 0.0) ** 2)))
    return float(excess.mean() / downside * math.sqrt(periods_per_year)) if downside > 0.0 else math.nan


@dataclass(frozen=True)
class DrawdownStats:
    """Deepest drawdown (≤ 0, e.g. −0.12), its peak and trough indices, and the longest drawdown duration.

    duration = periods from a peak until the equity first regains it (or until the last point when it never
    does); the longest over all drawdowns. peak_index is the first time the pre-trough high was reached.
    """

    max_drawdown: float
    peak_index: int
    trough_index: int
    max_duration: int


def drawdown_stats(equity: npt.ArrayLike) -> DrawdownStats:
    """Drawdown D_t = E_t / max_{s≤t} E_s − 1; max_drawdown = min_t D_t. See DrawdownStats for the rest."""
    curve = _equity(equity)
    running_peak = np.maximum.accumulate(curve)
    drawdown = curve / running_peak - 1.0
    trough = int(np.argmin(drawdown))
    peak = int(np.argmax(curve[: trough + 1]))
    longest = 0
    last_peak = 0
    for index in range(1, curve.size):
        if curve[index] >= running_peak[index - 1]:
            if index - last_peak > 1:
                longest = max(longest, index - last_peak)
            last_peak = index
    if drawdown[-1] < 0.0:
        longest = max(longest, curve.size - 1 - last_peak)
    return DrawdownStats(float(drawdown[trough]), peak, trough, longest)


def max_drawdown(equity: npt.ArrayLike) -> float:
    """min_t (E_t / max_{s≤t} E_s − 1), a non-positive fraction."""
    return drawdown_stats(equity).max_drawdown


def calmar_ratio(equity: npt.ArrayLike, periods_per_year: float = 252) -> float:
    """CAGR / |max drawdown|; NaN when there is no drawdown."""
    depth = max_drawdown(equity)
    return cagr(equity, periods_per_year) / abs(depth) if depth < 0.0 else math.nan


def historical_var(returns: npt.ArrayLike, level: float = 0.95) -> float:
    """Historical value at risk as a positive loss: VaR = −q_{1−level}(r), q with linear interpolation
    (numpy's default quantile)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(-np.quantile(_returns(returns), 1.0 - level))


def historical_cvar(returns: npt.ArrayLike, level: float = 0.95) -> float:
    """Expected shortfall as a positive loss: −mean(r | r ≤ −VaR_level)."""
    series = _returns(returns)
    threshold = -historical_var(series, level)
    return float(-series[series <= threshold].mean())


def hit_rate(returns: npt.ArrayLike) -> float:
    """Share of winning periods among periods with a non-zero return: #(r > 0) / #(r ≠ 0); NaN when all are 0."""
    series = _returns(returns)
    active = int(np.count_nonzero(series))
    return float(np.count_nonzero(series > 0.0) / active) if active else math.nan


def average_win_loss(returns: npt.ArrayLike) -> tuple[float, float]:
    """(mean of the positive returns, mean of the negative returns); NaN for a side with no period."""
    series = _returns(returns)
    wins = series[series > 0.0]
    losses = series[series < 0.0]
    return (float(wins.mean()) if wins.size else math.nan, float(losses.mean()) if losses.size else math.nan)


def turnover(weights: npt.ArrayLike) -> float:
    """Mean two-sided turnover per period, mean_t Σ_i |w_{t,i} − w_{t−1,i}|, of a (periods × assets) array."""
    history = np.asarray(weights, dtype=np.float64)
    if history.ndim != 2 or history.shape[0] < 2:
        raise ValueError(f"weights must be a (periods x assets) array with at least 2 periods, got {history.shape}")
    if not np.all(np.isfinite(history)):
        raise ValueError("weights hold NaN or infinite values")
    return float(np.abs(np.diff(history, axis=0)).sum(axis=1).mean())
