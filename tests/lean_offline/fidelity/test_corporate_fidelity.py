"""LEAN's C#-only regression algorithms about dividends and splits, written as our own Python algorithms (this
folder), must reproduce the ExpectedStatistics and DataPoints LEAN records in their Algorithm.CSharp files (read from
the checkout named by LEAN_REPO; skipped without it). Each algorithm also asserts its own end-of-run checks, which
turn a wrong dividend or split into a RuntimeError status."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_fidelity import CASES, DATA, expected_data_points, expected_statistics, mismatches

from lean_offline import backtest

CORPORATE_CASES = ["DividendRegressionAlgorithm", "EquitySplitHoldingsDailyRegressionAlgorithm"]


@pytest.mark.lean_data
@pytest.mark.parametrize("name", CORPORATE_CASES)
def test_corporate_action_case_reproduces_lean_statistics(name: str) -> None:
    csharp = Path(os.environ.get("LEAN_REPO", "")) / "Algorithm.CSharp" / f"{name}.cs"
    if not os.environ.get("LEAN_REPO") or not csharp.is_file() or not DATA.is_dir():
        pytest.skip("set LEAN_REPO to a QuantConnect/Lean checkout (and provide ../shared/lean-data) to run")
    expected = expected_statistics(csharp)
    assert expected, f"no ExpectedStatistics found in {csharp}"
    result = backtest(CASES / f"{name}.py", data_folder=DATA, write_results=False)
    assert result.status == "Completed", result.stack_trace
    assert mismatches(expected, result.statistics) == {}
    assert result.data_points == expected_data_points(csharp)
