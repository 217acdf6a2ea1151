"""Rolling z-score and O(1) rolling windows against numpy/pandas recomputed from scratch."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from crossasset import RollingMoments, RollingPairStats, RollingStats, zscore
from hypothesis import given, settings
from hypothesis import strategies as st


def naive_zscore(values: np.ndarray, window: int) -> np.ndarray:
    out = np.full(values.size, np.nan)
    for end in range(window, values.size + 1):
        chunk = values[end - window : end]
        out[end - 1] = (chunk[-1] - chunk.mean()) / chunk.std(ddof=1)
    return out


def test_zscore_matches_a_per_window_loop_and_pandas() -> None:
    values = np.random.default_rng(1).normal(100.0, 3.0, 500)
    result = zscore(values, 60)
    assert np.all(np.isnan(result[:59]))
    np.testing.assert_allclose(result[59:], naive_zscore(values, 60)[59:], rtol=1e-10)
    series = pd.Series(values)
    pandas_z = (series - series.rolling(60).mean()) / series.rolling(60).std()
    np.testing.assert_allclose(result[59:], pandas_z.to_numpy()[59:], rtol=1e-8)


def test_zscore_hand_case() -> None:
    # window [1, 2, 6]: mean 3, sample std √7 → z = 3/√7
    assert zscore([1.0, 2.0, 6.0], 3)[-1] == pytest.approx(3.0 / math.sqrt(7.0))


def test_zscore_is_exact_for_large_prices_with_tiny_noise() -> None:
    noise = np.random.default_rng(2).normal(0.0, 1e-3, 2000)
    np.testing.assert_allclose(zscore(1e4 + noise, 60)[59:], zscore(noise, 60)[59:], rtol=1e-6, atol=1e-6)


def test_zscore_constant_window_nan_and_short_input() -> None:
    assert np.isnan(zscore([5.0] * 10, 4)).all()
    assert np.isnan(zscore([1.0, 2.0], 3)).all()
    with_nan = zscore([1.0, np.nan, 3.0, 4.0, 5.0, 7.0], 3)
    assert np.isnan(with_nan[:4]).all() and np.isfinite(with_nan[5])


@pytest.mark.parametrize("window", [1, 0, 2.5, True])
def test_zscore_rejects_bad_window(window: object) -> None:
    with pytest.raises(ValueError, match="window"):
        zscore([1.0, 2.0, 3.0], window)  # type: ignore[arg-type]


def test_rolling_stats_tracks_numpy_on_every_step() -> None:
    values = np.random.default_rng(3).normal(50.0, 5.0, 400)
    stats = RollingStats(25)
    for index, value in enumerate(values):
        stats.update(value)
        held = values[max(0, index - 24) : index + 1]
        np.testing.assert_array_equal(stats.values(), held)
        assert stats.count == held.size
        assert stats.is_ready == (held.size == 25)
        assert stats.mean == pytest.approx(held.mean(), rel=1e-12)
        assert stats.variance(ddof=0) == pytest.approx(held.var(), rel=1e-9, abs=1e-12)
        if held.size > 1:
            assert stats.std() == pytest.approx(held.std(ddof=1), rel=1e-9)
        else:
            assert math.isnan(stats.std())


def test_rolling_stats_accuracy_on_large_prices_with_tiny_variance_over_100k_updates() -> None:
    rng = np.random.default_rng(4)
    values = 1e4 + 1e-3 * rng.standard_normal(100_000)
    stats = RollingStats(756)
    worst = 0.0
    for index, value in enumerate(values):
        stats.update(value)
        if index >= 755 and index % 9973 == 0:
            expected = np.std(values[index - 755 : index + 1], ddof=1)
            worst = max(worst, abs(stats.std() - expected) / expected)
    assert worst < 1e-6
    assert stats.std() == pytest.approx(np.std(values[-756:], ddof=1), rel=1e-6)
    assert stats.mean == pytest.approx(values[-756:].mean(), rel=1e-14)


def test_rolling_stats_reset_and_bad_input() -> None:
    stats = RollingStats(3)
    for value in (1.0, 2.0, 3.0, 4.0):
        stats.update(value)
    stats.reset()
    assert stats.count == 0 and not stats.is_ready and math.isnan(stats.mean)
    assert stats.values().size == 0
    stats.update(7.0)
    np.testing.assert_array_equal(stats.values(), [7.0])
    with pytest.raises(ValueError, match="value must be finite"):
        stats.update(float("nan"))
    with pytest.raises(ValueError, match="window"):
        RollingStats(0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=80),
    st.integers(1, 20),
)
def test_rolling_stats_property_matches_numpy(values: list[float], window: int) -> None:
    stats = RollingStats(window)
    for value in values:
        stats.update(value)
    held = np.array(values[-window:])
    np.testing.assert_array_equal(stats.values(), held)
    assert stats.mean == pytest.approx(held.mean(), rel=1e-9, abs=1e-6)
    assert stats.variance(ddof=0) == pytest.approx(held.var(), rel=1e-6, abs=1e-3)


def test_rolling_pair_stats_tracks_numpy() -> None:
    rng = np.random.default_rng(5)
    xs = rng.normal(0.0, 1.0, 300)
    ys = 0.6 * xs + rng.normal(0.0, 0.8, 300)
    pair = RollingPairStats(40)
    for index in range(xs.size):
        pair.update(xs[index], ys[index])
        if index >= 2:
            lo = max(0, index - 39)
            x, y = xs[lo : index + 1], ys[lo : index + 1]
            assert pair.covariance() == pytest.approx(np.cov(x, y)[0, 1], rel=1e-9, abs=1e-12)
            assert pair.correlation() == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-9)
            assert pair.variance_x() == pytest.approx(np.var(x, ddof=1), rel=1e-9)
            assert pair.variance_y(ddof=0) == pytest.approx(np.var(y), rel=1e-9)
            assert pair.mean_x == pytest.approx(x.mean(), abs=1e-12)
    held_x, held_y = pair.values()
    np.testing.assert_array_equal(held_x, xs[-40:])
    np.testing.assert_array_equal(held_y, ys[-40:])


def test_rolling_pair_correlation_accuracy_near_1e4_over_100k_updates() -> None:
    rng = np.random.default_rng(6)
    noise_x = rng.standard_normal(100_000)
    noise_y = -0.7 * noise_x + math.sqrt(1 - 0.49) * rng.standard_normal(100_000)
    xs, ys = 1e4 + 1e-3 * noise_x, 5e3 + 1e-3 * noise_y
    pair = RollingPairStats(60)
    for x, y in zip(xs, ys, strict=True):
        pair.update(x, y)
    expected = np.corrcoef(xs[-60:], ys[-60:])[0, 1]
    assert pair.correlation() == pytest.approx(expected, abs=1e-6)
    assert pair.covariance() == pytest.approx(np.cov(xs[-60:], ys[-60:])[0, 1], rel=1e-5)


def test_rolling_pair_moments_are_the_two_pass_sums_after_the_exact_recomputation() -> None:
    """Every `window` replacements the moments are recomputed by two-pass sums, which bounds the O(1) updates' drift:
    on a random walk near 1e4, 100,000 updates of a 50-pair window end on a recomputation, and the moments are then
    numpy's two-pass sums to 1e-12 (with no recomputation they drift by about 1e-5; with one that skips a moment,
    by 1e-10)."""
    rng = np.random.default_rng(11)
    xs = 1e4 + np.cumsum(rng.standard_normal(100_000))
    ys = 5e3 + np.cumsum(rng.standard_normal(100_000))
    window = 50
    assert (len(xs) - window) % window == 0  # the last update replaces a pair and recomputes
    pair = RollingPairStats(window)
    for x, y in zip(xs, ys, strict=True):
        pair.update(x, y)
    held_x, held_y = xs[-window:], ys[-window:]
    assert pair.variance_x() == pytest.approx(np.var(held_x, ddof=1), rel=1e-12)
    assert pair.variance_y() == pytest.approx(np.var(held_y, ddof=1), rel=1e-12)
    scale = math.sqrt(np.var(held_x, ddof=1) * np.var(held_y, ddof=1))
    assert pair.covariance() == pytest.approx(np.cov(held_x, held_y)[0, 1], abs=1e-12 * scale)


def test_rolling_stats_zscore_and_newest_match_the_vectorised_zscore() -> None:
    values = np.random.default_rng(8).normal(20.0, 2.0, 200)
    expected = zscore(values, 30)
    stats = RollingStats(30)
    assert math.isnan(stats.newest)
    for index, value in enumerate(values):
        stats.update(value)
        assert stats.newest == value
        if index < 29:
            assert math.isnan(stats.zscore())
        else:
            assert stats.zscore() == pytest.approx(expected[index], rel=1e-9)
    constant = RollingStats(3)
    for _ in range(3):
        constant.update(1.0)
    assert math.isnan(constant.zscore())


def test_rolling_pair_regression_matches_polyfit() -> None:
    rng = np.random.default_rng(9)
    xs = rng.normal(1.0, 0.5, 400)
    ys = 1800.0 - 150.0 * xs + rng.normal(0.0, 20.0, 400)
    pair = RollingPairStats(120)
    for x, y in zip(xs, ys, strict=True):
        pair.update(x, y)
    slope, intercept = np.polyfit(xs[-120:], ys[-120:], 1)
    assert pair.slope() == pytest.approx(slope, rel=1e-9)
    assert pair.intercept() == pytest.approx(intercept, rel=1e-9)
    flat = RollingPairStats(3)
    flat.update(1.0, 2.0)
    flat.update(1.0, 3.0)
    assert math.isnan(flat.slope()) and math.isnan(flat.intercept())


def test_rolling_pair_constant_series_and_bad_input() -> None:
    pair = RollingPairStats(5)
    assert math.isnan(pair.correlation()) and math.isnan(pair.mean_x)
    for value in range(5):
        pair.update(1.0, float(value))
    assert math.isnan(pair.correlation())
    with pytest.raises(ValueError, match="y_value"):
        pair.update(1.0, float("inf"))
    pair.reset()
    assert pair.count == 0


def test_rolling_moments_matches_numpy_cov_and_corr() -> None:
    rng = np.random.default_rng(7)
    mixing = np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [-0.3, 0.2, 1.0]])
    data = 1e4 + 1e-2 * rng.standard_normal((5_000, 3)) @ mixing.T
    moments = RollingMoments(100, 3)
    for row in data:
        moments.update(row)
    tail = data[-100:]
    np.testing.assert_allclose(moments.covariance(), np.cov(tail.T), rtol=1e-6)
    np.testing.assert_allclose(moments.correlation(), np.corrcoef(tail.T), atol=1e-7)
    np.testing.assert_allclose(moments.mean(), tail.mean(axis=0), rtol=1e-14)
    np.testing.assert_array_equal(moments.values(), tail)
    assert moments.is_ready


def test_rolling_moments_partial_window_and_errors() -> None:
    moments = RollingMoments(10, 2)
    assert np.isnan(moments.covariance()).all()
    moments.update([1.0, 2.0])
    moments.update([2.0, 2.0])
    moments.update([4.0, 2.0])
    np.testing.assert_allclose(moments.covariance(ddof=0)[0, 0], np.var([1.0, 2.0, 4.0]))
    corr = moments.correlation()
    assert corr[0, 0] == pytest.approx(1.0) and np.isnan(corr[1, 1]) and np.isnan(corr[0, 1])
    with pytest.raises(ValueError, match="2 values"):
        moments.update([1.0])
    with pytest.raises(ValueError, match="finite"):
        moments.update([1.0, np.nan])
    with pytest.raises(ValueError, match="n_series"):
        RollingMoments(5, 0)


def test_rolling_pair_correlation_of_tiny_values_matches_numpy() -> None:
    """Second moments near 1e-200 multiply to zero in floating point: the correlation must not divide by it."""
    pairs = np.array([[0.0, 1e-100], [1e-100, 0.0], [3e-100, 2e-100]])
    stats = RollingPairStats(3)
    for x, y in pairs:
        stats.update(x, y)
    assert stats.correlation() == pytest.approx(np.corrcoef(pairs.T)[0, 1], abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=3, max_size=60),
    st.integers(2, 15),
)
def test_rolling_pair_and_moments_property_match_numpy(pairs: list[tuple[float, float]], window: int) -> None:
    pair = RollingPairStats(window)
    moments = RollingMoments(window, 2)
    for x, y in pairs:
        pair.update(x, y)
        moments.update([x, y])
    held = np.array(pairs[-window:])
    expected = np.cov(held.T)
    assert pair.covariance() == pytest.approx(expected[0, 1], rel=1e-6, abs=1e-6)
    np.testing.assert_allclose(moments.covariance(), expected, rtol=1e-6, atol=1e-6)
    # The O(1) updates since the last exact recomputation (up to 2 · window − 1 of them, over the last 2 · window
    # pairs) leave each second moment off by up to about 30 · window · eps · M², M the largest magnitude among those
    # pairs; the correlation is compared where both variances stand well above that floor, and where M² is a normal
    # float (below about 1e-154 the squares are subnormal and neither side keeps its precision).
    largest = max(abs(value) for pair_values in pairs[-2 * window:] for value in pair_values)
    if min(expected[0, 0], expected[1, 1]) > 1e-7 * largest**2 and largest > 1e-140:
        scale = math.sqrt(expected[0, 0]) * math.sqrt(expected[1, 1])
        assert pair.correlation() == pytest.approx(expected[0, 1] / scale, abs=1e-6)
