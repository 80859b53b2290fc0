# Everything runs inside .venv, which `install` creates and keeps in step with pyproject.toml.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: help install demo test lint fmt bench eval migrate clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## create .venv (Python 3.11) and pip install -e '.[dev]' when pyproject.toml changed
	@VENV=$(VENV) scripts/install.sh

demo: install ## migrate, load the demo shop and serve it on http://127.0.0.1:$PORT (default 8000)
	$(BIN)/python manage.py demo

test: install ## the whole check: ruff, ruff format, mypy, makemigrations --check, pytest tests/
	@VENV=$(VENV) scripts/test.sh $(PYTEST_ARGS)

lint: install ## ruff, ruff format --check, mypy, makemigrations --check (no tests)
	@VENV=$(VENV) scripts/lint.sh

fmt: install ## format the code and apply ruff's safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## run every bench/*.py script (they print RESULT lines)
	@VENV=$(VENV) scripts/bench.sh

# beside the main checkout (../shared) or a worktree under it (../../shared)
DATASETS ?= $(firstword $(wildcard ../shared/datasets ../../shared/datasets) ../shared/datasets)
EVAL_OUT ?= artifacts/evaluation

eval: install ## offline evaluation: Beauty (loo-full) and UCI (temporal-basket); JSON and plots in artifacts/evaluation
	$(BIN)/python -m personalization.evaluation --format sequential --path $(DATASETS)/amazon_beauty/Beauty.txt --protocol loo-full --models all --json $(EVAL_OUT)/beauty-loo-full.json --plot $(EVAL_OUT)/beauty-loo-full-hr.png
	$(BIN)/python -m personalization.evaluation --format uci --path $(DATASETS)/uci_online_retail/online_retail_2010_2011.csv.gz --protocol temporal-basket --models all --json $(EVAL_OUT)/uci-temporal-basket.json --plot $(EVAL_OUT)/uci-temporal-basket-hr.png

migrate: install ## apply database migrations (DATABASE_URL, default var/db.sqlite3)
	$(BIN)/python manage.py migrate

clean: ## remove caches, build leftovers and test artifacts (keeps .venv and var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .benchmarks artifacts build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
