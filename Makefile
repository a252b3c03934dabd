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

.PHONY: install models run test index bench bench-quick clean browser

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

# The browser tests drive Debian's chromium (browsers cannot be downloaded by playwright here).
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

test: $(STAMP) browser
	$(PY) -m pytest

# Every benchmark and evaluation in one run -> bench/results.json, bench/REPORT.md (builds data/index if missing).
bench: $(STAMP) $(INDEX_DIR)/CURRENT
	$(PY) scripts/bench.py --index-dir $(INDEX_DIR) --catalog $(CATALOG) --mapping $(MAPPING) $(BENCH_ARGS)

# The same on small samples (about a minute; indexes its own 1,000-product sample) -> bench/quick/.
bench-quick: $(STAMP)
	$(PY) scripts/bench.py --quick --catalog $(CATALOG) --mapping $(MAPPING) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(INDEX_DIR) data/state bench/tmp bench/quick
