# The two commands a fresh clone needs:  make synth   and   make test
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK8S_CHECK_UPGRADE := false

.PHONY: synth check test lint deps tools bench clean docs

synth: deps ## write dist/ from services.yaml
	$(VENV)/bin/opsgen synth

check: deps ## exit 1 when dist/ is stale
	$(VENV)/bin/opsgen check

test: deps tools lint ## lint and types, the whole suite, then dist/ and the helmfile stack against services.yaml (CI runs exactly this)
	$(VENV)/bin/python -m pytest -q
	$(VENV)/bin/opsgen check --stack

deps: $(VENV)/.installed node_modules/.installed

# The pinned test tools, then opsgen itself: its pyproject ranges resolve to the runtime pins.
$(VENV)/.installed: constraints.txt requirements-test.txt pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements-test.txt
	$(VENV)/bin/pip install --disable-pip-version-check -q --no-build-isolation -c constraints.txt -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: deps ## ruff (lint and format check) and mypy, configured in pyproject.toml
	$(VENV)/bin/ruff check opsgen tests bench main.py
	$(VENV)/bin/ruff format --check opsgen tests bench main.py
	$(VENV)/bin/mypy

tools: ## promtool and amtool for the rule and routing tests (Debian packages)
	bash scripts/install-test-tools.sh

bench: deps ## synthesis speed at 10, 100 and 1,000 services (writes docs/performance.md), then the rule cost against Sloth's
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python bench/rule_cost.py

docs: deps ## regenerate the two JSON Schemas, docs/catalogue.md, the copy of detect-secrets' detectors and the burn-rate table of docs/alerts.md
	$(VENV)/bin/opsgen schema > services.schema.json
	$(VENV)/bin/opsgen schema --include > services.include.schema.json
	$(VENV)/bin/opsgen schema --markdown > docs/catalogue.md
	$(VENV)/bin/python -c 'from opsgen.catalogue import secrets; secrets.write_detectors()'
	$(VENV)/bin/python -m tests.support.slo_table

clean:
	rm -rf $(VENV) node_modules
