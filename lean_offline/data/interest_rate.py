"""The Fed primary-credit rate LEAN uses as the risk-free rate (`alternative/interest-rate/usa/interest-rate.csv`)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from ..naming import DualCase

INTEREST_RATE_RELATIVE_PATH = Path("alternative") / "interest-rate" / "usa" / "interest-rate.csv"
DEFAULT_RISK_FREE_RATE = 0.01
FIRST_RATE_DATE = date(1998, 1, 1)


class InterestRateProvider(DualCase):
    """Daily rates (fractions, the CSV's percent ÷ 100), forward-filled from 1998-01-01.

    Before the first CSV date the first rate applies, after the last date the last one; with no readable file,
    LEAN's default 1% (reported once through `on_warning`).
    """

    __slots__ = ("_dates", "_rates", "_by_date", "warnings")

    def __init__(self, data_folder: Path | str, on_warning: Callable[[str], None] | None = None) -> None:
        self.warnings: list[str] = []
        path = Path(data_folder) / INTEREST_RATE_RELATIVE_PATH
        points = self._read(path)
        if not points:
            self.warnings.append(f"{path}: no interest rates loaded; using the default risk-free rate "
                                 f"{DEFAULT_RISK_FREE_RATE}")
            points = [(FIRST_RATE_DATE, DEFAULT_RISK_FREE_RATE)]
        if on_warning is not None:
            for warning in self.warnings:
                on_warning(warning)
        first_rate = points[0][1]
        if points[0][0] > FIRST_RATE_DATE:
            points.insert(0, (FIRST_RATE_DATE, first_rate))
        self._dates = [day for day, _ in points]
        self._rates = [rate for _, rate in points]
        self._by_date: dict[date, float] = {}
        for (day, rate), (next_day, _) in zip(points, [*points[1:], (points[-1][0] + timedelta(1), 0.0)],
                                              strict=True):
            while day < next_day:
                self._by_date[day] = rate
                day += timedelta(1)

    def _read(self, path: Path) -> list[tuple[date, float]]:
        """(date, rate) rows sorted by date; unparsable lines are reported and skipped, the header is skipped."""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        rows: dict[date, float] = {}
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split(",")
            try:
                rows[date.fromisoformat(fields[0].strip())] = float(fields[1]) / 100.0
            except (ValueError, IndexError):
                self.warnings.append(f"{path}:{number}: malformed line skipped: {line}")
        return sorted(rows.items())

    def get_interest_rate(self, when: date | datetime) -> float:
        """The rate in force on the date of `when`."""
        day = when.date() if isinstance(when, datetime) else when
        rate = self._by_date.get(day)
        if rate is not None:
            return rate
        index = bisect.bisect_right(self._dates, day) - 1
        return self._rates[max(index, 0)]

    def get_average_risk_free_rate(self, dates: Iterable[date | datetime]) -> float:
        """Mean of get_interest_rate over `dates`; 0 when there are none (LEAN's DefaultIfEmpty(0))."""
        rates = [self.get_interest_rate(when) for when in dates]
        return sum(rates) / len(rates) if rates else 0.0
