"""The 18 Quantpedia futures files of the trend-spillover strategy, with a planted cross-asset spillover.

Files: `alternative/quantpedia/futures/<symbol lower-case>.csv`, `date;back_adjusted;spliced`, dd.mm.yyyy, one row
per session of the contract's exchange (exchange_calendars: CME→XNYS, ASX→XASX, LIFFE→XLON, MX→XTSE,
EUREX→XETR, SGX→XSES).

Model, per country triplet (fx, equity, bond), on the union of all sessions (a business-day grid):
    log p_t = log p_{t−1} + μ_t − σ²/2 + σ ε_t,  σ = 10% (fx), 18% (equity), 6% (bond) a year, ε ~ N(0, 1) with
    a common equity factor (correlation 0.5 between equity indices) and independent fx and bond shocks.
The planted spillover is in the drift: μ_t = SPILLOVER_SHARPE / 252 · σ_annual · s_t, where s_t is the leg's
spillover score from the other two legs' trailing returns over SPILLOVER_LOOKBACK grid days, with the strategy's
rules (bonds → fx −, bonds → equity +; equity → bonds −, equity → fx −; fx → equity +, fx → bonds +), so
s_t ∈ {−2, −1, 0, 1, 2}. With SPILLOVER_SHARPE = 0.3, a leg with |s| = 2 earns a Sharpe of 0.6 a year while its
score holds. Before SPILLOVER_LOOKBACK days of history the drift is 0. The grid's prices are then sampled on the
contract's own sessions. `spliced` is the back-adjusted price plus a roll gap of 0.2% of the price level added at
every quarterly roll (March, June, September, December), as an unadjusted continuous series would show.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from tools.demo_data.trading_days import Size, sessions

SPILLOVER_SHARPE = 0.3
SPILLOVER_LOOKBACK = 756
EQUITY_FACTOR_CORRELATION = 0.5
ANNUAL_VOLATILITY = {"fx": 0.10, "equity": 0.18, "bond": 0.06}
START_LEVEL = {"fx": 80.0, "equity": 1500.0, "bond": 110.0}
ROLL_GAP = 0.002
EXCHANGE_CALENDAR = {"CME": "XNYS", "ASX": "XASX", "LIFFE": "XLON", "MX": "XTSE", "EUREX": "XETR", "SGX": "XSES"}
# The seed's universe (fx, equity, bond) per country; kept here so the generator does not depend on Library/.
TRIPLETS = (
    ("CME_AD1", "ASX_YAP1", "ASX_XT1"),
    ("CME_BP1", "LIFFE_Z1", "LIFFE_R1"),
    ("CME_CD1", "LIFFE_FCE1", "MX_CGB1"),
    ("CME_EC1", "EUREX_FSTX1", "EUREX_FGBL1"),
    ("CME_JY1", "SGX_NK1", "SGX_JB1"),
    ("CME_DX1", "CME_ES1", "CME_TY1"),
)
CLASSES = ("fx", "equity", "bond")
FOLDER = ("alternative", "quantpedia", "futures")


def spillover_score_matrix(fx_sign: np.ndarray, equity_sign: np.ndarray, bond_sign: np.ndarray) -> np.ndarray:
    """Scores (…, 3) for (fx, equity, bond) from the signs of the three legs' trailing returns."""
    return np.stack([-bond_sign - equity_sign, bond_sign + fx_sign, fx_sign - equity_sign], axis=-1)


def simulate_grid(rng: np.random.Generator, days: int) -> np.ndarray:
    """Log prices, shape (days, countries, 3), of the planted-spillover model on a business-day grid."""
    countries = len(TRIPLETS)
    sigma = np.array([ANNUAL_VOLATILITY[c] for c in CLASSES]) / np.sqrt(252)
    log_start = np.log([START_LEVEL[c] for c in CLASSES])
    log_prices = np.empty((days, countries, 3))
    log_prices[0] = log_start + np.log(rng.uniform(0.8, 1.25, size=(countries, 3)))
    factor_weight = np.sqrt(EQUITY_FACTOR_CORRELATION)
    for t in range(1, days):
        shocks = rng.standard_normal((countries, 3))
        shocks[:, 1] = factor_weight * rng.standard_normal() + np.sqrt(1 - factor_weight**2) * shocks[:, 1]
        if t > SPILLOVER_LOOKBACK:
            trend = np.sign(log_prices[t - 1] - log_prices[t - 1 - SPILLOVER_LOOKBACK])
            scores = spillover_score_matrix(trend[:, 0], trend[:, 1], trend[:, 2])
        else:
            scores = np.zeros((countries, 3))
        drift = SPILLOVER_SHARPE / 252 * sigma * np.sqrt(252) * scores
        log_prices[t] = log_prices[t - 1] + drift - sigma**2 / 2 + sigma * shocks
    return log_prices


def generate(output: Path, rng: np.random.Generator, size: Size) -> list[Path]:
    grid = pd.bdate_range(size.first_day, size.last_day)
    prices = np.exp(simulate_grid(rng, len(grid)))
    folder = output.joinpath(*FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for country, triplet in enumerate(TRIPLETS):
        for leg, symbol in enumerate(triplet):
            exchange = EXCHANGE_CALENDAR[symbol.split("_")[0]]
            own_days = sessions(exchange, size.first_day, size.last_day)
            series = pd.Series(prices[:, country, leg], index=grid).reindex(own_days).ffill().bfill()
            written.append(_write(folder / f"{symbol.lower()}.csv", series))
    return written


def _write(path: Path, back_adjusted: pd.Series) -> Path:
    quarter_rolls = np.cumsum(
        [
            day.month in (3, 6, 9, 12) and day.day <= 7 and (i == 0 or back_adjusted.index[i - 1].month != day.month)
            for i, day in enumerate(back_adjusted.index)
        ]
    )
    spliced = back_adjusted.to_numpy() * (1 + ROLL_GAP * quarter_rolls)
    lines = ["date;back_adjusted;spliced"]
    lines += [
        f"{day.strftime('%d.%m.%Y')};{value:.4f};{unadjusted:.4f}"
        for day, value, unadjusted in zip(back_adjusted.index, back_adjusted.to_numpy(), spliced, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path
