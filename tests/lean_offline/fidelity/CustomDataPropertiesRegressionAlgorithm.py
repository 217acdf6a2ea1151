# ruff: noqa: F403, F405
# Fidelity case written from shared/fidelity/CustomDataPropertiesRegressionAlgorithm/spec.md.
from AlgorithmImports import *


class CustomDataPropertiesRegressionAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2018, 4, 5)
        self.set_end_date(2018, 4, 10)
        self.set_cash(100000)
        properties = SymbolProperties("Bitcoin", "USD", 1, 0.01, 0.01, "BTC")
        hours = SecurityExchangeHours.always_open(TimeZones.NEW_YORK)
        self.bitcoin = self.add_data(Bitcoin, "BTC", properties, hours, fill_forward=False, leverage=1).symbol
        security = self.securities[self.bitcoin]
        sp = security.symbol_properties
        if (sp.description != "Bitcoin" or sp.quote_currency != "USD" or sp.contract_multiplier != 1
                or sp.minimum_price_variation != 0.01 or sp.lot_size != 0.01):
            raise AssertionError("Custom symbol properties were not applied")
        if not security.exchange.hours.is_market_always_open:
            raise AssertionError("Custom exchange hours were not applied")
        self.add_data(Bitcoin, "BTCUSD")

    def on_data(self, data):
        if not self.portfolio.invested and data.contains_key("BTC"):
            close = data["BTC"].close
            if close != 0:
                self.order("BTC", self.portfolio.margin_remaining / abs(close + 1))


class Bitcoin(PythonData):
    def get_source(self, config, date, is_live_mode):
        return SubscriptionDataSource(Globals.data_folder + "/crypto/coinbase/daily/btcusd_trade.zip",
                                      SubscriptionTransportMedium.LOCAL_FILE, FileFormat.CSV)

    def reader(self, config, line, date, is_live_mode):
        coin = Bitcoin()
        coin.symbol = config.symbol
        try:
            parts = line.split(",")
            coin.time = datetime.strptime(parts[0], "%Y%m%d %H:%M")
            coin.end_time = coin.time + timedelta(days=1)
            coin.value = float(parts[4])
            coin["Open"] = float(parts[1])
            coin["High"] = float(parts[2])
            coin["Low"] = float(parts[3])
            coin["Close"] = float(parts[4])
            coin["VolumeBTC"] = float(parts[5])
        except (ValueError, IndexError):
            return Bitcoin()
        return coin
