"""Symbols and security identifiers, with LEAN's identifier string ("SPY R735QTJ8XC9X").

LEAN packs the security type, market code and first-trade date of an identifier into one integer and prints it in
base 36 after the ticker (Common/SecurityIdentifier.cs). Only the fields used by equities, forex, CFDs, crypto,
indices and custom data are encoded here (no option strike/right/style).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..enums import SecurityType
from ..naming import DualCase, UnsupportedApiError

# LEAN's numeric market codes (Common/Market.cs), used inside the identifier.
MARKET_CODES: dict[str, int] = {
    "empty": 0, "usa": 1, "fxcm": 2, "oanda": 3, "dukascopy": 4, "bitfinex": 5, "cmeglobex": 6, "nymex": 7,
    "cbot": 8, "ice": 9, "cboe": 10, "india": 11, "gdax": 12, "kraken": 13, "bittrex": 14, "bithumb": 15,
    "binance": 16, "poloniex": 17, "coinone": 18, "hitbtc": 19, "okcoin": 20, "bitstamp": 21, "comex": 22, "cme": 23,
    "sgx": 24, "hkfe": 25, "nyseliffe": 26, "cfe": 33, "ftx": 34, "ftxus": 35, "binanceus": 36, "bybit": 37,
    "coinbase": 38, "interactivebrokers": 39, "eurex": 40, "ose": 41, "dydx": 42, "krx": 43,
}

_SECURITY_TYPE_OFFSET = 1
_MARKET_OFFSET = 100
_DAYS_OFFSET = 100 * 1000 * 100 * 1_000_000 * 10
_OA_EPOCH = date(1899, 12, 30)
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Security types whose identifier carries the first-trade date.
_DATED_TYPES = {SecurityType["BASE"], SecurityType["EQUITY"], SecurityType["FUTURE"]}


def _encode_base36(value: int) -> str:
    digits = []
    while value:
        value, rem = divmod(value, 36)
        digits.append(_BASE36[rem])
    return "".join(reversed(digits)) or "0"


class SecurityIdentifier(DualCase):
    """Immutable identity of a security: `symbol` (first ticker), `market`, `security_type`, `date` (first trade)."""

    __slots__ = ("symbol", "market", "security_type", "date", "_string")

    def __init__(self, symbol: str, security_type: Any, market: str, first_date: date | None = None) -> None:
        self.symbol = symbol
        self.security_type = SecurityType(security_type)
        self.market = market.lower()
        self.date = datetime.combine(first_date or _OA_EPOCH, datetime.min.time())
        self._string = f"{symbol} {_encode_base36(self.properties)}"

    @property
    def properties(self) -> int:
        """The packed integer: days·10^14 + market_code·100 + security_type (LEAN's layout, no option fields)."""
        days = (self.date.date() - _OA_EPOCH).days if self.security_type in _DATED_TYPES else 0
        return days * _DAYS_OFFSET + MARKET_CODES.get(self.market, 0) * _MARKET_OFFSET + int(self.security_type)

    def __str__(self) -> str:
        return self._string

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecurityIdentifier) and other._string == self._string

    def __hash__(self) -> int:
        return hash(self._string)


class Symbol(DualCase):
    """A security's symbol: equal and hashable by (security type, market, ticker); prints as its ticker."""

    __slots__ = ("value", "id", "security_type", "market", "is_custom_data", "_key", "_hash")

    def __init__(self, sid: SecurityIdentifier, value: str, is_custom_data: bool = False) -> None:
        self.id = sid
        self.value = value
        self.security_type = sid.security_type
        self.market = sid.market
        self.is_custom_data = is_custom_data
        self._key = (int(sid.security_type), sid.market, value)
        # hashed by ticker so that a Symbol and its ticker string, which compare equal, also hash equal
        self._hash = hash(value)

    @classmethod
    def create(cls, ticker: str, security_type: Any, market: str, first_date: date | None = None,
               first_ticker: str | None = None) -> Symbol:
        """A symbol for `ticker`; equities may pass their map-file first date and first ticker for LEAN's id."""
        value = ticker.upper()
        sid = SecurityIdentifier((first_ticker or value).upper(), security_type, market, first_date)
        return cls(sid, value)

    @classmethod
    def create_base(cls, type_name: str, ticker: str, market: str = "usa") -> Symbol:
        """A custom-data symbol: LEAN's id reads "<TICKER>.<TypeName> <props>" (e.g. "BTC.Bitcoin 2S")."""
        value = ticker.upper()
        sid = SecurityIdentifier(f"{value}.{type_name}", SecurityType["BASE"], market)
        return cls(sid, value, is_custom_data=True)

    @property
    def id_string(self) -> str:
        return str(self.id)

    def to_string(self) -> str:
        return self.value

    def __str__(self) -> str:
        return self.value

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Symbol):
            return other._key == self._key
        if isinstance(other, str):
            return other.upper() == self.value
        return NotImplemented

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: Symbol) -> bool:
        return self.value < other.value


# LEAN code calls the factories on the class in PascalCase: Symbol.Create("SPY", SecurityType.Equity, Market.USA)
Symbol.Create = Symbol.create  # type: ignore[attr-defined]
Symbol.CreateBase = Symbol.create_base  # type: ignore[attr-defined]


class SymbolCache:
    """Ticker string → Symbol, used to convert strings passed to the API (LEAN's SymbolCache)."""

    def __init__(self) -> None:
        self._by_ticker: dict[str, Symbol] = {}

    def set(self, ticker: str, symbol: Symbol) -> None:
        self._by_ticker[ticker.upper()] = symbol

    def try_get_symbol(self, ticker: str) -> Symbol | None:
        return self._by_ticker.get(ticker.upper())

    def get_symbol(self, ticker: str) -> Symbol:
        symbol = self._by_ticker.get(ticker.upper())
        if symbol is None:
            raise KeyError(f"no security was added for the ticker '{ticker}' (add it with add_equity/add_data first)")
        return symbol

    def resolve(self, symbol_or_ticker: Symbol | str) -> Symbol:
        """The Symbol itself, or the cached Symbol of a ticker string."""
        if isinstance(symbol_or_ticker, Symbol):
            return symbol_or_ticker
        if isinstance(symbol_or_ticker, str):
            return self.get_symbol(symbol_or_ticker)
        raise UnsupportedApiError("SymbolCache", f"resolve({type(symbol_or_ticker).__name__})")

    def remove(self, symbol: Symbol) -> None:
        self._by_ticker.pop(symbol.value, None)

    def clear(self) -> None:
        self._by_ticker.clear()


symbol_cache = SymbolCache()
