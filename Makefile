# The two commands: `make demo` and `make test`. Both build the environment they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_SEED ?= 7

.PHONY: venv lint typecheck pytest test test-compiled demo demo-data compile bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required (LEAN runs 3.11), found {sys.version.split()[0]}: set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .

typecheck: venv
	$(PY) -m tools.typecheck

pytest: venv
	$(PY) -m pytest -q

test: lint typecheck pytest

demo-data: venv
	$(PY) -m tools.demo_data --output data --seed $(DEMO_SEED)

demo: demo-data
	$(PY) -m tools.run_demo --data-folder data --report reports/summary.md

# The engine's modules built with Cython (lean_offline/_compiled/, used only for the source they were built from).
compile: venv
	$(PY) -m lean_offline compile

# The suite against the compiled engine (CI's clean clone tests the source; run this after changing the engine).
test-compiled: compile
	$(PY) -m pytest -q

# Without Cython or a C compiler the benchmarks run the source (bench_engine.py prints which modules were compiled).
bench: venv
	-$(PY) -m lean_offline compile
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_data_read.py
	$(PY) benchmarks/bench_rolling_window.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache data reports lean_offline/_compiled
