#!/usr/bin/env bash
# Letter mode on every vocabulary llama.cpp ships (models/ggml-vocab-*.gguf): a tiny model on each runs x_geo and
# x_csqa in en, zh, ja, ar, and the continuations run.json records (token ids and text) must equal the golden table
# tests/golden/letter_continuations.txt: the bare letter on SentencePiece-style vocabularies, ":A" with the context
# ending at "Answer" on BPE vocabularies that merge it. Encoder vocabularies (a separator or end-of-sequence token
# appended to every text) must be refused with exit 3 and a message saying why. A vocabulary missing from the table
# fails the test, so a llama.cpp update cannot add one silently.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; VOCABS="$5"; GOLDEN="$6"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$WORK"; mkdir -p "$WORK"
shopt -s nullglob
files=("$VOCABS"/ggml-vocab-*.gguf)
((${#files[@]} > 0)) || { echo "no ggml-vocab-*.gguf in $VOCABS"; exit 1; }
for file in "${files[@]}"; do
  vocab="$(basename "$file" .gguf)"; vocab="${vocab#ggml-vocab-}"
  "$CLIKA" make-model --out "$WORK/$vocab.gguf" --vocab "$file" --seed 3 > /dev/null
  set +e
  "$CLIKA" run --data "$DATA" --model "$WORK/$vocab.gguf" --plugin-path "$PLUGINS" --threads 1 --no-report \
    --tasks x_geo,x_csqa --langs en,zh,ja,ar --limit 6 --out "$WORK/run-$vocab" > "$WORK/$vocab.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    "$CLIKA_PYTHON" "$here/letter_summary.py" "$vocab" "$WORK/run-$vocab" >> "$WORK/summary.txt"
  elif ((rc == 3)) && grep -Eq "appends (a separator|an end-of-sequence) token|not a causal decoder" "$WORK/$vocab.log"; then
    echo "$vocab refused: $(grep -Eo "appends (a separator|an end-of-sequence) token|not a causal decoder" "$WORK/$vocab.log" | head -1)" >> "$WORK/summary.txt"
  else
    echo "$vocab: clika run exited $rc:"; cat "$WORK/$vocab.log"; exit 1
  fi
done
if [[ "${CLIKA_REGENERATE_GOLDEN:-}" == 1 ]]; then  # tests/golden/README.md
  cp "$WORK/summary.txt" "$GOLDEN"; echo "CLIKA_REGENERATE_GOLDEN=1: rewrote $GOLDEN"
fi
if ! diff -u "$GOLDEN" "$WORK/summary.txt"; then
  echo "letter continuations differ from $GOLDEN (lines with + are what this build scores)"
  exit 1
fi
echo "${#files[@]} vocabularies: continuations as in $(basename "$GOLDEN")"
