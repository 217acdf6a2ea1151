"""The repository is a workspace the lean CLI accepts (facts from the CLI's source, see shared/docs/lean-cli.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT_NAME = re.compile(r"^[-_a-zA-Z0-9 ]+$")
LIBRARY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED = {"bin", "obj", "__pycache__", ".idea", ".vscode", "backtests", "live", "optimizations", "storage", "report"}


def _folders(parent: Path) -> list[Path]:
    """Sub-folders that are projects, not caches (`__pycache__`, `.mypy_cache`, ...)."""
    return sorted(path for path in parent.iterdir() if path.is_dir() and not path.name.startswith((".", "__")))


PROJECTS = _folders(ROOT / "algorithms")
LIBRARIES = _folders(ROOT / "Library")


def strict_json(path: Path) -> dict:
    """Parse as the CLI does (json.loads): comments, trailing commas and NaN are errors."""

    def reject(constant: str) -> None:
        raise ValueError(f"{path}: non-standard JSON constant {constant}")

    data = json.loads(path.read_text(), parse_constant=reject)
    assert isinstance(data, dict), f"{path} must hold a JSON object"
    return data


def test_lean_json_has_the_keys_the_cli_requires() -> None:
    config = strict_json(ROOT / "lean.json")
    assert config["data-folder"] == "data"
    assert isinstance(config.get("organization-id"), str) and config["organization-id"]


def test_there_is_at_least_one_project() -> None:
    assert PROJECTS, "algorithms/ holds no project"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_project_is_a_valid_lean_python_project(project: Path) -> None:
    assert PROJECT_NAME.match(project.name) and project.name not in RESERVED, f"invalid project name {project.name!r}"
    assert (project / "main.py").is_file(), f"{project} has no main.py"
    config = strict_json(project / "config.json")
    assert config["algorithm-language"] == "Python"
    assert isinstance(config.get("description"), str) and config["description"], f"{project}: empty description"
    parameters = config.get("parameters", {})
    assert isinstance(parameters, dict)
    for name, value in parameters.items():
        assert isinstance(value, str), f"{project}/config.json: parameter {name!r} must be a string (cloud semantics)"
    for library in config.get("libraries", []):
        assert LIBRARY_NAME.match(library["name"]), f"invalid library name {library['name']!r}"
        path = ROOT / library["path"]
        assert library["path"].split("/")[0] == "Library", f"{library['path']} must live under Library/"
        assert path.is_dir(), f"{project}: library path {library['path']} does not exist"
        assert path.name == library["name"]
        assert strict_json(path / "config.json")["algorithm-language"] == "Python"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_every_imported_library_is_declared(project: Path) -> None:
    """`lean backtest` mounts and `lean cloud push` uploads only the libraries a project names."""
    declared = {library["name"] for library in strict_json(project / "config.json").get("libraries", [])}
    source = "\n".join(path.read_text() for path in project.rglob("*.py"))
    for library in LIBRARIES:
        if re.search(rf"^\s*(from|import)\s+{library.name}\b", source, re.MULTILINE):
            assert library.name in declared, f"{project.name} imports {library.name} without declaring it"


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda path: path.name)
def test_library_is_a_lean_library_project(library: Path) -> None:
    assert LIBRARY_NAME.match(library.name), f"invalid library name {library.name!r}"
    assert strict_json(library / "config.json")["algorithm-language"] == "Python"
    assert (library / "__init__.py").is_file(), f"{library} must be an importable package"


def test_no_stray_config_json_outside_projects() -> None:
    """`lean cloud push` without --project pushes every folder holding a config.json."""
    allowed = {project / "config.json" for project in PROJECTS} | {library / "config.json" for library in LIBRARIES}
    ignored_parts = {".venv", "data", "backtests", "storage", "node_modules", ".git"}
    stray = [
        path
        for path in ROOT.rglob("config.json")
        if path not in allowed and not ignored_parts.intersection(path.relative_to(ROOT).parts)
    ]
    assert not stray, f"config.json outside a LEAN project: {stray}"


def test_crossasset_never_imports_algorithm_imports() -> None:
    offenders = [
        path for path in (ROOT / "Library" / "crossasset").rglob("*.py") if "AlgorithmImports" in path.read_text()
    ]
    assert not offenders, f"crossasset must stay pure (unit-testable): {offenders}"
