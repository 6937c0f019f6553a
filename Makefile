# Two commands for a fresh machine: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SPECIALISTS ?= 5000
export PORT

.PHONY: run test setup seed serve openapi bench clean

# The virtualenv is rebuilt when pyproject.toml changes (the stamp is newer than it otherwise).
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11) on PATH" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

setup: $(VENV)/.installed

seed: setup
	$(BIN)/secondlook db-upgrade
	$(BIN)/secondlook seed --specialists $(SPECIALISTS)
	$(BIN)/secondlook coverage-rules
	$(BIN)/secondlook generate-slots --days 28

run: seed
	@$(BIN)/secondlook demo-accounts
	@echo "Serving on http://127.0.0.1:$(PORT)  (API docs: http://127.0.0.1:$(PORT)/openapi.json)"
	exec $(BIN)/gunicorn --config gunicorn.conf.py 'api:create_app()'

test: setup
	scripts/test.sh

openapi: setup
	$(BIN)/secondlook openapi write --format=yaml docs/openapi.yaml

bench: setup
	$(BIN)/python bench/seed_bench.py
	$(BIN)/python bench/match_bench.py

clean:
	-scripts/postgres.sh stop
	rm -rf $(VENV) var
