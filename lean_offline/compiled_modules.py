"""Compiled modules: the engine's own `.py` files built by Cython into extension modules (`lean-offline compile`),
imported in place of the source only when they were built from exactly the source beside them.

The cache lives in `lean_offline/_compiled/`, one file per module and source version,
`<module name>.<source digest><extension suffix>`. A module whose source changed since its build has no file of its
digest and is imported from its source, so an edit is never shadowed by an old build. Setting `LEAN_OFFLINE_PURE=1`
imports every module from source (for debuggers and Python profilers, which see no frames inside compiled code)."""

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
from types import ModuleType

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
        if not fullname.startswith(PACKAGE + ".") or fullname in NEVER_COMPILED:
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
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(built))
        return importlib.util.spec_from_file_location(fullname, built, loader=loader)


def install(cache: Path = CACHE) -> None:
    """Put the finder first on `sys.meta_path`, unless `LEAN_OFFLINE_PURE` is set or nothing was ever built."""
    if os.environ.get(PURE_VARIABLE, "") not in ("", "0") or not cache.is_dir():
        return
    if not any(isinstance(finder, CompiledModuleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, CompiledModuleFinder(cache))


def loaded() -> list[str]:
    """The `lean_offline` modules imported so far from a compiled build."""
    return sorted(name for name, module in list(sys.modules.items())
                  if name.startswith(PACKAGE + ".") and isinstance(getattr(module, "__loader__", None),
                                                                   importlib.machinery.ExtensionFileLoader))
