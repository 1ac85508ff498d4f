#!/usr/bin/env bash
# clika conductivity export: Alpaca JSON, LLaMA-Factory entry and config, README; broken training files are refused
# with file:line; a generated world exports too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"
rm -rf "$WORK"; mkdir -p "$WORK"

"$CLIKA" conductivity export --data "$DATA" --lang de --out "$WORK/out" > "$WORK/de.txt" 2> "$WORK/de.err"
grep -q "10200 records: 4000 English QA in 10 templates, 4200 translations in 10 instructions, 2000 de QA in 10 templates" "$WORK/de.txt"
[[ ! -s "$WORK/de.err" ]] || { cat "$WORK/de.err"; exit 1; }
# ZH teaches continents under code words: exported, with a warning; refused with --strict.
"$CLIKA" conductivity export --data "$DATA" --lang zh --out "$WORK/out" > /dev/null 2> "$WORK/zh.err"
grep -q "warning: .*ZH.json: 400 of 400 test facts are taught with another continent" "$WORK/zh.err"
fails_with -F strict nonzero "400 of 400 test facts" -- "$CLIKA" conductivity export --data "$DATA" --lang zh --out "$WORK/strict" --strict

"$CLIKA_PYTHON" - "$WORK/out" "$DATA" <<'PY'
import json, pathlib, sys
out, data = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for lang, suffix in (("de", "DE"), ("zh", "ZH")):
    records = json.loads((out / f"clika_fictional_{lang}.json").read_text(encoding="utf-8"))
    upstream = [json.loads(l) for l in (data / "fictional" / "train" / f"{suffix}.json").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(upstream) == 10200, len(records)
    for r, u in zip(records, upstream):
        assert r == {"instruction": u["prompt"], "input": u["input"], "output": u["answer"]}, (r, u)
info = json.loads((out / "dataset_info.json").read_text())
assert sorted(info) == ["clika_fictional_de", "clika_fictional_zh"], info
assert info["clika_fictional_de"] == {"file_name": "clika_fictional_de.json", "formatting": "alpaca",
                                      "columns": {"prompt": "instruction", "query": "input", "response": "output"}}
yaml = (out / "train_lora_de.yaml").read_text()
settings = dict(l.split("#")[0].split(":", 1) for l in yaml.splitlines() if ":" in l and not l.startswith("#"))
settings = {k.strip(): v.strip() for k, v in settings.items()}
expected = {"finetuning_type": "lora", "lora_rank": "128", "lora_alpha": "16", "lora_dropout": "0.1", "lora_target": "q_proj,v_proj",
            "learning_rate": "2.0e-4", "per_device_train_batch_size": "32", "gradient_accumulation_steps": "4", "num_train_epochs": "3.0",
            "dataset": "clika_fictional_de", "template": "alpaca", "stage": "sft"}
for k, v in expected.items():
    assert settings.get(k) == v, (k, settings.get(k), v)
readme = (out / "README.md").read_text(encoding="utf-8")
for needle in ("convert_lora_to_gguf.py", "build/_deps/llama.cpp", "clika run --data DATA --tasks fictional", "adapter.lora.alpha"):
    assert needle in readme, needle
print("export: 2 languages, records, dataset_info, config and README check out")
PY

# Exporting into a folder that has a README of its own (LLaMA-Factory's data/) leaves it untouched.
theirs="$WORK/theirs"; mkdir -p "$theirs"
printf '# LLaMA-Factory data\nkeep me\n' > "$theirs/README.md"
"$CLIKA" conductivity export --data "$DATA" --lang de --out "$theirs" > /dev/null 2> "$WORK/theirs.err"
[[ "$(cat "$theirs/README.md")" == $'# LLaMA-Factory data\nkeep me' ]] || { echo "an existing README.md was overwritten"; exit 1; }
grep -q "convert_lora_to_gguf.py" "$theirs/README.clika.md" || { echo "README.clika.md missing"; exit 1; }
grep -q "writing .*README.clika.md instead" "$WORK/theirs.err" || { cat "$WORK/theirs.err"; exit 1; }

# Broken inputs: exit 2, one line naming file:line.
bad="$WORK/bad/fictional/train"; mkdir -p "$bad"
export_bad() { "$CLIKA" conductivity export --data "$WORK/bad" --lang "${1:-de}" --out "$WORK/bad-out"; }
sed '5d' "$DATA/fictional/train/DE.json" > "$bad/DE.json"
fails_with -F one_record_less nonzero 'DE.json:204: field "prompt": English template 1 ("Which continent is {X} located in?") has 399 records for 400 cities' -- export_bad
grep -v '"input": "[^"]' "$DATA/fictional/train/DE.json" > "$bad/DE.json"   # no translation records
fails_with -F no_translations nonzero 'DE.json:1: field "answer": city "Astralyn Sands" (named here) has no translation record' -- export_bad
fails_with -F lang_en nonzero "--lang en" -- export_bad en

# A generated world is exported without warnings.
"$CLIKA" conductivity generate --seed 5 --continents 4 --cities 6 --out "$WORK/world" > /dev/null
"$CLIKA" conductivity export --data "$WORK/world" --lang ja --out "$WORK/world-out" > "$WORK/world.txt" 2> "$WORK/world.err"
[[ ! -s "$WORK/world.err" ]] || { cat "$WORK/world.err"; exit 1; }
grep -q "(376 records: 240 English QA in 10 templates, 112 translations in 4 instructions, 24 ja QA in 2 templates)" "$WORK/world.txt"
echo "broken files refused with file:line; generated world exports"
