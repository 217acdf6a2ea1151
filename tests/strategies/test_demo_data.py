"""The seeded demo data: LEAN formats, exchange calendars, determinism and the planted spillover."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import exchange_calendars as xcals  # type: ignore[import-untyped]
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tools.demo_data import DATASETS, generate_all
from tools.demo_data.__main__ import main
from tools.demo_data.quantpedia_futures import SPILLOVER_LOOKBACK, SPILLOVER_SHARPE, TRIPLETS
from tools.demo_data.trading_days import Size


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo_small")
    assert main(["--output", str(folder), "--seed", "5", "--size", "small"]) == 0
    return folder


def zip_rows(path: Path) -> list[list[str]]:
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["spy.csv"]
        return [line.split(",") for line in archive.read("spy.csv").decode().splitlines()]


def test_registry_lists_the_datasets() -> None:
    assert {"us_equity", "quantpedia_futures"} <= set(DATASETS)
    with pytest.raises(ValueError, match="unknown dataset"):
        generate_all(Path("unused"), 1, Size.SMALL, ["nope"])


def test_spy_daily_is_lean_format_on_nyse_sessions(small: Path) -> None:
    rows = zip_rows(small / "equity" / "usa" / "daily" / "spy.zip")
    sessions = xcals.get_calendar("XNYS", start="1996-01-02", end="2003-12-31").sessions
    assert [r[0] for r in rows] == [f"{d:%Y%m%d} 00:00" for d in sessions]
    values = np.array([[int(x) for x in r[1:6]] for r in rows])
    opens, highs, lows, closes = values[:, 0], values[:, 1], values[:, 2], values[:, 3]
    assert np.all(highs >= np.maximum(opens, closes)) and np.all(lows <= np.minimum(opens, closes))
    assert 30 < closes[0] / 10_000 < 120  # deci-cents: tens of dollars


def test_spy_hourly_aggregates_to_the_daily_bar(small: Path) -> None:
    daily = {r[0][:8]: [int(x) for x in r[1:6]] for r in zip_rows(small / "equity" / "usa" / "daily" / "spy.zip")}
    hourly = pd.DataFrame(zip_rows(small / "equity" / "usa" / "hour" / "spy.zip"), columns=list("tohlcv"))
    hourly["day"] = hourly["t"].str[:8]
    hourly[list("ohlcv")] = hourly[list("ohlcv")].astype(int)
    grouped = hourly.groupby("day")
    assert set(grouped.groups) == set(daily)
    hours = grouped["t"].apply(lambda s: [t[9:] for t in s])
    assert hours["19960102"] == [f"{h:02d}:00" for h in range(9, 16)]
    assert hours["19961129"] == ["09:00", "10:00", "11:00", "12:00"]  # day after Thanksgiving: 13:00 close
    aggregate = pd.DataFrame(
        {"o": grouped["o"].first(), "h": grouped["h"].max(), "l": grouped["l"].min(), "c": grouped["c"].last()}
    )
    expected = pd.DataFrame.from_dict(daily, orient="index", columns=list("ohlcv"))[list("ohlc")]
    pd.testing.assert_frame_equal(aggregate.sort_index(), expected.sort_index(), check_names=False)


def test_quantpedia_files_follow_their_exchange_calendar(small: Path) -> None:
    folder = small / "alternative" / "quantpedia" / "futures"
    assert len(list(folder.glob("*.csv"))) == 18
    frame = pd.read_csv(folder / "asx_xt1.csv", sep=";")
    assert list(frame.columns) == ["date", "back_adjusted", "spliced"]
    days = pd.to_datetime(frame["date"], format="%d.%m.%Y")
    sessions = xcals.get_calendar("XASX", start="1996-01-02", end="2003-12-31").sessions
    assert list(days) == list(sessions)
    assert (frame["back_adjusted"] > 0).all() and (frame["spliced"] >= frame["back_adjusted"]).all()


def test_same_seed_same_files_other_seed_other_files(small: Path, tmp_path: Path) -> None:
    generate_all(tmp_path / "a", 5, Size.SMALL, ["quantpedia_futures"])
    generate_all(tmp_path / "b", 6, Size.SMALL, ["quantpedia_futures"])
    name = "alternative/quantpedia/futures/cme_es1.csv"
    assert (tmp_path / "a" / name).read_bytes() == (small / name).read_bytes()
    assert (tmp_path / "b" / name).read_bytes() != (small / name).read_bytes()


def test_the_planted_spillover_is_found_in_the_files(tmp_path: Path) -> None:
    """Regress next-day returns (in units of their daily volatility) on the spillover score, through the origin:
    the model's drift gives a slope of SPILLOVER_SHARPE / sqrt(252) per unit of score."""
    generate_all(tmp_path, 11, Size.FULL, ["quantpedia_futures"])
    folder = tmp_path / "alternative" / "quantpedia" / "futures"
    scores_and_returns = []
    for triplet in TRIPLETS:
        prices = pd.concat(
            [pd.read_csv(folder / f"{leg.lower()}.csv", sep=";", index_col=0)["back_adjusted"] for leg in triplet],
            axis=1,
            keys=["fx", "equity", "bond"],
        )
        prices.index = pd.to_datetime(prices.index, format="%d.%m.%Y")
        log_prices = np.log(prices.sort_index().ffill())
        trend = np.sign(log_prices.diff(SPILLOVER_LOOKBACK))
        scores = pd.DataFrame(
            {
                "fx": -trend["bond"] - trend["equity"],
                "equity": trend["bond"] + trend["fx"],
                "bond": trend["fx"] - trend["equity"],
            }
        )
        returns = log_prices.diff().shift(-1)
        scores_and_returns.append(pd.concat({"s": scores.stack(), "z": (returns / returns.std()).stack()}, axis=1))
    data = pd.concat(scores_and_returns).dropna()
    slope = (data["s"] * data["z"]).sum() / (data["s"] ** 2).sum()
    t_stat = slope * np.sqrt((data["s"] ** 2).sum())
    assert t_stat > 3, t_stat
    assert 0.5 * SPILLOVER_SHARPE < slope * np.sqrt(252) < 1.5 * SPILLOVER_SHARPE


def test_size_ranges() -> None:
    assert (Size.FULL.first_day, Size.FULL.last_day) == (date(1996, 1, 1), date(2012, 12, 31))
    assert Size.SMALL.last_day == date(2003, 12, 31)
