#!/usr/bin/env bash
# clika score vs the plain-Python baseline on the same published predictions, in one session.
# usage: benchmarks/compare_score.sh [DATA_DIR]   (needs build/bin/clika and build/bin/bench_score)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${CLIKA_DATA:-../shared/clika-data}}"
MODELS=(llama_13b bloomz_7b1_mt vicuna_13b_v1.5 chatgpt)

echo "== clika, in process (Google Benchmark)"
CLIKA_DATA="$DATA" build/bin/bench_score --benchmark_filter='ScoreAllPublishedModels|ScoreOneModel' --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true 2>/dev/null | grep -E 'median|stddev'
echo "== clika, whole processes: ${#MODELS[@]} x clika score (with 1000-resample intervals)"
start=$(date +%s.%N)
for m in "${MODELS[@]}"; do build/bin/clika score --data "$DATA" --model "$m" --format json > /dev/null; done
echo "seconds: $(echo "$(date +%s.%N) - $start" | bc)"
echo "== Python baseline, no intervals"
python3 benchmarks/score_baseline.py "$DATA" --bootstrap 0 "${MODELS[@]}" | tail -1
echo "== Python baseline, 1000-resample intervals"
python3 benchmarks/score_baseline.py "$DATA" --bootstrap 1000 "${MODELS[@]}" | tail -1
