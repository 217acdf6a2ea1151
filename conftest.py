"""Make the lean CLI's library layout importable in tests, as LEAN does with python-additional-paths."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
for path in (ROOT / "Library", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
