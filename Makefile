# mg-platform: `make run` sets everything up and materialises the study; `make test` runs the test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export MG_DATA_DIR ?= $(CURDIR)/data

.PHONY: install system-packages run test test-e2e ui bench lint clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/python -c "from mg_platform.analysis.network.kernels import compile_all; compile_all()"  # numba cache
	touch $@

install: $(VENV)/.installed system-packages

# Docking needs AutoDock 4.2.6 (autodock4, autogrid4) and PyMOL (headless pictures) from Debian: installed when missing.
DEBIAN_TOOLS := autodock:autodock4 autogrid:autogrid4 pymol:pymol
system-packages:
	@missing=""; for pair in $(DEBIAN_TOOLS); do command -v $${pair#*:} >/dev/null 2>&1 || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "WARNING: could not install$$missing (needs root and apt-get); the ad4 engine and the pose pictures need them"; \
	fi

run: install
	$(BIN)/mg-platform demo-data --if-empty
	$(BIN)/mg-platform materialize

test: install
	$(BIN)/python -m pytest -q -m "not e2e"

# Long end-to-end tests (whole-pipeline runs, hostile-file volumes, clusters): CI runs them after `make test`.
test-e2e: install
	$(BIN)/python -m pytest -q -m e2e; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]  # 5 = none selected

# outputs/report.pdf from outputs/report.html (run `make run` first), printed by headless Chromium.
.PHONY: report-pdf
report-pdf: install
	$(BIN)/python -m mg_platform.report_pdf --pdf

ui: install
	DAGSTER_HOME=$$($(BIN)/mg-platform dagster-home) $(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

bench: install
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check mg_platform tests benchmarks
	$(BIN)/ruff format --check mg_platform tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
