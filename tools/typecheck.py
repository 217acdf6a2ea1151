"""Type-check every LEAN project and Library module against the pinned quantconnect-stubs, as LEAN's CI does.

Each `algorithms/<name>/main.py` is checked in its own mypy run: every project has a module called `main`,
and checking them together would let one shadow another. Library projects are checked as packages with
`Library/` on the search path, which is how the lean CLI makes them importable (python-additional-paths).
The offline engine and the tools are checked too (they do not use the stubs).

Usage: python -m tools.typecheck [PROJECT_DIR ...]   (default: every project and the Library packages)
Exit status 1 when any check fails.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


def _run_mypy(arguments: list[str], search_path: list[Path]) -> tuple[bool, str]:
    previous = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = os.pathsep.join(str(path) for path in search_path)
    try:
        stdout, stderr, status = mypy_api.run(["--config-file", str(CONFIG), "--no-error-summary", *arguments])
    finally:
        if previous is None:
            os.environ.pop("MYPYPATH", None)
        else:
            os.environ["MYPYPATH"] = previous
    return status == 0, (stdout + stderr).strip()


def library_roots(workspace: Path) -> list[Path]:
    """The Library projects (folders with a config.json) of a workspace."""
    library = workspace / "Library"
    return sorted(path for path in library.iterdir() if (path / "config.json").is_file()) if library.is_dir() else []


def check_project(project: Path, workspace: Path = ROOT) -> tuple[bool, str]:
    """Type-check one LEAN project's main.py (plus any sibling modules it imports)."""
    main = project / "main.py"
    if not main.is_file():
        return False, f"{project}: no main.py"
    return _run_mypy([str(main)], [workspace / "Library", project])


def check_libraries(workspace: Path = ROOT) -> tuple[bool, str]:
    """Type-check every Library project as a package."""
    packages: list[str] = []
    for root in library_roots(workspace):
        packages += ["-p", root.name]
    if not packages:
        return True, ""
    return _run_mypy(packages, [workspace / "Library"])


def check_engine(workspace: Path = ROOT) -> tuple[bool, str]:
    """Type-check the offline engine and the workspace tools."""
    return _run_mypy(["-p", "lean_offline", "-p", "tools"], [workspace])


def main(argv: list[str]) -> int:
    projects = [Path(arg).resolve() for arg in argv] or sorted(
        path for path in (ROOT / "algorithms").iterdir() if (path / "main.py").is_file()
    )
    failures = 0
    checks: list[tuple[str, tuple[bool, str]]] = [(str(p.relative_to(ROOT)), check_project(p)) for p in projects]
    if not argv:
        checks.append(("Library", check_libraries()))
        checks.append(("lean_offline and tools", check_engine()))
    for name, (ok, output) in checks:
        print(f"typecheck {name}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures += 1
            print(output)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
