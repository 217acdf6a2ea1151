"""`lean-offline compile`: build the engine's modules with Cython into `lean_offline/_compiled/`, where
`compiled_modules` finds them. The same source, compiled as plain Python (no C types: annotations are not used as
types), computes the same; the benchmarks' loops take 11-17% fewer instructions. What differs is what Python's tools
see of the engine: a compiled module's `__file__` is its build; stack traces name its frames by relative path and
qualified name (a `with` block adds a frame); `inspect.getsource` finds no source for its modules and functions; and
debuggers, coverage and profilers see no Python frames there (`LEAN_OFFLINE_PURE=1` runs the source).

Only modules whose source has no build yet are compiled, so a second run after editing one module compiles that one.
A module that fails to compile is reported and stays pure Python; the others are used."""

from __future__ import annotations

import importlib.machinery
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compiled_modules import CACHE, NEVER_COMPILED, PACKAGE, compiled_path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Plain Python semantics: no C types from annotations or inference, Python's own division and indexing.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "infer_types": False, "binding": True}
#: -O2: the loop of benchmark (a) ran 5.72 G instructions compiled at -O2, 6.00 G at -O1 and 5.61 G at -O3 (pure
#: Python: 6.89 G), and -O2 builds in two thirds of -O3's time; no debug information.
COMPILE_ARGS = ["-O2", "-g0"]
STAMP = "build.json"


class CompileUnavailable(RuntimeError):
    """Cython or setuptools is missing."""


@dataclass
class BuildReport:
    """Module names: compiled by this build, already built from their current source, failed (they run from source)."""

    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def engine_modules(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Every module of the package that is compiled: all `.py` files but package `__init__`s and `NEVER_COMPILED`."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir.parent).with_suffix("")
        if path.name == "__init__.py" or "__pycache__" in relative.parts:
            continue
        name = ".".join(relative.parts)
        if name not in NEVER_COMPILED:
            modules[name] = path
    return modules


def _configuration(cython_version: str) -> dict[str, object]:
    return {"cython": cython_version, "directives": DIRECTIVES, "compile_args": COMPILE_ARGS,
            "suffix": importlib.machinery.EXTENSION_SUFFIXES[0]}


def _reset_if_configuration_changed(cache: Path, configuration: dict[str, object]) -> None:
    """Builds made with another Cython, other directives or flags are removed: their digests would still match."""
    stamp = cache / STAMP
    try:
        previous = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    if previous != configuration:
        _remove_builds(cache, keep=set())
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(configuration, indent=1), encoding="utf-8")


def _remove_builds(cache: Path, keep: set[Path]) -> None:
    """Every build in `cache` but `keep`: builds of older sources of each module, of modules that no longer exist,
    and copies left by an interrupted build (one build at a time: another build's copy in progress would go too)."""
    for old in cache.glob(f"{PACKAGE}.*"):
        if old not in keep:
            old.unlink(missing_ok=True)


def build(cache: Path = CACHE, jobs: int | None = None, modules: Sequence[str] | None = None) -> BuildReport:
    """Compile every engine module (or those of `modules`) whose current source has no build in `cache`, with `jobs`
    compilations at a time (default: the CPU count); see the module docstring."""
    try:
        from Cython import __version__ as cython_version
        from Cython.Build import cythonize
        from setuptools import Distribution  # type: ignore[import-untyped]
    except ImportError as missing:
        raise CompileUnavailable(f"compiling needs Cython and setuptools ({missing}): "
                                 "pip install cython==3.3.1 (the project's dev extra has it)") from missing
    jobs = jobs or os.cpu_count() or 1
    _reset_if_configuration_changed(cache, _configuration(cython_version))
    report = BuildReport()
    sources = {name: path.read_bytes() for name, path in engine_modules().items()}
    unknown = sorted(set(modules or ()) - set(sources))
    if unknown:
        raise ValueError(f"not engine modules that are compiled: {', '.join(unknown)}")
    targets = {name: compiled_path(cache, name, source) for name, source in sources.items()}
    asked = sorted(modules) if modules is not None else sorted(sources)
    wanted = [name for name in asked if not targets[name].is_file()]
    report.up_to_date = [name for name in asked if name not in wanted]
    if wanted:
        with tempfile.TemporaryDirectory(prefix="lean_offline_compile_") as scratch:
            root = Path(scratch)
            copies = _copy_sources(root / "src", {name: sources[name] for name in wanted})
            extensions = cythonize([str(path) for path in copies.values()], nthreads=jobs, quiet=True,
                                   compiler_directives=DIRECTIVES, exclude_failures=True)
            for extension in extensions:
                extension.extra_compile_args = COMPILE_ARGS
                extension.optional = True  # a C compiler error skips this module instead of the whole build
            if extensions:
                _compile(extensions, root, jobs, Distribution)
            for name in wanted:
                built = root / "lib" / Path(*name.split(".")).with_suffix(importlib.machinery.EXTENSION_SUFFIXES[0])
                if built.is_file():
                    staged = targets[name].with_suffix(".partial")
                    shutil.copyfile(built, staged)
                    os.replace(staged, targets[name])
                    report.built.append(name)
                else:
                    report.failed.append(name)
    _remove_builds(cache, {target for target in targets.values() if target.is_file()})
    return report


def _copy_sources(root: Path, sources: dict[str, bytes]) -> dict[str, Path]:
    """The exact bytes that were digested, in a package tree Cython derives the full module names from."""
    copies = {}
    for name, source in sources.items():
        path = root / Path(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source)
        copies[name] = path
        package = path.parent
        while package != root:
            (package / "__init__.py").touch()
            package = package.parent
    return copies


def _compile(extensions: list[Any], root: Path, jobs: int, distribution_type: type) -> None:
    logging.getLogger("distutils").setLevel(logging.WARNING)
    distribution = distribution_type({"ext_modules": extensions, "script_name": "lean-offline compile"})
    command = distribution.get_command_obj("build_ext")
    command.build_lib = str(root / "lib")
    command.build_temp = str(root / "temp")
    command.parallel = jobs
    command.ensure_finalized()
    command.run()
