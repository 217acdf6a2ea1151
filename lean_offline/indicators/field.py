"""Field selectors (Common/Field.cs) and the one way the engine feeds a data point to an indicator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import _make_point

Selector = Callable[[Any], Any]


def _bar_field(read: Callable[[Any], float]) -> Selector:
    """A selector reading a bar property, falling back to `value` for data without it (LEAN's rule)."""
    def select(data: Any) -> float:
        try:
            return read(data)
        except AttributeError:
            return data.value
    return select


def _quote_side(side: str, field: str, tick_field: str | None = None) -> Selector:
    def select(data: Any) -> float:
        bar = getattr(data, side, None)
        if bar is not None and hasattr(bar, field):
            return getattr(bar, field)
        if tick_field is not None and hasattr(data, tick_field):
            return getattr(data, tick_field)
        return data.value
    return select


def _volume(data: Any) -> float:
    volume = getattr(data, "volume", None)
    if volume is None:
        volume = getattr(data, "quantity", None)
    return data.value if volume is None else volume


class Field:
    """Selectors for `register_indicator(..., selector)` and the `self.sma(..., selector=...)` helpers.

    Each exists as `Field.CLOSE`, `Field.Close` and `Field.close`. Bar fields fall back to `value` for data that is
    not a bar; `CLOSE` is `value`. AVERAGE = (O+H+L+C)/4, MEDIAN = (H+L)/2, TYPICAL = (H+L+C)/3,
    WEIGHTED = (H+L+2C)/4, SEVEN_BAR = (2O+H+L+3C)/7.
    """

    CLOSE = staticmethod(lambda data: data.value)
    OPEN = staticmethod(_bar_field(lambda b: b.open))
    HIGH = staticmethod(_bar_field(lambda b: b.high))
    LOW = staticmethod(_bar_field(lambda b: b.low))
    VOLUME = staticmethod(_volume)
    AVERAGE = staticmethod(
        _bar_field(lambda b: (b.open + b.high + b.low + b.close) / 4))
    MEDIAN = staticmethod(_bar_field(lambda b: (b.high + b.low) / 2))
    TYPICAL = staticmethod(_bar_field(lambda b: (b.high + b.low + b.close) / 3))
    WEIGHTED = staticmethod(
        _bar_field(lambda b: (b.high + b.low + 2 * b.close) / 4))
    SEVEN_BAR = staticmethod(
        _bar_field(lambda b: (2 * b.open + b.high + b.low + 3 * b.close) / 7))
    BID_CLOSE = staticmethod(_quote_side("bid", "close"))
    BID_OPEN = staticmethod(_quote_side("bid", "open"))
    BID_HIGH = staticmethod(_quote_side("bid", "high"))
    BID_LOW = staticmethod(_quote_side("bid", "low"))
    ASK_CLOSE = staticmethod(_quote_side("ask", "close"))
    ASK_OPEN = staticmethod(_quote_side("ask", "open"))
    ASK_HIGH = staticmethod(_quote_side("ask", "high"))
    ASK_LOW = staticmethod(_quote_side("ask", "low"))
    BID_PRICE = staticmethod(_quote_side("bid", "close", "bid_price"))
    ASK_PRICE = staticmethod(_quote_side("ask", "close", "ask_price"))

    Close = close = CLOSE
    Open = open = OPEN
    High = high = HIGH
    Low = low = LOW
    Volume = volume = VOLUME
    Average = average = AVERAGE
    Median = median = MEDIAN
    Typical = typical = TYPICAL
    Weighted = weighted = WEIGHTED
    SevenBar = seven_bar = SEVEN_BAR
    BidClose = bid_close = BID_CLOSE
    BidOpen = bid_open = BID_OPEN
    BidHigh = bid_high = BID_HIGH
    BidLow = bid_low = BID_LOW
    AskClose = ask_close = ASK_CLOSE
    AskOpen = ask_open = ASK_OPEN
    AskHigh = ask_high = ASK_HIGH
    AskLow = ask_low = ASK_LOW
    BidPrice = bid_price = BID_PRICE
    AskPrice = ask_price = ASK_PRICE


def update_indicator(indicator: Any, data: Any, selector: Selector | None = None) -> bool:
    """Feed `data` to `indicator` as LEAN's `register_indicator` does; returns the indicator's `is_ready`.

    Without a selector the data point itself is passed (indicators use its `value`, the close of a bar). With one,
    the indicator receives IndicatorDataPoint(data.symbol, data.end_time, selector(data)), or for a bar indicator
    the bar the selector returns.
    """
    if selector is None:
        return indicator.update(data)
    if getattr(indicator, "takes_bars", False):
        return indicator.update(selector(data))
    return indicator.update(_make_point(data.symbol, data.end_time, float(selector(data))))
