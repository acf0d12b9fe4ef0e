# The course's two commands (see README.md):
#   make lab    set up .venv if needed and open the course in JupyterLab
#   make test   set up .venv if needed and run every test
# Both are idempotent: the environment is rebuilt only when pyproject.toml changes.

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
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test env release grade collect bench clean-env

env: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --ServerApp.ip=127.0.0.1 --port=$(LAB_PORT) \
	    --LabApp.default_url=/lab/tree/course/README.md $(ROOT_FLAG) $(LAB_ARGS)

# One pytest run: the library's tests, the pipeline's tests, and every notebook.
# Strict --nbval compares stored outputs only where cells have them (course/);
# source/ notebooks are stored without outputs, so there it checks they run.
test: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadgroup \
	    --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    tests source course

clean-env:
	rm -rf $(VENV)

# Benchmarks (not part of `make test`, which runs only a quick smoke run).
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.grading

# --- Grading (issue 8; tools/README.md) --------------------------------------------
#   make release [A=<assignment>]         regenerate release/ from source/ (default: all)
#   make collect A=<assignment> [FROM=<folder>]   exchange or downloads -> submitted/
#   make grade A=<assignment> [JOBS=N] [GRADE_ARGS="--force --Execute.timeout=300"]
#                                         autograde + feedback/ + autograded/grades.csv,
#                                         N students at once (default: one per core)
#   make validate NB=<notebook.ipynb>     what the students' Validate button runs
.PHONY: validate

release: $(STAMP)
	$(BIN)/python -m tools.release $(A)

collect: $(STAMP)
	@test -n "$(A)" || { echo "usage: make collect A=<assignment> [FROM=<folder>]" >&2; exit 2; }
	$(BIN)/python -m tools.collect $(A) $(if $(FROM),--from "$(FROM)")

grade: $(STAMP)
	@test -n "$(A)" || { echo "usage: make grade A=<assignment> [JOBS=N] [GRADE_ARGS=...]" >&2; exit 2; }
	$(BIN)/python -m tools.grade $(A) $(if $(JOBS),--jobs $(JOBS)) $(GRADE_ARGS)

validate: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make validate NB=<path/to/notebook.ipynb>" >&2; exit 2; }
	$(BIN)/nbgrader validate "$(NB)"

# --- The course on JupyterHub (issue 16; tools/README.md) -------------------------------
#   make hub [HUB_PORT=8000]   a course hub on 127.0.0.1: users, groups, /srv/dpcourse (root, Linux)
#   make hub-down              stop it; remove its users, groups, folders and processes
.PHONY: hub hub-down hub-preflight
HUB_PORT ?= 8000
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy

# JupyterHub's proxy is an npm package, pinned by hub/package.json + package-lock.json.
$(HUB_PROXY): hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund
	@touch $@

# Refuse before building anything where a hub cannot run.
hub-preflight:
	@test "$$(uname -s)" = Linux || { echo "error: make hub needs Linux (Unix users, PAM); nothing was changed" >&2; exit 1; }
	@test "$$(id -u)" = 0 || { echo "error: make hub creates Unix users and groups: run it as root (sudo make hub); nothing was changed" >&2; exit 1; }

hub: hub-preflight $(STAMP) $(HUB_PROXY) ## start a course JupyterHub on 127.0.0.1 with demo accounts (Linux, root)
	$(BIN)/python -m tools.hub up --port $(HUB_PORT)

hub-down: hub-preflight ## stop the course JupyterHub and remove its users, folders and processes
	$(BIN)/python -m tools.hub down
