# Propos: every generated file comes from one of these targets (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint format clean-corpus validate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[nlp,dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job: clean, validate, split check, build the dataset, baselines, leaderboard.
run: setup
	$(BIN)/propos clean
	$(BIN)/propos validate annotations
	$(BIN)/propos split --check
	$(BIN)/propos build

## The tests, with the linter first.
test: setup lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests benchmark
	$(BIN)/ruff format --check src tests benchmark

format: setup
	$(BIN)/ruff format src tests benchmark
	$(BIN)/ruff check --fix src tests benchmark
