#!/usr/bin/env bash
# The Python interpreters of the tests: venvs holding exactly pinned, hash-checked requirements files.
#   scripts/python-venv.sh [VENV_DIR]                    python/requirements/test.txt (default build/venv): the one
#                                                        Python of the module and the Python tests
#   scripts/python-venv.sh build/venv-lmeval lm-eval     python/requirements/lm-eval.txt: lm-evaluation-harness for the
#                                                        tests of `--model clika` (CMake's CLIKA_LM_EVAL_PYTHON)
# Prints nothing but pip's complaints; a no-op when the venv already holds those files.
# (interpreter: $CLIKA_BASE_PYTHON, default /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${1:-build/venv}"
profile="${2:-test}"
base="${CLIKA_BASE_PYTHON:-/usr/bin/python3}"
case "$profile" in
  test) requirements=(python/requirements/test.txt) ;;
  # lm-eval.txt needs a newer pip than Debian's 23.0 (it refuses dataproperty's typepy[datetime] extra with hashes), so
  # pip comes first, from its own hashed pins, with the setuptools that builds lm-eval's three sdist-only dependencies.
  lm-eval) requirements=(python/requirements/lm-eval-pip.txt python/requirements/lm-eval.txt) ;;
  *) echo "scripts/python-venv.sh: unknown requirements '$profile' (expected test or lm-eval)" >&2; exit 2 ;;
esac

# The stamp is the requirements files themselves: an edit to one rebuilds the venv from scratch.
if [[ -x "$venv/bin/python" ]] && cmp -s <(cat "${requirements[@]}") "$venv/clika-requirements.txt"; then
  exit 0
fi
rm -rf "$venv"
"$base" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes)
for file in "${requirements[@]}"; do
  if [[ "$file" == */lm-eval.txt ]]; then
    # Wheels only, but for the three packages PyPI has as sdists alone; they are built by the pinned setuptools already
    # installed (no build isolation: nothing unpinned is downloaded to build them).
    "${pip[@]}" --only-binary :all: --no-binary sqlitedict,word2number,rouge-score --no-build-isolation -r "$file"
  else
    "${pip[@]}" --only-binary :all: -r "$file"
  fi
done
cat "${requirements[@]}" > "$venv/clika-requirements.txt"
