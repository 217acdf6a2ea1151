"""Process-wide names LEAN algorithms use without importing: Globals (data folder), TimeZones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar


class Globals:
    """LEAN's `Globals`: `data_folder` / `DataFolder` point at the data root of the current run."""

    data_folder: ClassVar[str] = ""
    DataFolder: ClassVar[str] = ""
    cache: ClassVar[str] = ""
    Cache: ClassVar[str] = ""

    @classmethod
    def set_data_folder(cls, folder: str) -> None:
        cls.data_folder = cls.DataFolder = folder
        cls.cache = cls.Cache = folder


class TimeZones:
    """IANA names of LEAN's TimeZones constants, in UPPER_SNAKE and PascalCase."""

    UTC = "UTC"
    NEW_YORK = "America/New_York"
    CHICAGO = "America/Chicago"
    LOS_ANGELES = "America/Los_Angeles"
    LONDON = "Europe/London"
    BERLIN = "Europe/Berlin"
    PARIS = "Europe/Paris"
    ZURICH = "Europe/Zurich"
    TOKYO = "Asia/Tokyo"
    HONG_KONG = "Asia/Hong_Kong"
    SINGAPORE = "Asia/Singapore"
    SYDNEY = "Australia/Sydney"
    Utc = UTC
    NewYork = NEW_YORK
    Chicago = CHICAGO
    LosAngeles = LOS_ANGELES
    London = LONDON
    Berlin = BERLIN
    Paris = PARIS
    Zurich = ZURICH
    Tokyo = TOKYO
    HongKong = HONG_KONG
    Singapore = SINGAPORE
    Sydney = SYDNEY


class LeanData:
    """LEAN's LeanData helpers algorithms use to build data paths (file and zip-entry names)."""

    @staticmethod
    def generate_zip_file_name(symbol: Any, day: date | datetime, resolution: Any, tick_type: Any) -> str:
        from ..data.readers import generate_zip_file_name

        return generate_zip_file_name(symbol, day, resolution, tick_type)

    @staticmethod
    def generate_zip_entry_name(symbol: Any, day: date | datetime, resolution: Any, tick_type: Any) -> str:
        from ..data.readers import generate_zip_entry_name

        return generate_zip_entry_name(symbol, day, resolution, tick_type)

    GenerateZipFileName = generate_zip_file_name
    GenerateZipEntryName = generate_zip_entry_name


class Random:
    """.NET's seeded System.Random (Knuth's subtractive generator), so algorithms that draw from `Random(seed)`
    reproduce LEAN's sequences: `next()`, `next(max)`, `next(min, max)`, `next_double()`."""

    _MBIG = 2147483647
    _MSEED = 161803398

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            import time

            seed = time.time_ns() & 0x7FFFFFFF
        subtraction = self._MBIG if seed == -2147483648 else abs(int(seed))
        state = [0] * 56
        mj = self._MSEED - subtraction
        state[55] = mj
        mk = 1
        for i in range(1, 55):
            index = (21 * i) % 55
            state[index] = mk
            mk = mj - mk
            if mk < 0:
                mk += self._MBIG
            mj = state[index]
        for _ in range(4):
            for i in range(1, 56):
                state[i] -= state[1 + (i + 30) % 55]
                if state[i] < 0:
                    state[i] += self._MBIG
        self._state = state
        self._next = 0
        self._next_p = 21

    def _internal_sample(self) -> int:
        next_index = self._next + 1 if self._next + 1 < 56 else 1
        next_p = self._next_p + 1 if self._next_p + 1 < 56 else 1
        value = self._state[next_index] - self._state[next_p]
        if value == self._MBIG:
            value -= 1
        if value < 0:
            value += self._MBIG
        self._state[next_index] = value
        self._next, self._next_p = next_index, next_p
        return value

    def _sample(self) -> float:
        return self._internal_sample() * (1.0 / self._MBIG)

    def next(self, min_or_max: int | None = None, max_value: int | None = None) -> int:
        """next() ∈ [0, 2³¹−1); next(max) = ⌊sample·max⌋; next(min, max) = ⌊sample·(max−min)⌋ + min."""
        if min_or_max is None:
            return self._internal_sample()
        if max_value is None:
            if min_or_max < 0:
                raise ValueError("Random.next(max): max must be non-negative")
            return int(self._sample() * min_or_max)
        if min_or_max > max_value:
            raise ValueError("Random.next(min, max): min must not exceed max")
        span = max_value - min_or_max
        if span <= self._MBIG:
            return int(self._sample() * span) + min_or_max
        return int(self._large_range_sample() * span) + min_or_max

    def _large_range_sample(self) -> float:
        result = self._internal_sample()
        if self._internal_sample() % 2 == 0:
            result = -result
        return (result + (self._MBIG - 1.0)) / (2.0 * self._MBIG - 1)

    def next_double(self) -> float:
        return self._sample()

    Next = next
    NextDouble = next_double


class Extensions:
    """The QuantConnect.Extensions helpers algorithms call: time-zone conversions of naive datetimes."""

    @staticmethod
    def convert_from_utc(utc_time: datetime, time_zone: Any) -> datetime:
        """Naive UTC → naive local time in `time_zone` (a ZoneInfo or an IANA name)."""
        from zoneinfo import ZoneInfo

        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(str(time_zone))
        return utc_time.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)

    @staticmethod
    def convert_to_utc(local_time: datetime, time_zone: Any) -> datetime:
        """Naive local time in `time_zone` → naive UTC."""
        from zoneinfo import ZoneInfo

        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(str(time_zone))
        return local_time.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    ConvertFromUtc = convert_from_utc
    ConvertToUtc = convert_to_utc
