#!/usr/bin/env python3
"""Do llama-perplexity --multiple-choice and clika loglik decide every question alike?

usage: perplexity_agreement.py PERPLEXITY_LOG CLIKA_PREDICTIONS_JSONL [NAME]
llama-perplexity prints "<done>\\t<running accuracy %>" after each question, in task order; from it each question's
correctness is recovered and compared with clika's under llama-perplexity's rule (highest mean log-probability per
token).
"""
import json
import re
import sys


def main():
    log, preds = sys.argv[1], sys.argv[2]
    name = sys.argv[3] + ": " if len(sys.argv) > 3 else ""
    running = [(int(m.group(1)), float(m.group(2))) for m in re.finditer(r"^(\d+)\t([0-9.]+)$", open(log).read(), re.M)]
    correct_ppl, prev = [], 0
    for done, acc in running:
        total = round(acc * done / 100)
        correct_ppl.append(total - prev)
        prev = total
    lines = [json.loads(l) for l in open(preds, encoding="utf-8")]
    mean = [[s / t for s, t in zip(l["scores"], l["n_tokens"])] for l in lines]
    pick = ["ABCDE"[max(range(len(m)), key=m.__getitem__)] for m in mean]
    correct_clika = [int(p == l["label"]) for p, l in zip(pick, lines)]
    gaps = [sorted(m, reverse=True) for m in mean]
    near_tie = [g[0] - g[1] < 1e-3 for g in gaps]
    agree = sum(a == b for a, b in zip(correct_ppl, correct_clika))
    agree_clear = sum(a == b for a, b, t in zip(correct_ppl, correct_clika, near_tie) if not t)
    clear = sum(not t for t in near_tie)
    print(f"{name}per-question correctness (mean log-prob per token decision): {agree}/{len(lines)} agree; "
          f"{agree_clear}/{clear} where the top two options differ by >= 1e-3 nats/token")
    print(f"{name}accuracy: llama-perplexity {100 * sum(correct_ppl) / max(1, len(correct_ppl)):.2f}%, "
          f"clika {100 * sum(correct_clika) / len(correct_clika):.2f}%")


if __name__ == "__main__":
    main()
