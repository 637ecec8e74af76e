# aigen — the two commands a newcomer needs:
#   make render   set up, validate the example specs and render generated/
#   make test     set up (virtualenv, packages, promtool/amtool) and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup tools render check lint test bench clean style typecheck

help:
	@echo "make render  - set up, validate specs, render generated/"
	@echo "make test    - set up (incl. promtool) and run the test suite"
	@echo "make check   - generated/ in step with specs (aigen render --check)"
	@echo "make bench   - benchmarks (bench/); fleet sizes with FLEET=10,100,1000"
	@echo "make style   - ruff (rules in pyproject.toml)"
	@echo "make typecheck - mypy with the pydantic plugin (settings in pyproject.toml)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(STAMP)

# promtool (Debian package prometheus) and amtool (prometheus-alertmanager) are real tools the tests call.
tools:
	@if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then \
	  echo "installing promtool and amtool (Debian packages prometheus, prometheus-alertmanager)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null; \
	fi
	@promtool --version | head -1

render: $(STAMP)
	$(BIN)/aigen validate
	$(BIN)/aigen render

check: $(STAMP)
	$(BIN)/aigen render --check

# The whole chain a CI job runs: code style and types, specs valid, generated/ in step, lint clean, every alert
# proven by promtool, then the test suite.
test: $(STAMP) tools style typecheck
	@# byte-compile once: where PYTHONDONTWRITEBYTECODE is set, every aigen process of the suite would recompile
	$(BIN)/python -m compileall -q aigen
	$(BIN)/aigen validate
	$(BIN)/aigen render --check
	$(BIN)/aigen lint
	$(BIN)/aigen test
	$(BIN)/python -m pytest -q -n auto -m 'not soak'
	$(BIN)/python -m pytest -q -p no:xdist -m soak

# ruff and mypy, configured in pyproject.toml; both run first in `make test`.
style: $(STAMP)
	$(BIN)/ruff check aigen tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# FLEET: model counts of the fleet benchmark (bench/fleet_bench.py), e.g. make bench FLEET=10,100,1000
FLEET ?= 10,100
bench: $(STAMP) tools
	FLEET=$(FLEET) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
