"""Engle-Granger and half-life against statsmodels and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from crossasset import engle_granger, half_life
from statsmodels.tools.sm_exceptions import CollinearityWarning
from statsmodels.tsa.stattools import coint


def cointegrated_pair(seed: int, size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = 100.0 + np.cumsum(rng.normal(0.0, 1.0, size))
    spread = np.zeros(size)
    for t in range(1, size):
        spread[t] = 0.8 * spread[t - 1] + rng.normal(0.0, 0.5)
    return 3.0 + 1.7 * x + spread, x


def test_engle_granger_matches_statsmodels() -> None:
    y, x = cointegrated_pair(20)
    result = engle_granger(y, x)
    statistic, pvalue, _ = coint(y, x)
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.pvalue == pytest.approx(pvalue, rel=1e-12)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    assert result.intercept == pytest.approx(fit.params[0], rel=1e-9)
    assert result.hedge_ratio == pytest.approx(fit.params[1], rel=1e-9)
    assert result.half_life == pytest.approx(half_life(fit.resid), rel=1e-9)
    assert result.is_cointegrated()
    # AR(1) coefficient 0.8 → half-life −ln 2 / ln 0.8 ≈ 3.1 periods
    assert result.half_life == pytest.approx(-math.log(2) / math.log(0.8), rel=0.25)


def test_engle_granger_independent_random_walks_are_not_cointegrated() -> None:
    rng = np.random.default_rng(21)
    y = np.cumsum(rng.normal(size=500))
    x = np.cumsum(rng.normal(size=500))
    assert not engle_granger(y, x).is_cointegrated()


def test_engle_granger_rejects_bad_input() -> None:
    y, x = cointegrated_pair(22, 50)
    with pytest.raises(ValueError, match="same length"):
        engle_granger(y, x[:-1])
    with pytest.raises(ValueError, match="x holds NaN"):
        engle_granger(y, np.where(np.arange(50) == 3, np.nan, x))
    with pytest.raises(ValueError, match="at least 20"):
        engle_granger(y[:10], x[:10])
    with pytest.raises(ValueError, match="constant"):
        engle_granger(y, np.ones(50))


def test_engle_granger_exact_linear_relation_follows_statsmodels() -> None:
    x = 50.0 + np.cumsum(np.random.default_rng(24).normal(size=100))
    with pytest.warns(CollinearityWarning):
        result = engle_granger(2.0 * x + 1.0, x)
    assert result.statistic == -math.inf and result.pvalue == 0.0
    assert (result.hedge_ratio, result.intercept) == pytest.approx((2.0, 1.0))


def test_half_life_of_exact_geometric_decay() -> None:
    phi = 0.9
    spread = 5.0 * phi ** np.arange(40)  # Δs_t = (φ − 1) s_{t−1} exactly
    assert half_life(spread) == pytest.approx(-math.log(2) / math.log(phi), rel=1e-9)


def test_half_life_matches_statsmodels_regression() -> None:
    rng = np.random.default_rng(23)
    spread = np.zeros(300)
    for t in range(1, 300):
        spread[t] = 0.95 * spread[t - 1] + rng.normal()
    slope = sm.OLS(np.diff(spread), sm.add_constant(spread[:-1])).fit().params[1]
    assert half_life(spread) == pytest.approx(-math.log(2) / math.log(1 + slope), rel=1e-9)


def test_half_life_boundaries() -> None:
    assert half_life(1.1 ** np.arange(30)) == math.inf  # b > 0: diverging
    assert half_life(np.ones(10)) == math.inf  # constant: b undefined
    assert half_life(3.0 * (-1.0) ** np.arange(30)) == 0.0  # b = −2 ≤ −1
    with pytest.raises(ValueError, match="at least 3"):
        half_life([1.0, 2.0])
    with pytest.raises(ValueError, match="spread holds NaN"):
        half_life([1.0, np.nan, 2.0, 3.0])
