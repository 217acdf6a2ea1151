"""LEAN's enumerations, with the integer values LEAN serialises (Common/Orders/OrderTypes.cs and friends)."""

from __future__ import annotations

from .naming import lean_enum

Resolution = lean_enum("Resolution", {"Tick": 0, "Second": 1, "Minute": 2, "Hour": 3, "Daily": 4})
SecurityType = lean_enum(
    "SecurityType",
    {"Base": 0, "Equity": 1, "Option": 2, "Commodity": 3, "Forex": 4, "Future": 5, "Cfd": 6, "Crypto": 7,
     "FutureOption": 8, "Index": 9, "IndexOption": 10, "CryptoFuture": 11},
)
TickType = lean_enum("TickType", {"Trade": 0, "Quote": 1, "OpenInterest": 2})
DataNormalizationMode = lean_enum(
    "DataNormalizationMode",
    {"Raw": 0, "Adjusted": 1, "SplitAdjusted": 2, "TotalReturn": 3, "ForwardPanamaCanal": 4,
     "BackwardsPanamaCanal": 5, "BackwardsRatio": 6, "ForwardAdjusted": 7, "ScaledRaw": 8},
)
OrderType = lean_enum(
    "OrderType",
    {"Market": 0, "Limit": 1, "StopMarket": 2, "StopLimit": 3, "MarketOnOpen": 4, "MarketOnClose": 5,
     "OptionExercise": 6, "LimitIfTouched": 7, "ComboMarket": 8, "ComboLimit": 9, "ComboLegLimit": 10,
     "TrailingStop": 11},
)
OrderStatus = lean_enum(
    "OrderStatus",
    {"New": 0, "Submitted": 1, "PartiallyFilled": 2, "Filled": 3, "Canceled": 5, "None": 6, "Invalid": 7,
     "CancelPending": 8, "UpdateSubmitted": 9},
)
OrderDirection = lean_enum("OrderDirection", {"Buy": 0, "Sell": 1, "Hold": 2})

# The members the order path reads, bound once as module names: on Python 3.11 every `OrderStatus.X` read off the
# class goes through EnumType.__getattr__ (~150 ns), a module global costs ~10 ns.
BUY = OrderDirection.BUY
SELL = OrderDirection.SELL
HOLD = OrderDirection.HOLD
CANCELED = OrderStatus.CANCELED
FILLED = OrderStatus.FILLED
INVALID = OrderStatus.INVALID
SUBMITTED = OrderStatus.SUBMITTED
UPDATE_SUBMITTED = OrderStatus.UPDATE_SUBMITTED
MARKET = OrderType.MARKET
MARKET_ON_CLOSE = OrderType.MARKET_ON_CLOSE
MARKET_ON_OPEN = OrderType.MARKET_ON_OPEN

InsightDirection = lean_enum("InsightDirection", {"Down": -1, "Flat": 0, "Up": 1})
InsightType = lean_enum("InsightType", {"Price": 0, "Volatility": 1})
SubscriptionTransportMedium = lean_enum(
    "SubscriptionTransportMedium", {"LocalFile": 0, "RemoteFile": 1, "Rest": 2, "Streaming": 3, "ObjectStore": 4}
)
FileFormat = lean_enum(
    "FileFormat",
    {"Csv": 0, "Binary": 1, "ZipEntryName": 2, "UnfoldingCollection": 3, "Index": 4, "FoldingCollection": 5},
)
SeriesType = lean_enum(
    "SeriesType",
    {"Line": 0, "Scatter": 1, "Candle": 2, "Bar": 3, "Flag": 4, "StackedArea": 5, "Pie": 6, "Treemap": 7,
     "Heatmap": 9, "Scatter3d": 10},
)
AccountType = lean_enum("AccountType", {"Margin": 0, "Cash": 1})
BrokerageName = lean_enum(
    "BrokerageName",
    {"Default": 0, "QuantConnectBrokerage": 0, "InteractiveBrokersBrokerage": 1, "TradierBrokerage": 2,
     "OandaBrokerage": 3, "FxcmBrokerage": 4, "Bitfinex": 5, "Binance": 6, "GDAX": 12, "Coinbase": 12,
     "Alpaca": 18},
)
DayOfWeek = lean_enum(
    "DayOfWeek", {"Sunday": 0, "Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6}
)


class Market:
    """Market names as LEAN spells them (lower-case strings), in both spellings."""

    USA = "usa"
    OANDA = "oanda"
    FXCM = "fxcm"
    COINBASE = "coinbase"
    GDAX = "coinbase"
    BINANCE = "binance"
    CME = "cme"
    Oanda = OANDA
    Coinbase = COINBASE
    Binance = BINANCE
