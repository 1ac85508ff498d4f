#!/usr/bin/env bash
# Fresh machine to the paper's table: install dependencies, build the CLI, score LLaMA-13B's published predictions.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA="${CLIKA_DATA:-../shared/clika-data}"
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target clika -j2
build/bin/clika score --data "$DATA" --model llama_13b
