"""`python -m tools.nyse_calendar_table`: regenerate `lean_offline/data/nyse_calendar_table.py`, the NYSE holidays,
early closes and late opens 1990-2040 from the installed exchange_calendars (run it after upgrading that package)."""

from pathlib import Path

from lean_offline.data.market_hours import render_xnys_table

TABLE = Path(__file__).resolve().parents[1] / "lean_offline" / "data" / "nyse_calendar_table.py"

if __name__ == "__main__":
    TABLE.write_text(render_xnys_table(1990, 2040), encoding="utf-8")
    print(f"wrote {TABLE}")
