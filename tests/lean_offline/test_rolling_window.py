"""RollingWindow against LEAN's documented semantics (lean-semantics §F): hand cases and a list model."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.indicators import RollingWindow


def filled(size: int, values: list[Any]) -> RollingWindow:
    window: RollingWindow[Any] = RollingWindow(size)
    for value in values:
        window.add(value)
    return window


def test_newest_first_indexing_and_negative_indices() -> None:
    window = filled(3, ["a", "b", "c", "d", "e"])
    assert [window[0], window[1], window[2]] == ["e", "d", "c"]
    assert [window[-1], window[-2], window[-3]] == ["c", "d", "e"]
    assert list(window) == ["e", "d", "c"]
    assert window.count == 3 and len(window) == 3 and window.samples == 5


def test_index_before_oldest_slot_raises() -> None:
    window = filled(3, [1, 2])
    assert window[-3] is None  # within size, before the items held
    with pytest.raises(IndexError):
        window[-4]


def test_index_past_count_returns_default_without_growing() -> None:
    window = filled(4, [1, 2])
    assert window[2] is None and window[3] is None
    assert window.size == 4


def test_index_past_size_grows_the_window() -> None:
    window = filled(2, [1, 2, 3])
    assert window[4] is None
    assert window.size == 5 and window.count == 2
    window.add(4)
    window.add(5)
    window.add(6)
    assert list(window) == [6, 5, 4, 3, 2]


def test_typed_windows_default_like_lean() -> None:
    assert RollingWindow[float](3)[1] == 0.0
    assert RollingWindow[int](3)[0] == 0
    assert RollingWindow[object](3)[0] is None
    assert isinstance(RollingWindow[float](2), RollingWindow)
    assert RollingWindow[float] is RollingWindow[float]


def test_is_ready_and_most_recently_removed() -> None:
    window: RollingWindow[Any] = RollingWindow(2)
    window.add(1)
    assert not window.is_ready
    window.add(2)
    assert window.is_ready
    with pytest.raises(RuntimeError, match="No items have been removed yet"):
        _ = window.most_recently_removed
    window.add(3)
    assert window.most_recently_removed == 1
    window.add(4)
    assert window.most_recently_removed == 2


def test_most_recently_removed_survives_resizing() -> None:
    """Growing or shrinking moves no item out of the window's history: the last item removed stays the same until an
    add pushes another one out (read only while samples > size, as in LEAN)."""
    window = filled(2, [1, 2, 3])
    window.size = 4
    assert list(window) == [3, 2]
    with pytest.raises(RuntimeError, match="No items have been removed yet"):
        _ = window.most_recently_removed
    window.add(4)
    window.add(5)
    assert list(window) == [5, 4, 3, 2] and window.most_recently_removed == 1
    window.add(6)
    assert window.most_recently_removed == 2
    window.size = 2
    assert list(window) == [6, 5] and window.count == len(window) == 2 and window.most_recently_removed == 2
    window.size = 0
    assert list(window) == [] and window.count == 0 and window.most_recently_removed == 2
    window.add(7)
    assert list(window) == [] and window.most_recently_removed == 7 and window.samples == 7


def test_shrinking_keeps_the_newest() -> None:
    window = filled(4, [1, 2, 3, 4, 5, 6])
    window.size = 2
    assert list(window) == [6, 5]
    window.add(7)
    assert list(window) == [7, 6] and window.most_recently_removed == 5


def test_setitem_pads_with_defaults() -> None:
    window = RollingWindow[float](2)
    window[3] = 9.0
    assert window.size == 4 and window.count == 4 and window.samples == 4
    assert list(window) == [0.0, 0.0, 0.0, 9.0]
    window[-1] = 1.0  # from the oldest slot of the capacity
    assert window[3] == 1.0


def test_iteration_is_a_snapshot() -> None:
    window = filled(3, [1, 2, 3])
    seen = []
    for item in window:
        window.add(item * 10)
        seen.append(item)
    assert seen == [3, 2, 1]


def test_reset_clears_everything() -> None:
    window = filled(2, [1, 2, 3])
    window.reset()
    assert window.count == 0 and window.samples == 0 and not window.is_ready and list(window) == []
    with pytest.raises(RuntimeError):
        _ = window.most_recently_removed


def test_pascal_case_spellings() -> None:
    window = RollingWindow[float](2)
    window.Add(1.0)
    window.Add(2.0)
    assert window.IsReady and window.Count == 2 and window.Samples == 2 and window[0] == 2.0
    window.Size = 3
    assert window.size == 3
    with pytest.raises(AttributeError):  # reported as unsupported by the runner (tests/lean_offline/test_naming.py)
        _ = window.NoSuchMember


def test_bad_sizes_and_indices_are_named() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        RollingWindow(-1)
    with pytest.raises(TypeError, match="size must be an int"):
        RollingWindow(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="indices must be integers"):
        RollingWindow(2)["0"]  # type: ignore[index]


class ListModel:
    """The newest-first list LEAN's RollingWindow behaves as."""

    def __init__(self, size: int) -> None:
        self.items: list[Any] = []
        self.size = size
        self.samples = 0
        self.removed: Any = None

    def add(self, item: Any) -> None:
        self.samples += 1
        self.items.insert(0, item)
        if len(self.items) > self.size:
            self.removed = self.items.pop()

    def get(self, index: int) -> Any:
        if index < 0:
            if self.size + index < 0:
                raise IndexError
            index += len(self.items)
            if index < 0:
                return None
        if index >= len(self.items):
            self.size = max(self.size, index + 1)
            return None
        return self.items[index]

    def set(self, index: int, value: Any) -> None:
        if index < 0:
            if self.size + index < 0:
                raise IndexError
            index += self.size
        if index >= len(self.items):
            self.size = max(self.size, index + 1)
            while len(self.items) <= index:
                self.add(None)
        self.items[index] = value

    def resize(self, size: int) -> None:
        self.items = self.items[:size]
        self.size = size


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(-1000, 1000)),
        st.tuples(st.just("get"), st.integers(-12, 12)),
        st.tuples(st.just("set"), st.integers(-12, 12)),
        st.tuples(st.just("resize"), st.integers(0, 8)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(size=st.integers(0, 6), ops=operations)
def test_matches_the_list_model(size: int, ops: list[tuple[str, int]]) -> None:
    window: RollingWindow[Any] = RollingWindow(size)
    model = ListModel(size)
    for step, (operation, argument) in enumerate(ops):
        if operation == "add":
            window.add(argument)
            model.add(argument)
        elif operation == "resize":
            window.size = argument
            model.resize(argument)
        else:
            try:
                if operation == "get":
                    expected = model.get(argument)
                else:
                    model.set(argument, step)
            except IndexError:
                with pytest.raises(IndexError):
                    if operation == "get":
                        window[argument]
                    else:
                        window[argument] = step
                continue
            if operation == "get":
                assert window[argument] == expected
            else:
                window[argument] = step
        assert list(window) == model.items
        assert (window.size, window.count, window.samples) == (model.size, len(model.items), model.samples)
        assert window.is_ready == (model.samples >= model.size)
        if model.samples > model.size and model.size > 0 and operation == "add":
            assert window.most_recently_removed == model.removed
