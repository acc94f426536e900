# Set-up, run, test and benchmark the Neural Network Playground.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast lint bench screenshots clean fuzz

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

run: setup
	$(VENV)/bin/nn-playground

lint: setup
	$(VENV)/bin/ruff check playground tests benchmarks packaging
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test-fast: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not slow"

# The loader properties (tests/property, the pad's image loader, the window's start), "fuzz" hypothesis profile:
# 4,000 cases a property (400 for the window's start, a window each) instead of make test's 60 (6), under an
# 8 GiB address-space cap; minutes.
fuzz: setup
	ulimit -v 8388608 2>/dev/null; NN_PLAYGROUND_HYPOTHESIS=fuzz QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q \
		tests/property tests/gui/draw/test_image_properties.py tests/gui/test_start_properties.py \
		--hypothesis-show-statistics

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

screenshots: setup
	for s in packaging/make_*screenshots.py; do echo "== $$s"; QT_QPA_PLATFORM=offscreen $(PY) $$s || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# --- Packaging: the installed wheel, desktop integration, the frozen bundle ---------------------------
.PHONY: wheel-check install-desktop uninstall-desktop validate-desktop bundle

wheel-check: setup
	bash packaging/wheel_check.sh $(PY)

install-desktop: setup
	$(PY) -m playground.desktop install

uninstall-desktop: setup
	$(PY) -m playground.desktop uninstall

validate-desktop:
	desktop-file-validate playground/resources/desktop/*.desktop
	appstreamcli validate --no-net playground/resources/desktop/*.metainfo.xml

bundle: setup
	$(PY) -m pip install -q -e ".[bundle]"
	$(PY) packaging/bundle.py
