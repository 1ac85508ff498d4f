#!/usr/bin/env bash
# kill -9, SIGTERM and SIGINT (Ctrl-C) in the middle of a run (asserted: the process died by the signal with a partial
# file on disk), run the same command again: the files must equal an uninterrupted run's, byte for byte.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
# Big enough that the run lasts a few seconds, so the kills land mid-run.
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 11 --dim 256 --layers 4 --heads 4 --kv-heads 2 --ff 512
args=(run --data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --tasks x_geo,x_name --langs en,de,zh
      --chunk 8 --no-report)

"$CLIKA" "${args[@]}" --mode loglik --out "$WORK/whole"
total=$(cat "$WORK"/whole/*/*/predictions.jsonl | wc -l)

signals=(KILL TERM INT)
for attempt in 1 2 3; do
  signal=${signals[attempt - 1]}
  # Job control on: a non-interactive shell starts background jobs with SIGINT ignored, as Ctrl-C never reaches them.
  set -m
  "$CLIKA" "${args[@]}" --mode loglik --out "$WORK/killed" > /dev/null 2>&1 &
  pid=$!
  set +m
  # Wait until some, but not all, answers are on disk, then kill without warning.
  for _ in $(seq 1 400); do
    lines=$(cat "$WORK"/killed/*/*/predictions.jsonl 2>/dev/null | wc -l || true)
    if (( lines >= 40 * attempt )); then break; fi
    sleep 0.05
  done
  kill -s "$signal" "$pid" 2>/dev/null || true
  status=0
  wait "$pid" 2>/dev/null || status=$?
  on_disk=$(cat "$WORK"/killed/*/*/predictions.jsonl 2>/dev/null | wc -l)
  echo "attempt $attempt: SIG$signal with $on_disk of $total lines on disk (exit status $status)"
  # The signal must land mid-run and end the process, or this test would not test resuming.
  if (( status != 128 + $(kill -l "$signal") || on_disk == 0 || on_disk >= total )); then
    echo "attempt $attempt: the kill did not land mid-run (status $status, $on_disk of $total lines)"; exit 1
  fi
done
# Tear the last line as a crash mid-write would.
last=$(ls "$WORK"/killed/*/*/predictions.jsonl | tail -n 1)
printf '{"id": 999, "input": "torn' >> "$last"

"$CLIKA" "${args[@]}" --mode loglik --out "$WORK/killed"
diff -r "$WORK/whole" "$WORK/killed"
echo "resumed run is identical to the uninterrupted one"

# A different command on the same directory is refused, naming what differs.
if "$CLIKA" "${args[@]}" --mode letter --out "$WORK/killed" 2> "$WORK/err.txt"; then
  echo "a run directory made by another command was accepted"; exit 1
fi
grep -q 'mode: "letter" here, "loglik" in the run' "$WORK/err.txt" || { cat "$WORK/err.txt"; exit 1; }
