# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Tests run against the machine's PostgreSQL and Redis (override with the environment).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ogi
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: run test install install-test lint format browser-deps migrate bench bench-deps

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/activate pyproject.toml
	$(PIP) install --quiet .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser-deps

# Debian's chromium for the browser tests, LibreOffice and CJK fonts for letter checks,
# poppler-utils (pdftotext, pdftoppm) to read released PDFs back.
# Never `playwright install`: it downloads a browser build, which this network refuses.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v soffice >/dev/null || [ ! -d /usr/share/fonts/opentype/noto ] || ! command -v pdftotext >/dev/null || ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils; \
		else sudo apt-get update -q && sudo apt-get install -y -q chromium libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils; fi; \
	fi
	@# pg_dump / pg_restore for the backup commands and the restore drill (issue 18).
	@if ! command -v pg_dump >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -q postgresql-client; \
		else sudo apt-get install -y -q postgresql-client; fi; \
	fi
	@# The official fonts (仿宋, 小标宋…) map to Noto Serif CJK, not a sans fallback (fc-match 仿宋).
	@if [ -d /etc/fonts/conf.d ] && ! cmp -s deploy/fonts/65-ogi-official-fonts.conf /etc/fonts/conf.d/65-ogi-official-fonts.conf; then \
		if [ "$$(id -u)" = 0 ]; then install -m 644 deploy/fonts/65-ogi-official-fonts.conf /etc/fonts/conf.d/ && fc-cache -f; \
		else sudo install -m 644 deploy/fonts/65-ogi-official-fonts.conf /etc/fonts/conf.d/ && sudo fc-cache -f; fi; \
	fi

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  打开 http://127.0.0.1:8000/  (管理后台 /admin/)"
	@echo "  演示账号 clerk / handler / approver / supervisor / lawyer / admin，密码 demo-pass-2026"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

test: install-test
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	CELERY_EAGER=true FAST_PASSWORD_HASHER=true \
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the layers (.importlinter, issue 12)

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# --- benchmarks (issue 15): nginx for the full-stack load test (bench/load/run.py) ----------
bench-deps: install-test
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q nginx-light; \
		else sudo apt-get update -q && sudo apt-get install -y -q nginx-light; fi; \
	fi
