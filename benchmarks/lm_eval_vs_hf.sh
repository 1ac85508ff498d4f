#!/usr/bin/env bash
# `lm_eval --model clika` against `lm_eval --model hf` on the same weights (issue 23): the tiny Hugging Face LLaMA of
# tests/convert/transformers_agreement.py (made with transformers), converted to GGUF F32 by `clika convert`, both runs on
# CPU with the same CLiKA tasks and --limit. Prints each run's wall time, their ratio, and how many decisions agree.
#
# usage: benchmarks/lm_eval_vs_hf.sh BUILD_DIR HF_PYTHON CONVERT_VENV WORK [LIMIT] [DATA]
#   HF_PYTHON     a Python with lm-eval (python/requirements/lm-eval.txt), torch, transformers and accelerate (the hf
#                 backend's needs; CI never installs them)
#   CONVERT_VENV  the converter's venv (`clika convert --prepare --venv DIR`), which also makes the tiny model
#   LIMIT         documents per task (default 100); DATA: the CLiKA data (default $CLIKA_DATA or ../shared/clika-data)
set -euo pipefail
BUILD="$(realpath "${1:?usage: $0 BUILD_DIR HF_PYTHON CONVERT_VENV WORK [LIMIT] [DATA]}")"
HF_PYTHON="$2"; CONVERT_VENV="$3"; WORK="$4"; LIMIT="${5:-100}"
root="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$(realpath "${6:-${CLIKA_DATA:-$root/../shared/clika-data}}")"
TASKS=clika_x_geo_en,clika_x_copa_en,clika_x_csqa_en
PLUGINS="$(dirname "$(find "$BUILD" -name 'libclika_llamacpp*.so' -print -quit)")"

rm -rf "$WORK"; mkdir -p "$WORK"
"$CONVERT_VENV/bin/python" - "$DATA" "$WORK" "$root/tests/convert" <<'EOF'
import sys
data, work, here = sys.argv[1:4]
sys.argv = [sys.argv[0]]
sys.path.insert(0, here)
from transformers_agreement import make_model, make_tokenizer
make_model(make_tokenizer(data, work), f"{work}/hf")
EOF
"$BUILD/bin/clika" convert "$WORK/hf" --out "$WORK/tiny.gguf" --type f32 --venv "$CONVERT_VENV" > "$WORK/convert.log" 2>&1

common=(--tasks "$TASKS" --include_path "$root/examples/lm_eval_tasks" --limit "$LIMIT" --log_samples)
export CLIKA_DATA="$DATA" HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
timed() {  # $1: name; the rest: the command. Prints "WALL CPU" seconds (CPU: user + system, children included).
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$WORK/$name.time" "$@" > "$WORK/$name.log" 2>&1 || { tail -30 "$WORK/$name.log" >&2; exit 1; }
  awk '{ printf "%.1f %.1f", $1, $2 + $3 }' "$WORK/$name.time"
}
echo "load before: $(uptime)"
hf=$(timed hf "$HF_PYTHON" -m lm_eval run --model hf --model_args "pretrained=$WORK/hf,dtype=float32" --device cpu \
       --batch_size 16 --output_path "$WORK/out-hf" "${common[@]}")
clika=$(timed clika env PYTHONPATH="$BUILD/python" "$HF_PYTHON" -m clika.lm_eval run --model clika \
          --model_args "pretrained=$WORK/tiny.gguf,plugin_path=$PLUGINS,threads=$(nproc)" --output_path "$WORK/out-clika" "${common[@]}")
echo "load after:  $(uptime)"
read -r hf_wall hf_cpu <<< "$hf"
read -r clika_wall clika_cpu <<< "$clika"
echo "lm_eval --model hf:    ${hf_wall} s wall, ${hf_cpu} CPU s (batch_size 16, float32, CPU, $(nproc) threads)"
echo "lm_eval --model clika: ${clika_wall} s wall, ${clika_cpu} CPU s (llamacpp plugin, F32 GGUF, $(nproc) threads)"
echo "ratio hf / clika: wall $(echo "scale=2; $hf_wall / $clika_wall" | bc), CPU $(echo "scale=2; $hf_cpu / $clika_cpu" | bc)"
"$HF_PYTHON" - "$WORK" "$TASKS" <<'EOF'
import glob, json, sys
work, tasks = sys.argv[1], sys.argv[2].split(",")
same = total = 0
worst = 0.0
for task in tasks:
    runs = []
    for backend in ("hf", "clika"):
        [path] = glob.glob(f"{work}/out-{backend}/*/samples_{task}_*.jsonl")
        runs.append({s["doc_id"]: [float(r[0]) for r in s["filtered_resps"]] for s in map(json.loads, open(path))})
    hf, clika = runs
    assert hf.keys() == clika.keys(), task
    for doc, scores in hf.items():
        total += 1
        same += max(range(len(scores)), key=scores.__getitem__) == max(range(len(scores)), key=clika[doc].__getitem__)
        worst = max(worst, max(abs(a - b) for a, b in zip(scores, clika[doc])))
print(f"decisions: {same} of {total} documents pick the same option; largest |loglikelihood difference| {worst:.3g} nats")
EOF
