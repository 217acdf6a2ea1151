"""The offline engine's data layer: market data objects, symbols, exchange hours, symbol properties,
interest rates, corporate factors and streaming readers of LEAN-format data files."""
