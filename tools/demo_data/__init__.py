"""Seeded demo data for the strategies (`python -m tools.demo_data --output data [--seed N] [--size full|small]`).

Every dataset is a module with `generate(output: Path, rng: numpy.random.Generator, size: Size) -> list[Path]`
(the files it wrote), listed in `DATASETS`. A strategy adds its data by adding a module and one line here. Each
dataset draws from its own generator, seeded with (seed, dataset name), so adding a dataset never changes another's
files. Nothing here reads /work/shared or the network.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tools.demo_data import quantpedia_futures, us_equity
from tools.demo_data.trading_days import Size

Generate = Callable[[Path, np.random.Generator, Size], list[Path]]

DATASETS: dict[str, Generate] = {
    "us_equity": us_equity.generate,
    "quantpedia_futures": quantpedia_futures.generate,
}


def dataset_rng(seed: int, name: str) -> np.random.Generator:
    """The generator of one dataset: independent of the other datasets and of their order."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def generate_all(output: Path, seed: int, size: Size, names: list[str] | None = None) -> dict[str, list[Path]]:
    """Write the chosen datasets (all by default) under `output`; returns the files written per dataset."""
    chosen = names or list(DATASETS)
    unknown = [name for name in chosen if name not in DATASETS]
    if unknown:
        raise ValueError(f"unknown dataset(s) {unknown}; available: {', '.join(DATASETS)}")
    return {name: DATASETS[name](output, dataset_rng(seed, name), size) for name in chosen}
