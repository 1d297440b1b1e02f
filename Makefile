# Two commands on a fresh machine:
#   make run   set up, create the demo database (var/sop.db) and serve the web pages + scheduler
#   make test  set up and run every check: ruff, mypy, import-linter, pytest (SQLite and PostgreSQL)
# and for the inner loop:
#   make test-fast  pytest without the browser, LibreOffice, PostgreSQL and slow tests (no lint)
PYTHON ?= python3
#: make run PORT=8080 serves on another port
PORT   ?= 8000
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

# pytest runs one worker per core (pytest-xdist) and keeps its bytecode and rewritten asserts even
# where the environment sets PYTHONDONTWRITEBYTECODE: recompiling ~400 modules costs each process ~6 s.
# The tests' temporary folders go to memory (/dev/shm) where there is one with 2 GiB free: no waiting on a busy disk
# for SQLite's fsyncs (pyproject.toml keeps only the folders of failed tests).
TMPFS   = $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$$(df -Pk /dev/shm | awk 'NR==2 {print $$4}')" -gt 2097152 ] && echo /dev/shm)
PYTEST  = PYTHONDONTWRITEBYTECODE= $(if $(TMPFS),TMPDIR=$(TMPFS)) $(BIN)/pytest -n auto
FAST    = not browser and not office and not postgres and not slow

.PHONY: run test test-fast lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sop-engine needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sop init --demo
	@echo "Buka http://localhost:$(PORT)/ dan masuk sebagai sekretaris (atau ketua, kasubag, staf1, staf2,"
	@echo "inspektorat, admin) dengan kata sandi demo-sop-2021. Simulasi satu kasus lengkap di terminal: .venv/bin/sop demo"
	$(BIN)/sop serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(PYTEST)

test-fast: $(STAMP)
	$(PYTEST) -m "$(FAST)"

# `make bench`: sop-engine's figures beside their references (docs/performance.md); BENCH_ARGS=--quick for a smoke run.
.PHONY: bench
bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench $(BENCH_ARGS)

$(VENV)/.bench-installed: $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	@touch $@

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
