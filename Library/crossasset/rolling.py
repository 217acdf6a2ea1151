"""Rolling statistics: a vectorised z-score and O(1) rolling windows for one, two or k series.

The windows keep their last N observations in a numpy ring buffer (readable oldest→newest) and update the
mean and the centred second moments with Welford's add/replace recurrences. Replacing an observation is
exact in real arithmetic but lets rounding errors accumulate, so every `window` replacements the moments
are recomputed from the buffer with a two-pass sum: amortised O(1), and the error never builds up.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = npt.NDArray[np.float64]

_ZSCORE_CHUNK = 4096


def zscore(values: npt.ArrayLike, window: int) -> FloatArray:
    """Rolling z-score z_t = (x_t − mean_t) / std_t over the `window` values ending at t.

    mean_t and std_t are the mean and the sample standard deviation (ddof=1) of x_{t−window+1..t}, computed
    two-pass for each window (no running sums, so prices near 1e4 with tiny variance stay exact).
    The first window − 1 positions are NaN; a window containing NaN, or with std_t = 0, gives NaN.
    """
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 2:
        raise ValueError(f"window must be an integer >= 2, got {window!r}")
    series = np.asarray(values, dtype=np.float64)
    if series.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {series.shape}")
    result = np.full(series.shape, np.nan)
    if series.size < window:
        return result
    windows = sliding_window_view(series, window)
    for start in range(0, windows.shape[0], _ZSCORE_CHUNK):
        block = windows[start : start + _ZSCORE_CHUNK]
        mean = block.mean(axis=1)
        std = block.std(axis=1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(std > 0, (block[:, -1] - mean) / std, np.nan)
        result[window - 1 + start : window - 1 + start + block.shape[0]] = scores
    return result


def _check_window(window: int) -> int:
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    return int(window)


def _finite(value: Any, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


class _RingWindow:
    """What every rolling window shares: its capacity, how many values it holds, and where the next one goes."""

    __slots__ = ("_window", "_count", "_next", "_since_exact")

    def __init__(self, window: int) -> None:
        self._window = _check_window(window)
        self._count = 0
        self._next = 0
        self._since_exact = 0

    def _clear_position(self) -> None:
        self._count = 0
        self._next = 0
        self._since_exact = 0

    @property
    def window(self) -> int:
        return self._window

    @property
    def count(self) -> int:
        """Number of values held (at most `window`)."""
        return self._count

    @property
    def is_ready(self) -> bool:
        """True once `window` values have been seen since the last reset."""
        return self._count == self._window


class RollingStats(_RingWindow):
    """Mean, variance and standard deviation of the last `window` values of one series, O(1) per update.

    mean = Σx / n, variance(ddof) = Σ(x − mean)² / (n − ddof), over the n = min(count, window) values held.
    Non-finite values are rejected with ValueError (they would poison the window until they leave it).
    """

    __slots__ = ("_buffer", "_mean", "_m2")

    def __init__(self, window: int) -> None:
        super().__init__(window)
        self._buffer = np.zeros(self._window)
        self.reset()

    def reset(self) -> None:
        """Forget every value."""
        self._clear_position()
        self._mean = 0.0
        self._m2 = 0.0

    def update(self, value: float) -> None:
        """Add one value; once the window is full the oldest value leaves it."""
        x = _finite(value, "value")
        window = self._window
        slot = self._next
        if self._count < window:
            self._count += 1
            delta = x - self._mean
            self._mean += delta / self._count
            self._m2 += delta * (x - self._mean)
            self._buffer[slot] = x
        else:
            old = float(self._buffer[slot])
            self._buffer[slot] = x
            old_mean = self._mean
            self._mean = old_mean + (x - old) / window
            self._m2 += (x - old) * (x - self._mean + old - old_mean)
            self._since_exact += 1
            if self._since_exact >= window:
                self._recompute()
        self._next = slot + 1 if slot + 1 < window else 0

    def _recompute(self) -> None:
        self._mean = float(self._buffer.mean())
        self._m2 = float(np.square(self._buffer - self._mean).sum())
        self._since_exact = 0

    @property
    def mean(self) -> float:
        """Mean of the values held; NaN when empty."""
        return self._mean if self._count else math.nan

    def variance(self, ddof: int = 1) -> float:
        """Σ(x − mean)² / (n − ddof); NaN when n ≤ ddof. Tiny negative rounding is clipped to 0."""
        if self._count <= ddof:
            return math.nan
        return max(self._m2, 0.0) / (self._count - ddof)

    def std(self, ddof: int = 1) -> float:
        """√variance(ddof); NaN when n ≤ ddof."""
        return math.sqrt(self.variance(ddof))

    @property
    def newest(self) -> float:
        """The last value added; NaN when empty."""
        if not self._count:
            return math.nan
        return float(self._buffer[self._next - 1 if self._next else self._window - 1])

    def zscore(self) -> float:
        """(newest − mean) / std(ddof=1) of the full window, as `zscore` gives for the last position.

        NaN until the window is ready, or when the window is constant.
        """
        if not self.is_ready:
            return math.nan
        deviation = self.std()
        return (self.newest - self._mean) / deviation if deviation > 0.0 else math.nan

    def values(self) -> FloatArray:
        """The values held, oldest→newest (a copy)."""
        if self._count < self._window:
            return self._buffer[: self._count].copy()
        return np.concatenate((self._buffer[self._next :], self._buffer[: self._next]))


class RollingPairStats(_RingWindow):
    """Means, variances, covariance and correlation of the last `window` pairs (x, y), O(1) per update.

    cov(ddof) = Σ(x − x̄)(y − ȳ) / (n − ddof); corr = cov / √(var_x var_y), NaN when either variance is 0.
    The co-moment update on replacing (x₀, y₀) by (x₁, y₁), with Δx = x₁ − x₀ and x̄' the new mean, is
    C' = C + Δx (y₁ − ȳ') + Δy (x₀ − x̄).
    """

    __slots__ = ("_xs", "_ys", "_mean_x", "_mean_y", "_m2_x", "_m2_y", "_c_xy")

    def __init__(self, window: int) -> None:
        super().__init__(window)
        self._xs = np.zeros(self._window)
        self._ys = np.zeros(self._window)
        self.reset()

    def reset(self) -> None:
        """Forget every pair."""
        self._clear_position()
        self._mean_x = self._mean_y = 0.0
        self._m2_x = self._m2_y = self._c_xy = 0.0

    def update(self, x_value: float, y_value: float) -> None:
        """Add one pair; once the window is full the oldest pair leaves it."""
        x = _finite(x_value, "x_value")
        y = _finite(y_value, "y_value")
        window = self._window
        slot = self._next
        if self._count < window:
            self._count += 1
            n = self._count
            dx = x - self._mean_x
            dy = y - self._mean_y
            self._mean_x += dx / n
            self._mean_y += dy / n
            self._m2_x += dx * (x - self._mean_x)
            self._m2_y += dy * (y - self._mean_y)
            self._c_xy += dx * (y - self._mean_y)
        else:
            x0 = float(self._xs[slot])
            y0 = float(self._ys[slot])
            dx = x - x0
            dy = y - y0
            mean_x0, mean_y0 = self._mean_x, self._mean_y
            self._mean_x = mean_x0 + dx / window
            self._mean_y = mean_y0 + dy / window
            self._m2_x += dx * (x - self._mean_x + x0 - mean_x0)
            self._m2_y += dy * (y - self._mean_y + y0 - mean_y0)
            self._c_xy += dx * (y - self._mean_y) + dy * (x0 - mean_x0)
            self._since_exact += 1
        self._xs[slot] = x
        self._ys[slot] = y
        self._next = slot + 1 if slot + 1 < window else 0
        if self._since_exact >= window:
            self._recompute()

    def _recompute(self) -> None:
        self._mean_x = float(self._xs.mean())
        self._mean_y = float(self._ys.mean())
        dx = self._xs - self._mean_x
        dy = self._ys - self._mean_y
        self._m2_x = float(dx @ dx)
        self._m2_y = float(dy @ dy)
        self._c_xy = float(dx @ dy)
        self._since_exact = 0

    @property
    def mean_x(self) -> float:
        return self._mean_x if self._count else math.nan

    @property
    def mean_y(self) -> float:
        return self._mean_y if self._count else math.nan

    def variance_x(self, ddof: int = 1) -> float:
        return max(self._m2_x, 0.0) / (self._count - ddof) if self._count > ddof else math.nan

    def variance_y(self, ddof: int = 1) -> float:
        return max(self._m2_y, 0.0) / (self._count - ddof) if self._count > ddof else math.nan

    def covariance(self, ddof: int = 1) -> float:
        return self._c_xy / (self._count - ddof) if self._count > ddof else math.nan

    def correlation(self) -> float:
        """Pearson correlation clipped to [−1, 1]; NaN with fewer than 2 pairs or a constant series."""
        if self._count < 2 or self._m2_x <= 0.0 or self._m2_y <= 0.0:
            return math.nan
        # the square roots apart: the product of two tiny second moments underflows to zero
        return min(1.0, max(-1.0, self._c_xy / (math.sqrt(self._m2_x) * math.sqrt(self._m2_y))))

    def slope(self) -> float:
        """OLS slope of y on x over the window: β = cov(x, y) / var(x); NaN when x is constant or n < 2."""
        if self._count < 2 or self._m2_x <= 0.0:
            return math.nan
        return self._c_xy / self._m2_x

    def intercept(self) -> float:
        """OLS intercept α = ȳ − β x̄ of y on x over the window; NaN when the slope is."""
        return self._mean_y - self.slope() * self._mean_x

    def values(self) -> tuple[FloatArray, FloatArray]:
        """The pairs held as (xs, ys), oldest→newest (copies)."""
        if self._count < self._window:
            return self._xs[: self._count].copy(), self._ys[: self._count].copy()
        order = np.r_[self._next : self._window, 0 : self._next]
        return self._xs[order], self._ys[order]


class RollingMoments(_RingWindow):
    """Mean vector, covariance and correlation matrices of the last `window` observations of k series.

    O(k²) per update: on replacing row x₀ by x₁ (Δ = x₁ − x₀, m' the new mean), the co-moment matrix becomes
    C' = C + Δ (x₁ − m')ᵀ + (x₀ − m) Δᵀ; covariance(ddof) = C / (n − ddof).
    """

    def __init__(self, window: int, n_series: int) -> None:
        super().__init__(window)
        if isinstance(n_series, bool) or not isinstance(n_series, int | np.integer) or n_series < 1:
            raise ValueError(f"n_series must be a positive integer, got {n_series!r}")
        self._k = int(n_series)
        self._buffer = np.zeros((self._window, self._k))
        self.reset()

    def reset(self) -> None:
        """Forget every observation."""
        self._clear_position()
        self._mean = np.zeros(self._k)
        self._comoment = np.zeros((self._k, self._k))

    def update(self, observation: npt.ArrayLike) -> None:
        """Add one observation (k values); once the window is full the oldest leaves it."""
        x = np.asarray(observation, dtype=np.float64).reshape(-1)
        if x.shape != (self._k,):
            raise ValueError(f"observation must have {self._k} values, got {x.size}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"observation must be finite, got {x.tolist()}")
        slot = self._next
        if self._count < self._window:
            self._count += 1
            delta = x - self._mean
            self._mean = self._mean + delta / self._count
            self._comoment += np.outer(delta, x - self._mean)
        else:
            old = self._buffer[slot].copy()
            delta = x - old
            old_mean = self._mean
            self._mean = old_mean + delta / self._window
            self._comoment += np.outer(delta, x - self._mean) + np.outer(old - old_mean, delta)
            self._since_exact += 1
        self._buffer[slot] = x
        self._next = slot + 1 if slot + 1 < self._window else 0
        if self._since_exact >= self._window:
            self._mean = self._buffer.mean(axis=0)
            centred = self._buffer - self._mean
            self._comoment = centred.T @ centred
            self._since_exact = 0

    def mean(self) -> FloatArray:
        """Mean of each series (NaN when empty)."""
        return self._mean.copy() if self._count else np.full(self._k, np.nan)

    def covariance(self, ddof: int = 1) -> FloatArray:
        """Symmetrised C / (n − ddof); all NaN when n ≤ ddof."""
        if self._count <= ddof:
            return np.full((self._k, self._k), np.nan)
        return (self._comoment + self._comoment.T) / (2.0 * (self._count - ddof))

    def correlation(self) -> FloatArray:
        """C_ij / √(C_ii C_jj) clipped to [−1, 1]; NaN in rows/columns of constant series."""
        if self._count < 2:
            return np.full((self._k, self._k), np.nan)
        sym = (self._comoment + self._comoment.T) / 2.0
        scale = np.sqrt(np.clip(np.diag(sym), 0.0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = sym / np.outer(scale, scale)
        corr[~np.isfinite(corr)] = np.nan
        return np.clip(corr, -1.0, 1.0)

    def values(self) -> FloatArray:
        """The observations held, oldest→newest, as an (n, k) array (a copy)."""
        if self._count < self._window:
            return self._buffer[: self._count].copy()
        return np.concatenate((self._buffer[self._next :], self._buffer[: self._next]))
