"""The indicators' shortcuts against the plain protocol: a window built only when first read must hold what a window
kept from the start holds, whatever updates, resets and reads came before."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lean_offline.indicators import Identity, IndicatorBase, SimpleMovingAverage

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
