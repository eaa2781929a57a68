# Quick start: `make demo` then `make test`. Both create .venv if it is missing.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Python ≥ 3.12 (Mesa ≥ 3.4 needs it). `.python-version` makes pyenv's python3 resolve to 3.12.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
# Test processes (pytest-xdist). Whole files go to one worker (--dist loadfile), so a module's
# fixtures are computed once; `make test PYTEST_WORKERS=0` runs the suite in this process.
# The lessons that run their own pool on both cores are timed after it, alone (marker `alone`).
PYTEST_WORKERS ?= 2

.PHONY: demo test lint bench clean help app notebooks

help:
	@echo "make demo   - create .venv if missing, install, compare the five designs on Heping Road (10 seeds) into out/demo/"
	@echo "make test   - lint (ruff) and the test suite (pytest), including the statistical pattern tests"
	@echo "make app    - the classroom page on http://127.0.0.1:8765 (Ctrl-C stops) / 课堂交互页面"
	@echo "make notebooks - JupyterLab with the seven lessons in notebooks/ / 课堂笔记本"
	@echo "make bench  - the benchmarks in benchmarks/ (slow; results in benchmarks/RESULTS.md)"
	@echo "make clean  - remove .venv and out/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python >= 3.12 is needed (found " + sys.version.split()[0] + "); install it or run make PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sim compare baseline nanan_131 huli_six_party chongchuan_plus kunming_red_courtyard --community heping_road --seeds 10 --out out/demo --force

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python docs/make_parameters.py --check
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m "not alone"
	$(BIN)/python -m pytest -q -p no:xdist -m alone --durations=3 tests/test_notebooks.py

app: $(STAMP)
	$(BIN)/sim app

notebooks: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_cascade.py
	$(BIN)/python benchmarks/bench_heping.py
	$(BIN)/python benchmarks/bench_scaling.py
	$(BIN)/python benchmarks/bench_sweep.py

clean:
	rm -rf $(VENV) out
