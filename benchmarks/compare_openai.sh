#!/usr/bin/env bash
# --plugin openai against llama-server vs the in-process llama.cpp plugin, on the same GGUF (a random 134M LLaMA, F32),
# letter mode, x_csqa en one-shot prompts: questions/s of `clika run` (its own summary line), for every pair of
# llama-server slots (-np) and clika requests in flight (--concurrency) in 1, 4, 16. All in one run of this script, so
# both sides share the machine's state. llama-server gets the same threads as the in-process plugin, F32 KV cache and
# flash attention off, as in the agreement test.
#
# usage: benchmarks/compare_openai.sh [DATA_DIR] [THREADS] [QUESTIONS]
# needs: build/bin/clika, build/lib/libclika_llamacpp.so, libclika_openai.so, build/bin/llama-server (cmake --build build)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${CLIKA_DATA:-../shared/clika-data}}"
THREADS="${2:-2}"
QUESTIONS="${3:-48}"
WORK=build/bench-openai
mkdir -p "$WORK"
PY=/usr/bin/python3

[[ -f "$WORK/llama134m.gguf" ]] || build/bin/clika make-model --out "$WORK/llama134m.gguf" --seed 134 --dim 768 --layers 12 --heads 12 \
  --kv-heads 12 --ff 2048 --untied --type f32 > /dev/null
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
trap '[[ -n $server ]] && kill $server 2>/dev/null || true' EXIT

rate() {  # the q/s of clika run's summary line
  sed -n 's/.*questions scored in .* (\([0-9.]*\) q\/s).*/\1/p' "$1"
}
common=(run --data "$DATA" --tasks x_csqa --langs en --limit "$QUESTIONS" --mode letter --no-report)

printf '%-28s %8s\n' backend "q/s"
rm -rf "$WORK/inprocess"
build/bin/clika "${common[@]}" --plugin llamacpp --model "$WORK/llama134m.gguf" --threads "$THREADS" --out "$WORK/inprocess" 2> "$WORK/inprocess.log"
printf '%-28s %8s\n' "llamacpp plugin (in-process)" "$(rate "$WORK/inprocess.log")"

for slots in 1 4 16; do
  build/bin/llama-server -m "$WORK/llama134m.gguf" --host 127.0.0.1 --port "$port" -np "$slots" -c $((1024 * slots)) --threads "$THREADS" \
    --cache-type-k f32 --cache-type-v f32 -fa off > "$WORK/server-$slots.log" 2>&1 &
  server=$!
  until $PY -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; do sleep 0.2; done
  for concurrency in 1 4 16; do
    rm -rf "$WORK/server"
    build/bin/clika "${common[@]}" --plugin openai --model "http://127.0.0.1:$port" --concurrency "$concurrency" --out "$WORK/server" \
      2> "$WORK/server-$slots-$concurrency.log"
    printf '%-28s %8s\n' "llama-server -np $slots, conc. $concurrency" "$(rate "$WORK/server-$slots-$concurrency.log")"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
