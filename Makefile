# python.org, rebuilt. `make run` and `make test` are the two commands; `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
export UV_PYTHON_DOWNLOADS := never
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

.PHONY: install
install: uv ## Install both workspace members (api/, site-builder/) and the tools into .venv (from uv.lock)
	@# --all-packages: the worker runs `python -m sitebuilder.build`, so both members are installed.
	@$(UV) sync --frozen --all-packages --quiet --compile-bytecode
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error; fi

.PHONY: run
run: install ## Start PostgreSQL, Redis, migrations, demo data, the API and a worker
	@$(RUN) pydotorg dev up
	@$(RUN) pydotorg migrate
	@$(RUN) pydotorg seed --demo
	@$(RUN) pydotorg dev run --host $(HOST) --port $(PORT)

.PHONY: test
test: install ## Run everything CI runs: lint, OpenAPI drift, the test suite
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory audit
	@$(RUN) pydotorg openapi --check
	@$(RUN) python tools/generate_client.py --check
	@$(RUN) pytest -q

.PHONY: lint
lint: install ## ruff (lint + format check), mypy and the import contracts (docs/architecture.md)
	@$(RUN) ruff check api site-builder clients tests migrations tools
	@$(RUN) ruff format --check api site-builder clients tests migrations tools
	@$(RUN) mypy
	@$(RUN) lint-imports --no-cache

.PHONY: audit
audit: install ## pip-audit over uv.lock (fails on known vulnerabilities not in tools/audit-allowlist.toml)
	@mkdir -p .state
	@$(UV) export --frozen --quiet --format requirements-txt --all-packages --no-emit-workspace --all-groups --output-file .state/audit-requirements.txt
	@$(RUN) python tools/audit_deps.py .state/audit-requirements.txt

.PHONY: format
format: install ## Apply ruff's fixes and formatting
	@$(RUN) ruff check --fix api site-builder clients tests migrations tools
	@$(RUN) ruff format api site-builder clients tests migrations tools

.PHONY: openapi
openapi: install ## Write openapi/openapi.json from the app, then regenerate the Python client from it
	@$(RUN) pydotorg openapi
	@$(RUN) python tools/generate_client.py

.PHONY: migrate
migrate: install ## Apply migrations to the configured (or embedded) database
	@$(RUN) pydotorg dev up >/dev/null
	@$(RUN) pydotorg migrate

.PHONY: down
down: install ## Stop the embedded PostgreSQL and Redis
	@$(RUN) pydotorg dev down

.PHONY: bench
bench: install ## Import the full downloads fixture and load the read endpoints with wrk
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk))
	@$(RUN) python -m pydotorg.dev.benchmark

.PHONY: site-publish
site-publish: uv ## Full site build from PYDOTORG_SITE_API_URL, published through PYDOTORG_SITE_ORIGIN, then the `site` key purged (CI: .github/workflows/site.yml)
	@test -n "$$PYDOTORG_SITE_API_URL" || (echo "error: PYDOTORG_SITE_API_URL is not set (the API the build reads)" >&2; exit 2)
	@$(RUN) python -m sitebuilder.build --api "$$PYDOTORG_SITE_API_URL" --out "$${PYDOTORG_SITE_ORIGIN_DIR:-.state/site}" --full --purge-site
