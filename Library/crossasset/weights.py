"""Portfolio weights: inverse volatility, equal risk contribution, signed risk budgets, correlation penalty."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_MAX_NEWTON_STEPS = 300
_GRADIENT_TOLERANCE = 1e-13
# The contract: contributions within 1e-6 of the budgets. Well-conditioned problems reach ~1e-15; a covariance
# with a nearly riskless long combination stalls at a rounding floor of ~1e-7, which is still accepted.
_RISK_CONTRIBUTION_TOLERANCE = 1e-6
_NO_SOLUTION = "no long-only risk-budget solution: the covariance allows a (numerically) riskless long combination"


def inverse_volatility_weights(
    volatilities: Mapping[str, float], directions: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Signed inverse-volatility weights w_i = sign(d_i) (1/σ_i) / Σ_{j∈A} (1/σ_j).

    A is the set of legs with a non-zero direction d_i and a finite, strictly positive volatility σ_i; every
    other leg gets weight 0 and stays out of the sum, so Σ|w_i| = 1 whenever A is not empty. If A is empty
    every weight is 0 (never NaN). directions=None means d_i = +1 for every leg.
    Raises ValueError when `directions` does not name exactly the legs of `volatilities` or holds a NaN.
    The result keeps the order of `volatilities` and is unchanged by scaling all volatilities by c > 0.
    """
    if directions is None:
        signs = {leg: 1.0 for leg in volatilities}
    else:
        missing = [leg for leg in volatilities if leg not in directions]
        extra = [leg for leg in directions if leg not in volatilities]
        if missing or extra:
            raise ValueError(f"directions must name the legs of volatilities: missing {missing}, unexpected {extra}")
        for leg, direction in directions.items():
            if math.isnan(direction):
                raise ValueError(f"directions[{leg!r}] is NaN")
        signs = {leg: float(np.sign(directions[leg])) for leg in volatilities}
    eligible = {leg: float(vol) for leg, vol in volatilities.items() if signs[leg] != 0.0 and 0.0 < vol < math.inf}
    if not eligible:
        return {leg: 0.0 for leg in volatilities}
    # (σ_min / σ_i) / Σ(σ_min / σ_j) is the same ratio, with every term in (0, 1]: no overflow for tiny σ.
    smallest = min(eligible.values())
    inverse = {leg: smallest / vol for leg, vol in eligible.items()}
    total = sum(inverse.values())
    return {leg: signs[leg] * inverse[leg] / total if leg in inverse else 0.0 for leg in volatilities}


def _validated_covariance(covariance: npt.ArrayLike) -> FloatArray:
    matrix = np.asarray(covariance, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"covariance must be a square matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("covariance holds NaN or infinite entries")
    if matrix.size == 0:
        return matrix
    scale = float(np.max(np.abs(matrix)))
    if not np.allclose(matrix, matrix.T, rtol=1e-9, atol=1e-12 * scale):
        raise ValueError("covariance is not symmetric")
    symmetric = (matrix + matrix.T) / 2.0
    smallest = float(np.linalg.eigvalsh(symmetric)[0])
    if smallest < -1e-10 * max(scale, float(np.finfo(np.float64).tiny)):
        raise ValueError(f"covariance is not positive semi-definite (smallest eigenvalue {smallest:.3g})")
    return symmetric


def _validated_budgets(budgets: npt.ArrayLike | None, size: int) -> FloatArray:
    if budgets is None:
        return np.full(size, 1.0 / size) if size else np.zeros(0)
    values = np.asarray(budgets, dtype=np.float64).reshape(-1)
    if values.shape != (size,):
        raise ValueError(f"budgets must have {size} entries (one per leg), got {values.size}")
    if not np.all(np.isfinite(values)) or np.any(values <= 0.0):
        raise ValueError(f"budgets must be finite and positive, got {values.tolist()}")
    if size and abs(float(values.sum()) - 1.0) > 1e-8:
        raise ValueError(f"budgets must sum to 1, got {float(values.sum())!r}")
    return values


def _solve_risk_budget(covariance: FloatArray, budgets: FloatArray) -> FloatArray:
    """Long-only risk-budget weights by Spinu's (2013) convex problem, solved on the correlation matrix.

    With σ_i = √Σ_ii and C = diag(1/σ) Σ diag(1/σ), minimise f(y) = ½ yᵀCy − Σ b_i ln y_i over y > 0. Its
    stationarity y_i (Cy)_i = b_i is the risk-budget condition, and x = y / σ satisfies x_i (Σx)_i = b_i, so
    w = x / Σx. Working on C keeps the Newton system well scaled whatever the units and the spread of the
    volatilities. Damped Newton: step 1/(1 + λ) while the Newton decrement λ ≥ 0.25, full steps after,
    halved further if a step would leave y > 0.
    """
    variances = np.diag(covariance)
    if np.any(variances <= 0.0):
        raise ValueError("covariance has a zero-variance leg: its risk contribution cannot match a positive budget")
    vols = np.sqrt(variances)
    correlation = covariance / np.outer(vols, vols)
    y = budgets.copy()
    initial_variance = float(y @ correlation @ y)
    if not initial_variance > 0.0:
        raise ValueError(_NO_SOLUTION)
    y /= math.sqrt(initial_variance)
    best_y, best_residual = y, math.inf
    for _ in range(_MAX_NEWTON_STEPS):
        gradient = correlation @ y - budgets / y
        residual = float(np.max(np.abs(gradient * y)))
        if residual < best_residual:
            best_y, best_residual = y, residual
        if residual < _GRADIENT_TOLERANCE:
            break
        hessian = correlation + np.diag(budgets / (y * y))
        try:
            step = -np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            raise ValueError(_NO_SOLUTION) from None
        decrement = math.sqrt(max(float(-gradient @ step), 0.0))
        length = 1.0 if decrement < 0.25 else 1.0 / (1.0 + decrement)
        while np.any(y + length * step <= 0.0):
            length /= 2.0
        y = y + length * step
    y = best_y
    contributions = y * (correlation @ y) / float(y @ correlation @ y)
    if not np.all(np.isfinite(contributions)) or np.max(np.abs(contributions - budgets)) > _RISK_CONTRIBUTION_TOLERANCE:
        raise ValueError(_NO_SOLUTION)
    weights = y / vols
    return weights / weights.sum()


def equal_risk_contribution(covariance: npt.ArrayLike, budgets: npt.ArrayLike | None = None) -> FloatArray:
    """Long-only weights w (Σw_i = 1, w_i > 0) with risk contributions RC_i = w_i (Σw)_i / wᵀΣw = b_i.

    b defaults to equal budgets 1/n. Solved as Spinu's convex problem min ½ xᵀΣx − Σ b_i ln x_i, w = x / Σx
    (damped Newton); contributions match the budgets within 1e-6: ≈1e-15 when Σ is well conditioned, and
    ~1e-7 (the rounding floor) when some long-only combination has a variance below ~1e-8 of the average one.
    Invariant to scaling Σ by c > 0.
    An empty covariance gives an empty array. Raises ValueError for a covariance that is not square,
    symmetric, finite and positive semi-definite, has a zero-variance leg, or admits a riskless long
    combination (no solution), and for budgets that are not positive, finite and summing to 1.
    """
    matrix = _validated_covariance(covariance)
    size = matrix.shape[0]
    weights_budget = _validated_budgets(budgets, size)
    if size == 0:
        return np.zeros(0)
    return _solve_risk_budget(matrix, weights_budget)


def risk_budget_weights(
    covariance: npt.ArrayLike,
    directions: npt.ArrayLike,
    budgets: npt.ArrayLike,
    gross_exposure: float = 1.0,
    target_volatility: float | None = None,
) -> FloatArray:
    """Signed weights whose sign-adjusted risk contributions equal the budgets (trend-spillover "paper" weights).

    With D = diag(sign(directions)) restricted to the legs with a non-zero direction, solve the long-only
    risk budget u on D Σ D with those legs' budgets renormalised to sum 1, then w = D u: each active leg's
    contribution w_i (Σw)_i / wᵀΣw equals its renormalised budget. Legs with direction 0 get weight 0.
    Scaling: by default Σ|w_i| = gross_exposure; with target_volatility set instead, √(wᵀΣw) equals it
    (in the units of Σ, e.g. daily when Σ is a covariance of daily returns). All directions 0 → all zeros.
    Raises ValueError for an invalid covariance or budgets (see equal_risk_contribution), NaN directions,
    or a negative / non-finite scale.
    """
    matrix = _validated_covariance(covariance)
    size = matrix.shape[0]
    signs = np.sign(np.asarray(directions, dtype=np.float64).reshape(-1))
    if signs.shape != (size,):
        raise ValueError(f"directions must have {size} entries (one per leg), got {signs.size}")
    if np.any(np.isnan(signs)):
        raise ValueError(f"directions hold NaN: {signs.tolist()}")
    all_budgets = _validated_budgets(budgets, size)
    if not (math.isfinite(gross_exposure) and gross_exposure >= 0.0):
        raise ValueError(f"gross_exposure must be finite and >= 0, got {gross_exposure!r}")
    if target_volatility is not None and not (math.isfinite(target_volatility) and target_volatility >= 0.0):
        raise ValueError(f"target_volatility must be finite and >= 0, got {target_volatility!r}")
    active = signs != 0.0
    weights = np.zeros(size)
    if not np.any(active):
        return weights
    active_signs = signs[active]
    adjusted = matrix[np.ix_(active, active)] * np.outer(active_signs, active_signs)
    active_budgets = all_budgets[active] / all_budgets[active].sum()
    weights[active] = active_signs * _solve_risk_budget(adjusted, active_budgets)
    if target_volatility is None:
        return weights * gross_exposure
    return weights * (target_volatility / math.sqrt(float(weights @ matrix @ weights)))


def asset_class_budgets(classes: Sequence[str]) -> FloatArray:
    """Risk budgets b_i = (1 / K) / n_{c(i)}: an equal share per asset class present, split equally within it.

    K is the number of distinct classes and n_c the number of legs of class c, so with three classes each
    gets ⅓ of the risk budget. An empty sequence gives an empty array.
    """
    labels = list(classes)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return np.array([1.0 / (len(counts) * counts[label]) for label in labels], dtype=np.float64)


def correlation_penalized_weights(
    volatilities: npt.ArrayLike, correlation: npt.ArrayLike, max_correlation: float = 0.7
) -> FloatArray:
    """Inverse-volatility weights shrunk for crowded legs: w_i ∝ 1 / (σ_i p_i), normalised to Σw_i = 1.

    p_i = max(1, ρ̄_i / max_correlation), ρ̄_i the mean correlation of leg i with the other eligible legs
    (off-diagonal only; seed 003's pandas `corr.mean()` also averages in the diagonal 1). Legs with a
    non-finite or non-positive volatility get 0 and are left out of every mean; a single eligible leg gets 1;
    none eligible → all zeros. Raises ValueError for mismatched shapes, NaN correlations among eligible legs,
    or max_correlation not in (0, 1].
    """
    sigma = np.asarray(volatilities, dtype=np.float64).reshape(-1)
    rho = np.asarray(correlation, dtype=np.float64)
    if rho.shape != (sigma.size, sigma.size):
        raise ValueError(f"correlation must be {sigma.size}x{sigma.size}, got shape {rho.shape}")
    if not (0.0 < max_correlation <= 1.0):
        raise ValueError(f"max_correlation must be in (0, 1], got {max_correlation!r}")
    eligible = np.isfinite(sigma) & (sigma > 0.0)
    weights = np.zeros(sigma.size)
    count = int(eligible.sum())
    if count == 0:
        return weights
    sub = rho[np.ix_(eligible, eligible)]
    if not np.all(np.isfinite(sub)):
        raise ValueError("correlation holds NaN or infinite entries among legs with a valid volatility")
    mean_other = (sub.sum(axis=1) - np.diag(sub)) / (count - 1) if count > 1 else np.zeros(1)
    penalty = np.maximum(1.0, mean_other / max_correlation)
    inverse = sigma[eligible].min() / (sigma[eligible] * penalty)
    weights[eligible] = inverse / inverse.sum()
    return weights
