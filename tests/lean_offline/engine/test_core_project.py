"""Project loading, parameters, the AlgorithmImports module and callback lookup."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lean_offline.engine.algorithm import convert_parameter
from lean_offline.engine.algorithm_imports import installed_algorithm_imports
from lean_offline.engine.project import ProjectError, load_project


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "lean.json").write_text(json.dumps({"data-folder": "data"}))
    (tmp_path / "data").mkdir()
    project = tmp_path / "algorithms" / "demo"
    project.mkdir(parents=True)
    (project / "main.py").write_text("from AlgorithmImports import *\n")
    (tmp_path / "Library" / "helpers").mkdir(parents=True)
    (project / "config.json").write_text(json.dumps(
        {"parameters": {"lookback": "20", "ratio": "0.5"}, "libraries": [{"name": "helpers", "path": "Library/helpers"}]}))
    return project


def test_project_folder_resolves_workspace_parameters_and_libraries(tmp_path: Path) -> None:
    project = load_project(_workspace(tmp_path))
    assert project.algorithm_file.name == "main.py"
    assert project.workspace_root == tmp_path.resolve()
    assert project.default_data_folder == (tmp_path / "data").resolve()
    assert project.parameters == {"lookback": "20", "ratio": "0.5"}
    assert project.library_paths == ((tmp_path / "Library" / "helpers").resolve(), (tmp_path / "Library").resolve())


def test_single_file_target_has_no_config(tmp_path: Path) -> None:
    algorithm = tmp_path / "algo.py"
    algorithm.write_text("")
    project = load_project(algorithm)
    assert project.name == "algo" and project.parameters == {} and project.workspace_root is None


def test_bad_targets_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="needs a main.py"):
        load_project(tmp_path)
    project = _workspace(tmp_path)
    (project / "config.json").write_text('{"parameters": {"a": 1,}}')
    with pytest.raises(ProjectError, match=r"config.json: invalid JSON at line 1"):
        load_project(project)


@pytest.mark.parametrize(("text", "default", "expected"), [
    ("20", 5, 20), ("2.5", 1.0, 2.5), ("7", 1.0, 7.0), ("true", False, True), ("abc", None, "abc"), ("x", "d", "x")])
def test_get_parameter_converts_to_the_default_type(text: str, default: object, expected: object) -> None:
    converted = convert_parameter(text, default)
    assert converted == expected and type(converted) is type(expected)


def test_algorithm_imports_is_installed_only_for_the_block() -> None:
    assert "AlgorithmImports" not in sys.modules
    with installed_algorithm_imports() as module:
        namespace: dict[str, object] = {}
        exec("from AlgorithmImports import *", namespace)
        for name in ("np", "pd", "datetime", "timedelta", "time", "math", "json", "QCAlgorithm", "Resolution",
                     "TradeBar", "PythonData", "SubscriptionDataSource", "RollingWindow", "Insight", "Globals",
                     "TimeZones", "LeanData", "SymbolProperties", "SecurityExchangeHours", "OrderStatus", "List"):
            assert name in namespace, name
        assert sys.modules["AlgorithmImports"] is module
        assert namespace["Resolution"].DAILY is namespace["Resolution"].Daily  # type: ignore[attr-defined]
    assert "AlgorithmImports" not in sys.modules


def test_every_declared_algorithm_imports_name_exists() -> None:
    from lean_offline.engine.algorithm_imports import _ENGINE_EXPORTS, build_algorithm_imports

    namespace = vars(build_algorithm_imports())
    missing = {module: [n for n in names if n not in namespace] for module, names in _ENGINE_EXPORTS}
    assert {module: names for module, names in missing.items() if names} == {}


def test_dotnet_random_reproduces_system_random() -> None:
    from lean_offline.engine.globals import Random

    # the first values of new System.Random(0).Next() as .NET prints them
    generator = Random(0)
    assert [generator.next() for _ in range(2)] == [1559595546, 1755192844]
    bounded = Random(12345)
    assert all(3 <= bounded.next(3, 9) < 9 for _ in range(1000))
    assert all(0.0 <= bounded.next_double() < 1.0 for _ in range(1000))
