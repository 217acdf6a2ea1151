"""Engine throughput benchmark: prints data points per second, seconds and peak RSS for two synthetic workloads.

(a) 40 daily equities over 25 years with a monthly equal-weight rebalance (target ≥ 250k points/s);
(b) two equities on second-resolution quotes for one week with a simple pair trade (target ≥ 100k points/s);
(c) one equity on minute trade bars for a year, bought once and held, with `on_data` at every bar (no target: the
shape of most LEAN algorithms, where the cost of reading a file per day shows).
The data is generated in LEAN's file layout in a temporary folder (no dependency on shared data).
Run: `make bench` (which compiles the engine first), or `.venv/bin/python benchmarks/bench_engine.py [--keep DIR] [--years N] [--parts]` (`--years` shortens run (a) to its
last N years while iterating; the targets refer to the full 25 years). `--parts` also runs each case with parts of the
algorithm taken out (the orders; (b)'s on_data) and prints what each part costs: the loop's seconds without it
subtracted from the loop's seconds with it, per order and per on_data call.
"""

from __future__ import annotations

import argparse
import io
import platform
import resource
import sys
import sysconfig
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lean_offline import BacktestResult, backtest, compiled_modules  # noqa: E402
from lean_offline.build_compiled import engine_modules  # noqa: E402
from lean_offline.data import read_ahead  # noqa: E402

DAILY_TICKERS = [f"S{index:02d}" for index in range(40)]
PAIR = ("AAA", "BBB")
DAILY_START, DAILY_END = date(1996, 1, 1), date(2020, 12, 31)
FULL_YEARS = DAILY_END.year - DAILY_START.year + 1  # (a)'s target is for all of them
WEEK = [date(2021, 3, 1) + timedelta(days=offset) for offset in range(5)]
SESSION_SECONDS = 23400  # 09:30 to 16:00: one second quote per symbol and second
MINUTE_TICKER = "CCC"
MINUTE_START, MINUTE_END = date(2021, 1, 4), date(2021, 12, 31)
SESSION_MINUTES = 390
TARGET_A, TARGET_B = 250_000, 100_000  # points per second, timed as LEAN does, on a 2-core machine

MONTHLY_REBALANCE = '''
from AlgorithmImports import *


class MonthlyEqualWeight(QCAlgorithm):
    def initialize(self):
        self.set_start_date(1996, 1, 1)
        self.set_end_date(2020, 12, 31)
        self.set_cash(1000000)
        self.tickers = [self.add_equity(t, Resolution.DAILY).symbol for t in TICKERS]
        self.schedule.on(self.date_rules.month_start(self.tickers[0]), self.time_rules.after_market_open(self.tickers[0], 30),
                         self.rebalance)

    def rebalance(self):
        weight = 1.0 / len(self.tickers)
        self.set_holdings([PortfolioTarget(symbol, weight) for symbol in self.tickers])
'''

PAIR_TRADE = '''
from AlgorithmImports import *


class SecondPairTrade(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2021, 3, 1)
        self.set_end_date(2021, 3, 5)
        self.set_cash(100000)
        self.a = self.add_equity("AAA", Resolution.SECOND).symbol
        self.b = self.add_equity("BBB", Resolution.SECOND).symbol
        self.mean_ratio = SimpleMovingAverage(300)

    def on_data(self, data):
        if not (data.contains_key(self.a) and data.contains_key(self.b)):
            return
        ratio = data[self.a].close / data[self.b].close
        self.mean_ratio.update(data.time, ratio)
        if not self.mean_ratio.is_ready:
            return
        spread = ratio / self.mean_ratio.current.value - 1
        invested = self.portfolio[self.a].invested
        if not invested and abs(spread) > 0.002:
            side = -1 if spread > 0 else 1
            self.market_order(self.a, 100 * side)
            self.market_order(self.b, -100 * side)
        elif invested and abs(spread) < 0.0002:
            self.liquidate()
'''


MINUTE_HOLD = '''
from AlgorithmImports import *


class MinuteHold(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2021, 1, 4)
        self.set_end_date(2021, 12, 31)
        self.set_cash(100000)
        self.ticker = self.add_equity("CCC", Resolution.MINUTE).symbol

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings(self.ticker, 1.0)
'''


def monthly_rebalance_source(first_year: int) -> str:
    """Case (a)'s algorithm, from January 1 of `first_year` to the end of 2020."""
    tickers = "_TICKERS = " + repr(DAILY_TICKERS) + "\n"
    return (MONTHLY_REBALANCE.replace("TICKERS", "_TICKERS")
            .replace("from AlgorithmImports import *\n", "from AlgorithmImports import *\n" + tickers)
            .replace("set_start_date(1996, 1, 1)", f"set_start_date({first_year}, 1, 1)"))


def _zip(path: Path, entry: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(entry, text)


def _trading_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _daily_csv(rng: np.random.Generator, days: list[date]) -> str:
    closes = 50 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, len(days))))
    buffer = io.StringIO()
    for day, close in zip(days, closes, strict=True):
        price = int(close * 10000)
        buffer.write(f"{day:%Y%m%d} 00:00,{price},{int(price * 1.01)},{int(price * 0.99)},{price},100000\n")
    return buffer.getvalue()


def _hour_csv(rng: np.random.Generator, days: list[date]) -> str:
    buffer = io.StringIO()
    price = 1000000
    for day in days:
        for hour in range(9, 16):
            price = max(10000, int(price * (1 + rng.normal(0, 0.002))))
            buffer.write(f"{day:%Y%m%d} {hour:02d}:00,{price},{price},{price},{price},1000\n")
    return buffer.getvalue()


def _second_quotes(rng: np.random.Generator, start_price: float) -> str:
    mids = start_price * np.exp(np.cumsum(rng.normal(0, 0.0002, SESSION_SECONDS)))
    milliseconds = (9 * 3600 + 30 * 60 + np.arange(SESSION_SECONDS)) * 1000
    bid = (mids * 0.9999 * 10000).astype(np.int64)
    ask = (mids * 1.0001 * 10000).astype(np.int64)
    rows = [f"{ms},{b},{b},{b},{b},100,{a},{a},{a},{a},100" for ms, b, a in zip(milliseconds, bid, ask, strict=True)]
    return "\n".join(rows) + "\n"


def _minute_trades(rng: np.random.Generator, start_price: float) -> str:
    closes = (start_price * np.exp(np.cumsum(rng.normal(0, 0.0005, SESSION_MINUTES))) * 10000).astype(np.int64)
    milliseconds = (9 * 3600 + 30 * 60 + 60 * np.arange(SESSION_MINUTES)) * 1000
    rows = [f"{ms},{close},{int(close * 1.0005)},{int(close * 0.9995)},{close},1000"
            for ms, close in zip(milliseconds, closes, strict=True)]
    return "\n".join(rows) + "\n"


def generate(data_folder: Path) -> None:
    """LEAN-format synthetic data: daily equities, an hourly SPY benchmark, second quotes for a pair, a year of
    minute trades for one equity."""
    rng = np.random.default_rng(7)
    days = _trading_days(DAILY_START - timedelta(days=10), DAILY_END)
    equity = data_folder / "equity" / "usa"
    for ticker in DAILY_TICKERS:
        _zip(equity / "daily" / f"{ticker.lower()}.zip", f"{ticker.lower()}.csv", _daily_csv(rng, days))
    _zip(equity / "daily" / "spy.zip", "spy.csv", _daily_csv(rng, days))
    _zip(equity / "hour" / "spy.zip", "spy.csv", _hour_csv(rng, days))
    for ticker, price in zip(PAIR, (40.0, 60.0), strict=True):
        for day in WEEK:
            _zip(equity / "second" / ticker.lower() / f"{day:%Y%m%d}_quote.zip",
                 f"{day:%Y%m%d}_{ticker.lower()}_second_quote.csv", _second_quotes(rng, price))
    ticker = MINUTE_TICKER.lower()
    for day in _trading_days(MINUTE_START, MINUTE_END):
        _zip(equity / "minute" / ticker / f"{day:%Y%m%d}_trade.zip", f"{day:%Y%m%d}_{ticker}_minute_trade.csv",
             _minute_trades(rng, 80.0))


def run_case(label: str, source: str, folder: Path, data_folder: Path, target: int | None = None) -> BacktestResult:
    """Backtest `source` as `label` and print its figures (and, given a `target` in points per second, whether this
    run reached it)."""
    algorithm = folder / f"{label}.py"
    algorithm.write_text(source)
    result = backtest(algorithm, data_folder=data_folder, write_results=False)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: status {result.status}, {result.data_points:,} data points in {result.seconds:.2f} s = "
          f"{result.points_per_second:,.0f} points/s (timed as LEAN does: after initialisation, before the final "
          f"statistics); whole run {result.wall_seconds:.2f} s = {result.data_points / result.wall_seconds:,.0f} "
          f"points/s; orders {len(result.orders)}; peak RSS so far {peak_mb:.0f} MB (this process; the run's "
          f"read-ahead worker process is not counted)")
    if target is not None:
        verdict = "reached" if result.points_per_second >= target else "not reached"
        print(f"  target {target:,} points/s: {verdict} in this run (a machine's speed moves between runs: compare "
              f"several)")
    if result.status != "Completed":
        print(result.stack_trace)
    return result


def describe_interpreter() -> str:
    """The interpreter and how it was built: figures are comparable for one build only (on the reference machine,
    pyenv's default build of 3.11.7, without profile-guided or link-time optimisation, used about 15% more CPU time
    on (a) than Debian's optimised 3.11.2)."""
    arguments = str(sysconfig.get_config_var("CONFIG_ARGS") or "").replace("'", "").split()
    flags = [flag for flag in ("--enable-optimizations", "--with-lto", "--enable-shared")
             if any(argument.startswith(flag) for argument in arguments)]
    return (f"Python {platform.python_version()} at {sys.executable}; of --enable-optimizations, --with-lto and "
            f"--enable-shared, configured with: {', '.join(flags) or 'none'} (a distribution may optimise without "
            f"these flags); read-ahead worker {'on' if read_ahead.is_enabled() else 'off'}")


def describe_compiled() -> str:
    """How many of the engine modules the runs imported came from a compiled build (`lean-offline compile`)."""
    loaded, imported = compiled_modules.loaded(), [name for name in engine_modules() if name in sys.modules]
    return (f"engine modules imported from a compiled build: {len(loaded)} of {len(imported)}"
            + ("" if loaded else " (pure Python: run `make compile`, or `python -m lean_offline compile`)"))


def _without(source: str, *lines: str) -> str:
    """`source` with each of `lines` (found verbatim) replaced by `pass` at its indentation."""
    for line in lines:
        if line not in source:
            raise ValueError(f"benchmark source has no line {line!r}")
        source = source.replace(line, line[:len(line) - len(line.lstrip())] + "pass")
    return source


def _parts(label: str, full: BacktestResult, without_orders: BacktestResult,
           data_only: BacktestResult | None = None, on_data_calls: int = 0) -> None:
    orders = len(full.orders)
    print(f"{label} by part (loop seconds, timed as LEAN does): data path, time steps and sampling "
          f"{(data_only or without_orders).seconds:.2f} s")
    if data_only is not None:
        on_data = without_orders.seconds - data_only.seconds
        print(f"  on_data: {on_data:.2f} s = {on_data / on_data_calls * 1e6:.1f} µs per call ({on_data_calls:,} calls)")
    order_seconds = full.seconds - without_orders.seconds
    print(f"  orders: {order_seconds:.2f} s = {order_seconds / orders * 1e3:.3f} ms per order ({orders:,} orders, "
          f"holding them included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    parser.add_argument("--years", type=int, default=FULL_YEARS,
                        help="run (a) over the last N years only (default: all 25)")
    parser.add_argument("--parts", action="store_true", help="also time each case without its orders (and (b) "
                        "without on_data) and print the cost of each part")
    parser.add_argument("--no-read-ahead", action="store_true", help="read every file in process (no worker parses "
                        "large day files ahead on the second core)")
    args = parser.parse_args()
    if args.no_read_ahead:
        read_ahead.set_enabled(False)
    print(describe_interpreter())
    with tempfile.TemporaryDirectory() as temporary:
        base = args.keep or Path(temporary)
        data_folder = base / "data"
        started = datetime.now()
        generate(data_folder)
        print(f"generated synthetic LEAN data in {(datetime.now() - started).total_seconds():.1f} s")
        monthly = monthly_rebalance_source(DAILY_END.year - args.years + 1)
        label_a = f"a_monthly_equal_weight_40x{args.years}y_daily"
        full_a = run_case(label_a, monthly, base, data_folder, target=TARGET_A if args.years == FULL_YEARS else None)
        full_b = run_case("b_pair_trade_2x1w_second_quotes", PAIR_TRADE, base, data_folder, target=TARGET_B)
        run_case("c_minute_hold_1x1y", MINUTE_HOLD, base, data_folder)
        print(describe_compiled())
        if args.parts:
            rebalance = "        self.set_holdings([PortfolioTarget(symbol, weight) for symbol in self.tickers])"
            _parts("(a)", full_a, run_case(label_a + "_without_orders", _without(monthly, rebalance), base, data_folder))
            trades = ("            self.market_order(self.a, 100 * side)", "            self.market_order(self.b, -100 * side)",
                      "            self.liquidate()")
            b_without_orders = _without(PAIR_TRADE, *trades)
            _parts("(b)", full_b, run_case("b_without_orders", b_without_orders, base, data_folder),
                   run_case("b_without_on_data", b_without_orders.replace("def on_data(", "def unused_on_data("), base,
                        data_folder), on_data_calls=len(WEEK) * SESSION_SECONDS)


if __name__ == "__main__":
    main()
