"""`lean-offline backtest TARGET [--data-folder DIR] [--output DIR] [--parameter NAME VALUE]...` and
`lean-offline compile [--jobs N]`."""

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
    compile_ = commands.add_parser("compile", help="build the engine's modules with Cython (needs a C compiler): "
                                   "the same code, faster; LEAN_OFFLINE_PURE=1 runs the source")
    compile_.add_argument("--jobs", type=int, default=None, help="parallel compilations (default: the CPU count)")
    return parser


def _compile(jobs: int | None) -> int:
    from .build_compiled import CompileUnavailable, build
    from .compiled_modules import CACHE

    if jobs is not None and jobs < 1:
        print(f"error: --jobs must be at least 1, got {jobs}", file=sys.stderr)
        return 2
    try:
        report = build(jobs=jobs)
    except CompileUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: building the compiled modules in {CACHE} failed: {exc}", file=sys.stderr)
        return 2
    print(f"compiled modules: {len(report.built)} built, {len(report.up_to_date)} already up to date")
    if report.failed:
        print(f"error: {len(report.failed)} modules failed to compile and run from source: "
              f"{', '.join(report.failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code (0 only when the algorithm completed)."""
    args = _parser().parse_args(argv)
    if args.command == "compile":
        return _compile(args.jobs)
    from .api import backtest
    from .results import format_statistics_table

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
