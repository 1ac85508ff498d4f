#!/usr/bin/env bash
# Foreseeable trouble gets a message that says what, where and what to do (issue 15): a model path that is a folder; a
# question longer than --ctx; prompts longer than the model's training context; a full disk while writing a report
# (the old report survives) or answers (the run resumes to identical bytes); scoring an unfinished run or a language
# subset; a fictional run resumed against changed test files.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 5 > /dev/null
common=(--plugin-path "$PLUGINS" --threads 1 --no-report)

# 1. A folder as the model: named as a folder, with what to pass instead.
mkdir -p "$WORK/hf-checkout"
fails_with model_is_dir 2 'hf-checkout: is a directory, not a model file \(expected the model file itself' -- \
  "$CLIKA" run --data "$DATA" --model "$WORK/hf-checkout" "${common[@]}" --out "$WORK/x"

# 2. A question longer than the context: the task, language, question id and the --ctx that fits, before any answer.
fails_with ctx_overflow 2 'x_csqa zh question "[^"]+" needs [0-9]+ tokens \(prompt and options\), more than the backend.s context of 256 \(expected --ctx [0-9]+ or more' -- \
  "$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" "${common[@]}" --tasks x_csqa --langs zh --mode loglik --ctx 256 --batch 256 --out "$WORK/overflow"
if [[ -s "$WORK/overflow/x_csqa/zh/predictions.jsonl" ]]; then echo "answers were written before the overflow was found"; exit 1; fi

# 3. Trained on a shorter context than the prompts: scored, with a warning naming how many and the longest.
"$CLIKA" make-model --out "$WORK/short.gguf" --seed 5 --context 64 > /dev/null
"$CLIKA" run --data "$DATA" --model "$WORK/short.gguf" "${common[@]}" --tasks x_geo --langs en --limit 8 --out "$WORK/short" 2> "$WORK/short.err"
grep -Eq 'warning: x_geo en: 8 questions are longer than the 64 tokens the model was trained on \(longest: "[^"]+", [0-9]+ tokens\)' "$WORK/short.err" ||
  { echo "no training-context warning:"; cat "$WORK/short.err"; exit 1; }

# 4. A full disk (a file-size limit stands in for it) while writing a report: the reason is named and the previous
#    report is left whole.
"$CLIKA" score --data "$DATA" --model llama_13b --bootstrap 0 -o "$WORK/report.txt"
before=$(sha256sum < "$WORK/report.txt")
fails_with report_disk_full 2 'report.txt: cannot write the report \(write: File too large\); any previous file there is unchanged' -- \
  bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' _ "$CLIKA" score --data "$DATA" --model llama_13b --bootstrap 0 --format json -o "$WORK/report.txt"
[[ "$(sha256sum < "$WORK/report.txt")" == "$before" ]] || { echo "a failed report write damaged the previous report"; exit 1; }
ls "$WORK"/report.txt.tmp* > /dev/null 2>&1 && { echo "a failed report write left its temporary file"; exit 1; }

# 5. The disk fills during a run: a clear failure, and the same command resumes to the bytes of an uninterrupted run.
run=(run --data "$DATA" --model "$WORK/tiny.gguf" "${common[@]}" --tasks x_geo --langs en,de --limit 40 --chunk 8)
"$CLIKA" "${run[@]}" --out "$WORK/whole" > /dev/null 2>&1
fails_with run_disk_full 2 'predictions.jsonl: cannot append answers \(File too large\); the answers before them are kept' -- \
  bash -c 'trap "" XFSZ; ulimit -f 20; exec "$@"' _ "$CLIKA" "${run[@]}" --out "$WORK/full"
"$CLIKA" "${run[@]}" --out "$WORK/full" > /dev/null 2>&1
for f in x_geo/en x_geo/de; do
  cmp "$WORK/whole/$f/predictions.jsonl" "$WORK/full/$f/predictions.jsonl" || { echo "$f differs after resuming from a full disk"; exit 1; }
done

# 6. Scoring an unfinished run leaves its unfinished file out and says so, in every format; the table shows how many
#    questions each language contributed; "others" over a subset says which languages it averages.
head -n 15 "$WORK/whole/x_geo/de/predictions.jsonl" > "$WORK/part" && cp "$WORK/part" "$WORK/whole/x_geo/de/predictions.jsonl"
"$CLIKA" score --run "$WORK/whole" --bootstrap 0 > "$WORK/partial.txt"
grep -q 'x_geo de: 15 of 40 questions answered, left out of these scores until the run is finished (run the same `clika run` command to resume)' "$WORK/partial.txt" ||
  { echo "an unfinished run was scored without a warning:"; cat "$WORK/partial.txt"; exit 1; }
grep -Eq '^questions +40 +- ' "$WORK/partial.txt" || { echo "the table does not show the question counts:"; cat "$WORK/partial.txt"; exit 1; }
"$CLIKA" score --run "$WORK/whole" --bootstrap 0 --format json > "$WORK/partial.json" 2> "$WORK/partial.err"
grep -q 'warning: x_geo de: 15 of 40' "$WORK/partial.err" || { echo "json: no warning on stderr"; cat "$WORK/partial.err"; exit 1; }
"$CLIKA_PYTHON" - "$WORK/partial.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
assert any("x_geo de: 15 of 40" in w for w in report["warnings"]), report["warnings"]
assert "de" not in report["tasks"]["x_geo"], report["tasks"]["x_geo"].keys()
assert report["tasks"]["x_geo"]["en"]["questions"] == 40
EOF
cp "$WORK/full/x_geo/de/predictions.jsonl" "$WORK/whole/x_geo/de/predictions.jsonl"
"$CLIKA" score --run "$WORK/whole" --bootstrap 0 --format json > "$WORK/finished.json"
"$CLIKA_PYTHON" - "$WORK/finished.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["warnings"] == ['"others" is the mean over de only (1 of the 8 languages besides en and zh), not the paper\'s'], report["warnings"]
assert report["settings"]["others_languages"] == ["de"], report["settings"]
assert report["tasks"]["x_geo"]["de"]["questions"] == 40
EOF
"$CLIKA" score --data "$DATA" --model llama_13b --bootstrap 0 --format json > "$WORK/all.json"
"$CLIKA_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["warnings"] == [] and len(r["settings"]["others_languages"]) == 8, r["warnings"]' "$WORK/all.json"

# 7. A fictional run records its test files: resuming against an edited copy is refused before anything changes.
mkdir -p "$WORK/data"
cp -r "$DATA/fictional" "$WORK/data/"
chmod -R u+w "$WORK/data"
fict=(run --model "$WORK/tiny.gguf" "${common[@]}" --tasks fictional --fictional-mode choice --langs en,de --limit 2)
"$CLIKA" "${fict[@]}" --data "$WORK/data" --out "$WORK/fict" > /dev/null 2>&1
grep -q '"data"' "$WORK/fict/run.json" || { echo "fictional run.json has no data identity"; exit 1; }
sed -i '1s/"prompt": "/"prompt": "Edited /' "$WORK/data/fictional/test/target/testDE.jsonl"
fails_with fictional_changed_data 2 '^  data\.sha256: "[0-9a-f]+" here, "[0-9a-f]+" in the run$' -- "$CLIKA" "${fict[@]}" --data "$WORK/data" --out "$WORK/fict"
echo "messages: all cases behave"
