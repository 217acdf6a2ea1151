"""QCAlgorithm: the algorithm base class user files subclass (LEAN's Algorithm/QCAlgorithm*.cs, Python surface).

Configuration (dates, cash, securities, benchmark, warm-up), logging, charting, parameters, indicators helpers and
history live here; the trading API comes from the brokerage's TradingMixin. The engine objects the algorithm talks to
(securities, portfolio, transactions, schedule, result collector) are built by the runner through `EngineContext`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .. import indicators
from ..data.market import QuoteBar, TradeBar
from ..data.symbol import Symbol, symbol_cache
from ..enums import DataNormalizationMode, Resolution, SecurityType
from ..indicators import resolution_to_timedelta
from ..naming import DualCase, UnsupportedApiError
from . import wiring
from .insights import Insight, InsightManager

try:  # the brokerage helper's trading API; absent only while the engine is being assembled
    from .trading import TradingMixin
except ImportError:  # pragma: no cover
    class TradingMixin:  # type: ignore[no-redef]
        """Placeholder while the brokerage's trading API is absent."""

_UTC = ZoneInfo("UTC")
_DEFAULT_START = datetime(1998, 1, 1)
_NO_SPAN = (datetime.max, datetime.min, timedelta(0))  # holds no time: the next set_date_time asks the clock
STRATEGY_EQUITY = "Strategy Equity"
RESERVED_CHART_SERIES: dict[str, frozenset[str]] = {
    "Strategy Equity": frozenset({"Equity", "Return"}), "Capacity": frozenset({"Strategy Capacity"}),
    "Drawdown": frozenset({"Equity Drawdown"}), "Benchmark": frozenset({"Benchmark"}),
    "Assets Sales Volume": frozenset(), "Exposure": frozenset(), "Portfolio Margin": frozenset(),
    "Portfolio Turnover": frozenset({"Portfolio Turnover"}),
}
"""LEAN's reserved chart/series names (QCAlgorithm.Plotting): plotting into them raises; empty = whole chart."""
_CALLBACK_NAMES = ("initialize", "on_data", "on_order_event", "on_end_of_algorithm", "on_warmup_finished",
                   "on_end_of_day", "on_securities_changed", "on_margin_call", "on_margin_call_warning",
                   "on_splits", "on_dividends", "on_delistings", "on_symbol_changed_events", "on_brokerage_message",
                   "on_assignment_order_event", "on_command")


def to_datetime(year_or_date: int | date | datetime, month: int | None = None, day: int | None = None) -> datetime:
    """(y, m, d) or a date/datetime → naive datetime (LEAN's SetStartDate overloads)."""
    if isinstance(year_or_date, datetime):
        return year_or_date.replace(tzinfo=None)
    if isinstance(year_or_date, date):
        return datetime(year_or_date.year, year_or_date.month, year_or_date.day)
    if month is None or day is None:
        raise ValueError(f"a date needs year, month and day, got ({year_or_date}, {month}, {day})")
    return datetime(int(year_or_date), int(month), int(day))


def convert_parameter(value: str, default: Any) -> Any:
    """LEAN's GetParameter(name, default): the string converted to the default's type (int, float, bool)."""
    if default is None or isinstance(default, str):
        return value
    if isinstance(default, bool):
        return value.strip().lower() in ("true", "1", "yes")
    if isinstance(default, int):
        return int(float(value)) if "." in value or "e" in value.lower() else int(value)
    if isinstance(default, float):
        return float(value)
    return value


class QCAlgorithm(TradingMixin, DualCase):  # type: ignore[misc,valid-type]
    """Base class of LEAN Python algorithms. Every member answers to snake_case and PascalCase."""

    insights: InsightManager
    is_warming_up: bool
    live_mode: bool

    def __init__(self) -> None:
        context = wiring.current_context()
        self._context = context
        self._time_zone_name = "America/New_York"
        self._time_zone = ZoneInfo(self._time_zone_name)
        self._local_span: tuple[datetime, datetime, timedelta] = _NO_SPAN  # UTC span where local = UTC + offset
        self._start_date = _DEFAULT_START
        self._end_date = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
        self._utc_time = _DEFAULT_START
        self._time = _DEFAULT_START
        self._locked = False
        self._warm_up_bars: int | None = None
        self._warm_up_period: timedelta | None = None
        self._warm_up_resolution: Any = None
        self.is_warming_up = False
        self.live_mode = False
        self._benchmark_spec: Any = "SPY"
        self._benchmark_set = False
        self._brokerage_name: Any = None
        self._account_type: Any = None
        self._name = type(self).__name__
        self._quit_requested = False
        self._quit_reason = ""
        self.insights = InsightManager()
        context.attach(self)

    # ---- time -------------------------------------------------------------------------------------------------
    time = property(operator.attrgetter("_time"), doc="The algorithm's local time (a C getter: read at every step).")

    @property
    def utc_time(self) -> datetime:
        return self._utc_time

    @property
    def start_date(self) -> datetime:
        return self._start_date

    @property
    def end_date(self) -> datetime:
        return self._end_date

    @property
    def time_zone(self) -> ZoneInfo:
        return self._time_zone

    def set_date_time(self, utc_time: datetime) -> None:
        """Move the clock (naive UTC in, algorithm-local `time` derived)."""
        self._utc_time = utc_time
        start, end, offset = self._local_span
        if not start <= utc_time < end:  # the time zone changed its UTC offset, or the clock jumped
            start, end, offset = self._local_span = self._context.clock.offset_span(utc_time, self._time_zone)
        self._time = utc_time + offset

    def set_start_date(self, year: int | date | datetime | None = None, month: int | None = None,
                       day: int | None = None, *, start: date | datetime | None = None) -> None:
        self._check_unlocked("set_start_date")
        moment = to_datetime(start if start is not None else year, month, day)  # type: ignore[arg-type]
        self._start_date = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        # as in LEAN, the clock moves to the start so history/warm-up calls in initialize see that time
        self.set_date_time(self._context.clock.to_utc(self._start_date, self._time_zone))

    def set_end_date(self, year: int | date | datetime | None = None, month: int | None = None,
                     day: int | None = None, *, end: date | datetime | None = None) -> None:
        self._check_unlocked("set_end_date")
        end = to_datetime(end if end is not None else year, month, day)  # type: ignore[arg-type]
        self._end_date = end.replace(hour=23, minute=59, second=59, microsecond=999999) if end.time() == datetime.min.time() else end

    def set_time_zone(self, time_zone: str | ZoneInfo) -> None:
        self._check_unlocked("set_time_zone")
        name = time_zone.key if isinstance(time_zone, ZoneInfo) else str(time_zone)
        self._time_zone_name = name
        self._time_zone = ZoneInfo(name)
        self._local_span = _NO_SPAN
        self._context.schedule.set_time_zone(name)
        # as in LEAN, a backtest's clock moves to the start date in the new zone
        self.set_date_time(self._context.clock.to_utc(self._start_date, self._time_zone))

    def _check_unlocked(self, member: str) -> None:
        if self._locked:
            raise RuntimeError(f"{member} can only be called in initialize()")

    # ---- engine objects (built by the context) ---------------------------------------------------------------
    @property
    def securities(self) -> Any:
        return self._context.securities

    portfolio = property(operator.attrgetter("_context.portfolio"), doc="The SecurityPortfolioManager (a C getter).")

    @property
    def transactions(self) -> Any:
        return self._context.transactions

    @property
    def trade_builder(self) -> Any:
        return self._context.trade_builder

    def set_trade_builder(self, trade_builder: Any) -> None:
        """Build the closed trades with another TradeBuilder (grouping and matching methods)."""
        self._context.trade_builder = trade_builder

    @property
    def settings(self) -> Any:
        return self._context.settings

    @property
    def schedule(self) -> Any:
        return self._context.schedule

    @property
    def date_rules(self) -> Any:
        return self._context.schedule.date_rules

    @property
    def time_rules(self) -> Any:
        return self._context.schedule.time_rules

    @property
    def object_store(self) -> Any:
        return self._context.object_store

    @property
    def benchmark(self) -> Any:
        return self._context.benchmark

    @property
    def universe_settings(self) -> Any:
        return self._context.universe_settings

    @property
    def brokerage_model(self) -> Any:
        return self._context.transactions.brokerage_model

    @property
    def subscription_manager(self) -> Any:
        return self._context.subscription_manager

    @property
    def market_hours_database(self) -> Any:
        return self._context.market_hours

    @property
    def symbol_properties_database(self) -> Any:
        return self._context.symbol_properties

    @property
    def name(self) -> str:
        return self._name

    def set_name(self, name: str) -> None:
        self._name = name

    # ---- account / brokerage / benchmark ---------------------------------------------------------------------
    def set_cash(self, currency_or_amount: Any = None, amount: float | None = None, conversion_rate: float = 1.0,
                 *, starting_cash: float | None = None, symbol: str | None = None) -> None:
        """set_cash(100000) or set_cash("USD", 100000); only the account currency is supported."""
        if starting_cash is not None:
            currency_or_amount, amount = (symbol, starting_cash) if symbol is not None else (starting_cash, None)
        if amount is None:
            self.portfolio.set_cash(float(currency_or_amount))
            return
        if str(currency_or_amount).upper() != "USD":
            raise UnsupportedApiError("QCAlgorithm", f"set_cash('{currency_or_amount}', ...) (only USD cash)")
        self.portfolio.set_cash(float(amount))

    def set_account_currency(self, currency: str, starting_cash: float | None = None) -> None:
        if currency.upper() != "USD":
            raise UnsupportedApiError("QCAlgorithm", f"set_account_currency('{currency}')")
        if starting_cash is not None:
            self.set_cash(starting_cash)

    def set_brokerage_model(self, brokerage: Any, account_type: Any = None) -> None:
        self._brokerage_name = brokerage
        self._account_type = account_type
        self._context.set_brokerage_model(brokerage, account_type)

    def set_benchmark(self, benchmark: Any) -> None:
        """A ticker, a Symbol, or a callable(datetime) → value (LEAN's SetBenchmark overloads)."""
        self._benchmark_spec = benchmark
        self._benchmark_set = True

    def set_risk_free_interest_rate_model(self, model: Any) -> None:
        self._context.risk_free_model = model

    # ---- securities ------------------------------------------------------------------------------------------
    def add_equity(self, ticker: str, resolution: Any = None, market: str = "usa", fill_forward: bool = True,
                   leverage: float = 0.0, extended_market_hours: bool = False,
                   data_normalization_mode: Any = DataNormalizationMode["ADJUSTED"], **unsupported: Any) -> Any:
        _reject_unsupported("add_equity", unsupported)
        return self._context.add_market_security(
            SecurityType["EQUITY"], ticker, resolution, market, fill_forward, leverage, extended_market_hours,
            data_normalization_mode)

    def add_forex(self, ticker: str, resolution: Any = None, market: str = "oanda", fill_forward: bool = True,
                  leverage: float = 0.0, **unsupported: Any) -> Any:
        _reject_unsupported("add_forex", unsupported)
        return self._context.add_market_security(SecurityType["FOREX"], ticker, resolution, market, fill_forward,
                                                  leverage, False, DataNormalizationMode["RAW"])

    def add_cfd(self, ticker: str, resolution: Any = None, market: str = "oanda", fill_forward: bool = True,
                leverage: float = 0.0, **unsupported: Any) -> Any:
        _reject_unsupported("add_cfd", unsupported)
        return self._context.add_market_security(SecurityType["CFD"], ticker, resolution, market, fill_forward,
                                                  leverage, False, DataNormalizationMode["RAW"])

    def add_crypto(self, ticker: str, resolution: Any = None, market: str = "coinbase", fill_forward: bool = True,
                   leverage: float = 0.0, **unsupported: Any) -> Any:
        _reject_unsupported("add_crypto", unsupported)
        return self._context.add_market_security(SecurityType["CRYPTO"], ticker, resolution, market, fill_forward,
                                                  leverage, False, DataNormalizationMode["RAW"])

    def add_security(self, security_type: Any, ticker: Any = None, resolution: Any = None, market: str | None = None,
                     fill_forward: bool = True, leverage: float = 0.0, extended_market_hours: bool = False,
                     data_normalization_mode: Any = DataNormalizationMode["ADJUSTED"], **unsupported: Any) -> Any:
        _reject_unsupported("add_security", unsupported)
        if isinstance(security_type, Symbol):
            symbol = security_type
            return self._context.add_market_security(
                symbol.security_type, symbol.value, ticker if resolution is None else resolution, symbol.market,
                fill_forward, leverage, extended_market_hours, data_normalization_mode)
        kind = SecurityType(security_type)
        default_market = {SecurityType["FOREX"]: "oanda", SecurityType["CFD"]: "oanda", SecurityType["CRYPTO"]: "coinbase"}
        return self._context.add_market_security(
            kind, str(ticker), resolution, market or default_market.get(kind, "usa"), fill_forward, leverage,
            extended_market_hours, data_normalization_mode)

    def add_data(self, data_type: type, ticker: Any, *args: Any, **kwargs: Any) -> Any:
        """PythonData subscription. Overloads: (type, ticker, resolution=None, time_zone=None, fill_forward=False,
        leverage=1.0) and (type, ticker, properties: SymbolProperties, exchange_hours, resolution=None,
        fill_forward=False, leverage=1.0)."""
        return self._context.add_custom_security(data_type, ticker, args, kwargs)

    def remove_security(self, symbol: Any) -> bool:
        raise UnsupportedApiError("QCAlgorithm", "remove_security")

    def symbol(self, ticker: str) -> Symbol:
        return symbol_cache.get_symbol(ticker)

    # ---- warm-up ---------------------------------------------------------------------------------------------
    def set_warm_up(self, period: int | timedelta, resolution: Any = None) -> None:
        """Bars (int, counted through the exchange calendar) or a calendar timedelta before the start date."""
        self._check_unlocked("set_warm_up")
        if isinstance(period, timedelta):
            self._warm_up_period, self._warm_up_bars = period, None
        else:
            self._warm_up_bars, self._warm_up_period = int(period), None
        self._warm_up_resolution = resolution

    set_warmup = set_warm_up

    def on_warmup_finished(self) -> None:
        pass

    # ---- parameters, logging ---------------------------------------------------------------------------------
    def get_parameter(self, name: str, default_value: Any = None) -> Any:
        value = self._context.parameters.get(name)
        if value is None:
            return default_value
        return convert_parameter(value, default_value)

    def get_parameters(self) -> dict[str, str]:
        return dict(self._context.parameters)

    def debug(self, message: Any) -> None:
        self._context.log_line(str(message))

    def log(self, message: Any) -> None:
        self._context.log_line(str(message))

    def error(self, message: Any) -> None:
        self._context.log_line(f"ERROR:: {message}")

    def quit(self, message: str = "") -> None:
        self._quit_requested = True
        self._quit_reason = message
        if message:
            self.debug(message)

    def set_quit(self, value: bool) -> None:
        self._quit_requested = bool(value)

    # ---- charting ---------------------------------------------------------------------------------------------
    def plot(self, chart: Any, series: Any = None, value: Any = None, *more: Any) -> None:
        """plot(chart, series, value); plot(series, value) on "Strategy Equity"; plot(chart, *indicators)."""
        if hasattr(series, "current"):
            for indicator in (series, *([value] if value is not None else []), *more):
                self._plot_point(str(chart), indicator.name, indicator.current.value)
            return
        if value is None:
            self._plot_point(STRATEGY_EQUITY, str(chart), series)
            return
        if more:
            raise UnsupportedApiError("QCAlgorithm", "plot(..., open, high, low, close) candlestick series")
        self._plot_point(str(chart), str(series), value)

    def record(self, series: str, value: Any) -> None:
        """Alias of plot(series, value)."""
        self._plot_point(STRATEGY_EQUITY, str(series), value)

    def _plot_point(self, chart: str, series: str, value: Any) -> None:
        reserved = RESERVED_CHART_SERIES.get(chart)
        if reserved is not None:
            if not reserved:
                raise ValueError(f"'{chart}' is a reserved chart name.")
            if series in reserved:
                raise ValueError(f"'{series}' is a reserved series name for chart '{chart}'.")
        self._context.plot(chart, series, float(value))

    def plot_indicator(self, chart: str, *indicators: Any) -> None:
        """Plot each indicator's value on every update (`plot_indicator(chart, [wait_for_ready,] *indicators)`;
        wait_for_ready defaults to False as in LEAN)."""
        wait_for_ready = False
        if indicators and isinstance(indicators[0], bool):
            wait_for_ready, indicators = indicators[0], indicators[1:]
        for indicator in indicators:
            def on_updated(_sender: Any, point: Any, indicator: Any = indicator) -> None:
                if not wait_for_ready or indicator.is_ready:
                    self._plot_point(chart, indicator.name, indicator.current.value)
            indicator.updated += on_updated

    def add_chart(self, chart: Any) -> None:
        self._context.add_chart(chart)

    # ---- insights ---------------------------------------------------------------------------------------------
    def emit_insights(self, *insights: Insight | Iterable[Insight]) -> None:
        for item in insights:
            for insight in (item if isinstance(item, (list, tuple)) else (item,)):
                self.insights.add(insight, self.utc_time)

    # ---- indicators -------------------------------------------------------------------------------------------
    def register_indicator(self, symbol: Any, indicator: Any, resolution: Any = None, selector: Any = None) -> None:
        self._context.register_indicator(symbol, indicator, resolution, selector)

    def warm_up_indicator(self, symbol: Any, indicator: Any, resolution: Any = None, selector: Any = None) -> None:
        """Feed `indicator` its warm-up period of history bars. `resolution` may be a Resolution or a timedelta
        (LEAN's TimeSpan overload): a span of one resolution step reads those bars directly; any other span reads
        warm_up_period × span/step bars of the finest step not above the span and consolidates them to the span."""
        if not isinstance(resolution, timedelta):
            self._context.warm_up_indicator(symbol, indicator, resolution, selector)
            return
        step = next((r for r in reversed(_RESOLUTION_STEPS) if resolution_to_timedelta(r) <= resolution), None)
        if step is None:
            raise UnsupportedApiError("QCAlgorithm", f"warm_up_indicator(..., {resolution!r}) below one second")
        step_span = resolution_to_timedelta(step)
        if step_span == resolution:
            self._context.warm_up_indicator(symbol, indicator, step, selector)
            return
        periods = getattr(indicator, "warm_up_period", 0) or 0
        if periods <= 0:
            raise UnsupportedApiError(type(indicator).__name__, "warm_up_period (needed by warm_up_indicator)")
        data_type = self._subscription_type(symbol) or TradeBar
        bars = self.history[data_type](symbol, periods * (resolution // step_span), step)
        consolidator = (indicators.QuoteBarConsolidator(resolution) if issubclass(data_type, QuoteBar)
                        else indicators.TradeBarConsolidator(resolution))
        consolidator.data_consolidated += lambda _sender, bar: indicators.update_indicator(indicator, bar, selector)
        for bar in bars:
            consolidator.update(bar)
        consolidator.scan(self.securities[self._context._symbol(symbol)].local_time)

    def consolidate(self, symbol: Any, period: Any, handler: Callable[[Any], None] | None = None,
                    *more: Any) -> Any:
        return self._context.consolidate(symbol, period, handler, more)

    def _helper_indicator(self, indicator: Any, symbol: Any, resolution: Any, selector: Any) -> Any:
        """Register a helper's indicator; with `settings.automatic_indicator_warm_up`, warm it up from history
        (indicators without a warm-up period are left cold, as in LEAN)."""
        self._context.register_indicator(symbol, indicator, resolution, selector)
        if self.settings.automatic_indicator_warm_up and getattr(indicator, "warm_up_period", 0):
            self.warm_up_indicator(symbol, indicator, resolution, selector)
        return indicator

    def sma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = self._context.indicators.SimpleMovingAverage(_indicator_name(symbol, f"SMA({period})", resolution),
                                                           period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def ema(self, symbol: Any, period: int, smoothing_factor: float | None = None, resolution: Any = None,
            selector: Any = None) -> Any:
        smoothing_factor, resolution, selector = _type_or_resolution(smoothing_factor, resolution, selector)
        name = _indicator_name(symbol, f"EMA({period})", resolution)
        ind = (self._context.indicators.ExponentialMovingAverage(name, period) if smoothing_factor is None
               else self._context.indicators.ExponentialMovingAverage(name, period, smoothing_factor))
        return self._helper_indicator(ind, symbol, resolution, selector)

    def macd(self, symbol: Any, fast_period: int, slow_period: int, signal_period: int, type: Any = None,
             resolution: Any = None, selector: Any = None) -> Any:
        ma_type = self._context.indicators.MovingAverageType.EXPONENTIAL if type is None else type
        name = _indicator_name(symbol, f"MACD({fast_period},{slow_period},{signal_period})", resolution)
        ind = self._context.indicators.MovingAverageConvergenceDivergence(name, fast_period, slow_period,
                                                                          signal_period, ma_type)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def std(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = self._context.indicators.StandardDeviation(_indicator_name(symbol, f"STD({period})", resolution),
                                                         period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def roc(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = self._context.indicators.RateOfChange(_indicator_name(symbol, f"ROC({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def rocp(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = self._context.indicators.RateOfChangePercent(_indicator_name(symbol, f"ROCP({period})", resolution),
                                                           period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def momp(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = self._context.indicators.MomentumPercent(_indicator_name(symbol, f"MOMP({period})", resolution),
                                                       period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def mom(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = self._context.indicators.Momentum(_indicator_name(symbol, f"MOM({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def rsi(self, symbol: Any, period: int, moving_average_type: Any = None, resolution: Any = None,
            selector: Any = None) -> Any:
        """RelativeStrengthIndex(period, type = WILDERS) of `symbol`'s data."""
        moving_average_type, resolution, selector = _type_or_resolution(moving_average_type, resolution, selector)
        ind = indicators.RelativeStrengthIndex(_indicator_name(symbol, f"RSI({period})", resolution), period,
                                               moving_average_type)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def bb(self, symbol: Any, period: int, k: float, moving_average_type: Any = None, resolution: Any = None,
           selector: Any = None) -> Any:
        """BollingerBands(period, k, type = SIMPLE) of `symbol`'s data."""
        moving_average_type, resolution, selector = _type_or_resolution(moving_average_type, resolution, selector)
        name = _indicator_name(symbol, f"BB({period},{float(k)})", resolution)
        ind = indicators.BollingerBands(name, period, k, moving_average_type)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def atr(self, symbol: Any, period: int, moving_average_type: Any = None, resolution: Any = None,
            selector: Any = None) -> Any:
        """AverageTrueRange(period, type = WILDERS) of `symbol`'s bars."""
        moving_average_type, resolution, selector = _type_or_resolution(moving_average_type, resolution, selector)
        ind = indicators.AverageTrueRange(_indicator_name(symbol, f"ATR({period})", resolution), period,
                                          moving_average_type)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def sto(self, symbol: Any, period: int, k_period: Any = None, d_period: Any = None, resolution: Any = None,
            selector: Any = None) -> Any:
        """Stochastic(period, k_period, d_period) of `symbol`'s bars; `sto(symbol, period[, resolution[, selector]])`
        is Stochastic(period, period, 3), as in LEAN."""
        if isinstance(k_period, Resolution):
            resolution, selector = k_period, d_period
        if k_period is None or isinstance(k_period, Resolution):
            k_period, d_period = period, 3
        if d_period is None:
            raise TypeError("sto(symbol, period, k_period, d_period): d_period is missing")
        ind = indicators.Stochastic(_indicator_name(symbol, f"STO({period},{k_period},{d_period})", resolution),
                                    period, k_period, d_period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def aroon(self, symbol: Any, up_period: int, down_period: Any = None, resolution: Any = None,
              selector: Any = None) -> Any:
        """AroonOscillator(up_period, down_period) of `symbol`'s bars; `aroon(symbol, period[, resolution])` uses
        one period for both."""
        if isinstance(down_period, Resolution):  # aroon(symbol, period, resolution[, selector])
            resolution, selector = down_period, resolution
        if down_period is None or isinstance(down_period, Resolution):
            down_period = up_period
        ind = indicators.AroonOscillator(
            _indicator_name(symbol, f"AROON({up_period},{down_period})", resolution), up_period, down_period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def adx(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        """AverageDirectionalIndex(period) of `symbol`'s bars."""
        ind = indicators.AverageDirectionalIndex(_indicator_name(symbol, f"ADX({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def dch(self, symbol: Any, upper_period: int, lower_period: Any = None, resolution: Any = None,
            selector: Any = None) -> Any:
        """DonchianChannel(upper_period, lower_period) of `symbol`'s bars; `dch(symbol, period[, resolution])` uses
        one period for both."""
        if isinstance(lower_period, Resolution):
            resolution, selector = lower_period, resolution
        if lower_period is None or isinstance(lower_period, Resolution):
            lower_period = upper_period
        ind = indicators.DonchianChannel(_indicator_name(symbol, f"DCH({upper_period},{lower_period})", resolution),
                                         upper_period, lower_period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def kch(self, symbol: Any, period: int, k: float, moving_average_type: Any = None, resolution: Any = None,
            selector: Any = None) -> Any:
        """KeltnerChannels(period, k, type = SIMPLE) of `symbol`'s bars."""
        moving_average_type, resolution, selector = _type_or_resolution(moving_average_type, resolution, selector)
        ind = indicators.KeltnerChannels(_indicator_name(symbol, f"KCH({period},{float(k)})", resolution), period, k,
                                         moving_average_type)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def wilr(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.WilliamsPercentR(_indicator_name(symbol, f"WILR({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def logr(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.LogReturn(_indicator_name(symbol, f"LOGR({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def cci(self, symbol: Any, period: int, moving_average_type: Any = None, resolution: Any = None,
            selector: Any = None) -> Any:
        """CommodityChannelIndex(period, type = SIMPLE) of `symbol`'s bars."""
        moving_average_type, resolution, selector = _type_or_resolution(moving_average_type, resolution, selector)
        ind = indicators.CommodityChannelIndex(_indicator_name(symbol, f"CCI({period})", resolution), period,
                                               moving_average_type)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def obv(self, symbol: Any, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.OnBalanceVolume(_indicator_name(symbol, "OBV", resolution))
        return self._helper_indicator(ind, symbol, resolution, selector)

    def ad(self, symbol: Any, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.AccumulationDistribution(_indicator_name(symbol, "AD", resolution))
        return self._helper_indicator(ind, symbol, resolution, selector)

    def cmo(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.ChandeMomentumOscillator(_indicator_name(symbol, f"CMO({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def mad(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.MeanAbsoluteDeviation(_indicator_name(symbol, f"MAD({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def b(self, target: Any, reference: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        """Beta(period) of `target` against `reference`, fed by the bars of both (never warmed up automatically:
        the warm-up reads one symbol's history)."""
        target_symbol, reference_symbol = self._context._symbol(target), self._context._symbol(reference)
        name = f"B({period})" if resolution is None else f"B({period})_{Resolution(resolution)}"
        beta = indicators.Beta(name, target_symbol, reference_symbol, period)
        self._context.register_indicator(target_symbol, beta, resolution, selector)
        self._context.register_indicator(reference_symbol, beta, resolution, selector)
        return beta

    def arima(self, symbol: Any, ar_order: int, diff_order: int, ma_order: int, period: int, *args: Any,
              intercept: bool = True, resolution: Any = None, selector: Any = None) -> Any:
        """AutoRegressiveIntegratedMovingAverage(p, d, q, period, intercept = True) of `symbol`'s data;
        positional tail: ([intercept,] resolution, selector)."""
        tail = list(args)
        if tail and isinstance(tail[0], bool):
            intercept = tail.pop(0)
        if tail:
            resolution = tail.pop(0)
        if tail:
            selector = tail.pop(0)
        if tail:
            raise TypeError(f"arima(symbol, p, d, q, period[, intercept][, resolution][, selector]): extra {tail!r}")
        name = _indicator_name(symbol, f"ARIMA({ar_order},{diff_order},{ma_order},{period})", resolution)
        ind = indicators.AutoRegressiveIntegratedMovingAverage(name, ar_order, diff_order, ma_order, period,
                                                               intercept)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def max(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        """Maximum(period) of `symbol`'s data: of the highs of trade bars unless a selector says otherwise."""
        ind = indicators.Maximum(_indicator_name(symbol, f"MAX({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector or self._trade_bar_field(symbol, "HIGH"))

    def min(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        """Minimum(period) of `symbol`'s data: of the lows of trade bars unless a selector says otherwise."""
        ind = indicators.Minimum(_indicator_name(symbol, f"MIN({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector or self._trade_bar_field(symbol, "LOW"))

    def _trade_bar_field(self, symbol: Any, field: str) -> Any:
        """Field.<field> when `symbol`'s first subscription is trade bars, else None (the data's value), as LEAN's
        MAX/MIN helpers choose their default selector."""
        data_type = self._subscription_type(symbol)
        return getattr(indicators.Field, field) if data_type is not None and issubclass(data_type, TradeBar) else None

    def _subscription_type(self, symbol: Any) -> type | None:
        """The data type of `symbol`'s first subscription (None when it has none)."""
        key = self._context._symbol(symbol)
        return next((config.type for config, _ in self._context.configs if config.symbol == key), None)

    def sum(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.Sum(_indicator_name(symbol, f"SUM({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def dema(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.DoubleExponentialMovingAverage(_indicator_name(symbol, f"DEMA({period})", resolution),
                                                        period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def tema(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.TripleExponentialMovingAverage(_indicator_name(symbol, f"TEMA({period})", resolution),
                                                        period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def trima(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.TriangularMovingAverage(_indicator_name(symbol, f"TRIMA({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def hma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.HullMovingAverage(_indicator_name(symbol, f"HMA({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def var(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.Variance(_indicator_name(symbol, f"VAR({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def wwma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.WilderMovingAverage(_indicator_name(symbol, f"WWMA({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def lwma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        ind = indicators.LinearWeightedMovingAverage(_indicator_name(symbol, f"LWMA({period})", resolution), period)
        return self._helper_indicator(ind, symbol, resolution, selector)

    def indicator_history(self, indicator: Any, symbol: Any, period: Any, resolution: Any = None,
                          selector: Any = None) -> Any:
        """The indicator's values over `period` bars of history (after its warm-up), as LEAN's IndicatorHistory:
        the indicator is reset, fed `period + warm_up_period − 1` bars and its ready values recorded."""
        if not isinstance(period, int):
            raise UnsupportedApiError("QCAlgorithm", "indicator_history(indicator, symbol, <timedelta or dates>)")
        warm_up = getattr(indicator, "warm_up_period", 0) or 0
        count = period + (warm_up - 1 if warm_up > 0 and period > 0 else 0)
        bars = self.history[self._subscription_type(symbol) or TradeBar](symbol, count, resolution)
        return indicators.indicator_history(indicator, bars, selector)

    def delay(self, period: int) -> Any:
        return self._context.indicators.Delay(f"Delay({period})", period)

    def identity(self, symbol: Any, resolution: Any = None, selector: Any = None, field_name: str | None = None) -> Any:
        ind = self._context.indicators.Identity(field_name or _indicator_name(symbol, "Identity", resolution))
        return self._helper_indicator(ind, symbol, resolution, selector)

    # ---- training (scheduled like any event in a backtest) ------------------------------------------------------
    def train(self, date_rule: Any, time_rule: Any = None, callback: Any = None) -> Any:
        """train(callback) runs now-ish (as schedule.training_now); train(date_rule, time_rule, callback)."""
        if time_rule is None and callback is None:
            return self.schedule.training_now(date_rule)
        return self.schedule.training(date_rule, time_rule, callback)

    # ---- history ----------------------------------------------------------------------------------------------
    @property
    def history(self) -> HistoryRequester:
        """history(symbols, periods, resolution) → DataFrame; history[Type](symbols, ...) → the data objects."""
        return HistoryRequester(self._context)

    # ---- default callbacks ------------------------------------------------------------------------------------
    def initialize(self) -> None:
        pass

    def on_data(self, data: Any) -> None:
        pass

    def on_order_event(self, order_event: Any) -> None:
        pass

    def on_end_of_algorithm(self) -> None:
        pass

    def on_securities_changed(self, changes: Any) -> None:
        pass

    def on_end_of_day(self, symbol: Any = None) -> None:
        pass


class HistoryRequester:
    """`self.history`: callable for the pandas form, subscriptable by data type for the object form."""

    __slots__ = ("_context",)

    def __init__(self, context: Any) -> None:
        self._context = context

    def __call__(self, symbols: Any, periods: Any = None, resolution: Any = None, *args: Any, **kwargs: Any) -> Any:
        return self._context.history(symbols, periods, resolution, args, kwargs)

    def __getitem__(self, data_type: type) -> Callable[..., list[Any]]:
        from .history import typed_history

        def request(symbols: Any, periods: Any = None, resolution: Any = None, *args: Any, **kwargs: Any) -> Any:
            return typed_history(self._context, data_type, symbols, periods, resolution, args, kwargs)

        return request


_RESOLUTION_STEPS = tuple(Resolution[name] for name in ("SECOND", "MINUTE", "HOUR", "DAILY"))


def _type_or_resolution(moving_average_type: Any, resolution: Any, selector: Any) -> tuple[Any, Any, Any]:
    """(type, resolution, selector) with LEAN's overloads that omit the moving-average type (or EMA's smoothing
    factor) resolved: `self.rsi(spy, 14, Resolution.DAILY[, selector])` shifts the resolution and selector."""
    if isinstance(moving_average_type, Resolution):
        if resolution is not None and selector is not None:
            raise TypeError("a helper given a Resolution in place of the moving-average type takes at most a "
                            "resolution and a selector after the period")
        return None, moving_average_type, resolution if resolution is not None else selector
    return moving_average_type, resolution, selector


def _indicator_name(symbol: Any, label: str, resolution: Any) -> str:
    """LEAN's CreateIndicatorName: "<type>(<args>)_<ticker>_<res>"-like; here "<label>_<ticker>"."""
    suffix = "" if resolution is None else f"_{Resolution(resolution)}"
    return f"{label}_{symbol}{suffix}"


def _reject_unsupported(member: str, unsupported: dict[str, Any]) -> None:
    if unsupported:
        raise UnsupportedApiError("QCAlgorithm", f"{member}({', '.join(unsupported)}=...)")


def find_user_callback(algorithm: QCAlgorithm, snake_name: str) -> Callable[..., Any] | None:
    """The user's override of a callback: snake_case first, then PascalCase (LEAN's lookup order); None when
    the algorithm class does not override it."""
    pascal = "".join(part[:1].upper() + part[1:] for part in snake_name.split("_"))
    user_classes = [cls for cls in type(algorithm).__mro__ if not cls.__module__.startswith(("lean_offline.", "builtins"))]
    for name in (snake_name, pascal):
        if any(name in vars(cls) for cls in user_classes):
            return getattr(algorithm, name)  # type: ignore[no-any-return]
    return None


__all__ = ["QCAlgorithm", "find_user_callback", "convert_parameter"]
