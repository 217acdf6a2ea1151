"""PascalCase aliases made once per class (lean_offline/naming.py): what they resolve to, that a subclass's override
is what its alias reads, that declared instance attributes read and write through their alias, that an unknown
member is reported as unsupported where the user sees it, and that every object a backtest hands the user answers
to PascalCase for each of its public attributes."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import zipfile
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import lean_offline
from lean_offline import backtest
from lean_offline.engine.slice import DataDictionary
from lean_offline.enums import Resolution
from lean_offline.naming import DualCase, pascal_spellings, unsupported_member_message


class _Base(DualCase):
    label: str

    def __init__(self) -> None:
        self.label = "base"

    def update(self) -> str:
        return "base"

    @property
    def is_ready(self) -> bool:
        return True


class _Override(_Base):
    def update(self) -> str:
        return "override"


class _PascalOverride(_Base):
    def Update(self) -> str:  # noqa: N802 - a user's PascalCase override
        return "pascal"


class _Slotted(DualCase):
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 1.0


@dataclass
class _Fields(DualCase):
    amount: float = 0.0


def test_pascal_spellings_capitalise_each_word_and_give_acronyms_both_forms() -> None:
    assert pascal_spellings("set_warm_up") == ["SetWarmUp"]
    assert pascal_spellings("ema") == ["Ema", "EMA"]
    assert pascal_spellings("order_id") == ["OrderId"] and pascal_spellings("id") == ["Id", "ID"]


def test_aliases_are_class_attributes_and_a_subclass_override_is_what_its_alias_reads() -> None:
    assert "Update" in vars(_Base) and "IsReady" in vars(_Base)
    assert _Override().Update() == "override"
    assert _Base().Update() == "base"
    assert _PascalOverride().Update() == "pascal"


def test_declared_instance_attribute_reads_and_writes_through_its_alias() -> None:
    item = _Base()
    assert item.Label == "base"  # type: ignore[attr-defined]
    item.Label = "set"  # type: ignore[attr-defined]
    assert item.label == "set" and "Label" not in vars(item)


def test_slot_alias_reads_and_writes_the_slot() -> None:
    item = _Slotted()
    item.Value = 2.0  # type: ignore[attr-defined]
    assert item.value == 2.0 and item.Value == 2.0  # type: ignore[attr-defined]


def test_dataclass_field_alias_reads_the_instance_value_not_the_class_default() -> None:
    assert _Fields(amount=5.0).Amount == 5.0  # type: ignore[attr-defined]


def test_members_of_a_non_dualcase_base_get_aliases() -> None:
    data = DataDictionary({"a": 1})
    assert list(data.Keys()) == ["a"] and list(data.Values()) == [1]


def test_enum_members_and_class_reads_keep_both_spellings() -> None:
    assert Resolution.Daily is Resolution.DAILY


def test_unknown_member_is_python_attribute_error_with_a_user_message() -> None:
    data = DataDictionary()
    with pytest.raises(AttributeError) as caught:
        data.Bogus  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(data, "Bogus") and getattr(data, "Bogus", 7) == 7
    message = unsupported_member_message(caught.value)
    assert message is not None and "DataDictionary.Bogus is not supported by lean_offline" in message
    assert unsupported_member_message(AttributeError("plain")) is None
    with pytest.raises(AttributeError) as private:
        data._bogus  # type: ignore[attr-defined]  # noqa: B018
    assert unsupported_member_message(private.value) is None
    with pytest.raises(AttributeError) as foreign:
        _Base().Bogus  # type: ignore[attr-defined]  # noqa: B018
    assert unsupported_member_message(foreign.value) is None


# ---- a small backtest: every object it hands the user answers to PascalCase ----------------------------------------

DAYS = [date(2020, 1, 2) + timedelta(days=offset) for offset in range(40)]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    folder = root / "equity" / "usa" / "daily"
    folder.mkdir(parents=True)
    for ticker, base in (("aaa", 100), ("bbb", 50)):
        rows = [f"{day:%Y%m%d} 00:00,{(base + i % 7) * 10000},{(base + 1 + i % 7) * 10000},"
                f"{(base - 1 + i % 7) * 10000},{(base + i % 5) * 10000},1000"
                for i, day in enumerate(DAYS) if day.weekday() < 5]
        with zipfile.ZipFile(folder / f"{ticker}.zip", "w") as archive:
            archive.writestr(f"{ticker}.csv", "\n".join(rows) + "\n")
    return root


ALGORITHM = '''
from AlgorithmImports import *


class Seen(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 2, 7)
        self.set_cash(100000)
        self.set_benchmark(lambda time: 1.0)
        self._aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self._bbb = self.add_equity("BBB", Resolution.DAILY).symbol
        self._sma = self.sma(self._aaa, 3)
        self._macd = self.macd(self._aaa, 3, 6, 2)
        self._window = RollingWindow[TradeBar](3)
        self._consolidator = TradeBarConsolidator(timedelta(days=2))
        self.subscription_manager.add_consolidator(self._aaa, self._consolidator)
        self._seen = []
        self.schedule.on(self.date_rules.every_day(self._aaa), self.time_rules.after_market_open(self._aaa, 30),
                         self._rebalance)

    def _rebalance(self):
        if self.time.day % 3 == 0:
            self.set_holdings([PortfolioTarget(self._aaa, 0.4), PortfolioTarget(self._bbb, 0.3)])
        else:
            ticket = self.limit_order(self._bbb, 5, 1.0)
            self._seen.append(ticket)
            ticket.cancel()

    def on_data(self, data):
        self._seen.extend([data, data.bars, data.get(self._aaa)])
        if data.contains_key(self._aaa):
            self._window.add(data[self._aaa])
        self.plot("chart", "series", self.portfolio.total_portfolio_value)
        self.emit_insights(Insight.price(self._aaa, timedelta(days=1), InsightDirection.UP))

    def on_order_event(self, order_event):
        self._seen.extend([order_event, self.transactions.get_order_by_id(order_event.order_id)])
'''


def _engine_instances(roots: list[Any]) -> list[Any]:
    """Every DualCase instance reachable from `roots` through instance attributes, slots and containers."""
    found, visited, queue = [], set(), deque(roots)
    while queue and len(visited) < 200_000:
        item = queue.popleft()
        if id(item) in visited or isinstance(item, (type, str, bytes, int, float, Path)) or callable(item):
            continue
        visited.add(id(item))
        if isinstance(item, DualCase):
            found.append(item)
        if isinstance(item, dict):
            queue.extend(item.keys())
            queue.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset, deque)):
            queue.extend(item)
        module = type(item).__module__
        if not (module.startswith("lean_offline") or isinstance(item, DualCase)):
            continue
        queue.extend(getattr(item, "__dict__", {}).values())
        for name in _slot_names(type(item)):
            value = getattr(item, name, None)
            if value is not None:
                queue.append(value)
    return found


def _slot_names(kind: type) -> list[str]:
    names: list[str] = []
    for base in kind.__mro__:
        slots = vars(base).get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return [name for name in names if name not in ("__dict__", "__weakref__")]


def _missing_aliases(instance: Any) -> list[str]:
    """`Type.name` of each public snake_case attribute of `instance` whose PascalCase alias does not read it."""
    names = [*getattr(instance, "__dict__", {}), *_slot_names(type(instance))]
    missing = []
    for name in names:
        if name.startswith("_") or not name.islower():
            continue
        pascal = pascal_spellings(name)[0]
        if getattr(instance, pascal, _MISSING) is not getattr(instance, name):
            missing.append(f"{type(instance).__name__}.{name}")
    return missing


_MISSING = object()


def test_every_engine_object_of_a_backtest_answers_to_pascal_case(tmp_path: Path, data_folder: Path) -> None:
    algorithm = tmp_path / "main.py"
    algorithm.write_text(ALGORITHM)
    result = backtest(algorithm, data_folder=data_folder, write_results=False)
    assert result.status == "Completed", result.stack_trace
    assert result.orders, "the algorithm must trade to build orders, tickets and events"
    instances = _engine_instances([result.algorithm, result.algorithm._seen])
    kinds = {type(instance).__name__ for instance in instances}
    assert {"Seen", "SecurityPortfolioManager", "SecurityHolding", "Security", "OrderTicket", "OrderEvent",
            "Slice", "TradeBar", "Symbol"} <= kinds, sorted(kinds)
    missing = sorted({name for instance in instances for name in _missing_aliases(instance)})
    assert missing == [], f"declare these as class annotations (or slots) so they get PascalCase aliases: {missing}"


@pytest.mark.parametrize(("anchor", "statement", "owner"), [
    ("self._seen = []", "self.portfolio.NoSuchMember", "SecurityPortfolioManager"),
    ("self._seen.extend([data", "data.NoSuchMember", "Slice"),
    ("self._seen.extend([data", "data.bars[self._aaa].NoSuchMember", "TradeBar"),
    ("self._seen.extend([data", "self._window.NoSuchMember", "RollingWindow[TradeBar]"),
    ("self._seen = []", "self.NoSuchMember", "QCAlgorithm"),
])
def test_an_unsupported_member_is_reported_by_name_in_the_result(tmp_path: Path, data_folder: Path, anchor: str,
                                                                 statement: str, owner: str) -> None:
    algorithm = tmp_path / "main.py"
    line = next(line for line in ALGORITHM.splitlines() if anchor in line)
    indent = line[:len(line) - len(line.lstrip())]
    algorithm.write_text(ALGORITHM.replace(line, f"{line}\n{indent}{statement}"))
    result = backtest(algorithm, data_folder=data_folder, write_results=False)
    assert result.status == "RuntimeError"
    expected = f"UnsupportedApiError: {owner}.NoSuchMember is not supported by lean_offline"
    assert result.error.startswith(expected) and expected in result.stack_trace
    assert "main.py" in result.stack_trace and statement in result.stack_trace


def _engine_classes() -> list[type]:
    for module in pkgutil.walk_packages(lean_offline.__path__, "lean_offline."):
        if module.name not in ("lean_offline.__main__", "lean_offline.engine.algorithm_imports"):
            importlib.import_module(module.name)
    classes, pending = [], [DualCase]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("lean_offline."):
                classes.append(subclass)
    return classes


def _class_nodes(module_name: str) -> dict[str, ast.ClassDef]:
    # the .py file, also when the module was imported from its compiled build
    source = Path(lean_offline.__path__[0]).joinpath(*module_name.split(".")[1:]).with_suffix(".py").read_text()
    return {node.name: node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}


def _assigned_names(tree: ast.ClassDef) -> set[str]:
    """Public snake_case names the class's own methods store on `self` (`self.x = ...`, `vars(self).update({...})`)."""
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign | ast.AugAssign) else []
        names.update(target.attr for target in targets if isinstance(target, ast.Attribute)
                     and isinstance(target.value, ast.Name) and target.value.id == "self")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
                and "self" in ast.unparse(node.func.value) and node.args and isinstance(node.args[0], ast.Dict)):
            names.update(key.value for key in node.args[0].keys if isinstance(key, ast.Constant))
    return {name for name in names if not name.startswith("_") and name.islower()}


def test_every_attribute_an_engine_class_stores_has_a_pascal_case_alias() -> None:
    """Static complement of the backtest walk: classes a small backtest does not build are checked too."""
    classes = _engine_classes()
    assert len(classes) > 50
    nodes = {module: _class_nodes(module) for module in {cls.__module__ for cls in classes}}
    written = [(cls, nodes[cls.__module__][cls.__qualname__]) for cls in classes
               if cls.__qualname__ in nodes[cls.__module__]]  # not classes made at run time (RollingWindow[float])
    missing = sorted(f"{cls.__module__}.{cls.__qualname__}.{name}" for cls, node in written
                     for name in _assigned_names(node) if not hasattr(cls, pascal_spellings(name)[0]))
    assert missing == [], f"declare these as class annotations (or slots) so they get PascalCase aliases: {missing}"


def test_alias_of_a_class_value_follows_the_value() -> None:
    class Counted(DualCase):
        changes = 0
        mode = "a"

    Counted.changes += 1
    item = Counted()
    item.mode = "b"
    assert Counted.Changes == 1 and item.Changes == 1  # type: ignore[attr-defined]
    assert Counted.Mode == "a" and item.Mode == "b"  # type: ignore[attr-defined]
