#!/usr/bin/env python3
"""Plain-Python baseline for `clika score`: the same metrics (RA per level, en-CO, per-task accuracy, bootstrap
intervals) computed the way a research script would, with the standard library only. Used to measure clika's speed.

usage: score_baseline.py DATA_DIR [--bootstrap N] MODEL [MODEL ...]
"""
import argparse
import json
import random
import time

LANGS = "en de fr it pl ru ar he ja zh".split()
OTHERS = LANGS[1:9]
DIRS = {
    "x_copa": "en DE FR it PL RU ar he JA zh".split(),
    "x_csqa": "en DE_trans FR_trans IT_trans PL_trans RU_trans ar_trans he_trans JA_trans ZH_trans".split(),
    "x_geo": LANGS,
    "x_name": LANGS,
}
REF = {"x_copa": 96.4, "x_csqa": 74.6, "x_geo": 97.0, "x_name": 92.2}
CHANCE = {"x_copa": 0.5, "x_csqa": 0.2, "x_geo": 0.25, "x_name": 0.25}
LEVELS = {"basic": ("x_copa", "x_csqa"), "factual": ("x_geo", "x_name")}


def load(data, model):
    name = "chatgpt_res.jsonl" if model == "chatgpt" else f"{model}_res_bf16_add_simple_example.jsonl"
    out = {}
    for task, dirs in DIRS.items():
        for lang, d in zip(LANGS, dirs):
            with open(f"{data}/{task}/{d}/{name}", encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
            out[task, lang] = {str(r["uuid"]): int(r["res"].strip()[:1] == r["label"]) for r in rows}
    return out


def metrics(correct, weights):
    acc, ra, co = {}, {}, {}
    for task in DIRS:
        w = weights[task]
        total = sum(w.values())
        en = correct[task, "en"]
        for lang in LANGS:
            c = correct[task, lang]
            hit = sum(w[u] * c[u] for u in w)
            both = sum(w[u] * c[u] * en[u] for u in w)
            acc[task, lang] = hit / total
            ra[task, lang] = max(0.0, (acc[task, lang] - CHANCE[task]) / (REF[task] / 100 - CHANCE[task]))
            co[task, lang] = both / hit if hit else float("nan")
    out = {}
    for level, (a, b) in LEVELS.items():
        lra = {l: (ra[a, l] + ra[b, l]) / 2 * 100 for l in LANGS}
        lco = {l: (co[a, l] + co[b, l]) / 2 for l in LANGS}
        lra["others"] = sum(lra[l] for l in OTHERS) / len(OTHERS)
        lco["others"] = sum(lco[l] for l in OTHERS) / len(OTHERS)
        out[level] = (lra, lco)
    return out


def score(data, model, resamples, seed=240404659):
    correct = load(data, model)
    uuids = {task: list(correct[task, "en"]) for task in DIRS}
    point = metrics(correct, {t: {u: 1 for u in us} for t, us in uuids.items()})
    rng = random.Random(seed)
    samples = []
    for _ in range(resamples):
        weights = {}
        for task, us in uuids.items():
            w = dict.fromkeys(us, 0)
            for u in rng.choices(us, k=len(us)):
                w[u] += 1
            weights[task] = w
        samples.append(metrics(correct, weights))
    intervals = {}
    for level in LEVELS:
        for col in ("en", "zh", "others"):
            vals = sorted(s[level][0][col] for s in samples)
            if vals:
                intervals[level, col] = (vals[int(0.025 * (len(vals) - 1))], vals[int(0.975 * (len(vals) - 1))])
    return point, intervals


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("models", nargs="+")
    p.add_argument("--bootstrap", type=int, default=1000)
    a = p.parse_args()
    start = time.perf_counter()
    for model in a.models:
        point, _ = score(a.data, model, a.bootstrap)
        b, f = point["basic"], point["factual"]
        print(f"{model}: Basic RA en {b[0]['en']:.2f} zh {b[0]['zh']:.2f} others {b[0]['others']:.2f} | "
              f"Factual RA en {f[0]['en']:.2f} zh {f[0]['zh']:.2f} others {f[0]['others']:.2f} | "
              f"en-CO zh {f[1]['zh']:.4f} others {f[1]['others']:.4f}")
    print(f"seconds: {time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
