"""DEMA, TEMA, TRIMA and HMA against pandas references built from LEAN's EMA/SMA/LWMA definitions."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from lean_offline.indicators import (
    DoubleExponentialMovingAverage,
    HullMovingAverage,
    IndicatorBase,
    MovingAverageType,
    RelativeStrengthIndex,
    TriangularMovingAverage,
    TripleExponentialMovingAverage,
    as_indicator,
)

START = datetime(2020, 1, 1)


def prices(count: int, seed: int) -> pd.Series:
    return pd.Series(100 + np.cumsum(np.random.default_rng(seed).normal(0, 1, count)))


def seeded_ema(values: pd.Series, period: int) -> pd.Series:
    """NaN for the first period − 1 values, then the mean of the first `period`, then ewm(alpha = 2/(period+1))."""
    values = values.reset_index(drop=True)
    seeded = pd.concat([pd.Series([values.iloc[:period].mean()]), values.iloc[period:]], ignore_index=True)
    smoothed = seeded.ewm(alpha=2 / (period + 1), adjust=False).mean()
    return pd.concat([pd.Series([np.nan] * (period - 1)), smoothed], ignore_index=True)


def lwma(values: pd.Series, period: int) -> pd.Series:
    weights = np.arange(1, period + 1)
    return values.rolling(period).apply(lambda window: weights @ window / weights.sum(), raw=True)


def feed(indicator: IndicatorBase, values: pd.Series) -> list[tuple[bool, float]]:
    states = []
    for i, value in enumerate(values):
        indicator.update(START + timedelta(days=i), float(value))
        states.append((indicator.is_ready, indicator.current.value))
    return states


@pytest.mark.parametrize("period", [3, 8])
def test_dema_and_tema_match_chained_emas(period: int) -> None:
    x = prices(80, period)
    ema1 = seeded_ema(x, period)
    ema2 = pd.concat([pd.Series([np.nan] * (period - 1)), seeded_ema(ema1.iloc[period - 1:], period)],
                     ignore_index=True)
    ema3 = pd.concat([pd.Series([np.nan] * (2 * period - 2)), seeded_ema(ema2.iloc[2 * period - 2:], period)],
                     ignore_index=True)
    dema = DoubleExponentialMovingAverage(period)
    tema = TripleExponentialMovingAverage(period)
    for i, ((dema_ready, dema_value), (tema_ready, tema_value)) in enumerate(zip(feed(dema, x), feed(tema, x),
                                                                                 strict=True)):
        assert dema_ready == (i + 1 >= dema.warm_up_period == 2 * period - 1)
        assert tema_ready == (i + 1 >= tema.warm_up_period == 3 * period - 2)
        if dema_ready:
            assert dema_value == pytest.approx(2 * ema1[i] - ema2[i], rel=1e-9)
        if tema_ready:
            assert tema_value == pytest.approx(3 * ema1[i] - 3 * ema2[i] + ema3[i], rel=1e-9)
        else:
            assert tema_value == 0.0


@pytest.mark.parametrize(("period", "inner", "outer"), [(7, 4, 4), (10, 5, 6)])
def test_trima_is_an_sma_of_an_sma(period: int, inner: int, outer: int) -> None:
    x = prices(40, period)
    expected = x.rolling(inner, min_periods=1).mean().rolling(outer, min_periods=1).mean()
    trima = TriangularMovingAverage("t", period)
    for i, (ready, value) in enumerate(feed(trima, x)):
        assert ready == (i + 1 >= period)
        assert value == pytest.approx(expected[i], rel=1e-12)


@pytest.mark.parametrize(("period", "fast", "k"), [(9, 4, 3), (16, 8, 4), (5, 2, 2)])
def test_hma_matches_lwma_of_the_lwma_difference(period: int, fast: int, k: int) -> None:
    x = prices(60, period)
    raw = 2 * lwma(x, fast) - lwma(x, period)
    expected = lwma(raw.dropna(), k).reindex(raw.index)
    hma = HullMovingAverage(period)
    assert hma.warm_up_period == period + k - 1
    for i, (ready, value) in enumerate(feed(hma, x)):
        assert ready == (i + 1 >= hma.warm_up_period)
        if ready:
            assert value == pytest.approx(expected[i], rel=1e-9)
    with pytest.raises(ValueError, match="at least 2"):
        HullMovingAverage(1)


def test_moving_average_types_build_the_new_averages_inside_other_indicators() -> None:
    assert isinstance(as_indicator(MovingAverageType["HULL"], "h", 4), HullMovingAverage)
    assert isinstance(as_indicator(MovingAverageType["TRIANGULAR"], 6), TriangularMovingAverage)
    rsi = RelativeStrengthIndex(5, MovingAverageType["DOUBLE_EXPONENTIAL"])
    assert isinstance(rsi.average_gain, DoubleExponentialMovingAverage)
    assert rsi.warm_up_period == 6
