"""Backtest every project in `algorithms/` with lean_offline and write the summary table.

Results go where `lean backtest` puts them (`algorithms/<name>/backtests/<YYYY-MM-DD_HH-MM-SS>/`); the table (one
row per algorithm, LEAN's main statistics) goes to stdout and to the report file. Exit status 1 if any backtest failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lean_offline import backtest

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "Net Profit",
    "Compounding Annual Return",
    "Sharpe Ratio",
    "Annual Standard Deviation",
    "Drawdown",
    "Total Orders",
    "Total Fees",
]


def discover_projects(algorithms: Path) -> list[Path]:
    return sorted(path for path in algorithms.iterdir() if (path / "main.py").is_file())


def summary_table(rows: list[tuple[str, str, dict[str, str], str]]) -> str:
    header = ["Algorithm", "Status", *COLUMNS, "Notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, status, statistics, notes in rows:
        cells = [name, status, *(statistics.get(column, "") for column in COLUMNS), notes]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-folder", type=Path, default=ROOT / "data")
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "summary.md")
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, dict[str, str], str]] = []
    failed = False
    for project in discover_projects(ROOT / "algorithms"):
        started = time.perf_counter()
        result = backtest(project, data_folder=args.data_folder)
        seconds = time.perf_counter() - started
        notes = [f"{seconds:.1f} s", f"{result.data_points:,} data points"]
        if result.warnings:
            notes.append(f"{len(result.warnings)} data warnings")
        if result.status != "Completed":
            failed = True
        rows.append((project.name, result.status, result.statistics, ", ".join(notes)))
        print(f"{project.name}: {result.status} in {seconds:.1f} s -> {result.output_dir}")

    table = summary_table(rows)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text("# Demo backtests (lean_offline, generated demo data)\n\n" + table + "\n")
    print()
    print(table)
    print(f"\nwritten {args.report}")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
