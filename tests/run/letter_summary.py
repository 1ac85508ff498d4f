#!/usr/bin/env python3
"""Prints what a letter-mode run scored, one line per task and language group, from its run.json:
VOCAB TASK LANGS drops=TEXT LETTER=IDS:TEXT ... (texts as JSON strings). The golden file
tests/golden/letter_continuations.txt holds these lines for every llama.cpp vocabulary.

usage: letter_summary.py VOCAB RUN_DIR
"""
import json
import sys


def main():
    vocab, run = sys.argv[1], sys.argv[2]
    with open(f"{run}/run.json", encoding="utf-8") as f:
        manifest = json.load(f)
    for task, groups in manifest["letter_continuations"].items():
        for group in groups:
            letters = " ".join(
                f"{c['letter']}={','.join(map(str, c['tokens']))}:{json.dumps(c['text'], ensure_ascii=False)}"
                for c in group["letters"])
            drops = json.dumps(group["context_drops"], ensure_ascii=False)
            print(f"{vocab} {task} {','.join(group['langs'])} drops={drops} {letters}")


if __name__ == "__main__":
    main()
