# SmartUnion — the two commands a new user needs:
#   make demo   run the product with a realistic demo university (SQLite, no set-up)
#   make test   run the whole test suite (installs Chromium and a CJK font through apt when root)
# Everything else here serves those two.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
MEMBERS ?= 3000
PYTEST_ARGS ?= -n 2

.PHONY: demo test lint format run worker install install-dev system-test-deps demo-reset vendor messages clean

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --members $(MEMBERS)
	HOST=$(HOST) PORT=$(PORT) scripts/run_demo.sh

demo-reset:
	rm -f var/smartunion.sqlite3 var/smartunion.sqlite3-wal var/smartunion.sqlite3-shm
	$(MAKE) demo

test: install-dev system-test-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy smartunion config
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_translations.py

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

run: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker

messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(PY) scripts/check_translations.py --compile

vendor:
	scripts/vendor_assets.sh

# -- installation ----------------------------------------------------------------------------------
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "SmartUnion needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing python3-venv…"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else echo "Cannot create a virtualenv: install the python3-venv package (sudo apt install python3-venv)."; exit 1; fi; }
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline) and need
# a CJK font so Chinese renders instead of boxes. Installed through apt when running as root.
system-test-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk\|wqy'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium and a CJK font for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	else echo "Note: /usr/bin/chromium or a CJK font is missing and this is not root: browser tests will be skipped (sudo apt install chromium fonts-wqy-zenhei)."; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
