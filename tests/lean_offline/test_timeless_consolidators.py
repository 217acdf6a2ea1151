"""Renko and range consolidators against hand-worked sequences."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lean_offline.data.market import TradeBar
from lean_offline.data.symbol import Symbol
from lean_offline.data.symbol_properties import SymbolProperties, SymbolPropertiesDatabase
from lean_offline.enums import SecurityType
from lean_offline.indicators import (
    BarDirection,
    ClassicRangeConsolidator,
    ClassicRenkoConsolidator,
    RangeConsolidator,
    RenkoConsolidator,
    RenkoType,
)

START = datetime(2021, 3, 1)
SPY = Symbol.create("SPY", SecurityType["EQUITY"], "usa")


def bars(closes: list[float], volume: float = 10.0) -> list[TradeBar]:
    return [TradeBar(START + timedelta(days=i), SPY, close, close, close, close, volume, timedelta(days=1))
            for i, close in enumerate(closes)]


def collect(consolidator: Any, data: list[TradeBar]) -> list[Any]:
    emitted: list[Any] = []
    consolidator.data_consolidated += lambda _sender, bar: emitted.append(bar)
    for point in data:
        consolidator.update(point)
    return emitted


def test_classic_renko_bricks_by_hand() -> None:
    # first brick opens at ceil(101/2)*2 = 102; 104.5 closes it at 104 (one brick per input), 105 opens
    # nothing new: the next brick opened at 104 on the same input and is still within 102..106; 101 closes it at 102
    emitted = collect(ClassicRenkoConsolidator(2.0), bars([101.0, 104.5, 105.0, 101.0]))
    assert [(b.open, b.close, b.high, b.low) for b in emitted] == [(102.0, 104.0, 104.0, 102.0),
                                                                  (104.0, 102.0, 105.0, 102.0)]
    assert [b.direction for b in emitted] == [BarDirection["RISING"], BarDirection["FALLING"]]
    assert emitted[0].spread == 2.0 and emitted[0].volume == 20.0  # opened with 10, updated with 10
    assert emitted[0].time == START and emitted[0].end_time == START + timedelta(days=1)


def test_classic_renko_with_selectors_and_uneven_first_brick() -> None:
    renko = ClassicRenkoConsolidator(1.0, lambda bar: bar.close * 2, lambda bar: 1.0, even_bars=False)
    emitted = collect(renko, bars([50.2, 50.8, 50.0]))
    assert [(b.open, b.close) for b in emitted] == [(100.4, 101.4), (101.4, 100.4)]
    assert renko.working_data.open == 100.4
    with pytest.raises(ValueError, match="bar_size"):
        ClassicRenkoConsolidator(0)


@pytest.fixture
def cent_properties(tmp_path: Path) -> SymbolPropertiesDatabase:
    database = SymbolPropertiesDatabase.load(tmp_path)
    database.set_entry("usa", "SPY", SecurityType["EQUITY"], SymbolProperties(minimum_price_variation=0.01))
    return database


def test_range_consolidator_emits_phantom_bars_across_a_gap(cent_properties: SymbolPropertiesDatabase) -> None:
    # range 100 × 0.01 = 1.00. The first bar opens (open = high = low) at ceil(100.3) = 101 with the first volume.
    # 103.6 breaks it: high capped at 102 and emitted without the breaking volume; the next opens 0.01 above, at
    # 102.01, and is broken by the same 103.6 (capped at 103.01, a phantom bar without volume); the third opens at
    # 103.02 and holds 103.6.
    emitted = collect(RangeConsolidator(100), bars([100.3, 103.6]))
    assert [(round(b.open, 2), round(b.high, 2), round(b.low, 2), b.volume) for b in emitted] == [
        (101.0, 102.0, 101.0, 10.0), (102.01, 103.01, 102.01, 0.0)]
    assert all(round(b.high - b.low, 2) == 1.0 and b.close == b.high for b in emitted)


def test_classic_range_consolidator_reopens_at_the_breaking_value(
        cent_properties: SymbolPropertiesDatabase) -> None:
    # first bar at 101 broken by 103.6 (capped at 102); the next opens at 103.6 itself and 103.0 stays within it
    consolidator = ClassicRangeConsolidator(100)
    emitted = collect(consolidator, bars([100.3, 103.6, 103.0]))
    assert [(round(b.high, 2), round(b.low, 2), b.volume) for b in emitted] == [(102.0, 101.0, 10.0)]
    assert (consolidator.working_data.open, consolidator.working_data.low) == (103.6, 103.0)
    with pytest.raises(ValueError, match="range"):
        RangeConsolidator(0)


def test_wicked_renko_bricks_keep_wicks_and_need_two_bricks_to_reverse() -> None:
    # first value 10.2 rounds to 10; 11.5 closes 10→11; 12.3 closes 11→12 (the 11.5 high is not a wick of a rising
    # brick, whose high is its close); 10.5 is not below 11 − 1 = 10, the reversal limit; 9.8 closes a falling
    # brick from the last brick's open 11 down to 10, with the 12.3 high as its upper wick
    emitted = collect(RenkoConsolidator(1.0), bars([10.2, 11.5, 12.3, 10.5, 9.8]))
    assert [(b.open, b.high, b.low, b.close) for b in emitted] == [
        (10.0, 11.0, 10.0, 11.0), (11.0, 12.0, 11.0, 12.0), (11.0, 12.3, 10.0, 10.0)]
    assert [b.direction for b in emitted] == [BarDirection["RISING"], BarDirection["RISING"], BarDirection["FALLING"]]
    assert all(b.type == RenkoType["WICKED"] and b.volume == 0 for b in emitted)
    assert emitted[0].time == START and emitted[0].end_time == START + timedelta(days=1)


def test_wicked_renko_closes_several_bricks_on_one_jump() -> None:
    renko = RenkoConsolidator(0.5)
    emitted = collect(renko, bars([100.1, 101.8]))  # 100.1 → 100.0; 101.8 passes 100.5, 101.0 and 101.5
    assert [(b.open, b.close) for b in emitted] == [(100.0, 100.5), (100.5, 101.0), (101.0, 101.5)]
    assert renko.working_data is emitted[-1]
    with pytest.raises(ValueError, match="bar_size"):
        RenkoConsolidator(0)
