"""IndicatorHistory: an indicator's values over a stretch of history (LEAN's QCAlgorithm.IndicatorHistory,
Common/Data/IndicatorHistory.cs, Common/Indicators/InternalIndicatorValues.cs)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ..naming import DualCase, to_snake_case
from .base import IndicatorBase, IndicatorDataPoint
from .field import update_indicator


class IndicatorDataPoints:
    """The values of an indicator and of its sub-indicators at one time: `point.current`, `point.upper_band`,
    `point["upper_band"]` (PascalCase too); `value` and `float(point)` are the indicator's own value."""

    def __init__(self, end_time: datetime, values: dict[str, IndicatorDataPoint]) -> None:
        self.end_time = end_time
        self._values = values

    def __getattr__(self, name: str) -> Any:
        snake = to_snake_case(name)
        values = self.__dict__.get("_values", {})
        if snake in values:
            return values[snake]
        if snake != name and not name.startswith("_"):
            return getattr(self, snake)
        raise AttributeError(f"IndicatorDataPoints has no value named {name!r}; it has {sorted(values)}")

    def __getitem__(self, name: str) -> IndicatorDataPoint | None:
        return self._values.get(to_snake_case(name))

    @property
    def time(self) -> datetime:
        return self.end_time

    @property
    def value(self) -> float:
        return self._values["current"].value

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        listed = ", ".join(f"{name}: {point.value:g}" for name, point in sorted(self._values.items()))
        return f"{self.end_time} {listed}"


class IndicatorHistory(DualCase):
    """Iterable of IndicatorDataPoints (one per time the indicator was ready and updated), with `count`,
    `current` and `history["upper_band"]` (lists of IndicatorDataPoint) and `data_frame` (one column per value,
    indexed by end time)."""

    def __init__(self, points: list[IndicatorDataPoints], values_by_name: dict[str, list[IndicatorDataPoint]]) -> None:
        self._points = points
        self._values_by_name = values_by_name

    @property
    def count(self) -> int:
        return len(self._points)

    def __len__(self) -> int:
        return len(self._points)

    def __iter__(self) -> Iterator[IndicatorDataPoints]:
        return iter(self._points)

    @property
    def current(self) -> list[IndicatorDataPoint]:
        return self._values_by_name["current"]

    def __getitem__(self, name: str) -> list[IndicatorDataPoint] | None:
        return self._values_by_name.get(to_snake_case(name).lower())

    @property
    def data_frame(self) -> Any:
        import pandas as pd  # type: ignore[import-untyped]

        columns = {name: pd.Series({point.end_time: point.value for point in values}, dtype=float)
                   for name, values in self._values_by_name.items()}
        frame = pd.DataFrame(columns)
        frame.index.name = "time"
        return frame

    def __repr__(self) -> str:
        return f"IndicatorHistory({self.count} points)"


def sub_indicators(indicator: IndicatorBase) -> dict[str, IndicatorBase]:
    """The public indicator-valued members of `indicator` (its bands, signal lines...), in declaration order."""
    names: list[str] = []
    for cls in reversed(type(indicator).__mro__):
        names.extend(name for name in getattr(cls, "__slots__", ()) if isinstance(name, str))
    names.extend(getattr(indicator, "__dict__", {}))
    found: dict[str, IndicatorBase] = {}
    for name in names:
        if name.startswith("_") or name in found:
            continue
        member = getattr(indicator, name, None)
        if isinstance(member, IndicatorBase):
            found[name] = member
    return found


def indicator_history(indicator: IndicatorBase, data: Iterable[Any], selector: Any = None) -> IndicatorHistory:
    """Reset `indicator`, feed it `data` (bars or points, oldest first) and record, each time it updates while
    ready, its current value and those of its sub-indicators (one record per distinct end time)."""
    indicator.reset()
    members = sub_indicators(indicator)
    values_by_name: dict[str, list[IndicatorDataPoint]] = {name: [] for name in (*members, "current")}
    records: list[IndicatorDataPoints] = []

    def record(point: IndicatorDataPoint) -> None:
        if records and records[-1].end_time == point.time:
            return
        snapshot: dict[str, IndicatorDataPoint] = {}
        for name, member in members.items():
            current = member.current
            values = values_by_name[name]
            if values and values[-1].time == current.time:
                values[-1] = current
            else:
                values.append(current)
            snapshot[name] = current
        values_by_name["current"].append(indicator.current)
        snapshot["current"] = indicator.current
        records.append(IndicatorDataPoints(point.time, snapshot))

    def on_updated(_sender: Any, point: IndicatorDataPoint) -> None:
        if indicator.is_ready:
            record(point)

    indicator.updated += on_updated
    try:
        for item in data:
            update_indicator(indicator, item, selector)
    finally:
        indicator.updated -= on_updated
    return IndicatorHistory(records, values_by_name)

