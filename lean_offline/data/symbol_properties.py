"""LEAN's symbol-properties database (`symbol-properties/symbol-properties-database.csv`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..enums import SecurityType
from ..naming import DualCase
from .market_hours import WILDCARD, DataFolderDatabase, get_database_symbol_key

SYMBOL_PROPERTIES_RELATIVE_PATH = Path("symbol-properties") / "symbol-properties-database.csv"


@dataclass(frozen=True)
class SymbolProperties(DualCase):
    """Contract details of a security (LEAN's SymbolProperties)."""

    description: str = ""
    quote_currency: str = "USD"
    contract_multiplier: float = 1.0
    minimum_price_variation: float = 0.01
    lot_size: float = 1.0
    market_ticker: str | None = None
    minimum_order_size: float | None = None
    price_magnifier: float = 1.0

    @classmethod
    def get_default(cls, quote_currency: str = "USD") -> SymbolProperties:
        return cls(quote_currency=quote_currency)


def _float(text: str, default: float) -> float:
    return float(text) if text.strip() else default


def _type_key(security_type: Any) -> str:
    return SecurityType(security_type).name.lower().replace("_", "")


def _row_key(market: str, ticker: Any, security_type: Any) -> tuple[str, str, str]:
    """(market, ticker, type) as the rows are keyed: case-insensitive, an empty or None ticker is the "[*]" row."""
    ticker_text = get_database_symbol_key(ticker) if not isinstance(ticker, str | None) else ticker
    return market.strip().lower(), (ticker_text or WILDCARD).strip().upper(), _type_key(security_type)


@dataclass
class SymbolPropertiesDatabase(DataFolderDatabase):
    """Rows keyed by (market, ticker, type) with "[*]" wildcard tickers; defaults when a row or the file is missing.

    The database of the run in progress is also `SymbolPropertiesDatabase.from_data_folder()` (LEAN's static one),
    so entries set through either are seen by both.
    """

    rows: dict[tuple[str, str, str], SymbolProperties] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    @classmethod
    def load(cls, data_folder: Path | str) -> SymbolPropertiesDatabase:
        path = Path(data_folder) / SYMBOL_PROPERTIES_RELATIVE_PATH
        database = cls()
        cls._data_folder_database = database
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                lines = list(handle)
        except OSError:
            database.warnings.append(f"{path} not found: default symbol properties are used")
            return database
        for number, row in enumerate(csv.reader(lines), start=1):
            if number == 1 or not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                continue
            try:
                properties = SymbolProperties(
                    description=row[3], quote_currency=row[4], contract_multiplier=_float(row[5], 1.0),
                    minimum_price_variation=_float(row[6], 0.01), lot_size=_float(row[7], 1.0),
                    market_ticker=(row[8] or None) if len(row) > 8 else None,
                    minimum_order_size=(_float(row[9], 0.0) or None) if len(row) > 9 else None,
                    price_magnifier=_float(row[10], 1.0) if len(row) > 10 else 1.0,
                )
            except (ValueError, IndexError):
                database.warnings.append(f"{path}:{number}: malformed line skipped: {','.join(row)}")
                continue
            database.rows[(row[0].strip().lower(), row[1].strip().upper(), row[2].strip().lower())] = properties
        return database

    def get(self, market: str, ticker: Any, security_type: Any, default_quote_currency: str = "USD"
            ) -> SymbolProperties:
        """The ticker's row, else the market's "[*]" row for the type, else defaults in `default_quote_currency`.

        `ticker` may be a string or a Symbol (looked up by its database key, as LEAN's GetSymbolProperties does)."""
        key = _row_key(market, ticker, security_type)
        found = self.rows.get(key) or self.rows.get((key[0], WILDCARD, key[2]))
        return found if found is not None else SymbolProperties.get_default(default_quote_currency)

    get_symbol_properties = get

    def set_entry(self, market: str, symbol: str | None, security_type: Any, properties: SymbolProperties) -> bool:
        """Add or replace the row of (market, symbol, type); an empty symbol sets the market's "[*]" row."""
        if not isinstance(properties, SymbolProperties):
            raise TypeError(f"set_entry: properties must be SymbolProperties, got {type(properties).__name__}")
        self.rows[_row_key(market, symbol, security_type)] = properties
        return True

    def contains_key(self, market: str, symbol: Any, security_type: Any) -> bool:
        """Whether (market, symbol, type) has its own row (wildcards are not consulted)."""
        return _row_key(market, symbol, security_type) in self.rows
