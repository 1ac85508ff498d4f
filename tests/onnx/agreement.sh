#!/usr/bin/env bash
# Cross-backend agreement: the llama.cpp plugin on a tiny F32 GGUF and the onnx plugin on its ONNX copy (same weights,
# `clika make-model --onnx`) give per-option log-likelihoods within 1e-3 nats and identical predicted letters on every
# question of one task and language (default x_geo en, all 200; TASK=x_csqa for all 1000 of x_csqa en, ~4x longer),
# in both scoring modes. One thread: spin-waiting thread pools stall when ctest -j2 runs tests side by side.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
TASK="${TASK:-x_geo}"; LANG_="${LANG_:-en}"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 7 --type f32 --onnx   # F32: llama.cpp rounds activations to F16 for F16 weights
common=(--data "$DATA" --plugin-path "$PLUGINS" --threads 1 --no-report --tasks "$TASK" --langs "$LANG_")
for mode in loglik letter; do
  "$CLIKA" run "${common[@]}" --mode "$mode" --plugin llamacpp --model "$WORK/tiny.gguf" --out "$WORK/llamacpp-$mode"
  "$CLIKA" run "${common[@]}" --mode "$mode" --plugin onnx --model "$WORK/tiny.onnx" --out "$WORK/onnx-$mode"
  summary="$("$CLIKA_PYTHON" "$(dirname "$0")/../run/compare_runs.py" "$WORK/llamacpp-$mode" "$WORK/onnx-$mode" --tolerance 1e-3 --min-questions 100)"
  echo "$mode: $summary"
  # compare_runs.py forgives a different letter at a near-tie; this test wants every letter identical.
  [[ "$summary" =~ ^([0-9]+)\ questions.*\ ([0-9]+)\ identical\ letters$ ]] || { echo "unexpected summary"; exit 1; }
  [[ "${BASH_REMATCH[1]}" == "${BASH_REMATCH[2]}" ]] || { echo "$mode: only ${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} letters identical"; exit 1; }
done
