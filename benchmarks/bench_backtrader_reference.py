"""Case (a) of `bench_engine.py` in backtrader, the yardstick the speed targets were set against, on this machine.

The targets are absolute (250k points/s for (a) on a 2-core machine, where backtrader did about 19k points/s on
(a)), but one machine's speed moves by a third between minutes and machines differ by more. This script runs case
(a) with `lean_offline` and the same strategy on the same bars with backtrader, alternated, and prints each run's
points per second and the ratio of the medians: the targets' ratio for (a) is 250,000 / 19,000 = 13.2.

backtrader is not a dependency of the project (GPL-3.0): `.venv/bin/pip install backtrader==1.9.78.123`, then
`.venv/bin/python benchmarks/bench_backtrader_reference.py [--rounds N]`. Its strategy: on each month's first bar,
`order_target_percent(data, 1/40)` for each of the 40 equities (backtrader fills at the next bar's open; LEAN fills
market orders on daily data at the close it has, so the two final values differ a little). It reads its own CSV
files (prices converted from LEAN's deci-cents, written before the timing); its time is `cerebro.run()`, which
loads the files, as `lean_offline`'s loop reads its own. Both configurations are printed: backtrader's default
`Cerebro()`, which records its three standard observers, and `Cerebro(stdstats=False)`, the faster of the two,
against which the ratio is taken.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import (  # noqa: E402
    DAILY_END,
    DAILY_START,
    DAILY_TICKERS,
    generate,
    monthly_rebalance_source,
    run_case,
)

TARGET_RATIO = 250_000 / 19_000


def _backtrader_csv(data_folder: Path, csv_folder: Path) -> int:
    """Each daily equity of case (a) as a backtrader CSV file (ISO dates, prices in dollars) over (a)'s dates;
    returns the number of bars."""
    csv_folder.mkdir(parents=True, exist_ok=True)
    first, last = f"{DAILY_START:%Y%m%d}", f"{DAILY_END:%Y%m%d}"
    bars = 0
    for ticker in DAILY_TICKERS:
        name = ticker.lower()
        with zipfile.ZipFile(data_folder / "equity" / "usa" / "daily" / f"{name}.zip") as archive:
            lines = archive.read(f"{name}.csv").decode().splitlines()
        rows = []
        for line in lines:
            stamp, open_, high, low, close, volume = line.split(",")
            day = stamp[:8]
            if first <= day <= last:
                prices = ",".join(f"{int(value) / 10000:.4f}" for value in (open_, high, low, close))
                rows.append(f"{day[:4]}-{day[4:6]}-{day[6:]},{prices},{volume}")
        bars += len(rows)
        (csv_folder / f"{name}.csv").write_text("\n".join(rows) + "\n")
    return bars


def _run_backtrader(csv_folder: Path, bars: int, observers: bool) -> float:
    """Points per second of one backtrader run of case (a); prints the run."""
    import backtrader as bt

    class MonthlyEqualWeight(bt.Strategy):  # type: ignore[misc]  # backtrader has no type information
        def __init__(self) -> None:
            self.month = 0

        def next(self) -> None:
            month = self.datas[0].datetime.date(0).month
            if month != self.month:
                self.month = month
                for data in self.datas:
                    self.order_target_percent(data, 1.0 / len(self.datas))

    cerebro = bt.Cerebro(stdstats=observers)
    for ticker in DAILY_TICKERS:
        feed = bt.feeds.GenericCSVData(dataname=str(csv_folder / f"{ticker.lower()}.csv"), dtformat="%Y-%m-%d",
                                       datetime=0, open=1, high=2, low=3, close=4, volume=5, openinterest=-1)
        cerebro.adddata(feed, name=ticker)
    cerebro.addstrategy(MonthlyEqualWeight)
    cerebro.broker.setcash(1_000_000)
    started = time.perf_counter()
    cerebro.run()
    seconds = time.perf_counter() - started
    label = "Cerebro()" if observers else "Cerebro(stdstats=False)"
    print(f"backtrader {bt.__version__} {label}: {bars:,} bars in {seconds:.2f} s = {bars / seconds:,.0f} points/s; "
          f"final value {cerebro.broker.getvalue():,.0f}")
    return bars / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds of the three runs (default 3)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    try:
        import backtrader  # noqa: F401
    except ImportError:
        sys.exit("backtrader is not installed: .venv/bin/pip install backtrader==1.9.78.123")
    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary)
        generate(base / "data")
        bars = _backtrader_csv(base / "data", base / "backtrader")
        source = monthly_rebalance_source(DAILY_START.year)
        engine, fast, default = [], [], []
        for _ in range(args.rounds):
            engine.append(run_case("a_monthly_equal_weight_40x25y_daily", source, base, base / "data").points_per_second)
            fast.append(_run_backtrader(base / "backtrader", bars, observers=False))
            default.append(_run_backtrader(base / "backtrader", bars, observers=True))
    engine_median, fast_median, default_median = (statistics.median(runs) for runs in (engine, fast, default))
    print(f"medians of {args.rounds} rounds: lean_offline {engine_median:,.0f} points/s; backtrader "
          f"{fast_median:,.0f} (stdstats=False), {default_median:,.0f} (default Cerebro)")
    print(f"lean_offline / backtrader: {engine_median / fast_median:.1f} (stdstats=False), "
          f"{engine_median / default_median:.1f} (default Cerebro); the targets' ratio for (a): {TARGET_RATIO:.1f} "
          f"(250k points/s where backtrader did about 19k)")


if __name__ == "__main__":
    main()
