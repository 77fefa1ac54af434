# Developer entry points. `make run` and `make test` are all most people need.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

# `make run` uses the embedded defaults of portal/settings.py: SQLite, tasks in-process,
# SMS and emails kept in var/outbox and shown at /dev/outbox.
RUN_ENV := env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=portal.settings DJANGO_DEBUG=true

# A real worker needs a broker: Redis on this machine unless REDIS_URL says otherwise. A development
# worker, like `make run`: DEBUG on, unless DJANGO_DEBUG says otherwise (DEBUG defaults to false).
WORKER_ENV := env REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" DJANGO_SETTINGS_MODULE=portal.settings \
	DJANGO_DEBUG="$${DJANGO_DEBUG:-true}"

.PHONY: venv run test lint fmt worker beat load scaleout bench bench-audit fuzz

venv: $(STAMP)

# uv.lock pins every dependency, transitive ones included, with their hashes. `uv sync` installs
# exactly that set (and removes what is not in it) straight from uv.lock; an exported requirements
# file for `uv pip sync` would be a second copy of the lock to keep in step. --locked also refuses a
# pyproject.toml edited without `uv lock`. uv comes from PyPI through the venv's own pip, at the
# version pyproject.toml requires ([tool.uv] required-version); the lock then keeps it (dev extra).
# Reinstall only when pyproject.toml or uv.lock changed since the last install.
UV_VERSION := $(shell sed -n 's/^required-version = "==\(.*\)"$$/\1/p' pyproject.toml)
$(STAMP): pyproject.toml uv.lock
	test -x $(PY) || python3 -m venv $(VENV)
	[[ "$$($(BIN)/uv --version 2>/dev/null)" == "uv $(UV_VERSION) "* ]] \
		|| $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv sync --locked --extra dev
	touch $(STAMP)

run: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo
	$(RUN_ENV) $(PY) manage.py seal_development
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (defaults of portal/settings_test.py).
# pytest runs in PYTEST_WORKERS processes (pytest-xdist), one per core of the 2-core machines CI and
# developers have: each its own test database (test_portal_gw0, ...), queue and cache prefix; a file's
# tests stay in one process so that its module fixtures (a server, a worker) start once.
PYTEST_WORKERS ?= 2
test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: venv
	$(WORKER_ENV) $(BIN)/celery -A portal worker -l info

# portal/beat.py: beat touches $(BEAT_SCHEDULE).alive after every tick (the compose health check).
BEAT_SCHEDULE ?= var/celerybeat-schedule
beat: venv
	mkdir -p "$(dir $(BEAT_SCHEDULE))"
	$(WORKER_ENV) $(BIN)/celery -A portal beat -l info -s "$(BEAT_SCHEDULE)" \
		-S portal.beat:HeartbeatScheduler

# The property and fuzz tests run deep, not part of `make test`: every @given test (the hypothesis
# plugin marks them) under the "fuzz" profile of tests/conftest.py, 50 times the examples of `make
# test`'s "ci" profile (about 10 minutes on 2 cores). FUZZ_ARGS narrows it, e.g.
# FUZZ_ARGS=tests/security/test_fuzz.py or FUZZ_ARGS="-k login".
FUZZ_ARGS ?=
fuzz: venv
	$(BIN)/pytest -p no:cacheprovider -m hypothesis --hypothesis-profile=fuzz \
		--hypothesis-show-statistics $(FUZZ_ARGS)

# A bounded load run on loopback, not part of `make test`: gunicorn and a real worker on a dedicated
# database and a private Redis; N administrators invite and sign for LOAD_SECONDS (default 30).
# Fails unless every signed invitation is emailed exactly once, with no error.
load: venv
	$(PY) scripts/load.py

# Several machines on loopback, not part of `make test`: two gunicorn web nodes, two workers and two
# beats on one database (SCALEOUT_DATABASE, default portal_scaleout) and one private Redis, with
# private files in the database. Administrators alternate nodes for SCALEOUT_SECONDS (default 30);
# a worker is killed mid-send and a web node restarted. Fails unless every signed invitation is
# emailed once, no server error, each file served by the other node, the killed email within 60 s.
scaleout: venv
	$(PY) scripts/scaleout.py

# Benchmarks, not part of `make test`: pytest-benchmark on PostgreSQL 127.0.0.1:5432 and Redis
# (portal/settings_test.py) in a private database (pytest-django creates test_portal_bench).
# Prints medians and peak allocations as ratios to a baseline view measured in the same run.
# BENCH_ARGS reaches pytest (e.g. BENCH_ARGS="-k baseline"; a test boots it with --collect-only).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_ARGS ?=
bench: venv
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/pytest bench -p no:cacheprovider --benchmark-only \
		--benchmark-sort=name --benchmark-columns=min,median,iqr,rounds \
		--benchmark-storage="$${TMPDIR:-/tmp}/portal-bench" $(BENCH_ARGS)  # storage saves nothing; keeps .benchmarks/ out

# verify_audit's memory over a million audit events (bench/audit_chain.py), not part of `make test`:
# a private database, events written with COPY, peak RSS at a tenth and at all of them.
BENCH_AUDIT_EVENTS ?= 1000000
bench-audit: venv
	$(PY) bench/audit_chain.py --events $(BENCH_AUDIT_EVENTS)
