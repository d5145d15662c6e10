# Propos: every generated file comes from one of these targets (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup corpus browser run test lint format

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[nlp,dev]'
	touch $(STAMP)

setup: $(STAMP)

## The cleaned documents of the external collections (Wikinews): their texts are not committed.
corpus: setup
	$(BIN)/propos clean

## The main job: clean, validate, split check, build the dataset, baselines, leaderboard.
run: setup
	$(BIN)/propos clean
	$(BIN)/propos validate annotations
	$(BIN)/propos split --check
	$(BIN)/propos build
	$(BIN)/propos baseline --all
	$(BIN)/propos baseline --report
	$(BIN)/propos leaderboard
	$(BIN)/propos evaluate --pred benchmark/submissions/crf/predictions.jsonl --split test

## Debian's Chromium for the explorer's browser test (skipped with a reason when absent).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-dejavu-core >/dev/null) || echo "chromium could not be installed"; \
	  else echo "no apt-get as root: the browser test will be skipped"; fi; }

## The tests, with the linter first.
test: setup browser lint corpus
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests benchmark
	$(BIN)/ruff format --check src tests benchmark

format: setup
	$(BIN)/ruff format src tests benchmark
	$(BIN)/ruff check --fix src tests benchmark
