"""PythonIndicator: the base of user-written indicators (Indicators/PythonIndicator.cs).

A subclass sets `self.value` (or `self.Value`) in its own `update(input)` (or `Update`) and returns whether it is
ready (None → its `is_ready` property is read). Subclasses usually skip `super().__init__()`, so the indicator state
is created on first use. Calling the subclass's update runs LEAN's protocol around it: forward-only check, `samples`,
`current` = (input symbol, input end time, value), the `updated` event. Inputs are passed through unconverted
(bars stay bars), as LEAN's PythonIndicator receives IBaseData.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .base import IndicatorBase, _log, _make_point

_STATE_SLOTS = frozenset({"_name", "samples", "_current", "_value_before_current", "_window_samples", "_window",
                          "_updated", "_previous_input", "_logged_backwards"})


class PythonIndicator(IndicatorBase):
    """Base class for custom indicators written in Python."""

    def __init__(self, *args: Any) -> None:
        name = args[0] if args and isinstance(args[0], str) else None
        super().__init__(name if name is not None else type(self).__name__)
        self.__dict__["_lean_state"] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        user_update = cls.__dict__.get("update") or cls.__dict__.get("Update")
        if user_update is not None and not getattr(user_update, "_lean_protocol", False):
            wrapped = _with_protocol(user_update)
            cls.update = wrapped  # type: ignore[method-assign]
            cls.Update = wrapped  # type: ignore[attr-defined]
        if "IsReady" in cls.__dict__ and "is_ready" not in cls.__dict__:
            cls.is_ready = cls.__dict__["IsReady"]  # type: ignore[method-assign]

    def __getattr__(self, name: str) -> Any:
        if name in _STATE_SLOTS and "_lean_state" not in self.__dict__:
            self._ensure_state()
            return object.__getattribute__(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'", name=name, obj=self)

    def _ensure_state(self) -> None:
        if "_lean_state" in self.__dict__:
            return
        self.__dict__["_lean_state"] = True
        try:
            name = object.__getattribute__(self, "_name")
        except AttributeError:
            name = self.__dict__.get("Name", type(self).__name__)
        IndicatorBase.__init__(self, name)

    @property
    def is_ready(self) -> bool:
        return bool(self.__dict__.get("_python_ready", False))

    def _python_value(self) -> float:
        values = self.__dict__
        value = values["value"] if "value" in values else values.get("Value", 0.0)
        return float(value)


def _with_protocol(user_update: Callable[..., Any]) -> Callable[..., bool]:
    @functools.wraps(user_update)
    def update(self: PythonIndicator, input: Any, value: Any = None) -> bool:
        self._ensure_state()
        if value is not None:
            input = _make_point(None, input, float(value))
        end_time = input.end_time
        symbol = input.symbol
        previous = self._previous_input.get(symbol)
        if previous is None:
            self._previous_input[symbol] = [end_time, input]
        else:
            if end_time < previous[0]:
                if not self._logged_backwards:
                    self._logged_backwards = True
                    _log.error("IndicatorBase.Update(): This is a forward only indicator: %s Input: %s Previous: %s. "
                               "It will not be updated with this input.", self.name, end_time, previous[0])
                return self.is_ready
            if input is previous[1]:
                return self.is_ready
            previous[0] = end_time
            previous[1] = input
        self.samples += 1
        ready = user_update(self, input)
        self.__dict__["_python_ready"] = bool(ready) if ready is not None else False
        self._publish(symbol, end_time, self._python_value())
        return self.is_ready

    update._lean_protocol = True  # type: ignore[attr-defined]
    return update
