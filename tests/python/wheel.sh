#!/usr/bin/env bash
# `pip install` of this checkout, as a Python user does it: the wheel is built once (pyproject.toml, scikit-build-core,
# without build isolation: scikit-build-core and pybind11 come hash-checked from the tests' venv, $CLIKA_PYTHON), then
# installed with nothing else into a fresh venv. From there, with no CLIKA_* variable set: `clika` is on PATH and
# answers --help, `clika plugins` finds the bundled llamacpp and openai plugins, `clika make-model` finds its bundled
# vocab, a short `clika run` scores, and `import clika` is the installed module and reads that run.
# llama.cpp is not compiled again: the wheel links the libraries of LLAMA_PREBUILT (a build tree of this project).
# Usage: wheel.sh SOURCE_DIR LLAMA_PREBUILT DATA WORK WHEEL_BUILD_DIR
set -euo pipefail
SOURCE="$1"; LLAMA_PREBUILT="$2"; DATA="$3"; WORK="$4"; WHEEL_BUILD="$5"
rm -rf "$WORK"; mkdir -p "$WORK"
unset CLIKA_PLUGIN_PATH CLIKA_VOCAB_DIR
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"   # the CI machine has 2 cores

start=$SECONDS
CLIKA_LLAMA_CPP_PREBUILT="$LLAMA_PREBUILT" "$CLIKA_PYTHON" -m pip wheel --quiet --no-build-isolation --no-deps --no-index \
  --config-settings=build-dir="$WHEEL_BUILD" --wheel-dir "$WORK/dist" "$SOURCE"
echo "wheel built in $((SECONDS - start)) s: $(cd "$WORK/dist" && ls)"
wheel=("$WORK"/dist/clikabench-*.whl)
[[ -f ${wheel[0]} ]] || { echo "no clikabench wheel in $WORK/dist"; exit 1; }

"$CLIKA_PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --no-index --no-deps "${wheel[0]}"

# Only the fresh venv on PATH (and the system's tools); from a folder outside the checkout, so nothing of it is imported.
export PATH="$WORK/venv/bin:/usr/bin:/bin"
cd "$WORK"
[[ $(command -v clika) == "$WORK/venv/bin/clika" ]] || { echo "clika on PATH is $(command -v clika), not the venv's"; exit 1; }
clika --help | grep -q "make-model" || { echo "clika --help lists no make-model"; exit 1; }

clika plugins > plugins.txt
cat plugins.txt
for plugin in llamacpp openai; do
  grep -q "$WORK/venv/lib/clika/plugins/libclika_$plugin.so" plugins.txt || { echo "clika plugins did not find the bundled $plugin"; exit 1; }
done

# make-model looks for vocab files beside the installed command first (the path it names when one is missing).
if clika make-model --out none.gguf --vocab-name no-such-vocab 2> vocab.txt; then echo "a missing vocab was accepted"; exit 1; fi
grep -q "$WORK/venv/share/clika/vocab/ggml-vocab-no-such-vocab.gguf" vocab.txt || { cat vocab.txt; echo "make-model did not look in the wheel's vocab folder"; exit 1; }
clika make-model --out tiny.gguf --seed 1
clika run --data "$DATA" --model tiny.gguf --out run --tasks x_csqa --langs en --limit 5 --threads 2
python - "$WORK" <<'PY'
import json, os, subprocess, sys
import clika
work = sys.argv[1]
assert clika.__file__.startswith(os.path.join(work, "venv")), clika.__file__
report = clika.score_run(os.path.join(work, "run"), bootstrap=0)
cli = json.loads(subprocess.run(["clika", "score", "--run", os.path.join(work, "run"), "--bootstrap", "0", "--format", "json"],
                                check=True, capture_output=True, text=True).stdout)
assert report == cli, (report, cli)
assert report["tasks"]["x_csqa"]["en"]["questions"] == 5, report["tasks"]
assert len(report.correct["x_csqa"]["en"]) == 5, report.correct
print("import clika:", clika.__version__, "from", os.path.dirname(clika.__file__))
PY
echo "wheel test took $((SECONDS - start)) s"
