#!/usr/bin/env bash
# clika report and clika compare on multiple-choice run directories (run:DIR) of a tiny model: the report's tidy CSVs
# equal `clika score --run` for the same run and its both-right matrix equals a count of the predictions files; a run
# compared with itself differs by 0 with p = 1; a letter run and a loglik run over the same questions compare, with
# accuracies, discordant counts and exact McNemar p-values as worked out from the files here; runs over other
# questions are refused naming the first unmatched uuid. With the Python module (a fifth argument), clika.report and
# clika.compare on the same runs give the same files and JSON as the CLI.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; PYTHON_MODULE="${5:-}"
rm -rf "$WORK"; mkdir -p "$WORK"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 1 > /dev/null
run() {  # OUT MODE LIMIT
  "$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --langs en,zh,de,fr --limit "$3" \
    --mode "$2" --out "$WORK/$1" > /dev/null 2>> "$WORK/runs.log"
}
run letter letter 8
run loglik loglik 8
run fewer letter 7
for r in letter loglik; do
  "$CLIKA" score --run "$WORK/$r" --bootstrap 50 --format json > "$WORK/$r.json" 2> /dev/null
done

"$CLIKA" report run:"$WORK/letter" run:"$WORK/loglik" --label letter --label loglik --bootstrap 50 --out "$WORK/report" > /dev/null 2>&1
"$CLIKA" report run:"$WORK/letter" --label letter --bootstrap 50 --pivot de --out "$WORK/report-de" > /dev/null 2>&1
"$CLIKA" compare run:"$WORK/letter" run:"$WORK/letter" --bootstrap 50 --format json > "$WORK/self.json"
"$CLIKA" compare run:"$WORK/letter" run:"$WORK/loglik" --bootstrap 50 --format json > "$WORK/pair.json"
fails_with -F fewer 2 'x_copa/en/predictions.jsonl:8' -- "$CLIKA" compare run:"$WORK/letter" run:"$WORK/fewer" --bootstrap 50

"$CLIKA_PYTHON" - "$WORK" <<'PY'
import csv, json, math, pathlib, sys
work = pathlib.Path(sys.argv[1])
tasks, langs = ["x_copa", "x_csqa", "x_geo", "x_name"], ["en", "zh", "de", "fr"]
levels = {"basic": ["x_copa", "x_csqa"], "factual": ["x_geo", "x_name"]}

def right(run, task, lang):
    """uuid -> right, read from the run's predictions file."""
    folder = next(p for p in (work / run / task).iterdir() if p.name.lower().removesuffix("_trans") == lang)  # x_csqa: ZH_trans
    lines = (folder / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    return {str(l["uuid"]): l["res"] == l["label"] for l in map(json.loads, lines)}

def rows(name):
    with open(work / "report" / name, newline="") as f:
        return list(csv.DictReader(f))

# The report's tidy CSVs are clika score's numbers for each run, interval included (both draw the same resamples).
for label in ["letter", "loglik"]:
    score = json.loads((work / f"{label}.json").read_text())
    for level in levels:
        ra = [r for r in rows(f"{level}_ra.csv") if r["model"] == label]
        assert sorted(r["language"] for r in ra) == sorted(langs), ra
        for r in ra:
            assert float(r["ra"]) == score["levels"][level]["ra"][r["language"]], (label, level, r)
            assert [float(r["ra_ci_low"]), float(r["ra_ci_high"])] == score["levels"][level]["ra_ci"][r["language"]], (label, level, r)
            assert r["questions"] == "16", r
    co = [r for r in rows("factual_co.csv") if r["model"] == label]
    assert sorted(r["language"] for r in co) == ["de", "fr", "zh"], co
    for r in co:
        assert float(r["en_co"]) == score["consistency"]["en_co"][r["language"]], (label, r)

# The Tables 5–7 layout's "others": towards en, clika score's en-CO others with its interval; towards de (a run of en,
# zh, de and fr has fr alone besides en, zh and de), CO(fr→de) with its interval, drawn alike.
def others_cell(report, pivot_title):
    md = (work / report / "report.md").read_text().split(f"### Factual {pivot_title}, 95% bootstrap interval\n", 1)[1]
    return next(l for l in md.splitlines() if l.startswith("| letter |")).strip("| ").split(" | ")[3]
score = json.loads((work / "letter.json").read_text())
value, (low, high) = score["consistency"]["en_co"]["others"], score["consistency"]["en_co_ci"]["others"]
assert others_cell("report", "en-CO") == f"{value:.4f} [{low:.4f}, {high:.4f}]", (others_cell("report", "en-CO"), value, low, high)
with open(work / "report-de" / "consistency_factual_1.csv", newline="") as f:
    fr_de = next(r for r in csv.DictReader(f) if (r["from_language"], r["to_language"]) == ("fr", "de"))
value, low, high = (float(fr_de[k]) for k in ["co", "co_ci_low", "co_ci_high"])
assert low < high, fr_de
assert others_cell("report-de", "CO(X→de)") == f"{value:.4f} [{low:.4f}, {high:.4f}]", (others_cell("report-de", "CO(X→de)"), fr_de)

# Both right: per level, the mean over its two tasks of the share of questions right in X and in Y, counted here.
for number, label in enumerate(["letter", "loglik"], 1):
    for level, pair in levels.items():
        cells = {(r["from_language"], r["to_language"]): r for r in rows(f"both_right_{level}_{number}.csv")}
        assert all(r["model"] == label for r in cells.values()) and len(cells) == 16, cells
        for x in langs:
            for y in langs:
                shares = []
                for task in pair:
                    rx, ry = right(label, task, x), right(label, task, y)
                    shares.append(sum(rx[u] and ry[u] for u in rx) / len(rx))
                got = float(cells[(x, y)]["both_right"])
                assert abs(got - sum(shares) / 2) < 1e-12, (label, level, x, y, got, shares)
                assert float(cells[(x, y)]["both_right_ci_low"]) <= got <= float(cells[(x, y)]["both_right_ci_high"])
                assert cells[(x, y)]["both_right"] == cells[(y, x)]["both_right"]  # symmetric

# A run compared with itself: every difference 0, every p 1.
self_cmp = json.loads((work / "self.json").read_text())
assert len(self_cmp["cells"]) == 16, len(self_cmp["cells"])
for c in self_cmp["cells"]:
    assert c["difference"] == 0 and c["a_only"] == 0 and c["b_only"] == 0 and c["p"] == 1 and c["p_adjusted"] == 1, c
    assert c["interval"] == [0, 0], c
assert self_cmp["levels"] and all(l["difference"] in (0, None) and l["p"] in (1, None) for l in self_cmp["levels"]), self_cmp["levels"]
assert any(l["p"] == 1 for l in self_cmp["levels"])

# Letter against loglik over the same questions: each side's accuracy is its own clika score's; the discordant pairs
# and the exact McNemar p-value (two-sided binomial, p = 1/2) as counted from the files.
pair = json.loads((work / "pair.json").read_text())
letter, loglik = (json.loads((work / f"{r}.json").read_text()) for r in ["letter", "loglik"])
assert len(pair["cells"]) == 16
discordant = 0
for c in pair["cells"]:
    a, b = right("letter", c["task"], c["lang"]), right("loglik", c["task"], c["lang"])
    assert a.keys() == b.keys() and c["questions"] == len(a) == 8, c
    a_only = sum(a[u] and not b[u] for u in a)
    b_only = sum(b[u] and not a[u] for u in a)
    assert (c["a_only"], c["b_only"]) == (a_only, b_only), (c, a_only, b_only)
    assert c["accuracy_a"] == letter["tasks"][c["task"]][c["lang"]]["accuracy"], c
    assert c["accuracy_b"] == loglik["tasks"][c["task"]][c["lang"]]["accuracy"], c
    assert abs(c["difference"] - (b_only - a_only) / 8) < 1e-12, c
    n, k = a_only + b_only, min(a_only, b_only)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n) if n else 1.0
    assert abs(c["p"] - p) < 1e-12, (c, p)
    discordant += n
assert discordant > 0, "the letter and loglik runs answer alike everywhere: the comparison would test nothing"
ra = next(l for l in pair["levels"] if l["level"] == "basic" and l["measure"] == "RA" and l["column"] == "zh")
assert ra["a"] == letter["levels"]["basic"]["ra"]["zh"] and ra["b"] == loglik["levels"]["basic"]["ra"]["zh"], ra

# Runs over other questions: the refusal names the first question of one that the other lacks.
first_task = "x_copa"  # the first cell compare checks: the first task, in English
lines = (work / "letter" / first_task / "en" / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
eighth = str(json.loads(lines[7])["uuid"])
message = (work / "fewer.err").read_text()
expected = f'predictions.jsonl:8: field "uuid": question "{eighth}" is not among the questions of'
assert expected in message and f"{first_task}/en/predictions.jsonl" in message, (expected, message)
print("clika report and compare on run directories: score's numbers, both right, self, letter vs loglik, other questions")
PY

if [[ -n "$PYTHON_MODULE" ]]; then
  "$CLIKA_PYTHON" - "$WORK" <<'PY'
import filecmp, json, pathlib, sys
import clika
work = pathlib.Path(sys.argv[1])
ours = clika.compare(f"run:{work}/letter", f"run:{work}/loglik", bootstrap=50)
assert ours == json.loads((work / "pair.json").read_text()), "clika.compare differs from `clika compare --format json`"
clika.report([f"run:{work}/letter", f"run:{work}/loglik"], work / "py-report", labels=["letter", "loglik"], bootstrap=50)
cli = sorted(p.name for p in (work / "report").iterdir())
assert cli == sorted(p.name for p in (work / "py-report").iterdir()), "clika.report wrote other files"
_, mismatch, errors = filecmp.cmpfiles(work / "report", work / "py-report", cli, shallow=False)
assert not mismatch and not errors, (mismatch, errors)
print(f"clika.compare and clika.report on run directories: the CLI's JSON and its {len(cli)} files")
PY
fi
