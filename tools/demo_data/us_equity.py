"""SPY in LEAN's US-equity format: `equity/usa/daily/spy.zip` and `equity/usa/hour/spy.zip` (entry `spy.csv`).

Daily rows `yyyyMMdd 00:00,open,high,low,close,volume`, hourly rows `yyyyMMdd HH:00,...` for 09:00..15:00 on NYSE
sessions (09:00..12:00 on early-close days), prices in deci-cents (× 10000, integers). SPY is needed by the
strategies' schedules (WeekStart/AfterMarketOpen) and by the engine's default benchmark (hourly).
Prices: geometric Brownian motion, 7% drift and 18% volatility a year, starting at 60 dollars; the hourly path is
a Brownian bridge from the day's open to its close, so the daily bar is exactly the aggregate of the hourly bars.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from tools.demo_data.trading_days import Size, nyse_schedule

ANNUAL_DRIFT = 0.07
ANNUAL_VOLATILITY = 0.18
START_PRICE = 60.0
DECI_CENTS = 10_000


def generate(output: Path, rng: np.random.Generator, size: Size) -> list[Path]:
    schedule = nyse_schedule(size.first_day, size.last_day)
    daily_sigma = ANNUAL_VOLATILITY / np.sqrt(252)
    closes = START_PRICE * np.exp(
        np.cumsum((ANNUAL_DRIFT / 252 - daily_sigma**2 / 2) + daily_sigma * rng.standard_normal(len(schedule)))
    )
    opens = np.concatenate([[START_PRICE], closes[:-1]]) * np.exp(0.002 * rng.standard_normal(len(schedule)))
    daily_rows: list[str] = []
    hourly_rows: list[str] = []
    for session, open_price, close_price, close_time in zip(
        schedule.index, opens, closes, schedule["close"], strict=True
    ):
        hours = list(range(9, close_time.hour))
        path = _bridge(rng, open_price, close_price, len(hours), daily_sigma)
        volumes = rng.integers(200_000, 2_000_000, size=len(hours))
        day = session.strftime("%Y%m%d")
        highs, lows = [], []
        for hour, start, end, volume in zip(hours, path[:-1], path[1:], volumes, strict=True):
            high = max(start, end) * (1 + abs(rng.normal(0, 0.001)))
            low = min(start, end) * (1 - abs(rng.normal(0, 0.001)))
            highs.append(high)
            lows.append(low)
            hourly_rows.append(f"{day} {hour:02d}:00,{_dc(start)},{_dc(high)},{_dc(low)},{_dc(end)},{volume}")
        daily_rows.append(
            f"{day} 00:00,{_dc(path[0])},{_dc(max(highs))},{_dc(min(lows))},{_dc(path[-1])},{int(volumes.sum())}"
        )
    return [
        _write_zip(output / "equity" / "usa" / "daily" / "spy.zip", "spy.csv", daily_rows),
        _write_zip(output / "equity" / "usa" / "hour" / "spy.zip", "spy.csv", hourly_rows),
    ]


def _bridge(rng: np.random.Generator, start: float, end: float, steps: int, daily_sigma: float) -> list[float]:
    """`steps + 1` prices from start to end whose log path is a Brownian bridge."""
    shocks = np.concatenate([[0.0], np.cumsum(rng.standard_normal(steps) * daily_sigma / np.sqrt(steps))])
    fraction = np.linspace(0.0, 1.0, steps + 1)
    log_path = np.log(start) + fraction * np.log(end / start) + shocks - fraction * shocks[-1]
    return [float(x) for x in np.exp(log_path)]


def _dc(price: float) -> int:
    return int(round(price * DECI_CENTS))


def _write_zip(path: Path, entry: str, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(entry, "\n".join(rows) + "\n")
    return path
