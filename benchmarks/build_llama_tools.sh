#!/usr/bin/env bash
# Builds llama-perplexity, llama-bench and llama-quantize into BUILD/llama-tools from the llama.cpp tree this build
# links, against the very same static libraries (ggml compiled once, with the same flags): the anchors of
# benchmarks/throughput.sh then differ from clika only in what they do, not in how ggml was compiled.
# Works for a build that compiled llama.cpp itself and for one configured with CLIKA_LLAMA_CPP_PREBUILT.
#
# usage: benchmarks/build_llama_tools.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
prebuilt=$(sed -n 's/^CLIKA_LLAMA_CPP_PREBUILT:PATH=//p' "$BUILD/CMakeCache.txt")
TREE="${prebuilt:-$BUILD}"
SRC="$TREE/_deps/llama.cpp"
LIB="$TREE/_deps/llama.cpp-build"
# llama.cpp compiled in this build: its common library is not part of the default targets.
[[ -n "$prebuilt" || -f "$LIB/common/libllama-common.a" ]] || cmake --build "$BUILD" --target llama-common -j2 > /dev/null
[[ -f "$LIB/common/libllama-common.a" ]] || { echo "build_llama_tools: $LIB/common/libllama-common.a is missing: build clika_llamacpp in $TREE first" >&2; exit 2; }
OUT="$BUILD/llama-tools"
mkdir -p "$OUT"
libs=("$LIB/common/libllama-common.a" "$LIB/common/libllama-common-base.a" "$LIB/vendor/cpp-httplib/libcpp-httplib.a"
      "$LIB/vendor/hash/libvendor-hash.a" "$LIB/src/libllama.a" "$LIB/ggml/src/libggml.a" "$LIB/ggml/src/libggml-cpu.a"
      "$LIB/ggml/src/libggml-base.a" -lgomp -lpthread -ldl -lssl -lcrypto)
for tool in perplexity:llama-perplexity llama-bench:llama-bench quantize:llama-quantize; do
  dir=${tool%%:*}; name=${tool##*:}
  [[ "$OUT/$name" -nt "$LIB/src/libllama.a" ]] && continue
  echo "build_llama_tools: $OUT/$name" >&2
  c++ -O3 -DNDEBUG -DGGML_USE_CPU -std=gnu++17 -I"$SRC/common" -I"$SRC/vendor" -I"$SRC/include" -I"$SRC/ggml/include" \
    "$SRC/tools/$dir"/*.cpp -o "$OUT/$name" "${libs[@]}"
done
