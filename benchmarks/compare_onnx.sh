#!/usr/bin/env bash
# The ONNX Runtime plugin vs the llama.cpp plugin on the same model (GGUF and its `make-model --onnx` copy, F32 weights
# in both), same threads, x_csqa en one-shot prompts: questions/s from `clika bench` (median of the repetitions), in
# both scoring modes, for the tiny test model and a random 134M LLaMA. "onnx+keep" is the same ONNX model with a
# num_logits_to_keep input (written by the test tool clika_onnx_export_variant when it is built), so that only the
# logits columns scoring needs are computed.
#
# usage: benchmarks/compare_onnx.sh [DATA_DIR] [THREADS] [SECONDS] [REPETITIONS]
# needs: build/bin/clika, build/lib/libclika_llamacpp.so and libclika_onnx.so (cmake --build build)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${CLIKA_DATA:-../shared/clika-data}}"
THREADS="${2:-2}"
SECONDS_="${3:-5}"
REPS="${4:-3}"
WORK=build/bench-onnx
mkdir -p "$WORK"

[[ -f "$WORK/tiny.onnx" ]] || build/bin/clika make-model --out "$WORK/tiny.gguf" --seed 7 --type f32 --onnx > /dev/null
[[ -f "$WORK/llama134m.onnx" ]] || build/bin/clika make-model --out "$WORK/llama134m.gguf" --seed 134 --dim 768 --layers 12 --heads 12 \
  --kv-heads 12 --ff 2048 --untied --type f32 --onnx > /dev/null

EXPORT=build/bin/clika_onnx_export_variant
variants=(llamacpp onnx)
if [[ -x "$EXPORT" ]]; then
  variants+=(onnx+keep)
  for model in tiny llama134m; do
    mkdir -p "$WORK/keep"
    [[ -f "$WORK/keep/$model.onnx" ]] || "$EXPORT" "$WORK/$model.gguf" "$WORK/keep/$model.onnx" --logits-to-keep > /dev/null
    ln -sf "../$model.gguf" "$WORK/keep/$model.gguf"
  done
fi

printf '%-10s %-7s %-9s %12s %12s %12s\n' model mode plugin "q/s median" min max
for model in tiny llama134m; do
  for mode in loglik letter; do
    for variant in "${variants[@]}"; do
      plugin="${variant%+keep}"
      case "$variant" in
        llamacpp) file="$WORK/$model.gguf" ;;
        onnx) file="$WORK/$model.onnx" ;;
        onnx+keep) file="$WORK/keep/$model.onnx" ;;
      esac
      build/bin/clika bench --data "$DATA" --plugin "$plugin" --model "$file" --mode "$mode" --threads "$THREADS" \
        --seconds "$SECONDS_" --repetitions "$REPS" --json "$WORK/$model-$mode-$variant.json" 2> /dev/null > /dev/null
      python3 - "$WORK/$model-$mode-$variant.json" "$model" "$mode" "$variant" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))["questions_per_s"]
print(f"{sys.argv[2]:<10} {sys.argv[3]:<7} {sys.argv[4]:<9} {q['median']:12.1f} {q['min']:12.1f} {q['max']:12.1f}")
PY
    done
  done
done
