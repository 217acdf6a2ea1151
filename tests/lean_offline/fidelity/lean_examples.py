"""Run LEAN's own Algorithm.Python regression algorithms (from a LEAN checkout) and compare with the
ExpectedStatistics of their Algorithm.CSharp twins. Used by test_lean_examples.py and runnable by hand:

    LEAN_REPO=/path/to/Lean .venv/bin/python -m tests.lean_offline.fidelity.lean_examples Name [Name...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_ENTRY = re.compile(r'\{\s*"([^"]+)"\s*,\s*"([^"]*)"\s*\}')


def expected_statistics(csharp_file: Path) -> dict[str, str]:
    """The ExpectedStatistics dictionary literal of a LEAN C# regression algorithm."""
    if not csharp_file.is_file():
        return {}
    text = csharp_file.read_text(encoding="utf-8")
    start = text.find("ExpectedStatistics")
    if start < 0:
        return {}
    block = text[start:text.find("};", start)]
    return dict(_ENTRY.findall(block))


def expected_data_points(csharp_file: Path) -> int | None:
    if not csharp_file.is_file():
        return None
    match = re.search(r"DataPoints\s*=>\s*(\d+)", csharp_file.read_text(encoding="utf-8"))
    return int(match.group(1)) if match else None


def main(names: list[str]) -> None:
    import os

    from lean_offline import backtest
    from tests.lean_offline.fidelity.test_fidelity import DATA, mismatches

    repo = Path(os.environ["LEAN_REPO"])
    for name in names:
        result = backtest(repo / "Algorithm.Python" / f"{name}.py", data_folder=DATA, write_results=False)
        expected = expected_statistics(repo / "Algorithm.CSharp" / f"{name}.cs")
        wrong = mismatches(expected, result.statistics) if expected and result.statistics else {"status": ("", "")}
        print(f"{name}: {result.status} {result.error[:200]} mismatches={wrong} "
              f"points={result.data_points}/{expected_data_points(repo / 'Algorithm.CSharp' / f'{name}.cs')}")


if __name__ == "__main__":
    main(sys.argv[1:])
