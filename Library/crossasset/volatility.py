"""Realised volatility of a price series and volatility-target sizing."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt


def annualized_volatility(prices: npt.ArrayLike, window: int = 60, periods_per_year: int = 252) -> float:
    """Annualised volatility σ = std₀(r) × √periods_per_year of the last `window` simple returns.

    Prices are ordered oldest→newest; r_t = p_t / p_{t−1} − 1 over the last window + 1 prices, and std₀ is
    the population standard deviation (ddof=0), as np.std computes it.

    Difference from seed 001: its SymbolData.volatility() takes the 60 most recent prices, i.e. 59 returns;
    here `window` counts returns, so window=60 uses 61 prices (pass window=59 to reproduce the seed).

    Returns NaN when fewer than window + 1 prices are given or when any of the last window + 1 prices is
    non-finite or not strictly positive (a return is then undefined); never raises for such data.
    Raises ValueError for window < 1 or periods_per_year <= 0.
    """
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    if not periods_per_year > 0:
        raise ValueError(f"periods_per_year must be positive, got {periods_per_year!r}")
    series = np.asarray(prices, dtype=np.float64).reshape(-1)
    if series.size < window + 1:
        return math.nan
    recent = series[-(window + 1) :]
    if not np.all(np.isfinite(recent)) or np.any(recent <= 0.0):
        return math.nan
    returns = recent[1:] / recent[:-1] - 1.0
    return float(np.std(returns) * math.sqrt(periods_per_year))


def volatility_target_scale(target_volatility: float, realized_volatility: float, max_leverage: float) -> float:
    """Exposure multiplier s = min(target_volatility / realized_volatility, max_leverage).

    A realised volatility that is zero, negative, NaN or infinite gives 0.0: without a measurable risk the
    position is not sized up (no division, no infinite leverage). Raises ValueError for a target that is not
    finite and ≥ 0, or a cap that is not finite and > 0.
    """
    if not (math.isfinite(target_volatility) and target_volatility >= 0.0):
        raise ValueError(f"target_volatility must be finite and >= 0, got {target_volatility!r}")
    if not (math.isfinite(max_leverage) and max_leverage > 0.0):
        raise ValueError(f"max_leverage must be finite and > 0, got {max_leverage!r}")
    if not (math.isfinite(realized_volatility) and realized_volatility > 0.0):
        return 0.0
    return min(target_volatility / realized_volatility, max_leverage)
