#!/usr/bin/env bash
# A run with base model + random LoRA adapter (llama.cpp applies it at run time) equals a run on the model with the
# adapter merged into its weights (W + scale x alpha/rank x B A, written by clika) within 1e-3 nats -- and differs from
# the base model alone, so the adapter is really applied. F32 weights: F16 rounding of merged weights would be noise.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
COMPARE="$(dirname "$0")/../run/compare_runs.py"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/base.gguf" --seed 21 --type f32 --lora-out "$WORK/adapter.gguf" --lora-rank 8 --lora-seed 4 \
  --merged-out "$WORK/merged.gguf" --merge-scale 0.5
# One thread: with several, ggml's OpenMP workers spin between the many small decodes and a busy machine runs 10x slower.
common=(--data "$DATA" --plugin-path "$PLUGINS" --threads 1 --no-report)
mc=(--tasks x_geo,x_copa --langs en,ja --limit 12 --mode loglik)
fictional=(--tasks fictional --langs en,zh --limit 3 --fictional-mode choice)
declare -A min_questions=([mc]=48 [fictional]=12)
for what in mc fictional; do
  declare -n args="$what"
  "$CLIKA" run "${common[@]}" "${args[@]}" --model "$WORK/base.gguf" --lora "$WORK/adapter.gguf" --lora-scale 0.5 --out "$WORK/$what-lora"
  "$CLIKA" run "${common[@]}" "${args[@]}" --model "$WORK/merged.gguf" --out "$WORK/$what-merged"
  "$CLIKA" run "${common[@]}" "${args[@]}" --model "$WORK/base.gguf" --out "$WORK/$what-base"
  "$CLIKA_PYTHON" "$COMPARE" "$WORK/$what-lora" "$WORK/$what-merged" --tolerance 1e-3 --min-questions "${min_questions[$what]}"
  if "$CLIKA_PYTHON" "$COMPARE" "$WORK/$what-lora" "$WORK/$what-base" --tolerance 1e-2 > "$WORK/$what-base.txt" 2>&1; then
    echo "the adapter changed nothing: $(cat "$WORK/$what-base.txt")"; exit 1
  fi
done
echo "base + adapter = merged model within 1e-3 nats; the base model alone differs"
