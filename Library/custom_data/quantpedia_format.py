"""Quantpedia futures files: the line format and where a series is read from. Pure Python, no AlgorithmImports.

A Quantpedia futures file is `;`-separated with one header line:

    date;back_adjusted;spliced
    02.01.1996;1234.5;1240.25

`date` is dd.mm.yyyy (the trading day), `back_adjusted` the back-adjusted continuous price (the strategy's value),
`spliced` the unadjusted spliced price. A day's row is known only after that day, so a point's time is date + 1 day.

The PythonData reader (`custom_data.quantpedia_futures`), the research notebook and the tests all parse through
`parse_quantpedia_line`, so they cannot disagree about the format.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import NamedTuple

HEADER_FIELDS = ("date", "back_adjusted", "spliced")
DATE_FORMAT = "%d.%m.%Y"
LOCAL_FOLDER = ("alternative", "quantpedia", "futures")
OBJECT_STORE_PREFIX = "quantpedia/futures/"
REMOTE_URL = "https://data.quantpedia.com/backtesting_data/futures/{symbol}.csv"


class QuantpediaFormatError(ValueError):
    """A line that is neither the header nor a valid `dd.mm.yyyy;float;float` row."""


class QuantpediaRow(NamedTuple):
    day: date
    back_adjusted: float
    spliced: float

    @property
    def time(self) -> datetime:
        """The moment the row becomes known: midnight after its trading day."""
        return datetime(self.day.year, self.day.month, self.day.day) + timedelta(days=1)


def is_header(line: str) -> bool:
    """True for the header line (or any line whose first field is the word `date`)."""
    return line.strip().lower().startswith(HEADER_FIELDS[0])


def parse_quantpedia_date(field: str) -> date | None:
    """The date of a `dd.mm.yyyy` field (surrounding blanks ignored), or None when it is not one.

    Accepts exactly what `datetime.strptime(field.strip(), "%d.%m.%Y")` accepts (one- or two-digit day and month,
    four-digit year, a real calendar day), without strptime's regular-expression machinery: every data line goes
    through here.
    """
    parts = field.strip().split(".")
    if len(parts) != 3:
        return None
    day, month, year = parts
    if not (0 < len(day) <= 2 and 0 < len(month) <= 2 and len(year) == 4 and (day + month + year).isdecimal()):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_quantpedia_line(line: str) -> QuantpediaRow | None:
    """Parse one line: the header or a blank line gives None; a malformed line raises QuantpediaFormatError.

    The error message says what is wrong (field count, date, number) so the caller can name file and line.
    """
    text = line.strip()
    if not text or is_header(text):
        return None
    fields = text.split(";")
    if len(fields) != len(HEADER_FIELDS):
        raise QuantpediaFormatError(f"expected 3 ';'-separated fields (date;back_adjusted;spliced), got {len(fields)}")
    day = parse_quantpedia_date(fields[0])
    if day is None:
        raise QuantpediaFormatError(f"date {fields[0]!r} is not dd.mm.yyyy")
    values: list[float] = []
    for name, field in zip(HEADER_FIELDS[1:], fields[1:], strict=True):
        try:
            number = float(field)
        except ValueError:
            raise QuantpediaFormatError(f"{name} {field!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise QuantpediaFormatError(f"{name} {field!r} is not a finite number")
        values.append(number)
    return QuantpediaRow(day, values[0], values[1])


class QuantpediaSource(Enum):
    """Where the reader takes a series from (algorithm parameter `quantpedia-source`)."""

    AUTO = "auto"
    LOCAL = "local"
    OBJECT_STORE = "object-store"
    REMOTE = "remote"

    @classmethod
    def parse(cls, value: str, parameter: str = "quantpedia-source") -> QuantpediaSource:
        """The source named by `value`; a ValueError names the parameter and the accepted values otherwise."""
        for member in cls:
            if member.value == value.strip().lower():
                return member
        accepted = ", ".join(member.value for member in cls)
        raise ValueError(f"parameter {parameter!r} is {value!r}; accepted values: {accepted}")


@dataclass(frozen=True)
class QuantpediaLocation:
    """A resolved source: `medium` is LOCAL, OBJECT_STORE or REMOTE (never AUTO); `path` the file, key or URL."""

    medium: QuantpediaSource
    path: str


def local_path(data_folder: str, symbol: str) -> str:
    """`<data folder>/alternative/quantpedia/futures/<symbol lower-case>.csv`."""
    return os.path.join(data_folder, *LOCAL_FOLDER, f"{symbol.lower()}.csv")


def object_store_key(symbol: str) -> str:
    """`quantpedia/futures/<symbol lower-case>.csv`, the key for `lean cloud object-store set`."""
    return f"{OBJECT_STORE_PREFIX}{symbol.lower()}.csv"


def remote_url(symbol: str) -> str:
    """Quantpedia's own file, as the seed reads it in the cloud (upper-case symbol)."""
    return REMOTE_URL.format(symbol=symbol.upper())


def resolve_location(source: QuantpediaSource, symbol: str, data_folder: str) -> QuantpediaLocation:
    """Resolve `source` for `symbol`: AUTO is the local file when it exists, else the remote URL."""
    if source is QuantpediaSource.AUTO:
        path = local_path(data_folder, symbol)
        if os.path.isfile(path):
            return QuantpediaLocation(QuantpediaSource.LOCAL, path)
        return QuantpediaLocation(QuantpediaSource.REMOTE, remote_url(symbol))
    if source is QuantpediaSource.LOCAL:
        return QuantpediaLocation(source, local_path(data_folder, symbol))
    if source is QuantpediaSource.OBJECT_STORE:
        return QuantpediaLocation(source, object_store_key(symbol))
    return QuantpediaLocation(source, remote_url(symbol))


def last_local_day(data_folder: str, symbols: Iterable[str]) -> date | None:
    """The latest row date over the symbols' local files (the last well-formed line of each); None when none exists.

    Reads only the tail of each file, so it is cheap enough to call from an algorithm's initialize.
    """
    latest: date | None = None
    for symbol in symbols:
        path = local_path(data_folder, symbol)
        if not os.path.isfile(path):
            continue
        day = _last_row_day(path)
        if day is not None and (latest is None or day > latest):
            latest = day
    return latest


def _last_row_day(path: str, tail_bytes: int = 4096) -> date | None:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - tail_bytes))
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        try:
            row = parse_quantpedia_line(line)
        except QuantpediaFormatError:
            continue
        if row is not None:
            return row.day
    return None


def fee_for_notional(fee_rate: float, price: float, quantity: float) -> float:
    """Fee = fee_rate × |price × quantity| (e.g. 0.00005 = 0.005% of the traded notional)."""
    return fee_rate * abs(price * quantity)
