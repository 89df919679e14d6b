# Two commands set everything up on a fresh machine with Python 3:
#   make demo   create .venv from the lock, validate and generate examples/acme.yaml into modules_out/
#   make test   create .venv from the lock, run the whole test suite (what .ci/run calls)
# and, for development:
#   make check        the fast tier: every test that needs no terraform, moto_server or checkov
#   make bench        run the benchmarks and write benchmarks/RESULTS.md (creates .venv-peers too:
#                     the current cloudsplaining, which checkov's pin keeps out of .venv)
#   make lock         re-resolve requirements/dev.txt (and runtime.txt, for CI recipes; peers.txt, for
#                     the benchmarks) to the newest versions the ranges allow
#   make test-latest  the whole suite in .venv-latest, on the newest versions the ranges allow (no lock)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/dev.txt
LATEST := .venv-latest
PEERS  := .venv-peers
PEERS_LOCK := requirements/peers.txt

# Air-gapped terraform: an offline provider mirror (a folder holding registry.terraform.io), when
# one ships with the machine image, serves `terraform init -plugin-dir` for the tests and benchmarks.
IAMFORGE_TF_PLUGIN_DIR ?= $(shell d=$$(find / -maxdepth 3 \( -path /tmp -o -path /proc \) -prune -o -type d -name registry.terraform.io -print 2>/dev/null | sort | head -n 1); [ -n "$$d" ] && dirname "$$d")
ifneq ($(IAMFORGE_TF_PLUGIN_DIR),)
export IAMFORGE_TF_PLUGIN_DIR
endif

.PHONY: demo test check venv bench lock test-latest clean

# The venv holds exactly the lock's versions (hashes checked, no resolution), then iamforge
# itself, editable, built with the lock's setuptools.
$(STAMP): pyproject.toml setup.py $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/iamforge validate examples/acme.yaml
	$(BIN)/iamforge generate examples/acme.yaml -o modules_out

# One pytest worker per core (pytest-xdist); an idle worker takes tests queued for a busy one
# (worksteal), so the few long terraform tests, collected together, do not all fall to one worker.
# PYTEST_ARGS adds options, e.g. PYTEST_ARGS="-k loader".
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not terraform and not moto and not checkov" $(PYTEST_ARGS)

# Benchmarks (benchmarks/RESULTS.md); parliament and checkov's cloudsplaining are in the lock,
# the current cloudsplaining in .venv-peers from its own lock (the benchmark runs it there).
$(PEERS)/.installed: $(PEERS_LOCK)
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --no-deps --require-hashes -r $(PEERS_LOCK)
	touch $(PEERS)/.installed

bench: $(STAMP) $(PEERS)/.installed
	IAMFORGE_PEERS_PYTHON=$(PEERS)/bin/python $(BIN)/python -m benchmarks $(BENCH_ARGS)

# The lock: runtime, dev and bench extras and the tools above, for Python 3.10 and later on
# every platform, with hashes, within pyproject.toml's ranges and requirements/constraints.in.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml requirements/tools.in --extra dev --extra bench \
	  -c requirements/constraints.in --universal --python-version 3.10 --generate-hashes \
	  --upgrade --quiet --custom-compile-command "make lock" -o $(LOCK)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --universal --python-version 3.10 --generate-hashes \
	  -c $(LOCK) --quiet --custom-compile-command "make lock" -o requirements/runtime.txt
	$(BIN)/uv pip compile requirements/peers.in --universal --python-version 3.10 --generate-hashes \
	  --upgrade --quiet --custom-compile-command "make lock" -o $(PEERS_LOCK)

test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade -e '.[dev,bench]'
	$(LATEST)/bin/python -m pip list --format freeze > $(LATEST)/versions.txt
	$(LATEST)/bin/python -m pytest -n auto --dist worksteal -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) $(PEERS) build dist *.egg-info .pytest_cache
