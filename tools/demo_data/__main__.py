"""Command line: `python -m tools.demo_data --output data [--seed N] [--size full|small] [--dataset NAME ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.demo_data import DATASETS, generate_all
from tools.demo_data.trading_days import Size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.demo_data", description=__doc__)
    parser.add_argument("--output", type=Path, required=True, help="data folder to write (e.g. data)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", choices=[s.value for s in Size], default=Size.FULL.value)
    parser.add_argument("--dataset", action="append", choices=list(DATASETS), help="only these datasets")
    args = parser.parse_args(argv)
    written = generate_all(args.output, args.seed, Size(args.size), args.dataset)
    for name, files in written.items():
        print(f"{name}: {len(files)} files under {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
