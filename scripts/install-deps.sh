#!/usr/bin/env bash
# Installs every Debian package clika's build, tests and benchmarks need. Idempotent; run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake git ca-certificates python3
  libfmt-dev libboost-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev
  catch2 libbenchmark-dev libssl-dev bc
  python3-venv python3-dev      # scripts/python-venv.sh: the tests' venv (PyPI packages), the Python module's headers
  libcurl4-openssl-dev          # the server plugin (plugins/openai) talks HTTP through libcurl
  nodejs npm   # npm fetches the pinned llama.cpp source bundle and ONNX Runtime packages
  clang-14 libclang-rt-14-dev   # scripts/ci-hardening.sh: the sanitizer build of clika and the libFuzzer targets (fuzz/)
  chromium                      # tests/report/chromium.sh renders `clika report`'s page headless
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian (e.g. nodesource): accept any working npm instead of the Debian package.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
