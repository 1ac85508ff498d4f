#!/usr/bin/env bash
# What users holding a Hugging Face model pass is refused before anything loads: one line, exit 2, naming the file and
# the `clika convert` command to run (clika run), or what the converter needs (clika convert). No torch, no network:
# the folders here hold a config.json and a safetensors file that is only a header.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
CLIKA="$1"; DATA="$2"; WORK="$3"
rm -rf "$WORK"; mkdir -p "$WORK"
cd "$WORK"

# A safetensors file of one F32 tensor of SHAPE (its data absent: only the header is read).
fake_safetensors() {
  python3 - "$1" "$2" <<'EOF'
import json, struct, sys
shape = [int(x) for x in sys.argv[2].split("x")]
header = json.dumps({"model.embed_tokens.weight": {"dtype": "F32", "shape": shape, "data_offsets": [0, 4]}}).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + b"\0\0\0\0")
EOF
}
make_folder() {  # make_folder DIR ARCHITECTURE SHAPE
  mkdir -p "$1"
  printf '{"architectures": ["%s"], "model_type": "llama"}\n' "$2" > "$1/config.json"
  printf '{}\n' > "$1/tokenizer.json"
  fake_safetensors "$1/model.safetensors" "$3"
}
run() { "$CLIKA" run --data "$DATA" --tasks x_geo --langs en --limit 1 --out "$WORK/run" "$@"; }

make_folder my-model LlamaForCausalLM 8x4

# clika run: each form of a Hugging Face model gets the convert command.
fails_with --one-line folder 2 "my-model: is a Hugging Face model folder.*clika convert my-model --out my-model.gguf" -- run --model my-model
fails_with --one-line folder_slash 2 "my-model/: is a Hugging Face model folder.*clika convert my-model --out my-model.gguf" -- run --model my-model/
fails_with --one-line weights_file 2 "model.safetensors: is a safetensors weights file.*clika convert my-model --out my-model.gguf" -- run --model my-model/model.safetensors
cp my-model/model.safetensors weights.bin  # recognised by its header, whatever its name
fails_with --one-line weights_renamed 2 "weights.bin: is a safetensors weights file.*clika convert \. --out model.gguf" -- run --model weights.bin
fails_with --one-line hub_id 2 "meta-llama/Llama-2-7b-hf: not found here; it looks like a Hugging Face hub id.*clika convert Llama-2-7b-hf --out Llama-2-7b-hf.gguf" -- \
  run --model meta-llama/Llama-2-7b-hf
[[ ! -e run ]] || { echo "FAIL: a refused run left a run directory"; exit 1; }

# clika convert: what the converter needs, checked before any Python environment is made.
convert() { "$CLIKA" convert "$@" --venv "$WORK/never-made-venv"; }
fails_with --one-line convert_hub_id 2 "Llama-2-7b-hf: not found here; it looks like a Hugging Face hub id, and clika convert downloads nothing \(no network\).*huggingface-cli download meta-llama/Llama-2-7b-hf.*clika convert Llama-2-7b-hf" -- \
  convert meta-llama/Llama-2-7b-hf --out x.gguf
mkdir -p no-weights && cp my-model/config.json my-model/tokenizer.json no-weights/
fails_with --one-line no_weights 2 "no-weights: has no weights \(expected model.safetensors" -- convert no-weights --out x.gguf
mkdir -p no-config && cp my-model/model.safetensors no-config/
fails_with --one-line no_config 2 "no-config/config.json: not found: this folder is not a Hugging Face model" -- convert no-config --out x.gguf
mkdir -p no-tokenizer && cp my-model/config.json my-model/model.safetensors no-tokenizer/
fails_with --one-line no_tokenizer 2 "no-tokenizer: has no tokenizer" -- convert no-tokenizer --out x.gguf
make_folder exotic FooBarForCausalLM 8x4
fails_with --one-line exotic 2 "exotic/config.json: field \"architectures\": \"FooBarForCausalLM\" is not an architecture llama.cpp's converter knows" -- \
  convert exotic --out x.gguf
fails_with --one-line one_weights_file 2 "model.safetensors: is one weights file; clika convert reads the whole model folder.*clika convert my-model" -- \
  convert my-model/model.safetensors --out x.gguf
make_folder huge LlamaForCausalLM 1000000000000x1000  # 10^15 values: no disk holds its GGUF
fails_with --one-line huge 2 "not enough disk space for the f16 GGUF: about 2000000\.0 GB needed" -- convert huge --out x.gguf
[[ ! -e never-made-venv && ! -e x.gguf ]] || { echo "FAIL: a refused conversion made a venv or an output"; exit 1; }
echo "refusals: all clear"
