#!/usr/bin/env bash
# A run directory is an exclusive, checked unit (issue 15, first part): a second run on a directory being written is
# refused; a resume against changed data or other batch settings is refused before any file is cut; numeric options
# out of range exit 2 naming the range; a small --ctx runs and a too-small --batch is a clear backend error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 3 > /dev/null
common=(--model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --no-report)


# 1. Two runs on one directory: the second is refused while the first holds the lock.
"$CLIKA" run --data "$DATA" "${common[@]}" --tasks x_csqa --out "$WORK/busy" > /dev/null 2>&1 &
first=$!
for _ in $(seq 1 200); do [[ -s "$WORK/busy/run.json" ]] && break; sleep 0.05; done
fails_with second_run 2 "being written by another clika run" -- "$CLIKA" run --data "$DATA" "${common[@]}" --tasks x_csqa --out "$WORK/busy"
kill -9 "$first" 2>/dev/null || true
wait "$first" 2>/dev/null || true
# Released when its holder dies, however: the same command resumes now.
"$CLIKA" run --data "$DATA" "${common[@]}" --tasks x_csqa --langs en --limit 16 --out "$WORK/after-kill" > /dev/null 2>&1

# 2. Changed data: refused, naming the data, and the predictions file is left as it was.
mkdir -p "$WORK/data"
cp -r "$DATA/x_geo" "$WORK/data/"
chmod -R u+w "$WORK/data"   # CI lays shared/ out read-only
run=(run "${common[@]}" --tasks x_geo --langs en --limit 20 --chunk 8)
"$CLIKA" "${run[@]}" --data "$WORK/data" --out "$WORK/geo" > /dev/null 2>&1
file="$WORK/geo/x_geo/en/predictions.jsonl"
head -c -200 "$file" > "$WORK/torn" && cp "$WORK/torn" "$file"   # as a killed run leaves it
before=$(sha256sum < "$file")
raw="$WORK/data/x_geo/en/en_geo_data.jsonl"
sed -i '1s/"questions": "/"questions": "Edited: /' "$raw"
fails_with changed_data 2 '^  data\.sha256: "[0-9a-f]+" here, "[0-9a-f]+" in the run$' -- "$CLIKA" "${run[@]}" --data "$WORK/data" --out "$WORK/geo"
[[ "$(sha256sum < "$file")" == "$before" ]] || { echo "a refused resume changed the predictions file"; exit 1; }

# 3. Other batch settings change bytes: refused too, naming them.
fails_with other_batch 2 '^  backend\.batch: 64 here, [0-9]+ in the run$' -- "$CLIKA" "${run[@]}" --data "$DATA" --batch 64 --out "$WORK/geo"

# 4. A context below the default batch (llama.cpp then caps the batch: it used to abort in an assertion) runs; a batch
#    too small for one question is a clear backend error naming the settings (exit 3).
"$CLIKA" run --data "$DATA" "${common[@]}" --tasks x_csqa --langs en --limit 4 --ctx 64 --out "$WORK/small-ctx" > /dev/null 2>&1
fails_with -F small-batch 3 "exceed the 16 tokens of one pass (--batch, capped at --ctx): raise --ctx and --batch" -- \
  "$CLIKA" run --data "$DATA" "${common[@]}" --tasks x_csqa --langs en --limit 4 --batch 16 --out "$WORK/small-batch"

# 5. Numbers out of range: exit 2 with the range.
fails_with limit_negative 2 'limit.*not a whole number' -- "$CLIKA" run --data "$DATA" "${common[@]}" --limit -1 --out "$WORK/x"
fails_with chunk_negative 2 'chunk.*not a whole number' -- "$CLIKA" run --data "$DATA" "${common[@]}" --chunk -1 --out "$WORK/x"
fails_with lora_scale_nan 2 'lora-scale.*outside -1000..1000' -- "$CLIKA" run --data "$DATA" "${common[@]}" --lora-scale nan --out "$WORK/x"
fails_with threads_too_many 2 'threads.*is more than' -- "$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" --threads 10000 --out "$WORK/x"
fails_with seed_negative 2 'seed.*not a whole number' -- "$CLIKA" make-model --out "$WORK/y.gguf" --seed -1
fails_with bench_inf 2 'seconds.*outside' -- "$CLIKA" bench --data "$DATA" --model "$WORK/tiny.gguf" --seconds inf
fails_with bootstrap_huge 2 'bootstrap.*is more than' -- "$CLIKA" score --data "$DATA" --model llama_13b --bootstrap 100000000
fails_with confidence_nan 2 'confidence.*outside' -- "$CLIKA" score --data "$DATA" --model llama_13b --confidence nan
[[ ! -e "$WORK/x" && ! -e "$WORK/y.gguf" ]] || { echo "a refused command wrote files"; exit 1; }
echo "integrity: lock, data and settings checks, numeric ranges all hold"
