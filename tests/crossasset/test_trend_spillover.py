"""Pure decision logic of the trend-spillover strategy, against hand-derived and numpy/pandas references."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from crossasset.trend_spillover import (
    SEED_TRIPLETS,
    LegHistory,
    TrendSpilloverParameters,
    Triplet,
    Weighting,
    aligned_covariance,
    is_stale,
    target_weights,
    triplet_directions,
)
from hypothesis import given, settings
from hypothesis import strategies as st

START = date(2001, 1, 1)


def seed_directions(fx: float, equity: float, bond: float) -> tuple[int, int, int]:
    """The seed's sequential accumulation of the six spillovers, transcribed step by step."""
    fx_w = equity_w = bond_w = 0.0
    fx_w -= np.sign(bond)
    equity_w += np.sign(bond)
    bond_w -= np.sign(equity)
    fx_w -= np.sign(equity)
    equity_w += np.sign(fx)
    bond_w += np.sign(fx)
    return int(np.sign(fx_w)), int(np.sign(equity_w)), int(np.sign(bond_w))


@pytest.mark.parametrize("fx,equity,bond", list(itertools.product([-0.2, 0.0, 0.3], repeat=3)))
def test_directions_match_the_seed_for_every_sign_combination(fx: float, equity: float, bond: float) -> None:
    assert triplet_directions(fx, equity, bond) == seed_directions(fx, equity, bond)


def test_directions_hand_cases() -> None:
    # All three trending up: fx = −1 −1 = −2 → short; equity = 1 + 1 → long; bond = −1 + 1 = 0 → flat.
    assert triplet_directions(0.1, 0.1, 0.1) == (-1, 1, 0)
    # Bonds up, equities down, fx down: fx = −1 + 1 = 0; equity = 1 − 1 = 0; bond = 1 − 1 = 0.
    assert triplet_directions(-0.1, -0.1, 0.1) == (0, 0, 0)


def history_from(prices: list[float] | np.ndarray, start: date = START, capacity: int | None = None) -> LegHistory:
    history = LegHistory(capacity or len(prices))
    for offset, price in enumerate(prices):
        history.add(start + timedelta(days=offset), float(price))
    return history


def test_leg_history_keeps_the_newest_prices_and_resets() -> None:
    history = history_from([1.0, 2.0, 3.0, 4.0], capacity=3)
    assert history.is_ready
    np.testing.assert_array_equal(history.prices(), [2.0, 3.0, 4.0])
    assert history.last_day == START + timedelta(days=3)
    history.reset()
    assert not history.is_ready and history.last_day is None and history.prices().size == 0


@given(st.integers(min_value=2, max_value=9),
       st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), max_size=40),
       st.integers(min_value=0, max_value=40))
def test_leg_history_prices_are_the_newest_capacity_in_order(capacity: int, prices: list[float], reset_at: int) -> None:
    history = LegHistory(capacity)
    kept: list[float] = []
    for offset, price in enumerate(prices):
        if offset == reset_at:
            history.reset()
            kept = []
        history.add(START + timedelta(days=offset), price)
        kept.append(price)
        assert history.prices().tolist() == kept[-capacity:]
        assert history.is_ready == (len(kept) >= capacity)
        assert len(history.days()) == len(history.prices())


def test_stale_rule_boundary_and_weekends() -> None:
    friday_point = date(2005, 3, 26)  # Friday's row arrives Saturday 00:00
    assert not is_stale(friday_point, friday_point + timedelta(days=3))  # the Tuesday point is due
    assert not is_stale(friday_point, friday_point + timedelta(days=10))
    assert is_stale(friday_point, friday_point + timedelta(days=11))
    assert not is_stale(None, date(2005, 4, 30))


def random_prices(rng: np.random.Generator, size: int, volatility: float, drift: float) -> np.ndarray:
    return 100.0 * np.exp(np.cumsum(drift + volatility * rng.standard_normal(size)))


def reference_inverse_vol(prices: dict[str, np.ndarray], triplets: list[Triplet], lookback: int, vol_window: int):
    """Independent re-derivation with plain numpy: seed signs, inverse vol of the last vol_window returns."""
    weights: dict[str, float] = {}
    for t in triplets:
        perf = [prices[leg][-1] / prices[leg][-lookback] - 1 for leg in t.legs]
        signs = seed_directions(*perf)
        vols = []
        for leg in t.legs:
            p = prices[leg][-(vol_window + 1) :]
            vols.append(np.std(p[1:] / p[:-1] - 1) * math.sqrt(252))
        total = sum(1 / v for v, s in zip(vols, signs, strict=True) if s != 0)
        for leg, v, s in zip(t.legs, vols, signs, strict=True):
            weights[leg] = (1 / v) / total * s / len(triplets) if total else 0.0
    return weights


def test_inverse_vol_weights_match_an_independent_derivation() -> None:
    rng = np.random.default_rng(11)
    params = TrendSpilloverParameters(lookback_months=1, vol_window=5)
    triplets = list(SEED_TRIPLETS[:3])
    prices = {
        leg: random_prices(rng, 40, vol, drift)
        for t in triplets
        for leg, vol, drift in zip(t.legs, (0.01, 0.02, 0.004), rng.choice([-0.01, 0.01], 3), strict=True)
    }
    histories = {leg: history_from(p, capacity=params.history_length) for leg, p in prices.items()}
    expected = reference_inverse_vol(prices, triplets, lookback=21, vol_window=5)
    got = target_weights(triplets, histories, params)
    assert got.keys() == expected.keys()
    for leg in expected:
        assert got[leg] == pytest.approx(expected[leg], rel=1e-12, abs=1e-15)


def test_only_ready_triplets_trade_and_the_count_divides() -> None:
    rng = np.random.default_rng(3)
    params = TrendSpilloverParameters(lookback_months=1, vol_window=5)
    ready, short = SEED_TRIPLETS[0], SEED_TRIPLETS[1]
    prices = {leg: random_prices(rng, 30, 0.01, 0.01) for leg in ready.legs}
    histories = {leg: history_from(p, capacity=params.history_length) for leg, p in prices.items()}
    histories.update({leg: history_from(random_prices(rng, 10, 0.01, 0.0), capacity=21) for leg in short.legs})
    got = target_weights([ready, short], histories, params)
    assert set(got) == set(ready.legs)
    # One ready triplet: its non-flat legs carry the whole gross exposure of 1.
    assert sum(abs(w) for w in got.values()) == pytest.approx(1.0)


def test_zero_volatility_never_divides() -> None:
    params = TrendSpilloverParameters(lookback_months=1, vol_window=5)
    t = SEED_TRIPLETS[0]
    rising = list(100 * 1.01 ** np.arange(21) * (1 + 0.001 * (-1) ** np.arange(21)))
    flat = [100.0] * 21  # constant: zero volatility
    histories = {
        t.fx: history_from(rising),
        t.equity: history_from(flat),
        t.bond: history_from(rising),
    }
    # fx up, equity flat (sign 0), bond up → fx −1, equity +2, bond +1: equity has zero vol.
    got = target_weights([t], histories, params)
    assert got[t.equity] == 0.0
    assert all(math.isfinite(w) for w in got.values())
    assert abs(got[t.fx]) + abs(got[t.bond]) == pytest.approx(1.0)
    assert got[t.fx] < 0 < got[t.bond]


def test_aligned_covariance_matches_pandas_on_different_calendars() -> None:
    rng = np.random.default_rng(5)
    days_a = [START + timedelta(days=i) for i in range(0, 60) if i % 7 not in (5, 6)]
    days_b = [d for d in days_a if d.day != 10]  # a holiday on b's exchange
    a = LegHistory(len(days_a))
    b = LegHistory(len(days_b))
    series_a = pd.Series(random_prices(rng, len(days_a), 0.01, 0.0), index=pd.to_datetime(days_a))
    series_b = pd.Series(random_prices(rng, len(days_b), 0.02, 0.0), index=pd.to_datetime(days_b))
    for day, price in series_a.items():
        a.add(day.date(), price)
    for day, price in series_b.items():
        b.add(day.date(), price)
    window = 20
    frame = pd.concat([series_a, series_b], axis=1).ffill().dropna().tail(window + 1)
    expected = np.cov(frame.pct_change().dropna().to_numpy().T, ddof=0) * 252
    np.testing.assert_allclose(aligned_covariance({"a": a, "b": b}, window), expected, rtol=1e-12)


def test_risk_budget_gives_each_asset_class_a_third_of_the_risk() -> None:
    rng = np.random.default_rng(8)
    params = TrendSpilloverParameters(lookback_months=1, vol_window=30, weighting=Weighting.RISK_BUDGET)
    triplets = list(SEED_TRIPLETS[:2])
    # Trending up everywhere: fx short, equity long, bond flat in both triplets (see test_directions_hand_cases).
    prices = {
        leg: random_prices(rng, 40, vol, 0.02)
        for t in triplets
        for leg, vol in zip(t.legs, (0.005, 0.01, 0.003), strict=True)
    }
    histories = {leg: history_from(p, capacity=params.history_length) for leg, p in prices.items()}
    got = target_weights(triplets, histories, params)
    active = [leg for t in triplets for leg in (t.fx, t.equity)]
    assert all(got[t.bond] == 0.0 for t in triplets)
    assert all(got[t.fx] < 0 < got[t.equity] for t in triplets)
    assert sum(abs(got[leg]) for leg in active) == pytest.approx(1.0)
    returns = np.column_stack([prices[leg][-31:][1:] / prices[leg][-31:][:-1] - 1 for leg in active])
    sigma = np.cov(returns, rowvar=False, ddof=0)
    w = np.array([got[leg] for leg in active])
    contributions = w * (sigma @ w) / (w @ sigma @ w)
    # Two classes present (fx, equity): half of the risk each, split equally between the two countries.
    np.testing.assert_allclose(contributions, [0.25, 0.25, 0.25, 0.25], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_inverse_vol_signs_follow_the_spillovers_and_gross_is_bounded(seed: int) -> None:
    rng = np.random.default_rng(seed)
    params = TrendSpilloverParameters(lookback_months=1, vol_window=10)
    triplets = list(SEED_TRIPLETS)
    prices = {leg: random_prices(rng, 25, 0.01, rng.normal(0, 0.005)) for t in triplets for leg in t.legs}
    histories = {leg: history_from(p, capacity=params.history_length) for leg, p in prices.items()}
    got = target_weights(triplets, histories, params)
    assert sum(abs(w) for w in got.values()) <= 1.0 + 1e-12
    for t in triplets:
        signs = seed_directions(*(prices[leg][-1] / prices[leg][-21] - 1 for leg in t.legs))
        assert tuple(int(np.sign(got[leg])) for leg in t.legs) == signs


def test_parameters_defaults_and_parsing() -> None:
    values = {"lookback-months": "24", "vol-window": "59", "weighting": "risk-budget", "end-date": "2010-06-30"}
    parsed = TrendSpilloverParameters.from_lookup(values.get)
    assert parsed.lookback == 24 * 21 and parsed.vol_window == 59 and parsed.weighting is Weighting.RISK_BUDGET
    assert parsed.start_date == date(2000, 1, 1) and parsed.end_date == date(2010, 6, 30)
    defaults = TrendSpilloverParameters.from_lookup(lambda name: "")
    assert (defaults.lookback, defaults.vol_window, defaults.leverage, defaults.fee_rate) == (756, 60, 5.0, 0.00005)
    assert defaults.end_date is None and defaults.history_length == 756


@pytest.mark.parametrize(
    "name,value,accepted",
    [
        ("weighting", "equal", "inverse-vol, risk-budget"),
        ("lookback-months", "0", "an integer from 1 to 120"),
        ("lookback-months", "three", "an integer from 1 to 120"),
        ("vol-window", "1", "an integer from 2"),
        ("leverage", "-1", "a finite number >= 1"),
        ("fee-rate", "nan", "a finite number >= 0"),
        ("start-date", "01/01/2000", "a date YYYY-MM-DD"),
    ],
)
def test_wrong_parameter_names_itself_and_the_accepted_values(name: str, value: str, accepted: str) -> None:
    with pytest.raises(ValueError, match=f"'{name}'.*{value!r}.*accepted values: {accepted}".replace("(", r"\(")):
        TrendSpilloverParameters.from_lookup({name: value}.get)


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="end-date"):
        TrendSpilloverParameters.from_lookup({"start-date": "2005-01-01", "end-date": "2004-01-01"}.get)
