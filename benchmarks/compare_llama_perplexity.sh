#!/usr/bin/env bash
# clika vs llama.cpp's own multiple-choice evaluator on the same random 134M LLaMA (F16, LLaMA SPM vocabulary),
# same threads, x_csqa en one-shot prompts: questions/s and per-question agreement.
#
# usage: benchmarks/compare_llama_perplexity.sh [DATA_DIR] [N_QUESTIONS] [THREADS]
# needs: build/bin/clika, build/lib/libclika_llamacpp.so (cmake --build build), llama-perplexity (built here).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${CLIKA_DATA:-../shared/clika-data}}"
N="${2:-200}"
THREADS="${3:-2}"
WORK=build/bench-perplexity
mkdir -p "$WORK"

cmake --build build --target llama-perplexity -j2 > /dev/null
PPL=$(find build -name llama-perplexity -type f -perm -u+x | head -n 1)
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

python3 - "$WORK" "$N" <<'PY'
import json, re, sys
work, n = sys.argv[1], int(sys.argv[2])
# llama-perplexity prints "<done>\t<running accuracy %>" after each question, in task order.
running = [(int(m.group(1)), float(m.group(2))) for m in re.finditer(r"^(\d+)\t([0-9.]+)$", open(f"{work}/perplexity.log").read(), re.M)]
correct_ppl, prev = [], 0
for done, acc in running:
    total = round(acc * done / 100)
    correct_ppl.append(total - prev)
    prev = total
lines = [json.loads(l) for l in open(f"{work}/run-loglik/x_csqa/en/predictions.jsonl", encoding="utf-8")]
mean = [[s / t for s, t in zip(l["scores"], l["n_tokens"])] for l in lines]
pick = ["ABCDE"[max(range(len(m)), key=m.__getitem__)] for m in mean]
correct_clika = [int(p == l["label"]) for p, l in zip(pick, lines)]
gaps = [sorted(m, reverse=True) for m in mean]
near_tie = [g[0] - g[1] < 1e-3 for g in gaps]
agree = sum(a == b for a, b in zip(correct_ppl, correct_clika))
agree_clear = sum(a == b for a, b, t in zip(correct_ppl, correct_clika, near_tie) if not t)
clear = sum(not t for t in near_tie)
print(f"per-question correctness (mean log-prob per token decision): {agree}/{len(lines)} agree; "
      f"{agree_clear}/{clear} where the top two options differ by >= 1e-3 nats/token")
print(f"accuracy: llama-perplexity {100 * sum(correct_ppl) / len(correct_ppl):.2f}%, clika {100 * sum(correct_clika) / len(correct_clika):.2f}%")
PY
