#!/usr/bin/env python3
"""transformers baselines for the cuda_native benchmark (issue 6), measured in the same run as clika.

LLaMA-2-7B shapes (32 layers, dim 4096, 32 heads, ff 11008, vocab 32000, untied) with random BF16 weights, sdpa
attention, on the requests clika itself makes (clika_dump_requests: x_csqa en one-shot prompts, LLaMA SPM tokens):

  lmeval   lm-evaluation-harness's way: every option is a row (context + option, minus the last token), rows sorted by
           length (longest first), batch 64, right padding, full-sequence logits, log_softmax, gather -> options/s
  letter   the paper's letter protocol batched: prompts left-padded, batch 128, logits_to_keep=1, log_softmax of the
           last position, gather the option letters -> questions/s
  logits   on a [4096 x 32000] BF16 tensor: device-to-device copy (read + write), torch.log_softmax(x.float()).gather and
           torch.log_softmax(x) (BF16) read rates

usage: transformers_baseline.py --requests REQ.json --out OUT.json [--only lmeval,letter,logits] [--limit N]
Weights are random: the scores are meaningless, the timings are not. Needs torch and transformers and one CUDA GPU.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def cuda_time(fn, repetitions=20, warmup=3):
    """Median milliseconds of fn() measured with CUDA events."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repetitions):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def make_model(args):
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=args.layers,
                         num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=4096, rms_norm_eps=1e-5,
                         tie_word_embeddings=False, attn_implementation="sdpa")
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device("cuda"):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model.eval()
    return model, config


def linear_params(config):
    d, ff, layers, vocab = config.hidden_size, config.intermediate_size, config.num_hidden_layers, config.vocab_size
    return layers * (4 * d * d + 3 * d * ff) + d * vocab  # the matrices every token goes through (lm_head included)


@torch.inference_mode()
def bench_lmeval(model, config, questions, batch_size):
    rows = []  # (input ids, continuation ids)
    for q in questions:
        for cont in q["continuations"]:
            whole = q["context"] + cont
            rows.append((whole[:-1], cont))
    rows.sort(key=lambda r: -len(r[0]))
    batches = [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]

    def run(batch):
        length = max(len(r[0]) for r in batch)
        ids = torch.zeros((len(batch), length), dtype=torch.long)
        for i, (inp, _) in enumerate(batch):
            ids[i, :len(inp)] = torch.tensor(inp)
        logits = model(ids.cuda()).logits          # [B, L, V] in the model's dtype, every position
        logprobs = F.log_softmax(logits, dim=-1)   # as lm-eval does
        out = []
        for i, (inp, cont) in enumerate(batch):
            n = len(cont)
            sel = logprobs[i, len(inp) - n:len(inp)]  # rows predicting the continuation tokens
            target = torch.tensor(cont, device=sel.device)
            out.append((sel.gather(1, target[:, None]).float().sum(), (sel.argmax(-1) == target).all()))
        return out, len(batch) * length

    run(batches[0])  # warm-up
    torch.cuda.synchronize()
    start = time.perf_counter()
    padded_tokens = 0
    results = []
    for b in batches:
        r, t = run(b)
        results.extend(r)
        padded_tokens += t
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    flops = 2.0 * linear_params(config) * padded_tokens
    return {"options": len(rows), "questions": len(questions), "batch": batch_size, "seconds": seconds,
            "options_per_s": len(rows) / seconds, "questions_per_s": len(questions) / seconds,
            "padded_tokens": padded_tokens, "linear_tflops_executed": flops / seconds / 1e12}


@torch.inference_mode()
def bench_letter(model, config, questions, batch_size):
    batches = [questions[i:i + batch_size] for i in range(0, len(questions), batch_size)]

    def run(batch):
        contexts = [q.get("letter_context", q["context"]) for q in batch]
        length = max(len(c) for c in contexts)
        ids = torch.zeros((len(batch), length), dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.long)
        for i, c in enumerate(contexts):
            ids[i, length - len(c):] = torch.tensor(c)
            mask[i, length - len(c):] = 1
        ids, mask = ids.cuda(), mask.cuda()
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=1).logits[:, -1]
        logprobs = F.log_softmax(logits.float(), dim=-1)
        letters = torch.tensor([q["letters"] for q in batch], device=logprobs.device)
        return logprobs.gather(1, letters), len(batch) * length

    run(batches[0])
    torch.cuda.synchronize()
    start = time.perf_counter()
    padded_tokens = 0
    for b in batches:
        _, t = run(b)
        padded_tokens += t
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    flops = 2.0 * (linear_params(config) - config.hidden_size * config.vocab_size) * padded_tokens
    return {"questions": len(questions), "batch": batch_size, "seconds": seconds, "questions_per_s": len(questions) / seconds,
            "padded_tokens": padded_tokens, "linear_tflops_executed": flops / seconds / 1e12}


@torch.inference_mode()
def bench_logits(rows=4096, vocab=32000):
    x = torch.randn((rows, vocab), device="cuda", dtype=torch.bfloat16)
    y = torch.empty_like(x)
    idx = torch.randint(0, vocab, (rows, 5), device="cuda")
    nbytes = x.numel() * x.element_size()
    copy_ms = cuda_time(lambda: y.copy_(x))
    f32_ms = cuda_time(lambda: torch.log_softmax(x.float(), dim=-1).gather(1, idx))
    bf16_ms = cuda_time(lambda: torch.log_softmax(x, dim=-1))
    return {"rows": rows, "vocab": vocab, "dtype": "bf16", "bytes": nbytes,
            "copy_read_write_GBps": 2 * nbytes / copy_ms / 1e6,
            "log_softmax_float_gather_read_GBps": nbytes / f32_ms / 1e6,
            "log_softmax_bf16_read_GBps": nbytes / bf16_ms / 1e6,
            "copy_ms": copy_ms, "log_softmax_float_gather_ms": f32_ms, "log_softmax_bf16_ms": bf16_ms}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--requests", required=True, help="JSON from clika_dump_requests")
    p.add_argument("--out", required=True)
    p.add_argument("--only", default="lmeval,letter,logits")
    p.add_argument("--limit", type=int, default=0, help="first N questions (0: all)")
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--lmeval-batch", type=int, default=64)
    p.add_argument("--letter-batch", type=int, default=128)
    args = p.parse_args()
    if not torch.cuda.is_available():
        print("SKIP: no CUDA device for torch")
        sys.exit(77)
    with open(args.requests, encoding="utf-8") as f:
        questions = json.load(f)["questions"]
    if args.limit:
        questions = questions[:args.limit]
    import transformers

    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "transformers": transformers.__version__,
              "shape": "LLaMA-2-7B (random BF16 weights, sdpa)", "layers": args.layers}
    only = set(args.only.split(","))
    if "logits" in only:
        result["logits"] = bench_logits()
        print("logits:", json.dumps(result["logits"]), flush=True)
    if only & {"lmeval", "letter"}:
        model, config = make_model(args)
        if "lmeval" in only:
            result["lmeval"] = bench_lmeval(model, config, questions, args.lmeval_batch)
            print("lmeval:", json.dumps(result["lmeval"]), flush=True)
        if "letter" in only:
            result["letter"] = bench_letter(model, config, questions, args.letter_batch)
            print("letter:", json.dumps(result["letter"]), flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
