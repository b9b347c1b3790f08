# Two commands for a newcomer: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
# Python 3.11 as production runs it: the Docker image's interpreter is built with
# profile-guided and link-time optimisation, and so is Debian's /usr/bin/python3.11, which
# is preferred where it can make a virtual environment (a build without them, such as
# pyenv's default, runs the portal's pages 10-15 % slower). PYTHON=... chooses another.
PYTHON ?= $(or $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1 && echo /usr/bin/python3.11),python3.11)
VENV := .venv
BIN := $(VENV)/bin
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# Both commands are for development machines: DEBUG on, with its local defaults.
export DEBUG ?= 1

# Tests run on PostgreSQL and Redis; override these to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ledarskap
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
PYTEST_ARGS ?=

.PHONY: setup system-deps run test lint format messages check-compose prod-check backup restore clean

setup: system-deps $(VENV)/.installed node_modules/.installed locale/sv/LC_MESSAGES/django.mo

system-deps:
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

locale/sv/LC_MESSAGES/django.mo: locale/sv/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

# `make run PORT=8001` serves on another port; links made away from a request (a
# certificate's, an e-mail's) follow it unless SITE_URL says otherwise (portal/settings.py).
PORT ?= 8000
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/; certificates link to $${SITE_URL:-http://127.0.0.1:$(PORT)}"
	PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	@bash scripts/services.sh >/dev/null
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages:
	$(BIN)/python manage.py makemessages -l sv --no-location --ignore=.venv --ignore=node_modules
	msgfmt --check -o locale/sv/LC_MESSAGES/django.mo locale/sv/LC_MESSAGES/django.po

check-compose:
	docker-compose -f docker-compose.yml config -q

# The Dockerfile's steps in a fresh virtualenv with production settings (no Docker needed).
prod-check:
	bash scripts/prod-check.sh

# Backup and restore of the docker-compose shape: make backup DIR=backups/2026-11-29
backup:
	COMPOSE=1 bash scripts/backup.sh $(DIR)

restore:
	COMPOSE=1 bash scripts/restore.sh $(DIR)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media
