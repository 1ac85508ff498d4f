#!/usr/bin/env bash
# Prefix sharing and batching must not change the numbers: a shared run equals the reference path (no reuse,
# one sequence at a time) within 1e-4 nats, in both scoring modes.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 7 --type f32  # F16 weights round activations to F16: noise, not sharing
common=(--data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --no-report)
for mode in loglik letter; do
  "$CLIKA" run "${common[@]}" --mode "$mode" --tasks x_csqa,x_copa --langs en,ja --limit 24 --chunk 10 --out "$WORK/shared-$mode"
  "$CLIKA" run "${common[@]}" --mode "$mode" --tasks x_csqa,x_copa --langs en,ja --limit 24 --chunk 10 --no-share --out "$WORK/reference-$mode"
  "$CLIKA_PYTHON" "$(dirname "$0")/compare_runs.py" "$WORK/shared-$mode" "$WORK/reference-$mode" --tolerance 1e-4 --min-questions 96
done
# Small forward passes with few parallel sequences (one question per pass): still the same numbers.
"$CLIKA" run "${common[@]}" --mode loglik --tasks x_csqa --langs en --limit 12 --batch 128 --parallel 6 --out "$WORK/small-batch"
"$CLIKA" run "${common[@]}" --mode loglik --tasks x_csqa --langs en --limit 12 --no-share --out "$WORK/small-reference"
"$CLIKA_PYTHON" "$(dirname "$0")/compare_runs.py" "$WORK/small-batch" "$WORK/small-reference" --tolerance 1e-4 --min-questions 12
