"""Momentum signals: trailing returns, time-series, cross-sectional, dual and multi-lookback momentum."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt


def _check_count(value: int, minimum: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _price_array(prices: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(prices, dtype=np.float64).reshape(-1)


def trailing_return(prices: npt.ArrayLike, lookback: int) -> float:
    """Seed 001's "performance": newest / oldest − 1 over a window of `lookback` prices.

    Prices are ordered oldest→newest; with p the last `lookback` of them the result is p[-1] / p[0] − 1,
    i.e. a return over lookback − 1 intervals (the seed reads RollingWindow[period], newest first, as
    price[0] / price[period − 1] − 1). NaN when fewer than `lookback` prices are given or either end price
    is non-finite or the oldest is not positive. Raises ValueError for lookback < 2.
    """
    size = _check_count(lookback, 2, "lookback")
    series = _price_array(prices)
    if series.size < size:
        return math.nan
    newest, oldest = float(series[-1]), float(series[-size])
    if not (math.isfinite(newest) and math.isfinite(oldest) and oldest > 0.0):
        return math.nan
    return newest / oldest - 1.0


def lookback_return(prices: npt.ArrayLike, lookback: int, skip: int = 0) -> float:
    """Return over `lookback` intervals ending `skip` periods ago: p[t−skip] / p[t−skip−lookback] − 1.

    Prices are ordered oldest→newest with t the last index; this equals pandas
    `prices.shift(skip).pct_change(lookback)` at the last row. NaN when fewer than lookback + skip + 1
    prices are given or either price is non-finite or the older one is not positive.
    Raises ValueError for lookback < 1 or skip < 0.
    """
    intervals = _check_count(lookback, 1, "lookback")
    skipped = _check_count(skip, 0, "skip")
    series = _price_array(prices)
    if series.size < intervals + skipped + 1:
        return math.nan
    newest = float(series[series.size - 1 - skipped])
    oldest = float(series[series.size - 1 - skipped - intervals])
    if not (math.isfinite(newest) and math.isfinite(oldest) and oldest > 0.0):
        return math.nan
    return newest / oldest - 1.0


def time_series_signal(trailing: float, allow_short: bool = False, threshold: float = 0.0) -> int:
    """Time-series momentum: +1 when trailing > threshold, else −1 if allow_short, else 0 (cash).

    A NaN trailing return (not enough history) gives 0.
    """
    if math.isnan(trailing):
        return 0
    if trailing > threshold:
        return 1
    return -1 if allow_short else 0


def _ranked(returns: Mapping[str, float]) -> list[str]:
    """Assets with a finite return, best first; ties keep the mapping's order (stable sort)."""
    finite = [asset for asset, value in returns.items() if math.isfinite(value)]
    return sorted(finite, key=lambda asset: -returns[asset])


def cross_sectional_signals(returns: Mapping[str, float], top_n: int, bottom_n: int = 0) -> dict[str, int]:
    """Cross-sectional momentum: +1 for the top_n assets by return, −1 for the bottom_n, 0 otherwise.

    Ranking is by return, descending; ties are broken by the order of `returns` (earlier ranks higher),
    so the result is deterministic. Assets with a non-finite return are excluded and get 0. An asset is
    never both long and short: the shorts are taken from the bottom of the assets not already long.
    Raises ValueError for a negative top_n or bottom_n.
    """
    longs = _check_count(top_n, 0, "top_n")
    shorts = _check_count(bottom_n, 0, "bottom_n")
    ranking = _ranked(returns)
    signals = {asset: 0 for asset in returns}
    chosen_long = ranking[:longs]
    for asset in chosen_long:
        signals[asset] = 1
    remaining = ranking[len(chosen_long) :]
    for asset in remaining[len(remaining) - min(shorts, len(remaining)) :]:
        signals[asset] = -1
    return signals


def dual_momentum_weights(
    returns: Mapping[str, float], risk_free_return: float, top_n: int = 1, cash_asset: str | None = None
) -> dict[str, float]:
    """Antonacci's dual momentum: absolute filter r_i > r_f, then the top_n survivors by return, 1/top_n each.

    `risk_free_return` must be over the same horizon as the asset returns. Ranking ties keep the order of
    `returns`. When fewer than top_n assets pass, each unused 1/top_n slot goes to `cash_asset` (when all
    fail the cash asset gets 1.0); with cash_asset=None those slots stay uninvested. The result has an
    entry for every asset of `returns` plus the cash asset. Non-finite returns never pass.
    Raises ValueError for top_n < 1 or a NaN risk-free return.
    """
    slots = _check_count(top_n, 1, "top_n")
    if math.isnan(risk_free_return):
        raise ValueError("risk_free_return is NaN")
    passed = {asset: value for asset, value in returns.items() if math.isfinite(value) and value > risk_free_return}
    chosen = _ranked(passed)[:slots]
    weights = {asset: 0.0 for asset in returns}
    for asset in chosen:
        weights[asset] = 1.0 / slots
    if cash_asset is not None:
        weights[cash_asset] = weights.get(cash_asset, 0.0) + (slots - len(chosen)) / slots
    return weights


def multi_lookback_momentum(
    prices: npt.ArrayLike,
    lookbacks: Sequence[int] = (7, 30, 90),
    weights: Sequence[float] = (0.3, 0.4, 0.3),
    skip: int = 1,
) -> float:
    """Weighted blend of lookback returns skipping the most recent `skip` periods: Σ_k w_k · R(L_k, skip).

    R(L, skip) = lookback_return(prices, L, skip) = p[t−skip] / p[t−skip−L] − 1 (seed 003's crypto momentum
    with shift(skip).pct_change(L)). NaN when any component is NaN (not enough history).
    Raises ValueError when lookbacks and weights differ in length or are empty, or a weight is not finite.
    """
    if len(lookbacks) != len(weights) or not lookbacks:
        raise ValueError(f"lookbacks and weights must be non-empty and of equal length, got {lookbacks}, {weights}")
    if not all(math.isfinite(weight) for weight in weights):
        raise ValueError(f"weights must be finite, got {weights}")
    return float(
        sum(
            weight * lookback_return(prices, lookback, skip)
            for lookback, weight in zip(lookbacks, weights, strict=True)
        )
    )
