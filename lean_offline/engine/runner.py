"""The backtest runner: load the algorithm, run LEAN's per-time-step loop (lean-semantics §E), collect results.

Per time slice, in LEAN's order: (1) scheduled events whose time has passed, with the clock at each event's time and
the previous prices; (2) clock to the slice time; (3) security prices updated (fill-forward points never update the
price cache), warm-up end detected; (4) pending orders filled on the new prices; (5) events due now, then dividends
and splits applied (corporate_events); (6) consolidators and registered indicators, then on_splits/on_dividends; (7)
on_data when the slice holds user data; (8) new market orders filled, intraday equity sampling. The midnight "Daily Sampling" samples interleave with user events in time order, after
user events of the same instant. A slice of an internal feed's point alone, when no order waits, no event is due, no
consolidator scans the time and warm-up is over, does (2), (3) and the equity sampling only: nothing else can happen.
"""

from __future__ import annotations

import gc
import importlib.util
import inspect
import sys
import time as wall_clock
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from ..api import BacktestResult
from ..data import read_ahead
from ..data.market import BaseData, MarketDataType
from ..data.symbol import symbol_cache
from ..naming import undefined_name_message, unsupported_member_message
from . import wiring
from .algorithm import QCAlgorithm, find_user_callback
from .algorithm_imports import installed_algorithm_imports
from .config import SubscriptionDataConfig
from .corporate_events import CorporateEventHandler
from .feed import FILL, ROW, Member, merge_steps
from .globals import Globals
from .project import Project, ProjectError
from .slice import Slice

_ONE_DAY = timedelta(days=1)
_AUXILIARY = MarketDataType["AUXILIARY"]


class AlgorithmLoadError(ProjectError):
    """The algorithm file has no QCAlgorithm subclass."""


@contextmanager
def _sys_path(paths: tuple[Path, ...]) -> Iterator[None]:
    added = [str(p) for p in paths if str(p) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for entry in added:
            if entry in sys.path:
                sys.path.remove(entry)


_LOOP_COLLECTION_THRESHOLDS = (50_000, 20, 20)
"""Cyclic-garbage collector thresholds while the loop runs: every bar, event and order it makes is a container the
default threshold (700) would scan again and again, although they rarely form cycles."""


@contextmanager
def _loop_garbage_collection() -> Iterator[None]:
    """The objects alive when the loop starts (modules, the algorithm, securities) frozen out of the collector's
    scans (unless the caller froze objects itself) and young collections made rarer; both undone when the loop ends,
    so the caller's process is left as it was (the thresholds are process-wide: runs in one process take turns)."""
    thresholds = gc.get_threshold()
    freezing = gc.get_freeze_count() == 0  # a caller's own frozen objects stay frozen
    if freezing:
        gc.freeze()
    gc.set_threshold(*_LOOP_COLLECTION_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()


def _raised_in(error: BaseException, roots: tuple[Path, ...]) -> bool:
    """Whether the innermost frame of `error`'s traceback runs code of a file under one of `roots` that is not the
    engine's (told by module name: compiled engine frames carry relative file names)."""
    innermost = error.__traceback__
    if innermost is None:
        return False
    while innermost.tb_next is not None:
        innermost = innermost.tb_next
    frame = innermost.tb_frame
    if str(frame.f_globals.get("__name__", "")).startswith("lean_offline."):
        return False
    where = Path(frame.f_code.co_filename)
    return where.is_absolute() and any(where.resolve().is_relative_to(root.resolve()) for root in roots)


def _load_module(algorithm_file: Path) -> ModuleType:
    module_name = f"lean_offline_algorithm_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(module_name, algorithm_file)
    if spec is None or spec.loader is None:
        raise AlgorithmLoadError(f"{algorithm_file}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # removed by run_backtest when the run ends
    spec.loader.exec_module(module)
    return module


def find_algorithm_class(module: ModuleType, source: Path) -> type[QCAlgorithm]:
    """The first QCAlgorithm subclass defined in the module (LEAN's loader picks the algorithm class this way)."""
    candidates = [obj for obj in vars(module).values()
                  if inspect.isclass(obj) and issubclass(obj, QCAlgorithm) and obj.__module__ == module.__name__]
    if not candidates:
        raise AlgorithmLoadError(f"{source}: no class deriving from QCAlgorithm was found")
    return candidates[0]


class _Callbacks:
    """The user's overrides, looked up once (snake_case first, then PascalCase)."""

    def __init__(self, algorithm: QCAlgorithm) -> None:
        self.on_data = find_user_callback(algorithm, "on_data")
        self.on_order_event = find_user_callback(algorithm, "on_order_event")
        self.on_end_of_algorithm = find_user_callback(algorithm, "on_end_of_algorithm")
        self.on_warmup_finished = find_user_callback(algorithm, "on_warmup_finished")
        self.on_splits = find_user_callback(algorithm, "on_splits")
        self.on_dividends = find_user_callback(algorithm, "on_dividends")
        end_of_day = find_user_callback(algorithm, "on_end_of_day")
        self.on_end_of_day = end_of_day
        self.end_of_day_takes_symbol = bool(end_of_day) and len(
            inspect.signature(end_of_day).parameters) >= 1  # type: ignore[arg-type]


def user_defined_universe_count(configs: list[tuple[SubscriptionDataConfig, Any]]) -> int:
    """LEAN files the securities an algorithm adds itself in one user-defined universe per (security type, market);
    the selection feed of each emits one data point, at its start, which LEAN counts with the others."""
    return len({(config.security_type, config.market) for config, _security in configs if not config.is_internal_feed})


class BacktestLoop:
    """One run of the time-step loop over a fully initialised context."""

    def __init__(self, context: wiring.EngineContext, algorithm: QCAlgorithm, callbacks: _Callbacks) -> None:
        self.context = context
        self.algorithm = algorithm
        self.callbacks = callbacks
        self.data_points = 0
        self.last_slice_utc: datetime | None = None
        self._start_sampled = False

    # -- sampling -------------------------------------------------------------------------------------------
    def _sample(self, utc_time: datetime) -> None:
        context = self.context
        warming_up = self.algorithm.is_warming_up
        is_start = utc_time == context.start_utc
        self._start_sampled = self._start_sampled or (is_start and not warming_up)
        context.results.sample(utc_time, context.portfolio_value(), context.benchmark_value(utc_time),
                               context.total_sale_volume(), is_start=is_start, warming_up=warming_up)

    def _schedule_end_of_day(self) -> None:
        """on_end_of_day(symbol) fires 10 minutes before each user security's close (on_end_of_day() once, for the
        first security), as LEAN's real-time handler schedules it."""
        handler = self.callbacks.on_end_of_day
        if handler is None:
            return
        schedule = self.context.schedule
        symbols = []
        for config, _security in self.context.configs:
            if not config.is_custom_data and config.symbol not in symbols:
                symbols.append(config.symbol)
        if not self.callbacks.end_of_day_takes_symbol:
            symbols = symbols[:1]
        for symbol in symbols:
            callback = (lambda s=symbol: handler(s)) if self.callbacks.end_of_day_takes_symbol else handler
            schedule.on(schedule.date_rules.every_day(symbol), schedule.time_rules.before_market_close(symbol, 10),
                        callback, name=f"OnEndOfDay: {symbol}")

    def _on_daily_sampling(self, _name: str, event_utc: datetime) -> None:
        self._sample(event_utc)

    # -- the loop -------------------------------------------------------------------------------------------
    def run(self) -> None:
        context = self.context
        algorithm = self.algorithm
        transactions = context.transactions
        process_orders = transactions.process_synchronous_events
        end_time_step = context.results.on_time_step_end
        portfolio_value = context.portfolio_value
        start_utc = context.start_utc
        schedule = context.schedule
        self._schedule_end_of_day()
        schedule.add_daily_sampling(self._on_daily_sampling)
        set_clock = algorithm.set_date_time
        consolidate = context.consolidation_handlers
        on_data = self.callbacks.on_data
        first_utc = context.first_utc
        # per subscription index, looked up once: the cache that takes its points and whether they reach the algorithm
        feeds = [(sub.security.cache, not sub.config.is_internal_feed, sub.security) for sub in context.subscriptions]
        add_rows = [cache.add_row for cache, _is_user_feed, _security in feeds]
        user_feeds = [is_user_feed for _cache, is_user_feed, _security in feeds]
        corporate = CorporateEventHandler(algorithm, self.callbacks.on_splits, self.callbacks.on_dividends)
        if not algorithm.is_warming_up and self.callbacks.on_warmup_finished is not None:
            # as LEAN's data stream does before its first time slice when there is no warm-up period
            self.callbacks.on_warmup_finished()
            if algorithm._quit_requested:
                self.data_points = user_defined_universe_count(context.configs)
                return
        data_points = 0
        user_points: list[BaseData] | None
        corporate_events: list[Any] | None
        try:
            for slice_utc, members in merge_steps(context.subscriptions):
                if slice_utc < first_utc:
                    # the benchmark feed starts a bar early (internal data only): prices, no time step
                    for index, segment, position in members:
                        feeds[index][2].update(segment.point(position))
                    data_points += len(members)
                    continue
                if len(members) == 1 and slice_utc < schedule.next_due_utc:
                    # a step of an internal feed's row alone (the hourly benchmark beside daily data: six steps a
                    # day) changes only its price, the clock and the equity bar when no order can fill, no event is
                    # due, no consolidator scans the time and warm-up is over
                    index, segment, position = members[0]
                    if (not user_feeds[index] and segment.kinds[position] == ROW and not context.scanned_consolidators
                            and not algorithm.is_warming_up and not transactions.has_pending):
                        set_clock(slice_utc)
                        add_rows[index](segment.block, segment.rows[position], None, False)
                        end_time_step(slice_utc, portfolio_value(), False)
                        data_points += 1
                        self.last_slice_utc = slice_utc
                        continue
                if algorithm.is_warming_up and slice_utc > start_utc:
                    # LEAN's synchroniser sends a time pulse at the start when the first slice after the warm-up
                    # lies past it: the events before the start fire, the warm-up finishes at the start, and the
                    # slice's events after the start run with trading allowed
                    if start_utc > schedule.next_due_utc:
                        schedule.scan_past_events(start_utc, set_clock)
                    if context.scanned_consolidators:
                        context.scan_consolidators(start_utc, before=True)
                    set_clock(start_utc)
                    self.last_slice_utc = start_utc  # the pulse's time: a quit() now samples there at the end
                    self._finish_warm_up()
                    if algorithm._quit_requested:
                        break
                if slice_utc > schedule.next_due_utc:
                    schedule.scan_past_events(slice_utc, set_clock)
                set_clock(slice_utc)
                ends_warm_up = algorithm.is_warming_up and slice_utc >= start_utc
                # bar objects only when something can see them: on_data or a consolidator
                if on_data is not None or consolidate:
                    user_points, corporate_events = self._update_with_points(members, feeds)
                else:  # nobody observes the step's bars: the caches take the rows' prices (a bar is built only if
                    # somebody asks the cache for it) and fill-forward points need no work at all
                    user_points = corporate_events = None
                    others: list[Member] | None = None
                    for member in members:
                        index, segment, position = member
                        kind = segment.kinds[position]
                        if kind == ROW:
                            add_rows[index](segment.block, segment.rows[position], None, user_feeds[index])
                        elif kind != FILL:
                            if others is None:
                                others = []
                            others.append(member)
                    if others:
                        corporate_events = self._update_with_points(others, feeds)[1]
                if ends_warm_up:  # a slice at the start: after its prices, as LEAN notifies, before any user code
                    self._finish_warm_up()
                process_orders(slice_utc)
                if slice_utc >= schedule.next_due_utc:
                    schedule.set_time(slice_utc)
                scanned = context.scanned_consolidators
                if scanned:
                    context.scan_consolidators(slice_utc, before=True)
                if corporate_events:
                    corporate.apply(corporate_events)
                if user_points is None and consolidate:  # a consolidator added since the prices were updated
                    user_points = [segment.point(position) for index, segment, position in members
                                   if feeds[index][1]]
                if user_points:
                    if consolidate:
                        for point in user_points:
                            handlers = consolidate.get(point.symbol)
                            if handlers and point.data_type is not _AUXILIARY:
                                for handler in handlers:
                                    handler(point)
                    if scanned:
                        context.scan_consolidators(slice_utc)
                    if corporate_events:
                        corporate.notify(corporate_events)
                    if on_data is not None:
                        on_data(Slice(algorithm.time, user_points))
                else:
                    if scanned:
                        context.scan_consolidators(slice_utc)
                    if corporate_events:  # nobody observes the step's bars, but on_splits/on_dividends see these
                        corporate.notify(corporate_events)
                process_orders(slice_utc)
                end_time_step(slice_utc, portfolio_value(), algorithm.is_warming_up)
                data_points += len(members)
                self.last_slice_utc = slice_utc
                if algorithm._quit_requested:
                    break
        finally:
            self.data_points = data_points + user_defined_universe_count(context.configs)
        if algorithm.is_warming_up and not algorithm._quit_requested:  # LEAN stops without ending the warm-up
            self._finish_warm_up()

    def _update_with_points(self, members: list[Member],
                            feeds: list[tuple[Any, bool, Any]]) -> tuple[list[BaseData], list[Any] | None]:
        """Security prices from a time step's points (fill-forward points never update them); returns the points
        that reach the algorithm and the step's corporate events. Only the points of user feeds are observed by the
        trade builder's recorders: the benchmark's own feed must not move a traded security's trades."""
        corporate_events: list[Any] | None = None
        user_points: list[BaseData] = []
        for index, segment, position in members:
            cache, is_user_feed, _security = feeds[index]
            if segment.kinds[position] == ROW:
                # the cache takes the row's prices as the block computed them, and keeps the bar the algorithm sees
                block, row = segment.block, segment.rows[position]
                if not is_user_feed:  # nobody sees an internal feed's bars: built if the cache is asked for one
                    cache.add_row(block, row, None, False)
                    continue
                point = block.bar(row)  # type: ignore[union-attr]  # a ROW point has a block
                cache.add_row(block, row, point, True)
            elif not (point := segment.point(position)).is_fill_forward and point.data_type is not _AUXILIARY:
                if is_user_feed:
                    cache.add_observed_data(point)
                else:
                    cache.add_data(point)
            elif point.data_type is _AUXILIARY and is_user_feed:
                if corporate_events is None:
                    corporate_events = []
                corporate_events.append(point)
            if is_user_feed:
                user_points.append(point)
        return user_points, corporate_events

    def _finish_warm_up(self) -> None:
        context = self.context
        algorithm = self.algorithm
        algorithm.is_warming_up = False
        context.results.set_starting_capital(context.portfolio_value())
        if self.callbacks.on_warmup_finished is not None:
            self.callbacks.on_warmup_finished()
        if context.had_warm_up and not self._start_sampled:
            self._start_sampled = True
            context.results.sample(context.start_utc, context.portfolio_value(),
                                   context.benchmark_value(context.start_utc), context.total_sale_volume(),
                                   is_start=True)

    def finish(self) -> None:
        """on_end_of_algorithm, then the final sample at the last slice time."""
        if self.callbacks.on_end_of_algorithm is not None:
            self.callbacks.on_end_of_algorithm()
        final_utc = self.last_slice_utc or self.context.start_utc
        self.algorithm.set_date_time(final_utc)
        self.context.results.sample(final_utc, self.context.portfolio_value(),
                                    self.context.benchmark_value(final_utc), self.context.total_sale_volume())


def run_backtest(project: Project, data_folder: Path, parameters: dict[str, str],
                 output_dir: Path | None) -> BacktestResult:
    """Run `project` against `data_folder`; never raises for algorithm errors (status RuntimeError instead).

    `seconds` is timed as LEAN times it (from the end of initialisation to the end of the algorithm, without the
    final statistics); `wall_seconds` is the whole run."""
    started = wall_clock.perf_counter()
    started_at = datetime.now(UTC)
    symbol_cache.clear()
    Globals.set_data_folder(str(data_folder))
    storage_root = (project.workspace_root or project.project_dir) / "storage"
    context = wiring.EngineContext(data_folder, parameters, storage_root, project.name)
    status, error, stack = "Completed", "", ""
    loop_seconds: float | None = None
    loop: BacktestLoop | None = None
    algorithm: QCAlgorithm | None = None
    modules_before = set(sys.modules)
    with _sys_path(project.library_paths + (project.project_dir,)), installed_algorithm_imports(), \
            wiring.context_scope(context), read_ahead.run_scope():
        try:
            module = _load_module(project.algorithm_file)
            algorithm_class = find_algorithm_class(module, project.algorithm_file)
            algorithm = algorithm_class()
            callbacks = _Callbacks(algorithm)
            initialize = find_user_callback(algorithm, "initialize") or algorithm.initialize
            initialize()
            context.finish_initialization(algorithm, callbacks.on_order_event)
            loop = BacktestLoop(context, algorithm, callbacks)
            loop_started = wall_clock.perf_counter()
            with _loop_garbage_collection():
                if not algorithm._quit_requested:  # quit() inside initialize ends the run before any data
                    loop.run()
                loop.finish()
            loop_seconds = wall_clock.perf_counter() - loop_started
        except ProjectError:
            raise
        except Exception as exc:  # the algorithm failed: LEAN reports RuntimeError with the stack trace
            unsupported = unsupported_member_message(exc)
            user_code = _raised_in(exc, project.library_paths + (project.project_dir,))
            undefined = undefined_name_message(exc) if user_code else None
            status, error = "RuntimeError", unsupported or undefined or f"{type(exc).__name__}: {exc}"
            stack = (traceback.format_exc() if unsupported is None else
                     "Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc.__traceback__))
                     + unsupported + "\n")
            context.log_line(f"Runtime Error: {error}")
            context.log_line(stack)
        for name in set(sys.modules) - modules_before:
            if name.startswith("lean_offline_algorithm_"):
                del sys.modules[name]
    data_points = loop.data_points if loop is not None else 0
    result = context.build_result(status, error, stack, data_points, loop_seconds or 0.0, output_dir, algorithm,
                                  started_at)
    result.wall_seconds = wall_clock.perf_counter() - started
    return result


__all__ = ["run_backtest", "find_algorithm_class", "BacktestLoop"]
