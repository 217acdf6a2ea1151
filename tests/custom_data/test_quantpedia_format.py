"""The Quantpedia line format, source resolution and fee rule (pure module, no AlgorithmImports)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from custom_data.quantpedia_format import (
    QuantpediaFormatError,
    QuantpediaSource,
    fee_for_notional,
    last_local_day,
    parse_quantpedia_date,
    parse_quantpedia_line,
    resolve_location,
)
from hypothesis import given
from hypothesis import strategies as st

from tools.demo_data import dataset_rng, quantpedia_futures
from tools.demo_data.trading_days import Size


def _strptime_date(field: str) -> date | None:
    try:
        return datetime.strptime(field.strip(), "%d.%m.%Y").date()
    except ValueError:
        return None


_DATE_LIKE = st.one_of(
    st.text(alphabet="0123456789. ", max_size=12),
    st.dates(min_value=date(1000, 1, 1)).map(lambda d: f"{d.day}.{d.month:02d}.{d.year}"),
    st.dates(min_value=date(1000, 1, 1)).map(lambda d: f" {d.day:02d}.{d.month}.{d.year} "),
    st.text(alphabet="0123456789.\u0661\u00b2x-", max_size=12),
)


@given(_DATE_LIKE)
def test_the_date_field_accepts_exactly_what_strptime_accepts(field: str) -> None:
    assert parse_quantpedia_date(field) == _strptime_date(field)


def test_a_row_parses_with_its_time_one_day_later() -> None:
    row = parse_quantpedia_line("31.12.1999;1412.25;1398.5\n")
    assert row is not None
    assert row.day == date(1999, 12, 31)
    assert (row.back_adjusted, row.spliced) == (1412.25, 1398.5)
    assert row.time == datetime(2000, 1, 1)


@pytest.mark.parametrize("line", ["date;back_adjusted;spliced", "Date;Back_Adjusted;Spliced\r\n", "", "   \n"])
def test_header_and_blank_lines_give_none(line: str) -> None:
    assert parse_quantpedia_line(line) is None


@pytest.mark.parametrize(
    "line,reason",
    [
        ("31.12.1999;1412.25", "expected 3"),
        ("31.12.1999;1412.25;1;2", "expected 3"),
        ("1999-12-31;1412.25;1398.5", "not dd.mm.yyyy"),
        ("32.12.1999;1412.25;1398.5", "not dd.mm.yyyy"),
        ("31.12.1999;n/a;1398.5", "back_adjusted 'n/a' is not a number"),
        ("31.12.1999;1412.25;", "spliced '' is not a number"),
        ("31.12.1999;inf;1.0", "not a finite number"),
    ],
)
def test_malformed_lines_raise_with_the_reason(line: str, reason: str) -> None:
    with pytest.raises(QuantpediaFormatError, match=reason):
        parse_quantpedia_line(line)


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_round_trip_of_any_row(day: date, back_adjusted: float, spliced: float) -> None:
    row = parse_quantpedia_line(f"{day.strftime('%d.%m.%Y')};{back_adjusted!r};{spliced!r}")
    assert row == (day, back_adjusted, spliced)


def test_parser_agrees_with_pandas_on_a_generated_file(tmp_path: Path) -> None:
    written = quantpedia_futures.generate(tmp_path, dataset_rng(1, "quantpedia_futures"), Size.SMALL)
    path = written[0]
    frame = pd.read_csv(path, sep=";")
    rows = [parse_quantpedia_line(line) for line in path.read_text().splitlines()]
    parsed = [row for row in rows if row is not None]
    assert len(parsed) == len(frame)
    assert [row.day for row in parsed] == list(pd.to_datetime(frame["date"], format="%d.%m.%Y").dt.date)
    np.testing.assert_allclose([row.back_adjusted for row in parsed], frame["back_adjusted"])


def test_source_parameter_values() -> None:
    assert QuantpediaSource.parse("object-store") is QuantpediaSource.OBJECT_STORE
    assert QuantpediaSource.parse(" AUTO ") is QuantpediaSource.AUTO
    with pytest.raises(
        ValueError, match="'quantpedia-source' is 'cloud'; accepted values: auto, local, object-store, remote"
    ):
        QuantpediaSource.parse("cloud")


def test_locations(tmp_path: Path) -> None:
    auto_missing = resolve_location(QuantpediaSource.AUTO, "CME_ES1", str(tmp_path))
    assert auto_missing.medium is QuantpediaSource.REMOTE
    assert auto_missing.path == "https://data.quantpedia.com/backtesting_data/futures/CME_ES1.csv"
    local = tmp_path / "alternative" / "quantpedia" / "futures" / "cme_es1.csv"
    local.parent.mkdir(parents=True)
    local.write_text("date;back_adjusted;spliced\n")
    auto_present = resolve_location(QuantpediaSource.AUTO, "CME_ES1", str(tmp_path))
    assert (auto_present.medium, Path(auto_present.path)) == (QuantpediaSource.LOCAL, local)
    store = resolve_location(QuantpediaSource.OBJECT_STORE, "CME_ES1", str(tmp_path))
    assert (store.medium, store.path) == (QuantpediaSource.OBJECT_STORE, "quantpedia/futures/cme_es1.csv")
    forced_local = resolve_location(QuantpediaSource.LOCAL, "ASX_XT1", str(tmp_path))
    assert forced_local.path.endswith("alternative/quantpedia/futures/asx_xt1.csv")


def test_fee_is_rate_times_absolute_notional() -> None:
    assert fee_for_notional(0.00005, 1500.0, -20) == pytest.approx(1.5)  # 0.005% of 30,000
    assert fee_for_notional(0.0, 1500.0, 20) == 0.0


def test_last_local_day_is_the_newest_row_over_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "alternative" / "quantpedia" / "futures"
    folder.mkdir(parents=True)
    (folder / "cme_es1.csv").write_text("date;back_adjusted;spliced\n02.01.2001;1;1\n03.01.2001;2;2\n")
    (folder / "cme_ty1.csv").write_text("date;back_adjusted;spliced\n05.01.2001;1;1\nbroken tail line\n")
    assert last_local_day(str(tmp_path), ["CME_ES1", "CME_TY1", "CME_DX1"]) == date(2001, 1, 5)
    assert last_local_day(str(tmp_path), ["CME_DX1"]) is None


def test_last_local_day_of_a_generated_file_matches_pandas(tmp_path: Path) -> None:
    written = quantpedia_futures.generate(tmp_path, dataset_rng(2, "quantpedia_futures"), Size.SMALL)
    newest = max(pd.to_datetime(pd.read_csv(path, sep=";")["date"], format="%d.%m.%Y").max() for path in written)
    symbols = [path.stem.upper() for path in written]
    assert last_local_day(str(tmp_path), symbols) == newest.date()
