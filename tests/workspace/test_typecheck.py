"""The type check bites: a misspelt LEAN call fails it, the same file spelt right passes."""

from __future__ import annotations

from pathlib import Path

from tools.typecheck import check_project

ALGORITHM = '''from AlgorithmImports import *


class Planted(QCAlgorithm):
    def initialize(self) -> None:
        self.set_start_date(2013, 10, 7)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data: Slice) -> None:
        if not self.portfolio.invested:
            self.{call}("SPY", 1)
'''


def planted_project(tmp_path: Path, call: str) -> Path:
    project = tmp_path / "algorithms" / "planted"
    project.mkdir(parents=True)
    (project / "main.py").write_text(ALGORITHM.format(call=call))
    (tmp_path / "Library").mkdir()
    return project


def test_misspelt_lean_call_fails_the_type_check(tmp_path: Path) -> None:
    ok, output = check_project(planted_project(tmp_path, "set_holdingz"), tmp_path)
    assert not ok
    assert "set_holdingz" in output


def test_correct_lean_call_passes_the_type_check(tmp_path: Path) -> None:
    ok, output = check_project(planted_project(tmp_path, "set_holdings"), tmp_path)
    assert ok, output
