"""Spillover scores against the six rules applied one by one."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from crossasset import spillover_scores

# (source, target, sign) as stated by Declerck / seed 001
RULES = [
    ("bond", "fx", -1),
    ("bond", "equity", +1),
    ("equity", "bond", -1),
    ("equity", "fx", -1),
    ("fx", "equity", +1),
    ("fx", "bond", +1),
]


def rule_by_rule(fx: float, equity: float, bond: float) -> tuple[int, int, int]:
    sign = {"fx": (fx > 0) - (fx < 0), "equity": (equity > 0) - (equity < 0), "bond": (bond > 0) - (bond < 0)}
    score = {"fx": 0, "equity": 0, "bond": 0}
    for source, target, effect in RULES:
        score[target] += effect * sign[source]
    return score["fx"], score["equity"], score["bond"]


@pytest.mark.parametrize(("fx", "equity", "bond"), list(itertools.product([-0.2, 0.0, 0.3], repeat=3)))
def test_scalar_scores_follow_the_six_rules(fx: float, equity: float, bond: float) -> None:
    scores = spillover_scores(fx, equity, bond)
    assert scores == rule_by_rule(fx, equity, bond)
    assert all(type(score) is int for score in scores)


def test_hand_case_all_rising() -> None:
    # everything up: fx = −1 − 1, equity = +1 + 1, bond = −1 + 1
    assert spillover_scores(0.1, 0.2, 0.05) == (-2, 2, 0)


def test_arrays_are_scored_elementwise() -> None:
    grid = np.array(list(itertools.product([-1.0, 0.0, 2.0], repeat=3)))
    fx, equity, bond = spillover_scores(grid[:, 0], grid[:, 1], grid[:, 2])
    assert fx.dtype.kind == "i" and fx.shape == (27,)
    expected = np.array([rule_by_rule(*map(float, row)) for row in grid])
    np.testing.assert_array_equal(np.column_stack([fx, equity, bond]), expected)


@pytest.mark.parametrize("position", [0, 1, 2])
def test_nan_input_names_the_argument(position: int) -> None:
    names = ["fx_return", "equity_return", "bond_return"]
    arguments: list[object] = [0.1, 0.1, 0.1]
    arguments[position] = np.array([0.1, np.nan])
    with pytest.raises(ValueError, match=names[position]):
        spillover_scores(*arguments)  # type: ignore[call-overload]
