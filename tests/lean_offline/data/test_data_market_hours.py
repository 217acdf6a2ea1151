"""Exchange hours from LEAN's database, the exchange_calendars fallback, and their agreement."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import exchange_calendars as xcals  # type: ignore[import-untyped]
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market_hours import (
    MarketHoursDatabase,
    MarketHoursSegment,
    SecurityExchangeHours,
    nyse_fallback_hours,
    recorded_xnys_special_days,
    xnys_special_days,
)
from lean_offline.enums import SecurityType

EQUITY = SecurityType["EQUITY"]


@pytest.fixture(scope="module")
def nyse(lean_data_folder: Path) -> SecurityExchangeHours:
    return MarketHoursDatabase.load(lean_data_folder).get_entry("usa", "SPY", EQUITY).exchange_hours


@pytest.mark.lean_data
def test_regular_full_day_boundaries(nyse: SecurityExchangeHours) -> None:
    day = datetime(2013, 10, 8)
    assert not nyse.is_open(day.replace(hour=9, minute=29))
    assert nyse.is_open(day.replace(hour=9, minute=30))
    assert nyse.is_open(day.replace(hour=15, minute=59))
    assert not nyse.is_open(day.replace(hour=16))  # [start, end)
    assert nyse.is_open(day.replace(hour=16), extended_market_hours=True)
    assert not nyse.is_open(day.replace(hour=20), extended_market_hours=True)
    assert nyse.regular_market_open(day.date()) == day.replace(hour=9, minute=30)
    assert nyse.regular_market_close(day.date()) == day.replace(hour=16)
    assert str(nyse.time_zone) == "America/New_York" and not nyse.always_open


@pytest.mark.lean_data
def test_thanksgiving_holiday_and_early_close(nyse: SecurityExchangeHours) -> None:
    assert not nyse.is_date_open(date(2013, 11, 28))
    assert nyse.regular_market_open(date(2013, 11, 28)) is None
    assert nyse.is_early_close(date(2013, 11, 29))
    assert nyse.regular_market_close(date(2013, 11, 29)) == datetime(2013, 11, 29, 13)
    assert nyse.get_next_trading_day(date(2013, 11, 27)) == date(2013, 11, 29)
    assert nyse.get_previous_trading_day(date(2013, 12, 2)) == date(2013, 11, 29)
    assert nyse.get_next_market_open(datetime(2013, 11, 27, 16)) == datetime(2013, 11, 29, 9, 30)
    assert nyse.get_next_market_close(datetime(2013, 11, 29, 10)) == datetime(2013, 11, 29, 13)
    assert nyse.get_next_market_open(datetime(2013, 11, 27, 16), True) == datetime(2013, 11, 29, 4)
    # the post-market segment is gone on an early-close day
    assert nyse.get_next_market_close(datetime(2013, 11, 29, 10), True) == datetime(2013, 11, 29, 13)


@pytest.mark.lean_data
def test_interval_openness(nyse: SecurityExchangeHours) -> None:
    assert nyse.is_open_between(datetime(2013, 10, 8), datetime(2013, 10, 9))
    assert nyse.is_open_between(datetime(2013, 10, 8, 9), datetime(2013, 10, 8, 10))
    assert not nyse.is_open_between(datetime(2013, 10, 8, 16), datetime(2013, 10, 8, 17))
    assert nyse.is_open_between(datetime(2013, 10, 8, 16), datetime(2013, 10, 8, 17), True)
    assert not nyse.is_open_between(datetime(2013, 10, 12), datetime(2013, 10, 14))  # weekend
    assert nyse.is_open_between(datetime(2013, 10, 12), datetime(2013, 10, 14, 9, 31))


@pytest.mark.lean_data
def test_oanda_forex_week_and_daily_break(lean_data_folder: Path) -> None:
    entry = MarketHoursDatabase.load(lean_data_folder).get_entry("oanda", "EURUSD", SecurityType["FOREX"])
    hours = entry.exchange_hours
    assert str(entry.data_time_zone) == "UTC" and str(hours.time_zone) == "America/New_York"
    assert hours.get_next_market_open(datetime(2013, 10, 11, 18)) == datetime(2013, 10, 13, 17, 3)
    assert hours.get_next_market_close(datetime(2013, 10, 8, 18)) == datetime(2013, 10, 9, 16, 58)
    assert not hours.is_open(datetime(2013, 10, 9, 17))
    assert not hours.is_open(datetime(2013, 10, 12, 12))


@pytest.mark.lean_data
def test_crypto_is_always_open_in_utc(lean_data_folder: Path) -> None:
    entry = MarketHoursDatabase.load(lean_data_folder).get_entry("coinbase", "BTCUSD", SecurityType["CRYPTO"])
    assert entry.exchange_hours.always_open and str(entry.exchange_hours.time_zone) == "UTC"
    assert entry.exchange_hours.is_date_open(date(2016, 1, 2))


def test_custom_data_defaults_to_always_open_new_york(tmp_path: Path) -> None:
    database = MarketHoursDatabase.load(tmp_path)
    entry = database.get_entry("usa", "BTC", SecurityType["BASE"])
    assert entry.exchange_hours.always_open and str(entry.data_time_zone) == "America/New_York"
    assert database.uses_fallback and "fallback" in database.warnings[0]


def test_always_open_hours_have_no_market_open() -> None:
    hours = SecurityExchangeHours.always_open_hours("UTC")
    assert hours.is_open(datetime(2020, 1, 1, 3)) and hours.is_open_between(datetime(2020, 1, 1), datetime(2020, 1, 2))
    with pytest.raises(ValueError, match="always open: True"):
        hours.get_next_market_open(datetime(2020, 1, 1))


def test_late_open_and_early_close_cut_segments() -> None:
    market = MarketHoursSegment(timedelta(hours=9, minutes=30), timedelta(hours=16), "market")
    hours = SecurityExchangeHours(
        ZoneInfo("UTC"), {0: [market]},
        early_closes={date(2020, 1, 6): timedelta(hours=13)}, late_opens={date(2020, 1, 13): timedelta(hours=11)})
    assert hours.get_market_hours(date(2020, 1, 6)) == (
        MarketHoursSegment(timedelta(hours=9, minutes=30), timedelta(hours=13), "market"),)
    assert hours.regular_market_open(date(2020, 1, 13)) == datetime(2020, 1, 13, 11)
    assert hours.regular_market_close(date(2020, 1, 20)) == datetime(2020, 1, 20, 16)


@pytest.mark.lean_data
def test_fallback_agrees_with_lean_database_for_nyse_2010_2020(nyse: SecurityExchangeHours) -> None:
    """Two independent sources of NYSE sessions: LEAN's JSON and exchange_calendars' XNYS."""
    fallback = nyse_fallback_hours()
    differences = []
    for timestamp in pd.date_range("2010-01-01", "2020-12-31", freq="D"):
        day = timestamp.date()
        lean = (nyse.is_date_open(day), nyse.regular_market_open(day), nyse.regular_market_close(day))
        ours = (fallback.is_date_open(day), fallback.regular_market_open(day), fallback.regular_market_close(day))
        if lean != ours:
            differences.append((day, lean, ours))
    assert differences == []


def test_fallback_sessions_follow_xnys() -> None:
    fallback = nyse_fallback_hours()
    calendar = xcals.get_calendar("XNYS", start="2019-01-01", end="2019-12-31")
    sessions = {ts.date() for ts in calendar.sessions}
    days = [d.date() for d in pd.date_range("2019-01-01", "2019-12-31")]
    assert {day for day in days if fallback.is_date_open(day)} == sessions
    assert fallback.regular_market_close(date(2019, 7, 3)) == datetime(2019, 7, 3, 13)


def _xnys_local_sessions(first_year: int, last_year: int) -> dict[date, tuple[datetime, datetime]]:
    """{session: (local open, local close)} straight from exchange_calendars."""
    calendar = xcals.get_calendar("XNYS", start=f"{first_year}-01-01", end=f"{last_year}-12-31")
    ny = ZoneInfo("America/New_York")  # not the string: pandas would take pytz, whose rules stop in 2037
    opens = calendar.opens.dt.tz_convert(ny).dt.tz_localize(None)
    closes = calendar.closes.dt.tz_convert(ny).dt.tz_localize(None)
    return {session.date(): (opens[session].to_pydatetime(), closes[session].to_pydatetime())
            for session in calendar.sessions}


def test_recorded_table_reproduces_every_xnys_session_1990_2040() -> None:
    """The recorded table against exchange_calendars itself: every day's session, open and close."""
    if recorded_xnys_special_days(1990, 2040) is None:
        pytest.skip("the installed exchange_calendars is not the version the table was recorded from")
    hours = nyse_fallback_hours(1990, 2040)
    sessions = _xnys_local_sessions(1990, 2040)
    differences = []
    for timestamp in pd.date_range("1990-01-01", "2040-12-31", freq="D"):
        day = timestamp.date()
        expected = sessions.get(day, (None, None))
        ours = (hours.regular_market_open(day), hours.regular_market_close(day))
        if ours != expected or hours.is_date_open(day) != (day in sessions):
            differences.append((day, expected, ours))
    assert differences == []


def test_recorded_table_restricted_to_the_years_asked_for() -> None:
    recorded = recorded_xnys_special_days(2013, 2014)
    if recorded is None:
        pytest.skip("the installed exchange_calendars is not the version the table was recorded from")
    assert recorded == xnys_special_days(2013, 2014)
    assert min(recorded.holidays) == date(2013, 1, 1) and max(recorded.holidays) == date(2014, 12, 25)
    assert recorded.early_closes[date(2013, 11, 29)] == timedelta(hours=13)
    assert date(2012, 12, 24) not in recorded.early_closes and date(2015, 1, 1) not in recorded.holidays
    # the year after the restricted range is a trading day there, as the calendar built for those years has it
    assert nyse_fallback_hours(2013, 2014).is_date_open(date(2015, 1, 1))


def test_years_outside_the_recorded_table_build_the_calendar() -> None:
    assert recorded_xnys_special_days(1985, 1990) is None
    hours = nyse_fallback_hours(1985, 1986)
    assert not hours.is_date_open(date(1985, 9, 27))  # hurricane Gloria
    assert hours.is_date_open(date(1985, 9, 26))


def test_always_open_is_lean_static_factory_on_the_class_and_a_flag_on_instances() -> None:
    hours = SecurityExchangeHours.always_open("America/New_York")
    assert isinstance(hours, SecurityExchangeHours) and hours.always_open and hours.IsMarketAlwaysOpen
    assert str(SecurityExchangeHours.AlwaysOpen(ZoneInfo("UTC")).time_zone) == "UTC"
    assert not nyse_fallback_hours().always_open


@pytest.mark.lean_data
@pytest.mark.parametrize(("security_type", "ticker"), [("FOREX", "EURUSD"), ("CFD", "NOSUCHCFD"),
                                                       ("CRYPTO", "BTCUSD")])
def test_fallback_weekly_hours_equal_lean_wildcard_entries(lean_data_folder: Path, tmp_path: Path,
                                                           security_type: str, ticker: str) -> None:
    market = "coinbase" if security_type == "CRYPTO" else "oanda"
    lean = MarketHoursDatabase.load(lean_data_folder).get_entry(market, ticker, SecurityType[security_type])
    fallback = MarketHoursDatabase.load(tmp_path).get_entry(market, ticker, SecurityType[security_type])
    assert str(fallback.data_time_zone) == str(lean.data_time_zone)
    assert str(fallback.exchange_hours.time_zone) == str(lean.exchange_hours.time_zone)
    for weekday in range(7):
        assert fallback.exchange_hours.weekly_segments(weekday) == lean.exchange_hours.weekly_segments(weekday)


def test_memoised_answers_keep_the_two_hour_kinds_apart() -> None:
    """Asked in alternation, the regular and extended answers (memoised per flag) stay those of the segments."""
    hours = nyse_fallback_hours(2013, 2014)
    evening, thanksgiving_friday = datetime(2013, 10, 8, 17), datetime(2013, 11, 29)
    for _ in range(2):
        assert hours.is_open(evening, True) and not hours.is_open(evening, False)
        assert hours.is_open(thanksgiving_friday.replace(hour=12, minute=59))
        assert not hours.is_open(thanksgiving_friday.replace(hour=13))
        assert not hours.is_open(thanksgiving_friday.replace(hour=13, minute=30), True)  # no post-market after 13:00
        assert hours.get_next_market_open(evening, True) == datetime(2013, 10, 9, 4)
        assert hours.get_next_market_open(evening, False) == datetime(2013, 10, 9, 9, 30)
        assert hours.regular_market_open(thanksgiving_friday) == thanksgiving_friday.replace(hour=9, minute=30)
        assert hours.regular_market_close(thanksgiving_friday.date()) == thanksgiving_friday.replace(hour=13)
        assert not hours.is_date_open(date(2013, 11, 28), True) and hours.is_date_open(thanksgiving_friday)


@settings(deadline=None)
@given(st.datetimes(datetime(2012, 1, 1), datetime(2014, 12, 31)), st.booleans())
def test_is_open_and_is_date_open_follow_the_day_segments(moment: datetime, extended: bool) -> None:
    hours = nyse_fallback_hours(2012, 2014)
    segments = hours.get_market_hours(moment.date())
    time_of_day = moment - datetime(moment.year, moment.month, moment.day)
    counted = [segment for segment in segments if segment.state == "market" or (extended and segment.state != "closed")]
    assert hours.is_open(moment, extended) == any(s.start <= time_of_day < s.end for s in counted)
    assert hours.is_date_open(moment.date(), extended) == (
        any(s.state == "market" for s in segments) or (extended and bool(segments)))
    regular = [segment for segment in segments if segment.state == "market"]
    midnight = datetime(moment.year, moment.month, moment.day)
    assert hours.regular_market_open(moment) == (midnight + regular[0].start if regular else None)
    assert hours.regular_market_close(moment) == (midnight + regular[-1].end if regular else None)


def test_hours_cannot_change_under_their_memoised_answers() -> None:
    hours = nyse_fallback_hours(2013, 2014)
    assert hours.is_early_close(date(2013, 11, 29))
    with pytest.raises(TypeError):
        hours.early_closes[date(2013, 10, 8)] = timedelta(hours=13)  # type: ignore[index]
    with pytest.raises(TypeError):
        hours.late_opens[date(2013, 10, 8)] = timedelta(hours=11)  # type: ignore[index]
    assert hours.regular_market_close(date(2013, 10, 8)) == datetime(2013, 10, 8, 16)
