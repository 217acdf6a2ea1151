"""A worker process that parses data files ahead of the backtest loop, on a second core.

LEAN reads its data on other threads than the algorithm's. A Python reader holds the interpreter lock for most of a
file's parse, so a thread would not overlap with the loop; a forked process does. The worker only runs pure tasks
(read and parse one file); whatever it cannot do cleanly comes back as None and the reader does it in process, so
warnings and results are the same with or without it. Used where processes can be forked (Linux); elsewhere, or
when switched off, every file is read in process.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_pool: ProcessPoolExecutor | None = None
_enabled = sys.platform.startswith("linux")


def set_enabled(enabled: bool) -> bool:
    """Switch reading ahead on or off for the reads that start afterwards; returns the previous setting."""
    global _enabled
    previous, _enabled = _enabled, bool(enabled)
    return previous


def is_enabled() -> bool:
    return _enabled


def submit(task: Callable[..., Any], *arguments: Any) -> Future[Any] | None:
    """`task(*arguments)` started in the worker (forked when first needed), or None when reading ahead is off or the
    worker cannot be started."""
    global _pool, _enabled
    if not _enabled:
        return None
    try:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        return _pool.submit(task, *arguments)
    except (OSError, RuntimeError, ValueError):  # no fork, no process left, a broken pool: read in process
        _enabled = False
        return None


def take(future: Future[Any] | None) -> Any:
    """The task's result when the worker has started it (waiting for it to finish); None when there was no task, when
    it had not started (it is withdrawn: doing the work in process is sooner) or when it failed (the caller then
    does the work itself)."""
    if future is None or future.cancel():
        return None
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - the worker gone or a task's own error: the reader does the file in process
        return None
