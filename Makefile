# helpdesk-intake: `make run` opens the app, `make test` runs the whole suite.
# Both create .venv and install the app (with its test tools) on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: run display test test-slow test-deep lint bench bench-smoke dist dist-smoke screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "helpdesk-intake needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# the display check comes first: without one, nothing is installed before saying so
run: display $(STAMP)
	$(VENV)/bin/helpdesk-intake $(ARGS)

display:
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY$$QT_QPA_PLATFORM" ] && [ "$$(uname)" = "Linux" ]; then \
	  echo "No display found: run 'xvfb-run -a make run' or 'QT_QPA_PLATFORM=offscreen make run'."; exit 1; fi

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

# The long attack loops (kills, races, crash loop), with the same fixed examples as `make test`;
# .ci/run runs them too.
test-slow: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m slow $(PYTEST_ARGS)

# A deep property run with fresh random examples (1,000 a test): for a developer or a nightly job,
# not CI, so that a landing never depends on which examples a run happened to draw.
test-deep: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m hypothesis --hypothesis-profile=deep $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop tests bench

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench $(BENCH_ARGS)

dist: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean build.spec

# Build the bundle and run it as a user would (CLI, self-check, GUI offscreen): .ci/bundle-smoke.sh
dist-smoke: $(STAMP)
	.ci/bundle-smoke.sh

clean:
	rm -rf build dist .pytest_cache .ruff_cache
