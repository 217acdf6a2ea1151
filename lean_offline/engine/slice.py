"""Slice: the data of one time step as `on_data` receives it (LEAN's Common/Data/Slice.cs, the parts Python uses)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ..data.corporate_actions import Dividend, Split
from ..data.market import BaseData, MarketDataType, QuoteBar, Tick, TradeBar
from ..data.symbol import Symbol, symbol_cache
from ..naming import DualCase

_AUXILIARY = MarketDataType["AUXILIARY"]
_ABSENT = object()
_has_key = dict.__contains__
_dict_get = dict.get


class KeyValuePair(DualCase):
    """What iterating a LEAN dictionary yields (`kvp.key`, `kvp.Value`); also unpacks as `(key, value)`."""

    __slots__ = ("key", "value")

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def __iter__(self) -> Iterator[Any]:
        return iter((self.key, self.value))

    def __repr__(self) -> str:
        return f"[{self.key}, {self.value}]"


class DataDictionary(dict[Symbol, Any], DualCase):
    """Symbol → data. A Symbol key, or a ticker string spelled as the symbol's (upper-case) value, is found by dict
    itself (a Symbol hashes and compares like its ticker); only a miss with a string key goes on to LEAN's
    case-insensitive SymbolCache conversion (`data["spy"]`, `"spy" in data`, `data.get("spy")`), and `[...]` names
    the symbol in its KeyError."""

    def _converted(self, ticker: str) -> Symbol | None:
        """The symbol of another spelling of `ticker`, when it is a key here."""
        found = symbol_cache.try_get_symbol(ticker)
        return found if found is not None and _has_key(self, found) else None

    def __missing__(self, symbol: Symbol | str) -> Any:
        found = self._converted(symbol) if isinstance(symbol, str) else None
        if found is not None:
            return dict.__getitem__(self, found)
        raise KeyError(f"'{symbol}' wasn't found in the {type(self).__name__} object, likely because there was no "
                       f"data for this symbol at this time (check with contains_key first)")

    def __contains__(self, symbol: object) -> bool:
        return _has_key(self, symbol) or (isinstance(symbol, str) and self._converted(symbol) is not None)

    def __iter__(self) -> Iterator[KeyValuePair]:  # type: ignore[override]
        """Key-value pairs, as iterating LEAN's dictionaries from Python gives them (`for kvp in data.bars:`
        `kvp.key`, `kvp.value`): one per entry of `items()`."""
        return (KeyValuePair(key, value) for key, value in self.items())

    contains_key = __contains__

    def get(self, symbol: Any, default: Any = None) -> Any:  # type: ignore[override]
        value = _dict_get(self, symbol, _ABSENT)  # one lookup: a Symbol hashes in Python
        if value is not _ABSENT:
            return value
        found = self._converted(symbol) if isinstance(symbol, str) else None
        return default if found is None else dict.__getitem__(self, found)

    def try_get_value(self, symbol: Any) -> tuple[bool, Any]:
        value = self.get(symbol)
        return value is not None, value

    @property
    def count(self) -> int:
        return len(self)

    def values(self) -> list[Any]:  # type: ignore[override]
        """A list, indexable like LEAN's Values collection."""
        return list(dict.values(self))

    def keys(self) -> list[Symbol]:  # type: ignore[override]
        return list(dict.keys(self))


class TradeBars(DataDictionary):
    pass


class QuoteBars(DataDictionary):
    pass


class Ticks(DataDictionary):
    pass


class Slice(DataDictionary):
    """User data of one time step. `slice[symbol]` is the TradeBar if there is one, else the QuoteBar, else the
    custom data point; `bars`, `quote_bars`, `ticks` hold the typed views (built on first access: most algorithms
    only index the slice)."""

    __slots__ = ("time", "_points", "_views")

    def __init__(self, time: datetime, points: Iterable[BaseData]) -> None:
        self.time = time
        self._points = points = points if isinstance(points, list) else list(points)
        self._views: tuple[TradeBars, QuoteBars, Ticks] | None = None
        setdefault = dict.setdefault
        for point in points:
            kind = type(point)
            if kind is QuoteBar:  # a trade bar of the symbol wins whichever comes first; one hash when alone
                symbol = point.symbol
                held = setdefault(self, symbol, point)
                if held is not point and type(held) is not TradeBar:
                    self[symbol] = point
            elif kind is TradeBar:
                self[point.symbol] = point
            else:  # ticks, custom data, subclasses: the general rules, in one pass with the typed views
                dict.clear(self)
                self._views = self._build_views(with_main=True)
                return

    def _build_views(self, with_main: bool = False) -> tuple[TradeBars, QuoteBars, Ticks]:
        bars, quote_bars, ticks = TradeBars(), QuoteBars(), Ticks()
        for point in self._points:
            symbol = point.symbol
            if isinstance(point, QuoteBar):
                quote_bars[symbol] = point
                if with_main and symbol not in bars:
                    self[symbol] = point
            elif isinstance(point, TradeBar):
                bars[symbol] = point
                if with_main:
                    self[symbol] = point
            elif isinstance(point, Tick):
                ticks.setdefault(symbol, []).append(point)
                if with_main:
                    self[symbol] = ticks[symbol]
            elif point.data_type is _AUXILIARY:  # LEAN: the symbol is a key, its value None without a bar
                if with_main:
                    self.setdefault(symbol, None)
            elif with_main:
                self[symbol] = point
        return bars, quote_bars, ticks

    def _entries(self) -> Iterator[tuple[Symbol, Any]]:
        """(symbol, point) as LEAN's Slice enumerates them: each tick of a symbol on its own, and no entry for a
        symbol that has only auxiliary data (its value None)."""
        for symbol, value in dict.items(self):
            if type(value) is list:
                for point in value:
                    yield symbol, point
            elif value is not None:
                yield symbol, value

    def values(self) -> list[Any]:  # type: ignore[override]
        """Every data point of the step (LEAN's `Values`): ticks one by one, no auxiliary-only entry."""
        return [point for _symbol, point in self._entries()]

    def items(self) -> list[tuple[Symbol, Any]]:  # type: ignore[override]
        """(symbol, point) pairs as LEAN's `GetItems` gives them, and so the iteration."""
        return list(self._entries())

    def _auxiliary_of_type(self, data_type: type[BaseData]) -> DataDictionary:
        return DataDictionary({point.symbol: point for point in self._points if isinstance(point, data_type)})

    @property
    def dividends(self) -> DataDictionary:
        return self._auxiliary_of_type(Dividend)

    @property
    def splits(self) -> DataDictionary:
        return self._auxiliary_of_type(Split)

    def _typed_views(self) -> tuple[TradeBars, QuoteBars, Ticks]:
        if self._views is None:
            self._views = self._build_views()
        return self._views

    @property
    def bars(self) -> TradeBars:
        return self._typed_views()[0]

    @property
    def quote_bars(self) -> QuoteBars:
        return self._typed_views()[1]

    @property
    def ticks(self) -> Ticks:
        return self._typed_views()[2]

    @property
    def has_data(self) -> bool:
        return len(self) > 0

    def all_data(self) -> Iterator[Any]:
        return iter(self.values())

    def get_data_of_type(self, data_type: type) -> DataDictionary:
        """`slice.get(Type)` in LEAN: the points of one data type, by symbol."""
        if issubclass(data_type, Dividend | Split):
            return self._auxiliary_of_type(data_type)
        return DataDictionary({s: v for s, v in dict.items(self) if isinstance(v, data_type)})

    def get(self, symbol: Any, default: Any = None) -> Any:  # type: ignore[override]
        """get(symbol[, default]), get(Type) → {symbol: point}, get(Type, symbol) → that point or None."""
        if isinstance(symbol, type):
            typed = self.get_data_of_type(symbol)
            return typed if default is None else typed.get(default)
        return DataDictionary.get(self, symbol, default)

    def __repr__(self) -> str:
        return f"Slice({self.time}, {dict.__repr__(self)})"
