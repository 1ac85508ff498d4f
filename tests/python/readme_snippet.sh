#!/usr/bin/env bash
# The README's Python snippet (the first ```python block under "### Python") runs as written, with "$CLIKA_PYTHON" and
# the module on PYTHONPATH, from a folder laid out as the README assumes: ../shared/clika-data (the data), runs/mymodel
# (a run directory) and out/ (lm-evaluation-harness samples).
# Usage: readme_snippet.sh README DATA WORK
set -euo pipefail
README="$1"; DATA="$2"; WORK="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$WORK"; mkdir -p "$WORK/checkout" "$WORK/shared"
ln -s "$(cd "$DATA" && pwd)" "$WORK/shared/clika-data"
cd "$WORK/checkout"

"$CLIKA_PYTHON" - "$README" snippet.py <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
heading = text.find("\n### Python\n")
block = re.search(r"^```python\n(.*?)^```$", text[heading:], re.S | re.M) if heading >= 0 else None
if block is None:
    sys.exit(f'no ```python block under "### Python" in {sys.argv[1]}')
open(sys.argv[2], "w", encoding="utf-8").write(block.group(1))
PY
cat snippet.py

"$CLIKA_PYTHON" - "$here" "$DATA" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import fixtures
fixtures.write_run("runs/mymodel", sys.argv[2])
fixtures.write_lm_eval_samples("out")
PY
"$CLIKA_PYTHON" snippet.py
