"""Shared fixtures: LEAN's sample data beside the checkout (CI has it; a newcomer's clone does not)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
LEAN_DATA = REPO_ROOT.parent / "shared" / "lean-data"
FIDELITY = REPO_ROOT.parent / "shared" / "fidelity"


@pytest.fixture(scope="session")
def lean_data_folder() -> Path:
    """LEAN's sample data folder; the test is skipped with a reason when it is absent."""
    if not (LEAN_DATA / "equity" / "usa" / "daily" / "spy.zip").is_file():
        pytest.skip(f"LEAN sample data not found at {LEAN_DATA} (present in CI beside the checkout)")
    return LEAN_DATA


@pytest.fixture(scope="session")
def fidelity_folder() -> Path:
    """LEAN's recorded regression statistics; skipped with a reason when absent."""
    if not FIDELITY.is_dir():
        pytest.skip(f"LEAN fidelity cases not found at {FIDELITY} (present in CI beside the checkout)")
    return FIDELITY
