"""Locate what a backtest needs from a lean CLI workspace: algorithm file, config, parameters, libraries, data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class ProjectError(ValueError):
    """The target, its config.json or lean.json cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Project:
    """A resolved backtest target.

    `project_dir` is the folder of the algorithm (for a single .py file, its folder); `workspace_root` is the
    nearest ancestor holding lean.json (None when there is none); `library_paths` go on sys.path as the lean CLI
    puts them (`Library/<name>` for each library in config.json, then `Library/` itself).
    """

    algorithm_file: Path
    project_dir: Path
    workspace_root: Path | None
    name: str
    parameters: dict[str, str] = field(default_factory=dict)
    library_paths: tuple[Path, ...] = ()
    default_data_folder: Path | None = None


def _read_json(path: Path) -> dict[str, object]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not isinstance(loaded, dict):
        raise ProjectError(f"{path}: expected a JSON object at the top level")
    return loaded


def find_workspace_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds lean.json."""
    for folder in (start, *start.parents):
        if (folder / "lean.json").is_file():
            return folder
    return None


def _workspace_data_folder(root: Path) -> Path | None:
    settings = _read_json(root / "lean.json")
    folder = settings.get("data-folder")
    if folder is None:
        return None
    if not isinstance(folder, str):
        raise ProjectError(f"{root / 'lean.json'}: 'data-folder' must be a string")
    return (root / folder).resolve()


def _string_parameters(raw: object, source: Path) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ProjectError(f"{source}: 'parameters' must be an object of name → value")
    return {str(name): str(value) for name, value in raw.items()}


def _library_paths(config: dict[str, object], root: Path | None, source: Path) -> tuple[Path, ...]:
    if root is None:
        return ()
    library_root = root / "Library"
    paths: list[Path] = []
    libraries = config.get("libraries", [])
    if not isinstance(libraries, list):
        raise ProjectError(f"{source}: 'libraries' must be a list")
    for entry in libraries:
        relative = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(relative, str):
            raise ProjectError(f"{source}: each library needs a 'path' string, got {entry!r}")
        candidate = (root / relative) if relative.startswith("Library") else (library_root / relative)
        paths.append(candidate.resolve())
    if library_root.is_dir():
        paths.append(library_root.resolve())
    return tuple(paths)


def load_project(target: str | Path) -> Project:
    """Resolve a project folder (main.py + config.json) or a single algorithm .py file."""
    path = Path(target).expanduser().resolve()
    if path.is_dir():
        algorithm_file = path / "main.py"
        if not algorithm_file.is_file():
            raise ProjectError(f"{path}: a project folder needs a main.py")
        project_dir = path
    elif path.is_file() and path.suffix == ".py":
        algorithm_file = path
        project_dir = path.parent
    else:
        raise ProjectError(f"{path}: not a project folder nor a Python algorithm file")
    config_path = project_dir / "config.json"
    config = _read_json(config_path) if path.is_dir() and config_path.is_file() else {}
    root = find_workspace_root(project_dir)
    return Project(
        algorithm_file=algorithm_file,
        project_dir=project_dir,
        workspace_root=root,
        name=project_dir.name if path.is_dir() else algorithm_file.stem,
        parameters=_string_parameters(config.get("parameters"), config_path),
        library_paths=_library_paths(config, root, config_path),
        default_data_folder=_workspace_data_folder(root) if root else None,
    )
