# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint typecheck check lock messages demo clean bench worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) install -r requirements.txt -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: browser accessibility checks will be skipped"; fi

## Serve the portal with demo data at http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Bawaba is at http://127.0.0.1:$(PORT)/ (Arabic), /ckb/ (Kurdish), /en/ (English)"
	@echo "  Admin: http://127.0.0.1:$(PORT)/en/admin/"
	@echo "  Messages the portal \"sent\" (SMS codes, e-mail): http://127.0.0.1:$(PORT)/en/dev/outbox/"
	@$(BIN)/python manage.py demo_accounts
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Run the whole test suite (set DATABASE_URL / REDIS_URL to test against PostgreSQL and Redis)
test: $(VENV)/.dev-installed node_modules/.installed
	BAWABA_ENV=test $(BIN)/python -m pytest -q $(PYTEST_ARGS)

## Celery workers and beat on Redis, as in production, restarted if they die (the embedded default needs none)
worker: $(VENV)/.runtime-installed
	bin/notifications_workers.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy bawaba config

check: lint typecheck
	$(BIN)/python manage.py makemigrations --check --dry-run

## Re-pin the lock files after editing requirements*.in
lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras requirements.in -o requirements.txt
	$(BIN)/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras requirements-dev.in -o requirements-dev.txt

## Extract and compile translations (needs GNU gettext)
messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages -l ar -l ckb --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: $(VENV)/.dev-installed
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules var
