"""custom_data: PythonData readers and fee models for LEAN.

`quantpedia_format` is pure Python (tests and research import it); `quantpedia_futures` (QuantpediaFutures) and
`fee_models` (NotionalFeeModel) import AlgorithmImports and run inside LEAN or lean_offline. Import the modules,
not this package, so that importing the pure part never needs LEAN.
"""
