"""The trend_spillover algorithm run through lean_offline on small generated data.

Every expectation is re-derived here from the data files with pandas/numpy and the rules of the seed and of
docs/trend_spillover.md (signs of the six spillovers, inverse volatility of 60 returns, weekly rebalance, stale
after 10 days without a point, fee 0.005% of notional). Nothing here calls crossasset.
"""

from __future__ import annotations

import math
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tools.demo_data import generate_all
from tools.demo_data.trading_days import Size

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "algorithms" / "trend_spillover"
TRIPLETS = [
    ("CME_AD1", "ASX_YAP1", "ASX_XT1"),
    ("CME_BP1", "LIFFE_Z1", "LIFFE_R1"),
    ("CME_CD1", "LIFFE_FCE1", "MX_CGB1"),
    ("CME_EC1", "EUREX_FSTX1", "EUREX_FGBL1"),
    ("CME_JY1", "SGX_NK1", "SGX_JB1"),
    ("CME_DX1", "CME_ES1", "CME_TY1"),
]
LEGS = [leg for triplet in TRIPLETS for leg in triplet]
LOOKBACK_MONTHS = 12
LOOKBACK = LOOKBACK_MONTHS * 21
VOL_RETURNS = 60
FEE_RATE = 0.00005
START, END = date(2000, 1, 1), date(2001, 6, 30)
PARAMETERS = {
    "lookback-months": str(LOOKBACK_MONTHS),
    "start-date": START.isoformat(),
    "end-date": END.isoformat(),
    "quantpedia-source": "local",
}
STALE_LEG, STALE_LAST_ROW = "CME_JY1", date(2000, 8, 4)  # held long from June to October
MALFORMED_LEG = "CME_AD1"
NEW_YORK = "America/New_York"


@pytest.fixture(scope="module")
def clean_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trend_spillover_clean")
    generate_all(folder, seed=7, size=Size.SMALL)
    return folder


@pytest.fixture(scope="module")
def faulty_data(clean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """A copy where CME_JY1 stops after STALE_LAST_ROW and CME_AD1 has two malformed lines (their line numbers)."""
    folder = tmp_path_factory.mktemp("trend_spillover_faulty")
    shutil.copytree(clean_data, folder, dirs_exist_ok=True)
    stale = quantpedia_file(folder, STALE_LEG)
    kept = [line for line in stale.read_text().splitlines() if not line[0].isdigit() or row_day(line) <= STALE_LAST_ROW]
    stale.write_text("\n".join(kept) + "\n")
    corrupt = quantpedia_file(folder, MALFORMED_LEG)
    lines = corrupt.read_text().splitlines()
    lines[700] = lines[700].split(";")[0] + ";not-a-number;1.0"  # line 701: bad value
    lines.insert(900, "this line is not a row")  # line 901: garbage
    corrupt.write_text("\n".join(lines) + "\n")
    return folder, [701, 901]


def quantpedia_file(folder: Path, symbol: str) -> Path:
    return folder / "alternative" / "quantpedia" / "futures" / f"{symbol.lower()}.csv"


def row_day(line: str) -> date:
    return datetime.strptime(line.split(";")[0], "%d.%m.%Y").date()


def read_series(folder: Path, symbol: str) -> pd.Series:
    """Back-adjusted prices by row date, keeping only well-formed rows (pandas' own parsing)."""
    frame = pd.read_csv(quantpedia_file(folder, symbol), sep=";", dtype=str, on_bad_lines="skip")
    days = pd.to_datetime(frame["date"], format="%d.%m.%Y", errors="coerce")
    values = pd.to_numeric(frame["back_adjusted"], errors="coerce")
    ok = days.notna() & values.notna()
    return pd.Series(values[ok].to_numpy(), index=pd.DatetimeIndex(days[ok]))


def spy_sessions(folder: Path) -> list[date]:
    with zipfile.ZipFile(folder / "equity" / "usa" / "daily" / "spy.zip") as archive:
        text = archive.read("spy.csv").decode()
    return [datetime.strptime(line[:8], "%Y%m%d").date() for line in text.splitlines() if line]


def expected_rebalance_days(folder: Path) -> list[date]:
    """The on_data after the 09:30 WeekStart event of each week: the first session's points arrive the next midnight."""
    sessions = [d for d in spy_sessions(folder) if START <= d <= END]
    firsts: dict[tuple[int, int], date] = {}
    for day in sessions:
        firsts.setdefault(day.isocalendar()[:2], day)
    return sorted(first + timedelta(days=1) for first in firsts.values() if first + timedelta(days=1) <= END)


def seed_signs(fx: float, equity: float, bond: float) -> tuple[int, int, int]:
    s_fx, s_eq, s_bond = np.sign(fx), np.sign(equity), np.sign(bond)
    return int(np.sign(-s_bond - s_eq)), int(np.sign(s_bond + s_fx)), int(np.sign(s_fx - s_eq))


def reference_weights(series: dict[str, pd.Series], arrival: date) -> dict[str, float]:
    """Target weights at the on_data of `arrival` (00:00): rows dated before it, stale legs reset."""
    histories = {leg: s[s.index < pd.Timestamp(arrival)] for leg, s in series.items()}

    def ready(leg: str) -> bool:
        history = histories[leg]
        fresh = len(history) and (arrival - (history.index[-1].date() + timedelta(days=1))).days <= 10
        return bool(fresh) and len(history) >= max(LOOKBACK, VOL_RETURNS + 1)

    ready_triplets = [t for t in TRIPLETS if all(ready(leg) for leg in t)]
    weights: dict[str, float] = {}
    for triplet in ready_triplets:
        prices = [histories[leg].to_numpy() for leg in triplet]
        signs = seed_signs(*(p[-1] / p[-LOOKBACK] - 1 for p in prices))
        vols = [np.std(p[-VOL_RETURNS - 1 :][1:] / p[-VOL_RETURNS - 1 :][:-1] - 1) * math.sqrt(252) for p in prices]
        total = sum(1 / v for v, s in zip(vols, signs, strict=True) if s != 0 and v > 0)
        for leg, v, s in zip(triplet, vols, signs, strict=True):
            weights[leg] = s * (1 / v) / total / len(ready_triplets) if s != 0 and v > 0 else 0.0
    return weights


@dataclass
class Fill:
    symbol: str
    day: date
    moment: pd.Timestamp
    quantity: float
    price: float
    fee: float


def fills(result: Any) -> list[Fill]:
    rows = []
    for event in result.order_events:
        if event["status"] != "filled" and event.get("fillQuantity", 0) == 0:
            continue
        moment = pd.Timestamp(event["time"], unit="s", tz="UTC").tz_convert(NEW_YORK)
        rows.append(
            Fill(
                event["symbolValue"],
                moment.date(),
                moment,
                float(event["fillQuantity"]),
                float(event["fillPrice"]),
                float(event.get("orderFeeAmount", 0.0)),
            )
        )
    return rows


def holdings_after(all_fills: list[Fill], moment: pd.Timestamp) -> dict[str, float]:
    held: dict[str, float] = dict.fromkeys(LEGS, 0.0)
    for fill in all_fills:
        if fill.moment <= moment:
            held[fill.symbol] = held.get(fill.symbol, 0.0) + fill.quantity
    return held


def cash_before(all_fills: list[Fill], moment: pd.Timestamp) -> float:
    return 100_000.0 - sum(f.quantity * f.price + f.fee for f in all_fills if f.moment < moment)


def latest_price(series: pd.Series, arrival: date) -> float:
    return float(series[series.index < pd.Timestamp(arrival)].iloc[-1])


def backtest(folder: Path) -> Any:
    from lean_offline import backtest as run

    result = run(PROJECT, data_folder=folder, parameters=PARAMETERS, write_results=False)
    assert result.status == "Completed", "\n".join(result.logs[-20:])
    return result


@pytest.fixture(scope="module")
def clean_run(clean_data: Path) -> Any:
    return backtest(clean_data)


@pytest.fixture(scope="module")
def faulty_run(faulty_data: tuple[Path, list[int]]) -> Any:
    return backtest(faulty_data[0])


def midnight(day: date) -> pd.Timestamp:
    return pd.Timestamp(datetime.combine(day, datetime.min.time())).tz_localize(NEW_YORK)


def check_holdings_follow_reference(result: Any, folder: Path) -> int:
    """After every rebalance each leg holds the reference sign and inverse-vol size (to one lot). Returns the count.

    Every order fills at once at the leg's last price, also for a leg whose exchange was closed that day (the
    algorithm accepts prices up to 21 days old, see docs/trend_spillover.md)."""
    series = {leg: read_series(folder, leg) for leg in LEGS}
    all_fills = fills(result)
    checked = 0
    for arrival in expected_rebalance_days(folder):
        moment = midnight(arrival)
        before = holdings_after(all_fills, moment - pd.Timedelta(seconds=1))
        after = holdings_after(all_fills, moment)
        prices = {leg: latest_price(series[leg], arrival) for leg in LEGS}
        total_value = cash_before(all_fills, moment) + sum(before[leg] * prices[leg] for leg in LEGS)
        expected = reference_weights(series, arrival)
        for leg in LEGS:
            target = expected.get(leg, 0.0) * 0.9975 * total_value / prices[leg]
            assert abs(after[leg] - target) <= 1.0 + 0.002 * abs(target), (
                f"{leg} on {arrival}: holds {after[leg]}, reference {target:.3f} (weight {expected.get(leg, 0.0):.5f})"
            )
            if abs(target) >= 1.0:
                assert np.sign(after[leg]) == np.sign(target), f"{leg} on {arrival}: wrong side"
        checked += 1
    return checked


def test_rebalances_weekly_on_the_first_trading_day(clean_run: Any, clean_data: Path) -> None:
    rebalances = expected_rebalance_days(clean_data)
    all_fills = fills(clean_run)
    assert all_fills, "no fills"
    outside = sorted({f.day for f in all_fills} - set(rebalances))
    assert not outside, f"fills outside the weekly rebalance: {outside[:5]}"
    assert all(fill.moment.hour == 0 and fill.moment.minute == 0 for fill in all_fills)
    order_days = {pd.Timestamp(order["time"]).tz_convert(NEW_YORK).date() for order in clean_run.orders}
    assert order_days <= set(rebalances)
    assert len(order_days) >= 0.95 * len(rebalances)


def test_every_leg_holds_the_spillover_sign_and_inverse_vol_size(clean_run: Any, clean_data: Path) -> None:
    assert check_holdings_follow_reference(clean_run, clean_data) >= 70


def test_total_fees_are_the_rate_times_traded_notional(clean_run: Any) -> None:
    all_fills = fills(clean_run)
    for fill in all_fills:
        assert fill.fee == pytest.approx(FEE_RATE * abs(fill.quantity * fill.price), rel=1e-9, abs=1e-9)
    total = FEE_RATE * sum(abs(f.quantity * f.price) for f in all_fills)
    assert float(clean_run.algorithm.portfolio.total_fees) == pytest.approx(total, rel=1e-9)
    printed = float(clean_run.statistics["Total Fees"].replace("$", "").replace(",", ""))
    assert printed == pytest.approx(total, abs=0.006)


def test_leverage_and_settings_as_in_the_seed(clean_run: Any) -> None:
    algorithm = clean_run.algorithm
    assert algorithm.settings.daily_precise_end_time is False
    assert algorithm.settings.minimum_order_margin_portfolio_percentage == 0
    for leg in LEGS:
        assert float(algorithm.securities[algorithm.symbols[leg]].leverage) == 5.0


def test_a_leg_whose_file_stops_is_liquidated_and_reset(faulty_run: Any, faulty_data: tuple[Path, list[int]]) -> None:
    folder = faulty_data[0]
    last_arrival = STALE_LAST_ROW + timedelta(days=1)
    on_data_days = sorted(
        {d.date() + timedelta(days=1) for leg in LEGS for d in read_series(folder, leg).index}
        | {d + timedelta(days=1) for d in spy_sessions(folder)}
    )
    stale_day = next(d for d in on_data_days if (d - last_arrival).days > 10)
    assert any(line.startswith(stale_day.isoformat()) and f"{STALE_LEG}: stale" in line for line in faulty_run.logs), (
        f"no stale log line on {stale_day}"
    )
    all_fills = fills(faulty_run)
    stale_moment = midnight(stale_day)
    held = holdings_after(all_fills, stale_moment - pd.Timedelta(seconds=1))[STALE_LEG]
    assert held != 0.0, "the scenario needs a position in the leg when it goes stale"
    liquidation = [f for f in all_fills if f.symbol == STALE_LEG and f.moment == stale_moment]
    assert [f.quantity for f in liquidation] == [-held]
    assert liquidation[0].price == pytest.approx(float(read_series(folder, STALE_LEG).iloc[-1]))
    assert any(o["tag"] == "stale data" and o["symbol"]["value"] == STALE_LEG for o in faulty_run.orders)
    assert not [f for f in all_fills if f.symbol == STALE_LEG and f.moment > stale_moment]
    jpy_triplet = next(t for t in TRIPLETS if STALE_LEG in t)
    next_rebalance = next(d for d in expected_rebalance_days(folder) if d >= stale_day)
    assert all(holdings_after(all_fills, midnight(next_rebalance))[leg] == 0.0 for leg in jpy_triplet)
    # The other five triplets keep trading with weights divided by 5, as the reference re-derives.
    assert check_holdings_follow_reference(faulty_run, folder) >= 70


def test_malformed_lines_are_named_and_the_good_lines_kept(
    faulty_run: Any, faulty_data: tuple[Path, list[int]]
) -> None:
    folder, bad_lines = faulty_data
    messages = faulty_run.warnings + faulty_run.logs
    for number in bad_lines:
        tag = f"{MALFORMED_LEG.lower()}.csv:{number}"
        assert any(tag in message for message in messages), f"no message naming {tag}"
    history = faulty_run.algorithm.histories[MALFORMED_LEG].prices()
    good = read_series(folder, MALFORMED_LEG)
    good = good[good.index < pd.Timestamp(END + timedelta(days=1))].to_numpy()
    np.testing.assert_allclose(history, good[-len(history) :])
    assert len(history) == LOOKBACK


def test_risk_budget_weighting_trades_the_same_signs(clean_data: Path) -> None:
    from lean_offline import backtest as run

    result = run(
        PROJECT, data_folder=clean_data, parameters={**PARAMETERS, "weighting": "risk-budget"}, write_results=False
    )
    assert result.status == "Completed", "\n".join(result.logs[-20:])
    series = {leg: read_series(clean_data, leg) for leg in LEGS}
    all_fills = fills(result)
    for arrival in expected_rebalance_days(clean_data):
        held = holdings_after(all_fills, midnight(arrival))
        expected = reference_weights(series, arrival)
        for leg in LEGS:
            if abs(held[leg]) >= 2:
                assert np.sign(held[leg]) == np.sign(expected.get(leg, 0.0)), f"{leg} on {arrival}"
            if expected.get(leg, 0.0) == 0.0:
                assert held[leg] == 0.0, f"{leg} on {arrival} should be flat"


def test_a_wrong_parameter_stops_the_run_naming_it(clean_data: Path) -> None:
    from lean_offline import backtest as run

    result = run(PROJECT, data_folder=clean_data, parameters={**PARAMETERS, "weighting": "equal"}, write_results=False)
    assert result.status == "RuntimeError"
    assert any(
        "parameter 'weighting' is 'equal'; accepted values: inverse-vol, risk-budget" in line for line in result.logs
    )


def test_object_store_source_reads_the_same_series(clean_data: Path, clean_run: Any, tmp_path: Path) -> None:
    """A workspace whose data folder has only SPY and whose object store holds the Quantpedia files."""
    from lean_offline import backtest as run

    shutil.copy(REPO / "lean.json", tmp_path / "lean.json")
    shutil.copytree(PROJECT, tmp_path / "algorithms" / "trend_spillover")
    for library in ("crossasset", "custom_data"):
        shutil.copytree(REPO / "Library" / library, tmp_path / "Library" / library)
    shutil.copytree(
        clean_data / "alternative" / "quantpedia" / "futures", tmp_path / "storage" / "quantpedia" / "futures"
    )
    shutil.copytree(clean_data / "equity", tmp_path / "data" / "equity")
    result = run(
        tmp_path / "algorithms" / "trend_spillover",
        data_folder=tmp_path / "data",
        parameters={**PARAMETERS, "quantpedia-source": "object-store"},
        write_results=False,
    )
    assert result.status == "Completed", "\n".join(result.logs[-20:])
    assert result.statistics["End Equity"] == clean_run.statistics["End Equity"]
    assert [(o["symbol"]["value"], o["quantity"]) for o in result.orders] == [
        (o["symbol"]["value"], o["quantity"]) for o in clean_run.orders
    ]


def test_warm_up_fills_the_36_month_windows_before_the_start(clean_data: Path) -> None:
    """Default lookback (36 × 21 prices): at the first rebalance of 2000 all six triplets are ready, so each
    non-flat triplet carries a sixth of the portfolio (inverse-vol magnitudes sum to 1 within a triplet)."""
    from lean_offline import backtest as run

    parameters = {**PARAMETERS, "lookback-months": "36", "end-date": "2000-01-31"}
    result = run(PROJECT, data_folder=clean_data, parameters=parameters, write_results=False)
    assert result.status == "Completed", "\n".join(result.logs[-20:])
    first = expected_rebalance_days(clean_data)[0]
    assert first == date(2000, 1, 4)
    held = holdings_after(fills(result), midnight(first))
    series = {leg: read_series(clean_data, leg) for leg in LEGS}
    prices = {leg: latest_price(series[leg], first) for leg in LEGS}
    traded = 0
    for triplet in TRIPLETS:
        history = [series[leg][series[leg].index < pd.Timestamp(first)].to_numpy() for leg in triplet]
        signs = seed_signs(*(p[-1] / p[-36 * 21] - 1 for p in history))
        gross = sum(abs(held[leg]) * prices[leg] for leg in triplet)
        if any(signs):
            traded += 1
            lots = sum(prices[leg] for leg, sign in zip(triplet, signs, strict=True) if sign)
            assert abs(gross - 0.9975 * 100_000 / 6) <= lots, f"{triplet}: gross {gross:.0f}"
        else:
            assert gross == 0.0
    assert traded >= 4
    assert all(len(h.prices()) == 36 * 21 for h in result.algorithm.histories.values())
