# How Neural Networks Learn: the two commands a newcomer needs.
#   make book   create .venv if needed, execute the chapters (cached), build _build/html
#   make test   the same environment, then every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test env clean student

book: $(STAMP)
	$(PY) scripts/build_book.py

# Unit tests, every chapter in a fresh kernel (nbval), the strict build, budgets, the browser test,
# and a comparison of the numbers of two runs of every chapter.
test: $(STAMP)
	$(PY) -m pytest tests book --nbval-lax --nbval-cell-timeout=300 -p no:cacheprovider -ra

env: $(STAMP)

# Recreate the environment whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

clean:
	rm -rf _build
