#!/usr/bin/env bash
# The cuda_native GPU run, for the lent GPU machine (device tool; H100/H200 with torch 2.11, transformers, CUDA 13 nvcc,
# CMake, ninja; no network, no ../shared). First, here: bash benchmarks/gpu/prepare_device_carry.sh (fills device/).
#
# usage: bash benchmarks/gpu/run_on_device.sh DATA_DIR [PHASE...]      (from the repository root; carry ["device"])
#   DATA_DIR   a CLiKA data folder holding at least x_csqa/en (device/clika-data after the prepare script)
#   PHASE      build test kernel e2e baseline   (default: all five, in this order; ~10 minutes on an H100, so split
#              them over two calls on the same warm machine: "build test kernel", then "e2e baseline")
#
#   build     unpack device/deps/*.deb into /tmp/clika-sysroot, device/llama.cpp.tgz into /tmp/clika-llama.cpp; configure
#             build-gpu/ (CUDA on, sm_90, ONNX off) and build clika, both plugins, the GPU tests and benchmarks
#   test      ctest -R cuda_native: kernel + ops vs CPU reference, whole model vs llama.cpp (x_csqa en, all prompts)
#   kernel    bench_logprob: the fused kernel's read rate vs a device-to-device copy (vocab 32k/128k, BF16/FP32)
#   e2e       a LLaMA-2-7B-shaped GGUF (random weights, F16 file computed as BF16) on local disk; clika bench with
#             cuda_native in loglik and letter mode over x_csqa en
#   baseline  transformers_baseline.py on the same requests (clika_dump_requests) and shapes: lm-eval way, batched
#             letter protocol, logits read rates
# Outputs in $OUT (the device tool's folder; default benchmarks/gpu/out), at most 8 files: summary.txt, build.log,
# tests.log, bench_logprob.json, clika_loglik.json, clika_letter.json, e2e.log, baseline.json.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
DATA="$(cd "${1:?usage: run_on_device.sh DATA_DIR [PHASE...]}" && pwd)"
shift
PHASES=("$@")
[[ ${#PHASES[@]} -eq 0 ]] && PHASES=(build test kernel e2e baseline)
OUT="${OUT:-$ROOT/benchmarks/gpu/out}"
mkdir -p "$OUT"
BUILD="$ROOT/build-gpu"
SYSROOT=/tmp/clika-sysroot
LLAMA=/tmp/clika-llama.cpp
MODEL=/tmp/clika-llama2-7b-shape.gguf
JOBS="$(nproc)"
SUMMARY="$OUT/summary.txt"
status=0

say() { echo "$*" | tee -a "$SUMMARY"; }
stamp() { date -u +%H:%M:%S; }
phase_failed() { say "FAILED: $1 (see its log)"; status=1; }

say "== cuda_native GPU run $(date -u +%Y-%m-%dT%H:%M:%SZ), phases: ${PHASES[*]}"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader 2>&1 | sed 's/^/gpu: /' | tee -a "$SUMMARY"
say "nvcc: $(nvcc --version 2>/dev/null | tail -2 | head -1)"
say "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with local changes)')"

do_build() {
    local t0=$SECONDS k0
    if [[ -d "$ROOT/device/deps" ]]; then
        mkdir -p "$SYSROOT"
        for deb in "$ROOT"/device/deps/*.deb; do dpkg -x "$deb" "$SYSROOT"; done
    fi
    if [[ ! -f "$LLAMA/include/llama.h" ]]; then
        mkdir -p "$LLAMA" && tar -C "$LLAMA" -xzf "$ROOT/device/llama.cpp.tgz"
    fi
    {
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DCMAKE_PREFIX_PATH="$SYSROOT/usr" \
            -DCLIKA_BUILD_ONNX=OFF -DCLIKA_LLAMA_CPP_SOURCE="$LLAMA" -DCLIKA_LLAMA_NATIVE=ON \
            -DCMAKE_CUDA_ARCHITECTURES=90-real -DCLIKA_TEST_DATA="$DATA" &&
        k0=$SECONDS && cmake --build "$BUILD" -j "$JOBS" --target clika_cuda_kernels &&
        echo "cuda_native kernels: $((SECONDS - k0)) s wall" &&
        cmake --build "$BUILD" -j "$JOBS" --target clika clika_llamacpp clika_cuda_native clika_cuda_reference_tests \
            clika_cuda_gpu_tests bench_logprob clika_dump_requests
    } >"$OUT/build.log" 2>&1 || { phase_failed build; tail -30 "$OUT/build.log"; return 1; }
    say "build: ok in $((SECONDS - t0)) s ($(grep -o 'cuda_native kernels: .*' "$OUT/build.log"))"
}

do_test() {
    local t0=$SECONDS
    ctest --test-dir "$BUILD" -R "cuda_native" --output-on-failure -j 4 >"$OUT/tests.log" 2>&1 || phase_failed test
    say "test: $(grep -E 'tests passed|tests failed' "$OUT/tests.log" | tail -1) in $((SECONDS - t0)) s"
    grep -E "agree:|Skipped|Failed|max error|max relative" "$OUT/tests.log" | head -40 >>"$SUMMARY"
}

do_kernel() {
    "$BUILD/bin/bench_logprob" --json "$OUT/bench_logprob.json" 2>&1 | tee -a "$SUMMARY" || phase_failed kernel
}

do_e2e() {
    local t0=$SECONDS clika="$BUILD/bin/clika"
    {
        echo "== make-model $(stamp)"
        [[ -f "$MODEL" ]] || "$clika" make-model --out "$MODEL" --layers 32 --dim 4096 --heads 32 --kv-heads 32 --ff 11008 \
            --context 4096 --untied --type f16 --seed 1
        for mode in loglik letter; do
            echo "== clika bench $mode $(stamp)"
            CLIKA_CUDA_NATIVE_COMPUTE=bf16 "$clika" bench --plugin cuda_native --plugin-path "$BUILD/lib" --model "$MODEL" \
                --data "$DATA" --mode "$mode" --tasks x_csqa --langs en --chunk 1000 --batch 8192 --ctx 2048 \
                --seconds 8 --repetitions 3 --json "$OUT/clika_$mode.json"
        done
        echo "== done $(stamp)"
    } >"$OUT/e2e.log" 2>&1 || phase_failed e2e
    grep -E "questions/s|options/s|prefix cache|error" "$OUT/e2e.log" | sed 's/^/e2e: /' | tee -a "$SUMMARY"
    say "e2e: $((SECONDS - t0)) s"
}

do_baseline() {
    local t0=$SECONDS
    local tiny=/tmp/clika-tiny.gguf requests=/tmp/clika-x_csqa-en-requests.json
    {
        "$BUILD/bin/clika" make-model --out "$tiny" --seed 1 &&
        "$BUILD/bin/clika_dump_requests" --data "$DATA" --model "$tiny" --plugin-path "$BUILD/lib" --task x_csqa --lang en --out "$requests" &&
        PYTHONUNBUFFERED=1 python3 "$ROOT/benchmarks/gpu/transformers_baseline.py" --requests "$requests" --out "$OUT/baseline.json"
    } >>"$OUT/e2e.log" 2>&1 || phase_failed baseline
    grep -E "^(logits|lmeval|letter):" "$OUT/e2e.log" | sed 's/^/baseline: /' | tee -a "$SUMMARY"
    say "baseline: $((SECONDS - t0)) s"
}

for phase in "${PHASES[@]}"; do
    say "== $phase $(stamp)"
    case "$phase" in
        build) do_build || break ;;
        test) do_test ;;
        kernel) do_kernel ;;
        e2e) do_e2e ;;
        baseline) do_baseline ;;
        *) say "unknown phase $phase"; status=2 ;;
    esac
done
say "== end $(stamp), status $status"
exit $status
