"""lean_offline: run LEAN Python algorithms in-process, with LEAN's semantics and LEAN's result files."""

from typing import Any

from . import compiled_modules

compiled_modules.install()

__version__ = "0.1.0"
__all__ = ["backtest", "BacktestResult"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import lean_offline.enums` does not pull in the whole engine.
    if name in ("backtest", "BacktestResult"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
