# Banli — two commands: `make run` and `make test`. Everything installs into .venv from
# requirements.lock (pinned, hash-checked), so a fresh machine needs only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)

.PHONY: run test lint format lock venv demo migrate messages bench clean screenshots check-rendering

venv: $(STAMP)

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Banli needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Letters are set in the fonts Banli carries; WeasyPrint still needs Pango from the system:
# checked before anything starts, saying what to install (the worker checks again at start).
check-rendering: venv
	@$(PY) manage.py check_rendering

run: check-rendering demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Banli: http://127.0.0.1:8000/  (Ctrl-C stops web, worker and beat)"
	@echo "提出人 (proposers): http://127.0.0.1:8000/me/sign-in/  — the SMS codes are written to var/sms.log"
	$(BIN)/honcho start -f Procfile

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks on PostgreSQL (a fresh database named banli_bench); figures in bench/results/.
bench: venv
	$(PY) -m bench.run $(BENCH_ARGS)

# Refresh the screenshots under docs/screenshots from the browser tests.
screenshots: venv
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/browser -q
	LETTERS_DIR=docs/letters $(BIN)/pytest tests/responses/test_letters.py -q

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-resolve the lock after changing pyproject.toml (developers only; uv is a dev dependency).
lock: venv
	$(BIN)/uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 \
		--no-header -o requirements.lock

# Refresh the English catalogue after adding strings (msgids are the Chinese text); the
# compiled .mo is committed so a fresh machine needs no gettext tools.
messages: venv
	$(PY) manage.py makemessages -l en --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='tests/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) var
