"""Compiled modules: a build is imported only for the source it was built from, and behaves as that source."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import lean_offline
from lean_offline import build_compiled, compiled_modules
from lean_offline.compiled_modules import CompiledModuleFinder, compiled_path, source_digest

ROOT = Path(lean_offline.__file__).resolve().parents[1]
SMALL_MODULE = "lean_offline.naming"  # small, pure functions: quick to compile, easy to compare

# Imports SMALL_MODULE through a finder on the cache given as argv[1] (the default cache is off: LEAN_OFFLINE_PURE)
# and prints where it came from and what it computes.
_IMPORT_SMALL_MODULE = f"""
import json, sys
from pathlib import Path
from lean_offline.compiled_modules import CompiledModuleFinder
sys.meta_path.insert(0, CompiledModuleFinder(Path(sys.argv[1])))
import importlib, traceback
import {SMALL_MODULE} as module
facts = {{"file": module.__file__, "loader": type(module.__loader__).__name__,
         "spellings": [module.pascal_spellings(name) for name in ("set_holdings", "is_ready", "sma")],
         "enum_module": module.lean_enum("Side", {{"Buy": 0, "Sell": 1}}).__module__}}
# the project's folder (argv[2]) off the search path, where the traceback module also looks for a relative file
# name (the subprocess runs in another folder, where it looks first)
sys.path[:] = [entry for entry in sys.path if entry and Path(entry).resolve() != Path(sys.argv[2])]
try:
    module.lean_enum("Side", {{"Buy": 0}}, {{"SELL": "Sell"}})
except KeyError:
    facts["traceback"] = traceback.format_exc()
facts["has_code"] = module.__loader__.get_code(module.__name__) is not None
facts["reloaded_loader"] = type(importlib.reload(module).__loader__).__name__
print(json.dumps(facts))
"""


def _import_small_module(cache: Path) -> dict[str, object]:
    environment = {**os.environ, compiled_modules.PURE_VARIABLE: "1", "PYTHONPATH": str(ROOT)}
    completed = subprocess.run([sys.executable, "-c", _IMPORT_SMALL_MODULE, str(cache), str(ROOT)], cwd=cache,
                               env=environment, capture_output=True, text=True, check=True)
    return {**json.loads(completed.stdout), "stderr": completed.stderr}


def _can_compile() -> bool:
    """A C compiler (setuptools takes $CC first) and this interpreter's headers."""
    compiler = os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc")
    return (shutil.which(compiler.split()[0]) is not None
            and Path(sysconfig.get_paths()["include"], "Python.h").is_file())


def _source(module: str) -> bytes:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py").read_bytes()


def test_the_build_of_a_module_is_named_by_its_source_digest(tmp_path: Path) -> None:
    source = b"x = 1\n"
    path = compiled_path(tmp_path, "lean_offline.naming", source)
    assert source_digest(source) == "9e26bf369911c45c243c"  # `printf "x = 1\n" | sha256sum`: 9e26bf36...
    assert path.parent == tmp_path and path.name.startswith("lean_offline.naming.9e26bf369911c45c243c.")
    assert path.name.endswith(".so") or path.name.endswith(".pyd")


def test_the_finder_takes_only_a_build_of_the_current_source(tmp_path: Path) -> None:
    finder = CompiledModuleFinder(tmp_path)
    path = [str(ROOT / "lean_offline")]
    assert finder.find_spec(SMALL_MODULE, path) is None  # nothing built
    current = compiled_path(tmp_path, SMALL_MODULE, _source(SMALL_MODULE))
    stale = compiled_path(tmp_path, SMALL_MODULE, b"an older source")
    stale.write_bytes(b"")
    assert finder.find_spec(SMALL_MODULE, path) is None  # only an older source's build
    current.write_bytes(b"")
    spec = finder.find_spec(SMALL_MODULE, path)
    assert spec is not None and spec.origin == str(current)
    # never for packages, other packages or the modules that must work without a build
    assert finder.find_spec("lean_offline.engine", path) is None
    assert finder.find_spec("json", None) is None
    never = compiled_path(tmp_path, "lean_offline.compiled_modules", _source("lean_offline.compiled_modules"))
    never.write_bytes(b"")
    assert finder.find_spec("lean_offline.compiled_modules", path) is None


def test_install_adds_the_finder_once_and_not_when_pure_or_never_built(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "meta_path", [finder for finder in sys.meta_path
                                           if not isinstance(finder, CompiledModuleFinder)])
    monkeypatch.delenv(compiled_modules.PURE_VARIABLE, raising=False)
    compiled_modules.install(tmp_path / "never_built")
    assert not any(isinstance(finder, CompiledModuleFinder) for finder in sys.meta_path)
    for pure in ("1", "true", "Yes", "2"):
        monkeypatch.setenv(compiled_modules.PURE_VARIABLE, pure)
        compiled_modules.install(tmp_path)
        assert not any(isinstance(finder, CompiledModuleFinder) for finder in sys.meta_path)
    for compiled in ("0", "false", "off"):
        monkeypatch.setenv(compiled_modules.PURE_VARIABLE, compiled)
        compiled_modules.install(tmp_path)
    finders = [finder for finder in sys.meta_path if isinstance(finder, CompiledModuleFinder)]
    assert len(finders) == 1 and sys.meta_path[0] is finders[0]


def test_engine_modules_are_every_module_but_packages_and_the_build_machinery() -> None:
    modules = build_compiled.engine_modules()
    assert {"lean_offline.engine.runner", "lean_offline.data.readers", "lean_offline.statistics"} <= set(modules)
    assert not {"lean_offline.compiled_modules", "lean_offline.build_compiled", "lean_offline.__main__"} & set(modules)
    assert not any(name.endswith("__init__") for name in modules)
    on_disk = {path for path in (ROOT / "lean_offline").rglob("*.py") if "__pycache__" not in path.parts}
    assert len(modules) == len(on_disk) - len(list((ROOT / "lean_offline").rglob("__init__.py"))) - 3


def test_a_build_with_another_configuration_is_removed(tmp_path: Path) -> None:
    old = tmp_path / f"{SMALL_MODULE}.0123456789abcdef0123.cpython-311-x86_64-linux-gnu.so"
    old.write_bytes(b"")
    interrupted = tmp_path / f"{SMALL_MODULE}.0123456789abcdef0123.cpython-311-x86_64-linux-gnu.partial"
    interrupted.write_bytes(b"")
    (tmp_path / build_compiled.STAMP).write_text(json.dumps({"cython": "0.29"}))
    build_compiled._reset_if_configuration_changed(tmp_path, {"cython": "3"})
    assert not old.exists() and not interrupted.exists()
    assert json.loads((tmp_path / build_compiled.STAMP).read_text()) == {"cython": "3"}
    kept = tmp_path / f"{SMALL_MODULE}.0123456789abcdef0123.cpython-311-x86_64-linux-gnu.so"
    kept.write_bytes(b"")
    build_compiled._reset_if_configuration_changed(tmp_path, {"cython": "3"})
    assert kept.exists()


def test_a_build_that_cannot_be_loaded_is_removed_and_the_source_imported(tmp_path: Path) -> None:
    damaged = compiled_path(tmp_path, SMALL_MODULE, _source(SMALL_MODULE))
    damaged.write_bytes(b"not a shared object")
    facts = _import_small_module(tmp_path)
    assert str(facts["file"]).endswith("naming.py") and facts["loader"] == "SourceFileLoader"
    assert f"the compiled build {damaged} cannot be loaded" in str(facts["stderr"])
    assert not damaged.exists()


def test_a_loader_kept_across_the_fallback_still_executes_the_source(tmp_path: Path) -> None:
    compiled_path(tmp_path, SMALL_MODULE, _source(SMALL_MODULE)).write_bytes(b"not a shared object")
    script = f"""
import importlib.util, sys
from pathlib import Path
from lean_offline.compiled_modules import CompiledModuleFinder
spec = CompiledModuleFinder(Path(sys.argv[1])).find_spec("{SMALL_MODULE}", [str(Path(sys.argv[2]) / "lean_offline")])
kept = spec.loader
module = importlib.util.module_from_spec(spec)
kept.exec_module(module)
print(module.pascal_spellings("set_holdings")[0], type(module.__loader__).__name__)
"""
    environment = {**os.environ, compiled_modules.PURE_VARIABLE: "1", "PYTHONPATH": str(ROOT)}
    completed = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(ROOT)], cwd=tmp_path,
                               env=environment, capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["SetHoldings", "SourceFileLoader"]


def test_build_rejects_a_module_it_does_not_compile(tmp_path: Path) -> None:
    pytest.importorskip("Cython")
    with pytest.raises(ValueError, match="lean_offline.compiled_modules"):
        build_compiled.build(cache=tmp_path, modules=["lean_offline.compiled_modules"])


@pytest.mark.slow
def test_a_compiled_module_is_imported_and_computes_as_its_source(tmp_path: Path) -> None:
    pytest.importorskip("Cython")
    if not _can_compile():
        pytest.skip("no C compiler or no Python headers")
    pure = _import_small_module(tmp_path)
    assert str(pure["file"]).endswith("naming.py")
    report = build_compiled.build(cache=tmp_path, jobs=1, modules=[SMALL_MODULE])
    assert (report.built, report.failed) == ([SMALL_MODULE], [])
    compiled = _import_small_module(tmp_path)
    assert compiled["file"] == str(compiled_path(tmp_path, SMALL_MODULE, _source(SMALL_MODULE)))
    assert compiled["loader"] == "_BuildOrSourceLoader"
    assert compiled["spellings"] == pure["spellings"]
    # classes made at run time name the module they are made in (messages name engine classes by it)
    assert compiled["enum_module"] == pure["enum_module"] == SMALL_MODULE
    # stack traces show the source's lines (the loader gives the source), and `python -m` finds the source's code
    line = "enum_cls._member_map_[pascal] = enum_cls[upper]"
    assert line in str(compiled["traceback"]) and line in str(pure["traceback"])
    assert compiled["has_code"] and pure["has_code"]
    # a reload runs the source, as it would without the build
    assert compiled["reloaded_loader"] == pure["reloaded_loader"] == "SourceFileLoader"
    again = build_compiled.build(cache=tmp_path, jobs=1, modules=[SMALL_MODULE])
    assert (again.built, again.up_to_date) == ([], [SMALL_MODULE])
    # a build of an older source (its digest differs) is not imported, and the next build removes it
    built = Path(str(compiled["file"]))
    older = built.with_name(f"{SMALL_MODULE}.{'0' * 20}{built.name[len(SMALL_MODULE) + 21:]}")
    built.rename(older)
    assert str(_import_small_module(tmp_path)["file"]).endswith("naming.py")
    build_compiled.build(cache=tmp_path, jobs=1, modules=[SMALL_MODULE])
    assert built.exists() and not older.exists()
