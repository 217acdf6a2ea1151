"""PythonData: dynamic properties, SubscriptionDataSource, and the custom-data driver's LEAN reading rules (§D)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.engine.object_store import ObjectStore
from lean_offline.engine.python_data import (
    CustomDataContext,
    PythonData,
    SubscriptionDataSource,
    UtcConverter,
    open_custom_subscription,
)
from lean_offline.enums import FileFormat, SubscriptionTransportMedium

LOCAL_FILE = SubscriptionTransportMedium["LOCAL_FILE"]
REMOTE_FILE = SubscriptionTransportMedium["REMOTE_FILE"]
OBJECT_STORE = SubscriptionTransportMedium["OBJECT_STORE"]


@dataclass
class Config:
    """The fields get_source/reader use from LEAN's SubscriptionDataConfig."""

    symbol: str = "QQ"
    data_time_zone: str = "America/New_York"
    exchange_time_zone: str = "America/New_York"
    is_custom_data: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


class Recorder:
    """Collects get_source dates, reader calls and warnings for one subscription."""

    def __init__(self) -> None:
        self.source_dates: list[datetime] = []
        self.reader_calls: list[tuple[str, datetime]] = []
        self.warnings: list[str] = []


def daily_csv_type(recorder: Recorder, source_for: Callable[[datetime], SubscriptionDataSource | None]) -> type:
    """A PythonData subclass reading `yyyy-mm-dd,close[,volume]` rows, daily (end = time + 1 day), PascalCase hooks."""

    class DailyCsv(PythonData):
        def GetSource(self, config: Any, date: datetime, is_live: bool) -> SubscriptionDataSource | None:
            recorder.source_dates.append(date)
            return source_for(date)

        def Reader(self, config: Any, line: str, date: datetime, is_live: bool) -> PythonData | None:
            recorder.reader_calls.append((line, date))
            if not line or not line[0].isdigit():
                return None
            parts = line.split(",")
            point = DailyCsv()
            point.Symbol = config.symbol
            point.Time = datetime.strptime(parts[0], "%Y-%m-%d")
            point.EndTime = point.Time + timedelta(days=1)
            point.Value = float(parts[1])
            point["Close"] = float(parts[1])
            if len(parts) > 2:
                point["DailyVolume"] = int(parts[2])
            return point

    return DailyCsv


def read_all(data_type: type, recorder: Recorder, start: datetime, end: datetime,
             context: Any = None, config: Config | None = None) -> list[Any]:
    return list(open_custom_subscription(context or CustomDataContext(), data_type, "QQ", config or Config(), start,
                                         end, recorder.warnings.append))


CSV = "Date,Close,Volume\n2020-01-02,10.5,100\n2020-01-03,11,200\n2020-01-0x,12\n2020-01-06,12,300\n2020-01-07,13,400\n"


def test_csv_with_header_and_malformed_line(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", CSV)
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(str(path)))
    points = read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 31))
    assert [(p.time, p.end_time, p.value) for p in points] == [
        (datetime(2020, 1, 2), datetime(2020, 1, 3), 10.5), (datetime(2020, 1, 3), datetime(2020, 1, 4), 11.0),
        (datetime(2020, 1, 6), datetime(2020, 1, 7), 12.0), (datetime(2020, 1, 7), datetime(2020, 1, 8), 13.0)]
    assert len(recorder.warnings) == 1
    assert f"{path}:4:" in recorder.warnings[0] and "ValueError" in recorder.warnings[0]
    # end_time_utc: midnight New York = 05:00 UTC in January
    assert points[0].end_time_utc == datetime(2020, 1, 3, 5)


def test_single_file_source_is_read_once_though_get_source_runs_every_day(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", CSV)
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(str(path)))
    read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 10))
    # every line (the header included) went to the reader exactly once
    assert [line for line, _ in recorder.reader_calls] == CSV.splitlines()
    # the reader's date is the day the file was opened
    assert {date for _, date in recorder.reader_calls} == {datetime(2020, 1, 1)}
    # get_source: each calendar day from the start to the end, in order (custom data is always open)
    assert recorder.source_dates == [datetime(2020, 1, 1) + timedelta(days=i) for i in range(10)]


def test_one_file_per_day_with_missing_days_and_none(tmp_path: Path) -> None:
    for day in (2, 3, 6):
        write(tmp_path / f"2020010{day}.csv", f"2020-01-0{day},{day}\n")
    recorder = Recorder()

    def source_for(date: datetime) -> SubscriptionDataSource | None:
        if date.weekday() >= 5:
            return None  # weekends skipped by returning None
        return SubscriptionDataSource(str(tmp_path / f"{date:%Y%m%d}.csv"), LOCAL_FILE)

    data_type = daily_csv_type(recorder, source_for)
    points = read_all(data_type, recorder, datetime(2020, 1, 2), datetime(2020, 1, 7))
    assert [p.value for p in points] == [2.0, 3.0, 6.0]
    assert [date for _, date in recorder.reader_calls] == [datetime(2020, 1, 2), datetime(2020, 1, 3),
                                                           datetime(2020, 1, 6)]
    assert recorder.warnings == [f"missing data file: {tmp_path / '20200107.csv'}"]


def test_monthly_files_switch_at_the_month_boundary(tmp_path: Path) -> None:
    write(tmp_path / "202001.csv", "2020-01-30,1\n2020-01-31,2\n2020-02-01,99\n")  # last row belongs to February
    write(tmp_path / "202002.csv", "2020-02-01,3\n2020-02-03,4\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(str(tmp_path / f"{date:%Y%m}.csv")))
    points = read_all(data_type, recorder, datetime(2020, 1, 29), datetime(2020, 2, 5))
    # moving to February 1st opens February's file: January's stray February row is not emitted
    assert [p.value for p in points] == [1.0, 2.0, 3.0, 4.0]
    assert [date for _, date in recorder.reader_calls] == [datetime(2020, 1, 29)] * 3 + [datetime(2020, 2, 1)] * 2


def test_end_time_defaults_to_time_and_backwards_points_are_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "ticks.csv", "\n".join([
        "2020-01-02 10:00,1", "2020-01-02 10:00,2", "2020-01-02 09:00,3", "2020-01-02 11:00,4", ""]))

    class Ticks(PythonData):
        def get_source(self, config: Any, date: datetime, is_live: bool) -> SubscriptionDataSource:
            return SubscriptionDataSource(str(path))

        def reader(self, config: Any, line: str, date: datetime, is_live: bool) -> PythonData | None:
            if not line.strip():
                return None
            stamp, value = line.split(",")
            point = Ticks()
            point.time = datetime.strptime(stamp, "%Y-%m-%d %H:%M")
            point.value = float(value)
            return point

    recorder = Recorder()
    points = read_all(Ticks, recorder, datetime(2020, 1, 1), datetime(2020, 1, 3))
    # repeated end times are allowed for custom data, a point going back in time is not
    assert [(p.end_time, p.value) for p in points] == [
        (datetime(2020, 1, 2, 10), 1.0), (datetime(2020, 1, 2, 10), 2.0), (datetime(2020, 1, 2, 11), 4.0)]
    assert all(p.end_time == p.time for p in points)
    assert points[0].symbol == "QQ"  # the driver fills in the config's symbol when the reader did not
    assert recorder.warnings == []


def test_points_before_start_dropped_and_reading_stops_after_end(tmp_path: Path) -> None:
    rows = "".join(f"2020-01-{day:02d},{day}\n" for day in range(1, 29))
    path = write(tmp_path / "q.csv", rows)
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(str(path)))
    points = read_all(data_type, recorder, datetime(2020, 1, 5), datetime(2020, 1, 10))
    # end_time >= start: the row of the 4th ends at midnight of the 5th; stop at the first time > end
    assert [p.value for p in points] == [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert len(recorder.reader_calls) == 11  # rows 1..11: the 11th (time > end) stops the reading


def test_reader_exceptions_keep_the_good_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "2020-01-02,1\n2020-01-03,oops\n2020-01-04,3\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(str(path)))
    points = read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 31))
    assert [p.value for p in points] == [1.0, 3.0]
    assert len(recorder.warnings) == 1 and f"{path}:2:" in recorder.warnings[0]


def _constant_source(source: str) -> Callable[[datetime], SubscriptionDataSource]:
    def source_for(date: datetime) -> SubscriptionDataSource:
        return SubscriptionDataSource(source)

    return source_for


def test_zip_first_entry_and_named_entry(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a.csv", "2020-01-02,1\n")
        bundle.writestr("b.csv", "2020-01-03,2\n")
    for source, expected in ((str(archive), [1.0]), (f"{archive}#b.csv", [2.0])):
        recorder = Recorder()
        data_type = daily_csv_type(recorder, _constant_source(source))
        assert [p.value for p in read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 9))] == \
            expected
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(f"{archive}#missing.csv"))
    assert read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 3)) == []
    assert len(recorder.warnings) == 1 and "missing.csv" in recorder.warnings[0]


def test_object_store_source(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "storage")
    store.save("custom/q.csv", "2020-01-02,7\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource("custom/q.csv", OBJECT_STORE))
    points = read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 5),
                      context=CustomDataContext(object_store=store))
    assert [p.value for p in points] == [7.0]


def test_remote_files_use_an_offline_cache_or_warn(tmp_path: Path) -> None:
    url = "https://example.com/data/q.csv"
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(url))
    assert read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 5),
                    context=CustomDataContext(data_folder=tmp_path)) == []
    assert len(recorder.warnings) == 1 and recorder.warnings[0].startswith(f"remote file not available offline: {url}")
    write(tmp_path / "cache" / "example.com" / "data" / "q.csv", "2020-01-02,5\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(url))
    points = read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 5),
                      context=CustomDataContext(data_folder=tmp_path))
    assert [p.value for p in points] == [5.0] and recorder.warnings == []


def test_relative_path_falls_back_to_the_data_folder(tmp_path: Path) -> None:
    write(tmp_path / "custom" / "q.csv", "2020-01-02,9\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource("custom/q.csv"))
    points = read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 5),
                      context=CustomDataContext(data_folder=tmp_path))
    assert [p.value for p in points] == [9.0]


def test_unsupported_medium_warns(tmp_path: Path) -> None:
    recorder = Recorder()
    data_type = daily_csv_type(
        recorder, lambda date: SubscriptionDataSource("https://api.example.com/x", SubscriptionTransportMedium["REST"]))
    assert read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 3)) == []
    assert len(recorder.warnings) == 1 and "not supported offline" in recorder.warnings[0]


def test_unfolding_collection_is_flattened(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "2020-01-02,1;2\n")

    class Many(PythonData):
        def get_source(self, config: Any, date: datetime, is_live: bool) -> SubscriptionDataSource:
            return SubscriptionDataSource(str(path), LOCAL_FILE, FileFormat["UNFOLDING_COLLECTION"])

        def reader(self, config: Any, line: str, date: datetime, is_live: bool) -> list[PythonData]:
            stamp, values = line.split(",")
            points: list[PythonData] = []
            for value in values.split(";"):
                point = Many()
                point.time = datetime.strptime(stamp, "%Y-%m-%d")
                point.value = float(value)
                points.append(point)
            return points

    recorder = Recorder()
    assert [p.value for p in read_all(Many, recorder, datetime(2020, 1, 1), datetime(2020, 1, 3))] == [1.0, 2.0]


def test_data_time_zone_is_converted_to_the_exchange_zone(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "2020-01-02,1\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: SubscriptionDataSource(str(path)))
    config = Config(data_time_zone="UTC", exchange_time_zone="America/New_York")
    points = read_all(data_type, recorder, datetime(2019, 12, 31), datetime(2020, 1, 5), config=config)
    # 2020-01-02 00:00 UTC = 2020-01-01 19:00 New York
    assert points[0].time == datetime(2020, 1, 1, 19) and points[0].end_time == datetime(2020, 1, 2, 19)
    assert points[0].end_time_utc == datetime(2020, 1, 3)


def test_missing_hooks_and_failing_constructor_warn() -> None:
    class NoReader(PythonData):
        def get_source(self, config: Any, date: datetime, is_live: bool) -> SubscriptionDataSource:
            return SubscriptionDataSource("x.csv")

    class Broken(PythonData):
        def __init__(self) -> None:
            raise RuntimeError("no")

    recorder = Recorder()
    assert read_all(NoReader, recorder, datetime(2020, 1, 1), datetime(2020, 1, 2)) == []
    assert read_all(Broken, recorder, datetime(2020, 1, 1), datetime(2020, 1, 2)) == []
    assert "defines no reader" in recorder.warnings[0] and "RuntimeError" in recorder.warnings[1]


# ---- dynamic properties --------------------------------------------------------------------------------------------

def test_dynamic_properties_in_every_spelling() -> None:
    point = PythonData()
    point["Close"] = 1.5
    point["SomeValue"] = 7
    assert point["close"] == point["CLOSE"] == point.close == point.Close == point.get_property("close") == 1.5
    assert point.some_value == point.SomeValue == point["somevalue"] == point["some_value"] == 7
    assert point.has_property("Close") and "close" in point and "missing" not in point
    with pytest.raises(KeyError, match="Property with name 'missing' does not exist"):
        point["Missing"]
    with pytest.raises(AttributeError, match="Property with name 'missing' does not exist"):
        point.Missing  # noqa: B018


def test_special_keys_reach_the_real_properties() -> None:
    point = PythonData()
    point["Time"] = datetime(2020, 1, 2)
    point["Value"] = 3
    assert point.time == datetime(2020, 1, 2) and point.value == 3.0 and point["price"] == 3.0
    assert point.end_time == point.time  # end time defaults to time
    point["EndTime"] = datetime(2020, 1, 3)
    assert point.EndTime == datetime(2020, 1, 3) and point["endtime"] == datetime(2020, 1, 3)
    assert point.period == timedelta(days=1)
    point.Value = 4.0
    assert point.value == point.Price == point.price == 4.0


def test_setting_end_time_first_also_sets_time() -> None:
    point = PythonData()
    point.end_time = datetime(2020, 1, 3)
    assert point.time == datetime(2020, 1, 3)
    point.time = datetime(2020, 1, 2)
    assert (point.time, point.end_time) == (datetime(2020, 1, 2), datetime(2020, 1, 3))


def test_clone_copies_properties_independently() -> None:
    point = PythonData()
    point.time = datetime(2020, 1, 2)
    point["Close"] = 1.0
    copy = point.clone(fill_forward=True)
    copy["Close"] = 2.0
    assert point.close == 1.0 and copy.close == 2.0 and copy.is_fill_forward and not point.is_fill_forward
    assert copy.time == point.time


def test_subclass_with_own_init_still_has_storage() -> None:
    class WithInit(PythonData):
        def __init__(self) -> None:
            self.note = "mine"

    point = WithInit()
    point["Close"] = 1.0
    assert point.close == 1.0 and point.note == "mine" and point.value == 0.0


# ---- SubscriptionDataSource ----------------------------------------------------------------------------------------

def test_subscription_data_source_defaults_and_equality() -> None:
    assert SubscriptionDataSource("https://x.com/a.csv").transport_medium == REMOTE_FILE
    assert SubscriptionDataSource("http://x.com/a.csv").TransportMedium == REMOTE_FILE
    local = SubscriptionDataSource("/data/a.csv")
    assert local.transport_medium == LOCAL_FILE and local.format == FileFormat["CSV"]
    assert local == SubscriptionDataSource("/data/a.csv", LOCAL_FILE, FileFormat["UNFOLDING_COLLECTION"])
    assert local != SubscriptionDataSource("/data/a.csv", OBJECT_STORE)
    assert local != SubscriptionDataSource("/data/b.csv")
    assert hash(local) == hash(SubscriptionDataSource("/data/a.csv"))
    keyword = SubscriptionDataSource("/data/a.csv", transport_medium=LOCAL_FILE, format=FileFormat["CSV"])
    assert keyword == local
    assert SubscriptionDataSource("k", headers={"a": "b"}) != SubscriptionDataSource("k")


@settings(max_examples=300, deadline=None)
@given(local=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)),
       zone=st.sampled_from(["America/New_York", "Europe/London", "Asia/Tokyo", "UTC"]))
def test_utc_converter_matches_zoneinfo(local: datetime, zone: str) -> None:
    """The per-date offset cache agrees with a direct zoneinfo conversion, DST-change days included."""
    tz = ZoneInfo(zone)
    converter = UtcConverter(tz)
    expected = local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    assert converter(local) == expected
    assert converter(local) == expected  # second call served from the cache


LEAN_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "lean-data"


@pytest.mark.lean_data
def test_bitcoin_daily_zip_from_leans_data_folder() -> None:
    """LEAN's CustomDataPropertiesRegression reader over the real btcusd_trade.zip, against pandas reading it."""
    import pandas as pd  # type: ignore[import-untyped]

    archive = LEAN_DATA / "crypto" / "coinbase" / "daily" / "btcusd_trade.zip"
    if not archive.is_file():
        pytest.skip(f"LEAN sample data not found at {LEAN_DATA}")
    recorder = Recorder()

    class Bitcoin(PythonData):
        def get_source(self, config: Any, date: datetime, is_live: bool) -> SubscriptionDataSource:
            recorder.source_dates.append(date)
            return SubscriptionDataSource(str(archive), LOCAL_FILE, FileFormat["CSV"])

        def reader(self, config: Any, line: str, date: datetime, is_live: bool) -> PythonData:
            coin = Bitcoin()
            coin.symbol = config.symbol
            parts = line.split(",")
            coin.time = datetime.strptime(parts[0], "%Y%m%d %H:%M")
            coin.end_time = coin.time + timedelta(days=1)
            coin.value = float(parts[4])
            coin["Close"] = float(parts[4])
            coin["VolumeBTC"] = float(parts[5])
            return coin

    points = read_all(Bitcoin, recorder, datetime(2018, 4, 5), datetime(2018, 4, 10, 23, 59, 59))
    frame = pd.read_csv(archive, header=None, names=["time", "open", "high", "low", "close", "volume"])
    frame["time"] = pd.to_datetime(frame["time"], format="%Y%m%d %H:%M")
    # end_time = time + 1 day >= start, and time <= end
    window = frame[(frame["time"] + pd.Timedelta(days=1) >= "2018-04-05") & (frame["time"] <= "2018-04-10 23:59:59")]
    assert [p.time for p in points] == [stamp.to_pydatetime() for stamp in window["time"]]
    assert [p.close for p in points] == list(window["close"])
    assert [p.volume_btc for p in points] == list(window["volume"])
    assert recorder.source_dates[0] == datetime(2018, 4, 5) and recorder.warnings == []


def test_get_source_must_return_a_subscription_data_source(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "2020-01-02,1\n")
    recorder = Recorder()
    data_type = daily_csv_type(recorder, lambda date: str(path))  # type: ignore[arg-type,return-value]
    assert read_all(data_type, recorder, datetime(2020, 1, 1), datetime(2020, 1, 3)) == []
    assert recorder.warnings == ["QQ: get_source returned str, expected SubscriptionDataSource; date skipped"]
