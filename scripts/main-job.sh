#!/usr/bin/env bash
# Fresh machine to a full CLiKA report: install dependencies, build clika and its llama.cpp plugin, make the bundled
# tiny test model (deterministic from its seed), run all four tasks in all ten languages, print the report.
# Then score LLaMA-13B's published predictions, which reproduces the paper's Tables 5-7.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA="${CLIKA_DATA:-../shared/clika-data}"
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target clika clika_llamacpp -j2

mkdir -p build/models
[[ -f build/models/tiny.gguf ]] || build/bin/clika make-model --out build/models/tiny.gguf --seed 1
build/bin/clika run --data "$DATA" --model build/models/tiny.gguf --out build/runs/tiny --threads "$(nproc)"

echo
build/bin/clika score --data "$DATA" --model llama_13b
