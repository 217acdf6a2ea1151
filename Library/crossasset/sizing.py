"""Position sizing rules: exposure limits, rebalancing bands and signal decay."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

DecayKind = Literal["exponential", "linear"]


@dataclass(frozen=True)
class ExposureLimits:
    """Caps on risk (sum of |w_i|·risk_i) per sleeve and in total, and on gross leverage Σ|w_i|.

    Defaults are seed 000's combined book: 5% risk per sleeve, 15% in total, 1.5× gross.
    """

    max_sleeve_risk: float = 0.05
    max_total_risk: float = 0.15
    max_gross: float = 1.5

    def __post_init__(self) -> None:
        for name in ("max_sleeve_risk", "max_total_risk", "max_gross"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f"{name} must be finite and > 0, got {value!r}")


@dataclass(frozen=True)
class ExposureResult:
    """Scaled weights, and the limits that bound ("sleeve:<name>", "total_risk", "gross")."""

    weights: dict[str, float]
    binding: tuple[str, ...]


def apply_exposure_limits(
    weights: Mapping[str, float],
    risk_per_unit: Mapping[str, float],
    sleeves: Mapping[str, str],
    limits: ExposureLimits | None = None,
) -> ExposureResult:
    """Scale weights down proportionally until every limit holds; never scales up.

    Risk of leg i = |w_i| × risk_per_unit_i (e.g. its annualised volatility); risks add within a sleeve and
    across sleeves (no diversification credit, the conservative reading). In order:
    1. each sleeve s is multiplied by min(1, max_sleeve_risk / risk_s);
    2. all legs by min(1, max_total_risk / Σ_s risk_s);
    3. all legs by min(1, max_gross / Σ|w_i|).
    Raises ValueError naming a leg whose weight or risk is non-finite, whose risk is negative, or that has
    no sleeve or no risk.
    """
    limits = limits or ExposureLimits()
    for leg, weight in weights.items():
        if leg not in sleeves or leg not in risk_per_unit:
            raise ValueError(f"leg {leg!r} needs a sleeve and a risk_per_unit")
        risk = risk_per_unit[leg]
        if not math.isfinite(weight):
            raise ValueError(f"weight of leg {leg!r} is not finite: {weight!r}")
        if not (math.isfinite(risk) and risk >= 0.0):
            raise ValueError(f"risk_per_unit of leg {leg!r} must be finite and >= 0, got {risk!r}")
    scaled = dict(weights)
    binding: list[str] = []
    sleeve_risk: dict[str, float] = {}
    for leg, weight in scaled.items():
        sleeve_risk[sleeves[leg]] = sleeve_risk.get(sleeves[leg], 0.0) + abs(weight) * risk_per_unit[leg]
    for sleeve, risk in sleeve_risk.items():
        if risk > limits.max_sleeve_risk:
            binding.append(f"sleeve:{sleeve}")
            factor = limits.max_sleeve_risk / risk
            scaled = {leg: w * factor if sleeves[leg] == sleeve else w for leg, w in scaled.items()}
    total_risk = sum(abs(w) * risk_per_unit[leg] for leg, w in scaled.items())
    if total_risk > limits.max_total_risk:
        binding.append("total_risk")
        factor = limits.max_total_risk / total_risk
        scaled = {leg: w * factor for leg, w in scaled.items()}
    gross = sum(abs(w) for w in scaled.values())
    if gross > limits.max_gross:
        binding.append("gross")
        factor = limits.max_gross / gross
        scaled = {leg: w * factor for leg, w in scaled.items()}
    return ExposureResult(weights=scaled, binding=tuple(binding))


def legs_to_rebalance(
    targets: Mapping[str, float], current: Mapping[str, float], band: float = 0.1, relative: bool = True
) -> dict[str, float]:
    """The legs worth trading, with their target weights: those with |target − current| > threshold.

    threshold = band × |target| when relative (seed 003's "trade only if the weight deviates by > 10%"),
    else band. With a relative band a target of 0 trades any non-zero holding (a full exit is never held
    back). Legs missing from `current` count as 0; legs held but absent from `targets` have target 0.
    Raises ValueError for a negative or non-finite band, or a non-finite weight (naming the leg).
    """
    if not (math.isfinite(band) and band >= 0.0):
        raise ValueError(f"band must be finite and >= 0, got {band!r}")
    trades: dict[str, float] = {}
    for leg in list(targets) + [leg for leg in current if leg not in targets]:
        target = targets.get(leg, 0.0)
        held = current.get(leg, 0.0)
        if not (math.isfinite(target) and math.isfinite(held)):
            raise ValueError(f"weights of leg {leg!r} must be finite, got target {target!r}, current {held!r}")
        threshold = band * abs(target) if relative else band
        if abs(target - held) > threshold:
            trades[leg] = target
    return trades


def signal_decay(age: float, horizon: float, kind: DecayKind = "exponential") -> float:
    """Weight of a signal issued `age` periods ago (age 0 → 1).

    exponential: 0.5 ** (age / horizon), `horizon` being the half-life;
    linear: max(0, 1 − age / horizon), reaching 0 at age = horizon.
    Raises ValueError for a negative or non-finite age, a horizon that is not finite and > 0, or an unknown kind.
    """
    if not (math.isfinite(age) and age >= 0.0):
        raise ValueError(f"age must be finite and >= 0, got {age!r}")
    if not (math.isfinite(horizon) and horizon > 0.0):
        raise ValueError(f"horizon must be finite and > 0, got {horizon!r}")
    if kind == "exponential":
        return float(0.5 ** (age / horizon))
    if kind == "linear":
        return max(0.0, 1.0 - age / horizon)
    raise ValueError(f"kind must be 'exponential' or 'linear', got {kind!r}")
