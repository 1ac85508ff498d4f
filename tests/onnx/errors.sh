#!/usr/bin/env bash
# The onnx plugin refuses what it cannot run with one line that says what is missing, and clika exits 3 (backend).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"
rm -rf "$WORK"; mkdir -p "$WORK/alone" "$WORK/garbage"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 5 --onnx > /dev/null
cp "$WORK/tiny.onnx" "$WORK/alone/model.onnx"          # no model.gguf or tokenizer.gguf beside it
echo "not an ONNX file" > "$WORK/garbage/model.onnx"
cp "$WORK/tiny.gguf" "$WORK/garbage/model.gguf"
run() { "$CLIKA" run --data "$DATA" --plugin-path "$PLUGINS" --plugin onnx --tasks x_geo --langs en --limit 2 --no-report "$@"; }
fails_with missing_model 2 "model file not found" -- run --model "$WORK/missing.onnx" --out "$WORK/r1"
fails_with no_tokenizer 3 "no tokenizer for .*alone/model.onnx: looked for .*alone/model.gguf and .*alone/tokenizer.gguf" -- run --model "$WORK/alone/model.onnx" --out "$WORK/r2"
fails_with not_onnx 3 "ONNX Runtime could not load .*garbage/model.onnx" -- run --model "$WORK/garbage/model.onnx" --out "$WORK/r3"
CLIKA_ONNX_TOKENIZER="$WORK/nowhere.gguf" fails_with tokenizer_env 3 "CLIKA_ONNX_TOKENIZER=.*nowhere.gguf: no such file" -- run --model "$WORK/tiny.onnx" --out "$WORK/r5"
# and the working case next to them
run --model "$WORK/tiny.onnx" --out "$WORK/ok" 2>/dev/null
echo "errors are clear; the same model runs when its tokenizer is beside it"
