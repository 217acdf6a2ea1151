"""Benchmarks: LEAN's IBenchmark implementations an algorithm or brokerage model may return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..naming import DualCase


class FuncBenchmark(DualCase):
    """A benchmark computed by a function of the algorithm-time datetime."""

    def __init__(self, function: Callable[[datetime], float]) -> None:
        self._function = function

    def evaluate(self, time: datetime) -> float:
        return float(self._function(time))


class SecurityBenchmark(DualCase):
    """A benchmark that follows a security's price."""

    security: Any

    def __init__(self, security: Any) -> None:
        self.security = security

    def evaluate(self, time: datetime) -> float:
        return float(self.security.price)

    @classmethod
    def create_instance(cls, securities: Any, symbol: Any) -> SecurityBenchmark:
        return cls(securities[symbol])


class FuncRiskFreeRateInterestRateModel(DualCase):
    """A risk-free rate model from a function of the time (set_risk_free_interest_rate_model)."""

    def __init__(self, function: Callable[[datetime], float]) -> None:
        self._function = function

    def get_interest_rate(self, time: datetime) -> float:
        return float(self._function(time))
