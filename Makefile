# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SUB    ?= alice
GROUPS ?=
export PYTHONPATH := $(CURDIR)

include infra/infra.mk

.PHONY: run test fuzz setup token bench clean help outbox distribute lint unit
.DEFAULT_GOAL := help

help:
	@echo "make run    - set up and serve the local stack with demo data (PORT, DATA_DIR, SEED=0), the web client on WEB_PORT (8080)"
	@echo "make test   - set up, check the code (make lint) and run the whole test suite, browser journeys included"
	@echo "make lint   - ruff, mypy and the layer contracts (import-linter)"
	@echo "make unit   - the unit tier alone (no local stack), each property test on a tenth of its examples"
	@echo "make token SUB=alice GROUPS=admin - print a local sign-in token"
	@echo "make bench  - run the benchmarks and rewrite BENCHMARKS.md"
	@echo "make fuzz   - schemathesis against the local stack, longer than in make test (FUZZ_EXAMPLES)"
	@echo "make outbox [TO=address-or-phone] [Q=text] - emails and SMS the local stack has sent"
	@echo "make distribute PERIOD=YYYY-MM - run the royalty distribution of a period on the local stack"
	@echo "make synth  - synthesize the CloudFormation of infra/ (dev, prod); make deploy STAGE=dev"
	@echo "make close-campaigns - close campaigns past their deadline now, on the running local stack"
	@echo "make reconcile - settle pledges still waiting for Stripe after 15 minutes, on the running local stack"
	@echo "make announce-statements - in January, tell co-producers credited last year their yearly statement is ready"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# A partial extraction leaves DynamoDB Local without some of its libraries: check, and install once more.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) -m devstack.dynamodb_check || (rm -rf node_modules && npm ci --no-audit --no-fund --loglevel=error \
		&& $(PYTHON) -m devstack.dynamodb_check)
	touch $@

# The web client (web/): its npm packages, and Debian's Chromium for its browser tests.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: chromium web web-test
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The API's types from its OpenAPI document, type-checked, then built into web/dist.
web: $(VENV)/.installed web/node_modules/.installed
	cd web && PYTHON=$(abspath $(PY)) npm run --silent build

web-test: web
	cd web && npx vitest run

setup: $(VENV)/.installed node_modules/.installed web/node_modules/.installed chromium

run: setup web
	$(PY) -m devstack.run

test: setup $(INFRA_SETUP) lint web-test
	$(PY) -m pytest $(PYTEST_ARGS)

# pyproject.toml: ruff (pyflakes, pycodestyle, bugbear, complexity), mypy (strict on the domain)
# and the layers (import-linter: a pure domain, routes -> services -> adapters, no service cycle).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

unit: $(VENV)/.installed
	UNIT_QUICK=1 $(PY) -m pytest -q -p no:cacheprovider tests/unit

fuzz: setup
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} $(PY) -m pytest -s tests/e2e/test_fuzz.py

token: setup
	@$(PY) -m devstack.token --sub "$(SUB)" --groups "$(GROUPS)"

clean: infra-clean
	rm -rf $(VENV) node_modules .pytest_cache .chalice/deployments web/node_modules web/dist

# Every bench/bench_*.py, each rewriting its own section of BENCHMARKS.md, all stamped with one
# run id; then the targets' table, read from this run's figures only. The profiles (BENCH_PROFILE=1,
# the default here) are runs of their own, outside the timed ones.
bench: setup
	@set -e; export BENCH_RUN="$$(date -u +%Y-%m-%dT%H:%MZ) at $$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"; \
	export BENCH_PROFILE="$${BENCH_PROFILE:-1}"; \
	for module in $(basename $(notdir $(wildcard bench/bench_*.py))); do \
		echo "== $$module"; $(PY) -m bench.$$module; done; \
	echo "== summary"; $(PY) -m bench.summary

.PHONY: close-campaigns
close-campaigns: setup
	$(PY) -m devstack.close_campaigns

.PHONY: reconcile
reconcile: setup
	$(PY) -m devstack.reconcile

.PHONY: announce-statements
announce-statements: setup
	$(PY) -m devstack.announce_statements

outbox: setup
	@$(PY) -m devstack.outbox $(if $(TO),--to "$(TO)") $(if $(Q),--q "$(Q)")

distribute: setup
	@test -n "$(PERIOD)" || (echo "usage: make distribute PERIOD=YYYY-MM" >&2; exit 2)
	$(PY) -m devstack.distribute --period "$(PERIOD)"
