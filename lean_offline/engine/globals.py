"""Process-wide names LEAN algorithms use without importing: Globals (data folder), TimeZones."""

from __future__ import annotations

from datetime import date, datetime
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
