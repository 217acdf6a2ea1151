"""The fill path's shortcuts against the general path: a scan skipped as quiet must see every input of the waiting
orders' buying-power verdicts; the fill models' memoised subscription checks answer as the subscriptions say."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from test_brokerage_trading import CustomPoint, FakeAlgorithm  # the trading tests' algorithm stand-in

from lean_offline.data.market import QuoteBar, Tick, TradeBar
from lean_offline.engine.fills import _price_sources
from lean_offline.enums import OrderStatus, Resolution


class OwnTradeBar(TradeBar):
    """A user subclass of TradeBar: it covers trade bars."""


def test_a_skipped_scan_sees_the_price_of_a_held_security() -> None:
    """A held security's price is left out of the quiet scan's state: its moves advance VALUATION_VERSION. With 10
    shares held at $100 (leverage 1) and $10,000 cash, a 90-share buy needs $9,001 of the $10,000 remaining; at $120
    it needs $10,801 of $10,000 (TPV $11,200 − $1,200 used): the waiting order becomes invalid at the next scan."""
    algorithm = FakeAlgorithm(10_000.0)
    security = algorithm.add_equity("AAA")
    security.set_leverage(1.0)
    algorithm.daily_bar(security, datetime(2013, 10, 7), 100.0, 100.0)
    security.holdings.set_holdings(100.0, 10.0)
    algorithm.at(datetime(2013, 10, 8, 10))
    ticket = algorithm.market_order(security.symbol, 90)
    algorithm.at(datetime(2013, 10, 8, 11))
    algorithm.step()
    algorithm.step()
    assert ticket.status == OrderStatus.SUBMITTED
    security.update(TradeBar(datetime(2013, 10, 8, 11), security.symbol, 120.0, 120.0, 120.0, 120.0, 1e3,
                             timedelta(hours=1)))
    algorithm.at(datetime(2013, 10, 8, 12))
    algorithm.step()
    assert ticket.status == OrderStatus.INVALID


@given(st.lists(st.sampled_from([TradeBar, QuoteBar, Tick, OwnTradeBar, CustomPoint]), max_size=4))
def test_price_sources_and_is_subscribed_to_follow_the_subscriptions(data_types: list[type]) -> None:
    """Ticks, quote bars and trade bars are covered by a subscription to themselves or a subclass (a user's own
    trade bar covers trade bars; custom data covers none of them): the memoised answer of the fill models and
    `is_subscribed_to` alike."""
    security = FakeAlgorithm().add_equity("AAA")
    security.subscriptions.clear()
    for data_type in data_types:
        security.add_subscription(data_type, Resolution.MINUTE)
    expected = (Tick in data_types, QuoteBar in data_types, TradeBar in data_types or OwnTradeBar in data_types)
    assert _price_sources(frozenset(security.subscribed_types())) == expected
    assert tuple(security.is_subscribed_to(kind) for kind in (Tick, QuoteBar, TradeBar)) == expected
