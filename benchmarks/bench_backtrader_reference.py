"""Case (a) of `bench_engine.py` in backtrader beside `lean_offline`, alternated, on this machine.

The speed targets are absolute (250k points/s for (a), 100k for (b), on a 2-core machine) and were set with a scale:
"backtrader does about 19k points/s on (a) here". A machine's speed moves by a third between minutes, and machines
differ by more, so this script measures that scale on the machine at hand: it runs case (a) with `lean_offline` and
the same strategy on the same 40 equities' daily bars with backtrader, alternated, and prints each run, both
engines' order counts and the ratio of the medians per equity bar. The targets' figures give 250,000 / 19,000 = 13.2
for comparison.

backtrader is not a dependency of the project (GPL-3.0): `.venv/bin/pip install backtrader==1.9.78.123`, then
`.venv/bin/python benchmarks/bench_backtrader_reference.py [--rounds N]`.

The backtrader strategy does the order work LEAN's `set_holdings` does: on each month's first bar it sizes every
equity to 1/40 of the portfolio value less LEAN's 0.25% free-portfolio buffer, at the bar's close, skips changes
whose margin is under LEAN's minimum order margin (0.1% of the portfolio value, at an equity's default leverage of
2), and submits the sales before the purchases. backtrader fills at the next bar's open and LEAN at the close it
has, so the final values differ a little. backtrader reads its own CSV files (prices converted from LEAN's
deci-cents before the timing); its time is `cerebro.run()`, which loads them, as `lean_offline`'s loop reads its own
files. `lean_offline` counts points as LEAN does, its SPY benchmark's hourly bars included; the ratio is taken per
equity bar, which leaves those out. Two backtrader configurations run: the default `Cerebro()`, which records its
three standard observers, and `Cerebro(stdstats=False)`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import (  # noqa: E402
    DAILY_END,
    DAILY_START,
    DAILY_TICKERS,
    TARGET_A,
    describe_compiled,
    describe_interpreter,
    generate,
    monthly_rebalance_source,
    run_case,
)

BACKTRADER_AT_TARGETS = 19_000  # backtrader's points/s on (a) where the targets were set
FREE_PORTFOLIO_VALUE = 0.0025  # LEAN's settings.free_portfolio_value_percentage
# LEAN skips an order whose margin is under 0.1% of the portfolio value (minimum_order_margin_portfolio_percentage);
# an equity's margin is half its value at LEAN's default leverage of 2
MINIMUM_ORDER_VALUE = 0.001 * 2


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
    """Bars per second of one backtrader run of case (a); prints the run."""
    import backtrader as bt

    class MonthlyEqualWeight(bt.Strategy):  # type: ignore[misc]  # backtrader has no type information
        def __init__(self) -> None:
            self.month = 0
            self.orders = 0

        def notify_order(self, order: Any) -> None:
            if order.status == order.Submitted:
                self.orders += 1

        def next(self) -> None:
            month = self.datas[0].datetime.date(0).month
            if month == self.month:
                return
            self.month = month
            value = self.broker.getvalue()
            target_value = value * (1 - FREE_PORTFOLIO_VALUE) / len(self.datas)
            changes = []
            for data in self.datas:
                price = data.close[0]
                change = int(target_value / price) - self.getposition(data).size
                if change and abs(change) * price >= MINIMUM_ORDER_VALUE * value:
                    changes.append((change, data))
            for change, data in sorted(changes, key=lambda pair: pair[0] > 0):  # sales first
                if change > 0:
                    self.buy(data, size=change)
                else:
                    self.sell(data, size=-change)

    cerebro = bt.Cerebro(stdstats=observers)
    for ticker in DAILY_TICKERS:
        feed = bt.feeds.GenericCSVData(dataname=str(csv_folder / f"{ticker.lower()}.csv"), dtformat="%Y-%m-%d",
                                       datetime=0, open=1, high=2, low=3, close=4, volume=5, openinterest=-1)
        cerebro.adddata(feed, name=ticker)
    cerebro.addstrategy(MonthlyEqualWeight)
    cerebro.broker.setcash(1_000_000)
    started = time.perf_counter()
    strategy = cerebro.run()[0]
    seconds = time.perf_counter() - started
    label = "Cerebro()" if observers else "Cerebro(stdstats=False)"
    print(f"backtrader {bt.__version__} {label}: {bars:,} bars in {seconds:.2f} s = {bars / seconds:,.0f} bars/s; "
          f"orders {strategy.orders:,}; final value {cerebro.broker.getvalue():,.0f}")
    return bars / seconds


def _run_engine(source: str, folder: Path, bars: int) -> float:
    """Equity bars per second of one `lean_offline` run of case (a) (timed as LEAN times it); prints the run."""
    result = run_case("a_monthly_equal_weight_40x25y_daily", source, folder, folder / "data")
    if result.status != "Completed":
        sys.exit(f"lean_offline's run of case (a) failed: {result.status}\n{result.stack_trace}")
    print(f"lean_offline: {bars:,} equity bars in {result.seconds:.2f} s = {bars / result.seconds:,.0f} bars/s")
    return bars / result.seconds


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
    print(describe_interpreter())
    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary)
        generate(base / "data")
        bars = _backtrader_csv(base / "data", base / "backtrader")
        source = monthly_rebalance_source(DAILY_START.year)
        engine, fast, default = [], [], []
        for _ in range(args.rounds):
            engine.append(_run_engine(source, base, bars))
            fast.append(_run_backtrader(base / "backtrader", bars, observers=False))
            default.append(_run_backtrader(base / "backtrader", bars, observers=True))
    print(describe_compiled())
    engine_median, fast_median, default_median = (statistics.median(runs) for runs in (engine, fast, default))
    rounds = f"{args.rounds} round{'s' if args.rounds > 1 else ''}"
    print(f"medians of {rounds}, equity bars per second: lean_offline {engine_median:,.0f}; backtrader "
          f"{fast_median:,.0f} (stdstats=False), {default_median:,.0f} (default Cerebro)")
    print(f"lean_offline / backtrader: {engine_median / fast_median:.1f} (stdstats=False), "
          f"{engine_median / default_median:.1f} (default Cerebro); for comparison, the targets' 250k points/s "
          f"against backtrader's about 19k: {TARGET_A / BACKTRADER_AT_TARGETS:.1f}")


if __name__ == "__main__":
    main()
