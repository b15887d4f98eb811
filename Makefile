# The two commands of the README are `make run` and `make test`; the rest is for developers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=
BENCHES ?= bench.pcsc_roundtrip bench.crypto_decision bench.emrtd_read bench.piv_tap_apdus bench.verify_api bench.ingest bench.report bench.tap_pcsc

.PHONY: help run test lint format bench migrate system-packages pcscd postgres clean

help:
	@echo "make run     start the platform on SQLite with demo data (http://127.0.0.1:8000)"
	@echo "make test    install everything the suite needs and run it"
	@echo "make lint    ruff, mypy and the import contracts"
	@echo "make bench   run the benchmarks (figures go in docs/performance.md)"
	@echo "make migrate bring the configured database to the current schema"

$(INSTALLED): pyproject.toml constraints.txt
	@./scripts/install-system-packages.sh run
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# pip's warnings (pyscard compiles from source) go to a log shown only on failure.
	@echo "installing Python packages into $(VENV) (log: $(VENV)/pip-install.log)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip \
		>$(VENV)/pip-install.log 2>&1 || { cat $(VENV)/pip-install.log; exit 1; }
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' \
		>>$(VENV)/pip-install.log 2>&1 || { cat $(VENV)/pip-install.log; exit 1; }
	@touch $@

run: $(INSTALLED)
	@$(BIN)/card-service migrate
	@$(BIN)/card-service demo-seed
	@echo "admin console: http://127.0.0.1:8000/admin/   API: http://127.0.0.1:8000/docs   (Ctrl-C stops)"
	@$(BIN)/card-service serve

system-packages:
	@./scripts/install-system-packages.sh test

pcscd: $(INSTALLED) system-packages
	@./scripts/start-pcscd.sh $(BIN)/python

postgres: $(INSTALLED)
	@./scripts/start-postgres.sh $(BIN)/python

test: $(INSTALLED) system-packages pcscd postgres
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy card_service reader_agent crypto reader_protocol admin_ui tests bench migrations
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(INSTALLED) system-packages pcscd postgres
	@for bench in $(BENCHES); do $(BIN)/python -m $$bench || exit 1; done

migrate: $(INSTALLED)
	$(BIN)/card-service migrate

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
