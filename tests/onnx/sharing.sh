#!/usr/bin/env bash
# The onnx plugin's fast paths give the reference path's numbers (every sequence alone, from scratch) within 1e-4 nats
# in both modes: with past key/values (prefix once, questions, then options, from copies of the cache), the same with a
# num_logits_to_keep input (only the needed logits columns), and, for a model exported without past inputs or
# position_ids, batched whole sequences.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; EXPORT="$5"
rm -rf "$WORK"; mkdir -p "$WORK/nopast" "$WORK/keep"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 11 --type f32 --onnx
cp "$WORK/tiny.gguf" "$WORK/nopast/tokenizer.gguf"   # the other place the plugin looks for its tokenizer
"$EXPORT" "$WORK/tiny.gguf" "$WORK/nopast/model.onnx" --no-past --no-position-ids
"$EXPORT" "$WORK/tiny.gguf" "$WORK/keep/model.onnx" --logits-to-keep
cp "$WORK/tiny.gguf" "$WORK/keep/model.gguf"
common=(--data "$DATA" --plugin-path "$PLUGINS" --plugin onnx --threads 1 --no-report --tasks x_csqa,x_copa --langs en,ja)
compare() { "$CLIKA_PYTHON" "$(dirname "$0")/../run/compare_runs.py" "$@" --tolerance 1e-4 --min-questions 96; }
for mode in loglik letter; do
  "$CLIKA" run "${common[@]}" --model "$WORK/tiny.onnx" --mode "$mode" --limit 24 --chunk 10 --out "$WORK/shared-$mode"
  "$CLIKA" run "${common[@]}" --model "$WORK/tiny.onnx" --mode "$mode" --limit 24 --no-share --out "$WORK/reference-$mode"
  "$CLIKA" run "${common[@]}" --model "$WORK/nopast/model.onnx" --mode "$mode" --limit 24 --chunk 10 --batch 256 --parallel 8 --out "$WORK/nopast-$mode"
  "$CLIKA" run "${common[@]}" --model "$WORK/keep/model.onnx" --mode "$mode" --limit 24 --chunk 10 --out "$WORK/keep-$mode"
  compare "$WORK/shared-$mode" "$WORK/reference-$mode"
  compare "$WORK/keep-$mode" "$WORK/reference-$mode"
  compare "$WORK/nopast-$mode" "$WORK/reference-$mode"
done
# the model without past inputs really took the whole-sequence path
"$CLIKA" run "${common[@]}" --model "$WORK/nopast/model.onnx" --mode letter --limit 2 --out "$WORK/nopast-count" 2> "$WORK/nopast-count.log"
grep -q "prefix reused 0 times" "$WORK/nopast-count.log" || { cat "$WORK/nopast-count.log"; exit 1; }
