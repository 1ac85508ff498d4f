#!/usr/bin/env bash
# Fresh machine to green tests: install dependencies, configure, build everything, run CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/install-cuda.sh   # nvcc + cuBLAS from NVIDIA's PyPI wheels into build/_deps/cuda, for cuda_native
bash scripts/python-venv.sh build/venv   # the one Python of the Python tests and module (pinned, hash-checked)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCLIKA_PYTHON="$PWD/build/venv/bin/python" \
  -DCLIKA_LM_EVAL_PYTHON="$PWD/build/venv-lmeval/bin/python"
# lm-evaluation-harness for the `--model clika` tests (~760 MB, ~4 min of downloads here): made while the build runs.
bash scripts/python-venv.sh build/venv-lmeval lm-eval > build/venv-lmeval.log 2>&1 &
lm_eval_venv=$!
cmake --build build -j2
wait "$lm_eval_venv" || { cat build/venv-lmeval.log >&2; echo "scripts/python-venv.sh build/venv-lmeval lm-eval failed" >&2; exit 1; }
ctest --test-dir build -j2 --output-on-failure --timeout 1200
bash scripts/ci-hardening.sh   # sanitizer build + fuzzing (build-asan/, build-fuzz/)
