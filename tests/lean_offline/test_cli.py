"""`python -m lean_offline backtest ...`: parameters, output files, printed statistics and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lean_offline.cli import main

ROOT = Path(__file__).resolve().parents[2]

ALGORITHM = '''from AlgorithmImports import *


class CliProbe(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 8)
        self.set_benchmark(lambda time: 1.0)
        self.add_equity("AAA", Resolution.DAILY)
        self.fail = self.get_parameter("fail", 0)
        self.debug(f"fail={self.fail}")

    def on_data(self, data):
        if self.fail:
            raise RuntimeError("asked to fail")
        if not self.portfolio.invested:
            self.set_holdings("AAA", 0.5)
'''


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "lean.json").write_text(json.dumps({"data-folder": "data"}))
    daily = tmp_path / "data" / "equity" / "usa" / "daily"
    daily.mkdir(parents=True)
    rows = ["20200102 00:00,1000000,1010000,990000,1000000,1000", "20200103 00:00,1010000,1020000,1000000,1010000,1000",
            "20200106 00:00,1020000,1030000,1010000,1020000,1000", "20200107 00:00,1030000,1040000,1020000,1030000,1000",
            "20200108 00:00,1040000,1050000,1030000,1040000,1000"]
    with zipfile.ZipFile(daily / "aaa.zip", "w") as archive:
        archive.writestr("aaa.csv", "\n".join(rows))
    project = tmp_path / "algorithms" / "probe"
    project.mkdir(parents=True)
    (project / "main.py").write_text(ALGORITHM)
    (project / "config.json").write_text(json.dumps({"parameters": {"fail": "0"}}))
    return project


def test_backtest_writes_lean_files_and_prints_statistics(workspace: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    assert main(["backtest", str(workspace), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "Total Orders" in printed and "data points" in printed and "fail=0" in printed
    files = sorted(p.name for p in output.iterdir())
    result_file = next(p for p in output.iterdir() if p.name.endswith(".json") and "-" not in p.stem)
    result = json.loads(result_file.read_text(), parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert result["statistics"]["Total Orders"] == "1"
    started, finished = result["state"]["StartTime"], result["state"]["EndTime"]
    assert started and finished and started <= finished  # wall-clock run times, ISO UTC
    assert any(name.endswith("-order-events.json") for name in files)
    assert any(name.endswith("-log.txt") for name in files)
    events = json.loads(next(output.glob("*-order-events.json")).read_text())
    assert [e["status"] for e in events] == ["submitted", "filled"]


def test_parameter_override_and_failure_exit_code(workspace: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backtest", str(workspace), "--output", str(tmp_path / "o2"), "--parameter", "fail", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert "asked to fail" in captured.err


def test_missing_target_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", str(tmp_path / "nowhere.py")]) == 2
    assert "not a project folder" in capsys.readouterr().err


def test_module_entry_point_runs(workspace: Path, tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "lean_offline", "backtest", str(workspace), "--output",
                                str(tmp_path / "o3")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "STATISTICS" in completed.stdout or "Total Orders" in completed.stdout
