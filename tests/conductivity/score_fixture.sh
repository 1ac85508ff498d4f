#!/usr/bin/env bash
# clika score --run on a hand-made fictional run directory: exact XRR, accuracies and gate in JSON, the warning in
# the table, --langs and --bootstrap honoured.
set -euo pipefail
CLIKA="$1"; WORK="$2"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA_PYTHON" - "$WORK/run" <<'PY'
import json, pathlib, sys
run = pathlib.Path(sys.argv[1]) / "fictional"
def write(lang, rows, name="predictions.jsonl"):
    (run / lang).mkdir(parents=True, exist_ok=True)
    (run / lang / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
def items(type_and_correct):
    return [{"uuid": u, "type": t, "n_continents": 20, "correct_generate": bool(c)} for u, t, c in type_and_correct]
types = [0] * 4 + [1] * 10
# English: type 0 4/4, type 1 (uuid 4..13) 1111111100 -> c(en) = 8
write("en", items(zip(range(14), types, [1] * 12 + [0, 0])))
# German, type-1 lines reversed: by uuid 4..13 the outcomes are 1100000011 -> c(en and de) = 2
write("de", items(zip([0, 1, 2, 3] + list(range(13, 3, -1)), types, [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1])))
write("de", [{"uuid": i, "correct_generate": i != 7} for i in range(20)], "translate.jsonl")  # 19/20
# Chinese: type 1 only, all correct -> c(en and zh) = 8
write("zh", items(zip(range(4, 14), [1] * 10, [1] * 10)))
PY
"$CLIKA" score --run "$WORK/run" --format json > "$WORK/score.json" 2> "$WORK/err.txt"
grep -q "WARNING (generate mode): the training gate fails for 3 of 3 languages" "$WORK/err.txt"
"$CLIKA" score --run "$WORK/run" > "$WORK/table.txt"
grep -q "  de: English type 1 80.0% <= 90%" "$WORK/table.txt"
grep -q "  zh: no Translate answers; English type 1 80.0% <= 90%; no type 0 answers" "$WORK/table.txt"
"$CLIKA" score --run "$WORK/run" --format json --langs en,de --bootstrap 0 > "$WORK/de-only.json" 2> /dev/null
"$CLIKA_PYTHON" - "$WORK" <<'PY'
import json, pathlib, sys
work = pathlib.Path(sys.argv[1])
cd = json.loads((work / "score.json").read_text())["conductivity"]
assert cd["modes"] == ["generate"] and cd["mode"] == "generate"
assert cd["xrr"] == {"de": (2 / 8 - 0.05) / 0.95, "zh": 1.0}, cd["xrr"]
assert abs(cd["xrr"]["de"] - 0.21052631578947367) < 1e-15
de = cd["langs"]["de"]
assert de["xrr"]["correct_english"] == 8 and de["xrr"]["correct_both"] == 2 and de["xrr"]["facts"] == 10
assert de["translate"] == {"accuracy": 0.95, "correct": 19, "questions": 20}
assert de["type0"] == {"accuracy": 1.0, "correct": 4, "questions": 4}
assert cd["langs"]["en"]["type1"] == {"accuracy": 0.8, "correct": 8, "questions": 10}
assert cd["gate"] == {"threshold": 0.9, "passed": False, "failing": ["en", "de", "zh"]}
low, high = cd["xrr_ci"]["de"]
assert low <= cd["xrr"]["de"] <= high and cd["xrr_ci"]["zh"] == [1.0, 1.0]
only = json.loads((work / "de-only.json").read_text())["conductivity"]
assert list(only["langs"]) == ["en", "de"] and only["xrr_ci"] == {"de": None}
print("score --run on the fixture: exact values")
PY
