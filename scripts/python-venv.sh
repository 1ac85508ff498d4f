#!/usr/bin/env bash
# The one Python interpreter of the tests: a venv (default build/venv) holding exactly python/requirements/test.txt
# (pinned, hash-checked). Prints nothing but pip's complaints; a no-op when the venv already holds that file.
# Usage: scripts/python-venv.sh [VENV_DIR]     (interpreter: $CLIKA_BASE_PYTHON, default /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${1:-build/venv}"
requirements=python/requirements/test.txt
base="${CLIKA_BASE_PYTHON:-/usr/bin/python3}"

# The stamp is the requirements file itself: an edit to it rebuilds the venv from scratch.
if [[ -x "$venv/bin/python" ]] && cmp -s "$requirements" "$venv/clika-requirements.txt"; then
  exit 0
fi
rm -rf "$venv"
"$base" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes --only-binary :all: \
  -r "$requirements"
cp "$requirements" "$venv/clika-requirements.txt"
