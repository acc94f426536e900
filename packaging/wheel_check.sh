#!/usr/bin/env bash
# The installed app works: build the sdist and from it the wheel, install the wheel into a brand-new venv
# outside the checkout (CPU PyTorch first, as `make setup` does), and from an unrelated folder run
# --version, datasets, one epoch of training and the window (offscreen, until the sample model answers).
# Settings, data and cache live in a temporary HOME. Usage: packaging/wheel_check.sh [PYTHON]
set -euo pipefail
PY=${1:-.venv/bin/python}
case $PY in /*) ;; */*) PY="$PWD/$PY" ;; *) PY=$(command -v "$PY") ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nn-playground-wheel-check.XXXXXX")
START=$SECONDS
trap 'rm -rf "$WORK"; echo "wheel check: $((SECONDS - START)) s in all, with removing the venv"' EXIT
say() { printf 'wheel check: %s (%ss)\n' "$1" "$((SECONDS - START))"; }
skip() { printf '\n*** SKIPPED: wheel check: %s ***\n\n' "$1" >&2; exit 0; }

# 1. sdist, then the wheel built from the unpacked sdist (so the sdist is proven complete); no warnings.
"$PY" -m build --no-isolation --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; exit 1; }
if grep -i "deprecat" "$WORK/build.log"; then
    echo "wheel check: the build gave deprecation warnings (above)"; exit 1
fi
SDIST=$(ls "$WORK"/dist/*.tar.gz)
WHEEL=$(ls "$WORK"/dist/*.whl)
tar -tzf "$SDIST" >"$WORK/sdist.txt"
"$PY" -m zipfile -l "$WHEEL" >"$WORK/wheel.txt"
for member in LICENSE README.md CHANGELOG.md Makefile MANIFEST.in .ci/run tests/conftest.py \
              benchmarks/bench_startup.py packaging/wheel_check.sh \
              playground/resources/models/sample-cnn.safetensors; do
    grep -q "^[^/]*/$member\$" "$WORK/sdist.txt" || { echo "wheel check: the sdist lacks $member"; exit 1; }
done
for member in playground/resources/datasets/mnist-sample/train-images-idx3-ubyte.gz \
              playground/resources/models/sample-cnn.safetensors \
              playground/resources/icons/io.github.nn_playground.NNPlayground.svg \
              playground/resources/desktop/io.github.nn_playground.NNPlayground.desktop; do
    grep -q "^$member " "$WORK/wheel.txt" || { echo "wheel check: the wheel lacks $member"; exit 1; }
done
if grep -q "^tests/" "$WORK/wheel.txt"; then echo "wheel check: the wheel holds tests"; exit 1; fi
say "built $(basename "$SDIST") and $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) KiB)"

# 2. A brand-new venv: PyTorch's CPU build, then the wheel with its dependencies (pip's cache is reused).
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install -q torch==2.13.0 >"$WORK/pip.log" 2>&1 || { tail -5 "$WORK/pip.log" >&2; skip "torch==2.13.0 cannot be installed here (offline, no cached wheel?)"; }
if ! "$VPY" -m pip install -q "$WHEEL" >>"$WORK/pip.log" 2>&1; then
    "$VPY" -m pip install -q --no-deps "$WHEEL" || { tail -20 "$WORK/pip.log"; echo "wheel check: the wheel does not install"; exit 1; }
    tail -5 "$WORK/pip.log" >&2
    skip "the wheel's dependencies cannot be installed here (offline, no cached wheels?)"
fi
say "installed into a new venv (torch, then the wheel and its dependencies)"

# 3. From an unrelated folder, with a temporary home: the command line and the window.
mkdir -p "$WORK/elsewhere" "$WORK/home"
cd "$WORK/elsewhere"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
       XDG_CACHE_HOME="$WORK/home/.cache" NN_PLAYGROUND_DATA="$WORK/home/data" NN_PLAYGROUND_CACHE="$WORK/home/cache"
APP="$WORK/venv/bin/nn-playground"
VERSION=$("$PY" -c "import tomllib; print(tomllib.load(open('$ROOT/pyproject.toml', 'rb'))['project']['version'])")
[ "$("$APP" --version)" = "nn-playground $VERSION" ] || { "$APP" --version; echo "wheel check: wrong --version"; exit 1; }
"$APP" datasets >datasets.txt
grep -qE "^mnist-sample +available +$WORK/venv/" datasets.txt \
    || { cat datasets.txt; echo "wheel check: the bundled sample is not available from the wheel"; exit 1; }
"$APP" train --preset article-mlp --epochs 1 --json >train.json
"$VPY" -c "import json; r = json.load(open('train.json')); assert r['test_accuracy'] > 0.8, r; print('wheel check: one epoch on the bundled sample, test accuracy', r['test_accuracy'])"
QT_QPA_PLATFORM=offscreen NN_PLAYGROUND_EXIT_WHEN_READY=1 "$APP" >window.json 2>window.log \
    || { cat window.log window.json; echo "wheel check: the window did not open with the sample model answering"; exit 1; }
"$VPY" -c "import json; r = json.loads(open('window.json').read().splitlines()[-1]); print('wheel check: window shown, sample model read', r['sample_model_right'], 'of', r['sample_model_of'], 'bundled test digits')"
say "passed"
