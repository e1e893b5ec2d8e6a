# Two commands do everything: `make run` (execute every lab) and `make test` (pytest).
# Each creates .venv and installs the pinned requirements the first time.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint assets benchmarks clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)          ## execute every lab notebook headless into outputs/executed/
	$(PY) -m utils run

test: $(STAMP)         ## unit tests of utils + nbval of labs/ (tiny profile, network off)
	$(PY) -m pytest

lint: $(STAMP)         ## ruff check and ruff format on code and notebooks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

assets: $(STAMP)       ## rebuild the offline world in assets/ (deterministic, seeded)
	$(PY) -m world build

# on the fastest device here (each script takes --device cuda|mps|cpu); about 10 min on 2 quiet
# CPU cores; `python benchmarks/course_costs.py` measures the course profile's cost per lab
benchmarks: $(STAMP)   ## batched vs one-at-a-time generation; PPO step memory and time
	$(PY) benchmarks/generation.py
	$(PY) benchmarks/ppo_step.py

clean:
	rm -rf outputs .pytest_cache
