# Okrsek: `make run` sets everything up and starts the portal; `make test` sets up and runs the tests.
# Works on a fresh Debian/Ubuntu machine as root or with sudo. Re-running is fast: each step is skipped when
# its inputs have not changed.

SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE := 1
HOST ?= 127.0.0.1
PORT ?= 8000
export PORT HOST

DEBIAN_PACKAGES := gdal-bin libsqlite3-mod-spatialite libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core gettext python3 python3-venv
# For the tests: Chromium (Ubuntu names it chromium-browser) for the browser tests, Node for axe-core, poppler's
# pdfinfo/pdftotext/pdffonts to read the generated PDFs, pg_dump/pg_restore for the backup test on PostGIS.
PG_CLIENT := postgresql-client|postgresql-client-15|postgresql-client-16|postgresql-client-17|postgresql-client-18
TEST_DEBIAN_PACKAGES := chromium|chromium-browser nodejs npm poppler-utils $(PG_CLIENT)
# `make backup` / `make restore` on PostGIS: pg_dump and pg_restore (any installed version will do)
BACKUP_DEBIAN_PACKAGES := $(PG_CLIENT)
# The benchmarks in bench/ (`make bench-tools`): wrk drives the HTTP load of bench/open311_peer.py
BENCH_DEBIAN_PACKAGES := wrk
quoted = $(foreach word,$(1),'$(word)')
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po */locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test setup system system-test print-system-packages bench-tools node python migrate demo messages makemessages static lint format clean help backup restore

help:
	@echo "make run    set up (Debian packages, .venv, migrations, demo data) and start web + worker + beat"
	@echo "make test   set up and run the whole test suite on the embedded defaults"
	@echo "make lint   ruff check and format check"
	@echo "make backup                  database + uploaded files into var/backups/okrsek-<timestamp>.tar.gz"
	@echo "make restore FILE=<archive>  put them back (stop web, worker and beat first)"

run: setup demo
	@$(PY) scripts/run-summary.py
	@$(VENV)/bin/honcho start -f Procfile

test: setup system-test node
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: system python messages migrate

# --- Debian packages: install only what is missing (scripts/apt-install; "a|b": a, or b where there is no a)
system: var/.system-ok
var/.system-ok: Makefile scripts/apt-install
	@bash scripts/apt-install $(call quoted,$(DEBIAN_PACKAGES))
	@mkdir -p var && touch $@

system-test: var/.system-test-ok
var/.system-test-ok: Makefile scripts/apt-install
	@bash scripts/apt-install $(call quoted,$(TEST_DEBIAN_PACKAGES))
	@mkdir -p var && touch $@

# What scripts/check-system-tools.py compares the programs called by the code and the tests against.
print-system-packages:
	@echo $(call quoted,$(DEBIAN_PACKAGES) $(TEST_DEBIAN_PACKAGES) $(BACKUP_DEBIAN_PACKAGES) $(BENCH_DEBIAN_PACKAGES))

# What the benchmarks in bench/ need besides the test set-up (docs/performance.md says how to run each)
bench-tools: setup system-test
	@bash scripts/apt-install $(call quoted,$(BENCH_DEBIAN_PACKAGES))

# --- Backups (scripts/backup.py): the database (SpatiaLite file, or pg_dump with DATABASE_URL=postgis://…)
# and MEDIA_ROOT in one archive. pg_dump/pg_restore are installed only where PostGIS is used.
backup: python
	@if [ "$$($(PY) scripts/backup.py engine)" = postgresql ]; then bash scripts/apt-install $(call quoted,$(BACKUP_DEBIAN_PACKAGES)); fi
	$(PY) scripts/backup.py backup

restore: python
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/okrsek-<timestamp>.tar.gz"; exit 2; }
	@if [ "$$($(PY) scripts/backup.py engine)" = postgresql ]; then bash scripts/apt-install $(call quoted,$(BACKUP_DEBIAN_PACKAGES)); fi
	$(PY) scripts/backup.py restore "$(FILE)"

# --- Node: axe-core for the browser accessibility tests, exactly as package-lock.json pins it
node: node_modules/axe-core/axe.min.js
node_modules/axe-core/axe.min.js: package.json package-lock.json | var/.system-test-ok
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- Python: a .venv on Debian's python3, whose sqlite3 can load SpatiaLite
python: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml requirements.lock
	@bash scripts/find-python.sh > /dev/null
	@if [ ! -x $(PY) ]; then $$(bash scripts/find-python.sh) -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@touch $@

# --- Translations: compiled from the .po files
messages: $(MO_FILES)
%/LC_MESSAGES/django.mo: %/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

# Extract the marked strings into the catalogues: the project's (locale/) and each app's own (<app>/locale/).
# APP=workshops limits it to one app's catalogue.
LANGS := -l cs -l pl -l en -l nb
makemessages: python
ifdef APP
	$(PY) scripts/makemessages-app.py $(APP)
else
	DEBUG=1 $(PY) manage.py makemessages $(LANGS) --no-obsolete --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests --ignore=bench
endif

migrate: python
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0

demo: migrate
	@$(PY) manage.py seed_demo -v 0

static: python
	$(PY) manage.py collectstatic --no-input -v 0

lint: python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: python
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/okrsek.sqlite3 var/celery var/static var/.system-ok var/.system-test-ok
