#!/usr/bin/env bash
# On the SentencePiece vocabulary of the bundled tiny model (the README's main job), letter-mode predictions are
# byte-identical to those clika wrote before the one letter rule (tests/golden/letter_spm_predictions.sha256, written
# by the build of commit 2526e15 with this exact command).
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"; PLUGINS="$4"; GOLDEN="$5"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 1 > /dev/null
"$CLIKA" run --data "$DATA" --model "$WORK/tiny.gguf" --plugin-path "$PLUGINS" --threads 1 --no-report --limit 20 --out "$WORK/run"
cd "$WORK/run"
if [[ "${CLIKA_REGENERATE_GOLDEN:-}" == 1 ]]; then  # tests/golden/README.md
  find . -name predictions.jsonl -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > "$GOLDEN"
  echo "CLIKA_REGENERATE_GOLDEN=1: rewrote $GOLDEN"
fi
sha256sum --check --strict "$GOLDEN"
[[ $(wc -l < "$GOLDEN") -eq 40 ]] || { echo "golden should list 40 files"; exit 1; }
