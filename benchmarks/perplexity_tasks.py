#!/usr/bin/env python3
"""Writes CLiKA questions as llama-perplexity's --multiple-choice binary task file.

usage: perplexity_tasks.py PROMPTS_JSONL RAW_QUESTIONS_JSONL TASK OUT.bin [--limit N]
PROMPTS_JSONL is `clika prompts --task TASK --lang L` output (the paper's one-shot prompt per question); option texts
come from the raw question file. llama-perplexity scores `prompt + " " + option` for each option, as clika's loglik
mode does, and picks the option with the highest mean log-probability per token.

Format (tools/perplexity/perplexity.cpp): uint32 n_task, uint32 task_pos[n_task], then per task: string question,
mc1 {uint32 n, n strings, int32 labels[n]}, mc2 (same, empty here); a string is uint32 length + bytes.
"""
import argparse
import json
import struct


def options_of(task, raw):
    if task == "x_csqa":
        return raw["question"]["choices"]["text"]
    if task == "x_copa":
        return [raw["choice1"], raw["choice2"]]
    return raw["answers"]


def string(s):
    b = s.encode("utf-8")
    return struct.pack("<I", len(b)) + b


def main():
    p = argparse.ArgumentParser()
    p.add_argument("prompts")
    p.add_argument("raw")
    p.add_argument("task")
    p.add_argument("out")
    p.add_argument("--limit", type=int, default=0)
    a = p.parse_args()
    prompts = [json.loads(l) for l in open(a.prompts, encoding="utf-8")]
    raws = [json.loads(l) for l in open(a.raw, encoding="utf-8")]
    if a.limit:
        prompts, raws = prompts[: a.limit], raws[: a.limit]
    bodies = []
    for prompt, raw in zip(prompts, raws):
        options = options_of(a.task, raw)
        label = "ABCDE".index(prompt["label"])
        body = string(prompt["input"]) + struct.pack("<I", len(options))
        body += b"".join(string(o) for o in options)
        body += struct.pack(f"<{len(options)}i", *[int(i == label) for i in range(len(options))])
        body += struct.pack("<I", 0)  # mc2: none
        bodies.append(body)
    header = 4 + 4 * len(bodies)
    positions, at = [], header
    for b in bodies:
        positions.append(at)
        at += len(b)
    with open(a.out, "wb") as f:
        f.write(struct.pack("<I", len(bodies)) + struct.pack(f"<{len(bodies)}I", *positions) + b"".join(bodies))
    print(f"wrote {len(bodies)} tasks to {a.out}")


if __name__ == "__main__":
    main()
