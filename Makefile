# Two commands for a newcomer: `make run` and `make test`. Every install uses constraints.txt (CPU torch).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INDEX_DIR ?= data/index
CATALOG ?= data/catalog/flipkart-20k.csv
MAPPING ?= data/catalog/flipkart.mapping.json
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

# The second demo shop: a UK gift wholesaler's real purchase log (data/retail/SOURCE.md); its own index and state.
RETAIL_LOG ?= ../shared/data/online-retail/online_retail.csv.gz
RETAIL_INDEX ?= data/retail-index
RETAIL_STATE ?= data/retail-state
RETAIL_ENV = SHOPMATE_INDEX_DIR=$(RETAIL_INDEX) SHOPMATE_DATA_DIR=$(RETAIL_STATE) \
	SHOPMATE_CATALOG=data/retail/products.csv SHOPMATE_MAPPING=data/retail/retail.mapping.json \
	SHOPMATE_RETENTION_DAYS=400 SHOPMATE_POPULARITY_HALF_LIFE_DAYS=14 \
	SHOPMATE_BLEND_WEIGHTS=data/retail/blend_weights.json

.PHONY: install models run test lint postgres screenshots index bench bench-quick bench-replicas stress clean browser run-retail retail-index retail-import

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-runs only when the dependency list or the pins change.
$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP) models

# The ONNX encoders (fp32 and int8), exported from the bundled model into ~/.cache/shopmate/models (or
# $SHOPMATE_MODEL_CACHE) once; nothing is downloaded. Serving exports lazily too if this was skipped.
models: $(STAMP)
	$(PY) -m index.encoders

$(INDEX_DIR)/CURRENT: | $(STAMP) models
	@echo "Building the index of the bundled catalog (first time: about 3 minutes on 2 cores)..."
	$(PY) scripts/rebuild_index.py --catalog $(CATALOG) --mapping $(MAPPING) --index-dir $(INDEX_DIR)

index: $(STAMP) models
	$(PY) scripts/rebuild_index.py --catalog $(CATALOG) --mapping $(MAPPING) --index-dir $(INDEX_DIR)

run: $(STAMP) $(INDEX_DIR)/CURRENT
	SHOPMATE_INDEX_DIR=$(INDEX_DIR) SHOPMATE_CATALOG=$(CATALOG) SHOPMATE_MAPPING=$(MAPPING) $(PY) -m assistant

$(RETAIL_INDEX)/CURRENT: | $(STAMP)
	@echo "Building the retail shop's index (3,791 products, about a minute on 2 idle cores)..."
	$(RETAIL_ENV) $(PY) scripts/rebuild_index.py --catalog data/retail/products.csv \
		--mapping data/retail/retail.mapping.json --index-dir $(RETAIL_INDEX)

retail-index: $(STAMP)
	$(RETAIL_ENV) $(PY) scripts/rebuild_index.py --catalog data/retail/products.csv \
		--mapping data/retail/retail.mapping.json --index-dir $(RETAIL_INDEX)

# Replays the log's purchases as shopper events (idempotent: a re-run imports 0), then clusters segments.
$(RETAIL_STATE)/import_shift.json: | $(RETAIL_INDEX)/CURRENT
	$(RETAIL_ENV) $(PY) scripts/import_events.py --log $(RETAIL_LOG)
	$(RETAIL_ENV) $(PY) scripts/refresh_segments.py

retail-import: $(RETAIL_INDEX)/CURRENT
	$(RETAIL_ENV) $(PY) scripts/import_events.py --log $(RETAIL_LOG)
	$(RETAIL_ENV) $(PY) scripts/refresh_segments.py

run-retail: $(STAMP) $(RETAIL_INDEX)/CURRENT $(RETAIL_STATE)/import_shift.json
	$(RETAIL_ENV) $(PY) -m assistant

# The browser tests drive Debian's chromium (browsers cannot be downloaded by playwright here).
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# Lint, format check and type check (mypy's packages are set in pyproject.toml), then the tests.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The store's tests start a throwaway PostgreSQL from the server binaries (Debian's postgresql package).
postgres:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y postgresql)

test: lint browser postgres
	$(PY) -m pytest

# Tests write their screenshots into build/screenshots; this rewrites the tracked ones in docs/screenshots
# (commit them when the look changed on purpose).
screenshots: $(STAMP) browser
	SHOPMATE_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q \
		tests/web/test_accessibility_and_screenshots.py::test_screenshots_of_the_demo_page

# Every benchmark and evaluation in one run -> bench/results.json, bench/REPORT.md (builds data/index if missing).
bench: $(STAMP) $(INDEX_DIR)/CURRENT
	$(PY) scripts/bench.py --index-dir $(INDEX_DIR) --catalog $(CATALOG) --mapping $(MAPPING) $(BENCH_ARGS)

# The same on small samples (about a minute; indexes its own 1,000-product sample) -> bench/quick/.
bench-quick: $(STAMP)
	$(PY) scripts/bench.py --quick --catalog $(CATALOG) --mapping $(MAPPING) $(BENCH_ARGS)

# Only the replicas part: SQLite 1 process, PostgreSQL 1 and 2 replicas, on the tiny catalog (a few minutes).
bench-replicas: $(STAMP) postgres
	$(PY) scripts/bench_replicas.py $(BENCH_ARGS)

# Hostile-client run against a real server: 10,000 fuzzed chat frames, compressed 16 MiB frames, a burst of
# 300 searches, 5 reloads, schemathesis with all checks -> bench/stress.json (uses data/index if built).
stress: $(STAMP)
	$(PY) scripts/stress.py --index-dir $(INDEX_DIR) --catalog $(CATALOG) --mapping $(MAPPING) $(STRESS_ARGS)

clean:
	rm -rf $(VENV) $(INDEX_DIR) data/state bench/tmp bench/quick build $(RETAIL_INDEX) $(RETAIL_STATE)
