# briefgen: the two commands of the README's quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,watch]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/briefgen build facts/lavrov-cavusoglu-ankara-2018.yaml -o out
	@echo "Open out/lavrov-cavusoglu-ankara-2018-memo.docx and out/lavrov-cavusoglu-ankara-2018-deck.pptx"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check briefgen tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf out build dist *.egg-info .pytest_cache .ruff_cache
