#!/usr/bin/env bash
# Issue 26's measurement, whole: clika's llama.cpp plugin against llama.cpp's own tools on the same GGUF and threads.
#   1. `clika run` (loglik, letter) against `llama-perplexity --multiple-choice` on the same x_csqa en one-shot prompts
#      (wall seconds, model load included), and whether both programs make the same decision on every question;
#   2. `clika bench`'s evaluated tokens/s against `llama-bench -p 512` prompt processing (the CPU's ceiling).
# Models: the random 134M LLaMA in F16 and its Q8_0 and Q4_K_M copies (llama-quantize of the same tree). Both sides of
# every ratio run in the same round, one after the other; ROUNDS rounds, best of them kept; `uptime`'s load average is
# printed beside each round, so figures taken on a busy machine say so.
#
# usage: benchmarks/throughput.sh [DATA_DIR] [N_QUESTIONS] [THREADS] [ROUNDS] [MODELS]
#   MODELS: any of "f16 q8_0 q4_k_m" (default all three)
# needs: build/bin/clika and build/lib/libclika_llamacpp.so; the llama.cpp tools are built by build_llama_tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${CLIKA_DATA:-../shared/clika-data}}"
N="${2:-200}"
THREADS="${3:-2}"
ROUNDS="${4:-2}"
MODELS="${5:-f16 q8_0 q4_k_m}"
WORK=build/bench-perplexity
TOOLS=build/llama-tools
mkdir -p "$WORK"
bash benchmarks/build_llama_tools.sh build

F16="$WORK/llama134m-f16.gguf"
[[ -f "$F16" ]] || build/bin/clika make-model --out "$F16" --seed 134 --dim 768 --layers 12 --heads 12 --kv-heads 12 --ff 2048 --untied --type f16
for q in q8_0 q4_k_m; do
  [[ -f "$WORK/llama134m-$q.gguf" ]] || "$TOOLS/llama-quantize" "$F16" "$WORK/llama134m-$q.gguf" "${q^^}" "$THREADS" > "$WORK/quantize-$q.log" 2>&1
done
build/bin/clika prompts --data "$DATA" --task x_csqa --lang en --shots 1 > "$WORK/prompts.jsonl"
python3 benchmarks/perplexity_tasks.py "$WORK/prompts.jsonl" "$DATA/x_csqa/en/validation.jsonl" x_csqa "$WORK/tasks.bin" --limit "$N"

timed() {  # timed NAME command...: wall seconds into $WORK/NAME.time, CPU (user + sys) into NAME.cpu, output into NAME.log
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$WORK/$name.times" "$@" > "$WORK/$name.log" 2>&1
  read -r wall user sys < "$WORK/$name.times"
  echo "$wall" > "$WORK/$name.time"
  echo "$user + $sys" | bc > "$WORK/$name.cpu"
}
best() {  # best NAME VALUE: keep the smallest value seen for NAME (file $WORK/best-NAME)
  local f="$WORK/best-$1"
  if [[ ! -f "$f" ]] || (( $(echo "$2 < $(cat "$f")" | bc) )); then echo "$2" > "$f"; fi
}
best_max() {
  local f="$WORK/best-$1"
  if [[ ! -f "$f" ]] || (( $(echo "$2 > $(cat "$f")" | bc) )); then echo "$2" > "$f"; fi
}
rm -f "$WORK"/best-*

for round in $(seq 1 "$ROUNDS"); do
  for m in $MODELS; do
    model="$WORK/llama134m-$m.gguf"
    echo "== round $round, $m: load $(uptime | sed 's/.*load average: //')"
    timed "ppl-$m" "$TOOLS/llama-perplexity" -m "$model" --multiple-choice -bf "$WORK/tasks.bin" -t "$THREADS" -c 512 -np 16 -b 2048 -ub 512
    best "ppl-$m" "$(cat "$WORK/ppl-$m.time")"
    best "cpu-ppl-$m" "$(cat "$WORK/ppl-$m.cpu")"
    line="llama-perplexity $(cat "$WORK/ppl-$m.time") s (cpu $(cat "$WORK/ppl-$m.cpu") s)"
    for mode in loglik letter; do
      rm -rf "$WORK/run-$m-$mode"
      timed "clika-$m-$mode" build/bin/clika run --data "$DATA" --model "$model" --tasks x_csqa --langs en --limit "$N" --mode "$mode" \
        --threads "$THREADS" --no-report --out "$WORK/run-$m-$mode"
      best "clika-$m-$mode" "$(cat "$WORK/clika-$m-$mode.time")"
      best "cpu-clika-$m-$mode" "$(cat "$WORK/clika-$m-$mode.cpu")"
      line+=", clika $mode $(cat "$WORK/clika-$m-$mode.time") s (cpu $(cat "$WORK/clika-$m-$mode.cpu") s)"
    done
    echo "$line"
    "$TOOLS/llama-bench" -m "$model" -p 512 -n 0 -t "$THREADS" -b 512 -ub 512 -r 3 -o csv > "$WORK/llama-bench-$m.csv" 2> /dev/null
    ceiling=$(python3 -c 'import csv, sys; print(next(csv.DictReader(open(sys.argv[1])))["avg_ts"])' "$WORK/llama-bench-$m.csv")
    best_max "ceiling-$m" "$ceiling"
    build/bin/clika bench --data "$DATA" --model "$model" --mode loglik --threads "$THREADS" --batch 512 --limit "$N" --chunk 32 --seconds 3 --repetitions 2 \
      --ceiling "$ceiling" --format json > "$WORK/bench-$m.json" 2> /dev/null
    read -r eps share < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["evaluated_tokens_per_s"]["max"], r["ceiling"]["evaluated_share"]["max"])' "$WORK/bench-$m.json")
    best_max "eps-$m" "$eps"
    echo "llama-bench pp512 $ceiling tokens/s, clika bench loglik evaluated $eps tokens/s ($(printf %.1f "$(echo "100 * $share" | bc -l)")%)"
  done
done

echo "== best of $ROUNDS rounds, $N questions, $THREADS threads (load now: $(uptime | sed 's/.*load average: //'))"
# wall: what a user waits for; cpu (user + sys seconds): less sensitive to other work on the machine, but it counts
# the spin-waiting of llama.cpp's OpenMP threads, which grows when they do not each hold a core.
printf "%-8s %10s %10s %10s %9s %9s %9s %9s %12s %12s %7s\n" model ppl_s loglik_s letter_s loglik_x letter_x cpu_lgl_x cpu_let_x pp512_tok/s clika_tok/s share
for m in $MODELS; do
  p=$(cat "$WORK/best-ppl-$m"); l=$(cat "$WORK/best-clika-$m-loglik"); t=$(cat "$WORK/best-clika-$m-letter")
  pc=$(cat "$WORK/best-cpu-ppl-$m"); lc=$(cat "$WORK/best-cpu-clika-$m-loglik"); tc=$(cat "$WORK/best-cpu-clika-$m-letter")
  c=$(cat "$WORK/best-ceiling-$m"); e=$(cat "$WORK/best-eps-$m")
  printf "%-8s %10s %10s %10s %9s %9s %9s %9s %12.1f %12.1f %6.1f%%\n" "$m" "$p" "$l" "$t" "$(echo "scale=2; $p / $l" | bc)" "$(echo "scale=2; $p / $t" | bc)" \
    "$(echo "scale=2; $pc / $lc" | bc)" "$(echo "scale=2; $pc / $tc" | bc)" \
    "$c" "$e" "$(echo "100 * $e / $c" | bc -l)"
done

echo "== same decisions (llama-perplexity's running accuracy against clika loglik under its rule, highest mean log-prob per token)"
for m in $MODELS; do
  python3 benchmarks/perplexity_agreement.py "$WORK/ppl-$m.log" "$WORK/run-$m-loglik/x_csqa/en/predictions.jsonl" "$m"
done
