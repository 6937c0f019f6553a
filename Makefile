# Two commands for a fresh machine: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SPECIALISTS ?= 5000
OPENSEARCH_PORT ?= 9200
OPENSEARCH_URL ?= http://127.0.0.1:$(OPENSEARCH_PORT)
SEARCHNODE := searchnode/target/searchnode.jar
export PORT OPENSEARCH_PORT OPENSEARCH_URL

.PHONY: run test lint setup seed serve openapi bench clean searchnode opensearch opensearch-stop

# `make run` installs only what serving needs; `make test` adds the test tools.
NATIVE := setup.py $(wildcard search/backends/native/*.c search/backends/native/*.h) search/backends/native/build.py

# The virtualenv is rebuilt when pyproject.toml changes (a stamp older than it), and the native scan
# (search/backends/native/, compiled by cffi at install) when its sources do.
$(VENV)/.installed: pyproject.toml $(NATIVE)
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

# With SEARCH_BACKEND=elasticsearch or opensearch the index is built before serving (on the node
# `make opensearch` started unless OPENSEARCH_URL says otherwise).
run: seed
	@$(BIN)/secondlook demo-accounts
	@case "$$SEARCH_BACKEND" in elasticsearch|opensearch) $(BIN)/secondlook reindex ;; esac
	@echo "Starting http://127.0.0.1:$(PORT): the server loads the catalogues and builds the search index first, with progress below; it answers from \"Listening at\" on  (API docs: /openapi.json)"
	exec $(BIN)/gunicorn --config gunicorn.conf.py 'api.app:create_app()'

# The search-cluster tests start real OpenSearch nodes from the launcher built here; the web app's
# browser tests drive Debian's Chromium (never a downloaded browser): without it, stop here.
CHROMIUM := /usr/bin/chromium

test: $(VENV)/.installed-test $(SEARCHNODE)
	@test -x $(CHROMIUM) || { echo "make test: $(CHROMIUM) is missing; the browser tests need it:" \
	  "apt-get update && apt-get install -y chromium  (.ci/run installs it)" >&2; exit 1; }
	scripts/test.sh

# The OpenSearch launcher (searchnode/): Maven Central artifacts only, rebuilt when its sources change.
$(SEARCHNODE): searchnode/pom.xml $(wildcard searchnode/src/main/java/org/secondlook/searchnode/*.java) \
		$(wildcard searchnode/src/main/resources/*)
	@command -v java >/dev/null || { echo "need java (JDK 17) on PATH to build searchnode/" >&2; exit 1; }
	@command -v mvn >/dev/null || { echo "need mvn (Maven 3) on PATH to build searchnode/" >&2; exit 1; }
	mvn -q -f searchnode/pom.xml package
	touch $@

searchnode: $(SEARCHNODE)

# One OpenSearch node on 127.0.0.1:$(OPENSEARCH_PORT), data in var/opensearch/; returns when it answers.
opensearch: $(SEARCHNODE)
	searchnode/node.sh start

opensearch-stop:
	searchnode/node.sh stop
# Checked style: ruff's lint rules and its formatter, and mypy (configured in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

openapi: setup
	$(BIN)/secondlook openapi write --format=yaml docs/openapi.yaml

# Long: seeds 1M specialists and runs every engine at 10k, 100k and 1M (docs/performance.md).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/seed_bench.py 1000000
	SECONDLOOK_BENCH_POSTGRES_URL="$$(scripts/postgres.sh ensure)" $(BIN)/python -m bench.match_bench --cases 1000 --naive-cases 1000 300 100

clean:
	-scripts/postgres.sh stop
	-searchnode/node.sh stop
	rm -rf $(VENV) var searchnode/target
