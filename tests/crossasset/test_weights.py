"""Weights against closed forms, an independent scipy optimisation, and hypothesis properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from crossasset import (
    asset_class_budgets,
    correlation_penalized_weights,
    equal_risk_contribution,
    inverse_volatility_weights,
    risk_budget_weights,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import root


def risk_contributions(weights: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    return weights * (covariance @ weights) / (weights @ covariance @ weights)


def random_covariance(seed: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    returns = rng.standard_normal((max(3 * size, 30), size)) @ rng.normal(0.0, 1.0, (size, size))
    vols = rng.uniform(0.01, 2.0, size)
    return np.cov((returns * vols).T).reshape(size, size)


# --- inverse volatility -----------------------------------------------------------------------------------


def test_inverse_volatility_hand_case() -> None:
    weights = inverse_volatility_weights({"fx": 0.1, "eq": 0.2, "bond": 0.4}, {"fx": 1, "eq": -2, "bond": 1})
    # 1/σ = 10, 5, 2.5 → total 17.5
    assert weights == pytest.approx({"fx": 10 / 17.5, "eq": -5 / 17.5, "bond": 2.5 / 17.5})
    assert list(weights) == ["fx", "eq", "bond"]


def test_inverse_volatility_excludes_flat_and_undefined_legs() -> None:
    vols = {"a": 0.1, "b": 0.0, "c": math.nan, "d": math.inf, "e": 0.3, "f": -0.2}
    directions = {"a": 1, "b": 1, "c": -1, "d": 1, "e": 0, "f": 1}
    assert inverse_volatility_weights(vols, directions) == {"a": 1.0, "b": 0.0, "c": 0.0, "d": 0.0, "e": 0.0, "f": 0.0}
    assert inverse_volatility_weights({"a": 0.2, "b": 0.2}) == {"a": 0.5, "b": 0.5}


def test_inverse_volatility_all_excluded_and_empty() -> None:
    assert inverse_volatility_weights({"a": 0.1, "b": 0.2}, {"a": 0, "b": 0}) == {"a": 0.0, "b": 0.0}
    assert inverse_volatility_weights({"a": math.nan}) == {"a": 0.0}
    assert inverse_volatility_weights({}) == {}


def test_inverse_volatility_rejects_bad_directions() -> None:
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        inverse_volatility_weights({"a": 0.1, "b": 0.2}, {"a": 1})
    with pytest.raises(ValueError, match="NaN"):
        inverse_volatility_weights({"a": 0.1}, {"a": math.nan})


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(1e-4, 10.0), st.sampled_from([0.0, math.nan, math.inf, -1.0])),
            st.sampled_from([-1, 0, 1, 2]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.floats(1e-3, 1e3),
)
def test_inverse_volatility_properties(legs: list[tuple[float, int]], scale: float) -> None:
    vols = {f"leg{i}": vol for i, (vol, _) in enumerate(legs)}
    directions = {f"leg{i}": direction for i, (_, direction) in enumerate(legs)}
    weights = inverse_volatility_weights(vols, directions)
    values = np.array(list(weights.values()))
    assert np.all(np.isfinite(values))
    eligible = [leg for leg in vols if directions[leg] != 0 and math.isfinite(vols[leg]) and vols[leg] > 0]
    assert sum(abs(v) for v in values) == pytest.approx(1.0 if eligible else 0.0)
    for leg in vols:
        assert np.sign(weights[leg]) == (np.sign(directions[leg]) if leg in eligible else 0)
    scaled = inverse_volatility_weights({leg: vol * scale for leg, vol in vols.items()}, directions)
    assert list(scaled.values()) == pytest.approx(list(values), rel=1e-9, abs=1e-12)


# --- equal risk contribution --------------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.0, 0.5, 0.95])
def test_erc_two_assets_is_inverse_volatility_for_any_correlation(rho: float) -> None:
    s1, s2 = 0.1, 0.3
    covariance = np.array([[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]])
    np.testing.assert_allclose(equal_risk_contribution(covariance), [0.75, 0.25], rtol=1e-10)


def test_erc_diagonal_is_inverse_volatility() -> None:
    vols = np.array([0.05, 0.1, 0.2, 0.4])
    expected = (1 / vols) / (1 / vols).sum()
    np.testing.assert_allclose(equal_risk_contribution(np.diag(vols**2)), expected, rtol=1e-10)


def test_erc_matches_an_independent_scipy_solution_with_budgets() -> None:
    covariance = random_covariance(10, 5)
    budgets = np.array([0.1, 0.2, 0.3, 0.25, 0.15])

    # Independent route: solve the risk-budget equations x_i (Σx)_i = b_i for x = exp(y) with scipy's root finder.
    solution = root(lambda y: np.exp(y) * (covariance @ np.exp(y)) - budgets, np.zeros(5), method="hybr", tol=1e-14)
    assert solution.success
    reference = np.exp(solution.x) / np.exp(solution.x).sum()
    weights = equal_risk_contribution(covariance, budgets)
    np.testing.assert_allclose(weights, reference, rtol=1e-8)
    np.testing.assert_allclose(risk_contributions(weights, covariance), budgets, atol=1e-6)


@st.composite
def covariances(draw: st.DrawFn) -> np.ndarray:
    size = draw(st.integers(1, 10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((size, size + draw(st.integers(0, 5))))
    vols = 10.0 ** rng.uniform(-3, 1, size)
    covariance = factors @ factors.T / factors.shape[1] + draw(st.floats(1e-6, 1.0)) * np.eye(size)
    scale = np.sqrt(np.diag(covariance))
    return np.outer(vols / scale, vols / scale) * covariance


@settings(max_examples=80, deadline=None)
@given(covariances(), st.floats(1e-6, 1e6))
def test_erc_properties(covariance: np.ndarray, scale: float) -> None:
    weights = equal_risk_contribution(covariance)
    size = covariance.shape[0]
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(risk_contributions(weights, covariance), np.full(size, 1 / size), atol=1e-6)
    np.testing.assert_allclose(equal_risk_contribution(covariance * scale), weights, rtol=1e-7, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(covariances(), st.data())
def test_erc_custom_budgets_property(covariance: np.ndarray, data: st.DataObject) -> None:
    size = covariance.shape[0]
    raw = np.array(data.draw(st.lists(st.floats(0.05, 1.0), min_size=size, max_size=size)))
    budgets = raw / raw.sum()
    weights = equal_risk_contribution(covariance, budgets)
    np.testing.assert_allclose(risk_contributions(weights, covariance), budgets, atol=1e-6)


def test_erc_nearly_singular_rank_deficient_covariance() -> None:
    rng = np.random.default_rng(14)
    factors = rng.standard_normal((12, 3))
    covariance = factors @ factors.T + 1e-7 * np.eye(12)
    weights = equal_risk_contribution(covariance)
    assert np.all(weights > 0) and weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(risk_contributions(weights, covariance), np.full(12, 1 / 12), atol=1e-6)


@pytest.mark.parametrize(
    ("covariance", "message"),
    [
        ([[1.0, np.nan], [np.nan, 1.0]], "NaN"),
        ([[1.0, 0.5], [0.2, 1.0]], "symmetric"),
        ([[1.0, 2.0], [2.0, 1.0]], "positive semi-definite"),
        ([[1.0, 0.0], [0.0, 0.0]], "zero-variance"),
        ([[1.0, -1.0], [-1.0, 1.0]], "riskless long combination"),
        ([1.0, 2.0], "square"),
    ],
)
def test_erc_rejects_invalid_covariance(covariance: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        equal_risk_contribution(covariance)


@pytest.mark.parametrize("budgets", [[0.5, 0.6], [1.0, 0.0], [0.5], [np.nan, 0.5]])
def test_erc_rejects_invalid_budgets(budgets: list[float]) -> None:
    with pytest.raises(ValueError, match="budgets"):
        equal_risk_contribution(np.eye(2), budgets)


def test_erc_empty() -> None:
    assert equal_risk_contribution(np.zeros((0, 0))).size == 0


# --- signed risk budgets ----------------------------------------------------------------------------------------


def test_risk_budget_weights_signs_and_contributions() -> None:
    covariance = random_covariance(11, 6)
    directions = np.array([1, -1, 0, 1, -2, 1])
    budgets = asset_class_budgets(["fx", "fx", "eq", "eq", "bond", "bond"])
    weights = risk_budget_weights(covariance, directions, budgets)
    active = directions != 0
    assert weights[2] == 0.0
    np.testing.assert_array_equal(np.sign(weights[active]), np.sign(directions[active]))
    assert np.abs(weights).sum() == pytest.approx(1.0)
    expected_budgets = budgets[active] / budgets[active].sum()
    contributions = risk_contributions(weights[active], covariance[np.ix_(active, active)])
    np.testing.assert_allclose(contributions, expected_budgets, atol=1e-6)


def test_risk_budget_weights_equal_long_only_erc_on_sign_adjusted_covariance() -> None:
    covariance = random_covariance(12, 4)
    signs = np.array([1.0, -1.0, -1.0, 1.0])
    reference = equal_risk_contribution(np.diag(signs) @ covariance @ np.diag(signs))
    weights = risk_budget_weights(covariance, signs, np.full(4, 0.25), gross_exposure=2.0)
    np.testing.assert_allclose(weights, 2.0 * signs * reference, rtol=1e-9)


def test_risk_budget_weights_target_volatility_and_all_flat() -> None:
    covariance = random_covariance(13, 3)
    weights = risk_budget_weights(covariance, [1, 1, -1], np.full(3, 1 / 3), target_volatility=0.01)
    assert math.sqrt(weights @ covariance @ weights) == pytest.approx(0.01)
    np.testing.assert_array_equal(risk_budget_weights(covariance, [0, 0, 0], np.full(3, 1 / 3)), np.zeros(3))
    with pytest.raises(ValueError, match="directions"):
        risk_budget_weights(covariance, [1, np.nan, 1], np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="gross_exposure"):
        risk_budget_weights(covariance, [1, 1, 1], np.full(3, 1 / 3), gross_exposure=-1.0)


def test_risk_budget_weights_flat_zero_variance_leg_is_allowed() -> None:
    covariance = np.diag([0.04, 0.0, 0.01])
    weights = risk_budget_weights(covariance, [1, 0, -1], np.full(3, 1 / 3))
    np.testing.assert_allclose(weights, [1 / 3, 0.0, -2 / 3])


def test_asset_class_budgets() -> None:
    budgets = asset_class_budgets(["fx", "equity", "bond", "fx", "equity", "equity"])
    np.testing.assert_allclose(budgets, [1 / 6, 1 / 9, 1 / 3, 1 / 6, 1 / 9, 1 / 9])
    np.testing.assert_allclose(asset_class_budgets(["fx", "fx"]), [0.5, 0.5])
    assert asset_class_budgets([]).size == 0


# --- correlation penalty --------------------------------------------------------------------------------------


def test_correlation_penalized_weights_hand_case() -> None:
    vols = np.array([0.2, 0.4, 0.5])
    corr = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, 0.1], [0.9, 0.1, 1.0]])
    # mean other correlations 0.9, 0.5, 0.5 → penalties 0.9/0.7, 1, 1
    inverse = np.array([1 / (0.2 * 0.9 / 0.7), 1 / 0.4, 1 / 0.5])
    np.testing.assert_allclose(correlation_penalized_weights(vols, corr), inverse / inverse.sum())


def test_correlation_penalized_weights_edge_cases() -> None:
    corr = np.array([[1.0, np.nan], [np.nan, 1.0]])
    np.testing.assert_allclose(correlation_penalized_weights([0.3, np.nan], corr), [1.0, 0.0])
    np.testing.assert_array_equal(correlation_penalized_weights([0.0, np.nan], corr), [0.0, 0.0])
    with pytest.raises(ValueError, match="NaN"):
        correlation_penalized_weights([0.3, 0.2], corr)
    with pytest.raises(ValueError, match="max_correlation"):
        correlation_penalized_weights([0.3], [[1.0]], max_correlation=0.0)
    uncorrelated = correlation_penalized_weights([0.1, 0.2], np.eye(2))
    np.testing.assert_allclose(uncorrelated, [2 / 3, 1 / 3])


def test_inverse_volatility_survives_extreme_volatilities() -> None:
    assert inverse_volatility_weights({"a": 1e-308, "b": 1e-308}) == pytest.approx({"a": 0.5, "b": 0.5})
    assert inverse_volatility_weights({"a": 5e-324, "b": 1e300}) == pytest.approx({"a": 1.0, "b": 0.0})


@settings(max_examples=40, deadline=None)
@given(covariances(), st.data(), st.floats(1e-4, 1e4))
def test_risk_budget_weights_properties(covariance: np.ndarray, data: st.DataObject, scale: float) -> None:
    size = covariance.shape[0]
    directions = np.array(data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=size, max_size=size)))
    classes = data.draw(st.lists(st.sampled_from(["fx", "equity", "bond"]), min_size=size, max_size=size))
    budgets = asset_class_budgets(classes)
    weights = risk_budget_weights(covariance, directions, budgets)
    active = directions != 0
    assert np.all(np.isfinite(weights))
    assert np.abs(weights).sum() == pytest.approx(1.0 if active.any() else 0.0)
    np.testing.assert_array_equal(np.sign(weights), directions)
    if active.any():
        contributions = risk_contributions(weights[active], covariance[np.ix_(active, active)])
        np.testing.assert_allclose(contributions, budgets[active] / budgets[active].sum(), atol=1e-6)
    np.testing.assert_allclose(risk_budget_weights(covariance * scale, directions, budgets), weights, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.one_of(st.floats(1e-3, 5.0), st.sampled_from([0.0, math.nan, math.inf])), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
    st.floats(1e-3, 1e3),
)
def test_correlation_penalized_weights_properties(vols: list[float], seed: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((len(vols), len(vols) + 2))
    covariance = factors @ factors.T
    corr = covariance / np.sqrt(np.outer(np.diag(covariance), np.diag(covariance)))
    weights = correlation_penalized_weights(vols, corr)
    eligible = np.array([0 < v < math.inf for v in vols])
    assert np.all(np.isfinite(weights)) and np.all(weights >= 0)
    assert weights.sum() == pytest.approx(1.0 if eligible.any() else 0.0)
    assert np.all(weights[~eligible] == 0)
    np.testing.assert_allclose(correlation_penalized_weights(np.array(vols) * scale, corr), weights, rtol=1e-9)
