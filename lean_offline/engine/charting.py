"""User chart definitions (LEAN's Chart, Series, Color, ScatterMarkerSymbol): names, series types and units that
`plot` points take when the chart was registered with `add_chart`."""

from __future__ import annotations

from typing import Any

from ..enums import SeriesType
from ..naming import DualCase, lean_enum

ScatterMarkerSymbol = lean_enum(
    "ScatterMarkerSymbol", {"None": 0, "Circle": 1, "Square": 2, "Diamond": 3, "Triangle": 4, "TriangleDown": 5})


class Color:
    """System.Drawing.Color names as ARGB hex strings (only used for display)."""

    EMPTY = Empty = ""
    RED = Red = "#FF0000"
    GREEN = Green = "#008000"
    BLUE = Blue = "#0000FF"
    ORANGE = Orange = "#FFA500"
    BLACK = Black = "#000000"
    WHITE = White = "#FFFFFF"
    GRAY = Gray = "#808080"
    PURPLE = Purple = "#800080"
    YELLOW = Yellow = "#FFFF00"

    @staticmethod
    def from_argb(*components: int) -> str:
        return "#" + "".join(f"{int(c):02X}" for c in components[-3:])

    FromArgb = from_argb


class Series(DualCase):
    """A named series with its type, unit, colour and marker (LEAN's Series constructor overloads)."""

    color: Any
    index: int
    name: str
    scatter_marker_symbol: Any
    series_type: Any
    unit: str

    def __init__(self, name: str, series_type: Any = SeriesType["LINE"], unit_or_index: Any = "$",
                 color: Any = Color.EMPTY, symbol: Any = None, *unused: Any) -> None:
        self.name = name
        self.series_type = SeriesType(series_type)
        self.unit = unit_or_index if isinstance(unit_or_index, str) else "$"
        self.index = unit_or_index if isinstance(unit_or_index, int) else 0
        self.color = color
        self.scatter_marker_symbol = symbol


class Chart(DualCase):
    """A named chart holding Series; register it with `self.add_chart(chart)`."""

    name: str
    series: dict[str, Series]

    def __init__(self, name: str, *unused: Any) -> None:
        self.name = name
        self.series: dict[str, Series] = {}

    def add_series(self, series: Series) -> None:
        self.series[series.name] = series

    def try_add_and_get_series(self, name: str, series_type: Any = SeriesType["LINE"], index: int = 0,
                               unit: str = "$", color: Any = Color.EMPTY, symbol: Any = None) -> Series:
        if name not in self.series:
            self.series[name] = Series(name, series_type, unit, color, symbol)
        return self.series[name]
