# How Neural Networks Learn: the two commands a newcomer needs.
#   make book   create .venv if needed, execute the chapters (cached), build _build/html
#   make test   the same environment, then every test
# OpenMP threads that spin while they wait make PyTorch many times slower on a shared CPU (measured:
# 56 s instead of 6.5 s); passive waiting changes no number. It must be in the environment before
# torch is imported, so it is set here for every command, not by importing course_lib.
export OMP_WAIT_POLICY ?= PASSIVE
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Colab's versions of the widget stack, installed beside the venv (not into it) for
# tests/test_live_panels.py, which puts this folder first on a kernel's PYTHONPATH.
COLAB_COMPAT := $(VENV)/colab-compat
COLAB_STAMP  := $(COLAB_COMPAT)/.installed

.PHONY: book test env clean student pdf benchmark evidence results results-manifest ch2-results ch4-results ch5-results ch6-results

book: $(STAMP)
	$(PY) scripts/build_book.py

# Unit tests, every chapter in a fresh kernel (nbval), the strict build, budgets, the browser test,
# and a comparison of the numbers of two runs of every chapter.
test: $(STAMP) $(COLAB_STAMP)
	$(PY) -m pytest tests book --nbval-lax --nbval-cell-timeout=300 -p no:cacheprovider -ra

env: $(STAMP)

# Recreate the environment whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Colab's runtime imports ipywidgets 7.7.1 (and has plotly 5.24) at start-up. --no-deps: these
# versions shadow the venv's copies only, and everything else (ipykernel, traitlets, comm) is the
# venv's. widgetsnbextension and jupyterlab_widgets are what ipywidgets 7.7.1 requires
# (~=3.6.0, >=1.0.0); ipython_genutils is imported by it; tenacity is required by plotly 5.24.
$(COLAB_STAMP): $(STAMP) Makefile
	rm -rf $(COLAB_COMPAT)
	$(PY) -m pip install --quiet --no-deps --target $(COLAB_COMPAT) \
	    ipywidgets==7.7.1 widgetsnbextension==3.6.10 jupyterlab_widgets==1.1.11 ipython_genutils==0.2.0 \
	    plotly==5.24.1 tenacity==9.0.0
	touch $(COLAB_STAMP)

# How close course_lib.train is to the hardware's floor (a benchmark, not a test): ratios measured in one run.
benchmark: $(STAMP)
	$(PY) scripts/benchmark_train.py

# Every chapter under the seeds 0-4, every marked claim's numbers: book/results/evidence.json (about 10 minutes).
# Then commit it, run `make results-manifest` (which pins the commit that holds it) and commit the manifest.
evidence: $(STAMP)
	$(PY) scripts/collect_evidence.py
	@echo "Next: commit book/results/evidence.json, then make results-manifest and commit course_lib/course/results_manifest.json"

# Hand-out copies of the chapters without solutions, in student/.
student: $(STAMP)
	$(PY) scripts/make_student.py student

# The site without the exercise solutions (sphinx-exercise's hide_solutions), in _build/student-html.
.PHONY: student-site
student-site: $(STAMP)
	$(PY) scripts/make_student.py --site

# The print edition: the whole book on one HTML page, printed to PDF by headless Chromium, with a title
# page, contents, page numbers and the visible code. EDITION=instructor (default: the solutions at the
# end) or EDITION=student (no solutions). The page numbers in the contents need pdftotext
# (sudo apt-get install poppler-utils); without it the contents have none.
EDITION ?= instructor
pdf: $(STAMP)
	$(PY) scripts/build_pdf.py --edition $(EDITION)

# Full-scale results that do not fit a chapter's 60 s budget. Each writes its file(s) in book/results/,
# with the command, recipe, seeds, time taken and machine recorded; the chapters print them beside
# their own numbers, and a test re-runs one row. These take minutes to about an hour each.
# The last step records the new files' SHA-256 in course_lib/course/results_manifest.json (see below).
results: ch2-results ch4-results ch5-results ch6-results
	$(MAKE) results-manifest

# The SHA-256 of every file in book/results/, its make target and the last commit that changed
# book/results/, in course_lib/course/results_manifest.json: course_lib.results checks downloads against it
# where there is no checkout (Colab). Commit book/results/ first, so that the commit holds the files.
results-manifest: $(STAMP)
	$(PY) scripts/update_results_manifest.py

ch2-results: $(STAMP)
	COURSE_LIB_THREADS=1 $(PY) scripts/ch2_hidden_sizes.py

ch4-results: $(STAMP)
	COURSE_LIB_THREADS=1 $(PY) scripts/ch4_jump_models.py

ch5-results: $(STAMP)
	COURSE_LIB_THREADS=1 $(PY) scripts/ch5_bottleneck_sweep.py
	# the narrow shallow networks, trained on from their kept weights (one after another; hours on two cores)
	COURSE_LIB_THREADS=1 $(PY) scripts/ch5_bottleneck_sweep.py --continue-shallow all

ch6-results: $(STAMP)
	COURSE_LIB_THREADS=1 $(PY) scripts/ch6_memorize_full.py

clean:
	rm -rf _build student

# Pin the whole course (launch buttons, Colab install lines) to one branch or tag: make pin-release REV=v1.0
.PHONY: pin-release
pin-release: $(STAMP)
	$(PY) scripts/pin_release.py $(REV)
