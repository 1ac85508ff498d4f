#!/usr/bin/env bash
# The cuda_native plugin against the llama.cpp plugin on the same tiny F32 GGUF: per-option scores within 1e-3 nats and
# the same predicted letters (compare_runs.py; near-ties excepted), in letter and loglik mode; and cuda_native's
# prefix-sharing path against its own reference path within 1e-4.
#
# usage: model_matches_llamacpp.sh CLIKA DATA WORK PLUGIN_DIR gpu|cpu [LIMIT] [TASK] [LANG]
#   gpu  the real thing; exits 77 (CTest: skipped) when the plugin finds no CUDA device
#   cpu  the same plugin with CLIKA_CUDA_NATIVE_CPU=1: its forward pass on the CPU reference operations
#   LIMIT questions (0: all of TASK/LANG; default 0), TASK default x_csqa, LANG default en
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; WHERE="$5"; LIMIT="${6:-0}"; TASK="${7:-x_csqa}"; LANG_="${8:-en}"
HERE="$(cd "$(dirname "$0")" && pwd)"
COMPARE="$HERE/../run/compare_runs.py"
rm -rf "$WORK"; mkdir -p "$WORK"
if [[ "$WHERE" == cpu ]]; then export CLIKA_CUDA_NATIVE_CPU=1; else unset CLIKA_CUDA_NATIVE_CPU; fi

"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 7 --type f32 >/dev/null
common=(--data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --no-report --tasks "$TASK" --langs "$LANG_" --threads 1)

# Does the plugin open here at all?
if ! "$CLIKA" run "${common[@]}" --plugin cuda_native --mode letter --limit 1 --out "$WORK/probe" 2>"$WORK/probe.err"; then
  if grep -q "no CUDA device" "$WORK/probe.err"; then
    echo "SKIP: $(grep -m1 -o 'no CUDA device.*' "$WORK/probe.err")"
    exit 77
  fi
  cat "$WORK/probe.err" >&2
  exit 1
fi

expected=$LIMIT
[[ "$LIMIT" == 0 ]] && expected=1
for mode in letter loglik; do
  "$CLIKA" run "${common[@]}" --plugin llamacpp --mode "$mode" --limit "$LIMIT" --out "$WORK/llamacpp-$mode"
  "$CLIKA" run "${common[@]}" --plugin cuda_native --mode "$mode" --limit "$LIMIT" --out "$WORK/cuda-$mode"
  "$CLIKA" run "${common[@]}" --plugin cuda_native --mode "$mode" --limit "$LIMIT" --no-share --out "$WORK/cuda-reference-$mode"
  echo "$mode: cuda_native ($WHERE) vs llama.cpp"
  "$CLIKA_PYTHON" "$COMPARE" "$WORK/cuda-$mode" "$WORK/llamacpp-$mode" --tolerance 1e-3 --min-questions "$expected"
  echo "$mode: cuda_native shared prefix vs its reference path"
  "$CLIKA_PYTHON" "$COMPARE" "$WORK/cuda-$mode" "$WORK/cuda-reference-$mode" --tolerance 1e-4 --min-questions "$expected"
done
