# Two commands on a fresh machine: `make run` and `make test` (see README.md).
# pip uses whatever index the machine's pip configuration names; nothing is hardcoded here.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Rebuilt when pyproject.toml changes, so repeated runs skip pip entirely.
STAMP  := $(VENV)/.installed
PO     := $(wildcard web/translations/*/LC_MESSAGES/*.po)
MO     := $(PO:.po=.mo)

.PHONY: install run test clean bench

install: $(STAMP) $(MO)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

# Catalogs are compiled, not committed (.mo is ignored by git).
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

run: install
	$(BIN)/python -m devstack

test: install
	$(BIN)/pytest

# Figures, not tests (issue 3): prints a table and writes var/bench.json. See README, Benchmarks.
bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find web/translations -name '*.mo' -delete
	@echo "var/ (your local data) is kept; remove it yourself to start from scratch."
