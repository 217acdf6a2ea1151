"""crossasset on LEAN's real sample data (SPY, QQQ daily) against pandas' own rolling statistics."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from crossasset import RollingPairStats, RollingStats, annualized_volatility, engle_granger, zscore

pytestmark = pytest.mark.lean_data


def daily_closes(folder: Path, ticker: str) -> pd.Series:
    """Raw closes of LEAN's daily equity zip (prices stored as deci-cents, ×10000)."""
    with zipfile.ZipFile(folder / "equity" / "usa" / "daily" / f"{ticker}.zip") as archive:
        text = archive.read(archive.namelist()[0]).decode()
    frame = pd.read_csv(io.StringIO(text), header=None, names=["time", "open", "high", "low", "close", "volume"])
    return pd.Series(frame["close"].to_numpy() / 10_000.0, index=pd.to_datetime(frame["time"], format="%Y%m%d %H:%M"))


@pytest.fixture(scope="module")
def closes(lean_data_folder: Path) -> pd.DataFrame:
    both = pd.concat(
        {"spy": daily_closes(lean_data_folder, "spy"), "qqq": daily_closes(lean_data_folder, "qqq")}, axis=1
    )
    return both.dropna()


def test_rolling_correlation_of_spy_qqq_returns_matches_pandas(closes: pd.DataFrame) -> None:
    returns = closes.pct_change().dropna()
    expected = returns["spy"].rolling(60).corr(returns["qqq"])
    pair = RollingPairStats(60)
    ours = []
    for spy, qqq in returns.itertuples(index=False):
        pair.update(spy, qqq)
        ours.append(pair.correlation() if pair.is_ready else math.nan)
    np.testing.assert_allclose(np.array(ours)[59:], expected.to_numpy()[59:], atol=1e-9)


def test_rolling_std_and_zscore_of_spy_closes_match_pandas(closes: pd.DataFrame) -> None:
    spy = closes["spy"]
    stats = RollingStats(252)
    for price in spy:
        stats.update(price)
    assert stats.std() == pytest.approx(spy.tail(252).std(), rel=1e-9)
    expected = ((spy - spy.rolling(60).mean()) / spy.rolling(60).std()).to_numpy()
    np.testing.assert_allclose(zscore(spy.to_numpy(), 60)[59:], expected[59:], rtol=1e-7, atol=1e-9)


def test_annualized_volatility_of_spy(closes: pd.DataFrame) -> None:
    spy = closes["spy"]
    expected = spy.pct_change().tail(60).std(ddof=0) * math.sqrt(252)
    assert annualized_volatility(spy.to_numpy(), 60) == pytest.approx(expected, rel=1e-12)


def test_engle_granger_on_spy_qqq_logs_matches_statsmodels(closes: pd.DataFrame) -> None:
    from statsmodels.tsa.stattools import coint

    y, x = np.log(closes["spy"].to_numpy()), np.log(closes["qqq"].to_numpy())
    result = engle_granger(y, x)
    statistic, pvalue, _ = coint(y, x)
    assert (result.statistic, result.pvalue) == pytest.approx((statistic, pvalue), rel=1e-12)
    assert result.hedge_ratio == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-9)
