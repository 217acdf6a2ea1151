"""crossasset: the pure decision library shared by the strategies (numpy/pandas/scipy/statsmodels only).

Every public name is re-exported here; import it as `from crossasset import zscore`.
"""

from .cointegration import EngleGrangerResult, engle_granger, half_life
from .guards import CorrelationGuard, GuardDecision, SpreadStopLoss
from .metrics import (
    DrawdownStats,
    average_win_loss,
    cagr,
    calmar_ratio,
    drawdown_stats,
    historical_cvar,
    historical_var,
    hit_rate,
    max_drawdown,
    return_volatility,
    sharpe_ratio,
    sortino_ratio,
    total_return,
    turnover,
)
from .momentum import (
    cross_sectional_signals,
    dual_momentum_weights,
    lookback_return,
    multi_lookback_momentum,
    time_series_signal,
    trailing_return,
)
from .rolling import RollingMoments, RollingPairStats, RollingStats, zscore
from .sizing import ExposureLimits, ExposureResult, apply_exposure_limits, legs_to_rebalance, signal_decay
from .spillover import spillover_scores
from .volatility import annualized_volatility, volatility_target_scale
from .weights import (
    asset_class_budgets,
    correlation_penalized_weights,
    equal_risk_contribution,
    inverse_volatility_weights,
    risk_budget_weights,
)

__all__ = [
    "CorrelationGuard",
    "DrawdownStats",
    "EngleGrangerResult",
    "ExposureLimits",
    "ExposureResult",
    "GuardDecision",
    "RollingMoments",
    "RollingPairStats",
    "RollingStats",
    "SpreadStopLoss",
    "annualized_volatility",
    "apply_exposure_limits",
    "asset_class_budgets",
    "average_win_loss",
    "cagr",
    "calmar_ratio",
    "correlation_penalized_weights",
    "cross_sectional_signals",
    "drawdown_stats",
    "dual_momentum_weights",
    "engle_granger",
    "equal_risk_contribution",
    "half_life",
    "historical_cvar",
    "historical_var",
    "hit_rate",
    "inverse_volatility_weights",
    "legs_to_rebalance",
    "lookback_return",
    "max_drawdown",
    "multi_lookback_momentum",
    "return_volatility",
    "risk_budget_weights",
    "sharpe_ratio",
    "signal_decay",
    "sortino_ratio",
    "spillover_scores",
    "time_series_signal",
    "total_return",
    "trailing_return",
    "turnover",
    "volatility_target_scale",
    "zscore",
]
