"""LEAN's RollingWindow: a fixed-capacity ring buffer indexed newest-first (Common/Indicators/RollingWindow.cs).

`window[0]` is the most recent item, `window[count - 1]` the oldest; negative indices count from the oldest
(`window[-1]` is the oldest). Reading past `count` returns the default value, and past `size - 1` also grows the
window. `RollingWindow[float](n)` defaults missing items to 0.0 as LEAN's value-type windows do; object windows
(`RollingWindow[TradeBar](n)`, `RollingWindow(n)`) default to None.

One deliberate difference: LEAN keeps its ring order when a *full, wrapped* window is grown and then appended to,
which scrambles the newest-first order; here growing first restores oldest→newest order, so indexing stays right.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar

from ..naming import DualCase

INDEX_OUT_OF_SIZE_RANGE = "Index must be a non-negative integer"
NO_ITEMS_REMOVED_YET = "No items have been removed yet!"

_VALUE_TYPE_DEFAULTS: dict[Any, Any] = {float: 0.0, int: 0, bool: False}

T = TypeVar("T")


class RollingWindow(DualCase, Generic[T]):
    """Newest-first window over the last `size` items added; O(1) `add` and indexing at either end.

    The items live oldest→newest in a deque bounded at `size + 1`, so that adding is one append: the extra, oldest
    slot, when filled, holds the item that fell off last. `_removed` keeps that item across a resize.
    """

    __slots__ = ("_items", "_size", "_samples", "_removed")

    _default: ClassVar[Any] = None
    _generic_cache: ClassVar[dict[Any, type[RollingWindow[Any]]]] = {}

    def __init__(self, size: int) -> None:
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"RollingWindow size must be an int, got {type(size).__name__} {size!r}")
        if size < 0:
            raise ValueError("RollingWindow must have size of at least 0.")
        self._items: deque[Any] = deque(maxlen=size + 1)
        self._size = size
        self._samples = 0
        self._removed: Any = None

    @classmethod
    def _of_history(cls, size: int, oldest_first: list[Any], samples: int) -> RollingWindow[Any]:
        """A window of `size` as if `samples` items had been added, the last of them `oldest_first`."""
        window = cls(size)
        window._items.extend(oldest_first)
        window._samples = samples
        return window

    def __class_getitem__(cls, item_type: Any) -> type[RollingWindow[Any]]:  # type: ignore[override]
        """`RollingWindow[T]`: a window whose missing items read as T's default (0.0 for float, None for objects)."""
        cached = cls._generic_cache.get(item_type)
        if cached is None:
            type_name = getattr(item_type, "__name__", repr(item_type))
            # `__module__` given: `type` would take the calling frame's, which compiled code does not have
            cached = type(f"RollingWindow[{type_name}]", (cls,),
                          {"__slots__": (), "__module__": cls.__module__,
                           "_default": _VALUE_TYPE_DEFAULTS.get(item_type)})
            cls._generic_cache[item_type] = cached
        return cached

    @property
    def size(self) -> int:
        """Capacity; assigning a smaller value drops the oldest items."""
        return self._size

    @size.setter
    def size(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"RollingWindow size must be at least 0, got {size}")
        self._resize(size)

    Size = size

    @property
    def count(self) -> int:
        """Items currently held (≤ size)."""
        return min(len(self._items), self._size)

    @property
    def samples(self) -> int:
        """Total number of `add` calls since construction or `reset`."""
        return self._samples

    @property
    def is_ready(self) -> bool:
        """True once `samples ≥ size` (the window has been filled at least once)."""
        return self._samples >= self._size

    @property
    def most_recently_removed(self) -> Any:
        """The item that last fell off the back; raises until more than `size` items were added."""
        if self._samples <= self._size:
            raise RuntimeError(NO_ITEMS_REMOVED_YET)
        items = self._items
        return items[0] if len(items) > self._size else self._removed

    def add(self, item: Any) -> None:
        """Append `item` as the newest; when full the oldest falls off and becomes `most_recently_removed`."""
        self._samples += 1
        self._items.append(item)

    def reset(self) -> None:
        """Clear items and samples."""
        self._samples = 0
        self._items.clear()

    def __getitem__(self, index: int) -> Any:
        if not isinstance(index, int):
            raise TypeError(f"RollingWindow indices must be integers, got {type(index).__name__}")
        size = self._size
        count = min(len(self._items), size)
        if index < 0:
            if size + index < 0:
                raise IndexError(f"{INDEX_OUT_OF_SIZE_RANGE}: {index} is before the oldest of {size} slots")
            index += count
            if index < 0:
                return self._default
        if index >= count:
            if index >= size:
                self._resize(index + 1)
            return self._default
        return self._items[-1 - index]

    def __setitem__(self, index: int, value: Any) -> None:
        if not isinstance(index, int):
            raise TypeError(f"RollingWindow indices must be integers, got {type(index).__name__}")
        if index < 0:
            if self._size + index < 0:
                raise IndexError(f"{INDEX_OUT_OF_SIZE_RANGE}: {index} is before the oldest of {self._size} slots")
            index += self._size
        if index >= self.count:
            if index >= self._size:
                self._resize(index + 1)
            for _ in range(index - self.count + 1):
                self.add(self._default)
        self._items[-1 - index] = value

    def __iter__(self) -> Iterator[Any]:
        """A snapshot, newest first."""
        return iter(self._snapshot())

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self._size}, newest first: {self._snapshot()!r})"

    def _snapshot(self) -> list[Any]:
        """The items held, newest first."""
        newest_first = list(self._items)
        newest_first.reverse()
        del newest_first[self._size:]
        return newest_first

    def _resize(self, size: int) -> None:
        items = self._items
        if len(items) > self._size:
            self._removed = items.popleft()
        self._items = deque(items, maxlen=size + 1)
        while len(self._items) > size:  # shrinking drops the oldest without counting them as removed
            self._items.popleft()
        self._size = size

