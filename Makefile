# The two commands: `make run` and `make test`. Both set everything up themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
LOCKS  := requirements.lock requirements-dev.lock
STAMP  := $(VENV)/.installed-$(shell cat $(LOCKS) | sha1sum | cut -c1-12)

.PHONY: run test lint setup messages screenshots bench

$(STAMP): $(LOCKS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

## Run the system on http://127.0.0.1:$${PORT:-8000} with demo data (SQLite under var/ unless DATABASE_URL is set).
run: $(STAMP)
	@scripts/run.sh

## Lint, then the whole suite on SQLite, and on PostgreSQL too when DATABASE_URL points at one.
test: $(STAMP)
	@scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .

## Re-extract and compile the translation catalogs (needs GNU gettext).
messages: $(STAMP)
	DMS_DEV=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python scripts/complete_en_catalog.py
	DMS_DEV=1 $(BIN)/python manage.py compilemessages --ignore=.venv

## Walk the pages in Chromium and save the screenshots in docs/screenshots/.
screenshots: $(STAMP)
	@scripts/ensure-system-packages.sh
	SCREENSHOTS=1 $(BIN)/pytest -p no:xdist -q tests/e2e

## Server-side cost of the main pages and API calls on the demo data (writes docs/bench-pages.md).
bench: $(STAMP)
	$(BIN)/python bench/pages.py
