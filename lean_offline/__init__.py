"""lean_offline: run LEAN Python algorithms in-process, with LEAN's semantics and LEAN's result files."""

__version__ = "0.1.0"
