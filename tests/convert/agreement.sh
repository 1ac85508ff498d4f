#!/usr/bin/env bash
# clika convert on a tiny Hugging Face LLaMA made here, then the llama.cpp plugin's letter scores against transformers'
# (tests/convert/transformers_agreement.py). It needs the converter's venv (torch is ~2.5 GB from PyPI, too large for
# every CI run): CLIKA_CONVERT_VENV, or the one `clika convert --prepare` makes by default. Skips (77) where it is absent;
# scripts/convert-check.sh makes it and runs this test.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; REQUIREMENTS="$5"
here="$(cd "$(dirname "$0")" && pwd)"
sha="$(sha256sum "$REQUIREMENTS" | cut -c1-12)"
VENV="${CLIKA_CONVERT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/clika/convert-venv-$sha}"
if [[ ! -f "$VENV/.clika-requirements.sha256" ]] || ! "$VENV/bin/python" -c "import torch, transformers, sentencepiece" 2>/dev/null; then
  echo "SKIP: no converter venv with torch at $VENV (make it with \`clika convert --prepare\`, ~2.5 GB from PyPI, or run scripts/convert-check.sh)"
  exit 77
fi
rm -rf "$WORK"; mkdir -p "$WORK"
"$VENV/bin/python" "$here/transformers_agreement.py" "$CLIKA" "$DATA" "$WORK" "$PLUGINS" "$VENV"
