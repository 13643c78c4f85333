# Two commands on a fresh machine: `make run` and `make test` (see README.md).
# pip uses whatever index the machine's pip configuration names; nothing is hardcoded here.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Rebuilt when the lock or pyproject.toml changes, so repeated runs skip pip entirely.
STAMP  := $(VENV)/.installed
PO     := $(wildcard web/translations/*/LC_MESSAGES/*.po)
MO     := $(PO:.po=.mo)

# The locks: every package's exact version and the SHA-256 of each of its files on the index
# (every platform's wheel and the sdist, so one lock serves x86_64 and aarch64 alike). dev.txt is
# what `make run`, `make test` and CI install; runtime.txt, the same versions without the test
# tools, is what the Dockerfile installs. Both are written by `make lock`, never by hand.
LOCK_DEV     := requirements/dev.txt
LOCK_RUNTIME := requirements/runtime.txt
# uv resolves against PyPI, or the index UV_DEFAULT_INDEX names (it does not read pip's configuration).
# Pass LOCK_FLAGS=--upgrade to move every pin to the newest release pyproject.toml allows;
# without it, `make lock` keeps the current pins and only resolves what pyproject.toml changed.
LOCK_FLAGS ?=
# The build backend (pyproject's [build-system] requires) is locked too: the project itself is
# installed without build isolation, so nothing unpinned is fetched to build it.
BUILD_REQUIRES = $(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
             --custom-compile-command 'make lock' $(LOCK_FLAGS)

.PHONY: install run test clean bench lock

install: $(STAMP) $(MO)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# --require-hashes: a file whose hash is not in the lock, or a dependency missing from it, stops
# the install. `pip check` then fails when pyproject.toml asks for what the lock lacks (run
# `make lock`).
$(STAMP): $(LOCK_DEV) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --require-hashes -r $(LOCK_DEV)
	$(BIN)/python -m pip install --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

# Refreshes both locks from pyproject.toml. The tools come from the current lock (uv is a dev
# dependency), so this works after pyproject.toml gained a dependency the lock lacks.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - --extra dev -o $(LOCK_DEV)
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - --constraint $(LOCK_DEV) -o $(LOCK_RUNTIME)

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
