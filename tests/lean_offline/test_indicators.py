"""Indicators against independent references: pandas/numpy, closed forms and hand-computed cases."""

from __future__ import annotations

import logging
import zipfile
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.indicators import (
    CompositeIndicator,
    Delay,
    ExponentialMovingAverage,
    Field,
    Identity,
    IndicatorDataPoint,
    IndicatorExtensions,
    LinearWeightedMovingAverage,
    Maximum,
    Minimum,
    Momentum,
    MomentumPercent,
    MovingAverageConvergenceDivergence,
    MovingAverageType,
    PythonIndicator,
    RateOfChange,
    RateOfChangePercent,
    SimpleMovingAverage,
    StandardDeviation,
    Sum,
    Variance,
    WilderMovingAverage,
    update_indicator,
)
from lean_offline.naming import UnsupportedApiError

START = datetime(2021, 1, 4)


def prices(n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))


def run(indicator: Any, values: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    outputs, ready = [], []
    for i, value in enumerate(values):
        ready.append(indicator.update(START + timedelta(days=i), float(value)))
        outputs.append(indicator.current.value)
    return np.array(outputs), ready


def seeded_ema(values: np.ndarray, period: int, k: float | None = None) -> np.ndarray:
    """LEAN's EMA from pandas: zeros before `period`, then ewm(adjust=False) of the series whose first value is
    the mean of the first `period` inputs."""
    alpha = 2.0 / (period + 1) if k is None else k
    seeded = pd.Series(np.concatenate([[values[:period].mean()], values[period:]]))
    tail = seeded.ewm(alpha=alpha, adjust=False).mean().to_numpy()
    return np.concatenate([np.zeros(period - 1), tail])


# -- moving averages ---------------------------------------------------------------------------------------------

def test_sma_is_the_rolling_mean_and_the_partial_mean_while_warming_up() -> None:
    values = prices(300)
    outputs, ready = run(SimpleMovingAverage(20), values)
    expected = pd.Series(values).rolling(20, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(outputs, expected, rtol=1e-12)
    assert ready.index(True) == 19


def test_sum_survives_many_updates_without_drift() -> None:
    values = prices(5000, seed=3) * 1e4
    outputs, _ = run(Sum(7), values)
    expected = pd.Series(values).rolling(7, min_periods=1).sum().to_numpy()
    np.testing.assert_allclose(outputs, expected, rtol=1e-11)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=80), st.integers(1, 10))
def test_sma_property_mean_of_last_period(values: list[float], period: int) -> None:
    sma = SimpleMovingAverage(period)
    for i, value in enumerate(values):
        sma.update(START + timedelta(days=i), value)
    tail = values[-period:]
    assert sma.current.value == pytest.approx(float(np.mean(tail)), rel=1e-9, abs=1e-6)
    assert sma.is_ready == (len(values) >= period)


def test_ema_is_zero_then_sma_seed_then_recursive() -> None:
    values = prices(200)
    outputs, ready = run(ExponentialMovingAverage(10), values)
    np.testing.assert_allclose(outputs, seeded_ema(values, 10), rtol=1e-12)
    assert outputs[8] == 0.0 and outputs[9] == pytest.approx(values[:10].mean())
    assert ready.index(True) == 9


def test_ema_hand_case_and_custom_smoothing() -> None:
    ema = ExponentialMovingAverage(2, 0.5)
    for i, value in enumerate([1.0, 3.0, 5.0, 9.0]):
        ema.update(START + timedelta(days=i), value)
    # seed (1+3)/2 = 2; then 0.5*5 + 0.5*2 = 3.5; then 0.5*9 + 0.5*3.5 = 6.25
    assert ema.current.value == 6.25
    assert ema.name == "EMA(2,0.5)" and ExponentialMovingAverage("mine", 5).name == "mine"


def test_wilders_follows_lean_seeding() -> None:
    values = [10.0, 11.0, 12.0, 13.0, 20.0]
    outputs, ready = run(WilderMovingAverage(3), np.array(values))
    # samples 1–2: running SMA; from sample 3: x/3 + prev·2/3, prev at sample 3 being SMA(10, 11)
    expected_3 = 12.0 / 3 + 10.5 * 2 / 3
    expected_4 = 13.0 / 3 + expected_3 * 2 / 3
    expected_5 = 20.0 / 3 + expected_4 * 2 / 3
    np.testing.assert_allclose(outputs, [10.0, 10.5, expected_3, expected_4, expected_5])
    assert ready == [False, False, True, True, True]


def test_lwma_weights_newest_most() -> None:
    values = prices(50)
    outputs, _ = run(LinearWeightedMovingAverage(4), values)
    weights = np.array([1, 2, 3, 4]) / 10.0
    expected = np.convolve(values, weights[::-1], mode="valid")
    np.testing.assert_allclose(outputs[3:], expected, rtol=1e-12)
    assert (outputs[:3] == 0).all()


# -- MACD --------------------------------------------------------------------------------------------------------

def test_macd_lines_and_ready_sample_count() -> None:
    values = prices(150)
    macd = MovingAverageConvergenceDivergence(12, 26, 9)
    outputs, ready = run(macd, values)
    fast, slow = seeded_ema(values, 12), seeded_ema(values, 26)
    line = fast - slow
    np.testing.assert_allclose(outputs, line, rtol=1e-10, atol=1e-12)
    signal = seeded_ema(line[25:], 9)  # the signal only sees MACD values once both averages are ready
    assert macd.signal.current.value == pytest.approx(signal[-1], rel=1e-10)
    assert macd.histogram.current.value == pytest.approx(line[-1] - signal[-1], rel=1e-9)
    assert ready.index(True) + 1 == 34 == macd.warm_up_period
    assert macd.name == "MACD(12,26,9)"
    assert macd.Signal.Current.Value == macd.signal.current.value and macd.IsReady


def test_macd_simple_type_and_keywords() -> None:
    values = prices(60)
    macd = MovingAverageConvergenceDivergence("m", 3, 5, 2, MovingAverageType.SIMPLE)
    outputs, _ = run(macd, values)
    series = pd.Series(values)
    expected = series.rolling(3, min_periods=1).mean() - series.rolling(5, min_periods=1).mean()
    np.testing.assert_allclose(outputs, expected.to_numpy(), rtol=1e-10, atol=1e-12)
    keyworded = MovingAverageConvergenceDivergence(fast_period=3, slow_period=5, signal_period=2)
    assert keyworded.warm_up_period == 6 and isinstance(keyworded.fast, ExponentialMovingAverage)
    with pytest.raises(ValueError, match="fastPeriod must be less than slowPeriod"):
        MovingAverageConvergenceDivergence(5, 5, 2)
    with pytest.raises(UnsupportedApiError):
        MovingAverageConvergenceDivergence(3, 5, 2, MovingAverageType.KAMA)


# -- window indicators -------------------------------------------------------------------------------------------

def test_std_and_variance_are_population_statistics_of_the_window() -> None:
    values = prices(120)
    std_out, std_ready = run(StandardDeviation(10), values)
    var_out, _ = run(Variance(10), values)
    series = pd.Series(values)
    expected_std = series.rolling(10, min_periods=1).std(ddof=0).to_numpy()
    np.testing.assert_allclose(std_out, expected_std, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(var_out, expected_std ** 2, rtol=1e-6, atol=1e-9)
    assert std_out[0] == 0.0 and std_ready.index(True) == 9


def test_std_hand_case() -> None:
    std = StandardDeviation(4)
    for i, value in enumerate([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]):
        std.update(START + timedelta(days=i), value)
    assert std.current.value == pytest.approx(np.std([5.0, 5.0, 7.0, 9.0]))


def test_rate_of_change_family_closed_forms() -> None:
    values = prices(40)
    period = 5
    roc, roc_ready = run(RateOfChange(period), values)
    rocp, _ = run(RateOfChangePercent(period), values)
    momp, _ = run(MomentumPercent(period), values)
    mom, mom_ready = run(Momentum(period), values)
    lagged = np.concatenate([np.full(period, values[0]), values[:-period]])
    np.testing.assert_allclose(roc, values / lagged - 1.0, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rocp, 100 * (values / lagged - 1.0), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(momp, rocp)
    np.testing.assert_allclose(mom, values - lagged, rtol=1e-12, atol=1e-12)
    assert roc_ready.index(True) == period == mom_ready.index(True)
    assert RateOfChange(period).warm_up_period == period + 1
    assert MomentumPercent(3).name == "MOMP(3)" and RateOfChangePercent(3).name == "ROCP(3)"


def test_rate_of_change_with_zero_base_is_zero() -> None:
    roc = RateOfChange(1)
    roc.update(START, 0.0)
    roc.update(START + timedelta(days=1), 5.0)
    assert roc.current.value == 0.0


def test_delay_returns_the_input_period_samples_ago() -> None:
    values = np.arange(1.0, 11.0)
    outputs, ready = run(Delay(3), values)
    np.testing.assert_array_equal(outputs, [1, 1, 1, 1, 2, 3, 4, 5, 6, 7])
    assert ready.index(True) == 3 and Delay(3).warm_up_period == 4


def test_maximum_and_minimum_match_rolling_extremes() -> None:
    values = prices(200, seed=11)
    max_out, _ = run(Maximum(7), values)
    min_out, _ = run(Minimum(7), values)
    series = pd.Series(values)
    np.testing.assert_array_equal(max_out, series.rolling(7, min_periods=1).max().to_numpy())
    np.testing.assert_array_equal(min_out, series.rolling(7, min_periods=1).min().to_numpy())


def test_maximum_periods_since() -> None:
    maximum = Maximum(3)
    for i, value in enumerate([5.0, 1.0, 2.0]):
        maximum.update(START + timedelta(days=i), value)
    assert maximum.current.value == 5.0 and maximum.periods_since_maximum == 2
    maximum.update(START + timedelta(days=3), 1.5)
    assert maximum.current.value == 2.0 and maximum.periods_since_maximum == 1


def test_identity() -> None:
    identity = Identity("id")
    assert not identity.is_ready
    identity.update(START, 3.0)
    assert identity.is_ready and identity.current.value == 3.0


# -- the update protocol -----------------------------------------------------------------------------------------

def bar(minute: int, close: float, symbol: str = "SPY") -> TradeBar:
    return TradeBar(START + timedelta(minutes=minute), symbol, close - 1, close + 2, close - 2, close, 100.0,
                    timedelta(minutes=1))


def test_bars_feed_their_close_at_their_end_time() -> None:
    sma = SimpleMovingAverage(2)
    sma.update(bar(0, 10.0))
    sma.update(bar(1, 20.0))
    assert sma.current.value == 15.0
    assert sma.current.time == START + timedelta(minutes=2) and sma.current.symbol == "SPY"


def test_forward_only_and_same_point_twice(caplog: pytest.LogCaptureFixture) -> None:
    sma = SimpleMovingAverage(3)
    point = IndicatorDataPoint(START + timedelta(days=1), 4.0)
    sma.update(point)
    sma.update(point)  # the very same object: ignored
    assert sma.samples == 1
    with caplog.at_level(logging.ERROR, logger="lean_offline.indicators"):
        sma.update(START, 100.0)  # older than the previous input: ignored
    assert sma.samples == 1 and sma.current.value == 4.0
    assert "forward only" in caplog.text
    sma.update(IndicatorDataPoint(START + timedelta(days=1), 8.0))  # same time, new object: accepted
    assert sma.samples == 2 and sma.current.value == 6.0


def test_bad_input_is_named() -> None:
    with pytest.raises(TypeError, match="got float 5.0"):
        SimpleMovingAverage(3).update(5.0)
    with pytest.raises(ValueError, match="period"):
        SimpleMovingAverage(0)


def test_updated_event_both_spellings_and_detach() -> None:
    sma = SimpleMovingAverage(2)
    seen: list[tuple[Any, float]] = []

    def handler(sender: Any, point: IndicatorDataPoint) -> None:
        seen.append((sender, point.value))

    sma.updated += handler
    sma.Updated += handler
    sma.update(START, 2.0)
    assert seen == [(sma, 2.0), (sma, 2.0)]
    sma.updated -= handler
    sma.Updated -= handler
    sma.update(START + timedelta(days=1), 4.0)
    assert len(seen) == 2
    with pytest.raises(TypeError, match=r"\+="):
        sma.updated = None  # type: ignore[assignment]


def test_current_previous_window_and_reset() -> None:
    sma = SimpleMovingAverage(2)
    assert sma.current.value == 0.0 and sma.current.time == datetime.min and sma.previous.value == 0.0
    for i, value in enumerate([1.0, 3.0, 5.0]):
        sma.update(START + timedelta(days=i), value)
    assert (sma.current.value, sma.previous.value) == (4.0, 2.0)
    assert [p.value for p in sma.window] == [4.0, 2.0] and sma[1].value == 2.0
    sma.window.size = 4
    sma.update(START + timedelta(days=3), 7.0)
    assert [p.value for p in sma] == [6.0, 4.0, 2.0]  # 1.0 had already fallen off the 2-slot window
    sma.reset()
    assert sma.samples == 0 and not sma.is_ready and sma.current.value == 0.0
    sma.update(START, 10.0)
    assert sma.current.value == 10.0


def test_conversions_comparisons_and_text() -> None:
    fast, slow = SimpleMovingAverage(1), SimpleMovingAverage(1)
    fast.update(START, 2.5)
    slow.update(START, 1.25)
    assert fast > slow and slow < fast and fast >= 2.5 and fast <= 2.5 and fast > 0 and 3 > fast
    assert float(fast) == 2.5 and fast == 2.5 and fast != slow and fast == fast
    assert fast.current > slow.current and float(fast.current) == 2.5
    assert str(fast) == "2.5" and repr(fast) == "SMA(1) - 2.5"
    third = SimpleMovingAverage(1)
    third.update(START, 1 / 3)
    assert str(third) == "0.33333"
    assert len({fast, slow}) == 2
    assert fast.IsReady and fast.Current.Value == 2.5 and fast.Name == "SMA(1)" and fast.Samples == 1


def test_update_indicator_with_and_without_selector() -> None:
    sma = SimpleMovingAverage(2)
    update_indicator(sma, bar(0, 10.0))
    assert sma.current.value == 10.0
    high = SimpleMovingAverage(2)
    update_indicator(high, bar(0, 10.0), Field.HIGH)
    update_indicator(high, bar(1, 20.0), Field.High)
    assert high.current.value == 17.0  # highs 12 and 22
    average = Identity()
    update_indicator(average, bar(0, 10.0), lambda b: (b.high + b.low) / 2)
    assert average.current.value == 10.0
    assert Field.AVERAGE(bar(0, 10.0)) == pytest.approx((9 + 12 + 8 + 10) / 4)
    assert Field.Volume(bar(0, 10.0)) == 100.0 and Field.close(bar(0, 10.0)) == 10.0
    point = IndicatorDataPoint(START, 3.0)
    assert Field.HIGH(point) == 3.0  # not a bar: falls back to value


# -- composites and extensions -----------------------------------------------------------------------------------

def test_of_pipes_values_once_first_is_ready() -> None:
    values = prices(60)
    sma = SimpleMovingAverage(5)
    sma_of_sma = IndicatorExtensions.of(SimpleMovingAverage(3), sma)
    assert IndicatorExtensions.Of is IndicatorExtensions.of
    for i, value in enumerate(values):
        sma.update(START + timedelta(days=i), float(value))
    first = pd.Series(values).rolling(5).mean().dropna()
    assert sma_of_sma.samples == len(first)
    assert sma_of_sma.current.value == pytest.approx(first.iloc[-3:].mean(), rel=1e-12)


def test_of_without_waiting_and_register_quirk() -> None:
    inner = SimpleMovingAverage(3)
    outer = IndicatorExtensions.of(Delay(1), inner, False)
    inner.update(START, 3.0)
    assert outer.samples == 1
    # feeding the outer indicator directly (what register_indicator does) bypasses the inner one
    outer.update(START + timedelta(days=1), 99.0)
    assert inner.samples == 1 and outer.current.value == 3.0


def test_extension_sma_ema_max_min_names_and_values() -> None:
    identity = Identity("x")
    sma = IndicatorExtensions.sma(identity, 2)
    ema = IndicatorExtensions.EMA(identity, 2)
    high = IndicatorExtensions.max(identity, 2)
    low = IndicatorExtensions.MIN(identity, 2)
    for i, value in enumerate([1.0, 5.0, 3.0]):
        identity.update(START + timedelta(days=i), value)
    assert sma.name == "SMA2_Of_x" and sma.current.value == 4.0
    assert ema.current.value == pytest.approx(3.0 * 2 / 3 + 3.0 / 3)  # seed mean(1,5)=3, then k=2/3
    assert (high.current.value, low.current.value) == (5.0, 3.0)


def test_composites_update_when_both_sides_have_new_values() -> None:
    left, right = Identity("l"), Identity("r")
    ratio = IndicatorExtensions.over(left, right)
    difference = IndicatorExtensions.minus(left, right, "diff")
    left.update(START, 6.0)
    assert ratio.samples == 0 and not ratio.is_ready
    right.update(START, 3.0)
    assert ratio.current.value == 2.0 and difference.current.value == 3.0 and difference.name == "diff"
    assert ratio.is_ready and ratio.name == "COMPOSE(l,r)"
    left.update(START + timedelta(days=1), 9.0)
    right.update(START + timedelta(days=2), 0.0)  # division by zero: no new value, no event
    assert ratio.samples == 2 and ratio.current.value == 2.0
    assert ratio.current.time == START
    right.update(START + timedelta(days=3), 1.0)
    left.update(START + timedelta(days=3), 4.0)
    assert ratio.current.value == 4.0 and ratio.current.time == START + timedelta(days=3)


def test_composites_with_constants_and_products() -> None:
    source = Identity("s")
    doubled = IndicatorExtensions.times(source, 2)
    shifted = IndicatorExtensions.plus(source, 0.5)
    halved = IndicatorExtensions.over(source, 2)
    source.update(START, 3.0)
    assert (doubled.current.value, shifted.current.value, halved.current.value) == (6.0, 3.5, 1.5)
    custom = CompositeIndicator("max", source, doubled, lambda a, b: max(a.current.value, b.current.value))
    source.update(START + timedelta(days=1), 4.0)
    assert custom.current.value == 8.0
    with pytest.raises(TypeError, match="indicator or a number"):
        IndicatorExtensions.plus(source, "1")


# -- user-written indicators -------------------------------------------------------------------------------------

class CustomMean(PythonIndicator):
    """Written as LEAN users write them: no super().__init__(), `value` set in `update`."""

    def __init__(self, name: str, period: int) -> None:
        self.name = name
        self.value = 0.0
        self.warm_up_period = period
        self._queue: deque[float] = deque(maxlen=period)

    def update(self, input: Any) -> bool:  # type: ignore[override]
        self._queue.appendleft(input.value)
        self.value = sum(self._queue) / len(self._queue)
        return len(self._queue) == self._queue.maxlen


class PascalRange(PythonIndicator):
    def __init__(self) -> None:
        self.Value = 0.0

    def Update(self, input: Any) -> None:
        self.Value = input.high - input.low

    @property
    def IsReady(self) -> bool:
        return self.Value > 3


def test_python_indicator_runs_the_update_protocol_around_user_code() -> None:
    sma = SimpleMovingAverage(2)
    custom = IndicatorExtensions.of(CustomMean("mine", 3), sma)
    difference = IndicatorExtensions.minus(sma, custom)
    seen: list[float] = []
    custom.updated += lambda sender, point: seen.append(point.value)
    values = [1.0, 2.0, 4.0, 8.0, 16.0]
    for i, value in enumerate(values):
        sma.update(START + timedelta(days=i), value)
    sma_values = pd.Series(values).rolling(2).mean().dropna().to_list()  # 1.5, 3, 6, 12
    expected = [float(np.mean(sma_values[max(0, i - 2):i + 1])) for i in range(len(sma_values))]
    assert seen == pytest.approx(expected)
    assert custom.samples == 4 and custom.is_ready and custom.IsReady and custom.name == "mine"
    assert custom.current.time == START + timedelta(days=4)
    assert difference.current.value == pytest.approx(sma.current.value - custom.value)


def test_python_indicator_pascal_case_and_bar_inputs() -> None:
    indicator = PascalRange()
    assert indicator.name == "PascalRange" and not indicator.is_ready
    indicator.update(bar(0, 10.0))  # bars reach user code unconverted: high − low = 4
    assert indicator.current.value == 4.0 and indicator.is_ready and indicator.samples == 1
    assert indicator.current.time == START + timedelta(minutes=1)


def test_constructor_overloads_and_keywords() -> None:
    assert SimpleMovingAverage(period=5).name == "SMA(5)" and SimpleMovingAverage("s", 5).period == 5
    assert SimpleMovingAverage(name="s", period=5).name == "s"
    assert ExponentialMovingAverage(period=4, smoothing_factor=0.5).name == "EMA(4,0.5)"
    assert Delay(period=2).name == "DELAY(2)" and StandardDeviation("sd", 3).name == "sd"
    assert WilderMovingAverage(3).name == "WWMA3" and Sum(2).name == "SUM(2)" and Maximum(4).name == "MAX(4)"
    with pytest.raises(TypeError, match="needs a period"):
        SimpleMovingAverage()


@pytest.mark.lean_data
def test_macd_and_std_on_lean_spy_daily_closes(lean_data_folder: Path) -> None:
    with zipfile.ZipFile(lean_data_folder / "equity" / "usa" / "daily" / "spy.zip") as archive:
        frame = pd.read_csv(archive.open(archive.namelist()[0]), header=None,
                            names=["time", "open", "high", "low", "close", "volume"])
    closes = frame["close"].to_numpy() / 10000.0
    assert len(closes) > 5000
    macd_out, ready = run(MovingAverageConvergenceDivergence(12, 26, 9), closes)
    np.testing.assert_allclose(macd_out, seeded_ema(closes, 12) - seeded_ema(closes, 26), rtol=1e-9, atol=1e-9)
    assert ready.index(True) == 33
    std_out, _ = run(StandardDeviation(20), closes)
    expected = pd.Series(closes).rolling(20, min_periods=1).std(ddof=0).to_numpy()
    np.testing.assert_allclose(std_out, expected, rtol=1e-6, atol=1e-7)
