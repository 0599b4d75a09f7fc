# Set-up, tests, demo and benchmarks. Every target installs what it needs into .venv.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the demo's own environment: pip alone, into which it installs plux, the app and the add-on
DEMO_VENV := .venv-demo

.PHONY: venv test unit compat lint format demo bench bench-apps clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e '.[test]'
	touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check plux plugin tests bench examples tools
	$(VENV)/bin/ruff format --check plux plugin tests bench examples tools
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix plux plugin tests bench examples tools
	$(VENV)/bin/ruff format plux plugin tests bench examples tools

# The suite starts hundreds of fresh interpreters and several pytest processes: let them keep
# what they compile (plux's modules, pytest's rewritten test modules) even where the environment
# sets PYTHONDONTWRITEBYTECODE, or each of them compiles it all again.
unit compat test: export PYTHONDONTWRITEBYTECODE :=

# The suite writes and removes tens of thousands of small files (sites, indexes, venvs): unless
# TMPDIR says where, in memory where /dev/shm is a writable tmpfs, which does that several times
# faster than a disk, where it has 2 GB free (a container's usual 64 MB would fill up). The
# folders of tests that pass are removed as they pass (pyproject.toml's
# tmp_path_retention_policy), so what stays there is what a failure left.
TMPDIR ?= $(shell test -d /dev/shm -a -w /dev/shm && test "$$(df -Pk /dev/shm | awk 'NR==2 {print $$4}')" -gt 2000000 && echo /dev/shm)
unit compat test: export TMPDIR := $(TMPDIR)

# the inner loop draws a third of each property's examples (tests/property_support.py)
unit: venv
	$(VPY) -m pytest -q -n auto -m "not integration" --hypothesis-profile=plux-quick

compat: venv
	$(VPY) tools/plux116_suite.py

test: lint
	$(VPY) -m pytest -q -n auto
	$(VPY) tools/plux116_suite.py
	bash tools/test-interpreters.sh

demo:
	test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	bash examples/demo.sh $(DEMO_VENV)/bin/python

bench: venv
	$(VPY) bench/run.py
	$(VPY) bench/scaling.py
	$(VPY) bench/orchestration.py

# plux inside a real application (LocalStack's CLI, installed from the package index once)
bench-apps: venv
	$(VPY) bench/localstack.py

clean:
	rm -rf $(VENV) .venv-* build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
