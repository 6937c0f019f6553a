# Two commands for a fresh machine: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SPECIALISTS ?= 5000
export PORT

.PHONY: run test setup seed serve openapi bench clean

# The virtualenv is rebuilt when pyproject.toml changes (a stamp older than it). `make run`
# installs only what serving needs; `make test` adds the test tools.
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11) on PATH" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
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

# The web app's browser tests drive Debian's Chromium (never a downloaded browser): without it, stop here.
CHROMIUM := /usr/bin/chromium

test: $(VENV)/.installed-test
	@test -x $(CHROMIUM) || { echo "make test: $(CHROMIUM) is missing; the browser tests need it:" \
	  "apt-get update && apt-get install -y chromium  (.ci/run installs it)" >&2; exit 1; }
	scripts/test.sh

openapi: setup
	$(BIN)/secondlook openapi write --format=yaml docs/openapi.yaml

# Long: seeds 1M specialists and runs every engine at 10k, 100k and 1M (docs/performance.md).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/seed_bench.py 1000000
	SECONDLOOK_BENCH_POSTGRES_URL="$$(scripts/postgres.sh ensure)" $(BIN)/python -m bench.match_bench --cases 1000 --naive-cases 1000 300 100

clean:
	-scripts/postgres.sh stop
	rm -rf $(VENV) var
