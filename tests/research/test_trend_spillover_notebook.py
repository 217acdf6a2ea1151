"""research/trend_spillover.ipynb runs headless on small generated data and writes its sweep and plots."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd  # type: ignore[import-untyped]
import pytest
from nbclient import NotebookClient

from tools.demo_data import generate_all
from tools.demo_data.trading_days import Size

NOTEBOOK = Path(__file__).resolve().parents[2] / "research" / "trend_spillover.ipynb"


def test_notebook_sweeps_1_to_60_months_and_saves_the_plots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, output = tmp_path / "data", tmp_path / "output"
    generate_all(data, seed=3, size=Size.SMALL, names=["quantpedia_futures"])
    monkeypatch.setenv("TREND_SPILLOVER_DATA", str(data))
    monkeypatch.setenv("TREND_SPILLOVER_OUTPUT", str(output))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute(env=dict(os.environ))

    for name in ("trend_spillover_sweep.png", "trend_spillover_cumulative_36m.png"):
        assert (output / name).stat().st_size > 10_000, name
    sweep = pd.read_csv(output / "trend_spillover_sweep.csv", header=[0, 1], index_col=0)
    assert list(sweep.index) == list(range(1, 61))
    assert sweep.shape == (60, 12)
    assert set(sweep.columns.get_level_values(0)) == {"trend", "spillover", "both"}
    assert set(sweep.columns.get_level_values(1)) == {"fx", "equity", "bond", "all"}
    assert sweep.notna().all().all()
