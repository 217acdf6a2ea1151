"""Engle-Granger cointegration test and the mean-reversion half-life of a spread."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from statsmodels.tsa.stattools import coint  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]


def _finite_series(values: npt.ArrayLike, name: str, minimum: int) -> FloatArray:
    series = np.asarray(values, dtype=np.float64).reshape(-1)
    if series.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {series.size}")
    if not np.all(np.isfinite(series)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return series


def half_life(spread: npt.ArrayLike) -> float:
    """Mean-reversion half-life in periods from the OLS fit Δs_t = a + b·s_{t−1} + ε_t.

    half_life = −ln 2 / ln(1 + b); +inf when b ≥ 0 (no mean reversion), 0.0 when b ≤ −1 (the spread
    fully reverts, or overshoots, within one period). Needs at least 3 finite values (ValueError otherwise);
    a constant spread has b undefined and gives +inf.
    """
    series = _finite_series(spread, "spread", 3)
    lagged = series[:-1]
    change = np.diff(series)
    centred = lagged - lagged.mean()
    denominator = float(centred @ centred)
    if denominator == 0.0:
        return math.inf
    slope = float(centred @ (change - change.mean())) / denominator
    if slope >= 0.0:
        return math.inf
    if slope <= -1.0:
        return 0.0
    return -math.log(2.0) / math.log1p(slope)


@dataclass(frozen=True)
class EngleGrangerResult:
    """Engle-Granger two-step result: ADF statistic and MacKinnon p-value of the residual of y = α + βx."""

    statistic: float
    pvalue: float
    hedge_ratio: float
    intercept: float
    half_life: float

    def is_cointegrated(self, significance: float = 0.05) -> bool:
        """True when the p-value is below `significance`."""
        return self.pvalue < significance


def engle_granger(y: npt.ArrayLike, x: npt.ArrayLike) -> EngleGrangerResult:
    """Engle-Granger test of y against x: OLS y_t = α + β x_t + e_t, then an ADF test on e_t.

    statistic and pvalue are statsmodels.tsa.stattools.coint(y, x) (constant, AIC lag selection, MacKinnon
    p-value); hedge_ratio = β, intercept = α, half_life = half_life(e) for the spread e = y − α − βx.
    An exact linear relation y = α + βx gives statsmodels' statistic −inf and p-value 0 (with its
    CollinearityWarning); the half-life of such a rounding-level residual is meaningless.
    Raises ValueError when the series differ in length, hold non-finite values, have fewer than 20 points,
    or x is constant.
    """
    y_series = _finite_series(y, "y", 20)
    x_series = _finite_series(x, "x", 20)
    if y_series.size != x_series.size:
        raise ValueError(f"y and x must have the same length, got {y_series.size} and {x_series.size}")
    x_centred = x_series - x_series.mean()
    x_variation = float(x_centred @ x_centred)
    if x_variation == 0.0:
        raise ValueError("x is constant: the hedge ratio is undefined")
    beta = float(x_centred @ (y_series - y_series.mean())) / x_variation
    alpha = float(y_series.mean() - beta * x_series.mean())
    statistic, pvalue, _ = coint(y_series, x_series)
    residual = y_series - alpha - beta * x_series
    return EngleGrangerResult(
        statistic=float(statistic),
        pvalue=float(pvalue),
        hedge_ratio=beta,
        intercept=alpha,
        half_life=half_life(residual),
    )
