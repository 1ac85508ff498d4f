#!/usr/bin/env bash
# The Conductivity level end to end on a tiny random model with a random LoRA adapter: clika run --tasks fictional
# (both answer modes, every language, --limit) -> clika score --run gives a complete XRR report, with values a
# recount of the run files confirms, and the gate warning random weights deserve. Then resuming a torn run gives the
# same files, and another command on the same directory is refused.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK"
# Seeds chosen so that the random model answers some English type-1 facts right in choice mode (c(en) > 0: XRR defined).
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 5 --lora-out "$WORK/adapter.gguf" --lora-seed 1 > /dev/null
# One thread: with several, ggml's OpenMP workers spin between the many small decodes and a busy machine runs 10x slower.
args=(run --data "$DATA" --model "$WORK/tiny.gguf" --lora "$WORK/adapter.gguf" --plugin-path "$PLUGINS" --threads 1 --tasks fictional
      --limit 5 --max-new-tokens 6 --chunk 4)
"$CLIKA" "${args[@]}" --out "$WORK/run" > "$WORK/report.txt" 2> "$WORK/run.err"
grep -q "Conductivity, generate mode" "$WORK/report.txt"
grep -q "Conductivity, choice mode" "$WORK/report.txt"
grep -q "WARNING (choice mode): the training gate fails for 10 of 10 languages" "$WORK/report.txt"

"$CLIKA" score --run "$WORK/run" --format json > "$WORK/score.json" 2> "$WORK/score.err"
grep -q "the training gate fails" "$WORK/score.err"
"$CLIKA" score --run "$WORK/run" --format md > "$WORK/score.md" 2> /dev/null
grep -q "| XRR |" "$WORK/score.md"
"$CLIKA" score --run "$WORK/run" --format csv 2> /dev/null | grep -q "^xrr,choice,zh,"

"$CLIKA_PYTHON" - "$WORK" <<'PY'
import json, pathlib, sys
work = pathlib.Path(sys.argv[1])
report = json.loads((work / "score.json").read_text())
cd = report["conductivity"]
assert cd["modes"] == ["generate", "choice"], cd["modes"]
assert cd["mode"] == "generate" and cd["chance"] == 0.05
others = ["de", "fr", "it", "pl", "ru", "ar", "he", "ja", "zh"]
def read(path):
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]
run = {l: read(work / "run" / "fictional" / l / "predictions.jsonl") for l in ["en"] + others}
for mode in ("generate", "choice"):
    block = cd["by_mode"][mode]
    assert sorted(block["xrr"]) == sorted(others), block["xrr"]
    assert block["gate"]["passed"] is False and len(block["gate"]["failing"]) == 10
    english = {r["uuid"]: r[f"correct_{mode}"] for r in run["en"] if r["type"] == 1}
    for lang in ["en"] + others:
        entry = block["langs"][lang]
        assert entry["type0"]["questions"] == 5 and entry["type1"]["questions"] == 5, entry
        assert entry["gate"]["passed"] is False and entry["gate"]["failures"], entry
        if lang == "en":
            continue
        assert entry["translate"]["questions"] == 5, entry
        translate = read(work / "run" / "fictional" / lang / "translate.jsonl")
        assert entry["translate"]["correct"] == sum(r[f"correct_{mode}"] for r in translate)
        c_en = sum(english.values())
        c_both = sum(1 for r in run[lang] if r["type"] == 1 and r[f"correct_{mode}"] and english[r["uuid"]])
        x = entry["xrr"]
        assert (x["correct_english"], x["correct_both"], x["facts"]) == (c_en, c_both, 5), (lang, mode, x, c_en, c_both)
        if c_en == 0:
            assert x["value"] is None and block["xrr"][lang] is None
            continue
        expected = max(0.0, (c_both / c_en - 0.05) / 0.95)
        assert abs(block["xrr"][lang] - expected) < 1e-12, (lang, mode, block["xrr"][lang], expected)
        low, high = block["xrr_ci"][lang]
        assert 0 <= low <= high <= 1, (low, high)
# The choice mode is the complete report: XRR for every language.
assert all(v is not None for v in cd["by_mode"]["choice"]["xrr"].values()), cd["by_mode"]["choice"]["xrr"]
assert cd["xrr"] == cd["by_mode"]["generate"]["xrr"]
for r in run["de"]:
    assert len(r["scores"]) == 20 and r["res"] and "generated" in r and r["mode"] == "both", r
print("choice-mode XRR:", {k: round(v, 3) for k, v in cd["by_mode"]["choice"]["xrr"].items()})
PY

# Resume: a torn file is completed to the same bytes; a different command is refused.
cp -r "$WORK/run" "$WORK/whole"
file="$WORK/run/fictional/ja/predictions.jsonl"
head -n 5 "$file" > "$WORK/part" && mv "$WORK/part" "$file"
printf '{"id": 7, "uuid": 7, "inp' >> "$file"
rm "$WORK/run/fictional/zh/translate.jsonl"
"$CLIKA" "${args[@]}" --out "$WORK/run" --no-report 2> /dev/null
diff -r "$WORK/whole" "$WORK/run"
if "$CLIKA" "${args[@]}" --fictional-mode choice --out "$WORK/run" 2> "$WORK/err.txt"; then echo "accepted another command"; exit 1; fi
grep -q 'fictional_mode: "choice" here, "both" in the run' "$WORK/err.txt" || { cat "$WORK/err.txt"; exit 1; }
echo "resumed run is identical; a different command is refused"
