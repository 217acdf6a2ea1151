"""The indicators' shortcuts against the plain protocol: a window built only when first read must hold what a window
kept from the start holds, whatever updates, resets and reads came before."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lean_offline.data.symbol import Symbol
from lean_offline.enums import SecurityType
from lean_offline.indicators import Identity, IndicatorBase, IndicatorDataPoint, SimpleMovingAverage

START = datetime(2021, 3, 1, 9, 30)

# ("update", value) feeds one value a second after the last; ("reset", 0) resets; ("read", 0) reads the window
operations = st.lists(st.one_of(st.tuples(st.just("update"), st.floats(-1e3, 1e3)),
                                st.tuples(st.sampled_from(["reset", "read"]), st.just(0.0))), max_size=30)


def state(indicator: IndicatorBase) -> tuple[Any, ...]:
    return (indicator.current.time, indicator.current.value, indicator.previous.time, indicator.previous.value,
            indicator.samples)


def window_state(indicator: IndicatorBase) -> tuple[Any, ...]:
    window = indicator.window
    return [(point.time, point.value) for point in window], window.count, window.samples, window.size


def apply(indicator: IndicatorBase, operation: str, value: float, time: datetime) -> None:
    if operation == "update":
        indicator.update(time, value)
    elif operation == "reset":
        indicator.reset()
    else:
        window_state(indicator)


@given(operations)
def test_a_window_built_on_first_read_holds_what_an_early_one_holds(steps: list[tuple[str, float]]) -> None:
    eager, lazy = SimpleMovingAverage(3), SimpleMovingAverage(3)
    window_state(eager)
    for second, (operation, value) in enumerate(steps):
        time = START + timedelta(seconds=second)
        apply(eager, operation, value, time)
        apply(lazy, operation, value, time)
        assert state(lazy) == state(eager)
    assert window_state(lazy) == window_state(eager)


@given(st.lists(st.floats(-1e3, 1e3), max_size=10), st.lists(st.floats(-1e3, 1e3), max_size=10))
def test_the_lazy_window_of_an_identity_holds_the_last_two_values_since_reset(before: list[float],
                                                                              after: list[float]) -> None:
    """An Identity publishes its inputs, so its window (size 2) is the last two inputs after the zero point."""
    identity = Identity("x")
    for second, value in enumerate(before):
        identity.update(START + timedelta(seconds=second), value)
    identity.reset()
    times = [START + timedelta(seconds=len(before) + second) for second in range(len(after))]
    for time, value in zip(times, after, strict=True):
        identity.update(time, value)
    published = [(datetime.min, 0.0), *zip(times, after, strict=True)]
    assert window_state(identity) == (published[::-1][:2], min(2, len(published)), len(published), 2)
    assert (identity.previous.time, identity.previous.value) == (published[-2] if len(published) > 1
                                                                 else (datetime.min, 0.0))


# (seconds after START, value): times may repeat or go backwards, which the forward-only rule must ignore
timed_values = st.lists(st.tuples(st.integers(0, 20), st.floats(-1e3, 1e3)), max_size=40)


@given(timed_values)
def test_a_value_only_indicator_fed_time_and_value_matches_the_point_path_and_pandas(steps: list[tuple[int, float]]
                                                                                    ) -> None:
    """`update(time, value)` on an SMA skips the input point; it must agree with feeding IndicatorDataPoints (the
    forward-only rule then compares points as well as times) and with pandas' rolling mean of the accepted inputs."""
    by_value, by_point = SimpleMovingAverage(4), SimpleMovingAverage(4)
    accepted: list[float] = []
    latest: datetime | None = None
    for seconds, value in steps:
        time = START + timedelta(seconds=seconds)
        ready = by_value.update(time, value)
        assert by_point.update(IndicatorDataPoint(time, value)) == ready
        assert state(by_value) == state(by_point)
        if latest is None or time >= latest:
            latest = time
            accepted.append(value)
    assert by_value.samples == len(accepted)
    if accepted:
        expected = pd.Series(accepted).rolling(4, min_periods=1).mean().iloc[-1]
        assert abs(by_value.current.value - expected) <= 1e-9 * max(1.0, abs(expected))


def test_the_very_same_point_fed_twice_counts_once_and_a_fresh_value_at_the_same_time_counts() -> None:
    sma = SimpleMovingAverage(3)
    point = IndicatorDataPoint(START, 2.0)
    sma.update(point)
    sma.update(point)
    assert sma.samples == 1
    sma.update(START, 4.0)
    assert (sma.samples, sma.current.value) == (2, 3.0)
    sma.update(START - timedelta(seconds=1), 100.0)
    assert (sma.samples, sma.current.value) == (2, 3.0)


def test_the_forward_only_rule_keeps_one_record_per_symbol_rewritten_in_place() -> None:
    """Each symbol's last input is checked on its own: an input older than its own symbol's last is ignored, one
    older than another symbol's last is not; the same object again is ignored only right after itself."""
    spy, ibm = Symbol.create("SPY", SecurityType.EQUITY, "usa"), Symbol.create("IBM", SecurityType.EQUITY, "usa")
    sma = SimpleMovingAverage(10)
    late_spy = IndicatorDataPoint(spy, START + timedelta(minutes=2), 1.0)
    early_ibm = IndicatorDataPoint(ibm, START, 2.0)
    sma.update(late_spy)
    sma.update(early_ibm)  # older than SPY's last input, but IBM's first
    sma.update(IndicatorDataPoint(spy, START + timedelta(minutes=1), 50.0))  # older than SPY's last: ignored
    sma.update(late_spy)  # SPY's last input again: ignored
    assert (sma.samples, sma.current.value) == (2, 1.5)
    later_ibm = IndicatorDataPoint(ibm, START + timedelta(minutes=1), 3.0)
    sma.update(later_ibm)
    sma.update(early_ibm)  # older than IBM's rewritten record: ignored
    sma.update(IndicatorDataPoint(spy, START + timedelta(minutes=2), 4.0))  # SPY's time again, a new object
    sma.update(late_spy)  # no longer SPY's last object, at SPY's last time: accepted
    assert (sma.samples, sma.current.value) == (5, (1.0 + 2.0 + 3.0 + 4.0 + 1.0) / 5)
    sma.reset()
    sma.update(early_ibm)
    sma.update(late_spy)
    assert (sma.samples, sma.current.value) == (2, 1.5)
