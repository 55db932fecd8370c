# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench clean-data prod-check

run: $(STAMP)
	@bash scripts/run.sh

test: $(STAMP)
	@bash scripts/test.sh

# The static checks alone (ruff, mypy, import layers, migrations), as the first stage of `make test`.
check: $(STAMP)
	@bash scripts/test.sh --checks-only

bench: $(STAMP)
	@bash scripts/bench.sh

# The production stack (gunicorn + the monitoring worker) started, probed and stopped on PostgreSQL here.
prod-check: $(STAMP)
	@bash scripts/prod-check.sh

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

clean-data:
	rm -rf data/
