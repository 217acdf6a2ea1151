"""`lean-offline backtest TARGET [--data-folder DIR] [--output DIR] [--parameter NAME VALUE]...`"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .engine.project import ProjectError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lean-offline", description="Run LEAN Python algorithms offline.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("backtest", help="backtest a project folder or an algorithm .py file")
    run.add_argument("target", help="project folder (main.py + config.json) or algorithm .py file")
    run.add_argument("--data-folder", default=None, help="LEAN data folder (default: lean.json's data-folder)")
    run.add_argument("--output", default=None, help="results folder (default: <project>/backtests/<timestamp>)")
    run.add_argument("--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                     help="override a config.json parameter (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code (0 only when the algorithm completed)."""
    from .api import backtest
    from .results import format_statistics_table

    args = _parser().parse_args(argv)
    try:
        result = backtest(args.target, data_folder=args.data_folder, output=args.output,
                          parameters=dict(args.parameter))
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in result.logs:
        print(line)
    if result.statistics:
        print(format_statistics_table(result.statistics))
    print(f"Algorithm Id:({result.extra.get('algorithm_id', '')}) completed in {result.seconds:.2f} seconds at "
          f"{result.points_per_second / 1000:.0f}k data points per second. "
          f"Processing total of {result.data_points:,} data points.")
    if result.output_dir is not None:
        print(f"Results written to {result.output_dir}")
    if result.status != "Completed":
        print(f"Algorithm status: {result.status}: {result.error}", file=sys.stderr)
        return 1
    return 0
