# Two commands do all the set-up on a fresh machine:
#   make run    installs the explorer in .venv and serves it on http://127.0.0.1:8000
#               (make run WORKERS=4 REDIS_URL=redis://127.0.0.1:6379/0: four workers sharing Redis)
#   make test   installs the test tools in .venv, finds or installs Chromium, redis-server
#               (and curl, for the README's shell session), lints, runs every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1
KEEP_ALIVE ?= 5
REDIS_URL ?=

.PHONY: run test lint format docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed-app
	@if [ "$(WORKERS)" != 1 ] && [ -z "$(REDIS_URL)" ]; then \
		echo "several workers share sessions only through Redis: add REDIS_URL=redis://..." >&2; exit 2; fi
	BPTT_REDIS_URL=$(REDIS_URL) $(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --timeout-keep-alive $(KEEP_ALIVE)

test: $(VENV)/.installed-test
	scripts/ensure-chromium
	scripts/ensure-redis
	scripts/ensure-curl
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist worksteal -m "not wall_clock"  # 2 cores: 2 workers, each its server, Chromium
	$(BIN)/pytest -m wall_clock  # what asserts wall time, on a machine no other test loads

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(VENV)/.installed-app  # the field tables of docs/json.md, from app/api/wire's models
	$(BIN)/python -m app.api.wire.docs

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.engine
	$(BIN)/python bench/replay.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
