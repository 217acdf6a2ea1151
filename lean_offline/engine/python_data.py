"""Custom data: PythonData (dynamic properties), SubscriptionDataSource and the custom-data reading driver.

LEAN behaviour mirrored (not code): Common/Python/PythonData.cs, Common/Data/DynamicData.cs,
Common/Data/SubscriptionDataSource.cs, Engine/DataFeeds/SubscriptionDataReader.cs and
TextSubscriptionDataSourceReader.cs (lean-semantics §D).

Deviation, on purpose: LEAN stores Python floats set through `data["x"] = 1.5` (and `value`) as C# decimals; here they
stay Python floats, so arithmetic on them is binary floating point (differences appear only past ~15 digits).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from ..data.market import BaseData
from ..enums import FileFormat, Resolution, SubscriptionTransportMedium
from ..naming import to_snake_case
from .scheduling import as_time_zone, local_to_utc

NO_TIME = datetime(1, 1, 1)
"""C#'s default(DateTime): a point whose EndTime is still this is dropped by the reader."""

_ONE_DAY = timedelta(days=1)
_SPECIAL_SETTERS = {"time": "time", "endtime": "end_time", "end_time": "end_time", "value": "value",
                    "symbol": "symbol"}
_SPECIAL_GETTERS = {"time": "time", "endtime": "end_time", "value": "value", "symbol": "symbol", "price": "value"}
_PROPERTY_ATTRIBUTES = {"Time": "time", "EndTime": "end_time", "Value": "value", "Symbol": "symbol",
                        "Price": "value", "IsFillForward": "is_fill_forward"}


def _key_forms(name: str) -> tuple[str, str | None, str | None]:
    """(lower-case key, snake_case alias when it differs, real property the key maps to) of a property name."""
    lower = name.lower()
    snake = to_snake_case(name)
    return lower, (snake if snake != lower else None), _SPECIAL_SETTERS.get(lower)


_KEY_FORMS: dict[str, tuple[str, str | None, str | None]] = {}


# ---- data objects -------------------------------------------------------------------------------------------------

class DynamicData(BaseData):
    """BaseData with case-insensitive dynamic properties (`data["Close"] = 1.0`, read as `data.close`/`data.Close`).

    `end_time` defaults to `time`; setting `end_time` while `time` is unset also sets `time` (LEAN's PythonData).
    """

    __slots__ = ("_end_time", "_storage", "_snake_storage", "__dict__")

    def __new__(cls, *args: Any, **kwargs: Any) -> DynamicData:
        # initialised here so user subclasses that define __init__ without calling super() still work
        instance = super().__new__(cls)
        instance._reset()
        return instance

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def _reset(self) -> None:
        object.__setattr__(self, "symbol", None)
        object.__setattr__(self, "time", NO_TIME)
        object.__setattr__(self, "_end_time", NO_TIME)
        object.__setattr__(self, "value", 0.0)
        object.__setattr__(self, "is_fill_forward", False)
        object.__setattr__(self, "end_time_utc", None)
        object.__setattr__(self, "_storage", {})
        object.__setattr__(self, "_snake_storage", {})

    @property  # type: ignore[override]
    def end_time(self) -> datetime:
        end = self._end_time
        return self.time if end == NO_TIME else end

    @end_time.setter
    def end_time(self, value: datetime) -> None:
        object.__setattr__(self, "_end_time", value)
        if self.time == NO_TIME:
            object.__setattr__(self, "time", value)

    @property
    def price(self) -> float:
        return self.value

    @price.setter
    def price(self, value: float) -> None:
        self.value = value

    def __setattr__(self, name: str, value: Any) -> None:
        # PascalCase writes of the real properties (`data.Value = 1`) land on them; other names are plain attributes
        object.__setattr__(self, _PROPERTY_ATTRIBUTES.get(name, name), value)

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails: PascalCase members first, then the dynamic properties
        if name.startswith("_"):
            raise AttributeError(name)
        snake = to_snake_case(name)
        if snake != name:
            try:
                return object.__getattribute__(self, snake)
            except AttributeError:
                pass
        lower = name.lower()
        storage = object.__getattribute__(self, "_storage")
        if lower in storage:
            return storage[lower]
        snake_storage = object.__getattribute__(self, "_snake_storage")
        if lower in snake_storage:
            return snake_storage[lower]
        raise AttributeError(self._missing_message(lower))

    def set_property(self, name: str, value: Any) -> Any:
        """Store `value` under `name` lower-cased (plus its snake_case alias); time/end_time/value/symbol keys set
        the real properties too."""
        keys = _KEY_FORMS.get(name)
        if keys is None:
            keys = _KEY_FORMS[name] = _key_forms(name)
        lower, snake, special = keys
        if special is not None:
            if special == "symbol" and isinstance(value, str):
                from ..data.symbol import symbol_cache

                self.symbol = symbol_cache.get_symbol(value)
            elif special == "value":
                self.value = float(value)
            else:
                setattr(self, special, value)
        self._storage[lower] = value
        if snake is not None:
            self._snake_storage[snake] = value
        return value

    def get_property(self, name: str) -> Any:
        """Case-insensitive read; time/endtime/value/symbol/price read the real properties."""
        lower = name.lower()
        special = _SPECIAL_GETTERS.get(lower)
        if special is not None:
            return getattr(self, special)
        if lower in self._storage:
            return self._storage[lower]
        if lower in self._snake_storage:
            return self._snake_storage[lower]
        raise KeyError(self._missing_message(lower))

    def has_property(self, name: str) -> bool:
        return name.lower() in self._storage

    def get_storage_dictionary(self) -> dict[str, Any]:
        return self._storage

    def _missing_message(self, lower: str) -> str:
        return (f"Property with name '{lower}' does not exist. Properties: Time, Symbol, Value "
                f"{', '.join(self._storage)}")

    def __getitem__(self, name: str) -> Any:
        return self.get_property(name)

    def __setitem__(self, name: str, value: Any) -> None:
        self.set_property(name, value)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.has_property(name)

    def clone(self, fill_forward: bool = False) -> DynamicData:
        """A copy with its own property dictionaries (values shared), flagged as fill-forward when asked."""
        copy = object.__new__(type(self))
        for slot in ("symbol", "time", "_end_time", "value", "end_time_utc"):
            object.__setattr__(copy, slot, object.__getattribute__(self, slot))
        object.__setattr__(copy, "is_fill_forward", fill_forward)
        object.__setattr__(copy, "_storage", dict(self._storage))
        object.__setattr__(copy, "_snake_storage", dict(self._snake_storage))
        copy.__dict__.update(self.__dict__)
        return copy

    def __repr__(self) -> str:
        return f"{self.symbol}: {self.value}"


class PythonData(DynamicData):
    """Base class of user custom data types: subclasses define `get_source`/`GetSource` and `reader`/`Reader`.

    Optional hooks, as in LEAN: `default_resolution`, `supported_resolutions`, `is_sparse_data`, `requires_mapping`,
    `data_time_zone`.
    """

    __slots__ = ()

    def get_source(self, config: Any, date: datetime, is_live_mode: bool) -> SubscriptionDataSource:
        raise NotImplementedError(f"{type(self).__name__} must define get_source(config, date, is_live_mode)")

    def reader(self, config: Any, line: str, date: datetime, is_live_mode: bool) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define reader(config, line, date, is_live_mode)")

    def default_resolution(self) -> Any:
        return Resolution["MINUTE"]

    def supported_resolutions(self) -> list[Any]:
        return [Resolution["TICK"], Resolution["SECOND"], Resolution["MINUTE"], Resolution["HOUR"], Resolution["DAILY"]]

    def is_sparse_data(self) -> bool:
        return True

    def requires_mapping(self) -> bool:
        return False

    def data_time_zone(self) -> ZoneInfo:
        return ZoneInfo("America/New_York")


def user_hook(instance: object, snake_name: str) -> Callable[..., Any] | None:
    """The user's implementation of a PythonData hook: snake_case first, then PascalCase (LEAN's lookup order);
    None when only the base class's placeholder exists."""
    pascal = "".join(part[:1].upper() + part[1:] for part in snake_name.split("_"))
    for name in (snake_name, pascal):
        for cls in type(instance).__mro__:
            if cls in (PythonData, DynamicData, BaseData, object):
                break
            if name in vars(cls):
                bound: Callable[..., Any] = getattr(instance, name)
                return bound
    return None


_REMOTE_FILE = SubscriptionTransportMedium["REMOTE_FILE"]
_LOCAL_FILE = SubscriptionTransportMedium["LOCAL_FILE"]
_MEDIUM_TYPE = type(_LOCAL_FILE)
_FORMAT_TYPE = type(FileFormat["CSV"])


class SubscriptionDataSource:
    """Where and how to read custom data: `SubscriptionDataSource(source[, transport_medium[, format[, headers]]])`.

    Without a medium, http(s) sources are remote files and anything else a local file. Two sources are equal when
    source, medium and headers match: the driver then keeps reading the open one.
    """

    __slots__ = ("source", "transport_medium", "format", "headers", "sort")

    def __init__(self, source: str, transport_medium: Any = None, format: Any = FileFormat["CSV"],  # noqa: A002
                 headers: Iterable[tuple[str, str]] | dict[str, str] | None = None, sort: bool = False,
                 **kwargs: Any) -> None:
        if kwargs:
            options = {to_snake_case(key): value for key, value in kwargs.items()}
            transport_medium = options.pop("transport_medium", transport_medium)
            format = options.pop("format", format)  # noqa: A001
            headers = options.pop("headers", headers)
            if options:
                raise TypeError(f"SubscriptionDataSource: unknown arguments {sorted(options)}")
        self.source = source if isinstance(source, str) else str(source)
        if transport_medium is None:
            transport_medium = (_REMOTE_FILE if self.source[:8].lower().startswith(("http://", "https://"))
                                else _LOCAL_FILE)
        elif type(transport_medium) is not _MEDIUM_TYPE:
            transport_medium = SubscriptionTransportMedium(int(transport_medium))
        self.transport_medium = transport_medium
        self.format = format if type(format) is _FORMAT_TYPE else FileFormat(int(format))
        if headers:
            pairs = headers.items() if isinstance(headers, dict) else headers
            self.headers: tuple[tuple[str, str], ...] = tuple((str(k), str(v)) for k, v in pairs)
        else:
            self.headers = ()
        self.sort = bool(sort)

    def __getattr__(self, name: str) -> Any:
        snake = to_snake_case(name)
        if snake != name and snake in self.__slots__:
            return getattr(self, snake)
        raise AttributeError(f"SubscriptionDataSource has no member {name!r}")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, SubscriptionDataSource) and self.source == other.source
                and self.transport_medium == other.transport_medium and self.headers == other.headers)

    def __hash__(self) -> int:
        return hash((self.source, int(self.transport_medium), self.headers))

    def __repr__(self) -> str:
        return f"{self.transport_medium}: {self.format} {self.source}"


# ---- the reading driver -------------------------------------------------------------------------------------------

@dataclass
class CustomDataContext:
    """Where the driver looks for files: the data folder (relative local paths, remote-file cache) and the object
    store; `cache_folder` holds offline copies of remote files (default `<data_folder>/cache`)."""

    data_folder: Path | None = None
    object_store: Any = None
    cache_folder: Path | None = None
    live_mode: bool = False


class _CustomSubscription:
    """One custom-data subscription read with SubscriptionDataReader's rules (see module docstring)."""

    def __init__(self, context: Any, get_source: Callable[..., Any], reader: Callable[..., Any], config: Any, dates: list[date], start: datetime, end: datetime,
                 data_zone: ZoneInfo, exchange_zone: ZoneInfo, on_warning: Callable[[str], None]) -> None:
        self._context = context
        self._get_source = get_source
        self._reader = reader
        self._config = config
        self._dates = dates
        self._start = start
        self._end = end
        self._data_zone = data_zone
        self._exchange_zone = exchange_zone
        self._same_zone = data_zone.key == exchange_zone.key
        self._warn = on_warning
        self._warned: set[str] = set()
        self._live = bool(getattr(context, "live_mode", False))
        self._date_index = -1
        self._source: SubscriptionDataSource | None = None
        self._points: Iterator[Any] | None = None
        self._previous: Any = None
        self._emitted = False
        self._keeper = datetime.min
        self._to_utc = UtcConverter(exchange_zone)

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self._warn(message)

    # ---- sources --------------------------------------------------------------------------------------------
    def _call_get_source(self, day: date) -> SubscriptionDataSource | None:
        try:
            source = self._get_source(self._config, datetime(day.year, day.month, day.day), self._live)
        except Exception as error:
            self._warn(f"{self._config.symbol}: get_source failed for {day:%Y-%m-%d}: {type(error).__name__}: "
                       f"{error}")
            return None
        if source is None or isinstance(source, SubscriptionDataSource):
            return source
        self._warn_once(f"{self._config.symbol}: get_source returned {type(source).__name__}, expected "
                        f"SubscriptionDataSource; date skipped")
        return None

    def _update_enumerator(self, end_of_enumerator: bool) -> None:
        """LEAN's UpdateDataEnumerator: ask get_source for the (next) date; open a new reader only when the
        source differs from the current one."""
        while True:
            if end_of_enumerator:
                day = self._next_date()
                if day is None:
                    self._points = None
                    return
            else:
                day = self._dates[self._date_index]
            source = self._call_get_source(day)
            if source is None:
                if not end_of_enumerator:
                    return
                continue
            if source != self._source and source.source:
                self._close_points()
                self._source = source
                self._points = self._read_source(source, day)
                return
            if not end_of_enumerator:
                return

    def _close_points(self) -> None:
        points = self._points
        if points is not None and hasattr(points, "close"):
            points.close()

    def _next_date(self) -> date | None:
        while self._date_index + 1 < len(self._dates):
            self._date_index += 1
            day = self._dates[self._date_index]
            midnight = datetime(day.year, day.month, day.day)
            self._keeper = max(self._keeper, midnight)
            if self._previous is not None and self._previous.end_time > midnight:
                continue
            return day
        return None

    def _advance_keeper(self, target: datetime) -> None:
        """Move the time keeper to `target`, announcing each new date (get_source) on the way; stops early at a
        date whose source changed."""
        current = self._source
        while self._date_index + 1 < len(self._dates):
            day = self._dates[self._date_index + 1]
            midnight = datetime(day.year, day.month, day.day)
            if midnight > target:
                break
            self._date_index += 1
            self._keeper = max(self._keeper, midnight)
            self._update_enumerator(False)
            if self._source is not current:
                return
        self._keeper = max(self._keeper, target)

    # ---- reading --------------------------------------------------------------------------------------------
    def _lines(self, source: SubscriptionDataSource) -> tuple[str, Iterator[str]] | None:
        located = self._opener(source)
        if located is None:
            return None
        display, opener = located
        try:
            return display, opener()
        except FileNotFoundError:
            self._warn_once(f"missing data file: {display}")
        except (OSError, zipfile.BadZipFile, KeyError) as error:
            self._warn_once(f"cannot read data file {display}: {type(error).__name__}: {error}")
        return None

    def _opener(self, source: SubscriptionDataSource) -> tuple[str, Callable[[], Iterator[str]]] | None:
        medium = source.transport_medium
        if medium == SubscriptionTransportMedium["LOCAL_FILE"]:
            return self._local(source.source)
        if medium == SubscriptionTransportMedium["REMOTE_FILE"]:
            cached = self._cached_remote(source.source)
            if cached is None:
                self._warn_once(f"remote file not available offline: {source.source} (put a copy in "
                                f"{self._cache_folder() or '<data folder>/cache'})")
                return None
            return self._local(str(cached))
        if medium == SubscriptionTransportMedium["OBJECT_STORE"]:
            store = getattr(self._context, "object_store", None)
            if store is None:
                self._warn_once(f"object store not available for source {source.source}")
                return None
            if not store.contains_key(source.source):
                self._warn_once(f"missing object store key: {source.source} (store {store.root})")
                return None
            return self._local(store.get_file_path(source.source), display=f"objectstore:{source.source}")
        self._warn_once(f"{medium} sources are not supported offline (no network): {source.source}")
        return None

    def _cache_folder(self) -> Path | None:
        folder = getattr(self._context, "cache_folder", None)
        if folder is not None:
            return Path(folder)
        data_folder = self._data_folder()
        return data_folder / "cache" if data_folder is not None else None

    def _data_folder(self) -> Path | None:
        """The context's data folder, else the run's `Globals.data_folder` (what algorithms build paths from)."""
        folder = getattr(self._context, "data_folder", None)
        if not folder:
            from .globals import Globals

            folder = Globals.data_folder or None
        return Path(folder) if folder else None

    def _cached_remote(self, url: str) -> Path | None:
        """An offline copy of a remote file: `<cache>/<host>/<path>` or `<cache>/<file name>`."""
        cache = self._cache_folder()
        if cache is None:
            return None
        parsed = urlparse(url)
        relative = parsed.path.lstrip("/")
        for candidate in (cache / parsed.netloc / relative, cache / Path(relative).name):
            if relative and candidate.is_file():
                return candidate
        return None

    def _local(self, source: str, display: str | None = None) -> tuple[str, Callable[[], Iterator[str]]]:
        path_text, _, entry = source.partition("#") if ".zip#" in source.lower() else (source, "", "")
        path = Path(path_text)
        if not path.is_absolute() and not path.exists():
            data_folder = self._data_folder()
            if data_folder is not None and (data_folder / path).exists():
                path = data_folder / path
        shown = display or (f"{path}#{entry}" if entry else str(path))
        if path.suffix.lower() == ".zip":
            return shown, lambda: _zip_lines(path, entry or None)
        return shown, lambda: _text_lines(path)

    def _read_source(self, source: SubscriptionDataSource, day: date) -> Iterator[Any]:
        """Instances from one source: reader per line (headers included); None or an unset EndTime drops the line,
        a reader exception is reported with file and line number and the reading goes on."""
        opened = self._lines(source)
        if opened is None:
            return
        display, lines = opened
        reader_date = datetime(day.year, day.month, day.day)
        fmt = source.format
        if fmt == FileFormat["ZIP_ENTRY_NAME"]:
            lines = _zip_entry_names(Path(display.partition("#")[0]))
        elif fmt not in (FileFormat["CSV"], FileFormat["UNFOLDING_COLLECTION"]):
            self._warn_once(f"{display}: format {fmt} is not supported offline")
            return
        reader, config, live, symbol = self._reader, self._config, self._live, self._config.symbol
        line_number = 0
        try:
            for line_number, line in enumerate(lines, start=1):  # noqa: B007
                try:
                    result = reader(config, line, reader_date, live)
                except Exception as error:
                    self._warn(f"{display}:{line_number}: reader error for {symbol}: {type(error).__name__}: "
                               f"{error} (line: {line[:120]!r})")
                    continue
                if result is None:
                    continue
                if isinstance(result, list | tuple) or (not isinstance(result, BaseData) and hasattr(result, "data")):
                    items = result if isinstance(result, list | tuple) else result.data
                else:
                    items = (result,)
                for item in items:
                    if item is None or item.end_time == NO_TIME:
                        continue
                    if item.symbol is None:
                        item.symbol = symbol
                    yield item
        except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as error:
            self._warn(f"{display}:{line_number + 1}: read failed: {type(error).__name__}: {error}")

    # ---- main loop ------------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._points_in_range()
        finally:
            self._close_points()

    def _points_in_range(self) -> Iterator[Any]:
        self._update_enumerator(True)
        while self._points is not None:
            instance = next(self._points, None)
            if instance is None:
                self._update_enumerator(True)
                continue
            current = self._source
            self._advance_keeper(instance.time)
            if current is not self._source:
                # a new file opened while moving to this point's date: the point belongs to the new source's range
                if instance.end_time.date() >= self._dates[self._date_index]:
                    continue
            end_time = instance.end_time
            if self._emitted and end_time < self._keeper:
                continue
            if self._previous is not None and end_time < self._previous.end_time:
                continue
            if end_time < self._start:
                self._previous = instance
                continue
            if instance.time > self._end:
                return
            self._previous = instance
            self._emitted = True
            yield self._to_exchange(instance)

    def _to_exchange(self, instance: Any) -> Any:
        """Data-zone times → exchange-zone times, plus the UTC end time the engine merges on."""
        if not self._same_zone:
            time = _convert(instance.time, self._data_zone, self._exchange_zone)
            end = _convert(instance.end_time, self._data_zone, self._exchange_zone)
            instance.time = time
            instance.end_time = end
        instance.end_time_utc = self._to_utc(instance.end_time)
        return instance


class UtcConverter:
    """Naive local → naive UTC for one zone, with the UTC offset memoised per local date (days on which the
    offset changes are converted point by point)."""

    __slots__ = ("_zone", "_offsets")

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._offsets: dict[date, timedelta | None] = {}

    def __call__(self, local: datetime) -> datetime:
        day = local.date()
        offset = self._offsets.get(day, _UNKNOWN)
        if offset is _UNKNOWN:
            midnight = datetime(day.year, day.month, day.day)
            first = self._zone.utcoffset(midnight)
            last = self._zone.utcoffset(midnight + timedelta(hours=23, minutes=59, seconds=59))
            offset = first if first == last else None
            self._offsets[day] = offset
        if offset is None:
            return local_to_utc(local, self._zone)
        return local - offset


_UNKNOWN = timedelta.max


def _convert(local: datetime, source: ZoneInfo, target: ZoneInfo) -> datetime:
    return local.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)


def _text_lines(path: Path) -> Iterator[str]:
    handle = open(path, encoding="utf-8-sig", errors="replace", newline=None)  # noqa: SIM115
    return _closing_lines(handle)


def _closing_lines(handle: io.TextIOBase) -> Iterator[str]:
    with handle:
        for line in handle:
            yield line.rstrip("\r\n")


def _zip_lines(path: Path, entry: str | None) -> Iterator[str]:
    archive = zipfile.ZipFile(path)
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    if entry is None:
        if not names:
            archive.close()
            raise KeyError(f"{path} has no entries")
        entry = names[0]
    elif entry not in names:
        archive.close()
        raise KeyError(f"{path} has no entry {entry!r} (entries: {', '.join(names[:5])})")
    raw = archive.open(entry)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)
    return _closing_zip_lines(archive, text)


def _closing_zip_lines(archive: zipfile.ZipFile, text: io.TextIOWrapper) -> Iterator[str]:
    with archive, text:
        for line in text:
            yield line.rstrip("\r\n")


def _zip_entry_names(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as archive:
        yield from (info.filename for info in archive.infolist() if not info.is_dir())


def _tradable_dates(first: date, last: date, exchange_hours: Any) -> list[date]:
    days = []
    day = first
    always_open = exchange_hours is None or getattr(exchange_hours, "always_open", False)
    while day <= last:
        if always_open or exchange_hours.is_date_open(day):
            days.append(day)
        day += _ONE_DAY
    return days


def open_custom_subscription(context: Any, data_type: type, symbol: Any, config: Any, start_local: datetime,
                             end_local: datetime, on_warning: Callable[[str], None],
                             exchange_hours: Any = None) -> Iterator[BaseData]:
    """The points of a PythonData subscription in time order (lean-semantics §D).

    `context` supplies `data_folder`, `object_store`, optional `cache_folder` and `live_mode` (e.g. a
    CustomDataContext); `config` is the subscription config handed to get_source/reader (symbol, data_time_zone,
    exchange_time_zone, …); `start_local`/`end_local` bound the subscription in the exchange time zone;
    `exchange_hours` restricts get_source dates to its trading days (custom data is always open by default, so
    every calendar day). Problems are reported through `on_warning`, never raised.
    """
    try:
        factory = data_type()
    except Exception as error:
        on_warning(f"{symbol}: cannot create {getattr(data_type, '__name__', data_type)}(): "
                   f"{type(error).__name__}: {error}")
        return iter(())
    get_source = user_hook(factory, "get_source")
    reader = user_hook(factory, "reader")
    if get_source is None or reader is None:
        missing = "get_source" if get_source is None else "reader"
        on_warning(f"{symbol}: {type(factory).__name__} defines no {missing} method; no data read")
        return iter(())
    exchange_hours = exchange_hours if exchange_hours is not None else getattr(config, "exchange_hours", None)
    data_zone = as_time_zone(getattr(config, "data_time_zone", None))
    exchange_zone = as_time_zone(getattr(config, "exchange_time_zone", None) or data_zone)
    start = start_local if data_zone.key == exchange_zone.key else _convert(start_local, exchange_zone, data_zone)
    end = end_local if data_zone.key == exchange_zone.key else _convert(end_local, exchange_zone, data_zone)
    dates = _tradable_dates(start.date(), end.date(), exchange_hours)
    subscription = _CustomSubscription(context, get_source, reader, config, dates, start, end, data_zone,
                                       exchange_zone, on_warning)
    return iter(subscription)
