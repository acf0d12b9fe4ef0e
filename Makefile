# The course's commands; `make help` lists every target with one line each.
# Students need two (see README.md): `make lab` and `make test`. Targets that
# need .venv set it up first; it is rebuilt only when pyproject.toml changes.
#
# Each target's rule line ends with `## what it does`: that comment is its line
# in `make help`, so a new target documents itself there.

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# nbgrader calls `alembic` by name and notebooks call `jupyter`: the venv's bin/
# must come first on PATH for every recipe, activated or not.
export PATH := $(BIN):$(PATH)
# Tests: plots render off-screen; no progress bars (volatile output); one BLAS
# thread per test worker, since the workers already use every core; the MNIST
# notebook reads Fashion-MNIST, which Debian packages for offline machines.
TEST_ENV := MPLBACKEND=Agg PYTHONHASHSEED=0 DP_PROGRESS=0 OPENBLAS_NUM_THREADS=1 \
            OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 DP_MNIST_VARIANT=fashion

LAB_PORT ?= 8888
LAB_ARGS ?=
ROLE     ?= student
# JupyterHub's proxy (npm), for make hub and the hub's end-to-end test in make test.
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
SITE_AXE  := tests/node_modules/axe-core/axe.min.js
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help env labextension lab test test-fast hub-proxy site-axe lint clean-env doctor bench release collect grade export similarity validate student-export site site-serve hub hub-down hub-preflight

# The name column is as wide as the longest target name; $(VAR) in a description is
# shown with its value, e.g. http://127.0.0.1:$(SITE_PORT)/ as http://127.0.0.1:8000/.
help: ## list the targets with what each does
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-zA-Z][a-zA-Z0-9_-]*:.*## / \
	    { name[++n] = $$1; text[n] = $$2; if (length($$1) > w) w = length($$1) } \
	    END { for (i = 1; i <= n; i++) printf "  make %-" w "s  %s\n", name[i], text[i] }' \
	    $(firstword $(MAKEFILE_LIST)) | sed 's/\$$(SITE_PORT)/$(SITE_PORT)/g'

env: $(STAMP) ## create .venv with dp and everything the course and tests need

# The course's JupyterLab extension (labextension/README.md: due dates in nbgrader's
# Assignments tab) is committed prebuilt and copied into the venv with the rest, so
# installing needs no npm; `make labextension` rebuilds it from labextension/src/.
LABEXT      := labextension/prebuilt
LABEXT_DEST := $(VENV)/share/jupyter/labextensions/dp-assignment-due-dates

$(STAMP): pyproject.toml $(wildcard $(LABEXT)/*.json $(LABEXT)/static/*)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	rm -rf $(LABEXT_DEST)
	@if test -d $(LABEXT); then mkdir -p $(LABEXT_DEST) && cp -R $(LABEXT)/. $(LABEXT_DEST)/; fi
	@touch $(STAMP)

# Rebuild the prebuilt extension after changing labextension/src/ (needs npm; commit
# labextension/prebuilt/ afterwards). Against the venv's own JupyterLab (--core-path).
labextension: $(STAMP) ## rebuild the course's JupyterLab extension (due dates) from labextension/src (npm)
	cd labextension && npm ci --no-audit --no-fund
	rm -rf $(LABEXT)
	cd labextension && $(BIN)/jupyter labextension build . --core-path \
	    "$$($(BIN)/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')"
	rm -rf $(LABEXT_DEST) && mkdir -p $(LABEXT_DEST) && cp -R $(LABEXT)/. $(LABEXT_DEST)/
	@touch $(STAMP)

# tools/lab.py first copies new assignments into work/ (never overwriting) and trusts
# the lectures; ROLE=instructor keeps nbgrader's instructor tools (config/README.md).
lab: $(STAMP) ## open the course in JupyterLab [ROLE=student|instructor LAB_PORT=8888 LAB_ARGS=...]
	$(BIN)/python -m tools.setup_data
	$(BIN)/python -m tools.lab --role $(ROLE) -- --ServerApp.ip=127.0.0.1 --port=$(LAB_PORT) \
	    $(ROOT_FLAG) $(LAB_ARGS)

# The linter first (seconds). Then set-up: the MNIST variant is found or
# downloaded now (tools/setup_data.py), so that no test needs the network. Then
# one pytest run: the library's tests, the pipeline's tests, and every notebook.
# Strict --nbval compares stored outputs only where cells have them (course/);
# source/ notebooks are stored without outputs, so there it checks they run.
# Tests that need a system part this machine lacks (bubblewrap, Chromium, Node.js)
# skip and the run ends with what to install; CI=true makes them fail
# (tests/requirements.py). The quick group runs first, as `make test-fast` (its
# summary line is the time CI's log shows for it; a failure there stops the run
# before the slow part); then the slow groups, whose 15 slowest tests are listed.
test: $(STAMP) hub-proxy site-axe ## lint, then run every test and notebook (CI=true: no skips for missing parts)
	$(BIN)/ruff check .
	@$(TEST_ENV) $(BIN)/python -m tools.setup_data
	@$(MAKE) --no-print-directory test-fast
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadgroup --no-loadscope-reorder \
	    --durations=15 -m "$(SLOW)" \
	    --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    tests source course

# dp's and the tools' unit tests: no notebook, grading run, browser, hub or site
# build (the markers are listed in pyproject.toml). Under a minute on 2 cores.
SLOW := notebook or grading or browser or hub or site
FAST := not ($(SLOW))
test-fast: $(STAMP) ## dp's and the tools' unit tests only: no notebooks, grading, browser, hub (< 1 min)
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadgroup --durations=5 -m "$(FAST)" tests

lint: $(STAMP) ## check the code with ruff (rules in pyproject.toml)
	$(BIN)/ruff check .

clean-env: ## delete .venv
	rm -rf $(VENV)

# Run it when something is off: the system's Python runs it, so it works without .venv.
doctor: ## check what the course needs here, one line each with the fix (offline, a few seconds)
	@$(PYTHON) -m tools.doctor

# The course as a static website (docs/build.py; nothing is executed, no network).
SITE_PORT ?= 8000
site: $(STAMP) ## build the course website into _site/ (index.html; offline, no notebook run)
	$(BIN)/python docs/build.py --quiet

site-serve: site ## build the site and serve it on http://127.0.0.1:$(SITE_PORT)/ (SITE_PORT=...)
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _site $(SITE_PORT)

# Benchmarks (not part of `make test`, which runs only a quick smoke run).
bench: $(STAMP) ## time dp against NumPy (and PyTorch if installed)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.grading

# --- Grading (issue 8; tools/README.md) --------------------------------------------
#   make release [A=<assignment>]         regenerate release/ from source/ (default: all)
#   make collect A=<assignment> [FROM=<folder>]   exchange or downloads -> submitted/
#   make grade A=<assignment> [JOBS=N] [GRADE_ARGS="--force --Execute.timeout=300"]
#                                         autograde + feedback/ + autograded/grades.csv,
#                                         N students at once (default: one per core)
#   make validate NB=<notebook.ipynb>     what the students' Validate button runs
#   make export A=<assignment> FORMAT=canvas|moodle [ROSTER=roster.csv] [EXPORT_ARGS=...]
#                                         the LMS gradebook import file (issue 31)
#   make similarity A=<assignment>        pairs of similar answers, for a person to judge

release: $(STAMP) ## regenerate release/ from source/ [A=<assignment>]
	$(BIN)/python -m tools.release $(A)

collect: $(STAMP) ## gather submissions into submitted/ A=<assignment> [FROM=<folder>]
	@test -n "$(A)" || { echo "usage: make collect A=<assignment> [FROM=<folder>]" >&2; exit 2; }
	$(BIN)/python -m tools.collect $(A) $(if $(FROM),--from "$(FROM)")

grade: $(STAMP) ## autograde, feedback and grades.csv A=<assignment> [JOBS=N GRADE_ARGS=...]
	@test -n "$(A)" || { echo "usage: make grade A=<assignment> [JOBS=N] [GRADE_ARGS=...]" >&2; exit 2; }
	$(BIN)/python -m tools.grading $(A) $(if $(JOBS),--jobs $(JOBS)) $(GRADE_ARGS)

export: $(STAMP) ## grades into the LMS import file A=<assignment> FORMAT=canvas|moodle [ROSTER=...]
	@test -n "$(A)" -a -n "$(FORMAT)" || { echo "usage: make export A=<assignment> FORMAT=canvas|moodle [ROSTER=roster.csv] [EXPORT_ARGS=...]" >&2; exit 2; }
	$(BIN)/python -m tools.export $(A) --format $(FORMAT) $(if $(ROSTER),--roster "$(ROSTER)") $(EXPORT_ARGS)

similarity: $(STAMP) ## rank pairs of similar answers for a person to judge (never grades) A=<assignment>
	@test -n "$(A)" || { echo "usage: make similarity A=<assignment> [SIMILARITY_ARGS=--threshold 0.85]" >&2; exit 2; }
	$(BIN)/python -m tools.similarity $(A) $(SIMILARITY_ARGS)

validate: $(STAMP) ## what the students' Validate button runs NB=<notebook.ipynb>
	@test -n "$(NB)" || { echo "usage: make validate NB=<path/to/notebook.ipynb>" >&2; exit 2; }
	$(BIN)/nbgrader validate "$(NB)"

# A copy of the course for students without source/ (solutions) or tests/ (issue 21).
student-export: ## publish a student copy (release, lectures, dp; no source/, no tests/) to DEST=<new folder>
	@test -n "$(DEST)" || { echo "usage: make student-export DEST=<new or empty folder>" >&2; exit 2; }
	$(PYTHON) -m tools.student_export "$(DEST)"

# --- The course on JupyterHub (issue 16; tools/README.md) -------------------------------
#   make hub [HUB_PORT=8000]   a course hub on 127.0.0.1: users, groups, /srv/dpcourse (root, Linux)
#   make hub-down              stop it; remove its users, groups, folders and processes
HUB_PORT ?= 8000

# JupyterHub's proxy is an npm package, pinned by hub/package.json + package-lock.json.
$(HUB_PROXY): hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund
	@touch $@

# For make test: the proxy where npm is installed; elsewhere one line, and the hub's
# test skips (or fails with CI=true) saying what to install.
hub-proxy: ## install JupyterHub's proxy with npm if npm is there (make test does)
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(HUB_PROXY); \
	else echo "npm not found: the hub's test will be skipped (install Node.js 20+ and npm)"; fi

# axe-core, the accessibility checker of the site's tests (tests/test_site.py), is an
# npm package too, pinned by tests/package.json + package-lock.json; installed like the
# proxy, where npm is.
site-axe: ## install axe-core with npm if npm is there (make test does)
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(SITE_AXE); \
	else echo "npm not found: the site's accessibility test will be skipped (install Node.js 20+ and npm)"; fi

$(SITE_AXE): tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund
	@touch $@

# Refuse before building anything where a hub cannot run.
hub-preflight: ## refuse (change nothing) where make hub cannot run: not Linux, not root
	@test "$$(uname -s)" = Linux || { echo "error: make hub needs Linux (Unix users, PAM); nothing was changed" >&2; exit 1; }
	@test "$$(id -u)" = 0 || { echo "error: make hub creates Unix users and groups: run it as root (sudo make hub); nothing was changed" >&2; exit 1; }

hub: hub-preflight $(STAMP) $(HUB_PROXY) ## start a course JupyterHub on 127.0.0.1 with demo accounts (Linux, root)
	$(BIN)/python -m tools.hub up --port $(HUB_PORT)

hub-down: hub-preflight ## stop the course JupyterHub and remove its users, folders and processes
	$(BIN)/python -m tools.hub down
