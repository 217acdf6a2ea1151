"""Decisions of the trend-following spillover strategy (Declerck, "Trend-Following and Spillover Effects").

Per country a triplet (currency future, equity-index future, 10-year bond future). Each leg's trailing return over
`lookback` prices gives a sign; the six spillovers add those signs into a score per leg (see
`crossasset.spillover_scores`); a leg trades the sign of its score (0 → flat). Magnitudes:

- `inverse-vol` (the seed's code): within a triplet |w_i| = (1/σ_i) / Σ_j 1/σ_j over its non-flat legs, then every
  weight is divided by the number of ready triplets;
- `risk-budget` (the paper): one third of the risk budget per asset class, equal risk within a class, solved
  jointly over all non-flat legs of the ready triplets (`crossasset.risk_budget_weights`), scaled to Σ|w| = 1.

A leg counts as ready when its history holds `max(lookback, vol_window + 1)` prices; a triplet trades only when its
three legs are ready. A leg whose volatility is zero or undefined gets weight 0 and is left out of the normalisation.
A leg is stale when its newest point is more than `STALE_AFTER_DAYS` calendar days older than the current date.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np
import numpy.typing as npt

from crossasset import (
    annualized_volatility,
    asset_class_budgets,
    inverse_volatility_weights,
    risk_budget_weights,
    spillover_scores,
    trailing_return,
)

TRADING_DAYS_PER_MONTH = 21
PERIODS_PER_YEAR = 252
# Longest regular gap between two daily points: a weekend plus a holiday run (Easter: 4 days; Golden Week in Japan
# or Christmas/New Year: up to 6). 10 days never fires on a live series and catches a series that ended.
STALE_AFTER_DAYS = 10
# LEAN (since 2026-06) makes a market order on hour/daily data wait for a fresh price when the last one is older than
# Settings.StalePriceTimeSpan (1 hour by default): a leg whose series stopped could then never be liquidated. Orders
# may use a price up to this many days old, more than the stale rule's limit plus the days until it is checked.
ORDER_PRICE_MAX_AGE_DAYS = 21
ASSET_CLASSES = ("fx", "equity", "bond")


@dataclass(frozen=True)
class Triplet:
    """One country's currency, equity-index and bond futures (Quantpedia symbols)."""

    country: str
    fx: str
    equity: str
    bond: str

    @property
    def legs(self) -> tuple[str, str, str]:
        return (self.fx, self.equity, self.bond)


SEED_TRIPLETS: tuple[Triplet, ...] = (
    Triplet("AUD", "CME_AD1", "ASX_YAP1", "ASX_XT1"),
    Triplet("GBP", "CME_BP1", "LIFFE_Z1", "LIFFE_R1"),
    Triplet("CAD", "CME_CD1", "LIFFE_FCE1", "MX_CGB1"),
    Triplet("EUR", "CME_EC1", "EUREX_FSTX1", "EUREX_FGBL1"),
    Triplet("JPY", "CME_JY1", "SGX_NK1", "SGX_JB1"),
    Triplet("USD", "CME_DX1", "CME_ES1", "CME_TY1"),
)


class Weighting(Enum):
    INVERSE_VOL = "inverse-vol"
    RISK_BUDGET = "risk-budget"


class LegHistory:
    """The newest `capacity` daily points (day, price) of one leg, oldest→newest.

    Prices live in a ring buffer written twice (at i and i + capacity), so the newest `capacity` of them are always
    one contiguous slice: `prices()` is a memory copy, not a walk over the points.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 2:
            raise ValueError(f"capacity must be at least 2 prices, got {capacity}")
        self.capacity = capacity
        self._days: deque[date] = deque(maxlen=capacity)
        self._buffer = np.empty(2 * capacity, dtype=np.float64)
        self._next = 0  # where the next price goes, in [0, capacity)
        self._count = 0

    def add(self, day: date, price: float) -> None:
        value = float(price)
        self._buffer[self._next] = value
        self._buffer[self._next + self.capacity] = value
        self._next = (self._next + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)
        self._days.append(day)

    def reset(self) -> None:
        self._days.clear()
        self._next = 0
        self._count = 0

    @property
    def is_ready(self) -> bool:
        return self._count == self.capacity

    @property
    def last_day(self) -> date | None:
        return self._days[-1] if self._days else None

    def prices(self) -> npt.NDArray[np.float64]:
        """A copy of the held prices, oldest first."""
        start = self._next if self._count == self.capacity else 0
        return self._buffer[start:start + self._count].copy()

    def days(self) -> list[date]:
        return list(self._days)


def is_stale(last_day: date | None, today: date, max_gap_days: int = STALE_AFTER_DAYS) -> bool:
    """True when the newest point (arrived on `last_day`) is more than `max_gap_days` calendar days before today.

    A leg without any point is not stale: there is nothing to liquidate or reset.
    """
    return last_day is not None and (today - last_day).days > max_gap_days


@dataclass(frozen=True)
class TrendSpilloverParameters:
    """The algorithm's parameters, validated (`from_lookup` reads the config.json strings)."""

    lookback_months: int = 36
    vol_window: int = 60
    weighting: Weighting = Weighting.INVERSE_VOL
    leverage: float = 5.0
    fee_rate: float = 0.00005
    start_date: date = date(2000, 1, 1)
    end_date: date | None = None

    @property
    def lookback(self) -> int:
        """Prices in the trailing-return window: months × 21 (the seed's 36 × 21 = 756)."""
        return self.lookback_months * TRADING_DAYS_PER_MONTH

    @property
    def history_length(self) -> int:
        """Prices a leg needs before it is ready: the lookback window and vol_window returns."""
        return max(self.lookback, self.vol_window + 1)

    @classmethod
    def from_lookup(cls, lookup: Callable[[str], str | None]) -> TrendSpilloverParameters:
        """Parse every parameter; an empty or missing value keeps the default; a wrong one raises ValueError."""
        defaults = cls()

        def text(name: str) -> str | None:
            value = lookup(name)
            return value.strip() if value is not None and value.strip() else None

        start = _parse_date("start-date", text("start-date")) or defaults.start_date
        end = _parse_date("end-date", text("end-date"))
        if end is not None and end < start:
            raise ValueError(f"parameter 'end-date' is {end.isoformat()}, before start-date {start.isoformat()}")
        return cls(
            lookback_months=_parse_int("lookback-months", text("lookback-months"), defaults.lookback_months, 1, 120),
            vol_window=_parse_int("vol-window", text("vol-window"), defaults.vol_window, 2, 1000),
            weighting=_parse_weighting(text("weighting")),
            leverage=_parse_float("leverage", text("leverage"), defaults.leverage, minimum=1.0),
            fee_rate=_parse_float("fee-rate", text("fee-rate"), defaults.fee_rate, minimum=0.0),
            start_date=start,
            end_date=end,
        )


def _parse_int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ValueError(f"parameter {name!r} is {value!r}; accepted values: an integer from {low} to {high}")
    return number


def _parse_float(name: str, value: str | None, default: float, minimum: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number >= minimum):
        raise ValueError(f"parameter {name!r} is {value!r}; accepted values: a finite number >= {minimum:g}")
    return number


def _parse_date(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"parameter {name!r} is {value!r}; accepted values: a date YYYY-MM-DD") from None


def _parse_weighting(value: str | None) -> Weighting:
    if value is None:
        return Weighting.INVERSE_VOL
    for member in Weighting:
        if member.value == value.lower():
            return member
    accepted = ", ".join(member.value for member in Weighting)
    raise ValueError(f"parameter 'weighting' is {value!r}; accepted values: {accepted}")


def triplet_directions(fx_return: float, equity_return: float, bond_return: float) -> tuple[int, int, int]:
    """Signs (−1, 0, +1) of the summed spillover scores of (fx, equity, bond) from the legs' trailing returns."""
    scores = spillover_scores(fx_return, equity_return, bond_return)
    return (int(np.sign(scores[0])), int(np.sign(scores[1])), int(np.sign(scores[2])))


def ready_triplets(triplets: Iterable[Triplet], histories: Mapping[str, LegHistory]) -> list[Triplet]:
    """The triplets whose three legs hold a full history."""
    return [t for t in triplets if all(histories[leg].is_ready for leg in t.legs)]


def leg_directions(triplets: Iterable[Triplet], histories: Mapping[str, LegHistory], lookback: int) -> dict[str, int]:
    """Direction of every leg of the given triplets; a triplet with an undefined trailing return
    (a non-positive or non-finite price at either end of the window) is left out."""
    directions: dict[str, int] = {}
    for triplet in triplets:
        returns = [trailing_return(histories[leg].prices(), lookback) for leg in triplet.legs]
        if all(math.isfinite(value) for value in returns):
            directions.update(zip(triplet.legs, triplet_directions(*returns), strict=True))
    return directions


def target_weights(
    triplets: Sequence[Triplet],
    histories: Mapping[str, LegHistory],
    parameters: TrendSpilloverParameters,
) -> dict[str, float]:
    """{symbol: signed portfolio weight} for every leg of every ready triplet (0.0 for flat legs).

    Legs of triplets that are not ready are absent: the caller liquidates them.
    """
    directions = leg_directions(ready_triplets(triplets, histories), histories, parameters.lookback)
    ready = [t for t in triplets if t.fx in directions]
    if not ready:
        return {}
    vols = {leg: annualized_volatility(histories[leg].prices(), parameters.vol_window) for leg in directions}
    weights = dict.fromkeys(directions, 0.0)
    if parameters.weighting is Weighting.INVERSE_VOL:
        for triplet in ready:
            legs = triplet.legs
            within = inverse_volatility_weights(
                {leg: vols[leg] for leg in legs}, {leg: directions[leg] for leg in legs}
            )
            for leg, weight in within.items():
                weights[leg] = float(weight) / len(ready)
        return weights
    weights.update(_risk_budget(ready, histories, directions, vols, parameters.vol_window))
    return weights


def _risk_budget(
    ready: list[Triplet],
    histories: Mapping[str, LegHistory],
    directions: Mapping[str, int],
    vols: Mapping[str, float],
    vol_window: int,
) -> dict[str, float]:
    """Joint risk-budget weights over the non-flat legs with a usable volatility, scaled to Σ|w| = 1."""
    classes = {leg: asset_class for t in ready for asset_class, leg in zip(ASSET_CLASSES, t.legs, strict=True)}
    active = [leg for leg in directions if directions[leg] != 0 and math.isfinite(vols[leg]) and vols[leg] > 0]
    if not active:
        return {}
    covariance = aligned_covariance({leg: histories[leg] for leg in active}, vol_window)
    solved = risk_budget_weights(
        covariance,
        np.array([directions[leg] for leg in active], dtype=np.float64),
        asset_class_budgets([classes[leg] for leg in active]),
    )
    return {leg: float(w) for leg, w in zip(active, solved, strict=True)}


def aligned_covariance(histories: Mapping[str, LegHistory], vol_window: int) -> npt.NDArray[np.float64]:
    """Annualised covariance Σ = 252 · cov₀(r) (ddof=0) of the legs' last `vol_window` daily returns on common days.

    The legs trade on different exchange calendars: prices are aligned on the union of their days (from the first
    day every leg has a price), a leg without a point on a day keeps its previous price (a zero return), and the
    window is the last `vol_window` of those returns.
    """
    legs = list(histories)
    all_days = sorted({day for history in histories.values() for day in history.days()})
    day_numbers = np.array([day.toordinal() for day in all_days])
    aligned = []
    for leg in legs:
        own_days = np.array([day.toordinal() for day in histories[leg].days()])
        latest = np.searchsorted(own_days, day_numbers, side="right") - 1
        aligned.append(np.where(latest >= 0, histories[leg].prices()[np.maximum(latest, 0)], np.nan))
    prices = np.column_stack(aligned)
    prices = prices[np.all(np.isfinite(prices), axis=1)][-(vol_window + 1) :]
    returns = prices[1:] / prices[:-1] - 1.0
    covariance = np.atleast_2d(np.cov(returns, rowvar=False, ddof=0))
    return np.asarray(covariance, dtype=np.float64) * PERIODS_PER_YEAR
