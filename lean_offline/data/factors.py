"""Corporate-action factors (factor files) and ticker renames (map files) of US equities.

Factor file rows read `yyyyMMdd,priceFactor,splitFactor[,referencePrice]`. A bar dated d uses the FIRST row whose
date is on or after d (LEAN's CorporateFactorProvider), and its price scale factor is priceFactor × splitFactor.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..enums import DataNormalizationMode, SecurityType
from .symbol import Symbol


def _parse_yyyymmdd(text: str) -> date:
    return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


@dataclass(frozen=True)
class FactorRow:
    date: date
    price_factor: float
    split_factor: float
    reference_price: float = 0.0

    @property
    def price_scale_factor(self) -> float:
        return self.price_factor * self.split_factor


class FactorFile:
    """The rows of one factor file, sorted by date; lookups by bar date."""

    __slots__ = ("rows", "_dates")

    def __init__(self, rows: list[FactorRow]) -> None:
        self.rows = sorted(rows, key=lambda row: row.date)
        self._dates = [row.date for row in self.rows]

    @classmethod
    def identity(cls) -> FactorFile:
        """No corporate actions: every factor is 1."""
        return cls([])

    @classmethod
    def read(cls, path: Path, on_warning: Callable[[str], None]) -> FactorFile:
        """Rows of `path`; malformed lines are reported (file:line) and skipped; a missing file gives identity."""
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return cls.identity()
        rows = []
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split(",")
            try:
                reference = float(fields[3]) if len(fields) > 3 and fields[3].strip() else 0.0
                rows.append(FactorRow(_parse_yyyymmdd(fields[0]), float(fields[1]), float(fields[2]), reference))
            except (ValueError, IndexError):
                on_warning(f"{path}:{number}: malformed line skipped: {line}")
        return cls(rows)

    def row_for(self, day: date) -> FactorRow | None:
        """The first row dated on or after `day`; None when `day` is after every row (factor 1)."""
        index = bisect.bisect_left(self._dates, day)
        return self.rows[index] if index < len(self.rows) else None

    def price_scale_factor(self, day: date) -> float:
        row = self.row_for(day)
        return row.price_scale_factor if row is not None else 1.0

    def split_factor(self, day: date) -> float:
        row = self.row_for(day)
        return row.split_factor if row is not None else 1.0

    def factor_for(self, day: date, mode: Any) -> float:
        """The multiplier of raw prices for `mode`: Adjusted and TotalReturn → price × split factor (TotalReturn is
        treated as Adjusted), SplitAdjusted → split factor, everything else (Raw, ScaledRaw, ...) → 1."""
        if mode in (DataNormalizationMode["ADJUSTED"], DataNormalizationMode["TOTAL_RETURN"]):
            return self.price_scale_factor(day)
        if mode == DataNormalizationMode["SPLIT_ADJUSTED"]:
            return self.split_factor(day)
        return 1.0


@dataclass(frozen=True)
class MapRow:
    date: date
    ticker: str
    exchange: str


class MapFile:
    """Ticker history of one security: the ticker in force on a date is that of the first row dated on/after it."""

    __slots__ = ("ticker", "rows", "_dates")

    def __init__(self, ticker: str, rows: list[MapRow]) -> None:
        self.ticker = ticker.upper()
        self.rows = sorted(rows, key=lambda row: row.date)
        self._dates = [row.date for row in self.rows]

    @classmethod
    def read(cls, path: Path, ticker: str, on_warning: Callable[[str], None]) -> MapFile:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return cls(ticker, [])
        rows = []
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split(",")
            try:
                rows.append(MapRow(_parse_yyyymmdd(fields[0]), fields[1].strip().upper(),
                                   fields[2].strip() if len(fields) > 2 else ""))
            except (ValueError, IndexError):
                on_warning(f"{path}:{number}: malformed line skipped: {line}")
        return cls(ticker, rows)

    def ticker_on(self, day: date) -> str:
        """The ticker the data files use on `day` (the symbol's own ticker without map data)."""
        index = bisect.bisect_left(self._dates, day)
        return self.rows[index].ticker if index < len(self.rows) else self.ticker

    @property
    def first_date(self) -> date | None:
        return self.rows[0].date if self.rows else None

    @property
    def first_ticker(self) -> str:
        return self.rows[0].ticker if self.rows else self.ticker


def equity_folder(data_folder: Path, market: str) -> Path:
    return Path(data_folder) / "equity" / market.lower()


def load_factor_file(data_folder: Path, market: str, ticker: str, on_warning: Callable[[str], None]) -> FactorFile:
    """`<data>/equity/<market>/factor_files/<ticker>.csv`, identity when absent."""
    return FactorFile.read(equity_folder(data_folder, market) / "factor_files" / f"{ticker.lower()}.csv", on_warning)


def load_map_file(data_folder: Path, market: str, ticker: str, on_warning: Callable[[str], None]) -> MapFile:
    """`<data>/equity/<market>/map_files/<ticker>.csv`, the ticker itself when absent."""
    return MapFile.read(equity_folder(data_folder, market) / "map_files" / f"{ticker.lower()}.csv", ticker,
                        on_warning)


def equity_symbol(data_folder: Path | None, ticker: str, market: str = "usa") -> Symbol:
    """An equity Symbol whose id carries the map file's first ticker and date, as LEAN's ("SPY R735QTJ8XC9X")."""
    if data_folder is None:
        return Symbol.create(ticker, SecurityType["EQUITY"], market)
    map_file = load_map_file(Path(data_folder), market, ticker, lambda _message: None)
    return Symbol.create(ticker, SecurityType["EQUITY"], market, first_date=map_file.first_date,
                         first_ticker=map_file.first_ticker)
