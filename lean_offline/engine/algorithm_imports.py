"""The `AlgorithmImports` module an algorithm file star-imports, built for one run.

LEAN's `Common/AlgorithmImports.py` star-imports every QuantConnect namespace plus numpy, pandas, datetime names,
typing, math and json. The offline engine builds the same namespace from its own implementations and places it in
`sys.modules['AlgorithmImports']` only for the duration of a run (`installed_algorithm_imports`).
"""

from __future__ import annotations

import datetime as _datetime_module
import importlib
import json
import math
import random
import sys
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

# (module, names) pairs: what each engine module contributes. tests/lean_offline/engine/test_core_project.py
# checks every listed name exists, so a renamed member is caught instead of silently missing from the namespace.
_ENGINE_EXPORTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lean_offline.enums", (
        "Resolution", "SecurityType", "TickType", "DataNormalizationMode", "OrderType", "OrderStatus",
        "OrderDirection", "InsightDirection", "InsightType", "SubscriptionTransportMedium", "FileFormat",
        "SeriesType", "AccountType", "BrokerageName", "DayOfWeek", "Market",
    )),
    ("lean_offline.naming", ("UnsupportedApiError",)),
    ("lean_offline.data.market", ("BaseData", "TradeBar", "QuoteBar", "Bar", "Tick", "IndicatorDataPoint")),
    ("lean_offline.data.symbol", ("Symbol", "SecurityIdentifier", "SymbolCache")),
    ("lean_offline.data.corporate_actions", ("Dividend", "Split", "SplitType")),
    ("lean_offline.engine.corporate_events", ("Dividends", "Splits")),
    ("lean_offline.data.market_hours", ("SecurityExchangeHours", "MarketHoursDatabase", "MarketHoursSegment",
                                        "MarketHoursState")),
    ("lean_offline.data.symbol_properties", ("SymbolProperties", "SymbolPropertiesDatabase")),
    ("lean_offline.indicators", (
        "IndicatorBase", "IndicatorDataPoint", "SimpleMovingAverage", "ExponentialMovingAverage",
        "MovingAverageConvergenceDivergence", "StandardDeviation", "RateOfChange", "RateOfChangePercent",
        "MomentumPercent", "Momentum", "Delay", "Identity", "MovingAverageType", "IndicatorExtensions", "Field",
        "RollingWindow", "TradeBarConsolidator", "QuoteBarConsolidator", "BaseDataConsolidator", "Maximum",
        "Minimum", "Sum", "Variance", "CompositeIndicator", "WindowIndicator", "ConstantIndicator",
        "LinearWeightedMovingAverage", "WilderMovingAverage", "Calendar",
    )),
    ("lean_offline.engine.orders", (
        "Order", "OrderTicket", "OrderEvent", "OrderFee", "CashAmount", "OrderFeeParameters", "PortfolioTarget",
        "SubmitOrderRequest", "UpdateOrderFields", "OrderProperties", "OrderResponse", "TimeInForce",
        "UpdateOrderRequest", "MarketOrder", "MarketOnOpenOrder", "MarketOnCloseOrder", "LimitOrder", "StopMarketOrder", "StopLimitOrder",
    )),
    ("lean_offline.engine.insights", ("Insight", "InsightManager")),
    ("lean_offline.trades", ("TradeBuilder", "Trade", "TradeStatistics", "TradeDirection", "FillGroupingMethod",
                             "FillMatchingMethod")),
    ("lean_offline.engine.fees", ("FeeModel", "ConstantFeeModel", "InteractiveBrokersFeeModel")),
    ("lean_offline.engine.fills", ("FillModel", "ImmediateFillModel", "EquityFillModel")),
    ("lean_offline.engine.buying_power", ("BuyingPowerModel", "SecurityMarginModel", "CashBuyingPowerModel")),
    ("lean_offline.engine.securities", ("Security", "SecurityManager", "SecurityExchange")),
    ("lean_offline.engine.benchmarks", ("FuncBenchmark", "SecurityBenchmark", "FuncRiskFreeRateInterestRateModel")),
    ("lean_offline.engine.transactions", ("DefaultBrokerageModel", "InteractiveBrokersBrokerageModel",
                                          "CoinbaseBrokerageModel", "GDAXBrokerageModel", "OandaBrokerageModel",
                                          "BrokerageMessageEvent")),
    ("lean_offline.engine.portfolio", ("SecurityHolding", "SecurityPortfolioManager", "CashBook")),
    ("lean_offline.engine.settings", ("AlgorithmSettings",)),
    ("lean_offline.engine.scheduling", ("DateRules", "TimeRules", "ScheduleManager", "ScheduledEvent")),
    ("lean_offline.engine.python_data", ("PythonData", "SubscriptionDataSource", "DynamicData")),
    ("lean_offline.engine.object_store", ("ObjectStore",)),
    ("lean_offline.engine.globals", ("Globals", "TimeZones", "LeanData", "Random", "Extensions")),
    ("lean_offline.engine.charting", ("Chart", "Series", "Color", "ScatterMarkerSymbol")),
    ("lean_offline.engine.slice", ("Slice", "TradeBars", "QuoteBars", "Ticks")),
    ("lean_offline.engine.config", ("SubscriptionDataConfig",)),
    ("lean_offline.engine.algorithm", ("QCAlgorithm",)),
)


# Modules whose every public class is exported as well, as LEAN's star-imports of whole namespaces do (model base
# classes and parameter/result types user models construct: FillModelParameters, GetMaximumOrderQuantityResult...).
_WHOLE_MODULES = ("lean_offline.engine.orders", "lean_offline.engine.fees", "lean_offline.engine.fills",
                  "lean_offline.engine.buying_power", "lean_offline.engine.transactions", "lean_offline.indicators")


def _public_classes(module: types.ModuleType) -> dict[str, object]:
    exported = getattr(module, "__all__", None)
    names = exported if exported is not None else [n for n in vars(module) if not n.startswith("_")]
    return {name: getattr(module, name) for name in names
            if isinstance(getattr(module, name, None), type) and not name.startswith("_")}


def _engine_namespace() -> dict[str, object]:
    namespace: dict[str, object] = {}
    for module_name, names in _ENGINE_EXPORTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for name in names:
            if hasattr(module, name) and name not in namespace:
                namespace[name] = getattr(module, name)
    for module_name in _WHOLE_MODULES:
        for name, value in _public_classes(importlib.import_module(module_name)).items():
            namespace.setdefault(name, value)
    return namespace


def build_algorithm_imports() -> types.ModuleType:
    """A fresh module object with LEAN's AlgorithmImports names (see the module docstring)."""
    module = types.ModuleType("AlgorithmImports", "lean_offline's stand-in for LEAN's AlgorithmImports")
    namespace: dict[str, object] = {name: getattr(typing, name) for name in typing.__all__}
    namespace.update(
        np=np, pd=pd, math=math, json=json, random=random,
        datetime=_datetime_module.datetime, date=_datetime_module.date, time=_datetime_module.time,
        timedelta=_datetime_module.timedelta, timezone=_datetime_module.timezone,
        String=str, Exception=Exception,
    )
    namespace.update(_engine_namespace())
    if "QCAlgorithm" in namespace:
        namespace["QCAlgorithmFramework"] = namespace["QCAlgorithm"]
        namespace["QCAlgorithmFrameworkBridge"] = namespace["QCAlgorithm"]
    module.__dict__.update(namespace)
    module.__all__ = sorted(name for name in namespace if not name.startswith("_"))  # type: ignore[attr-defined]
    return module


@contextmanager
def installed_algorithm_imports() -> Iterator[types.ModuleType]:
    """Put a fresh AlgorithmImports in sys.modules for the block; restore what was there before."""
    previous = sys.modules.get("AlgorithmImports")
    module = build_algorithm_imports()
    sys.modules["AlgorithmImports"] = module
    try:
        yield module
    finally:
        if previous is None:
            sys.modules.pop("AlgorithmImports", None)
        else:
            sys.modules["AlgorithmImports"] = previous
