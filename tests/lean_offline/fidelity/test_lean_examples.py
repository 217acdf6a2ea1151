"""LEAN's own Algorithm.Python regression algorithms, run unmodified from a LEAN checkout, must give the
ExpectedStatistics of their C# twins. Set LEAN_REPO to a QuantConnect/Lean checkout to run; skipped otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lean_offline import backtest
from tests.lean_offline.fidelity.lean_examples import expected_statistics
from tests.lean_offline.fidelity.test_fidelity import DATA, KNOWN_DIFFERENCES, mismatches

MATCHING = ["BasicTemplateDailyAlgorithm", "MACDTrendAlgorithm", "ConvertToFrameworkAlgorithm",
            "DisplacedMovingAverageRibbon", "NamedArgumentsRegression", "ZeroedBenchmarkRegressionAlgorithm",
            "CustomPartialFillModelAlgorithm", "CustomDataObjectStoreRegressionAlgorithm",
            "FuncRiskFreeRateInterestRateModelWithPythonLambda", "TrainingExampleAlgorithm",
            "StopLimitOrderRegressionAlgorithm", "CustomModelsAlgorithm", "CustomBuyingPowerModelAlgorithm",
            "ForwardDataOnlyFillModelAlgorithm", "CustomBrokerageModelRegressionAlgorithm",
            "CustomDataPropertiesRegressionAlgorithm"]


@pytest.mark.lean_data
@pytest.mark.slow
@pytest.mark.parametrize("name", MATCHING)
def test_lean_example_reproduces_its_expected_statistics(name: str) -> None:
    repo = Path(os.environ.get("LEAN_REPO", ""))
    algorithm = repo / "Algorithm.Python" / f"{name}.py"
    if not os.environ.get("LEAN_REPO") or not algorithm.is_file() or not DATA.is_dir():
        pytest.skip("set LEAN_REPO to a QuantConnect/Lean checkout (and provide ../shared/lean-data) to run")
    expected = expected_statistics(repo / "Algorithm.CSharp" / f"{name}.cs")
    assert expected, f"no ExpectedStatistics found for {name}"
    result = backtest(algorithm, data_folder=DATA, write_results=False)
    for missing in ("set_entry", "get_database_symbol_key"):
        if result.status != "Completed" and f"has no attribute '{missing}'" in result.stack_trace:
            pytest.xfail(f"lean_offline.data lacks LEAN's {missing} (symbol-properties / market-hours databases)")
    assert result.status == "Completed", result.stack_trace
    assert mismatches(expected, result.statistics) == KNOWN_DIFFERENCES.get(name, {})
