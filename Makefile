# Phòng Dịch: `make run` sets everything up and serves the demo; `make test` runs the suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := 3.12
UV := $(shell uv --version >/dev/null 2>&1 && command -v uv || echo $(CURDIR)/.tools/bin/uv)
PY := .venv/bin/python
MANAGE := $(PY) src/manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PEOPLE ?= 100000
PYTEST_ARGS ?=

.PHONY: run install setup demo test lint format bench messages clean

$(CURDIR)/.tools/bin/uv:
	python3.12 -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch .venv/.installed

install: .venv/.installed

setup: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_units
	$(MANAGE) demo --people $(PEOPLE) --if-empty
	$(MANAGE) demo_users
	$(MANAGE) demo_outbreak

run: setup
	@bash scripts/serve.sh $(HOST) $(PORT)

demo: install
	$(MANAGE) demo --people $(PEOPLE)

test: install
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks
	$(PY) -m mypy src
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix src tests benchmarks
	$(PY) -m ruff format src tests benchmarks

messages: install
	bash scripts/messages.sh

# make bench [ONLY=demo,search,absent] [BENCH_PEOPLE=1000000] [BENCH_ARGS="--keep --reuse"]
bench: install
	$(PY) benchmarks/run.py $(if $(ONLY),--only $(ONLY)) $(if $(BENCH_PEOPLE),--people $(BENCH_PEOPLE)) $(BENCH_ARGS)

clean:
	rm -rf .venv .tools var/*.sqlite3*
