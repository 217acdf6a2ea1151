"""What on_data reads per step: securities[...] and portfolio[...] by Symbol (the one-probe path) and by ticker
string (the general path) must find the same objects, and both must follow additions and removals."""

from __future__ import annotations

from datetime import datetime

import pytest

from lean_offline.data.market_hours import SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.securities import EngineClock, Security, SecurityManager
from lean_offline.enums import SecurityType

START = datetime(2020, 1, 2, 9, 30)


def symbol(ticker: str) -> Symbol:
    return Symbol.create(ticker, SecurityType.EQUITY, "usa")


def security(ticker: str) -> Security:
    return Security(symbol(ticker), SecurityExchangeHours.always_open_hours("America/New_York"),
                    clock=EngineClock(START))


def test_symbol_and_ticker_lookups_find_the_same_security_and_holding() -> None:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    aaa, bbb = securities.add(security("AAA")), securities.add(security("BBB"))
    assert securities[symbol("AAA")] is aaa and securities["aaa"] is aaa and securities["BBB"] is bbb
    assert portfolio[symbol("BBB")] is bbb.holdings and portfolio["BBB"] is bbb.holdings
    assert not portfolio[aaa.symbol].invested and not portfolio[aaa.symbol].Invested
    aaa.holdings.set_holdings(10.0, 5)
    assert portfolio[aaa.symbol].invested and portfolio[aaa.symbol].quantity == 5.0


def test_missing_and_removed_symbols_raise_a_key_error_naming_them() -> None:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    securities.add(security("AAA"))
    with pytest.raises(KeyError, match="'CCC' was not found in SecurityManager"):
        securities[symbol("CCC")]
    assert securities.remove(symbol("AAA"))
    with pytest.raises(KeyError, match="'AAA' was not found"):
        portfolio[symbol("AAA")]
    with pytest.raises(KeyError, match="'AAA' was not found"):
        securities["AAA"]
    replacement = securities.add(security("AAA"))
    assert securities[symbol("AAA")] is replacement and portfolio[symbol("AAA")] is replacement.holdings
