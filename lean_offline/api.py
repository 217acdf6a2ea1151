"""Programmatic entry point: `backtest(target, ...)` runs one algorithm and returns its results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .engine.project import ProjectError, load_project


@dataclass
class BacktestResult:
    """What one backtest produced; field meanings follow the keys of LEAN's result files."""

    status: str
    statistics: dict[str, str]
    runtime_statistics: dict[str, str]
    orders: list[dict[str, Any]]
    order_events: list[dict[str, Any]]
    logs: list[str]
    warnings: list[str]
    charts: dict[str, Any]
    data_points: int
    seconds: float
    output_dir: Path | None
    algorithm: Any = None
    error: str = ""
    stack_trace: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0

    @property
    def points_per_second(self) -> float:
        return self.data_points / self.seconds if self.seconds > 0 else 0.0


def backtest(target: str | Path, data_folder: str | Path | None = None, output: str | Path | None = None,
             parameters: dict[str, str] | None = None, write_results: bool = True) -> BacktestResult:
    """Run the algorithm at `target` (project folder or .py file) with LEAN's semantics.

    `data_folder` defaults to lean.json's data-folder of the enclosing workspace; `output` to
    `<project>/backtests/<YYYY-MM-DD_HH-MM-SS>/`; `parameters` override config.json's.
    Raises ProjectError for an unusable target or data folder; algorithm failures give status "RuntimeError".
    """
    from .engine.runner import run_backtest

    project = load_project(target)
    if data_folder is None:
        if project.default_data_folder is None:
            raise ProjectError(f"{project.algorithm_file}: no lean.json above it names a data-folder; pass data_folder")
        data_folder = project.default_data_folder
    data_path = Path(data_folder).expanduser().resolve()
    if not data_path.is_dir():
        raise ProjectError(f"data folder {data_path} does not exist")
    merged_parameters = {**project.parameters, **{k: str(v) for k, v in (parameters or {}).items()}}
    output_dir: Path | None = None
    if write_results:
        output_dir = (Path(output).expanduser().resolve() if output is not None
                      else project.project_dir / "backtests" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S"))
    return run_backtest(project, data_path, merged_parameters, output_dir)
