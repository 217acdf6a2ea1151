"""Compiled modules: the engine's own `.py` files built by Cython into extension modules (`lean-offline compile`),
imported in place of the source only when they were built from exactly the source beside them.

The cache lives in `lean_offline/_compiled/`, one file per module and source version,
`<module name>.<source digest><extension suffix>`. A module whose source changed since its build has no file of its
digest and is imported from its source, so an edit is never shadowed by an old build; so is a module being reloaded
(`importlib.reload` runs the source) and one whose build cannot be loaded (with a warning). Setting
`LEAN_OFFLINE_PURE=1` imports every module from source: for debuggers, coverage and Python profilers, which see no
frames inside compiled code."""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

PACKAGE = "lean_offline"
CACHE = Path(__file__).resolve().with_name("_compiled")
PURE_VARIABLE = "LEAN_OFFLINE_PURE"
#: Modules never compiled: this finder and its builder, which must work before and without any build.
NEVER_COMPILED = frozenset({f"{PACKAGE}.compiled_modules", f"{PACKAGE}.build_compiled", f"{PACKAGE}.__main__"})


def source_digest(source: bytes) -> str:
    """The first 20 hex digits of the source's SHA-256: names the build of exactly this source."""
    return hashlib.sha256(source).hexdigest()[:20]


def compiled_path(cache: Path, module: str, source: bytes) -> Path:
    """Where the build of `module` from `source` is kept for this interpreter's extension ABI."""
    return cache / f"{module}.{source_digest(source)}{importlib.machinery.EXTENSION_SUFFIXES[0]}"


class CompiledModuleFinder(importlib.abc.MetaPathFinder):
    """Finds `lean_offline` submodules (not packages) whose build from their current source is in `cache`; any other
    import is left to the path finders behind it."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if not fullname.startswith(PACKAGE + ".") or fullname in NEVER_COMPILED or target is not None:
            return None
        source_spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if (source_spec is None or source_spec.origin is None or not source_spec.origin.endswith(".py")
                or source_spec.submodule_search_locations is not None):
            return None
        try:
            source = Path(source_spec.origin).read_bytes()
        except OSError:
            return None
        built = compiled_path(self.cache, fullname, source)
        if not built.is_file():
            return None
        loader = _BuildOrSourceLoader(fullname, str(built), source_spec)
        return importlib.util.spec_from_file_location(fullname, built, loader=loader)


class _BuildOrSourceLoader(importlib.abc.Loader):
    """Loads the build; if it cannot be loaded (damaged, or removed since it was found), warns, removes it and hands
    the import to the source's spec. The source and its code are the source's, the build being made from them: stack
    traces show the engine's lines (read from a relative path first, so a process running inside another checkout
    shows that checkout's lines), and `python -m` runs the source's code (with the build as its `__file__`)."""

    def __init__(self, fullname: str, path: str, source_spec: ModuleSpec) -> None:
        self.name, self.path = fullname, path
        self._build = importlib.machinery.ExtensionFileLoader(fullname, path)
        self._source_spec = source_spec
        self._source_loader: Any = source_spec.loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        try:
            return self._build.create_module(spec)
        except ImportError as error:
            print(f"lean_offline: the compiled build {self.path} cannot be loaded ({error}); {self.name} runs from "
                  f"its source. `lean-offline compile` replaces the build.", file=sys.stderr)
            try:
                os.remove(self.path)
            except OSError:
                pass
            source = self._source_spec
            spec.loader, spec.origin, spec.cached = source.loader, source.origin, source.cached
            return self._source_loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if module.__spec__ is not None and module.__spec__.loader is not self:  # the source took over in create_module
            self._source_loader.exec_module(module)
            return
        self._build.exec_module(module)

    def is_package(self, fullname: str) -> bool:
        return False

    def get_source(self, fullname: str) -> str | None:
        return self._source_loader.get_source(fullname)

    def get_code(self, fullname: str) -> CodeType | None:
        return self._source_loader.get_code(fullname)


def install(cache: Path = CACHE) -> None:
    """Put the finder first on `sys.meta_path`, unless `LEAN_OFFLINE_PURE` is set (to anything but 0, false, no or
    off) or nothing was ever built."""
    if os.environ.get(PURE_VARIABLE, "").strip().lower() not in ("", "0", "false", "no", "off") or not cache.is_dir():
        return
    if not any(isinstance(finder, CompiledModuleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, CompiledModuleFinder(cache))


def loaded() -> list[str]:
    """The `lean_offline` modules imported so far from a compiled build."""
    return sorted(name for name, module in list(sys.modules.items())
                  if name.startswith(PACKAGE + ".") and isinstance(getattr(module, "__loader__", None),
                                                                   _BuildOrSourceLoader))
