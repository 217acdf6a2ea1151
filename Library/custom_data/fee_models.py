"""Fee models for custom data, which LEAN charges nothing by default (ConstantFeeModel(0))."""

from AlgorithmImports import *

from custom_data.quantpedia_format import fee_for_notional


class NotionalFeeModel(FeeModel):
    """Fee = rate × |fill price × quantity| in USD; rate 0.00005 is the seed's 0.005% of notional.

    The price is `security.price` when LEAN asks for the fee (at fill time: the fill price of custom data).
    """

    def __init__(self, rate: float) -> None:
        super().__init__()
        if not rate >= 0:
            raise ValueError(f"fee rate must be a non-negative number, got {rate!r}")
        self.rate = rate

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        fee = fee_for_notional(self.rate, parameters.security.price, parameters.order.absolute_quantity)
        return OrderFee(CashAmount(fee, "USD"))
