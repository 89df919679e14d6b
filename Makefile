# Two commands set everything up on a fresh machine with Python 3:
#   make demo   create .venv, install, validate and generate examples/acme.yaml into modules_out/
#   make test   create .venv, install, run the test suite
#   make bench  run the benchmarks and write benchmarks/RESULTS.md
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

# Benchmarks (benchmarks/RESULTS.md): installs the `bench` extra (parliament) first.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
