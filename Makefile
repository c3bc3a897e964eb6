# How Neural Networks Learn: the two commands a newcomer needs.
#   make book   create .venv if needed, execute the chapters (cached), build _build/html
#   make test   the same environment, then every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test env clean student pdf

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

# Hand-out copies of the chapters without solutions, in student/.
student: $(STAMP)
	$(PY) scripts/make_student.py student

# A printable version: the whole book on one HTML page, printed to PDF by headless Chromium.
pdf: $(STAMP)
	$(PY) scripts/build_pdf.py

clean:
	rm -rf _build student
