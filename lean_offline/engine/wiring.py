"""EngineContext: everything one backtest run owns, and the glue between the algorithm and the engine parts.

The algorithm (QCAlgorithm) delegates configuration calls here; the runner reads the subscriptions, the result
collector and the order/portfolio objects from here. One context per run; `context_scope` makes it current while
the algorithm class is instantiated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from ..data.market import BaseData, QuoteBar, TradeBar
from ..data.market_hours import MarketHoursDatabase, SecurityExchangeHours
from ..data.symbol import Symbol, symbol_cache
from ..data.symbol_properties import SymbolProperties, SymbolPropertiesDatabase
from ..enums import BrokerageName, DataNormalizationMode, Resolution, SecurityType, TickType
from ..naming import DualCase, UnsupportedApiError
from .config import SubscriptionDataConfig, resolution_increment
from .feed import (
    Clock,
    DailySessions,
    FillForward,
    Segment,
    Subscription,
    block_segments,
    fill_forward,
    object_segments,
)

_CURRENT: list[EngineContext] = []
DEFAULT_CASH = 100000.0
"""QCAlgorithm's starting cash when set_cash is never called (LEAN's default)."""
_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_CRYPTO_BROKERAGES = {"bitfinex", "binance", "gdax", "coinbase", "bybit", "ftx", "kraken"}


def current_context() -> EngineContext:
    """The context of the run in progress (QCAlgorithm() is only constructed by the runner)."""
    if not _CURRENT:
        raise RuntimeError("QCAlgorithm instances are created by lean_offline's runner: use lean_offline.backtest()")
    return _CURRENT[-1]


@contextmanager
def context_scope(context: EngineContext) -> Iterator[EngineContext]:
    _CURRENT.append(context)
    try:
        yield context
    finally:
        _CURRENT.remove(context)


def _import(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(name)


class EngineContext:
    """State of one backtest run (see the module docstring)."""

    def __init__(self, data_folder: Path, parameters: dict[str, str], storage_root: Path, project_name: str) -> None:
        self.data_folder = data_folder
        self.parameters = parameters
        self.storage_root = storage_root
        self.project_name = project_name
        self.clock = Clock()
        self.daily_sessions = DailySessions()
        self.logs: list[str] = []
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self.market_hours = MarketHoursDatabase.load(data_folder)
        self.symbol_properties = SymbolPropertiesDatabase.load(data_folder)
        for message in (*self.market_hours.warnings, *self.symbol_properties.warnings):
            self.warn(message)
        self.interest_rates = _import("lean_offline.data.interest_rate").InterestRateProvider(
            data_folder, on_warning=self.warn)
        self.settings = _import("lean_offline.engine.settings").AlgorithmSettings()
        self.indicators = _import("lean_offline.indicators")
        self.configs: list[tuple[SubscriptionDataConfig, Any]] = []
        self.subscriptions: list[Subscription] = []
        self.consolidation_handlers: dict[Symbol, list[Callable[[BaseData], None]]] = {}
        self.scanned_consolidators: list[tuple[Any, ZoneInfo]] = []
        self.charts: dict[str, Any] = {}
        self.pending_plots: list[tuple[str, str, datetime, float, int | None, str]] = []
        self.risk_free_model: Any = None
        self.benchmark: Any = None
        self.benchmark_security: Any = None
        self._benchmark_callable: Callable[[datetime], float] | None = None
        self.results: Any = None
        self.had_warm_up = False
        self.start_utc = datetime.min
        self.end_utc = datetime.min
        self.first_utc = datetime.min
        self.trading_days_per_year = 252
        self.algorithm: Any = None
        self.brokerage_name: Any = BrokerageName["DEFAULT"]
        self.account_type: Any = None
        self.universe_settings = _UniverseSettings()
        self.subscription_manager = SubscriptionManager(self)
        self._order_event_handler: Callable[[Any], None] | None = None

    # ---- setup ------------------------------------------------------------------------------------------------
    def attach(self, algorithm: Any) -> None:
        """Build the engine objects the algorithm exposes (called from QCAlgorithm.__init__)."""
        self.algorithm = algorithm
        securities_module = _import("lean_offline.engine.securities")
        portfolio_module = _import("lean_offline.engine.portfolio")
        transactions_module = _import("lean_offline.engine.transactions")
        self.securities = securities_module.SecurityManager()
        self.portfolio = portfolio_module.SecurityPortfolioManager(self.securities, self.settings)
        self.portfolio.set_cash(DEFAULT_CASH)
        self.transactions = transactions_module.SecurityTransactionManager(algorithm)
        self.trade_builder = _import("lean_offline.trades").TradeBuilder()
        self.schedule = _import("lean_offline.engine.scheduling").ScheduleManager(
            algorithm, "America/New_York", self.market_hours)
        self.object_store = _import("lean_offline.engine.object_store").ObjectStore(self.storage_root)

    def set_brokerage_model(self, brokerage: Any, account_type: Any) -> None:
        self.brokerage_name = brokerage
        self.account_type = account_type
        setter = getattr(self.transactions, "set_brokerage_model", None)
        if callable(setter):
            setter(brokerage, account_type)

    def log_line(self, message: str) -> None:
        stamp = self.algorithm.time if self.algorithm is not None else datetime.now()
        self.logs.append(f"{stamp:%Y-%m-%d %H:%M:%S} {message}")

    def warn(self, message: str) -> None:
        """A data warning: recorded once in `warnings` and in the log."""
        if message in self._warned:
            return
        self._warned.add(message)
        self.warnings.append(message)
        self.logs.append(f"WARNING:: {message}")

    # ---- securities -------------------------------------------------------------------------------------------
    def _make_symbol(self, security_type: Any, ticker: str, market: str) -> Symbol:
        if SecurityType(security_type) == SecurityType["EQUITY"]:
            return _import("lean_offline.data.factors").equity_symbol(self.data_folder, ticker, market)
        return Symbol.create(ticker, security_type, market)

    def _new_security(self, symbol: Symbol, hours: SecurityExchangeHours, properties: SymbolProperties,
                      config: SubscriptionDataConfig, leverage: float) -> Any:
        securities_module = _import("lean_offline.engine.securities")
        security = securities_module.Security(symbol, hours, properties, clock=self.algorithm,
                                              leverage=leverage if leverage and leverage > 0 else None)
        security.add_subscription(config.type, config.resolution, config.is_internal_feed,
                                  config.extended_market_hours)
        if config.is_custom_data:
            security.data_normalization_mode = DataNormalizationMode["RAW"]
        elif security.type == SecurityType["EQUITY"]:
            security.set_data_normalization_mode(config.data_normalization_mode)
        return security

    def add_market_security(self, security_type: Any, ticker: str, resolution: Any, market: str,
                            fill_forward_enabled: bool, leverage: float, extended_market_hours: bool,
                            normalization: Any) -> Any:
        kind = SecurityType(security_type)
        if kind not in (SecurityType["EQUITY"], SecurityType["FOREX"], SecurityType["CFD"], SecurityType["CRYPTO"]):
            raise UnsupportedApiError("QCAlgorithm", f"add_security({kind})")
        resolution = Resolution(self.universe_settings.resolution if resolution is None else resolution)
        symbol = self._make_symbol(kind, ticker, market)
        if symbol in self.securities:
            return self.securities[symbol]
        symbol_cache.set(symbol.value, symbol)
        entry = self.market_hours.get_entry(market, symbol.value, kind)
        properties = self.symbol_properties.get(market, symbol.value, kind)
        data_type = QuoteBar if kind in (SecurityType["FOREX"], SecurityType["CFD"]) else TradeBar
        config = SubscriptionDataConfig(
            type=data_type, symbol=symbol, resolution=resolution, data_time_zone=entry.data_time_zone.key,
            exchange_time_zone=entry.exchange_hours.time_zone.key, fill_data_forward=fill_forward_enabled,
            extended_market_hours=extended_market_hours,
            data_normalization_mode=DataNormalizationMode(normalization) if kind == SecurityType["EQUITY"]
            else DataNormalizationMode["RAW"],
            tick_type=TickType["QUOTE"] if data_type is QuoteBar else TickType["TRADE"])
        security = self._new_security(symbol, entry.exchange_hours, properties, config, leverage)
        self.securities.add(security)
        self.configs.append((config, security))
        if kind == SecurityType["EQUITY"] and int(resolution) < int(Resolution["HOUR"]):
            # LEAN subscribes US equities to quotes as well below hourly resolution (fills use bid/ask)
            quote_config = SubscriptionDataConfig(
                type=QuoteBar, symbol=symbol, resolution=resolution, data_time_zone=config.data_time_zone,
                exchange_time_zone=config.exchange_time_zone, fill_data_forward=fill_forward_enabled,
                extended_market_hours=extended_market_hours, data_normalization_mode=config.data_normalization_mode,
                tick_type=TickType["QUOTE"])
            security.add_subscription(QuoteBar, resolution, False, extended_market_hours)
            self.configs.append((quote_config, security))
        return security

    def add_custom_security(self, data_type: type, ticker: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        options = {_snake(k): v for k, v in kwargs.items()}
        positional = list(args)
        properties: SymbolProperties | None = options.pop("properties", None)
        hours: SecurityExchangeHours | None = options.pop("exchange_hours", None)
        if positional and isinstance(positional[0], SymbolProperties):
            properties = positional.pop(0)
            hours = positional.pop(0) if positional else hours
        resolution = options.pop("resolution", positional.pop(0) if positional else None)
        time_zone = options.pop("time_zone", positional.pop(0) if positional and isinstance(positional[0], (str, ZoneInfo)) else None)
        fill_forward_enabled = bool(options.pop("fill_forward", positional.pop(0) if positional else False))
        leverage = float(options.pop("leverage", positional.pop(0) if positional else 1.0))
        if positional or options:
            raise UnsupportedApiError("QCAlgorithm", f"add_data(..., {positional or ''}{options or ''})")
        ticker_text = str(ticker)
        symbol = Symbol.create_base(data_type.__name__, ticker_text)
        if symbol in self.securities:
            return self.securities[symbol]
        symbol_cache.set(symbol.value, symbol)
        instance = data_type()
        zone_name = (time_zone.key if isinstance(time_zone, ZoneInfo) else str(time_zone)) if time_zone else None
        if zone_name is None:
            zone_getter = getattr(instance, "data_time_zone", None)
            zone_name = str(zone_getter()) if callable(zone_getter) else "America/New_York"
        if resolution is None:
            default_resolution = getattr(instance, "default_resolution", None)
            resolution = default_resolution() if callable(default_resolution) else Resolution["MINUTE"]
        exchange_hours = hours if hours is not None else SecurityExchangeHours.always_open_hours(zone_name)
        props = properties if properties is not None else self.symbol_properties.get("usa", symbol.value,
                                                                                      SecurityType["BASE"])
        config = SubscriptionDataConfig(
            type=data_type, symbol=symbol, resolution=Resolution(resolution), data_time_zone=zone_name,
            exchange_time_zone=exchange_hours.time_zone.key, fill_data_forward=fill_forward_enabled,
            extended_market_hours=True, is_custom_data=True, data_normalization_mode=DataNormalizationMode["RAW"])
        security = self._new_security(symbol, exchange_hours, props, config, leverage)
        self.securities.add(security)
        self.configs.append((config, security))
        return security

    # ---- indicators and consolidators -------------------------------------------------------------------------
    def _symbol(self, symbol: Any) -> Symbol:
        if isinstance(symbol, Symbol):
            return symbol
        if hasattr(symbol, "symbol") and isinstance(symbol.symbol, Symbol):
            return symbol.symbol
        return symbol_cache.get_symbol(str(symbol))

    def register_indicator(self, symbol: Any, indicator: Any, resolution: Any, selector: Any) -> None:
        """Feed every user bar of `symbol` to `indicator` (with `selector`, default the bar's value) in §E step 6.

        A resolution coarser than the subscription's is consolidated first; an explicit consolidator is used as is.
        """
        key = self._symbol(symbol)
        feed = self.indicators.update_indicator if hasattr(self.indicators, "update_indicator") else None

        def update(point: BaseData) -> None:
            if feed is not None:
                feed(indicator, point, selector)
            elif selector is not None:
                indicator.update(point.end_time, float(selector(point)))
            else:
                indicator.update(point)

        consolidator = self._consolidator_for(key, resolution)
        if consolidator is None:
            self.consolidation_handlers.setdefault(key, []).append(update)
            return
        consolidator.data_consolidated += lambda _sender, bar: update(bar)
        self.attach_consolidator(key, consolidator)

    def _consolidator_for(self, symbol: Symbol, resolution: Any) -> Any:
        if resolution is None or isinstance(resolution, int | Resolution):
            if resolution is None:
                return None
            wanted = resolution_increment(resolution)
            subscribed = [config for config, _ in self.configs if config.symbol == symbol]
            if not subscribed or subscribed[0].increment >= wanted:
                return None
            if int(resolution) == int(Resolution["DAILY"]):
                return self.indicators.TradeBarConsolidator(self._daily_calendar(symbol))
            return self.indicators.TradeBarConsolidator(wanted)
        if isinstance(resolution, timedelta):
            return self.indicators.TradeBarConsolidator(resolution)
        return resolution  # a consolidator object

    def warm_up_indicator(self, symbol: Any, indicator: Any, resolution: Any, selector: Any) -> None:
        """Feed the indicator the last `warm_up_period` bars before now, from history (LEAN's WarmUpIndicator)."""
        period = getattr(indicator, "warm_up_period", None)
        if not isinstance(period, int) or period <= 0:
            raise UnsupportedApiError(type(indicator).__name__, "warm_up_period (needed by warm_up_indicator)")
        key = self._symbol(symbol)
        config, security = next((c, s) for c, s in self.configs if c.symbol == key)
        chosen = Resolution(resolution) if isinstance(resolution, int | Resolution) else config.resolution
        zone = ZoneInfo(config.exchange_time_zone)
        now_local = self.clock.to_local(self.algorithm.utc_time, zone)
        start_local = _bars_back(security.exchange.hours, now_local, period + 1, resolution_increment(chosen),
                                 config.extended_market_hours)
        points = _import("lean_offline.engine.history")._points(self, config, security, start_local, now_local, chosen)
        for point in points[-period:]:
            self.indicators.update_indicator(indicator, point, selector)

    def consolidate(self, symbol: Any, period: Any, handler: Callable[[Any], None] | None,
                    more: tuple[Any, ...]) -> Any:
        if isinstance(symbol, type):
            raise UnsupportedApiError("QCAlgorithm", f"consolidate({symbol.__name__}, symbol, ...) (the overloads "
                                      f"that take a data type first)")
        key = self._symbol(symbol)
        if more:
            raise UnsupportedApiError("QCAlgorithm", "consolidate(symbol, period, tick_type/handler overloads)")
        if isinstance(period, int | Resolution):
            period = self._daily_calendar(key) if int(period) == int(Resolution["DAILY"]) else \
                resolution_increment(period)
        config_types = [config.type for config, _ in self.configs if config.symbol == key]
        consolidator_class = (self.indicators.QuoteBarConsolidator if config_types and config_types[0] is QuoteBar
                              else self.indicators.TradeBarConsolidator)
        consolidator = consolidator_class(period)
        if handler is not None:
            consolidator.data_consolidated += lambda _sender, bar: handler(bar)
        self.attach_consolidator(key, consolidator)
        return consolidator

    def _daily_calendar(self, symbol: Symbol) -> Any:
        """Daily consolidation periods: with daily precise end times (LEAN's default) on a market that closes, each
        trading day's regular session (09:30-16:00, early closes included) as LEAN's daily calendar; otherwise
        midnight to midnight."""
        hours = next((s.exchange.hours for c, s in self.configs if c.symbol == symbol), None)
        if hours is None or hours.always_open or not self.settings.daily_precise_end_time:
            return _ONE_DAY
        calendar_info = self.indicators.CalendarInfo

        def session(local_time: datetime) -> Any:
            day = local_time.date()
            close = hours.regular_market_close(day) if hours.is_date_open(day) else None
            if close is None or local_time >= close:
                day = hours.get_next_trading_day(day)
                close = hours.regular_market_close(day)
            start = hours.regular_market_open(day)
            return calendar_info(start, close - start)

        return session

    def attach_consolidator(self, symbol: Symbol, consolidator: Any) -> None:
        """Feed `symbol`'s user data to the consolidator and scan it every time step in its exchange's local time
        (time-based bars are emitted when their period ends even if no new data arrives)."""
        self.consolidation_handlers.setdefault(symbol, []).append(consolidator.update)
        if callable(getattr(consolidator, "scan", None)):
            zone = next((ZoneInfo(c.exchange_time_zone) for c, _ in self.configs if c.symbol == symbol),
                        ZoneInfo("America/New_York"))
            self.scanned_consolidators.append((consolidator, zone))

    def scan_consolidators(self, utc_time: datetime, before: bool = False) -> None:
        """Scan at `utc_time`; `before` scans just before it, so only bars that ended earlier are emitted ahead of
        the slice's own data (a bar ending at the slice time still receives that slice's point)."""
        moment = utc_time - _ONE_MICROSECOND if before else utc_time
        for consolidator, zone in self.scanned_consolidators:
            consolidator.scan(self.clock.to_local(moment, zone))

    # ---- charting ---------------------------------------------------------------------------------------------
    def plot(self, chart: str, series: str, value: float) -> None:
        """A user chart point at the algorithm's time. Points plotted in `initialize`, before the results exist, are
        kept with their time and handed over when they do (LEAN's chart keeps them from the call)."""
        definition = getattr(self.charts.setdefault(chart, None), "series", {}).get(series)  # None: made by plot
        kind, unit = (None, "$") if definition is None else (int(definition.series_type), definition.unit)
        if self.results is None:
            _import("lean_offline.statistics").plot_value(chart, series, value)  # a bad value fails at the call
            self.pending_plots.append((chart, series, self.algorithm.utc_time, value, kind, unit))
        else:
            self.results.plot(chart, series, self.algorithm.utc_time, value, kind, unit)

    def add_chart(self, chart: Any) -> None:
        """LEAN keeps the first chart of a name, the one a plot made included (whose series are lines in $)."""
        self.charts.setdefault(str(getattr(chart, "name", chart)), chart)

    # ---- values read by the runner ----------------------------------------------------------------------------
    def portfolio_value(self) -> float:
        return float(self.portfolio.total_portfolio_value)

    def total_sale_volume(self) -> float:
        return float(self.portfolio.total_sale_volume)

    def benchmark_value(self, utc_time: datetime) -> float:
        if self._benchmark_callable is not None:
            local = self.clock.to_local(utc_time, self.algorithm.time_zone)
            return float(self._benchmark_callable(local))
        if self.benchmark_security is None:
            return 0.0
        return float(self.benchmark_security.price)

    def custom_points(self, config: SubscriptionDataConfig, security: Any, start_local: datetime,
                      end_local: datetime) -> Iterator[BaseData]:
        """A fresh read of a custom-data subscription between two exchange-local times (history requests)."""
        driver = _import("lean_offline.engine.python_data")
        custom_context = driver.CustomDataContext(data_folder=self.data_folder, object_store=self.object_store)
        return driver.open_custom_subscription(custom_context, config.type, config.symbol, config,  # type: ignore[no-any-return]
                                               start_local, end_local, self.warn,
                                               exchange_hours=security.exchange.hours)

    # ---- finishing initialisation: clock bounds, benchmark, warm-up, streams, results ------------------------
    def finish_initialization(self, algorithm: Any, on_order_event: Callable[[Any], None] | None) -> None:
        algorithm._locked = True
        zone = algorithm.time_zone
        self.start_utc = self.clock.to_utc(algorithm.start_date, zone)
        self.end_utc = self.clock.to_utc(algorithm.end_date, zone)
        self.trading_days_per_year = self.settings.trading_days_per_year or (
            365 if str(self.brokerage_name).lower() in _CRYPTO_BROKERAGES else 252)
        self._setup_benchmark(algorithm)
        warm_up_start_local = self._warm_up_start(algorithm)
        self.had_warm_up = warm_up_start_local < algorithm.start_date
        algorithm.is_warming_up = self.had_warm_up
        first_local = min(warm_up_start_local, algorithm.start_date)
        self.first_utc = self.clock.to_utc(first_local, zone)
        for config, security in self.configs + ([(self.benchmark_config, self.benchmark_security)]
                                                if self.benchmark_security is not None else []):
            self.subscriptions.append(Subscription(config, security, self._open_stream(config, security)))
        if self.settings.seed_initial_prices:
            self._seed_initial_prices()
        statistics = _import("lean_offline.statistics")
        self.results = statistics.ResultCollector(self.start_utc, self.end_utc, self.portfolio_value())
        for point in self.pending_plots:
            self.results.plot(*point)
        self.pending_plots.clear()
        if on_order_event is not None:
            self.transactions.set_order_event_handler(on_order_event)
        self.portfolio.set_transaction_record_handler(self.results.record_profit_loss)
        algorithm.set_date_time(self.start_utc)
        self.schedule.start(self.first_utc)

    def _seed_initial_prices(self) -> None:
        """Give each market security the last price known before the data starts (LEAN seeds added securities by
        default since 2025-11), so it can be valued and traded before its first bar of the backtest arrives."""
        history = _import("lean_offline.engine.history")
        for config, security in self.configs:
            if config.is_custom_data or security.price:
                continue
            zone = ZoneInfo(config.exchange_time_zone)
            first_local = self.clock.to_local(self.first_utc, zone)
            lookback = timedelta(days=7) if config.increment >= timedelta(hours=1) else timedelta(days=4)
            quiet: list[str] = []
            points = history._points(self, config, security, first_local - lookback, first_local, config.resolution,
                                     on_warning=quiet.append)
            earlier = [point for point in points if point.end_time < first_local]
            if earlier:
                security.update(earlier[-1])

    def _setup_benchmark(self, algorithm: Any) -> None:
        spec = algorithm._benchmark_spec
        model_benchmark = getattr(self.transactions.brokerage_model, "get_benchmark", None)
        if not algorithm._benchmark_set and callable(model_benchmark):
            spec = model_benchmark(self.securities)
        evaluate = getattr(spec, "evaluate", None) or getattr(spec, "Evaluate", None)
        if evaluate is not None and not isinstance(spec, Symbol | str):
            self._benchmark_callable = evaluate
            self.benchmark = spec
            return
        if callable(spec) and not isinstance(spec, Symbol | str):
            self._benchmark_callable = spec
            self.benchmark = spec
            return
        existing = self._subscribed_custom_security(spec)
        if existing is not None:  # custom data: the benchmark follows the user's own security
            self.benchmark = _import("lean_offline.engine.benchmarks").SecurityBenchmark(existing)
            self._benchmark_callable = self.benchmark.evaluate
            return
        if isinstance(spec, Symbol):
            kind, ticker, market = spec.security_type, spec.value, spec.market
        else:
            kind, ticker, market = SecurityType["EQUITY"], str(spec), "usa"
        symbol = self._make_symbol(kind, ticker, market)
        entry = self.market_hours.get_entry(market, ticker, kind)
        properties = self.symbol_properties.get(market, ticker, kind)
        data_type = QuoteBar if kind in (SecurityType["FOREX"], SecurityType["CFD"]) else TradeBar
        resolution = Resolution["HOUR"] if kind == SecurityType["EQUITY"] else Resolution["DAILY"]
        self.benchmark_config = SubscriptionDataConfig(
            type=data_type, symbol=symbol, resolution=resolution, data_time_zone=entry.data_time_zone.key,
            exchange_time_zone=entry.exchange_hours.time_zone.key, fill_data_forward=False,
            extended_market_hours=False, is_internal_feed=True,
            tick_type=TickType["QUOTE"] if data_type is QuoteBar else TickType["TRADE"])
        self.benchmark_security = self._new_security(symbol, entry.exchange_hours, properties,
                                                     self.benchmark_config, 0.0)
        self.benchmark = _import("lean_offline.engine.benchmarks").SecurityBenchmark(self.benchmark_security)

    def _subscribed_custom_security(self, spec: Any) -> Any:
        if isinstance(spec, Symbol):
            symbol: Symbol | None = spec
        elif isinstance(spec, str):
            symbol = symbol_cache.try_get_symbol(spec)
        else:
            return None
        for config, security in self.configs:
            if config.is_custom_data and config.symbol == symbol:
                return security
        return None

    def _warm_up_start(self, algorithm: Any) -> datetime:
        """The local time the data starts: the start date, or earlier by the warm-up period (calendar time) or bar
        count (counted back over the exchange calendar of each security, the earliest wins)."""
        start = algorithm.start_date
        if algorithm._warm_up_period is not None:
            return start - algorithm._warm_up_period
        bars = algorithm._warm_up_bars
        if not bars:
            return start
        resolution = algorithm._warm_up_resolution or self.settings.warmup_resolution
        earliest = start
        for config, security in self.configs:
            increment = resolution_increment(resolution if resolution is not None else config.resolution)
            earliest = min(earliest, _bars_back(security.exchange.hours, start, bars, increment,
                                                config.extended_market_hours))
        if not self.configs:
            increment = resolution_increment(resolution if resolution is not None else Resolution["MINUTE"])
            earliest = start - bars * increment
        return earliest

    def _open_stream(self, config: SubscriptionDataConfig, security: Any) -> Iterator[Segment]:
        zone = ZoneInfo(config.exchange_time_zone)
        end_local = self.clock.to_local(self.end_utc, zone)
        start_local = self.clock.to_local(self.first_utc, zone)
        hours = security.exchange.hours
        if config.is_internal_feed:
            start_local = self._previous_tradable_bar_start(hours, start_local)
        fills = config.fill_data_forward and int(config.resolution) != int(Resolution["TICK"])
        if config.is_custom_data:
            driver = _import("lean_offline.engine.python_data")
            custom_context = driver.CustomDataContext(data_folder=self.data_folder, object_store=self.object_store)
            points = driver.open_custom_subscription(custom_context, config.type, config.symbol, config, start_local,
                                                     end_local, self.warn, exchange_hours=hours)
            if fills:
                points = fill_forward(points, config, hours, end_local, self.clock, zone, False, self.daily_sessions)
            return object_segments(points, read_ahead=1)  # user code runs in the reader: one point at a time
        readers = _import("lean_offline.data.readers")
        spec = readers.SubscriptionSpec(
            data_folder=self.data_folder, symbol=config.symbol, security_type=config.security_type,
            market=config.market, resolution=config.resolution, tick_type=config.tick_type,
            normalization=config.data_normalization_mode, exchange_hours=hours,
            data_time_zone=ZoneInfo(config.data_time_zone), start_local=start_local, end_local=end_local,
            daily_precise_end_time=bool(self.settings.daily_precise_end_time),
            extended_market_hours=config.extended_market_hours)
        fill = None
        if fills:
            precise = bool(self.settings.daily_precise_end_time) and config.security_type == SecurityType["EQUITY"]
            fill = FillForward(config, hours, end_local, precise, self.daily_sessions)
        events = []
        if config.security_type == SecurityType["EQUITY"] and not config.is_internal_feed:
            events = self._corporate_events(config, hours, start_local, end_local)
        return block_segments(readers.read_blocks(spec, self.warn), fill, events,
                              lambda local: self.clock.to_utc(local, zone), zone)

    def _corporate_events(self, config: SubscriptionDataConfig, hours: Any, start_local: datetime,
                          end_local: datetime) -> list[BaseData]:
        """The user equity stream's dividends and splits (LEAN gives the benchmark's internal feed none: recorded
        data point counts of its regression algorithms show them once per user subscription)."""
        actions = _import("lean_offline.data.corporate_actions")
        factor_file = _import("lean_offline.data.factors").load_factor_file(
            self.data_folder, config.market, config.symbol.value, self.warn)
        return actions.corporate_events(factor_file, config.symbol, hours.is_date_open,  # type: ignore[no-any-return]
                                        hours.get_next_trading_day, start_local.date(), end_local.date())

    def _previous_tradable_bar_start(self, hours: Any, start_local: datetime) -> datetime:
        """LEAN starts the benchmark feed one daily bar before the algorithm so its price is never 0 at the start
        (UniverseSelection.AddPendingInternalDataFeeds): the previous trading day's open (strict daily end times)
        or midnight."""
        if hours.always_open:
            return start_local - _ONE_DAY
        day = hours.get_previous_trading_day(start_local.date())
        if self.settings.daily_precise_end_time:
            market_open = hours.regular_market_open(day)
            if market_open is not None:
                return market_open  # type: ignore[no-any-return]
        return datetime(day.year, day.month, day.day)

    # ---- history ------------------------------------------------------------------------------------------------
    def history(self, symbols: Any, periods: Any, resolution: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        return _import("lean_offline.engine.history").history(self, symbols, periods, resolution, args, kwargs)

    # ---- results ------------------------------------------------------------------------------------------------
    def risk_free_rate(self, utc_time: datetime) -> float:
        model = self.risk_free_model
        if model is not None:
            getter = getattr(model, "get_interest_rate", None) or model.GetInterestRate
            return float(getter(utc_time))
        return float(self.interest_rates.get_interest_rate(utc_time))

    def build_result(self, status: str, error: str, stack: str, data_points: int, seconds: float,
                     output_dir: Path | None, algorithm: Any, started_at: datetime) -> Any:
        return _import("lean_offline.engine.reporting").build_result(
            self, status, error, stack, data_points, seconds, output_dir, algorithm, started_at=started_at)


class SubscriptionManager(DualCase):
    """`self.subscription_manager`: consolidators and the subscription configs (LEAN's SubscriptionManager)."""

    subscription_data_config_service: _ConfigService

    def __init__(self, context: EngineContext) -> None:
        self._context = context
        self.subscription_data_config_service = _ConfigService(context)

    def add_consolidator(self, symbol: Any, consolidator: Any, tick_type: Any = None) -> None:
        """Feed every user data point of `symbol` to `consolidator` (§E step 6)."""
        self._context.attach_consolidator(self._context._symbol(symbol), consolidator)

    def remove_consolidator(self, symbol: Any, consolidator: Any) -> None:
        handlers = self._context.consolidation_handlers.get(self._context._symbol(symbol), [])
        for handler in list(handlers):
            if getattr(handler, "__self__", None) is consolidator:
                handlers.remove(handler)
        self._context.scanned_consolidators = [
            entry for entry in self._context.scanned_consolidators if entry[0] is not consolidator]

    @property
    def subscriptions(self) -> list[SubscriptionDataConfig]:
        return [config for config, _ in self._context.configs]


class _ConfigService(DualCase):
    def __init__(self, context: EngineContext) -> None:
        self._context = context

    def get_subscription_data_configs(self, symbol: Any = None) -> list[SubscriptionDataConfig]:
        configs = [config for config, _ in self._context.configs]
        if symbol is None:
            return configs
        key = self._context._symbol(symbol)
        return [config for config in configs if config.symbol == key]


class _UniverseSettings:
    """UniverseSettings: the default resolution of add_* calls without one (Minute)."""

    def __init__(self) -> None:
        self.resolution: Any = Resolution["MINUTE"]
        self.leverage: float = 0.0
        self.fill_forward = True
        self.extended_market_hours = False

    def __getattr__(self, name: str) -> Any:
        from ..naming import to_snake_case

        snake = to_snake_case(name)
        if snake != name and snake in self.__dict__:
            return self.__dict__[snake]
        raise UnsupportedApiError("UniverseSettings", name)

    def __setattr__(self, name: str, value: Any) -> None:
        from ..naming import to_snake_case

        object.__setattr__(self, to_snake_case(name), value)


def _snake(name: str) -> str:
    from ..naming import to_snake_case

    return to_snake_case(name)


def _bars_back(hours: Any, start: datetime, bars: int, increment: timedelta, extended: bool) -> datetime:
    """The local time `bars` bars of `increment` before `start`, counting only open exchange time."""
    if hours.always_open:
        return start - bars * increment
    day = start.date()
    remaining = bars
    for _ in itertools.count():
        day = hours.get_previous_trading_day(day)
        if increment >= _ONE_DAY:
            per_day = 1
        else:
            segments = [s for s in hours.get_market_hours(day) if extended or s.state == "market"]
            open_span = sum(((s.end - s.start) for s in segments), timedelta(0))
            per_day = max(1, math.ceil(open_span / increment))
        remaining -= per_day
        if remaining <= 0:
            return datetime(day.year, day.month, day.day)
    return start  # pragma: no cover - the loop always returns
