# Police Performance Workbooks — the common jobs.
#   make report [MONTH=2016-09] [PERIOD=rolling-12m] [DATA=data/demo] [PROFILE=dir]   the monthly pack → reports/<MONTH>/
#   make test                                                            the whole test suite
#   make data | make lab | make bench | make bench-lab | make lint | make format | make clean
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MONTH ?= 2016-09
PERIOD ?= rolling-12m
DATA ?= data/demo
DEMO_DIR := data/demo
DEMO_STAMP := $(DEMO_DIR)/.complete
JOBS ?=

.PHONY: setup data report test test-unit test-notebooks lab bench bench-lab lint format clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbooks)" >/dev/null
	$(PY) scripts/lab_settings.py
	@touch $(STAMP)

data: $(DEMO_STAMP)

$(DEMO_STAMP): $(STAMP) $(wildcard src/helpers/sources/demo/*.py)
	$(PY) -m helpers.sources.demo --out $(DEMO_DIR)

# The demo extracts are built only when the pack runs on them.
report: $(STAMP) $(if $(filter $(DATA),$(DEMO_DIR) $(DEMO_DIR)/),$(DEMO_STAMP))
	$(PY) -m helpers.pack --month $(MONTH) --period $(PERIOD) --data $(DATA) $(if $(PROFILE),--profile $(PROFILE)) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) $(DEMO_STAMP) lint
	$(PY) -m pytest -n auto --dist loadfile tests
	$(PY) -m pytest -n auto --dist loadfile --nbval-lax --nbval-current-env -p no:cacheprovider notebooks/

test-unit: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile tests/unit tests/golden

# JupyterLab on the notebooks: the kernel installed, the demo extracts built and their cube cached
# (the first "Run All" does not build it), widget state saved with the notebooks (lab_settings).
LAB_ARGS ?=
lab: $(STAMP) $(DEMO_STAMP)
	$(PY) scripts/lab_settings.py
	$(PY) -c "from helpers.pages.page import get_cube; get_cube('$(DEMO_DIR)')"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# The cube engine is measured beside the one of BENCH_BASELINE (a git revision: the last commit
# before the engine switch), run from a temporary worktree.
BENCH_BASELINE ?= e978f37
bench: $(STAMP) $(DEMO_STAMP)
	$(PY) scripts/bench.py --baseline-rev $(BENCH_BASELINE)

# What an analyst waits for in JupyterLab: drop-down change → last chart painted, in headless
# Chromium (scripts/bench_lab.py; FRESH=1: new demo data, no chart drawn before). Shared machines:
# run it under the shared lock (flock /tmp/ppw-tests.lock make bench-lab).
bench-lab: $(STAMP) $(DEMO_STAMP)
	$(PY) scripts/lab_settings.py
	$(PY) scripts/bench_lab.py $(if $(FRESH),--fresh-data)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts notebooks
	$(VENV)/bin/ruff format --check src tests scripts

format: $(STAMP)
	$(VENV)/bin/ruff format src tests scripts
	$(VENV)/bin/ruff check --fix src tests scripts notebooks

clean:
	rm -rf reports $(DEMO_DIR) .pytest_cache .cache
