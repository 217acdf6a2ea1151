"""AutoRegressiveIntegratedMovingAverage (Indicators/AutoRegressiveIntegratedMovingAverage.cs,
TimeSeriesIndicator.cs): an ARIMA(p, d, q) refitted on every update over the last `period` inputs.

As in LEAN the window is ordered newest first throughout (differences are newer − older, lags look one step
towards the newer end), the fit is LEAN's two-step least squares by the normal equations, and a fit that fails
(singular design) gives zero coefficients.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from .base import IndicatorBase, IndicatorDataPoint
from .rolling_window import RollingWindow

_log = logging.getLogger("lean_offline.indicators")


def difference_series(order: int, series: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """`order` successive differences s[i] − s[i+1] (newest first), and the last (oldest) value before each."""
    heads: list[float] = []
    for _ in range(order):
        heads.append(float(series[-1]))
        series = series[:-1] - series[1:]
    return series, heads


def inverse_difference(series: np.ndarray, heads: list[float]) -> np.ndarray:
    """Undo `difference_series` as LEAN does: for each head in the order recorded, append it and replace every
    element by the sum of itself and all older ones (a reversed cumulative sum)."""
    for head in heads:
        series = np.cumsum(np.append(series, head)[::-1])[::-1]
    return series


def lagged_series(lags: int, series: np.ndarray) -> np.ndarray:
    """Rows [s[t−1], …, s[t−lags]] for t = lags … n − 1."""
    return np.array([[series[t - j] for j in range(1, lags + 1)] for t in range(lags, len(series))], dtype=float)


def normal_equations(design: np.ndarray, target: np.ndarray, intercept: bool = False) -> np.ndarray:
    """Least squares b solving (XᵀX) b = Xᵀy by Cholesky, X prefixed with a column of ones when `intercept`."""
    from scipy.linalg import cho_factor, cho_solve  # type: ignore[import-untyped]  # here: it slows every start

    if intercept:
        design = np.column_stack([np.ones(len(design)), design])
    return np.asarray(cho_solve(cho_factor(design.T @ design, lower=True), design.T @ target), dtype=float)


class AutoRegressiveIntegratedMovingAverage(IndicatorBase):
    """ARIMA(p, d, q) over the last `period` inputs; 0 until `period` inputs were seen, then the one-step forecast.

    With x the window differenced d times (newest first): the AR step regresses x[t] on x[t−1..t−p] (no
    intercept) and keeps the residuals e (0 for t < p); with q > 0 the MA step regresses x[t] on
    [x[t−1..t−p], e[t−1..t−q]] with an intercept c. Forecast of the difference:
    Σᵢ φᵢ·x[i] + Σᵢ θᵢ·e[q + i + 1] + c (c = 0 without an MA part), then integrated back onto the newest input.
    `AutoRegressiveIntegratedMovingAverage([name,] ar_order, diff_order, ma_order, period, intercept=True)`;
    q must be 0 or at least p.
    """

    __slots__ = ("ar_order", "diff_order", "ma_order", "period", "uses_intercept", "ar_parameters",
                 "ma_parameters", "intercept", "ar_residual_error", "ma_residual_error", "_rolling_data", "_fit_failures")

    def __init__(self, *args: Any, intercept: bool = True) -> None:
        name = args[0] if args and isinstance(args[0], str) else None
        values = list(args[1:] if name is not None else args)
        if len(values) == 5:
            intercept = bool(values.pop())
        if len(values) != 4 or not all(isinstance(v, int) for v in values):
            raise TypeError(f"AutoRegressiveIntegratedMovingAverage takes ([name,] ar_order, diff_order, ma_order, "
                            f"period[, intercept]), got {args!r}")
        ar_order, diff_order, ma_order, period = values
        if ar_order < 0 or ma_order < 0:
            raise ValueError(f"ARIMA: negative order (p={ar_order}, q={ma_order})")
        if ar_order == 0:
            raise ValueError("ARIMA: the AR order p must be at least 1 (the fit starts from an autoregression)")
        if period < max(ar_order, ma_order):
            raise ValueError(f"ARIMA: period {period} is shorter than the AR or MA order")
        if 0 < ma_order < ar_order:
            raise ValueError(f"ARIMA({ar_order},{diff_order},{ma_order}): an MA order below the AR order is not "
                             "supported (LEAN's moving-average step reads past the lagged values and fails)")
        super().__init__(name if name is not None else
                         f"ARIMA(({ar_order}, {diff_order}, {ma_order}), {period}, {intercept})")
        self.ar_order, self.diff_order, self.ma_order, self.period = ar_order, diff_order, ma_order, period
        self.uses_intercept = intercept
        self.ar_parameters: list[float] = []
        self.ma_parameters: list[float] = []
        self.intercept = 0.0
        self.ar_residual_error = self.ma_residual_error = 0.0
        self._rolling_data: RollingWindow[float] = RollingWindow(period)
        self._fit_failures: set[str] = set()

    @property
    def is_ready(self) -> bool:
        return self._rolling_data.is_ready

    @property
    def warm_up_period(self) -> int:
        return self.period

    def _compute(self, point: IndicatorDataPoint) -> float:
        self._rolling_data.add(point.value)
        if not self._rolling_data.is_ready:
            return 0.0
        series, heads = difference_series(self.diff_order, np.array(list(self._rolling_data), dtype=float))
        residuals = self._fit(series)
        forecast = sum(self.ar_parameters[i] * series[i] for i in range(self.ar_order))
        forecast += sum(self.ma_parameters[i] * residuals[self.ma_order + i + 1] for i in range(self.ma_order))
        forecast += self.intercept
        return inverse_difference(np.concatenate([[forecast], series]), heads)[0] if heads else float(forecast)

    def _fit(self, series: np.ndarray) -> np.ndarray:
        p, q = self.ar_order, self.ma_order
        lags = lagged_series(p, series)
        ar_fit = self._solve("AutoRegressiveStep", lags, series[p:], False, lags.shape[1])
        residuals = np.zeros(len(series))
        residuals[p:] = series[p:] - lags @ ar_fit
        self.ar_residual_error = float(np.sum(residuals[p:] ** 2)) / (len(series) - p - 1)
        if q <= 0:
            self.ar_parameters = [float(v) for v in ar_fit]
            return residuals
        lagged_errors = lagged_series(q, residuals)
        design = np.column_stack([lags[:len(lagged_errors)], lagged_errors])
        fit = self._solve("MovingAverageStep", design, series[q:], self.uses_intercept,
                          design.shape[1] + (1 if self.uses_intercept else 0))
        coefficients = fit[1:] if self.uses_intercept else fit
        errors = series[q:] - design @ coefficients
        self.ma_residual_error = float(np.sum(errors ** 2)) / (len(series) - max(p, q) - 1)
        self.ar_parameters = [float(v) for v in coefficients[:p]]
        self.ma_parameters = [float(v) for v in coefficients[p:]]
        if self.uses_intercept:
            self.intercept = float(fit[0])
        return residuals

    def _solve(self, step: str, design: np.ndarray, target: np.ndarray, intercept: bool, size: int) -> np.ndarray:
        try:
            return normal_equations(design, target, intercept)
        except (np.linalg.LinAlgError, ValueError) as error:  # scipy.linalg raises numpy's LinAlgError
            if step not in self._fit_failures:
                self._fit_failures.add(step)
                _log.error("AutoRegressiveIntegratedMovingAverage.%s(): %s", step, error)
            return np.zeros(size)

    def _reset_state(self) -> None:
        self._rolling_data.reset()
