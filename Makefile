# Census Progress. `make run` serves the demo on http://127.0.0.1:8000 (make run PORT=8010: another port); `make test` runs the suite.
SHELL := /bin/bash
# python3.12 from PATH, else from pyenv's versions (pyenv may not put it on PATH).
PYTHON ?= $(shell for p in python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install locale run test lint bench loadtest up down

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: locale

# Translations: .mo files are build output (not in git), compiled with polib so no GNU gettext is needed.
locale: $(VENV)/.installed
	$(MANAGE) compile_translations

# make run PORT=8010 serves on another port. DEBUG is off, as on a server: a 404 or 403 is the site's own page in the
# reader's language, not Django's technical page listing every URL (make run DEBUG=True for that page while
# developing). Static files are served by WhiteNoise either way. A process without DEBUG needs a secret key of its
# own: the first run writes a random one to .local-secret-key (not in git) unless SECRET_KEY is set.
PORT ?= 8000
DEBUG ?= False
LOCAL_SECRET_KEY := .local-secret-key

$(LOCAL_SECRET_KEY):
	@umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: install $(LOCAL_SECRET_KEY)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Census Progress: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/ru/admin/)"
	@DEBUG=$(DEBUG) SECRET_KEY="$${SECRET_KEY:-$$(cat $(LOCAL_SECRET_KEY))}" $(MANAGE) runserver 127.0.0.1:$(PORT)

# PYTEST_ARGS passes options through, e.g. make test PYTEST_ARGS="-m 'not pages or admin_pages'" (CI's PostgreSQL pass).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The read path (pages and API vs a bare Django project, bench/reads.py), then the coverage recompute (bench/measure.py).
bench: install
	$(BIN)/python -m bench --reads
	$(BIN)/python -m bench

# A bounded load on loopback against PostgreSQL + Redis (DATABASE_URL and REDIS_URL must be set; SQLite is refused):
# 200 dashboard readers + 20 staff saving counts for 60 s by default, then no lost write and snapshots = a full
# recompute, or it fails. Other sizes: make loadtest LOADTEST_ARGS="--readers 50 --staff 5 --seconds 20"
loadtest: install
	$(BIN)/python -m loadtest $(LOADTEST_ARGS)

up:
	docker compose up -d --build

down:
	docker compose down

# PostgreSQL backups (DATABASE_URL must point at PostgreSQL): make backup; make restore FILE=backups/....dump
backup:
	ops/backup $(FILE)

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/census-....dump"; exit 2; }
	ops/restore $(FILE)
