# Two commands do all set-up on a machine with only Python >= 3.11:
#   make run    install into .venv if needed, then start the TUI (demo data on first run)
#   make test   install into .venv if needed, then run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots clean

$(STAMP): pyproject.toml tests/interop/package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# The JavaScript ical.js reader for the .ics interoperability tests (node ships here).
	@if command -v npm >/dev/null; then cd tests/interop && npm ci --no-audit --no-fund --silent; fi
	@# PostgreSQL for the store's contract tests: the suite runs its own throw-away cluster with
	@# initdb, so only Debian's server binaries are needed. No main cluster is made or started.
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "The tests need PostgreSQL's server: install Debian's postgresql package (apt-get install postgresql) as root, then run make again." >&2; exit 1; fi; \
	  $$SUDO mkdir -p /etc/postgresql-common/createcluster.d && \
	  echo 'create_main_cluster = false' | $$SUDO tee /etc/postgresql-common/createcluster.d/nurture-tests.conf >/dev/null && \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	fi
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/nurture demo --if-empty
	$(BIN)/nurture

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks integrations
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/bench_sync.py

screenshots: $(STAMP)
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
