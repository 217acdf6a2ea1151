"""Make the lean CLI's library layout importable in tests, as LEAN does with python-additional-paths; run hypothesis
without time limits (speed is measured by the benchmarks, never asserted, and CI machines are shared)."""

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent
for path in (ROOT / "Library", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

settings.register_profile("untimed", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("untimed")
