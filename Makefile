# OpsDesk: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Chart.js comes from the npm registry (package-lock.json) and is served from our static files.
CHARTJS := static/vendor/chartjs/chart.umd.js

.PHONY: install run test bench lint format messages clean

install: $(VENV)/.installed $(CHARTJS)

$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(CHARTJS): node_modules/.installed
	mkdir -p $(@D)
	cp node_modules/chart.js/dist/chart.umd.js node_modules/chart.js/dist/chart.umd.js.map $(@D)/

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

bench: install
	bash scripts/bench.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py compile_translations

clean:
	rm -rf $(VENV) var .pytest_cache node_modules static/vendor
