"""Research metrics against pandas closed forms and hand cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from crossasset import (
    average_win_loss,
    cagr,
    calmar_ratio,
    drawdown_stats,
    historical_cvar,
    historical_var,
    hit_rate,
    max_drawdown,
    return_volatility,
    sharpe_ratio,
    sortino_ratio,
    total_return,
    turnover,
)

RETURNS = np.random.default_rng(40).normal(0.0004, 0.01, 1000)
EQUITY = 100.0 * np.concatenate([[1.0], np.cumprod(1.0 + RETURNS)])


def test_total_return_and_cagr() -> None:
    assert total_return([100.0, 90.0, 121.0]) == pytest.approx(0.21)
    # two years of 252 daily steps doubling: CAGR √2 − 1
    assert cagr(np.linspace(1.0, 2.0, 505)) == pytest.approx(math.sqrt(2) - 1)
    assert cagr(EQUITY) == pytest.approx(np.prod(1 + RETURNS) ** (252 / RETURNS.size) - 1)


def test_volatility_and_sharpe_match_pandas() -> None:
    series = pd.Series(RETURNS)
    assert return_volatility(RETURNS) == pytest.approx(series.std() * math.sqrt(252))
    rf = 0.0001
    assert sharpe_ratio(RETURNS, rf) == pytest.approx((series - rf).mean() / (series - rf).std() * math.sqrt(252))
    assert math.isnan(sharpe_ratio([0.01, 0.01, 0.01]))


def test_sortino_hand_case() -> None:
    # excess [0.02, −0.01, 0.03, −0.02]: mean 0.005; downside √((0.0001 + 0.0004) / 4)
    expected = 0.005 / math.sqrt(0.0005 / 4) * math.sqrt(12)
    assert sortino_ratio([0.02, -0.01, 0.03, -0.02], periods_per_year=12) == pytest.approx(expected)
    assert math.isnan(sortino_ratio([0.01, 0.02]))


def test_drawdown_hand_case() -> None:
    stats = drawdown_stats([100, 120, 90, 110, 125, 100, 105])
    assert stats.max_drawdown == pytest.approx(90 / 120 - 1)
    assert (stats.peak_index, stats.trough_index) == (1, 2)
    # drawdown 1→4 lasts 3 periods; the one from index 4 is unrecovered at the end: 2 periods
    assert stats.max_duration == 3
    assert drawdown_stats([1.0, 2.0, 3.0]).max_duration == 0
    assert drawdown_stats([3.0, 2.0, 1.0, 1.5]).max_duration == 3


def test_max_drawdown_matches_pandas_cummax() -> None:
    series = pd.Series(EQUITY)
    assert max_drawdown(EQUITY) == pytest.approx((series / series.cummax() - 1).min())


def test_calmar() -> None:
    equity = [100, 120, 90, 110, 125, 100, 105]
    assert calmar_ratio(equity, 2) == pytest.approx(cagr(equity, 2) / 0.25)
    assert math.isnan(calmar_ratio([1.0, 2.0]))


def test_var_cvar_hand_case_and_pandas() -> None:
    returns = np.arange(-10, 10) / 100.0  # −10% … +9%, 20 points
    # 5% quantile with linear interpolation: position 0.95 between −0.10 and −0.09 → −0.0905
    assert historical_var(returns, 0.95) == pytest.approx(0.0905)
    assert historical_cvar(returns, 0.95) == pytest.approx(0.10)
    assert historical_var(RETURNS, 0.99) == pytest.approx(-pd.Series(RETURNS).quantile(0.01))
    tail = RETURNS[RETURNS <= pd.Series(RETURNS).quantile(0.05)]
    assert historical_cvar(RETURNS) == pytest.approx(-tail.mean())
    with pytest.raises(ValueError, match="level"):
        historical_var(RETURNS, 1.0)


def test_hit_rate_and_average_win_loss() -> None:
    returns = [0.02, -0.01, 0.0, 0.03, -0.03]
    assert hit_rate(returns) == pytest.approx(0.5)
    assert average_win_loss(returns) == pytest.approx((0.025, -0.02))
    assert math.isnan(hit_rate([0.0, 0.0]))
    win, loss = average_win_loss([0.01])
    assert win == 0.01 and math.isnan(loss)


def test_turnover() -> None:
    weights = [[0.5, 0.5], [0.6, 0.4], [0.6, 0.4], [0.0, 1.0]]
    assert turnover(weights) == pytest.approx((0.2 + 0.0 + 1.2) / 3)
    with pytest.raises(ValueError, match="at least 2 periods"):
        turnover([[1.0, 0.0]])


@pytest.mark.parametrize(
    ("function", "argument", "message"),
    [
        (total_return, [100.0], "at least 2"),
        (cagr, [100.0, -1.0], "strictly positive"),
        (return_volatility, [0.01, np.nan], "NaN"),
        (hit_rate, [], "at least 1"),
    ],
)
def test_bad_input_raises(function: object, argument: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        function(argument)  # type: ignore[operator]


def test_drawdown_duration_against_a_brute_force_definition() -> None:
    equity = 100.0 * np.cumprod(1.0 + np.random.default_rng(41).normal(0.0, 0.02, 300))
    longest = 0
    for start in range(equity.size):
        if equity[start] < equity[: start + 1].max():
            continue  # durations start at a running high
        later = np.nonzero(equity[start + 1 :] >= equity[start])[0]
        end = start + 1 + later[0] if later.size else equity.size - 1
        if end - start > 1 or (not later.size and end > start):
            longest = max(longest, end - start)
    assert drawdown_stats(equity).max_duration == longest
