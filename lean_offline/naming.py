"""LEAN's two spellings of every API member.

QuantConnect's pythonnet exposes each CLR member under its PascalCase name and a snake_case alias
(constants and enum members under UPPER_SNAKE as well). The offline engine implements everything in
snake_case and derives the other spellings here, so one implementation serves both styles.
"""

from __future__ import annotations

import enum
import re
from functools import lru_cache
from typing import Any

_LOWER_OR_DIGIT_THEN_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ACRONYM_END = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")


@lru_cache(maxsize=4096)
def to_snake_case(name: str) -> str:
    """PascalCase → snake_case with LEAN's rule: `SetWarmUp`→`set_warm_up`, `EMA`→`ema`, `IsReady`→`is_ready`.

    An underscore goes before an upper-case letter that follows a lower-case letter or digit, and
    inside an acronym before its last capital when a lower-case letter follows (`MACDTrend`→`macd_trend`).
    """
    if not name or name.islower() or name.startswith("_"):
        return name
    spaced = _ACRONYM_END.sub("_", _LOWER_OR_DIGIT_THEN_UPPER.sub("_", name))
    return spaced.lower()


@lru_cache(maxsize=4096)
def to_upper_snake_case(name: str) -> str:
    """PascalCase → UPPER_SNAKE, the spelling of constants and enum members: `MarketOnOpen`→`MARKET_ON_OPEN`."""
    return to_snake_case(name).upper()


class UnsupportedApiError(AttributeError):
    """A LEAN API member that the offline engine does not implement: never a silent no-op."""

    def __init__(self, owner: str, member: str) -> None:
        super().__init__(
            f"{owner}.{member} is not supported by lean_offline (it may exist in LEAN; run the algorithm with "
            f"`lean backtest` for it, or open an issue). If it is a typo, check the spelling."
        )
        self.owner = owner
        self.member = member


class DualCase:
    """Mixin: reading a PascalCase member resolves to its snake_case implementation.

    `__getattr__` only runs when normal lookup fails, so snake_case access costs nothing extra.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            snake = to_snake_case(name)
            if snake != name:
                try:
                    return object.__getattribute__(self, snake)
                except AttributeError:
                    pass
        raise UnsupportedApiError(type(self).__name__, name)


class DualCaseSettable(DualCase):
    """DualCase whose PascalCase assignments also land on the snake_case member (`bar.Value = 1`)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1].isupper():
            name = to_snake_case(name)
        object.__setattr__(self, name, value)


class LeanEnum(enum.IntEnum):
    """An IntEnum whose members answer to UPPER_SNAKE and PascalCase (`Resolution.DAILY is Resolution.Daily`).

    Subclasses declare members in UPPER_SNAKE; `lean_enum` adds the PascalCase aliases.
    `str()` gives the PascalCase name, as LEAN prints enum values.
    """

    @property
    def pascal_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    def __str__(self) -> str:
        return self.pascal_name


def lean_enum(name: str, members: dict[str, int], pascal_overrides: dict[str, str] | None = None) -> Any:
    """Build a LeanEnum from PascalCase member names: each gets its UPPER_SNAKE name and a PascalCase alias.

    Typed `Any` because the members are created at run time, where a type checker cannot see them.
    """
    overrides = pascal_overrides or {}
    entries: list[tuple[str, int]] = []
    for pascal, value in members.items():
        upper = to_upper_snake_case(pascal)
        entries.append((upper, value))
    enum_cls: Any = LeanEnum(name, entries)  # type: ignore[call-arg, arg-type, call-overload]
    for pascal, value in members.items():
        member = enum_cls(value)
        if pascal != member.name:
            enum_cls._member_map_[pascal] = member
            type.__setattr__(enum_cls, pascal, member)
    for upper, pascal in overrides.items():
        enum_cls._member_map_[pascal] = enum_cls[upper]
        type.__setattr__(enum_cls, pascal, enum_cls[upper])
    return enum_cls


def add_pascal_aliases(cls: type, overrides: dict[str, str] | None = None) -> type:
    """Class decorator helper: give every public snake_case attribute of `cls` a PascalCase alias.

    Needed where PascalCase is read off the *class* (static members, `Resolution.Daily`-style constants)
    or must be settable through a property; instance reads are already covered by `DualCase`.
    """
    overrides = overrides or {}
    for attr in list(vars(cls)):
        if attr.startswith("_") or not attr.islower():
            continue
        pascal = overrides.get(attr) or "".join(part[:1].upper() + part[1:] for part in attr.split("_"))
        if pascal != attr and pascal not in vars(cls):
            setattr(cls, pascal, vars(cls)[attr])
    return cls
