"""LEAN's indicators, RollingWindow and consolidators for the offline engine (both naming spellings).

Families: moving averages and window statistics (value in, value out), composites and IndicatorExtensions, MACD,
RSI and Bollinger Bands (oscillators), bar indicators (TrueRange, ATR, Stochastic, Aroon, ADX, Beta, Donchian, Keltner, Williams %R, CCI, OBV, A/D: a bar in),
ARIMA (time_series), indicator_history, and the time-based, Renko and range consolidators.

The engine feeds data with `update_indicator(indicator, data, selector)` and drives consolidators with
`consolidator.update(data)` / `consolidator.scan(local_time)`.
"""

from .bar_indicators import (
    AccumulationDistribution,
    AroonOscillator,
    AverageDirectionalIndex,
    AverageTrueRange,
    BarIndicator,
    Beta,
    CommodityChannelIndex,
    DonchianChannel,
    KeltnerChannels,
    OnBalanceVolume,
    Stochastic,
    TrueRange,
    WilliamsPercentR,
)
from .base import EventHandlers, IndicatorBase, IndicatorDataPoint, WindowIndicator, to_indicator_point
from .composite import CompositeIndicator, IndicatorExtensions
from .consolidators import (
    BaseDataConsolidator,
    Calendar,
    CalendarInfo,
    ConsolidatorBase,
    PeriodCountConsolidatorBase,
    QuoteBarConsolidator,
    TradeBarConsolidator,
    resolution_to_timedelta,
)
from .field import Field, update_indicator
from .history import IndicatorDataPoints, IndicatorHistory, indicator_history
from .macd import MovingAverageConvergenceDivergence
from .moving_averages import (
    DoubleExponentialMovingAverage,
    ExponentialMovingAverage,
    HullMovingAverage,
    LinearWeightedMovingAverage,
    MovingAverageType,
    SimpleMovingAverage,
    Sum,
    TriangularMovingAverage,
    TripleExponentialMovingAverage,
    WilderMovingAverage,
    as_indicator,
)
from .oscillators import BollingerBands, RelativeStrengthIndex
from .python_indicator import PythonIndicator
from .rolling_window import RollingWindow
from .time_series import AutoRegressiveIntegratedMovingAverage
from .timeless_consolidators import (
    BarDirection,
    ClassicRangeConsolidator,
    ClassicRenkoConsolidator,
    RangeBar,
    RangeConsolidator,
    RenkoBar,
    RenkoConsolidator,
    RenkoType,
    WickedRenkoConsolidator,
)
from .window_indicators import (
    ChandeMomentumOscillator,
    ConstantIndicator,
    Delay,
    Identity,
    LogReturn,
    Maximum,
    MeanAbsoluteDeviation,
    Minimum,
    Momentum,
    MomentumPercent,
    RateOfChange,
    RateOfChangePercent,
    StandardDeviation,
    Variance,
)

__all__ = [
    "AutoRegressiveIntegratedMovingAverage", "BarDirection", "DoubleExponentialMovingAverage", "HullMovingAverage",
    "TriangularMovingAverage", "TripleExponentialMovingAverage", "DonchianChannel", "KeltnerChannels",
    "WilliamsPercentR", "LogReturn", "AccumulationDistribution", "CommodityChannelIndex", "OnBalanceVolume",
    "ChandeMomentumOscillator", "MeanAbsoluteDeviation", "ClassicRangeConsolidator", "ClassicRenkoConsolidator", "RangeBar", "RangeConsolidator",
    "RenkoBar", "RenkoConsolidator", "RenkoType", "WickedRenkoConsolidator",
    "IndicatorDataPoints", "IndicatorHistory", "indicator_history",
    "AroonOscillator", "AverageDirectionalIndex", "Beta", "AverageTrueRange", "BarIndicator", "BollingerBands", "RelativeStrengthIndex", "Stochastic", "TrueRange",
    "BaseDataConsolidator", "Calendar", "CalendarInfo", "CompositeIndicator", "ConsolidatorBase", "ConstantIndicator",
    "Delay", "EventHandlers", "ExponentialMovingAverage", "Field", "Identity", "IndicatorBase", "IndicatorDataPoint",
    "IndicatorExtensions", "LinearWeightedMovingAverage", "Maximum", "Minimum", "Momentum", "MomentumPercent",
    "MovingAverageConvergenceDivergence", "MovingAverageType", "PeriodCountConsolidatorBase", "PythonIndicator",
    "QuoteBarConsolidator",
    "RateOfChange", "RateOfChangePercent", "RollingWindow", "SimpleMovingAverage", "StandardDeviation", "Sum",
    "TradeBarConsolidator", "Variance", "WilderMovingAverage", "WindowIndicator", "as_indicator",
    "resolution_to_timedelta", "to_indicator_point", "update_indicator",
]
