"""Quantpedia futures as LEAN custom data (PythonData).

Which source is read is a class attribute, set by the algorithm from its `quantpedia-source` parameter BEFORE the
first `add_data` call (LEAN asks `get_source` for the source of every subscription from then on):

    QuantpediaFutures.source = QuantpediaSource.parse(self.get_parameter("quantpedia-source", "auto"))

- `auto` (default): `<data folder>/alternative/quantpedia/futures/<symbol lower-case>.csv` when the file exists,
  else Quantpedia's remote file (what the cloud sees);
- `local`: that file, always (a missing file is reported by the engine as a missing data file);
- `object-store`: the object-store key `quantpedia/futures/<symbol lower-case>.csv`;
- `remote`: `https://data.quantpedia.com/backtesting_data/futures/<SYMBOL>.csv`.

Each row becomes a point with `time` = its date + 1 day (the day's price is known after the day), `value` =
back-adjusted price, and the properties `back_adjusted` and `spliced`. The header (and a blank line) gives None.
A malformed line raises `QuantpediaFormatError` saying what is wrong: LEAN and lean_offline catch a reader's
exception, log it with the file and line, drop that line and keep reading, so the good lines around it are kept.
"""

from datetime import datetime

from AlgorithmImports import *

from custom_data.quantpedia_format import (
    QuantpediaSource,
    parse_quantpedia_line,
    resolve_location,
)

_TRANSPORT = {
    QuantpediaSource.LOCAL: SubscriptionTransportMedium.LOCAL_FILE,
    QuantpediaSource.OBJECT_STORE: SubscriptionTransportMedium.OBJECT_STORE,
    QuantpediaSource.REMOTE: SubscriptionTransportMedium.REMOTE_FILE,
}


class QuantpediaFutures(PythonData):
    """One Quantpedia continuous futures series (`back_adjusted` is the value)."""

    source: QuantpediaSource = QuantpediaSource.AUTO

    def get_source(self, config: SubscriptionDataConfig, date: datetime, is_live_mode: bool) -> SubscriptionDataSource:
        location = resolve_location(QuantpediaFutures.source, config.symbol.value, Globals.data_folder)
        return SubscriptionDataSource(location.path, _TRANSPORT[location.medium], FileFormat.CSV)

    # LEAN drops a line whose reader returns None (the header): the stubs type the result as BaseData only.
    def reader(  # type: ignore[override]
        self, config: SubscriptionDataConfig, line: str, date: datetime, is_live_mode: bool
    ) -> BaseData | None:
        row = parse_quantpedia_line(line)
        if row is None:
            return None
        point = QuantpediaFutures()
        point.symbol = config.symbol
        point.time = row.time
        point.value = row.back_adjusted
        point["back_adjusted"] = row.back_adjusted
        point["spliced"] = row.spliced
        return point
