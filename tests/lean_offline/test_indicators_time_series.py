"""ARIMA (LEAN's two-step least-squares fit) against an independent numpy least-squares computation."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.indicators import AutoRegressiveIntegratedMovingAverage
from lean_offline.indicators.time_series import difference_series, inverse_difference

START = datetime(2020, 1, 1)


def reference_forecast(window_newest_first: np.ndarray, p: int, q: int, intercept: bool) -> float:
    """The forecast written out with np.linalg.lstsq (SVD) instead of the normal equations, d = 1."""
    x = window_newest_first[:-1] - window_newest_first[1:]
    n = len(x)
    lag_rows = np.array([[x[t - j] for j in range(1, p + 1)] for t in range(p, n)])
    phi = np.linalg.lstsq(lag_rows, x[p:], rcond=None)[0]
    residuals = np.concatenate([np.zeros(p), x[p:] - lag_rows @ phi])
    if q == 0:
        return float(window_newest_first[0] + phi @ x[:p])
    error_rows = np.array([[residuals[t - j] for j in range(1, q + 1)] for t in range(q, n)])
    design = np.column_stack([lag_rows[:len(error_rows)], error_rows])
    if intercept:
        design = np.column_stack([np.ones(len(design)), design])
    beta = np.linalg.lstsq(design, x[q:], rcond=None)[0]
    c, coefficients = (beta[0], beta[1:]) if intercept else (0.0, beta)
    forecast = coefficients[:p] @ x[:p] + sum(coefficients[p + i] * residuals[q + i + 1] for i in range(q)) + c
    return float(window_newest_first[0] + forecast)


@pytest.mark.parametrize(("p", "q", "intercept"), [(1, 1, True), (1, 0, True), (1, 2, False), (2, 2, True), (3, 0, False)])
def test_arima_forecast_matches_a_least_squares_reference(p: int, q: int, intercept: bool) -> None:
    period = 30
    prices = 100 + np.cumsum(np.random.default_rng(p * 10 + q).normal(0, 1, 60))
    arima = AutoRegressiveIntegratedMovingAverage("arima", p, 1, q, period, intercept)
    for i, price in enumerate(prices):
        arima.update(START + timedelta(days=i), float(price))
        assert arima.is_ready == (i + 1 >= period)
        if not arima.is_ready:
            assert arima.current.value == 0.0
            continue
        window = prices[i - period + 1:i + 1][::-1]
        assert arima.current.value == pytest.approx(reference_forecast(window, p, q, intercept), rel=1e-9)
    assert arima.warm_up_period == period and len(arima.ar_parameters) == p and len(arima.ma_parameters) == q


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=2, max_size=40))
def test_first_difference_is_undone_by_the_inverse(values: list[float]) -> None:
    series = np.array(values)
    differenced, heads = difference_series(1, series)
    assert np.allclose(differenced, series[:-1] - series[1:])
    assert np.allclose(inverse_difference(differenced, heads), series, rtol=1e-9, atol=1e-6)


def test_arima_rejects_orders_lean_rejects() -> None:
    with pytest.raises(ValueError, match="AR order p must be at least 1"):
        AutoRegressiveIntegratedMovingAverage(0, 1, 1, 10)
    with pytest.raises(ValueError, match="shorter than"):
        AutoRegressiveIntegratedMovingAverage(3, 1, 1, 2)
    with pytest.raises(ValueError, match="MA order below the AR order"):
        AutoRegressiveIntegratedMovingAverage(2, 1, 1, 10)
    with pytest.raises(ValueError, match="negative order"):
        AutoRegressiveIntegratedMovingAverage(1, 1, -1, 10)
