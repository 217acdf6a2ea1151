"""Cost per bar of crossasset's O(1) rolling windows against the seeds' way (np.std over a list slice).

Each bar appends a price and, once the window is full (as the seeds do), reads its sample standard deviation
(or, for pairs, the correlation).
Prints µs per bar; run: .venv/bin/python benchmarks/bench_rolling_window.py [--bars N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Library"))

from crossasset import RollingPairStats, RollingStats  # noqa: E402


def per_bar_microseconds(run: Callable[[], float], bars: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / bars * 1e6


def rolling_stats(xs: np.ndarray, window: int) -> Callable[[], float]:
    values = xs.tolist()

    def run() -> float:
        stats = RollingStats(window)
        result = 0.0
        for x in values:
            stats.update(x)
            if stats.is_ready:
                result = stats.std()
        return result

    return run


def list_slice_std(xs: np.ndarray, window: int) -> Callable[[], float]:
    values = xs.tolist()

    def run() -> float:
        history: list[float] = []
        result = 0.0
        for x in values:
            history.append(x)
            if len(history) >= window:
                result = float(np.std(history[-window:], ddof=1))
        return result

    return run


def rolling_pair(xs: np.ndarray, ys: np.ndarray, window: int) -> Callable[[], float]:
    pairs = list(zip(xs.tolist(), ys.tolist(), strict=True))

    def run() -> float:
        stats = RollingPairStats(window)
        result = 0.0
        for x, y in pairs:
            stats.update(x, y)
            if stats.is_ready:
                result = stats.correlation()
        return result

    return run


def list_slice_corr(xs: np.ndarray, ys: np.ndarray, window: int) -> Callable[[], float]:
    pairs = list(zip(xs.tolist(), ys.tolist(), strict=True))

    def run() -> float:
        history_x: list[float] = []
        history_y: list[float] = []
        result = 0.0
        for x, y in pairs:
            history_x.append(x)
            history_y.append(y)
            if len(history_x) >= window:
                result = float(np.corrcoef(history_x[-window:], history_y[-window:])[0, 1])
        return result

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=20_000, help="bars per run (default 20000)")
    bars = parser.parse_args().bars
    rng = np.random.default_rng(0)
    xs = 1e4 + np.cumsum(rng.normal(0.0, 1.0, bars))
    ys = 5e3 + np.cumsum(rng.normal(0.0, 1.0, bars))
    print(f"bars per run: {bars} (best of 3), µs per bar = update + read")
    print(f"{'window':>6}  {'statistic':<12} {'crossasset':>11} {'list slice':>11} {'speed-up':>9}")
    for window in (60, 756):
        cases = [
            ("std", rolling_stats(xs, window), list_slice_std(xs, window)),
            ("correlation", rolling_pair(xs, ys, window), list_slice_corr(xs, ys, window)),
        ]
        for name, ours, seeds in cases:
            fast = per_bar_microseconds(ours, bars)
            slow = per_bar_microseconds(seeds, bars)
            print(f"{window:>6}  {name:<12} {fast:>11.2f} {slow:>11.2f} {slow / fast:>8.1f}x")


if __name__ == "__main__":
    main()
