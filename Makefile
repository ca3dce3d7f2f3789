# Okno OMS. `make demo` runs it; `make test` checks it. Both install what they need into .venv.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint install browser lock messages migrate clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright's own download cannot work offline).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	OKNO_PROFILE=test DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run >/dev/null

test: lint browser
	# Fixed hash seed: parametrized cases built from sets collect in the same order on every xdist worker.
	PYTHONHASHSEED=0 $(VENV)/bin/pytest -n 2 --dist loadfile -q

demo: $(STAMP)
	$(PY) -m oms.demo

migrate: $(STAMP)
	$(PY) manage.py migrate

messages: $(STAMP)
	cd $(CURDIR) && OKNO_PROFILE=dev $(PY) manage.py makemessages -l ru --ignore '.venv/*' --ignore 'tests/*' && OKNO_PROFILE=dev $(PY) manage.py compilemessages --ignore '.venv/*'

lock:
	rm -rf /tmp/okno-lock && $(PYTHON) -m venv /tmp/okno-lock && /tmp/okno-lock/bin/pip install -q '.[dev]' && /tmp/okno-lock/bin/pip freeze --exclude okno > requirements.lock

clean:
	rm -rf $(VENV) var staticfiles
