"""Bar indicators, RSI, Bollinger and Keltner bands, Donchian, LogReturn and indicator histories against pandas."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.symbol import Symbol
from lean_offline.enums import SecurityType
from lean_offline.indicators import (
    AccumulationDistribution,
    AroonOscillator,
    AverageDirectionalIndex,
    AverageTrueRange,
    Beta,
    BollingerBands,
    ChandeMomentumOscillator,
    CommodityChannelIndex,
    DonchianChannel,
    Field,
    KeltnerChannels,
    LogReturn,
    MeanAbsoluteDeviation,
    MovingAverageType,
    OnBalanceVolume,
    RelativeStrengthIndex,
    Stochastic,
    TrueRange,
    WilliamsPercentR,
    indicator_history,
    update_indicator,
)

START = datetime(2020, 1, 1)
DAY = timedelta(days=1)
WILDERS = MovingAverageType["WILDERS"]
SIMPLE = MovingAverageType["SIMPLE"]


def random_bars(count: int, seed: int) -> list[TradeBar]:
    rng = np.random.default_rng(seed)
    closes = 100 + np.cumsum(rng.normal(0, 1, count))
    opens = closes + rng.normal(0, 0.5, count)
    highs = np.maximum(opens, closes) + rng.uniform(0, 1, count)
    lows = np.minimum(opens, closes) - rng.uniform(0, 1, count)
    return [TradeBar(START + i * DAY, "SPY", float(o), float(h), float(lo), float(c), 1000.0, DAY)
            for i, (o, h, lo, c) in enumerate(zip(opens, highs, lows, closes, strict=True))]


def frame(bars: list[TradeBar]) -> pd.DataFrame:
    return pd.DataFrame({"open": [b.open for b in bars], "high": [b.high for b in bars],
                         "low": [b.low for b in bars], "close": [b.close for b in bars]})


def wilder(values: pd.Series, period: int) -> pd.Series:
    """Wilder's average seeded with the mean of the first `period` values: NaN before, then ewm(alpha = 1/period)."""
    seeded = pd.concat([pd.Series([values.iloc[:period].mean()]), values.iloc[period:]], ignore_index=True)
    smoothed = seeded.ewm(alpha=1 / period, adjust=False).mean()
    return pd.concat([pd.Series([np.nan] * (period - 1)), smoothed], ignore_index=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rsi_wilders_matches_pandas(seed: int) -> None:
    period = 14
    closes = frame(random_bars(120, seed))["close"]
    change = closes.diff().iloc[1:].reset_index(drop=True)
    gain, loss = wilder(change.clip(lower=0), period), wilder((-change).clip(lower=0), period)
    expected = 100 - 100 / (1 + gain / loss)
    rsi = RelativeStrengthIndex(period)
    for i, close in enumerate(closes):
        rsi.update(START + i * DAY, close)
        assert rsi.is_ready == (i + 1 >= period + 1) == (rsi.samples >= rsi.warm_up_period)
        if rsi.is_ready:
            assert rsi.current.value == pytest.approx(expected.iloc[i - 1], rel=1e-9)


def test_rsi_simple_average_and_first_values() -> None:
    closes = [10.0, 11.0, 10.5, 12.0, 11.0, 11.5, 13.0]
    rsi = RelativeStrengthIndex("r", 3, SIMPLE)
    values = []
    for i, close in enumerate(closes):
        rsi.update(START + i * DAY, close)
        values.append(rsi.current.value)
    assert values[0] == 100.0  # no change yet: the average loss is 0
    change = pd.Series(closes).diff()
    gain = change.clip(lower=0).rolling(3).mean()
    loss = (-change).clip(lower=0).rolling(3).mean()
    expected = 100 - 100 / (1 + gain / loss)
    assert values[3:] == pytest.approx(list(expected.iloc[3:]), rel=1e-12)
    assert rsi.name == "r" and rsi.warm_up_period == 4


def test_rsi_is_100_when_prices_only_rise() -> None:
    rsi = RelativeStrengthIndex(5)
    for i in range(10):
        rsi.update(START + i * DAY, 100.0 + i)
    assert rsi.is_ready and rsi.current.value == 100.0


@pytest.mark.parametrize("seed", [4, 5])
def test_bollinger_bands_match_pandas_rolling(seed: int) -> None:
    period, k = 20, 2.0
    closes = frame(random_bars(80, seed))["close"]
    middle = closes.rolling(period).mean()
    sigma = closes.rolling(period).std(ddof=0)
    upper, lower = middle + k * sigma, middle - k * sigma
    bands = BollingerBands(period, k)
    assert bands.name == "BB(20,2.0)"
    for i, close in enumerate(closes):
        bands.update(START + i * DAY, close)
        assert bands.is_ready == (i + 1 >= period)
        if bands.is_ready:
            assert bands.current.value == close
            assert bands.middle_band.current.value == pytest.approx(middle[i], rel=1e-12)
            assert bands.upper_band.current.value == pytest.approx(upper[i], rel=1e-9)
            assert bands.lower_band.current.value == pytest.approx(lower[i], rel=1e-9)
            assert bands.band_width.current.value == pytest.approx(100 * (upper[i] - lower[i]) / middle[i], rel=1e-9)
            assert bands.percent_b.current.value == pytest.approx((close - lower[i]) / (upper[i] - lower[i]),
                                                                  rel=1e-9)


def test_bollinger_bands_skip_an_update_when_the_deviation_is_zero() -> None:
    bands = BollingerBands("flat", 3, 1.5, MovingAverageType["EXPONENTIAL"])
    for i in range(5):
        bands.update(START + i * DAY, 7.0)
    assert bands.is_ready and bands.standard_deviation.current.value == 0
    assert bands.current.time == START + DAY  # the last update before the bands were ready
    assert bands.samples == 5


def test_true_range_and_atr_match_pandas() -> None:
    bars = random_bars(60, 6)
    data = frame(bars)
    previous_close = data["close"].shift()
    true_range = pd.concat([data["high"] - data["low"], (previous_close - data["high"]).abs(),
                            (previous_close - data["low"]).abs()], axis=1).max(axis=1)
    true_range.iloc[0] = data["high"].iloc[0] - data["low"].iloc[0]
    expected_wilders = wilder(true_range, 14)
    expected_simple = true_range.rolling(14).mean()
    tr, atr, atr_simple = TrueRange(), AverageTrueRange(14), AverageTrueRange("s", 14, SIMPLE)
    for i, bar in enumerate(bars):
        tr.update(bar)
        atr.update(bar)
        atr_simple.update(bar)
        assert tr.current.value == pytest.approx(true_range[i], rel=1e-12)
        assert tr.is_ready == (i >= 1)
        assert atr.is_ready == (i + 1 >= 14) == atr_simple.is_ready
        if atr.is_ready:
            assert atr.current.value == pytest.approx(expected_wilders[i], rel=1e-9)
            assert atr_simple.current.value == pytest.approx(expected_simple[i], rel=1e-9)


@pytest.mark.parametrize("periods", [(10, 3, 3), (5, 1, 4), (14, 3, 1)])
def test_stochastic_matches_pandas(periods: tuple[int, int, int]) -> None:
    period, k_period, d_period = periods
    bars = random_bars(70, 7)
    data = frame(bars)
    highest, lowest = data["high"].rolling(period).max(), data["low"].rolling(period).min()
    fast = (data["close"] - lowest) / (highest - lowest)
    stoch_k = fast.rolling(k_period).mean()
    stoch_d = stoch_k.rolling(d_period).mean()
    sto = Stochastic("sto", period, k_period, d_period)
    assert sto.warm_up_period == period + k_period + d_period - 2
    for i, bar in enumerate(bars):
        sto.update(bar)
        assert sto.is_ready == (i + 1 >= sto.warm_up_period)
        assert sto.current.value == pytest.approx(100 * fast[i] if i + 1 >= period else 0.0, rel=1e-9)
        assert sto.stoch_k.current.value == pytest.approx(0.0 if np.isnan(stoch_k[i]) else 100 * stoch_k[i],
                                                          rel=1e-9)
        assert sto.stoch_d.current.value == pytest.approx(0.0 if np.isnan(stoch_d[i]) else 100 * stoch_d[i],
                                                          rel=1e-9)


def test_bar_indicators_reject_values_ignore_older_bars_and_take_selected_bars() -> None:
    tr = TrueRange()
    with pytest.raises(TypeError, match="bars"):
        tr.update(START, 1.0)
    late, early = random_bars(2, 8)[::-1]
    tr.update(late)
    tr.update(early)  # older than the last bar: ignored
    assert tr.samples == 1

    def doubled(bar: TradeBar) -> TradeBar:
        return TradeBar(bar.time, bar.symbol, 2 * bar.open, 2 * bar.high, 2 * bar.low, 2 * bar.close, 0, DAY)

    atr = AverageTrueRange(2)
    update_indicator(atr, late, doubled)
    assert atr.true_range.current.value == pytest.approx(2 * (late.high - late.low))


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=2, max_value=10), st.integers(min_value=0, max_value=30))
def test_indicator_history_records_period_ready_values(period: int, extra: int) -> None:
    bars = random_bars(period + extra, 9)  # period ≥ 2: with one value σ is always 0 and the bands never update
    bands = BollingerBands(period, 2.0)
    bands.update(START - DAY, 50.0)  # indicator_history starts from a reset indicator
    history = indicator_history(bands, bars, Field.HIGH)
    assert history.count == extra + 1
    highs = frame(bars)["high"]
    expected_middle = highs.rolling(period).mean().iloc[period - 1:]
    middle = history["middle_band"]
    assert middle is not None
    assert [point.value for point in middle] == pytest.approx(list(expected_middle), rel=1e-12)
    assert [point.value for point in history.current] == pytest.approx(list(highs.iloc[period - 1:]))
    first = next(iter(history))
    assert first["upper_band"] is first.upper_band is first.UpperBand
    assert first.end_time == first.EndTime == bars[period - 1].end_time and float(first) == first.current.value
    assert list(history.data_frame.columns) == ["standard_deviation", "middle_band", "upper_band", "lower_band",
                                                "band_width", "percent_b", "price", "current"]


@pytest.mark.parametrize(("up", "down"), [(5, 5), (3, 8)])
def test_aroon_matches_bars_since_extremes(up: int, down: int) -> None:
    bars = random_bars(60, 10)
    data = frame(bars)
    since_high = data["high"].rolling(up + 1).apply(lambda window: len(window) - 1 - int(np.argmax(window)), raw=True)
    since_low = data["low"].rolling(down + 1).apply(lambda window: len(window) - 1 - int(np.argmin(window)), raw=True)
    aroon = AroonOscillator(up, down)
    for i, bar in enumerate(bars):
        aroon.update(bar)
        assert aroon.is_ready == (i + 1 >= aroon.warm_up_period == 1 + max(up, down))
        if aroon.is_ready:
            expected_up = 100 * (up - since_high[i]) / up
            expected_down = 100 * (down - since_low[i]) / down
            assert aroon.aroon_up.current.value == pytest.approx(expected_up)
            assert aroon.aroon_down.current.value == pytest.approx(expected_down)
            assert aroon.current.value == pytest.approx(expected_up - expected_down)


def classic_adx(data: pd.DataFrame, period: int) -> list[float]:
    """Wilder's ADX as usually written: sums of the first `period` TR/DM, then S − S/n + x; ADX = mean of the first
    `period` DX, then (ADX·(n − 1) + DX)/n. NaN where not yet defined."""
    high, low, close = data["high"].to_numpy(), data["low"].to_numpy(), data["close"].to_numpy()
    up_move, down_move = high[1:] - high[:-1], low[:-1] - low[1:]
    plus = np.where((up_move > 0) & (up_move >= down_move), up_move, 0.0)
    minus = np.where((down_move > 0) & (down_move > up_move), down_move, 0.0)
    true_range = np.maximum.reduce([high[1:] - low[1:], abs(high[1:] - close[:-1]), abs(low[1:] - close[:-1])])
    adx: list[float] = [np.nan] * len(high)
    smoothed = [true_range[:period].sum(), plus[:period].sum(), minus[:period].sum()]
    dx_values: list[float] = []
    average = np.nan
    for j in range(period - 1, len(true_range)):
        if j >= period:
            smoothed = [s - s / period + x for s, x in zip(smoothed, (true_range[j], plus[j], minus[j]), strict=True)]
        plus_di, minus_di = 100 * smoothed[1] / smoothed[0], 100 * smoothed[2] / smoothed[0]
        dx_values.append(100 * abs(plus_di - minus_di) / (plus_di + minus_di))
        if len(dx_values) == period:
            average = float(np.mean(dx_values))
        elif len(dx_values) > period:
            average = (average * (period - 1) + dx_values[-1]) / period
        adx[j + 1] = average
    return adx


@pytest.mark.parametrize("seed", [11, 12])
def test_adx_matches_the_classic_wilder_computation(seed: int) -> None:
    period = 7
    bars = random_bars(80, seed)
    expected = classic_adx(frame(bars), period)
    adx = AverageDirectionalIndex(period)
    for i, bar in enumerate(bars):
        adx.update(bar)
        assert adx.is_ready == (i + 1 >= adx.warm_up_period == 2 * period)
        if adx.is_ready:
            assert adx.current.value == pytest.approx(expected[i], rel=1e-9)
    assert 0 < adx.positive_directional_index.current.value < 100


def test_beta_matches_numpy_on_aligned_returns() -> None:
    spy = Symbol.create("SPY", SecurityType["EQUITY"], "usa")
    aapl = Symbol.create("AAPL", SecurityType["EQUITY"], "usa")
    target_bars, reference_bars = random_bars(40, 13), random_bars(40, 14)
    for bar in target_bars:
        bar.symbol = aapl
    for bar in reference_bars:
        bar.symbol = spy
    period = 10
    beta = Beta("b", aapl, spy, period)
    target_returns = frame(target_bars)["close"].pct_change()
    reference_returns = frame(reference_bars)["close"].pct_change()
    for i, (target, reference) in enumerate(zip(target_bars, reference_bars, strict=True)):
        beta.update(target)
        beta.update(reference)
        assert beta.is_ready == (i >= period)
        if beta.is_ready:
            t, r = target_returns[i - period + 1:i + 1], reference_returns[i - period + 1:i + 1]
            assert beta.current.value == pytest.approx(np.cov(t, r)[0, 1] / np.var(r, ddof=1), rel=1e-9)
    with pytest.raises(ValueError, match="at least 2"):
        Beta(aapl, spy, 1)


def true_range_series(data: pd.DataFrame) -> pd.Series:
    previous_close = data["close"].shift()
    true_range = pd.concat([data["high"] - data["low"], (previous_close - data["high"]).abs(),
                            (previous_close - data["low"]).abs()], axis=1).max(axis=1)
    true_range.iloc[0] = data["high"].iloc[0] - data["low"].iloc[0]
    return true_range


def test_donchian_keltner_and_williams_match_pandas_rolling_windows() -> None:
    bars = random_bars(50, 15)
    data = frame(bars)
    upper, lower = data["high"].rolling(12).max(), data["low"].rolling(8).min()
    typical = (data["high"] + data["low"] + data["close"]) / 3
    middle, atr = typical.rolling(10).mean(), true_range_series(data).rolling(10).mean()
    highest, lowest = data["high"].rolling(9).max(), data["low"].rolling(9).min()
    williams = -100 * (highest - data["close"]) / (highest - lowest)
    donchian, keltner, wilr = DonchianChannel(12, 8), KeltnerChannels(10, 1.5), WilliamsPercentR(9)
    for i, bar in enumerate(bars):
        for indicator in (donchian, keltner, wilr):
            indicator.update(bar)
        assert donchian.is_ready == (i + 1 >= 12) and keltner.is_ready == (i + 1 >= 10) and wilr.is_ready == (i >= 8)
        if donchian.is_ready:
            assert donchian.current.value == pytest.approx((upper[i] + lower[i]) / 2, rel=1e-12)
        if keltner.is_ready:
            assert keltner.current.value == pytest.approx(middle[i], rel=1e-12)
            assert keltner.upper_band.current.value == pytest.approx(middle[i] + 1.5 * atr[i], rel=1e-9)
            assert keltner.lower_band.current.value == pytest.approx(middle[i] - 1.5 * atr[i], rel=1e-9)
        else:
            assert keltner.upper_band.current.value == 0.0
        assert wilr.current.value == pytest.approx(williams[i] if wilr.is_ready else 0.0, rel=1e-12)


def test_log_return_is_ready_after_period_samples() -> None:
    closes = frame(random_bars(30, 16))["close"]
    expected = np.log(closes / closes.shift(5))
    logr = LogReturn(5)
    for i, close in enumerate(closes):
        logr.update(START + i * DAY, close)
        assert logr.is_ready == (i + 1 >= 5)
        base = closes[i - 5] if i >= 5 else closes[0]
        assert logr.current.value == pytest.approx(np.log(close / base), rel=1e-12, abs=1e-15)
        if i >= 5:
            assert logr.current.value == pytest.approx(expected[i], rel=1e-12)


def test_cci_and_mean_absolute_deviation_match_pandas() -> None:
    bars = random_bars(40, 17)
    data = frame(bars)
    typical = (data["high"] + data["low"] + data["close"]) / 3
    mad = typical.rolling(10, min_periods=1).apply(lambda window: np.mean(np.abs(window - window.mean())), raw=True)
    cci_expected = (typical - typical.rolling(10).mean()) / (0.015 * mad)
    cci, deviation = CommodityChannelIndex(10), MeanAbsoluteDeviation(10)
    for i, bar in enumerate(bars):
        cci.update(bar)
        deviation.update(bar.end_time, typical[i])
        assert deviation.current.value == pytest.approx(mad[i], rel=1e-9, abs=1e-12)
        assert cci.is_ready == deviation.is_ready == (i + 1 >= 10)
        if cci.is_ready:
            assert cci.current.value == pytest.approx(cci_expected[i], rel=1e-9)


def test_obv_and_accumulation_distribution_match_cumulative_sums() -> None:
    rng = np.random.default_rng(18)
    bars = random_bars(30, 18)
    for bar in bars:
        bar.volume = float(rng.integers(1, 10_000))
    bars[5].value = bars[4].close  # an unchanged close leaves OBV where it was
    data = frame(bars)
    volume = pd.Series([bar.volume for bar in bars])
    signed = np.sign(data["close"].diff()).fillna(1.0) * volume
    multiplier = ((data["close"] - data["low"]) - (data["high"] - data["close"])) / (data["high"] - data["low"])
    obv, ad = OnBalanceVolume(), AccumulationDistribution()
    for i, bar in enumerate(bars):
        obv.update(bar)
        ad.update(bar)
        assert obv.current.value == pytest.approx(signed.iloc[:i + 1].sum())
        assert ad.current.value == pytest.approx((multiplier * volume).iloc[:i + 1].sum(), rel=1e-9)
    assert obv.is_ready and ad.is_ready


def test_cmo_uses_wilder_averaged_gains_and_losses() -> None:
    period = 9
    closes = frame(random_bars(50, 19))["close"]
    change = closes.diff().iloc[1:].reset_index(drop=True)
    gain, loss = wilder(change.clip(lower=0), period), wilder((-change).clip(lower=0), period)
    expected = 100 * (gain - loss) / (gain + loss)
    cmo = ChandeMomentumOscillator(period)
    for i, close in enumerate(closes):
        cmo.update(START + i * DAY, close)
        assert cmo.is_ready == (i + 1 > period)
        assert cmo.current.value == pytest.approx(expected[i - 1] if cmo.is_ready else 0.0, rel=1e-9)
