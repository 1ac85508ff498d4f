#!/usr/bin/env bash
# scripts/convert-check.sh BUILD_DIR [VENV]
# Makes the converter's venv (torch and the CUDA libraries PyPI's Linux torch wheel needs: ~2.5 GB download), then runs
# the conversion test that CI skips without it, and prints the figures benchmarks/RESULTS.md records.
set -euo pipefail
BUILD="${1:?usage: $0 BUILD_DIR [VENV]}"
VENV="${2:-${XDG_CACHE_HOME:-$HOME/.cache}/clika/convert-venv-$(sha256sum "$(dirname "$0")/convert-requirements.txt" | cut -c1-12)}"
start=$(date +%s)
"$BUILD/bin/clika" convert --prepare --venv "$VENV"
made=$(date +%s)
echo "venv: $VENV, $(du -sh "$VENV" | cut -f1) installed, made in $((made - start)) s"
CLIKA_CONVERT_VENV="$VENV" ctest --test-dir "$BUILD" -R '^convert\.' --output-on-failure -V | grep -E "letter scores agree|wrote |Passed|Failed|SKIP|tests passed"
echo "tests: $(( $(date +%s) - made )) s"
