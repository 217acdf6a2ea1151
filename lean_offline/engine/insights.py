"""Insights: emitted by algorithms and recorded in the results, never traded (LEAN's Algorithm.Framework.Alphas)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from ..enums import InsightDirection, InsightType
from ..naming import DualCase


class Insight(DualCase):
    """A directional forecast for a symbol over a period (`Insight.price(symbol, period, direction)`)."""

    close_time_utc: datetime | None
    confidence: float | None
    direction: Any
    generated_time_utc: datetime | None
    id: str
    magnitude: float | None
    period: timedelta | Any
    source_model: str
    symbol: Any
    tag: str
    type: Any
    weight: float | None

    def __init__(self, symbol: Any, period: timedelta | Any, type: Any = InsightType["PRICE"],
                 direction: Any = InsightDirection["FLAT"], magnitude: float | None = None,
                 confidence: float | None = None, source_model: str | None = None, weight: float | None = None,
                 tag: str = "") -> None:
        self.id = uuid.uuid4().hex
        self.symbol = symbol
        self.period = period
        self.type = InsightType(type)
        self.direction = InsightDirection(direction)
        self.magnitude = magnitude
        self.confidence = confidence
        self.source_model = source_model or ""
        self.weight = weight
        self.tag = tag
        self.generated_time_utc: datetime | None = None
        self.close_time_utc: datetime | None = None

    @staticmethod
    def price(symbol: Any, period: timedelta | Any, direction: Any, magnitude: float | None = None,
              confidence: float | None = None, source_model: str | None = None, weight: float | None = None,
              tag: str = "") -> Insight:
        return Insight(symbol, period, InsightType["PRICE"], direction, magnitude, confidence, source_model, weight, tag)

    Price = price

    def to_json_dict(self) -> dict[str, Any]:
        generated = self.generated_time_utc
        close = self.close_time_utc
        return {
            "id": self.id, "symbol": str(getattr(self.symbol, "id", self.symbol)), "ticker": str(self.symbol),
            "type": str(self.type).lower(), "direction": str(self.direction).lower(),
            "period": self.period.total_seconds() if isinstance(self.period, timedelta) else None,
            "generatedTime": generated.timestamp() if generated else None,
            "closeTime": close.timestamp() if close else None,
            "magnitude": self.magnitude, "confidence": self.confidence, "weight": self.weight, "tag": self.tag,
            "sourceModel": self.source_model,
        }

    def __repr__(self) -> str:
        return f"Insight({self.symbol}, {self.type}, {self.direction}, {self.period})"


class InsightManager(DualCase):
    """Every insight the algorithm emitted, in emission order."""

    all_insights: list[Insight]

    def __init__(self) -> None:
        self.all_insights: list[Insight] = []

    def add(self, insight: Insight, utc_time: datetime) -> None:
        insight.generated_time_utc = utc_time
        if isinstance(insight.period, timedelta):
            insight.close_time_utc = utc_time + insight.period
        self.all_insights.append(insight)

    @property
    def count(self) -> int:
        return len(self.all_insights)

    def __len__(self) -> int:
        return len(self.all_insights)
