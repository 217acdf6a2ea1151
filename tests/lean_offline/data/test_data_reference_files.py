"""Symbol properties, interest rates and factor/map files against independent readings of the same files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.factors import FactorFile, FactorRow, equity_symbol, load_map_file
from lean_offline.data.interest_rate import InterestRateProvider
from lean_offline.data.symbol import Symbol
from lean_offline.data.symbol_properties import SymbolPropertiesDatabase
from lean_offline.enums import DataNormalizationMode, SecurityType


@pytest.mark.lean_data
def test_symbol_properties_rows(lean_data_folder: Path) -> None:
    database = SymbolPropertiesDatabase.load(lean_data_folder)
    spy = database.get("usa", "SPY", SecurityType["EQUITY"])
    assert (spy.quote_currency, spy.contract_multiplier, spy.minimum_price_variation, spy.lot_size) == (
        "USD", 1.0, 0.01, 1.0)
    eurusd = database.get("oanda", "EURUSD", SecurityType["FOREX"])
    assert (eurusd.QuoteCurrency, eurusd.minimum_price_variation, eurusd.description) == ("USD", 0.00001, "EUR/USD")
    btc = database.get("coinbase", "BTCUSD", SecurityType["CRYPTO"])
    assert (btc.lot_size, btc.minimum_order_size, btc.market_ticker) == (0.00000001, 0.00000001, "BTC-USD")
    assert database.get("oanda", "XAUUSD", SecurityType["CFD"]).minimum_price_variation == 0.001
    eurusd_symbol = Symbol.create("EURUSD", SecurityType["FOREX"], "oanda")
    assert database.get_symbol_properties("oanda", eurusd_symbol, SecurityType["FOREX"], "USD") == eurusd


def test_symbol_properties_defaults_without_file(tmp_path: Path) -> None:
    database = SymbolPropertiesDatabase.load(tmp_path)
    properties = database.get("usa", "SPY", SecurityType["EQUITY"])
    assert (properties.quote_currency, properties.lot_size, properties.minimum_price_variation) == ("USD", 1, 0.01)
    assert "not found" in database.warnings[0]


def test_symbol_properties_malformed_row_named(tmp_path: Path) -> None:
    folder = tmp_path / "symbol-properties"
    folder.mkdir()
    (folder / "symbol-properties-database.csv").write_text(
        "market,symbol,type,description,quote_currency,contract_multiplier,minimum_price_variation,lot_size\n"
        "# comment\n"
        "usa,BAD,equity,Bad,USD,x,0.01,1\n"
        "oanda,EURGBP,forex,EUR/GBP,GBP,1,0.00001,1\n")
    database = SymbolPropertiesDatabase.load(tmp_path)
    assert database.get("oanda", "EURGBP", SecurityType["FOREX"]).quote_currency == "GBP"
    assert database.warnings == [f"{folder / 'symbol-properties-database.csv'}:3: malformed line skipped: "
                                 "usa,BAD,equity,Bad,USD,x,0.01,1"]


@pytest.mark.lean_data
def test_interest_rates_match_pandas_forward_fill(lean_data_folder: Path) -> None:
    provider = InterestRateProvider(lean_data_folder)
    csv = pd.read_csv(lean_data_folder / "alternative" / "interest-rate" / "usa" / "interest-rate.csv",
                      parse_dates=["DATE"]).set_index("DATE")["PCREDIT8"] / 100
    days = pd.date_range(csv.index[0], csv.index[-1] + pd.Timedelta(days=30), freq="D")
    expected = csv.reindex(days).ffill()
    for day, rate in expected.items():
        assert provider.get_interest_rate(day.to_pydatetime()) == pytest.approx(rate, rel=1e-12)
    assert provider.get_interest_rate(date(1999, 5, 5)) == pytest.approx(csv.iloc[0])
    assert provider.get_interest_rate(date(2090, 1, 1)) == pytest.approx(csv.iloc[-1])
    moments = [datetime(2013, 10, 8), datetime(2013, 10, 8, 12), datetime(2020, 6, 1)]
    assert provider.get_average_risk_free_rate(moments) == pytest.approx(
        (2 * expected[pd.Timestamp("2013-10-08")] + expected[pd.Timestamp("2020-06-01")]) / 3)
    assert provider.get_average_risk_free_rate([]) == 0.0


def test_interest_rate_default_without_file(tmp_path: Path) -> None:
    warnings: list[str] = []
    provider = InterestRateProvider(tmp_path, warnings.append)
    assert provider.get_interest_rate(date(2015, 1, 1)) == 0.01
    assert len(warnings) == 1 and "interest-rate.csv" in warnings[0]


@pytest.mark.lean_data
def test_spy_factor_row_and_goog_map_file(lean_data_folder: Path) -> None:
    factors = pd.read_csv(lean_data_folder / "equity/usa/factor_files/spy.csv", header=None,
                          names=["date", "price", "split", "reference"], dtype={"date": str})
    after = factors[factors["date"] >= "20131008"].iloc[0]
    factor_file = FactorFile.read(lean_data_folder / "equity/usa/factor_files/spy.csv", pytest.fail)
    assert after["date"] == "20131219"
    assert factor_file.price_scale_factor(date(2013, 10, 8)) == after["price"] * after["split"]
    assert factor_file.factor_for(date(2013, 10, 8), DataNormalizationMode["RAW"]) == 1.0
    assert factor_file.price_scale_factor(date(2060, 1, 1)) == 1.0
    goog = load_map_file(lean_data_folder, "usa", "GOOG", pytest.fail)
    assert goog.ticker_on(date(2014, 1, 2)) == "GOOCV" and goog.ticker_on(date(2015, 1, 2)) == "GOOG"
    assert str(equity_symbol(lean_data_folder, "SPY").id) == "SPY R735QTJ8XC9X"
    assert str(equity_symbol(lean_data_folder, "GOOG").id) == "GOOCV VP83T1ZUHROL"


def test_factor_file_malformed_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "abc.csv"
    path.write_text("20100104,0.5,1,10\nnot,a,row\n20501231,1,1,0\n")
    warnings: list[str] = []
    factor_file = FactorFile.read(path, warnings.append)
    assert warnings == [f"{path}:2: malformed line skipped: not,a,row"]
    assert factor_file.price_scale_factor(date(2009, 1, 1)) == 0.5


@settings(deadline=None)
@given(st.lists(st.tuples(st.dates(date(1990, 1, 1), date(2030, 1, 1)), st.floats(0.01, 10), st.floats(0.01, 10)),
                min_size=1, max_size=20, unique_by=lambda row: row[0]),
       st.dates(date(1985, 1, 1), date(2035, 1, 1)))
def test_factor_is_first_row_on_or_after_the_bar_date(rows: list[tuple[date, float, float]], day: date) -> None:
    factor_file = FactorFile([FactorRow(*row) for row in rows])
    later = sorted(row for row in rows if row[0] >= day)
    expected = later[0][1] * later[0][2] if later else 1.0
    assert factor_file.price_scale_factor(day) == expected
