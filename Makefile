# jwst-lab: every set-up step, idempotent and incremental (stamps in .make/).
#   make demo   install, build, start JupyterLab on 127.0.0.1:8888
#   make test   install, build, lint, then pytest + jest + Galata, one summary line
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(CURDIR)/$(VENV)/bin/python
STAMPS    := .make
REPORTS   := $(STAMPS)/reports
PYTHON    ?= python3
DEMO_PORT ?= 8888
CHROMIUM_PATH ?= /usr/bin/chromium

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CHROMIUM_PATH

FRONTEND_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json

.PHONY: help install build demo test lint pytest jest galata bench chromium clean

help:
	@echo "make demo    install everything and start JupyterLab with jwst-lab on 127.0.0.1:$(DEMO_PORT)"
	@echo "make test    install everything, lint, run pytest + jest + Galata"
	@echo "make install create .venv and install jwst-lab (editable) with its lab extension"
	@echo "make lint    ruff, mypy, eslint, prettier, stylelint"
	@echo "make bench   performance figures (benchmarks/) and the slow tests"

# --- install ------------------------------------------------------------------

install: $(STAMPS)/develop

$(PY):
	$(PYTHON) -m venv $(VENV)

# Editable install with test extras; the lab extension is built below, by make.
$(STAMPS)/pip: pyproject.toml package.json | $(PY)
	$(PY) -m pip install --quiet "hatchling>=1.5" "hatch-jupyter-builder>=0.9" \
		"hatch-nodejs-version>=0.3.2" editables "jupyterlab>=4.6,<5"
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install --quiet --no-build-isolation -e ".[test]"
	@mkdir -p $(STAMPS) && touch $@

node_modules/.yarn-state.yml: package.json yarn.lock .yarnrc.yml $(STAMPS)/pip
	jlpm install
	@touch $@

ui-tests/node_modules/.yarn-state.yml: ui-tests/package.json ui-tests/yarn.lock $(STAMPS)/pip
	cd ui-tests && jlpm install
	@touch $@

jwst_lab/labextension/package.json: node_modules/.yarn-state.yml $(FRONTEND_SOURCES)
	jlpm build
	@touch $@

build: jwst_lab/labextension/package.json

# Link the built extension into the venv so `jupyter lab` loads it.
$(STAMPS)/develop: jwst_lab/labextension/package.json $(STAMPS)/pip
	jupyter labextension develop --overwrite . >/dev/null
	@touch $@

# --- run ----------------------------------------------------------------------

# Builds (or reuses) the offline demo workspace, then starts JupyterLab on it.
demo: install
	jwst-lab demo --workspace demo-workspace --port $(DEMO_PORT)

# --- checks -------------------------------------------------------------------

lint: $(STAMPS)/pip node_modules/.yarn-state.yml
	ruff format --check jwst_lab tests benchmarks deploy ui-tests/jupyter_server_test_config.py
	ruff check jwst_lab tests benchmarks deploy ui-tests/jupyter_server_test_config.py
	mypy
	jlpm lint:check

chromium:
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the Galata tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is needed for the Galata tests and is not at $(CHROMIUM_PATH)." >&2; \
		echo "Install it with 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH), then run 'make test' again." >&2; \
		exit 1; \
	fi

# ui-tests' node modules hold configurable-http-proxy, for the JupyterHub tests.
pytest: install ui-tests/node_modules/.yarn-state.yml
	@mkdir -p $(REPORTS)
	$(PY) -m pytest -m "not slow" --junitxml=$(REPORTS)/pytest.xml

jest: node_modules/.yarn-state.yml
	@mkdir -p $(REPORTS)
	jlpm test --ci --json --outputFile=$(REPORTS)/jest.json

galata: install chromium ui-tests/node_modules/.yarn-state.yml
	cd ui-tests && jlpm playwright test

# Every runner runs even when one fails, so the summary always adds up all three.
test: install chromium ui-tests/node_modules/.yarn-state.yml lint
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@status=0; \
	$(MAKE) --no-print-directory pytest || status=1; \
	$(MAKE) --no-print-directory jest || status=1; \
	$(MAKE) --no-print-directory galata || status=1; \
	$(PY) .ci/summary.py --pytest $(REPORTS)/pytest.xml --jest $(REPORTS)/jest.json \
		--playwright ui-tests/test-results/results.json || status=1; \
	exit $$status

bench: install
	@for script in benchmarks/bench_*.py; do $(PY) "$$script" || exit 1; done
	$(PY) -m pytest -m slow -q

clean:
	rm -rf $(STAMPS) lib tsconfig.tsbuildinfo jwst_lab/labextension ui-tests/test-results ui-tests/playwright-report
