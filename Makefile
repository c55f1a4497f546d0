# briefgen: the two commands of the README's quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# What is installed, as stamp files: demo needs briefgen (with the watch extra), test the test
# extras too. Each is redone when pyproject.toml changes.
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test

.PHONY: demo test fuzz check lint bench clean install catalogs catalog-extract catalog-update catalog-compile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# compileall: an editable install is not byte-compiled by pip, and where PYTHONDONTWRITEBYTECODE
# is set (many CI images) every run would compile briefgen again (about 30 ms).
$(RUNTIME): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[watch]'
	$(BIN)/python -m compileall -q briefgen
	touch $(RUNTIME)

$(TESTING): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[test,watch]'
	touch $(TESTING)

install: $(RUNTIME)

# The demo ends by saying what to type next: briefgen is installed in $(VENV), not on the PATH.
demo: $(RUNTIME)
	$(BIN)/briefgen build facts/lavrov-cavusoglu-ankara-2018.yaml --output-dir out
	@echo ""
	@echo "Open out/lavrov-cavusoglu-ankara-2018-memo.docx and out/lavrov-cavusoglu-ankara-2018-deck.pptx."
	@echo "briefgen is installed in $(VENV); run it as $(BIN)/briefgen, or activate the environment first:"
	@echo ""
	@echo "    . $(BIN)/activate"
	@echo "    briefgen init my-brief        # a new fact file, facts/my-brief.yaml"
	@echo ""
	@echo "Next: $(BIN)/briefgen init my-brief"

test: check
	$(BIN)/python -m pytest

# Long randomised runs, by hand or nightly (make test runs a bounded handful of each):
# interrupts at random moments of random commands (issue 20: at least 50 runs) and the
# property-based tests with Hypothesis's long profile (arbitrary YAML and bytes through the
# loader, whole-Unicode fact text through memo and deck).
FUZZ_RUNS ?= 60
fuzz: $(TESTING)
	BRIEFGEN_STRESS_RUNS=$(FUZZ_RUNS) $(BIN)/python -m pytest tests/test_interrupts.py -k random
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/test_fuzz.py \
		tests/test_redline.py::test_redline_of_any_edits_accepts_to_new_and_rejects_to_old tests/test_unicode_property.py

# The architecture checks itself: ruff (style), import-linter (the layers and "only the writers
# import python-docx / python-pptx", contracts in pyproject.toml) and mypy in strict mode.
check: $(TESTING)
	$(BIN)/ruff check briefgen tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

lint: check

bench: $(RUNTIME)
	$(BIN)/python bench/run.py

# Message catalogs (docs/languages.md): the fixed words of templates and writers, one catalog per
# language under briefgen/locale. extract: sources -> briefgen.pot; update: the .pot merged into
# every language's .po (new messages arrive untranslated: a test then names them); compile: .po
# -> the .mo files briefgen reads (committed, so a fresh clone and `pip install` need no Babel step).
LOCALE  := briefgen/locale
KEYWORDS := -k _term:1c,2 -k gettext -k pgettext:1c,2 -k ngettext:1,2 -k npgettext:1c,2,3 -k tr -k ptr:1c,2 -k ntr:1,2

catalog-extract: $(RUNTIME)
	$(BIN)/pybabel extract -F babel.cfg $(KEYWORDS) --add-comments=TRANSLATORS: --sort-output \
		--no-location --project=briefgen --copyright-holder="the briefgen authors" \
		--msgid-bugs-address="https://github.com/briefgen/briefgen/issues" \
		-o $(LOCALE)/briefgen.pot .

catalog-update: $(RUNTIME)
	$(BIN)/pybabel update -D briefgen -i $(LOCALE)/briefgen.pot -d $(LOCALE) --no-fuzzy-matching --ignore-obsolete

catalog-compile: $(RUNTIME)
	$(BIN)/pybabel compile -D briefgen -d $(LOCALE) --statistics

catalogs: catalog-extract catalog-update catalog-compile

clean:
	rm -rf out build dist *.egg-info .pytest_cache .ruff_cache
