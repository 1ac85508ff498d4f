#!/usr/bin/env bash
# CI hardening, after the normal tests (scripts/test.sh). One build, build-asan/, with clang-14: clika's own code -- the
# CLI, its tests, the fixture and example plugins, the llama.cpp plugin and the libFuzzer targets in fuzz/ -- compiled
# with AddressSanitizer + UndefinedBehaviorSanitizer at -O1 -g. The vendored llama.cpp is not instrumented
# (cmake/ClikaHardening.cmake says why): the plugin links the normal build's llama.cpp libraries
# (CLIKA_LLAMA_CPP_PREBUILT=build), so llama.cpp is not compiled again; without a normal build it is compiled once
# more, as in a Release build.
#   asan  builds everything there and runs CTest, which also replays every fuzz target's seeds and committed crash
#         inputs. Any sanitizer report fails the step, also one from a process whose exit status a test does not look
#         at (reports go to build-asan/sanitizer-logs/).
#   fuzz  runs each libFuzzer target CLIKA_FUZZ_SECONDS (60) from its committed seeds, as many at once as there are
#         build jobs (each is single-threaded); a crash input is kept in build-asan/crashes/<target>/ and fails the
#         step. Then CTest replays the seeds and the committed crash inputs (fuzz/regressions/) once more.
# Clang rather than GCC: libFuzzer needs it, one build then serves both steps, and it compiles clika's header-only code
# with the sanitizers about 40% faster than GCC 12 (test_eval.cpp: 52 s against 88 s of CPU).
# Each step stops at its first build error (set -e does not reach into `step || status=1`).
# Usage: scripts/ci-hardening.sh [asan|fuzz|all]   (default all; CLIKA_JOBS sets the build parallelism, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/build-asan
what=${1:-all}
jobs=${CLIKA_JOBS:-2}
fuzz_seconds=${CLIKA_FUZZ_SECONDS:-60}
opt_flags="-O1 -g"   # clika's code: -O1 keeps stack traces readable and the run tests fast enough

# Tests not run under the sanitizers (each passes in the normal build, scripts/test.sh):
#   install.*  configure and build separate consumer projects against an install tree -- packaging, not memory safety,
#              and those projects are compiled without the sanitizer flags, so they only add minutes.
#   python.*   the Python module is not built here (CLIKA_BUILD_PYTHON=OFF): a sanitized extension cannot load into
#              Debian's uninstrumented python3 without LD_PRELOAD of the runtime; its C++ is the core the CLI tests cover.
asan_excluded=${CLIKA_ASAN_EXCLUDE:-'^(install|python)\.'}

sanitizer_env() {  # $1: folder for reports
  mkdir -p "$1"
  rm -f "$1"/*
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:print_stacktrace=1:detect_leaks=1:check_initialization_order=1:strict_string_checks=1:log_path=$1/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$1/ubsan"
  # Thread-local storage unscanned: clang 14's LSan crashes on glibc 2.36's dynamic TLS of dlopen'ed plugins (see the file).
  export LSAN_OPTIONS="use_tls=0:print_suppressions=0:suppressions=$root/scripts/lsan-suppressions.txt"
}

reports_or_ok() {  # $1: folder for reports; fails listing every report
  if compgen -G "$1/*" >/dev/null; then
    echo "ci-hardening: sanitizer reports in $1:" >&2
    for f in "$1"/*; do echo "---- $f" >&2; cat "$f" >&2; done
    return 1
  fi
}

configure() {
  local llama=()
  if [[ -f $root/build/clika-llama-cpp-prebuilt.cmake ]]; then
    # The normal build's llama.cpp libraries (uninstrumented, as wanted): link them instead of compiling llama.cpp.
    cmake --build "$root/build" -j"$jobs" --target clika_llamacpp || return 1   # (a no-op after scripts/test.sh)
    llama=(-DCLIKA_LLAMA_CPP_PREBUILT="$root/build")
  elif [[ -f $root/build/_deps/llama.cpp/.clika-llama-cpp.stamp ]]; then
    # The normal build has at least fetched the pinned llama.cpp tree: reuse it instead of fetching again.
    llama=(-DCLIKA_LLAMA_CPP_SOURCE="$root/build/_deps/llama.cpp")
  fi
  # The normal build's Python venv (scripts/test.sh made it), rather than a second one in build-asan/venv.
  if [[ -x $root/build/venv/bin/python ]]; then llama+=(-DCLIKA_PYTHON="$root/build/venv/bin/python"); fi
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt_flags" -DCLIKA_SANITIZE=address,undefined -DCLIKA_BUILD_FUZZERS=ON \
    -DCLIKA_BUILD_BENCHMARKS=OFF -DCLIKA_BUILD_ONNX=OFF -DCLIKA_BUILD_CUDA=OFF -DCLIKA_BUILD_PYTHON=OFF "${llama[@]}"
}

fuzz_targets() {
  sed -n 's/^  \([a-z_]*\) *#.*/\1/p' "$root/fuzz/CMakeLists.txt"
}

run_asan() {
  local logs=$build/sanitizer-logs start=$SECONDS
  configure || return 1
  cmake --build "$build" -j"$jobs" || return 1
  echo "ci-hardening: asan build took $((SECONDS - start)) s"
  sanitizer_env "$logs"
  local rc=0
  start=$SECONDS
  ctest --test-dir "$build" -j"$jobs" --output-on-failure --timeout 1500 -E "$asan_excluded" || rc=$?
  echo "ci-hardening: asan tests took $((SECONDS - start)) s"
  reports_or_ok "$logs" || rc=1
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
  return $rc
}

fuzz_one() {  # $1: target; fails on a crash, printing the report
  local name=$1
  local corpus=$build/corpus/$name crashes=$build/crashes/$name inputs=("$root/fuzz/corpus/$name")
  [[ -d $root/fuzz/regressions/$name ]] && inputs+=("$root/fuzz/regressions/$name")
  mkdir -p "$corpus" "$crashes"
  local dict=()
  [[ $name == gguf ]] || dict=(-dict="$root/fuzz/dict/json.dict")
  echo "ci-hardening: fuzzing $name for ${fuzz_seconds}s"
  # Reports go to stderr here: libFuzzer prints them with the crash input it saved.
  if ! ASAN_OPTIONS=halt_on_error=1:print_stacktrace=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$build/bin/clika_fuzz_$name" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 "${dict[@]}" -artifact_prefix="$crashes/" "$corpus" "${inputs[@]}" >"$build/fuzz-$name.log" 2>&1; then
    tail -n 60 "$build/fuzz-$name.log" >&2
    echo "ci-hardening: $name crashed; inputs in $crashes (commit one to fuzz/regressions/$name/ with the fix)" >&2
    return 1
  fi
}

run_fuzz() {
  local logs=$build/sanitizer-logs start=$SECONDS targets
  targets=$(fuzz_targets)
  [[ -n $targets ]] || { echo "ci-hardening: no fuzz targets found in fuzz/CMakeLists.txt" >&2; return 1; }
  if [[ ! -f $build/CMakeCache.txt ]]; then configure || return 1; fi
  cmake --build "$build" -j"$jobs" --target $(printf 'clika_fuzz_%s ' $targets) || return 1   # (built by asan already)
  # Scratch files of the targets stay inside the build folder.
  mkdir -p "$build/tmp"
  export TMPDIR=$build/tmp
  local rc=0 name running=0
  for name in $targets; do
    if (( running >= jobs )); then
      wait -n || rc=1
      running=$((running - 1))
    fi
    fuzz_one "$name" &
    running=$((running + 1))
  done
  while (( running > 0 )); do
    wait -n || rc=1
    running=$((running - 1))
  done
  for name in $targets; do
    echo "ci-hardening: fuzzed $name for ${fuzz_seconds}s: $(grep -E '^stat::(number_of_executed_units|new_units_added)' "$build/fuzz-$name.log" | tr -s ' \n' ' ')"
  done
  sanitizer_env "$logs"
  ctest --test-dir "$build" -j"$jobs" --output-on-failure -R '^fuzz\.' || rc=1
  reports_or_ok "$logs" || rc=1
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TMPDIR
  echo "ci-hardening: fuzz took $((SECONDS - start)) s"
  return $rc
}

start=$SECONDS
status=0
case $what in
  asan) run_asan || status=1 ;;
  fuzz) run_fuzz || status=1 ;;
  all) run_asan || status=1; run_fuzz || status=1 ;;
  *) echo "usage: $0 [asan|fuzz|all]" >&2; exit 2 ;;
esac
echo "ci-hardening: $what done in $((SECONDS - start)) s, $([[ $status == 0 ]] && echo clean || echo FAILED)"
exit $status
