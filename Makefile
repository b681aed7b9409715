# Every target bootstraps .venv from a bare python3 on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo bench soak docs docs-serve codegen update-model clean compat compat-lowest

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,docs]'
	touch $(STAMP)

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy --strict ivsrt tests/typing examples bench

pytest: $(STAMP)
	$(PY) -m pytest -W error -q

demo: $(STAMP)
	$(PY) examples/quickstart.py --emulator

bench: $(STAMP)
	$(PY) bench/overhead.py

# Retries, idempotency, cancellation and sockets under injected faults (a few minutes; not part
# of `make test`, whose suite runs it smoke-sized). Prints one table; exit 1 if a target is missed.
soak: $(STAMP)
	$(PY) bench/soak.py

docs: $(STAMP)
	$(PY) -m mkdocs build --strict

docs-serve: $(STAMP)
	$(PY) -m mkdocs serve

codegen: $(STAMP)
	$(PY) -m tools.codegen

# Take the newest botocore release's ivs-realtime and ivs models (pip download, nothing
# installed), regenerate ivsrt/_generated, print what changed. VERSION=1.44.8 picks a release.
update-model: $(STAMP)
	$(PY) -m tools.codegen.update_model $(if $(VERSION),--version $(VERSION))

# The suite on the lowest supported aiobotocore (constraints-lowest.txt), in .venv-lowest.
LOW_VENV := .venv-lowest
compat-lowest:
	$(PYTHON) -m venv $(LOW_VENV)
	$(LOW_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOW_VENV)/bin/python -m pip install --quiet -c constraints-lowest.txt -e '.[dev]' aioboto3
	$(LOW_VENV)/bin/python -m pip check
	$(LOW_VENV)/bin/python -m pytest -W error -q -p no:cacheprovider --ignore=tests/docs

clean:
	rm -rf $(VENV) $(LOW_VENV) site .mypy_cache .ruff_cache .pytest_cache

# The suite on other Pythons the package claims (>=3.10). Each entry is a version (python3.10 on
# PATH) or an interpreter path. Not part of `make test` (a fresh machine may have only one
# python3); run it before a release, e.g. make compat COMPAT_PYTHONS="/opt/py310/bin/python".
COMPAT_PYTHONS ?= 3.10 3.12 3.13
compat:
	@for v in $(COMPAT_PYTHONS); do \
	  case $$v in */*) py=$$v ;; *) py=python$$v ;; esac; \
	  $$py -c "" 2>/dev/null || { echo "$$py not runnable, skipped"; continue; }; \
	  tag=$$($$py -c "import sys; print('%d.%d' % sys.version_info[:2])"); \
	  $$py -m venv .venv-$$tag && .venv-$$tag/bin/pip install --quiet -c constraints.txt '.[dev]' && \
	  .venv-$$tag/bin/python -m pytest -W error -q -p no:cacheprovider --ignore=tests/docs || exit 1; \
	done
