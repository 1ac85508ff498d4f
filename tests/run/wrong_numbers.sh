#!/usr/bin/env bash
# Never a wrong number, never an abort (issue 22): a model whose weights hold NaN stops the run with a backend error
# naming the plugin and the question, and nothing is written; damaged model files and GGUF metadata llama.cpp aborts on
# are refused by clika's own GGUF reader, saying exactly what is wrong; pass limits name --ctx/--batch; `clika bench`
# range-checks its options as `run` does and prints one format on standard output; answers decided between bounds only
# end the run with how to raise --top-logprobs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 5 > /dev/null
common=(--plugin-path "$PLUGINS" --threads 1 --no-report)

# 1. NaN weights: every score is NaN. A backend error naming the plugin and the question; not one line written, so
#    `clika score --run` never reads a NaN-derived answer.
"$CLIKA" make-model --out "$WORK/nan.gguf" --seed 5 --poison-weights nan > /dev/null
for mode in letter loglik; do
  fails_with "nan_$mode" 3 'llamacpp: x_geo en question "[^"]+": log-probability 1 of 4 is NaN .*nothing of its chunk is written' -- \
    "$CLIKA" run --data "$DATA" --model "$WORK/nan.gguf" "${common[@]}" --tasks x_geo --langs en --limit 4 --mode "$mode" --out "$WORK/nan-$mode"
  if [[ -s "$WORK/nan-$mode/x_geo/en/predictions.jsonl" ]]; then echo "$mode: answers were written from NaN scores"; exit 1; fi
done

# 2. Damaged model files: clika's GGUF reader says what is wrong (bad input), instead of "not a GGUF model it supports?".
run_on() { "$CLIKA" run --data "$DATA" --model "$1" "${common[@]}" --tasks x_geo --langs en --limit 4 --out "$WORK/out-$(basename "$1")"; }
: > "$WORK/empty.gguf"
fails_with empty 2 'empty.gguf: malformed GGUF at byte 0: truncated file: 0 bytes, too short for the magic "GGUF"' -- run_on "$WORK/empty.gguf"
head -c 100000 "$WORK/tiny.gguf" > "$WORK/truncated.gguf"
fails_with truncated 2 'truncated.gguf: malformed GGUF at byte [0-9]+: truncated file: ' -- run_on "$WORK/truncated.gguf"
printf 'RAND\x01\x02\x03\x04' > "$WORK/random.gguf"; head -c 4096 /dev/urandom >> "$WORK/random.gguf"
fails_with random 2 'random.gguf: malformed GGUF at byte 0: not a GGUF file: magic is "RAND" \(expected "GGUF"\)' -- run_on "$WORK/random.gguf"
printf '#!/bin/sh\necho not a model\n' > "$WORK/script.gguf"
fails_with script 2 'script.gguf: malformed GGUF at byte 0: not a GGUF file: magic is "#!/b" \(expected "GGUF"\)' -- run_on "$WORK/script.gguf"

# 3. Metadata llama.cpp asserts on (SIGABRT before): refused naming the key and its value.
with_block_count() {  # with_block_count N OUT: tiny.gguf with llama.block_count (a u32) set to N
  /usr/bin/python3 - "$WORK/tiny.gguf" "$2" "$1" <<'EOF'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
key = b"llama.block_count"
at = data.index(struct.pack("<Q", len(key)) + key) + 8 + len(key)
assert struct.unpack_from("<I", data, at)[0] == 4, "llama.block_count is not a u32"
struct.pack_into("<I", data, at + 4, int(sys.argv[3]))
open(sys.argv[2], "wb").write(data)
EOF
}
for layers in 0 1000000; do
  with_block_count "$layers" "$WORK/layers-$layers.gguf"
  fails_with "layers_$layers" 2 "layers-$layers.gguf: field \"llama.block_count\": is $layers, a value llama.cpp aborts the process on instead of refusing the model \(expected 1 to 512 layers\)" -- \
    run_on "$WORK/layers-$layers.gguf"
done
fails_with bench_layers 2 'field "llama.block_count": is 0' -- \
  "$CLIKA" bench --data "$DATA" --model "$WORK/layers-0.gguf" --plugin-path "$PLUGINS" --threads 1 --limit 4 --seconds 0.01 --repetitions 1

# 4. A pass too small for any sequence names --ctx and --batch, not the plugin's describe call.
fails_with ctx_1 3 'with --ctx 1, --batch 0 and --parallel 0 \(0: the plugin.s default\) a forward pass holds 1 tokens and 0 sequences.*\(expected a larger --ctx and --batch' -- \
  "$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" "${common[@]}" --tasks x_geo --langs en --limit 4 --ctx 1 --out "$WORK/ctx1"
fails_with batch_1 3 'with --ctx 0, --batch 1 and --parallel 0 .*too few to score a question' -- \
  "$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" "${common[@]}" --tasks x_geo --langs en --limit 4 --batch 1 --out "$WORK/batch1"

# 5. clika bench checks the options `run` checks, with the same ranges, and prints one format on standard output.
bench=("$CLIKA" bench --data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --limit 4 --seconds 0.01 --repetitions 1)
fails_with bench_chunk_0 2 'chunk: 0 is less than 1' -- "${bench[@]}" --chunk 0
fails_with bench_batch_negative 2 'batch: "-5" is not a whole number' -- "${bench[@]}" --batch -5
fails_with bench_ctx_negative 2 'ctx: "-1" is not a whole number' -- "${bench[@]}" --ctx -1
fails_with bench_parallel_huge 2 'parallel: 99999999 is more than 65536' -- "${bench[@]}" --parallel 99999999
"${bench[@]}" > "$WORK/bench.txt" 2> /dev/null
grep -q '^questions/s' "$WORK/bench.txt" || { echo "bench printed no table:"; cat "$WORK/bench.txt"; exit 1; }
if grep -q '{' "$WORK/bench.txt"; then echo "bench printed JSON after its table:"; cat "$WORK/bench.txt"; exit 1; fi
"${bench[@]}" --format json --json "$WORK/bench-copy.json" > "$WORK/bench.json" 2> /dev/null
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["questions_per_s"]["median"] > 0, r; assert r == json.load(open(sys.argv[2]))' \
  "$WORK/bench.json" "$WORK/bench-copy.json"
# --ceiling (llama-bench's tokens/s): the table and the JSON give evaluated tokens/s as a share of it; 0 is refused.
fails_with bench_ceiling_0 2 'ceiling: 0 is outside 0.001..' -- "${bench[@]}" --ceiling 0
"${bench[@]}" --ceiling 1000 > "$WORK/bench-ceiling.txt" 2> /dev/null
grep -q '^% of ceiling tokens/s' "$WORK/bench-ceiling.txt" || { echo "bench --ceiling printed no share row:"; cat "$WORK/bench-ceiling.txt"; exit 1; }
"${bench[@]}" --ceiling 1000 --format json > "$WORK/bench-ceiling.json" 2> /dev/null
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); c = r["ceiling"]; assert c["tokens_per_s"] == 1000, r
assert abs(c["evaluated_share"]["median"] - r["evaluated_tokens_per_s"]["median"] / 1000) < 1e-12, r' "$WORK/bench-ceiling.json"
# 6. Answers decided between bounds only (every letter outside a server's top K): the run's last line says to raise
#    --top-logprobs, with and without the report (which leaves the numbers null). tests/openai/fake_vllm.py stands in for
#    a vLLM server; skipped where the openai plugin is not built.
if [[ -f "$PLUGINS/libclika_openai.so" ]]; then
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  /usr/bin/python3 "$(dirname "$0")/../openai/fake_vllm.py" "$port" "$WORK/fake.json" & fake=$!
  trap 'kill $fake 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v1/models', timeout=1)" 2>/dev/null && break
    sleep 0.1
  done
  server=(run --data "$DATA" --plugin-path "$PLUGINS" --plugin openai --model "http://127.0.0.1:$port" --tasks x_geo --langs en,de --limit 6
          --top-logprobs 5)
  "$CLIKA" "${server[@]}" --no-report --out "$WORK/bounded-quiet" 2> "$WORK/bounded-quiet.err"
  tail -n 1 "$WORK/bounded-quiet.err" | grep -q 'answers were decided between upper bounds only.*raise --top-logprobs' ||
    { echo "--no-report: the last line does not say to raise --top-logprobs:"; tail -n 3 "$WORK/bounded-quiet.err"; exit 1; }
  "$CLIKA" "${server[@]}" --out "$WORK/bounded" > "$WORK/bounded.txt" 2> /dev/null
  tail -n 1 "$WORK/bounded.txt" | grep -q 'raise --top-logprobs' ||
    { echo "the report's last line does not say to raise --top-logprobs:"; tail -n 3 "$WORK/bounded.txt"; exit 1; }
  grep -Eq '^x_geo acc +- \([0-9]+ bounded\)' "$WORK/bounded.txt" || { echo "bounded accuracy is not null:"; cat "$WORK/bounded.txt"; exit 1; }
  # The Python module's results likewise (where it is built beside the plugins).
  if compgen -G "$PLUGINS/../python/clika*.so" > /dev/null; then
    PYTHONPATH="$PLUGINS/../python" /usr/bin/python3 - "$WORK/bounded" <<'EOF'
import sys, clika
cell = clika.score_run(sys.argv[1], bootstrap=0)["tasks"]["x_geo"]["de"]
assert cell["accuracy"] is None and cell["ra"] is None and cell["en_co"] is None and cell["bounded"] == 6, cell
print("python: x_geo de is null with", cell["bounded"], "bounded answers")
EOF
  fi
fi
echo "wrong-number and abort checks passed"
