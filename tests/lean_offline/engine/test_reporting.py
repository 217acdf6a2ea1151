"""The result state's StartTime: the run's wall-clock start, not the end minus the (loop-only) seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from lean_offline.engine.reporting import run_start_utc

FINISHED = datetime(2026, 3, 4, 12, 0, 30)


def test_an_explicit_naive_start_is_taken_as_utc() -> None:
    started = datetime(2026, 3, 4, 11, 59, 0)
    assert run_start_utc(started, FINISHED, seconds=5.0) == started


def test_an_aware_start_is_converted_to_naive_utc() -> None:
    started = datetime(2026, 3, 4, 13, 59, 0, tzinfo=timezone(timedelta(hours=2)))
    assert run_start_utc(started, FINISHED, seconds=5.0) == datetime(2026, 3, 4, 11, 59, 0)
    assert run_start_utc(datetime(2026, 3, 4, 11, 0, tzinfo=UTC), FINISHED, 5.0) == datetime(2026, 3, 4, 11, 0)


def test_without_a_start_the_loop_seconds_are_subtracted_from_the_end() -> None:
    assert run_start_utc(None, FINISHED, seconds=2.5) == datetime(2026, 3, 4, 12, 0, 27, 500000)
