"""Declerck's trend-spillover scores within a (currency, equity index, 10y bond) triplet."""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def _signs(value: float | npt.ArrayLike, name: str) -> IntArray:
    values = np.asarray(value, dtype=np.float64)
    if np.any(np.isnan(values)):
        raise ValueError(f"{name} holds NaN: a spillover sign needs a defined past return")
    return np.sign(values).astype(np.int64)


@overload
def spillover_scores(  # type: ignore[overload-overlap]  # floats are array-like too; scalars return ints
    fx_return: float, equity_return: float, bond_return: float
) -> tuple[int, int, int]: ...


@overload
def spillover_scores(
    fx_return: npt.ArrayLike, equity_return: npt.ArrayLike, bond_return: npt.ArrayLike
) -> tuple[IntArray, IntArray, IntArray]: ...


def spillover_scores(
    fx_return: float | npt.ArrayLike, equity_return: float | npt.ArrayLike, bond_return: float | npt.ArrayLike
) -> tuple[int, int, int] | tuple[IntArray, IntArray, IntArray]:
    """Sum of the six spillover signs acting on each leg of a triplet (each score in {−2, …, 2}).

    Bonds → FX (−), bonds → equities (+); equities → bonds (−), equities → FX (−); FX → equities (+),
    FX → bonds (+). With s(·) = sign of the past return:
        fx = −s(bond) − s(equity),  equity = s(bond) + s(fx),  bond = −s(equity) + s(fx).
    A leg trades the sign of its score (0 → flat). Scalars give Python ints; arrays (broadcast together)
    give int64 arrays, elementwise. Raises ValueError naming the argument that holds a NaN.
    """
    fx = _signs(fx_return, "fx_return")
    equity = _signs(equity_return, "equity_return")
    bond = _signs(bond_return, "bond_return")
    fx_score = -bond - equity
    equity_score = bond + fx
    bond_score = -equity + fx
    if fx_score.ndim == 0:
        return int(fx_score), int(equity_score), int(bond_score)
    return fx_score, equity_score, bond_score
