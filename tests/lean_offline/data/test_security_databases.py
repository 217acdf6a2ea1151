"""User entries in the symbol-properties and market-hours databases (LEAN's SetEntry / GetDatabaseSymbolKey)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lean_offline.data.market_hours import MarketHoursDatabase, SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.data.symbol_properties import SymbolProperties, SymbolPropertiesDatabase
from lean_offline.enums import SecurityType

BASE = SecurityType["BASE"]
EQUITY = SecurityType["EQUITY"]
CFD = SecurityType["CFD"]


def test_database_symbol_key_is_the_identifier_for_custom_data_and_the_ticker_otherwise() -> None:
    assert MarketHoursDatabase.get_database_symbol_key(Symbol.create_base("Bitcoin", "btc")) == "BTC.Bitcoin"
    assert MarketHoursDatabase.get_database_symbol_key(Symbol.create("spy", EQUITY, "usa")) == "SPY"
    assert SymbolPropertiesDatabase.get_database_symbol_key(None) == ""


def test_symbol_properties_set_entry_replaces_and_adds_rows(tmp_path: Path) -> None:
    database = SymbolPropertiesDatabase.load(tmp_path)
    bitcoin = Symbol.create_base("Bitcoin", "BTC")
    custom = SymbolProperties("Bitcoin", "USD", 1, 0.01, 0.01, "BTC")
    assert database.set_entry("usa", database.get_database_symbol_key(bitcoin), BASE, custom)
    assert database.get("USA", bitcoin, BASE) is custom
    assert database.get_symbol_properties("usa", "btc.bitcoin", BASE, "USD") is custom  # keys ignore case
    assert database.contains_key("usa", bitcoin, BASE) and not database.contains_key("usa", "ETH", BASE)
    wildcard = SymbolProperties("any CFD", "EUR", 10, 0.5, 1)
    database.set_entry("interactivebrokers", "", CFD, wildcard)
    assert database.get("interactivebrokers", "DAX", CFD) is wildcard
    with pytest.raises(TypeError, match="SymbolProperties"):
        database.set_entry("usa", "X", BASE, "not properties")  # type: ignore[arg-type]


def test_from_data_folder_returns_the_database_last_loaded(tmp_path: Path) -> None:
    properties = SymbolPropertiesDatabase.load(tmp_path)
    hours = MarketHoursDatabase.load(tmp_path)
    assert SymbolPropertiesDatabase.from_data_folder() is properties
    assert MarketHoursDatabase.FromDataFolder() is hours


def test_market_hours_set_entry_is_found_and_stays_with_its_instance(tmp_path: Path) -> None:
    database = MarketHoursDatabase.load(tmp_path)
    hours = SecurityExchangeHours.always_open_hours("Asia/Tokyo")
    entry = database.set_entry("usa", "BTC.Bitcoin", BASE, hours)
    assert entry.data_time_zone == ZoneInfo("Asia/Tokyo")  # defaults to the exchange's zone
    bitcoin = Symbol.create_base("Bitcoin", "BTC")
    assert database.get_entry("usa", bitcoin, BASE) is entry
    assert database.get_exchange_hours("usa", bitcoin, BASE) is hours
    assert database.GetDataTimeZone("usa", bitcoin, BASE) == ZoneInfo("Asia/Tokyo")
    assert database.contains_key("usa", bitcoin, BASE)
    assert MarketHoursDatabase.load(tmp_path).get_entry("usa", bitcoin, BASE) is not entry


@pytest.mark.lean_data
def test_market_hours_wildcard_entry_set_by_the_user_serves_every_ticker(lean_data_folder: Path) -> None:
    database = MarketHoursDatabase.load(lean_data_folder)
    equity = database.get_entry("usa", "", EQUITY)
    assert equity.exchange_hours.regular_market_open(date(2013, 10, 8)) == datetime(2013, 10, 8, 9, 30)
    database.set_entry("interactivebrokers", "", CFD, equity.exchange_hours, equity.data_time_zone)
    assert database.get_entry("interactivebrokers", "SPY", CFD).exchange_hours is equity.exchange_hours
    assert database.get_entry("oanda", "XAUUSD", CFD).exchange_hours is not equity.exchange_hours
    with pytest.raises(TypeError, match="SecurityExchangeHours"):
        database.set_entry("usa", "X", BASE, "09:30-16:00")  # type: ignore[arg-type]
