#!/usr/bin/env bash
# On BPE vocabularies that merge ":A" (Llama 3, Qwen 2), the letter scores of a shared, batched run equal the
# log-likelihood of the same continuation computed independently on the plugin's reference path
# (clika_letter_reference_check), within 1e-4 nats.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; VOCABS="$5"; CHECK="$6"
rm -rf "$WORK"; mkdir -p "$WORK"
for vocab in llama-bpe qwen2; do
  "$CLIKA" make-model --out "$WORK/$vocab.gguf" --vocab "$VOCABS/ggml-vocab-$vocab.gguf" --seed 5 --type f32 > /dev/null
  "$CLIKA" run --data "$DATA" --model "$WORK/$vocab.gguf" --plugin-path "$PLUGINS" --threads 1 --no-report \
    --tasks x_geo,x_csqa,x_copa --langs en,zh,ar --limit 8 --chunk 5 --out "$WORK/run-$vocab"
  grep -q '"context_drops": ":"' "$WORK/run-$vocab/run.json" || { echo "$vocab: expected the context to drop \":\""; exit 1; }
  "$CHECK" "$PLUGINS/libclika_llamacpp.so" "$WORK/$vocab.gguf" "$WORK/run-$vocab" 1e-4
done
