"""Read-speed figures of lean_offline's LEAN-format readers (prints bars/s; never asserts on time).

(a) SPY daily 1998-2021 from LEAN's sample data beside the checkout (or a generated 25-year daily file),
(b) SPY hourly from the sample data when present,
(c) synthetic second-resolution equity quote day files: 23,400 rows × 5 trading days.

Usage: python benchmarks/bench_data_read.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lean_offline.data.market_hours import MarketHoursDatabase  # noqa: E402
from lean_offline.data.readers import SubscriptionSpec, read_subscription  # noqa: E402
from lean_offline.data.symbol import Symbol  # noqa: E402
from lean_offline.enums import DataNormalizationMode, Resolution, SecurityType, TickType  # noqa: E402

LEAN_DATA = ROOT.parent / "shared" / "lean-data"
EQUITY = SecurityType["EQUITY"]


def _spec(folder: Path, ticker: str, resolution: object, tick_type: object, start: datetime,
          end: datetime) -> SubscriptionSpec:
    entry = MarketHoursDatabase.load(folder).get_entry("usa", ticker, EQUITY)
    return SubscriptionSpec(folder, Symbol.create(ticker, EQUITY, "usa"), EQUITY, "usa", resolution, tick_type,
                            DataNormalizationMode["ADJUSTED"], entry.exchange_hours, entry.data_time_zone, start, end)


def _measure(label: str, spec: SubscriptionSpec, repeat: int) -> None:
    best = float("inf")
    count = 0
    warnings: list[str] = []
    for _ in range(repeat):
        started = time.process_time()  # CPU time: the machine may be shared
        count = sum(1 for _ in read_subscription(spec, warnings.append))
        best = min(best, time.process_time() - started)
    print(f"{label:<58} {count:>9,} bars  {best:8.3f} s CPU {count / best:>12,.0f} bars/s"
          + (f"  ({len(warnings)} warnings)" if warnings else ""))


def _generate_daily(folder: Path) -> None:
    """25 years of business-day SPY-like rows (deci-cents) in LEAN's daily layout."""
    rng = np.random.default_rng(7)
    days = [date(1996, 1, 1) + timedelta(days=i) for i in range(25 * 365)]
    rows = []
    price = 1_000_000
    for day in days:
        if day.weekday() >= 5:
            continue
        price = max(10_000, int(price * (1 + rng.normal(0, 0.01))))
        volume = int(rng.integers(1_000_000, 100_000_000))
        rows.append(f"{day:%Y%m%d} 00:00,{price},{price + 5000},{price - 5000},{price},{volume}")
    path = folder / "equity" / "usa" / "daily" / "spy.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spy.csv", "\n".join(rows) + "\n")


def _generate_second_quotes(folder: Path, days: list[date]) -> None:
    """23,400 one-second quote rows per day (09:30-16:00) in LEAN's second layout."""
    rng = np.random.default_rng(11)
    for day in days:
        ms = (34_200 + np.arange(23_400)) * 1000
        mid = 1_000_000 + np.cumsum(rng.integers(-100, 101, 23_400))
        bid, ask = mid - 50, mid + 50
        sizes = rng.integers(1, 1000, 23_400)
        table = np.column_stack([ms, bid, bid + 20, bid - 20, bid, sizes, ask, ask + 20, ask - 20, ask, sizes])
        text = "\n".join(",".join(map(str, row)) for row in table.tolist()) + "\n"
        path = folder / "equity" / "usa" / "second" / "abc" / f"{day:%Y%m%d}_quote.zip"
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{day:%Y%m%d}_abc_second_quote.csv", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best is reported")
    arguments = parser.parse_args()
    daily, hourly = Resolution["DAILY"], Resolution["HOUR"]
    trade, quote = TickType["TRADE"], TickType["QUOTE"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if (LEAN_DATA / "equity" / "usa" / "daily" / "spy.zip").is_file():
            daily_spec = _spec(LEAN_DATA, "SPY", daily, trade, datetime(1998, 1, 1), datetime(2021, 12, 31))
            _measure("(a) SPY daily 1998-2021, adjusted (lean-data)", daily_spec, arguments.repeat)
            hour_spec = _spec(LEAN_DATA, "SPY", hourly, trade, datetime(1998, 1, 1), datetime(2021, 12, 31))
            _measure("(b) SPY hourly 1998-2021, adjusted (lean-data)", hour_spec, arguments.repeat)
        else:
            _generate_daily(folder)
            daily_spec = _spec(folder, "SPY", daily, trade, datetime(1996, 1, 1), datetime(2020, 12, 31))
            _measure("(a) generated 25-year daily file (no lean-data found)", daily_spec, arguments.repeat)
        trading_days = [date(2020, 1, 6) + timedelta(days=i) for i in range(5)]
        _generate_second_quotes(folder, trading_days)
        second_spec = _spec(folder, "ABC", Resolution["SECOND"], quote, datetime(2020, 1, 6),
                            datetime(2020, 1, 10, 23, 59))
        _measure("(c) second quotes, 23,400 rows x 5 day files", second_spec, arguments.repeat)


if __name__ == "__main__":
    main()
