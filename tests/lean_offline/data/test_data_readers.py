"""LEAN-format readers against independent pandas readings of the same files and hand-written day files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import exchange_calendars as xcals  # type: ignore[import-untyped]
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data import readers as readers_module
from lean_offline.data.factors import equity_symbol
from lean_offline.data.market import Bar, QuoteBar, TradeBar
from lean_offline.data.market_hours import MarketHoursDatabase, SecurityExchangeHours, nyse_fallback_hours
from lean_offline.data.readers import (
    SubscriptionSpec,
    generate_zip_entry_name,
    generate_zip_file_name,
    read_subscription,
)
from lean_offline.data.symbol import Symbol
from lean_offline.enums import DataNormalizationMode, Resolution, SecurityType, TickType

EQUITY, FOREX, CRYPTO = SecurityType["EQUITY"], SecurityType["FOREX"], SecurityType["CRYPTO"]
DAILY, HOUR, MINUTE, SECOND = Resolution["DAILY"], Resolution["HOUR"], Resolution["MINUTE"], Resolution["SECOND"]
TRADE, QUOTE = TickType["TRADE"], TickType["QUOTE"]
ADJUSTED, RAW = DataNormalizationMode["ADJUSTED"], DataNormalizationMode["RAW"]
NY = ZoneInfo("America/New_York")


def make_spec(data_folder: Path, symbol: Symbol, market: str, resolution: object, tick_type: object,
              start: datetime, end: datetime, **options: object) -> SubscriptionSpec:
    entry = MarketHoursDatabase.load(data_folder).get_entry(market, symbol.value, symbol.security_type)
    return SubscriptionSpec(data_folder, symbol, symbol.security_type, market, resolution, tick_type,
                            options.pop("normalization", ADJUSTED), entry.exchange_hours, entry.data_time_zone,
                            start, end, **options)  # type: ignore[arg-type]


def read(spec: SubscriptionSpec) -> tuple[list, list[str]]:
    warnings: list[str] = []
    return list(read_subscription(spec, warnings.append)), warnings


def raw_csv(zip_path: Path, names: list[str]) -> pd.DataFrame:
    with zipfile.ZipFile(zip_path) as archive:
        return pd.read_csv(io.BytesIO(archive.read(archive.namelist()[0])), header=None, names=names,
                           dtype={names[0]: str})


TRADE_NAMES = ["time", "open", "high", "low", "close", "volume"]
QUOTE_NAMES = ["time", "bo", "bh", "bl", "bc", "bs", "ao", "ah", "al", "ac", "asize"]


@pytest.fixture(scope="module")
def spy_2013(lean_data_folder: Path) -> list[TradeBar]:
    spec = make_spec(lean_data_folder, equity_symbol(lean_data_folder, "SPY"), "usa", DAILY, TRADE,
                     datetime(2013, 1, 1), datetime(2013, 12, 31, 23, 59, 59))
    bars, warnings = read(spec)
    assert warnings == []
    return bars


@pytest.mark.lean_data
def test_spy_daily_adjusted_prices_use_the_next_factor_row(lean_data_folder: Path,
                                                            spy_2013: list[TradeBar]) -> None:
    raw = raw_csv(lean_data_folder / "equity/usa/daily/spy.zip", TRADE_NAMES).set_index("time")
    factors = pd.read_csv(lean_data_folder / "equity/usa/factor_files/spy.csv", header=None,
                          names=["date", "price", "split", "reference"], dtype={"date": str})
    row = factors[factors["date"] >= "20131008"].iloc[0]
    factor = row["price"] * row["split"]
    bar = next(bar for bar in spy_2013 if bar.time.date() == date(2013, 10, 8))
    assert raw.loc["20131008 00:00", "close"] == 1654800 and factor == 0.8646266
    assert bar.close == pytest.approx(165.48 * 0.8646266, rel=1e-12)
    assert bar.close == pytest.approx(143.078409768, rel=1e-12)
    assert bar.open == pytest.approx(raw.loc["20131008 00:00", "open"] / 10000 * factor, rel=1e-12)
    assert bar.volume == round(raw.loc["20131008 00:00", "volume"] / factor)
    assert str(bar.symbol.id) == "SPY R735QTJ8XC9X"


@pytest.mark.lean_data
def test_daily_equity_bars_span_the_regular_session(spy_2013: list[TradeBar]) -> None:
    by_day = {bar.time.date(): bar for bar in spy_2013}
    regular = by_day[date(2013, 10, 8)]
    assert (regular.time, regular.end_time) == (datetime(2013, 10, 8, 9, 30), datetime(2013, 10, 8, 16))
    assert regular.end_time_utc == datetime(2013, 10, 8, 20)
    assert by_day[date(2013, 12, 2)].end_time_utc == datetime(2013, 12, 2, 21)  # EST
    for early_close in (date(2013, 11, 29), date(2013, 12, 24)):
        assert by_day[early_close].end_time == datetime.combine(early_close, datetime.min.time()).replace(hour=13)
    assert date(2013, 11, 28) not in by_day
    sessions = {ts.date() for ts in xcals.get_calendar("XNYS", start="2013-01-01", end="2013-12-31").sessions}
    assert set(by_day) == sessions
    ends = [bar.end_time for bar in spy_2013]
    assert ends == sorted(ends) and len(set(ends)) == len(ends)


@pytest.mark.lean_data
def test_daily_bars_without_precise_end_times_and_raw_prices(lean_data_folder: Path) -> None:
    spec = make_spec(lean_data_folder, equity_symbol(lean_data_folder, "SPY"), "usa", DAILY, TRADE,
                     datetime(2013, 10, 8), datetime(2013, 10, 9, 23, 59), daily_precise_end_time=False,
                     normalization=RAW)
    bars, _ = read(spec)
    # the bar of Oct 7 ends at Oct 8 00:00, which is not before the start: LEAN delivers it
    assert [(bar.time, bar.end_time) for bar in bars] == [
        (datetime(2013, 10, 7), datetime(2013, 10, 8)), (datetime(2013, 10, 8), datetime(2013, 10, 9)),
        (datetime(2013, 10, 9), datetime(2013, 10, 10))]
    assert bars[1].close == 165.48


@pytest.mark.lean_data
def test_hourly_bars_end_on_the_hour_from_ten_to_sixteen(lean_data_folder: Path) -> None:
    spec = make_spec(lean_data_folder, equity_symbol(lean_data_folder, "SPY"), "usa", HOUR, TRADE,
                     datetime(2013, 10, 8), datetime(2013, 10, 8, 23, 59))
    bars, warnings = read(spec)
    assert warnings == []
    assert [bar.end_time.hour for bar in bars] == [10, 11, 12, 13, 14, 15, 16]
    assert all(bar.end_time - bar.time == timedelta(hours=1) for bar in bars)
    raw = raw_csv(lean_data_folder / "equity/usa/hour/spy.zip", TRADE_NAMES).set_index("time")
    assert bars[0].close == pytest.approx(raw.loc["20131008 09:00", "close"] / 10000 * 0.8646266, rel=1e-12)


@pytest.mark.lean_data
def test_eurusd_daily_quote_bars_in_new_york_time(lean_data_folder: Path) -> None:
    spec = make_spec(lean_data_folder, Symbol.create("EURUSD", FOREX, "oanda"), "oanda", DAILY, QUOTE,
                     datetime(2013, 10, 8), datetime(2013, 12, 5))
    bars, warnings = read(spec)
    assert warnings == [] and all(isinstance(bar, QuoteBar) for bar in bars)
    by_end = {bar.end_time: bar for bar in bars}
    summer = by_end[datetime(2013, 10, 8, 20)]
    assert summer.time == datetime(2013, 10, 7, 20)  # file 2013-10-08 00:00 UTC
    winter = by_end[datetime(2013, 12, 3, 19)]
    assert winter.time == datetime(2013, 12, 2, 19) and winter.end_time_utc == datetime(2013, 12, 4)
    raw = raw_csv(lean_data_folder / "forex/oanda/daily/eurusd.zip", QUOTE_NAMES).set_index("time")
    row = raw.loc["20131008 00:00"]
    assert summer.bid.close == row["bc"] and summer.ask.close == row["ac"]
    assert summer.close == pytest.approx((row["bc"] + row["ac"]) / 2)


@pytest.mark.lean_data
def test_btcusd_daily_trade_bars_in_utc(lean_data_folder: Path) -> None:
    spec = make_spec(lean_data_folder, Symbol.create("BTCUSD", CRYPTO, "coinbase"), "coinbase", DAILY, TRADE,
                     datetime(2016, 1, 2), datetime(2016, 1, 3, 23, 59))
    bars, warnings = read(spec)
    raw = raw_csv(lean_data_folder / "crypto/coinbase/daily/btcusd_trade.zip", TRADE_NAMES).set_index("time")
    assert warnings == []
    assert [(bar.time, bar.end_time) for bar in bars] == [
        (datetime(2016, 1, 1), datetime(2016, 1, 2)), (datetime(2016, 1, 2), datetime(2016, 1, 3)),
        (datetime(2016, 1, 3), datetime(2016, 1, 4))]
    assert bars[1].close == raw.loc["20160102 00:00", "close"]
    assert bars[1].volume == raw.loc["20160102 00:00", "volume"]


# --- hand-written data folders ---------------------------------------------------------------------------------

def write_zip(path: Path, entry: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(entry, text)


def offline_spec(folder: Path, symbol: Symbol, resolution: object, tick_type: object, start: datetime,
                 end: datetime, **options: object) -> SubscriptionSpec:
    """Hours from the exchange_calendars fallback (no market-hours file in the folder)."""
    if symbol.security_type == EQUITY:
        hours, zone = nyse_fallback_hours(), NY
    else:
        entry = MarketHoursDatabase.load(folder).get_entry(symbol.market, symbol.value, symbol.security_type)
        hours, zone = entry.exchange_hours, entry.data_time_zone
    return SubscriptionSpec(folder, symbol, symbol.security_type, symbol.market, resolution, tick_type,
                            options.pop("normalization", ADJUSTED), hours, zone, start, end,
                            **options)  # type: ignore[arg-type]


def test_malformed_lines_are_reported_and_good_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "equity/usa/daily/abc.zip"
    write_zip(path, "abc.csv", "20200102 00:00,1000000,1010000,990000,1005000,100\n"
                               "20200103 00:00,1000000,oops,990000,1005000,100\n"
                               "20200106 00:00,1000000\n"
                               "20200107 00:00,2000000,2010000,1990000,2005000,200\n")
    symbol = Symbol.create("ABC", EQUITY, "usa")
    bars, warnings = read(offline_spec(tmp_path, symbol, DAILY, TRADE, datetime(2020, 1, 1), datetime(2020, 1, 31)))
    assert [bar.close for bar in bars] == [100.5, 200.5]
    assert [bar.volume for bar in bars] == [100, 200]
    assert warnings == [f"{path}:2: malformed line skipped: 20200103 00:00,1000000,oops,990000,1005000,100",
                        f"{path}:3: malformed line skipped: 20200106 00:00,1000000"]


def test_a_reread_file_gives_the_same_bars_and_a_rewritten_one_its_new_rows(tmp_path: Path) -> None:
    path = tmp_path / "equity/usa/daily/abc.zip"
    write_zip(path, "abc.csv", "20200102 00:00,1000000,1010000,990000,1005000,100\n")
    symbol = Symbol.create("ABC", EQUITY, "usa")
    spec = offline_spec(tmp_path, symbol, DAILY, TRADE, datetime(2020, 1, 1), datetime(2020, 1, 31))
    first, _ = read(spec)
    again, _ = read(spec)
    assert [(bar.end_time, bar.close) for bar in again] == [(bar.end_time, bar.close) for bar in first]
    write_zip(path, "abc.csv", "20200102 00:00,1000000,1010000,990000,1005000,100\n"
                               "20200103 00:00,2000000,2010000,1990000,2005000,200\n")
    rewritten, _ = read(spec)
    assert [bar.close for bar in rewritten] == [100.5, 200.5]
    # the same size, written at once: still the new rows
    write_zip(path, "abc.csv", "20200102 00:00,1000000,1010000,990000,1005000,100\n"
                               "20200103 00:00,2000000,2010000,1990000,3005000,200\n")
    assert [bar.close for bar in read(spec)[0]] == [100.5, 300.5]


def test_malformed_lines_are_reported_on_every_read(tmp_path: Path) -> None:
    path = tmp_path / "equity/usa/daily/abc.zip"
    write_zip(path, "abc.csv", "20200102 00:00,1000000,1010000,990000,1005000,100\n20200103 00:00,oops\n")
    symbol = Symbol.create("ABC", EQUITY, "usa")
    spec = offline_spec(tmp_path, symbol, DAILY, TRADE, datetime(2020, 1, 1), datetime(2020, 1, 31))
    assert read(spec)[1] == read(spec)[1] == [f"{path}:2: malformed line skipped: 20200103 00:00,oops"]


def test_missing_file_is_one_warning_and_no_data(tmp_path: Path) -> None:
    symbol = Symbol.create("NOPE", EQUITY, "usa")
    bars, warnings = read(offline_spec(tmp_path, symbol, DAILY, TRADE, datetime(2020, 1, 1), datetime(2020, 1, 31)))
    assert bars == []
    assert warnings == [f"missing data file: {tmp_path / 'equity/usa/daily/nope.zip'}"]


def minute_row(hour: int, minute: int, close: int, volume: int = 10) -> str:
    ms = (hour * 3600 + minute * 60) * 1000
    return f"{ms},{close},{close + 100},{close - 100},{close},{volume}"


@pytest.fixture
def minute_folder(tmp_path: Path) -> Path:
    """Two trading days of ABC minute trades (one pre-market and one post-market row each) and a factor file."""
    for day in ("20200102", "20200103"):
        rows = [minute_row(9, 0, 1000000), minute_row(9, 30, 1010000), minute_row(15, 59, 1020000),
                minute_row(16, 30, 1030000)]
        write_zip(tmp_path / f"equity/usa/minute/abc/{day}_trade.zip", f"{day}_abc_minute_trade.csv",
                  "\n".join(rows) + "\n")
    factor_folder = tmp_path / "equity/usa/factor_files"
    factor_folder.mkdir(parents=True)
    (factor_folder / "abc.csv").write_text("20200102,0.5,1,1\n20200103,1,2,1\n20501231,1,1,0\n")
    return tmp_path


def test_minute_day_files_regular_hours_with_factors(minute_folder: Path) -> None:
    symbol = Symbol.create("ABC", EQUITY, "usa")
    bars, warnings = read(offline_spec(minute_folder, symbol, MINUTE, TRADE, datetime(2020, 1, 2),
                                       datetime(2020, 1, 6, 23, 59)))
    # Jan 6 (Monday) is a trading day without a file; the weekend is not looked for
    assert warnings == [f"missing data file: {minute_folder / 'equity/usa/minute/abc/20200106_trade.zip'}"]
    assert [(bar.time, bar.end_time) for bar in bars] == [
        (datetime(2020, 1, 2, 9, 30), datetime(2020, 1, 2, 9, 31)),
        (datetime(2020, 1, 2, 15, 59), datetime(2020, 1, 2, 16, 0)),
        (datetime(2020, 1, 3, 9, 30), datetime(2020, 1, 3, 9, 31)),
        (datetime(2020, 1, 3, 15, 59), datetime(2020, 1, 3, 16, 0))]
    assert [bar.close for bar in bars] == pytest.approx([101 * 0.5, 102 * 0.5, 101 * 2, 102 * 2])
    assert [bar.volume for bar in bars] == [20, 20, 5, 5]  # 10 / 0.5 and 10 / 2
    assert bars[0].end_time_utc == datetime(2020, 1, 2, 14, 31)


def test_minute_extended_hours_and_bounds(minute_folder: Path) -> None:
    symbol = Symbol.create("ABC", EQUITY, "usa")
    spec = offline_spec(minute_folder, symbol, MINUTE, TRADE, datetime(2020, 1, 2, 9, 31),
                        datetime(2020, 1, 2, 16, 30), extended_market_hours=True, normalization=RAW)
    bars, warnings = read(spec)
    assert warnings == []
    # EndTime >= start keeps the 09:30 bar (ends 09:31); Time > end stops reading after 16:30
    assert [bar.time.time().isoformat("minutes") for bar in bars] == ["09:30", "15:59", "16:30"]
    assert bars[-1].close == 103.0


def test_second_quote_day_file_in_utc_converted_to_new_york(tmp_path: Path) -> None:
    rows = ["0,1.1,1.2,1.0,1.15,0,1.11,1.21,1.01,1.16,0", "1000,1.1,1.2,1.0,1.17,5,,,,,3"]
    write_zip(tmp_path / "forex/oanda/second/eurusd/20200102_quote.zip", "20200102_eurusd_second_quote.csv",
              "\n".join(rows) + "\n")
    symbol = Symbol.create("EURUSD", FOREX, "oanda")
    bars, warnings = read(offline_spec(tmp_path, symbol, SECOND, QUOTE, datetime(2020, 1, 1, 19),
                                       datetime(2020, 1, 1, 19, 0, 30)))
    assert [bar.time for bar in bars] == [datetime(2020, 1, 1, 19), datetime(2020, 1, 1, 19, 0, 1)]
    assert bars[0].end_time_utc == datetime(2020, 1, 2, 0, 0, 1)
    assert bars[0].close == pytest.approx((1.15 + 1.16) / 2)
    assert bars[1].ask is None and bars[1].close == 1.17 and bars[1].last_bid_size == 5
    assert all("missing data file" in warning and "20200101" in warning for warning in warnings)


def test_forex_trade_bar_request_reads_the_bid_side(tmp_path: Path) -> None:
    write_zip(tmp_path / "forex/oanda/minute/eurusd/20200102_quote.zip", "x.csv",
              "60000,1.1,1.2,1.0,1.15,0,1.11,1.21,1.01,1.16,0\n")
    symbol = Symbol.create("EURUSD", FOREX, "oanda")
    bars, _ = read(offline_spec(tmp_path, symbol, MINUTE, TRADE, datetime(2020, 1, 1, 19), datetime(2020, 1, 1, 20)))
    assert len(bars) == 1 and isinstance(bars[0], TradeBar)
    assert (bars[0].open, bars[0].close, bars[0].volume) == (1.1, 1.15, 0.0)


@pytest.mark.parametrize(("security_type", "market", "resolution", "tick_type", "file_name", "entry_name"), [
    (EQUITY, "usa", DAILY, TRADE, "spy.zip", "spy.csv"),
    (EQUITY, "usa", MINUTE, TRADE, "20131008_trade.zip", "20131008_spy_minute_trade.csv"),
    (EQUITY, "usa", SECOND, QUOTE, "20131008_quote.zip", "20131008_spy_second_quote.csv"),
    (CRYPTO, "coinbase", DAILY, TRADE, "spy_trade.zip", "spy.csv"),
    (FOREX, "oanda", HOUR, QUOTE, "spy.zip", "spy.csv"),
])
def test_lean_file_names(security_type: object, market: str, resolution: object, tick_type: object,
                         file_name: str, entry_name: str) -> None:
    symbol = Symbol.create("SPY", security_type, market)
    assert generate_zip_file_name(symbol, date(2013, 10, 8), resolution, tick_type) == file_name
    assert generate_zip_entry_name(symbol, date(2013, 10, 8), resolution, tick_type) == entry_name


@pytest.mark.lean_data
def test_every_spy_daily_bar_spans_its_regular_session(lean_data_folder: Path) -> None:
    spec = make_spec(lean_data_folder, equity_symbol(lean_data_folder, "SPY"), "usa", DAILY, TRADE,
                     datetime(1998, 1, 1), datetime(2021, 12, 31))
    bars, warnings = read(spec)
    hours = spec.exchange_hours
    raw_days = {datetime.strptime(stamp, "%Y%m%d %H:%M").date()
                for stamp in raw_csv(lean_data_folder / "equity/usa/daily/spy.zip", TRADE_NAMES)["time"]}
    assert warnings == [] and len(bars) == len({day for day in raw_days if hours.is_date_open(day)})
    for bar in bars:
        day = bar.time.date()
        assert (bar.time, bar.end_time) == (hours.regular_market_open(day), hours.regular_market_close(day))


def test_lean_data_class_exposes_both_spellings() -> None:
    from lean_offline.data.readers import LeanData

    symbol = Symbol.create("SPY", EQUITY, "usa")
    assert LeanData.GenerateZipFileName(symbol, date(2013, 10, 8), MINUTE, QUOTE) == "20131008_quote.zip"
    assert LeanData.generate_zip_entry_name(symbol, date(2013, 10, 8), DAILY, TRADE) == "spy.csv"


@pytest.mark.lean_data
def test_xauusd_oanda_cfd_daily_bars_keep_file_midnight(lean_data_folder: Path) -> None:
    spec = make_spec(lean_data_folder, Symbol.create("XAUUSD", SecurityType["CFD"], "oanda"), "oanda", DAILY, QUOTE,
                     datetime(2013, 10, 8), datetime(2013, 10, 10))
    bars, warnings = read(spec)
    raw = raw_csv(lean_data_folder / "cfd/oanda/daily/xauusd.zip", QUOTE_NAMES).set_index("time")
    assert warnings == []
    first = bars[0]
    assert (first.time, first.end_time) == (datetime(2013, 10, 7, 20), datetime(2013, 10, 8, 20))
    assert first.ask.close == raw.loc["20131008 00:00", "ac"]


def test_crypto_minute_trades_every_calendar_day_in_utc(tmp_path: Path) -> None:
    for day in ("20200104", "20200105"):  # a weekend: crypto trades
        write_zip(tmp_path / f"crypto/coinbase/minute/btcusd/{day}_trade.zip", "x.csv",
                  "0,7000,7010,6990,7005,0.5\n60000,7005,7020,7000,7015,1.25\n")
    symbol = Symbol.create("BTCUSD", CRYPTO, "coinbase")
    bars, warnings = read(offline_spec(tmp_path, symbol, MINUTE, TRADE, datetime(2020, 1, 4),
                                       datetime(2020, 1, 5, 23, 59)))
    assert warnings == []
    assert [(bar.time, bar.close, bar.volume) for bar in bars] == [
        (datetime(2020, 1, 4, 0, 0), 7005, 0.5), (datetime(2020, 1, 4, 0, 1), 7015, 1.25),
        (datetime(2020, 1, 5, 0, 0), 7005, 0.5), (datetime(2020, 1, 5, 0, 1), 7015, 1.25)]
    assert bars[0].end_time_utc == datetime(2020, 1, 4, 0, 1)


def test_empty_and_corrupt_files_warn_and_yield_nothing(tmp_path: Path) -> None:
    write_zip(tmp_path / "equity/usa/daily/empty.zip", "empty.csv", "")
    corrupt = tmp_path / "equity/usa/daily/corrupt.zip"
    corrupt.write_bytes(b"this is not a zip archive")
    empty_bars, empty_warnings = read(offline_spec(tmp_path, Symbol.create("EMPTY", EQUITY, "usa"), DAILY, TRADE,
                                                   datetime(2020, 1, 1), datetime(2020, 1, 31)))
    corrupt_bars, corrupt_warnings = read(offline_spec(tmp_path, Symbol.create("CORRUPT", EQUITY, "usa"), DAILY,
                                                       TRADE, datetime(2020, 1, 1), datetime(2020, 1, 31)))
    assert (empty_bars, empty_warnings) == ([], [])
    assert corrupt_bars == [] and len(corrupt_warnings) == 1 and str(corrupt) in corrupt_warnings[0]


def test_equity_minute_quotes_scale_prices_and_sizes(tmp_path: Path) -> None:
    ms = (9 * 3600 + 45 * 60) * 1000
    write_zip(tmp_path / "equity/usa/minute/abc/20200102_quote.zip", "x.csv",
              f"{ms},1000000,1010000,990000,1005000,300,1001000,1011000,991000,1006000,500\n")
    factor_folder = tmp_path / "equity/usa/factor_files"
    factor_folder.mkdir(parents=True)
    (factor_folder / "abc.csv").write_text("20200110,0.5,1,1\n20501231,1,1,0\n")
    symbol = Symbol.create("ABC", EQUITY, "usa")
    bars, warnings = read(offline_spec(tmp_path, symbol, MINUTE, QUOTE, datetime(2020, 1, 2),
                                       datetime(2020, 1, 2, 23, 59)))
    assert warnings == [] and len(bars) == 1
    bar = bars[0]
    assert (bar.bid.open, bar.bid.close, bar.ask.close) == pytest.approx((50.0, 50.25, 50.3))
    assert (bar.last_bid_size, bar.last_ask_size) == (600, 1000)
    assert bar.close == pytest.approx((50.25 + 50.3) / 2) and bar.time == datetime(2020, 1, 2, 9, 45)


@pytest.mark.parametrize("stamp", ["99991231 00:00", "18990102 00:00", "22090324 06:43"])
def test_out_of_range_time_stamp_is_a_malformed_line(tmp_path: Path, stamp: str) -> None:
    """Years outside 1900-2200 are malformed lines, also those pandas' whole-file parse could hold (1677-2262)."""
    path = tmp_path / "equity/usa/daily/abc.zip"
    write_zip(path, "abc.csv", f"{stamp},1000000,1010000,990000,1005000,100\n"
                               "20200102 00:00,1000000,1010000,990000,1005000,100\n")
    bars, warnings = read(offline_spec(tmp_path, Symbol.create("ABC", EQUITY, "usa"), DAILY, TRADE,
                                       datetime(2020, 1, 1), datetime(2020, 1, 31)))
    assert [bar.time for bar in bars] == [datetime(2020, 1, 2, 9, 30)]
    assert warnings == [f"{path}:1: malformed line skipped: {stamp},1000000,1010000,990000,1005000,100"]


def test_quote_sides_follow_lean_presence_rules(tmp_path: Path) -> None:
    # forex: a side is absent only when its four prices are empty; an empty field of a present side reads 0
    write_zip(tmp_path / "forex/oanda/minute/eurusd/20200102_quote.zip", "x.csv",
              "60000,1.1,,1.0,1.15,7,,,,,3\n")
    forex, warnings = read(offline_spec(tmp_path, Symbol.create("EURUSD", FOREX, "oanda"), MINUTE, QUOTE,
                                        datetime(2020, 1, 1, 19), datetime(2020, 1, 1, 20)))
    assert warnings == [] and len(forex) == 1
    assert forex[0].bid is not None and forex[0].bid.high == 0.0 and forex[0].ask is None
    assert (forex[0].last_bid_size, forex[0].last_ask_size, forex[0].close) == (7, 0, 1.15)
    # equities (LEAN's stream parser): a side whose prices are all zero is absent
    ms = 10 * 3600 * 1000
    write_zip(tmp_path / "equity/usa/minute/abc/20200102_quote.zip", "x.csv",
              f"{ms},0,0,0,0,100,1001000,1011000,991000,1006000,500\n")
    equity, warnings = read(offline_spec(tmp_path, Symbol.create("ABC", EQUITY, "usa"), MINUTE, QUOTE,
                                         datetime(2020, 1, 2), datetime(2020, 1, 2, 23, 59), normalization=RAW))
    assert warnings == [] and len(equity) == 1
    assert equity[0].bid is None and equity[0].last_bid_size == 0
    assert equity[0].ask is not None and equity[0].close == pytest.approx(100.6)


_SIDE = st.one_of(st.none(), st.tuples(*[st.floats(min_value=0.5, max_value=500.0)] * 4,
                                       st.floats(min_value=0.0, max_value=1e4)))


@given(st.lists(st.tuples(_SIDE, _SIDE), min_size=1, max_size=8))
def test_packed_quote_bars_read_like_quote_bars_built_from_their_sides(rows: list[tuple]) -> None:
    nan = float("nan")
    values = np.array([[*(bid or (nan, nan, nan, nan, 0.0)), *(ask or (nan, nan, nan, nan, 0.0))]
                       for bid, ask in rows])
    times = [datetime(2021, 3, 1, 9, 30, index) for index in range(len(rows))]
    ends = [time + timedelta(seconds=1) for time in times]
    symbol = Symbol.create("AAA", EQUITY, "usa")
    block = readers_module.BarBlock(symbol, QuoteBar, np.array(times, dtype="datetime64[ns]"),
                                    np.array(ends, dtype="datetime64[ns]"), np.array(ends, dtype="datetime64[ns]"),
                                    values)
    packed = list(block.bars())
    assert [bar.end_time for bar in packed] == ends and [block.cache_row(row)[0] for row in range(len(rows))] == ends
    for bar, (bid, ask), time in zip(packed, rows, times, strict=True):
        built = QuoteBar(time, symbol, Bar(*bid[:4]) if bid else None, bid[4] if bid else 0.0,
                         Bar(*ask[:4]) if ask else None, ask[4] if ask else 0.0, timedelta(seconds=1))
        assert bar._prices() == built._prices()
        assert (bar.open, bar.high, bar.low, bar.close) == (built.open, built.high, built.low, built.close)
        assert (bar.last_bid_size, bar.last_ask_size) == (built.last_bid_size, built.last_ask_size)
        assert (bar.bid is None, bar.ask is None) == (bid is None, ask is None)
        side = bar.bid
        if side is not None:
            assert (side.open, side.high, side.low, side.close) == bid[:4]


def test_a_block_reads_rows_of_any_chunk_in_any_order() -> None:
    """Rows past the first chunk, and back, read the same as a block that holds only that row."""
    count = 2500  # three chunks of rows
    starts = np.datetime64("2000-01-03T09:30", "ns") + np.arange(count) * np.timedelta64(1, "h")
    ends = starts + np.timedelta64(1, "h")
    values = np.column_stack([np.arange(count, dtype=np.float64) + offset for offset in (1.0, 2.0, 0.5, 1.5)]
                             + [np.full(count, 7.0)])
    symbol = Symbol.create("AAA", EQUITY, "usa")
    block = readers_module.BarBlock(symbol, TradeBar, starts, ends, ends, values)
    for row in (2400, 3, 1024, 1023, 2499, 0):
        assert block.end_time(row) == datetime(2000, 1, 3, 10, 30) + timedelta(hours=row)  # before its chunk loads
        alone = readers_module.BarBlock(symbol, TradeBar, starts[row:row + 1], ends[row:row + 1], ends[row:row + 1],
                                        values[row:row + 1])
        assert block.cache_row(row) == alone.cache_row(0) == (ends[row].astype("datetime64[us]").item(),
                                                               row + 1.0, row + 2.0, row + 0.5, row + 1.5, 7.0)
        assert block.end_time(row) == block.end_time(row ^ 1) - timedelta(hours=-1 if row % 2 else 1)
        bar, expected = block.bar(row), alone.bar(0)
        assert (bar.time, bar.end_time, bar.end_time_utc, bar.open, bar.close, bar.volume) == (
            expected.time, expected.end_time, expected.end_time_utc, expected.open, expected.close, expected.volume)


@pytest.mark.parametrize("resolution", [DAILY, HOUR])
def test_a_window_of_the_remembered_whole_history_equals_a_fresh_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     resolution: object) -> None:
    """Reads of one whole-history file share its rows computed once (the seed, the feed and history() read it with
    different windows); each window must match a read that computes everything for its own window."""
    stamps = ["20200102", "20200103", "20200106", "20200105", "20200107", "20200108", "20200110", "20200109",
              "20200113", "20200114"]  # two out of order: dropped as not increasing
    hour = "00:00" if resolution == DAILY else "10:00"
    text = "".join(f"{stamp} {hour},{1000000 + 10000 * n},{1010000 + 10000 * n},{990000 + 10000 * n},"
                   f"{1005000 + 10000 * n},{100 + n}\n" for n, stamp in enumerate(stamps))
    folder = "daily" if resolution == DAILY else "hour"
    write_zip(tmp_path / f"equity/usa/{folder}/abc.zip", "abc.csv", text)
    symbol = Symbol.create("ABC", EQUITY, "usa")
    windows = [(datetime(2019, 12, 1), datetime(2020, 2, 1)), (datetime(2020, 1, 6), datetime(2020, 1, 9, 12)),
               (datetime(2020, 1, 3, 17), datetime(2020, 1, 6)), (datetime(2020, 1, 9), datetime(2020, 1, 9, 23)),
               (datetime(2020, 1, 15), datetime(2020, 1, 20)), (datetime(2019, 1, 1), datetime(2019, 2, 1))]

    def facts(start: datetime, end: datetime) -> list[tuple]:
        bars, warnings = read(offline_spec(tmp_path, symbol, resolution, TRADE, start, end))
        assert warnings == []
        return [(bar.time, bar.end_time, bar.end_time_utc, bar.open, bar.close, bar.volume) for bar in bars]

    monkeypatch.setattr(readers_module, "_WHOLE_HISTORY_FILES", readers_module._RecentHistories(capacity_bytes=0))
    fresh = [facts(start, end) for start, end in windows]
    monkeypatch.setattr(readers_module, "_WHOLE_HISTORY_FILES", readers_module._RecentHistories(1 << 20))
    assert [facts(start, end) for start, end in windows] == fresh
    assert fresh[0] and fresh[1] and not fresh[-1]
    if resolution == DAILY:  # by hand: the regular session of each kept date, the backward dates dropped
        assert [row[0] for row in fresh[0]] == [datetime(2020, 1, day, 9, 30) for day in (2, 3, 6, 7, 8, 10, 13, 14)]
        assert [row[4] for row in fresh[1]] == [102.5, 104.5, 105.5]


_FIELD = st.integers(-(10**12), 10**12).map(str)
_ODD_FIELD = st.sampled_from(["", " ", " 7", "+7", "+", "-", "\t", "1.5", "2e3", "nan", "x", "-0", "-07", "007",
                              "10000000000000000000"])  # beyond int64, one significant digit


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([6, 11]), st.lists(st.lists(_FIELD | _ODD_FIELD, min_size=5, max_size=12), min_size=1,
                                          max_size=6),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_a_day_file_parses_as_the_line_by_line_parser_reads_it(columns: int, lines: list[list[str]], newline: str,
                                                               final_newline: bool, blank_line: bool) -> None:
    """Whatever a ms-of-day file holds (whole numbers, signs alone or before a number, a negative zero, blanks and
    empty fields, decimals, exponents, words, a number beyond int64, time stamps far beyond a day, lines of the wrong
    length, blank lines, CR LF line ends), the whole-file parse (numpy's integer reader or pandas') gives the rows
    the line-by-line parser gives, or leaves the file to it: the same times and values, signs of zeros included.
    (Numbers of more than 17 significant digits are left out: pandas' float parser does not round all of them as
    Python's `float` does, e.g. 2**63.)"""
    text = newline.join(",".join(fields) for fields in lines)
    if blank_line:
        text = text.replace(newline, newline + newline, 1)
    raw = (text + newline if final_newline else text).encode()
    day = date(2021, 3, 1)
    expected = readers_module._slow_parse(raw, columns, day, Path("x.csv"), lambda _message: None)
    parsed = readers_module.parse_lean_csv(raw, columns, day, Path("x.csv"), lambda _message: None)
    assert parsed.times.tolist() == expected.times.tolist()
    assert np.array_equal(parsed.values, expected.values, equal_nan=True)
    assert np.signbit(parsed.values).tolist() == np.signbit(expected.values).tolist()  # -0.0 too


@given(st.lists(st.lists(st.integers(-(10**12), 10**12), min_size=6, max_size=6), min_size=1, max_size=30))
def test_a_file_of_whole_numbers_is_read_by_numpys_integer_reader(rows: list[list[int]]) -> None:
    """The integer reader takes a file of whole numbers (so the test above compares it, not only pandas), and leaves
    one with a number beyond int64, which numpy would clamp, to the general parse."""
    raw = "".join(",".join(map(str, row)) + "\n" for row in rows).encode()
    fields = readers_module._integer_fields(raw, 6)
    assert fields is not None and fields.tolist() == rows
    for beyond in (b"99999999999999999999", b"9223372036854775808", b"-9223372036854775809"):  # int64 +- 1
        assert readers_module._integer_fields(raw + b"1,2,3,4,5," + beyond + b"\n", 6) is None


@given(st.sets(st.dates(date(2000, 1, 1), date(2000, 12, 31)), max_size=20),
       st.sets(st.dates(date(2000, 1, 1), date(2000, 12, 31)), max_size=5),
       st.lists(st.dates(date(1999, 12, 1), date(2001, 1, 31)), max_size=40))
def test_special_day_mask_is_membership_in_the_hours_special_days(holidays: set[date], early: set[date],
                                                                  days: list[date]) -> None:
    hours = SecurityExchangeHours(ZoneInfo("America/New_York"), {}, holidays=holidays,
                                  early_closes={day: timedelta(hours=13) for day in early})
    numbers = np.array([(day - date(1970, 1, 1)).days for day in days], dtype=np.int64)
    assert readers_module.special_day_mask(hours, numbers).tolist() == [day in holidays | early for day in days]


_NY, _LONDON, _SYDNEY, _UTC = "America/New_York", "Europe/London", "Australia/Sydney", "UTC"
# (source zone, target zone, a wall-clock time in the source zone next to a change of offset of one of them)
_AROUND_CHANGES = [
    (_NY, _UTC, datetime(2021, 3, 14, 2, 30)), (_NY, _UTC, datetime(2021, 11, 7, 1, 30)),
    (_UTC, _NY, datetime(2021, 3, 14, 7)), (_UTC, _NY, datetime(2021, 11, 7, 6)),
    (_LONDON, _NY, datetime(2021, 3, 28, 1, 30)), (_NY, _LONDON, datetime(2021, 10, 31, 1, 30)),
    (_SYDNEY, _UTC, datetime(2021, 4, 4, 2, 30)), (_UTC, _SYDNEY, datetime(2021, 10, 2, 16)),
    ("America/Chicago", _NY, datetime(2021, 3, 14, 2, 30)), ("Asia/Kolkata", _NY, datetime(2021, 6, 1, 12)),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_AROUND_CHANGES), st.lists(st.integers(-720, 720), min_size=1, max_size=30),
       st.sampled_from([1, 2, 5]))
def test_times_of_a_day_are_shifted_as_pandas_converts_them(case: tuple[str, str, datetime], minutes: list[int],
                                                            stretch: int) -> None:
    """`convert_naive` shifts times spanning at most a day by one offset when their first and last take the same;
    next to changes of offset (gaps, repeated hours, in the source zone or the target's), within a day of one and
    over longer spans, it gives what pandas' localisation gives (ambiguous: the earlier instant; skipped: moved
    forward an hour)."""
    source, target, around = case
    times = np.array([around + timedelta(minutes=minute * stretch) for minute in minutes], dtype="datetime64[ns]")
    expected = readers_module._convert_naive_by_pandas(times, ZoneInfo(source), ZoneInfo(target))
    assert readers_module.convert_naive(times, ZoneInfo(source), ZoneInfo(target)).tolist() == expected.tolist()


_STAMP = st.datetimes(datetime(1990, 1, 1), datetime(2030, 12, 31)).map(lambda moment: f"{moment:%Y%m%d %H:%M}")
_ODD_STAMP = st.sampled_from(["19980230 10:00", "19970229 10:00", "19960229 23:59", "1998011 10:00", "19980102 9:30",
                              "19980102 24:00", "19980102 10:60", "19980102 -1:00", "19980102 10:-0", "18990102 10:00",
                              "22010102 10:00", "19980102 10:00:00", " 19980102 10:00", "19980102T10:00",
                              "1998-01-02 10:00", "19980102  10:0", "19980102 10,00", "", "-19980102 10:00",
                              "19981301 10:00", "19980100 10:00", "19980102 10::0"])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([6, 11]), st.lists(st.tuples(_STAMP | _ODD_STAMP, st.lists(_FIELD | _ODD_FIELD, min_size=4,
                                                                                   max_size=11)),
                                          min_size=1, max_size=6),
       st.booleans(), st.booleans())
def test_a_whole_history_file_parses_as_the_line_by_line_parser_reads_it(columns: int, lines: list[tuple[str, list[str]]],
                                                                         final_newline: bool, blank_line: bool) -> None:
    """Whatever a daily or hourly file holds after its "yyyyMMdd HH:mm" stamps (invalid dates and times, stamps of
    other widths or separators, years out of range, and the odd fields of the day-file test), the whole-file parse
    (numpy's integer reader or pandas') gives the rows the line-by-line parser gives, or leaves the file to it."""
    text = "\n".join(",".join([stamp, *fields]) for stamp, fields in lines)
    if blank_line:
        text = text.replace("\n", "\n\n", 1)
    raw = (text + "\n" if final_newline else text).encode()
    expected = readers_module._slow_parse(raw, columns, None, Path("x.csv"), lambda _message: None)
    parsed = readers_module.parse_lean_csv(raw, columns, None, Path("x.csv"), lambda _message: None)
    assert parsed.times.tolist() == expected.times.tolist()
    assert np.array_equal(parsed.values, expected.values, equal_nan=True)
    assert np.signbit(parsed.values).tolist() == np.signbit(expected.values).tolist()


@given(st.lists(st.tuples(st.datetimes(datetime(1990, 1, 1), datetime(2030, 12, 31)),
                          st.lists(st.integers(-(10**12), 10**12), min_size=5, max_size=5)), min_size=1, max_size=30))
def test_a_stamped_file_of_whole_numbers_is_read_by_numpys_integer_reader(rows: list[tuple[datetime, list[int]]]) -> None:
    """The integer reader takes a daily or hourly file of stamps and whole numbers (so the test above compares it,
    not only pandas), reading each stamp as its date, hour and minute."""
    raw = "".join(f"{moment:%Y%m%d %H:%M}," + ",".join(map(str, values)) + "\n" for moment, values in rows).encode()
    fields = readers_module._integer_fields(raw, 6, stamped=True)
    assert fields is not None
    assert fields.tolist() == [[int(f"{moment:%Y%m%d}"), moment.hour, moment.minute, *values] for moment, values in rows]
    parsed = readers_module._fast_parse(raw, 6, None)
    assert parsed is not None
    assert parsed.times.astype("datetime64[us]").tolist() == [moment.replace(second=0, microsecond=0)
                                                              for moment, _ in rows]


@settings(max_examples=100, deadline=None)
@given(st.sets(st.dates(date(1999, 6, 1), date(2001, 6, 30)), max_size=20),
       st.sets(st.dates(date(1999, 6, 1), date(2001, 6, 30)), max_size=5),
       st.dates(date(1999, 6, 1), date(2001, 6, 30)), st.integers(-3, 800), st.booleans())
def test_open_intervals_from_the_yearly_tables_equal_those_made_for_the_dates(holidays: set[date], early: set[date],
                                                                              first: date, days: int,
                                                                              extended: bool) -> None:
    """The open stretches of a range of dates, taken from tables made once per year (across year ends, empty ranges
    and special dates included), are those made for the range itself."""
    hours = nyse_fallback_hours(1999, 2001)
    special = SecurityExchangeHours(hours.time_zone, {weekday: hours.weekly_segments(weekday) for weekday in range(7)},
                                    holidays=holidays, early_closes={day: timedelta(hours=13) for day in early})
    last = first + timedelta(days=days)
    starts, ends = readers_module._open_intervals(special, first, last, extended)
    expected_starts, expected_ends = readers_module._open_intervals_between(special, first, last, extended)
    assert starts.dtype == expected_starts.dtype and ends.dtype == expected_ends.dtype
    assert starts.tolist() == expected_starts.tolist() and ends.tolist() == expected_ends.tolist()
