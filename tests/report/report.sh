#!/usr/bin/env bash
# clika report on two published models and a hand-made fictional run: every file of the report, tidy CSVs whose values
# are clika score's, the consistency matrix's column en equal to en-CO, XRR and the failing training gate, provenance;
# then the refusals.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA_PYTHON" - "$WORK/fictional-run" <<'PY'
import json, pathlib, sys
run = pathlib.Path(sys.argv[1]) / "fictional"
def write(lang, rows):
    (run / lang).mkdir(parents=True, exist_ok=True)
    (run / lang / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
def items(outcomes):
    return [{"uuid": u, "type": 1, "n_continents": 20, "correct_generate": bool(c)} for u, c in enumerate(outcomes)]
write("en", items([1] * 8 + [0, 0]))            # c(en) = 8
write("de", items([1, 1] + [0] * 6 + [1, 1]))   # c(en and de) = 2: XRR (2/8 - 0.05) / 0.95
PY
"$CLIKA" report model:llama_13b model:vicuna_13b_v1.5 run:"$WORK/fictional-run" --label llama --label vicuna --label tuned \
  --data "$DATA" --bootstrap 50 --out "$WORK/report" > "$WORK/out.txt" 2> "$WORK/err.txt"
grep -q "the training gate fails" "$WORK/err.txt"
"$CLIKA" score --model llama_13b --data "$DATA" --bootstrap 50 --format json > "$WORK/llama.json"
"$CLIKA_PYTHON" - "$WORK" <<'PY'
import csv, json, pathlib, sys
work = pathlib.Path(sys.argv[1]); report = work / "report"
def rows(name):
    with open(report / name, newline="") as f:
        return list(csv.DictReader(f))
for stem in ["basic_ra", "factual_ra", "factual_co", "xrr", "consistency_basic_1", "consistency_factual_2"]:
    assert (report / f"{stem}.svg").read_text().startswith("<svg xmlns=\"http://www.w3.org/2000/svg\""), stem
basic = rows("basic_ra.csv")
assert list(basic[0]) == ["model", "language", "questions", "ra", "ra_ci_low", "ra_ci_high"], basic[0]
assert len(basic) == 20 and {r["model"] for r in basic} == {"llama", "vicuna"}
score = json.loads((work / "llama.json").read_text())
zh = next(r for r in basic if r["model"] == "llama" and r["language"] == "zh")
assert zh["questions"] == "1500", zh  # xCOPA 500 + xCSQA 1000
# The same numbers as clika score's, interval included (both draw the same resamples).
assert abs(float(zh["ra"]) - score["levels"]["basic"]["ra"]["zh"]) < 1e-9, (zh, score["levels"]["basic"]["ra"])
assert abs(float(zh["ra_ci_low"]) - score["levels"]["basic"]["ra_ci"]["zh"][0]) < 1e-9
co = rows("factual_co.csv")
assert len(co) == 18 and not any(r["language"] == "en" for r in co)
matrix = rows("consistency_factual_1.csv")
assert list(matrix[0])[:4] == ["model", "from_language", "to_language", "questions"]
assert len(matrix) == 100
for r in co:
    if r["model"] != "llama": continue
    cell = next(m for m in matrix if m["from_language"] == r["language"] and m["to_language"] == "en")
    assert cell["co"] == r["en_co"] and cell["co_ci_low"] == r["en_co_ci_low"], (cell, r)
xrr = rows("xrr.csv")
assert len(xrr) == 1 and xrr[0]["model"] == "tuned" and xrr[0]["language"] == "de", xrr
assert abs(float(xrr[0]["xrr"]) - (2 / 8 - 0.05) / 0.95) < 1e-12 and xrr[0]["questions"] == "10"
html = (report / "index.html").read_text()
assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
assert "the training gate fails" in html and "Produced by clika" in html and "published predictions" in html
md = (report / "report.md").read_text()
assert "| llama |" in md and "![Basic RA per language](basic_ra.svg)" in md
print("clika report: files, tidy CSV, en-CO column, XRR and the gate")
PY

# Refusals: more sources than the charts have colours, labels that do not match the sources, one label twice.
fails_with nine_sources 2 "9 sources given: a report's charts show at most 8" -- \
  "$CLIKA" report model:a model:b model:c model:d model:e model:f model:g model:h model:i --data "$DATA" --out "$WORK/r9"
fails_with one_label 2 "1 --label for 2 sources" -- "$CLIKA" report model:llama_13b model:vicuna_13b_v1.5 --label one --data "$DATA" --out "$WORK/rl"
fails_with same_label 2 'sources 1 and 2 are both labelled "llama_13b"' -- "$CLIKA" report model:llama_13b model:llama_13b --data "$DATA" --out "$WORK/rd"
echo "refusals: exit 2 with the reason"
