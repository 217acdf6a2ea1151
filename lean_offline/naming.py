"""LEAN's two spellings of every API member.

QuantConnect's pythonnet exposes each CLR member under its PascalCase name and a snake_case alias
(constants and enum members under UPPER_SNAKE as well). The offline engine implements everything in
snake_case and derives the other spellings here, so one implementation serves both styles.
"""

from __future__ import annotations

import enum
import operator
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

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
    """Base of every engine class users meet: each public snake_case member also answers to its PascalCase name.

    The aliases are ordinary class attributes made once per class (`__init_subclass__`, see `add_pascal_aliases`),
    so attribute reads and method loads stay specialisable by CPython. Instance attributes kept in `__dict__` are
    declared as class-level annotations; their aliases are properties that read and write the snake_case name
    (`bar.Value = 1` lands on `bar.value`). An unknown member raises Python's AttributeError, which the runner
    reports as unsupported (`unsupported_member_message`).
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        add_pascal_aliases(cls)

    if TYPE_CHECKING:
        # the aliases (and fields only some subclasses have, such as an order's trigger_price) are invisible to a
        # type checker: members it cannot see read and write as Any, as they did through the former run-time hooks
        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...


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
    # `module` given: Enum would take the calling Python frame's, which compiled code does not have
    enum_cls: Any = LeanEnum(name, entries, module=__name__)  # type: ignore[call-arg, arg-type, call-overload]
    for pascal, value in members.items():
        member = enum_cls(value)
        if pascal != member.name:
            enum_cls._member_map_[pascal] = member
            type.__setattr__(enum_cls, pascal, member)
    for upper, pascal in overrides.items():
        enum_cls._member_map_[pascal] = enum_cls[upper]
        type.__setattr__(enum_cls, pascal, enum_cls[upper])
    return enum_cls


_ACRONYMS = frozenset({
    "ad", "adx", "arima", "aroon", "atr", "b", "bb", "cci", "cmo", "dch", "dema", "ema", "hma", "id", "kama", "kch",
    "logr", "lwma", "macd", "mad", "max", "min", "mom", "momp", "obv", "roc", "rocp", "rsi", "sma", "std", "sto",
    "sum", "tema", "trima", "var", "wilr", "wma", "wwma",
})
"""One-word members LEAN spells in capitals (`self.EMA`, `symbol.ID`); longer names keep `Id` (`OrderId`)."""


def pascal_spellings(snake: str) -> list[str]:
    """The PascalCase names of a snake_case member: each word capitalised (`set_warm_up`→`SetWarmUp`), plus the
    all-capitals form of a one-word acronym (`ema`→`Ema`, `EMA`)."""
    pascal = "".join(word[:1].upper() + word[1:] for word in snake.split("_"))
    return [pascal, snake.upper()] if snake in _ACRONYMS else [pascal]


def _instance_attribute_alias(name: str) -> property:
    """A property reading and writing the instance attribute `name` under another name."""

    def write(instance: Any, value: Any) -> None:
        setattr(instance, name, value)

    return property(operator.attrgetter(name), write, doc=f"Alias of `{name}`.")


class _ClassValueAlias:
    """Alias of a plain class attribute (a constant, or a counter the class updates): reads the attribute under its
    own name at each access, so the alias never holds a stale copy; works on the class and on its instances."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return getattr(owner if instance is None else instance, self._name)


def _declared_fields(cls: type) -> set[str]:
    return set(vars(cls).get("__annotations__", {}))


def add_pascal_aliases(cls: type) -> type:
    """Give every public snake_case member of `cls` its PascalCase aliases, unless `cls` itself defines that name.

    Members are those in the class's own `__dict__` (functions, properties, static/class methods, slot descriptors,
    class values), those of non-DualCase bases (mixins), and the instance attributes declared as class annotations,
    whose alias is a read/write property. A descriptor's alias is the descriptor itself, so a subclass overriding
    `update` makes its own `Update`; a plain class value's alias reads it by name, so it is never a stale copy.
    """
    fields = _declared_fields(cls)
    own = vars(cls)
    for name in _public_snake_names(cls, fields):
        definer = next((base for base in cls.__mro__ if name in vars(base)), None)
        member = vars(definer)[name] if definer is not None else None
        if name in fields and not hasattr(type(member), "__get__"):
            member = _instance_attribute_alias(name)
        elif not (definer is cls or (definer is not None and not issubclass(definer, DualCase))):
            continue
        elif not hasattr(type(member), "__get__"):
            member = _ClassValueAlias(name)
        for pascal in pascal_spellings(name):
            if pascal not in own:
                type.__setattr__(cls, pascal, member)
    return cls


def _public_snake_names(cls: type, fields: set[str]) -> list[str]:
    names = dict.fromkeys(fields)
    for base in cls.__mro__:
        if base is cls or (base is not object and not issubclass(base, DualCase)):
            names.update(dict.fromkeys(vars(base)))
    return [name for name in names if not name.startswith("_") and name.islower()]


def unsupported_member_message(error: BaseException) -> str | None:
    """The user's message for an AttributeError raised reading a public member of an engine object, naming the
    engine class (QCAlgorithm for the user's algorithm), else None."""
    owner = getattr(error, "obj", None)
    member = getattr(error, "name", None)
    if not isinstance(error, AttributeError) or owner is None or not member or member.startswith("_"):
        return None
    kind = owner if isinstance(owner, type) else type(owner)
    engine_class = next((base for base in kind.__mro__
                         if base.__module__.startswith("lean_offline.") and base is not DualCase), None)
    if engine_class is None:
        return None
    return f"{UnsupportedApiError.__name__}: {UnsupportedApiError(engine_class.__name__, member)}"


def undefined_name_message(error: BaseException) -> str | None:
    """The user's message for a NameError of a capitalised name, as LEAN's types and enums are, raised in the user's
    code (the caller checks where): the error, and that the engine's `AlgorithmImports` provides only the part of
    LEAN's API it supports; else None."""
    name = getattr(error, "name", None)
    if not isinstance(error, NameError) or not name or not name[:1].isupper():
        return None
    return (f"{type(error).__name__}: {error} (lean_offline's AlgorithmImports provides the part of LEAN's API the "
            f"engine supports: if {name} is LEAN's, run the algorithm with `lean backtest` for it, or open an issue; "
            f"if it is a typo, check the spelling)")
