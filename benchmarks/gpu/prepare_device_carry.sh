#!/usr/bin/env bash
# Run HERE (the development machine, with network to Debian and npm) before benchmarks/gpu/run_on_device.sh is run on
# the lent GPU machine, which reaches no network and has no ../shared. Fills the git-ignored folder device/ (name it in
# the device tool's `carry`), about 30 MB:
#   device/deps/*.deb          Debian 12 packages the build needs that the GPU image lacks (unpacked there, not installed)
#   device/llama.cpp.tgz       the pinned llama.cpp source tree (no .git, docs, tests; one vocab file: llama-spm)
#   device/clika-data/x_csqa/en   the prompts the GPU tests and benchmarks use
#
# usage: bash benchmarks/gpu/prepare_device_carry.sh [DATA_DIR (default ../shared/clika-data)] [LLAMA_SRC (default build/_deps/llama.cpp)]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${1:-$ROOT/../shared/clika-data}"
LLAMA="${2:-$ROOT/build/_deps/llama.cpp}"
DEST="$ROOT/device"
[[ -f "$DATA/x_csqa/en/test.jsonl" ]] || { echo "no CLiKA data at $DATA (x_csqa/en/test.jsonl)" >&2; exit 2; }
[[ -f "$LLAMA/include/llama.h" ]] || { echo "no llama.cpp source at $LLAMA (configure the project once: cmake -S . -B build)" >&2; exit 2; }
git -C "$ROOT" check-ignore -q device/ || { echo "device/ is not git-ignored; refusing to fill it" >&2; exit 2; }

rm -rf "$DEST/deps" "$DEST/clika-data" "$DEST/llama.cpp.tgz"
mkdir -p "$DEST/deps" "$DEST/clika-data/x_csqa"
(cd "$DEST/deps" && apt-get download \
   libfmt-dev libfmt9 librange-v3-dev libsimdjson-dev libsimdjson14 nlohmann-json3-dev libcli11-dev \
   libboost1.74-dev catch2 libbenchmark-dev libbenchmark1debian libssl-dev libssl3 >/dev/null)
tar -C "$LLAMA" --exclude=./.git --exclude=./docs --exclude=./models --exclude=./media --exclude=./tests --exclude=./benches \
    --exclude=./examples -cf "$DEST/llama.cpp.tar" .
tar -C "$LLAMA" -rf "$DEST/llama.cpp.tar" ./models/ggml-vocab-llama-spm.gguf
gzip -c "$DEST/llama.cpp.tar" >"$DEST/llama.cpp.tgz"
rm "$DEST/llama.cpp.tar"
cp -r "$DATA/x_csqa/en" "$DEST/clika-data/x_csqa/"
[[ -f "$DATA/README.md" ]] && cp "$DATA/README.md" "$DEST/clika-data/"
du -sh "$DEST"/* | sed 's/^/prepared: /'
cat <<EOF

Now, on the GPU machine (device tool, carry ["device"]), in as few calls as fit in 10 minutes each:
  bash benchmarks/gpu/run_on_device.sh device/clika-data build test kernel     # ~5 min
  bash benchmarks/gpu/run_on_device.sh device/clika-data e2e baseline          # ~5 min (same warm machine: keeps build-gpu/)
EOF
