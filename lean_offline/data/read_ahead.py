"""A worker process that parses data files ahead of the backtest loop, on a second core.

LEAN reads its data on other threads than the algorithm's. A Python reader holds the interpreter lock for most of a
file's parse, so a thread would not overlap with the loop; a forked process does. The worker only runs pure tasks
(read and parse one file); whatever it cannot do cleanly comes back as None and the reader does it in process, so
warnings and results are the same with or without it.

The worker is forked when a run first needs it and shut down when the run ends (`shut_down`), so it runs the code
and holds the memory of that run's start only. It is not used where processes cannot be forked (outside Linux), in a
daemonic process (a `multiprocessing.Pool` worker may not have children), or when switched off; every file is then
read in process. It ignores Ctrl-C (the run stops in the parent) and ends with its parent.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

_PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent ends

_pool: ProcessPoolExecutor | None = None
_pool_owner = 0  # the process that made `_pool` (a forked child must not use its parent's)
_failed = False  # the worker could not be started or broke in this run: read in process until the run ends
_enabled = sys.platform.startswith("linux")


def set_enabled(enabled: bool) -> bool:
    """Switch reading ahead on or off for the reads that start afterwards; returns the previous setting."""
    global _enabled
    previous, _enabled = _enabled, bool(enabled)
    return previous


def is_enabled() -> bool:
    return _enabled


def _start_worker(parent: int) -> None:
    """In the worker: end with the parent (even when it is killed) and leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # no prctl: the pool's own shutdown still ends the worker
        pass
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(0)


def submit(task: Callable[..., Any], *arguments: Any) -> Future[Any] | None:
    """`task(*arguments)` started in the worker (forked when first needed in a run), or None when reading ahead is
    off, not possible here, or the worker cannot be started."""
    global _pool, _pool_owner, _failed
    if not _enabled or _failed:
        return None
    try:
        if _pool is None or _pool_owner != os.getpid():
            if multiprocessing.current_process().daemon:
                _failed = True
                return None
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_start_worker, initargs=(os.getpid(),))
            _pool_owner = os.getpid()
        return _pool.submit(task, *arguments)
    except Exception:  # noqa: BLE001 - no fork, no process left, a broken pool: the reader reads in process
        _failed = True
        return None


def take(future: Future[Any] | None) -> Any:
    """The task's result once the worker has it in hand (waiting for it to finish); None when there was no task, when
    it was still waiting in the pool's queue (it is withdrawn: doing the work in process is sooner; the pool hands
    the worker up to two tasks at a time, and those are waited for) or when it failed (the caller then does the work
    itself)."""
    if future is None or future.cancel():
        return None
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - the worker gone or a task's own error: the reader does the file in process
        return None


def shut_down() -> None:
    """End the worker, if this process has one, dropping the tasks not started (at the end of a run)."""
    global _pool, _failed
    pool, _pool, _failed = _pool, None, False
    if pool is not None and _pool_owner == os.getpid():
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def run_scope() -> Iterator[None]:
    """A run's use of the worker: shut down when the run ends, however it ends."""
    try:
        yield
    finally:
        shut_down()
