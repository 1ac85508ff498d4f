#!/usr/bin/env bash
# Issue 22's leftovers on `clika run`: paths the OS describes misleadingly get one line naming the path and what it is
# (a symbolic link to nothing, '', a file where a folder is expected, /dev/zero or a FIFO as a file), a file-size limit
# (ulimit -f) ends the run with a message instead of SIGXFSZ; a finished pilot run grows to a larger --limit keeping
# its answers; a refused resume lists its differences one a line; a finished run says it is complete.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 5 > /dev/null
common=(--plugin-path "$PLUGINS" --threads 1 --no-report --tasks x_geo --langs en)
run=(run --data "$DATA" --model "$WORK/tiny.gguf" "${common[@]}")


# 1. Paths.
ln -s "$WORK/nowhere/x" "$WORK/dangling"
fails_with --one-error dangling 2 "dangling: --out is a symbolic link to $WORK/nowhere/x, which does not exist" -- "$CLIKA" "${run[@]}" --limit 4 --out "$WORK/dangling"
fails_with --one-error empty_out 2 '--out is empty \(expected the path of a folder\)$' -- "$CLIKA" "${run[@]}" --limit 4 --out ''
echo x > "$WORK/a-file"
fails_with --one-error file_as_out 2 'a-file: --out is a file, not a folder' -- "$CLIKA" "${run[@]}" --limit 4 --out "$WORK/a-file"
fails_with --one-error file_on_the_way 2 "--out $WORK/a-file is a file, not a folder" -- "$CLIKA" "${run[@]}" --limit 4 --out "$WORK/a-file/run"
fails_with --one-error file_as_data 2 'a-file: is a file, not a data folder' -- \
  "$CLIKA" run --data "$WORK/a-file" --model "$WORK/tiny.gguf" "${common[@]}" --limit 4 --out "$WORK/x"
fails_with --one-error file_as_run 2 'a-file: is a file, not a run directory' -- "$CLIKA" score --run "$WORK/a-file"
fails_with --one-error zero_model 2 '/dev/zero: is a character device \(such as /dev/zero\), not a regular model file' -- \
  "$CLIKA" run --data "$DATA" --model /dev/zero "${common[@]}" --limit 4 --out "$WORK/x"
mkfifo "$WORK/pipe.gguf"
fails_with --one-error fifo_model 2 'pipe.gguf: is a FIFO \(named pipe\), not a regular model file' -- \
  timeout 60 "$CLIKA" run --data "$DATA" --model "$WORK/pipe.gguf" "${common[@]}" --limit 4 --out "$WORK/x"
"$CLIKA" "${run[@]}" --limit 4 --out "$WORK/small" 2> /dev/null
mv "$WORK/small/x_geo/en/predictions.jsonl" "$WORK/answers.jsonl"
mkfifo "$WORK/small/x_geo/en/predictions.jsonl"
fails_with --one-error fifo_predictions 2 'predictions.jsonl: is a FIFO \(named pipe\), not a regular file' -- timeout 60 "$CLIKA" score --run "$WORK/small"
rm "$WORK/small/x_geo/en/predictions.jsonl"; mv "$WORK/answers.jsonl" "$WORK/small/x_geo/en/predictions.jsonl"
mv "$WORK/small/run.json" "$WORK/small.run.json"; ln -s /dev/zero "$WORK/small/run.json"
fails_with --one-error zero_manifest 2 'run.json: is a character device \(such as /dev/zero\), not a regular run manifest' -- \
  bash -c '[ -n "${ASAN_OPTIONS:-}" ] || ulimit -v 4000000; exec "$@"' _ "$CLIKA" "${run[@]}" --limit 4 --out "$WORK/small"
rm "$WORK/small/run.json"; mv "$WORK/small.run.json" "$WORK/small/run.json"

# 2. A file-size limit, without the caller ignoring SIGXFSZ: a message and exit 2, and the answers before it are kept.
fails_with --one-error file_size_limit 2 'predictions.jsonl: cannot append answers \(File too large\); the answers before them are kept' -- \
  bash -c 'ulimit -f 20; exec "$@"' _ "$CLIKA" "${run[@]}" --limit 40 --chunk 8 --out "$WORK/limited"
[[ -s "$WORK/limited/x_geo/en/predictions.jsonl" ]] || { echo "no answers kept under the file-size limit"; exit 1; }

# 3. A pilot run grows: --limit 20, then --limit 30 on the same --out keeps the 20 answers and adds 10.
"$CLIKA" "${run[@]}" --limit 20 --chunk 8 --out "$WORK/pilot" 2> /dev/null
cp "$WORK/pilot/x_geo/en/predictions.jsonl" "$WORK/pilot20.jsonl"
"$CLIKA" "${run[@]}" --limit 30 --chunk 8 --out "$WORK/pilot" 2> "$WORK/grow.err" ||
  { cat "$WORK/grow.err"; echo "growing a finished pilot run was refused"; exit 1; }
grep -q 'growing the finished run of --limit 20 to --limit 30: its answers are kept' "$WORK/grow.err" || { cat "$WORK/grow.err"; echo "the growth is not said"; exit 1; }
[[ $(wc -l < "$WORK/pilot/x_geo/en/predictions.jsonl") == 30 ]] || { echo "the grown run does not hold 30 answers"; exit 1; }
cmp <(head -n 20 "$WORK/pilot/x_geo/en/predictions.jsonl") "$WORK/pilot20.jsonl" || { echo "the pilot's answers changed"; exit 1; }
"$CLIKA" "${run[@]}" --limit 30 --chunk 8 --out "$WORK/fresh30" 2> /dev/null
cmp <("$CLIKA_PYTHON" -c 'import json,sys; [print(json.loads(l)["uuid"]) for l in open(sys.argv[1])]' "$WORK/pilot/x_geo/en/predictions.jsonl") \
    <("$CLIKA_PYTHON" -c 'import json,sys; [print(json.loads(l)["uuid"]) for l in open(sys.argv[1])]' "$WORK/fresh30/x_geo/en/predictions.jsonl") ||
  { echo "the grown run answers other questions than a fresh --limit 30 run"; exit 1; }
"$CLIKA" score --run "$WORK/pilot" --bootstrap 0 > /dev/null

# 4. Run again, finished: "run complete", no progress lines at 0.0 q/s.
"$CLIKA" "${run[@]}" --limit 30 --chunk 8 --out "$WORK/pilot" 2> "$WORK/again.err"
grep -q 'run complete: every question was already answered' "$WORK/again.err" || { cat "$WORK/again.err"; echo "a finished run does not say it is complete"; exit 1; }
if grep -q 'q/s' "$WORK/again.err"; then cat "$WORK/again.err"; echo "a finished run prints rates"; exit 1; fi

# 5. A smaller --limit is another command: refused, one difference a line.
fails_with smaller 2 '^  limit: 10 here, 30 in the run$' '^  questions.x_geo.en: 10 here, 30 in the run$' -- \
  "$CLIKA" "${run[@]}" --limit 10 --chunk 8 --out "$WORK/pilot"

# 6. An unfinished pilot run is not grown (its chunks would not line up): refused, saying to finish it first.
"$CLIKA" "${run[@]}" --limit 20 --chunk 8 --out "$WORK/unfinished" 2> /dev/null
head -n 12 "$WORK/unfinished/x_geo/en/predictions.jsonl" > "$WORK/part" && cp "$WORK/part" "$WORK/unfinished/x_geo/en/predictions.jsonl"
fails_with --one-error unfinished 2 'would grow a run of --limit 20 that is not finished \(12 of 20 answers\)' -- \
  "$CLIKA" "${run[@]}" --limit 30 --chunk 8 --out "$WORK/unfinished"

# 7. A grown run killed mid-way resumes to the bytes of the uninterrupted growth.
"$CLIKA" "${run[@]}" --limit 20 --chunk 8 --out "$WORK/grow-a" 2> /dev/null
cp -r "$WORK/grow-a" "$WORK/grow-b"
"$CLIKA" "${run[@]}" --limit 40 --chunk 8 --out "$WORK/grow-a" 2> /dev/null
"$CLIKA" "${run[@]}" --limit 40 --chunk 8 --out "$WORK/grow-b" 2> /dev/null
file="$WORK/grow-b/x_geo/en/predictions.jsonl"
head -n 28 "$file" > "$WORK/part" && cp "$WORK/part" "$file" && printf '{"id": 28, "inp' >> "$file"
"$CLIKA" "${run[@]}" --limit 40 --chunk 8 --out "$WORK/grow-b" 2> /dev/null
cmp "$WORK/grow-a/x_geo/en/predictions.jsonl" "$file" || { echo "a killed growth did not resume to the same bytes"; exit 1; }
# 8. A finished fictional run says so too.
fict=(run --data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --no-report --tasks fictional --fictional-mode choice --langs en --limit 2)
"$CLIKA" "${fict[@]}" --out "$WORK/fict" 2> /dev/null
"$CLIKA" "${fict[@]}" --out "$WORK/fict" 2> "$WORK/fict-again.err"
grep -q 'run complete: every item was already answered' "$WORK/fict-again.err" || { cat "$WORK/fict-again.err"; echo "a finished fictional run does not say it is complete"; exit 1; }
if grep -q 'q/s' "$WORK/fict-again.err"; then cat "$WORK/fict-again.err"; echo "a finished fictional run prints rates"; exit 1; fi
echo "paths, file-size limits, growth, differences and finished runs: all behave"
