"""`python -m lean_offline backtest ...`"""

import sys

from .cli import main

sys.exit(main())
