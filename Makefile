# Master IA: `make up` runs the platform locally, `make test` runs every test tier.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := .venv/bin/python
# Tests and benchmarks get engines of their own, so they never touch the stack `make up` runs.
TEST_ENV := MASTERIA_REQUIRE_INFRA=1 MASTERIA_VAR_DIR=$(CURDIR)/var/test MASTERIA_PG_PORT=55433 MASTERIA_NATS_PORT=14223 \
	MASTERIA_NATS_MONITOR_PORT=18223 MASTERIA_REDIS_PORT=16380
BENCH_ENV := MASTERIA_VAR_DIR=$(CURDIR)/var/bench MASTERIA_PG_PORT=55434 MASTERIA_NATS_PORT=14224 \
	MASTERIA_NATS_MONITOR_PORT=18224 MASTERIA_REDIS_PORT=16381
SRC_DIRS := $(wildcard libs/*/src) $(wildcard services/*/src) sandbox/src tests/e2e/src
WEB := services/gateway/web
# redis-server for the engines; chromium (driven by Playwright, never downloaded) and an emoji font
# for the browser tests and their screenshots.
DEBIAN_PACKAGES := redis-server chromium fonts-noto-color-emoji

.PHONY: help deps system-deps python-deps web-deps web api-client up down logs test lint unit integration e2e bench schemas fmt clean

help:
	@echo "make up      install what is missing and run the whole platform with a demo tenant"
	@echo "make down    stop the platform and its engines"
	@echo "make logs    follow the merged service logs"
	@echo "make test    lint, type checks, unit, integration and end-to-end tests"
	@echo "make bench   benchmarks (figures printed and written to bench/results/)"

deps: system-deps python-deps web-deps

system-deps:
	@missing=""; for pkg in $(DEBIAN_PACKAGES); do \
		dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "==> installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

python-deps:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

# npm packages come from the committed lockfile; reinstalled only when the lockfile changed.
web-deps:
	@cd $(WEB) && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }

web: web-deps
	@cd $(WEB) && npm run --silent build

# The dashboard's API client is generated from the public OpenAPI document, never written by hand.
api-client: python-deps web-deps
	$(PY) tools/export_openapi.py
	cd $(WEB) && npm run --silent generate:api

up: deps web
	@$(PY) -m masteria.devstack stack up

down:
	@$(PY) -m masteria.devstack stack down

logs:
	@tail -n 100 -F var/log/stack.log

lint: python-deps web-deps
	$(PY) -m ruff check .
	$(PY) -m mypy $(SRC_DIRS) tools
	$(PY) tools/check_imports.py
	$(PY) -m masteria.contracts.schemas check
	$(PY) tools/export_openapi.py --check
	cd $(WEB) && npm run --silent check:api

schemas: python-deps
	$(PY) -m masteria.contracts.schemas export

fmt: python-deps
	$(PY) -m ruff check --fix .

unit: python-deps web-deps
	$(PY) -m pytest -q -m "not integration and not e2e" libs services sandbox tools
	cd $(WEB) && npm test --silent

integration: deps
	$(TEST_ENV) $(PY) -m masteria.devstack infra up
	$(TEST_ENV) $(PY) -m pytest -q -m integration libs services sandbox

e2e: deps web
	$(TEST_ENV) $(PY) -m masteria.devstack infra up
	$(TEST_ENV) $(PY) -m pytest -q tests/e2e

test: deps lint unit integration e2e

bench: deps web
	$(BENCH_ENV) $(PY) -m masteria.devstack infra up
	$(BENCH_ENV) $(PY) bench/run.py

clean: down
	rm -rf var
