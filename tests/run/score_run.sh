#!/usr/bin/env bash
# `clika score --run` reads what `clika run` wrote through the same code as published predictions: its accuracies
# equal a direct count of res == label in the files, and every language of the run is reported.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 3
"$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --tasks x_geo,x_name --limit 30 --mode letter \
  --out "$WORK/run" > "$WORK/report.txt"
grep -q "Factual RA" "$WORK/report.txt"
"$CLIKA" score --run "$WORK/run" --format json > "$WORK/score.json"
"$CLIKA_PYTHON" - "$WORK" <<'PY'
import json, pathlib, sys
work = pathlib.Path(sys.argv[1])
report = json.loads((work / "score.json").read_text())
checked = 0
for task in ("x_geo", "x_name"):
    for path in sorted((work / "run" / task).glob("*/predictions.jsonl")):
        lines = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]
        assert len(lines) == 30, (path, len(lines))
        for l in lines:
            assert len(l["scores"]) == 4 and l["res"] in "ABCD" and l["mode"] == "letter", l
            assert l["res"] == "ABCD"[max(range(4), key=lambda i: l["scores"][i])], l
        lang = path.parent.name
        expected = sum(l["res"] == l["label"] for l in lines) / len(lines)
        got = report["tasks"][task][lang]["accuracy"]
        assert abs(got - expected) < 1e-12, (task, lang, got, expected)
        off_format = sum(not l["greedy_is_option"] for l in lines)
        assert report["tasks"][task][lang]["off_format"] == off_format, (task, lang, off_format)
        checked += 1
assert checked == 20, checked
assert report["levels"]["factual"]["ra"]["others"] is not None
print(f"{checked} task/language accuracies match the run files")
PY
