# The README's two commands: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLES := sample_cases/generated/.complete

.PHONY: run test bench lint system-deps gui-deps samples translations clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

system-deps:
	scripts/install_system_deps.sh

gui-deps:
	scripts/install_system_deps.sh --gui-only

$(SAMPLES): $(STAMP) $(wildcard sample_cases/*.py)
	$(PY) -m sample_cases.generate --out sample_cases/generated

samples: $(SAMPLES)

run: gui-deps $(STAMP) $(SAMPLES)
	$(PY) -m nodule_desk import sample_cases/generated > /dev/null
	$(PY) -m ui.app

# Xvfb is started around pytest, not inside it: VTK's X connection outlives pytest-xvfb's server at
# exit ("XIO: fatal IO error"), which turned a green run into exit code 1.
test: system-deps $(STAMP)
	xvfb-run -a -s "-screen 0 1600x1000x24" $(PY) -m pytest -q -ra -p no:xvfb

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(PY) -m ruff check nodule_desk ui sample_cases tests benchmarks

clean:
	rm -rf $(VENV) sample_cases/generated benchmarks/.data
