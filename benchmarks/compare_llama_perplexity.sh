#!/usr/bin/env bash
# clika vs llama.cpp's own multiple-choice evaluator on the same random 134M LLaMA (F16, LLaMA SPM vocabulary),
# same threads, x_csqa en one-shot prompts: questions/s and per-question agreement.
#
# usage: benchmarks/compare_llama_perplexity.sh [DATA_DIR] [N_QUESTIONS] [THREADS]
# needs: build/bin/clika, build/lib/libclika_llamacpp.so (cmake --build build); llama-perplexity is built here.
# benchmarks/throughput.sh does this and more (quantized models, llama-bench, best of rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${CLIKA_DATA:-../shared/clika-data}}"
N="${2:-200}"
THREADS="${3:-2}"
WORK=build/bench-perplexity
mkdir -p "$WORK"

bash benchmarks/build_llama_tools.sh build  # against the libraries clika links, also with CLIKA_LLAMA_CPP_PREBUILT
PPL=build/llama-tools/llama-perplexity
MODEL="$WORK/llama134m-f16.gguf"
[[ -f "$MODEL" ]] || build/bin/clika make-model --out "$MODEL" --seed 134 --dim 768 --layers 12 --heads 12 --kv-heads 12 --ff 2048 --untied --type f16

build/bin/clika prompts --data "$DATA" --task x_csqa --lang en --shots 1 > "$WORK/prompts.jsonl"
python3 benchmarks/perplexity_tasks.py "$WORK/prompts.jsonl" "$DATA/x_csqa/en/validation.jsonl" x_csqa "$WORK/tasks.bin" --limit "$N"

echo "== llama-perplexity --multiple-choice ($N questions, $THREADS threads, -c 512 -np 16 -b 2048 -ub 512)"
# Wall and CPU seconds: CPU time is the fairer measure when other work shares the machine.
/usr/bin/time -f "%e %U %S" -o "$WORK/perplexity.time" \
  "$PPL" -m "$MODEL" --multiple-choice -bf "$WORK/tasks.bin" -t "$THREADS" -c 512 -np 16 -b 2048 -ub 512 > "$WORK/perplexity.log" 2>&1
read -r ppl_seconds ppl_user ppl_sys < "$WORK/perplexity.time"
ppl_cpu=$(echo "$ppl_user + $ppl_sys" | bc)
echo "wall seconds: $ppl_seconds  cpu seconds: $ppl_cpu  ($(echo "scale=2; $N / $ppl_seconds" | bc) questions/s)"

for mode in loglik letter; do
  rm -rf "$WORK/run-$mode"
  echo "== clika run --mode $mode ($N questions, $THREADS threads)"
  /usr/bin/time -f "%e %U %S" -o "$WORK/clika-$mode.time" \
    build/bin/clika run --data "$DATA" --model "$MODEL" --tasks x_csqa --langs en --limit "$N" --mode "$mode" --threads "$THREADS" \
    --no-report --out "$WORK/run-$mode" 2> "$WORK/clika-$mode.log"
  read -r seconds user sys < "$WORK/clika-$mode.time"
  cpu=$(echo "$user + $sys" | bc)
  echo "wall seconds: $seconds  cpu seconds: $cpu  ($(echo "scale=2; $N / $seconds" | bc) questions/s)"
  echo "speed-up vs llama-perplexity: wall $(echo "scale=2; $ppl_seconds / $seconds" | bc)x, cpu $(echo "scale=2; $ppl_cpu / $cpu" | bc)x"
done

python3 benchmarks/perplexity_agreement.py "$WORK/perplexity.log" "$WORK/run-loglik/x_csqa/en/predictions.jsonl"
