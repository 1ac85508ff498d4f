#!/usr/bin/env python3
"""Compares two clika run directories question by question.

usage: compare_runs.py RUN_A RUN_B [--tolerance NATS] [--min-questions N]
Fails unless both hold the same task/language files, the same questions in the same order, every per-option score
within the tolerance, and the same predicted letters wherever the decision is not a near-tie.
"""
import argparse
import json
import pathlib
import sys


def load(run):
    files = {}
    for path in sorted(pathlib.Path(run).glob("*/*/predictions.jsonl")):
        key = str(path.relative_to(run))
        files[key] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return files


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--min-questions", type=int, default=1)
    args = p.parse_args()
    a, b = load(args.a), load(args.b)
    if sorted(a) != sorted(b):
        sys.exit(f"different files: {sorted(a)} vs {sorted(b)}")
    worst, questions, letters = 0.0, 0, 0
    for key in a:
        if len(a[key]) != len(b[key]):
            sys.exit(f"{key}: {len(a[key])} vs {len(b[key])} lines")
        for i, (x, y) in enumerate(zip(a[key], b[key])):
            if x["uuid"] != y["uuid"] or x["input"] != y["input"]:
                sys.exit(f"{key}:{i + 1}: different questions")
            if len(x["scores"]) != len(y["scores"]):
                sys.exit(f"{key}:{i + 1}: different option counts")
            diff = max(abs(s - t) for s, t in zip(x["scores"], y["scores"]))
            worst = max(worst, diff)
            if diff > args.tolerance:
                sys.exit(f"{key}:{i + 1}: scores differ by {diff:.3g} nats (> {args.tolerance}): {x['scores']} vs {y['scores']}")
            ranked = sorted(x["scores"], reverse=True)
            near_tie = len(ranked) > 1 and ranked[0] - ranked[1] <= 2 * args.tolerance
            if x["res"] != y["res"] and not near_tie:
                sys.exit(f"{key}:{i + 1}: predicted {x['res']} vs {y['res']}")
            letters += x["res"] == y["res"]
            questions += 1
    if questions < args.min_questions:
        sys.exit(f"only {questions} questions compared, expected at least {args.min_questions}")
    print(f"{questions} questions in {len(a)} files agree: max |Δ score| = {worst:.3g} nats, {letters} identical letters")


if __name__ == "__main__":
    main()
