"""A Hugging Face LLaMA model made here (random weights, a SentencePiece tokenizer trained on the CLiKA prompts),
converted by `clika convert --type f32` and run by the llama.cpp plugin in letter mode, scores every letter as
transformers does: log p(letter tokens | prompt) within 1e-3 nats, and picks the same letters.

usage: transformers_agreement.py CLIKA DATA WORK PLUGIN_DIR VENV
Run with a Python that has torch, transformers and sentencepiece (the converter's venv has them).
"""

import glob
import hashlib
import json
import os
import subprocess
import sys

import sentencepiece as spm
import torch
from transformers import LlamaConfig, LlamaForCausalLM, LlamaTokenizer

TOLERANCE = 1e-3
TASKS = "x_geo,x_copa,x_csqa"
LANGS = "en,de,ru,zh,ar"


def make_tokenizer(data, work):
    """A byte-fallback BPE SentencePiece model (LLaMA's kind), trained on the prompts it will score."""
    corpus = os.path.join(work, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as out:
        for path in sorted(glob.glob(os.path.join(data, "x_*", "x_*_model_input.jsonl"))):
            with open(path, encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if i >= 40:
                        break
                    out.write(json.loads(line)["input"] + "\n")
    prefix = os.path.join(work, "tokenizer")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, model_type="bpe", vocab_size=3000, byte_fallback=True,
        character_coverage=0.9995, normalization_rule_name="identity", remove_extra_whitespaces=False,
        add_dummy_prefix=True, split_digits=True, allow_whitespace_only_pieces=True,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2)
    return prefix + ".model"


def make_model(tokenizer_model, hf_dir):
    tokenizer = LlamaTokenizer(vocab_file=tokenizer_model, legacy=True)
    config = LlamaConfig(
        # head_dim 64: a size vLLM's CPU attention takes too (it refuses 16), so a vLLM server can serve this folder
        vocab_size=tokenizer.vocab_size, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096, rms_norm_eps=1e-5,
        rope_theta=10000.0, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
        initializer_range=0.2,  # far from uniform: letters differ by tenths of nats, so "same letters" means something
        torch_dtype="float32")
    torch.manual_seed(7)
    model = LlamaForCausalLM(config).eval()
    model.save_pretrained(hf_dir, safe_serialization=True)
    tokenizer.save_pretrained(hf_dir)
    return model, tokenizer


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def letter_logprob(model, ids, n_continuation):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    logprobs = torch.log_softmax(logits, dim=-1)
    start = len(ids) - n_continuation
    return sum(logprobs[pos - 1, ids[pos]].item() for pos in range(start, len(ids)))


def main():
    clika, data, work, plugins, venv = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    hf_dir = os.path.join(work, "tiny-llama-hf")
    model, tokenizer = make_model(make_tokenizer(data, work), hf_dir)
    gguf = os.path.join(work, "tiny-llama.gguf")
    subprocess.run([clika, "convert", hf_dir, "--out", gguf, "--type", "f32", "--venv", venv], check=True)
    record = json.load(open(gguf + ".source.json"))
    assert record["source"]["architecture"] == "LlamaForCausalLM", record
    assert record["gguf"]["sha256"] == sha256(gguf), "source.json names another GGUF"
    assert record["source"]["config_sha256"] == sha256(os.path.join(hf_dir, "config.json")), record
    assert [w["sha256"] for w in record["source"]["weights"]] == [sha256(os.path.join(hf_dir, "model.safetensors"))], record
    run = os.path.join(work, "run")
    subprocess.run([clika, "run", "--data", data, "--model", gguf, "--plugin-path", plugins, "--threads", "2", "--no-report",
                    "--tasks", TASKS, "--langs", LANGS, "--limit", "6", "--out", run], check=True)

    print(compare(run, model, tokenizer))


def compare(run, model, tokenizer):
    """Every letter score of the run against transformers'; a one-line summary, or exits naming the first disagreement."""
    manifest = json.load(open(os.path.join(run, "run.json")))
    checked, worst, same, decided = 0, 0.0, 0, 0
    for task, groups in manifest["letter_continuations"].items():
        for group in groups:
            for lang in group["langs"]:
                # the upstream layout: x_copa/DE, x_csqa/DE_trans
                path = next(p for p in glob.glob(os.path.join(run, task, "*", "predictions.jsonl"))
                            if os.path.basename(os.path.dirname(p)).lower().split("_")[0] == lang)
                for n, text in enumerate(open(path, encoding="utf-8"), 1):
                    line = json.loads(text)
                    letters = line.get("continuations", group)["letters"]
                    ours = []
                    for i, letter in enumerate(letters):
                        ids = tokenizer(line["input"] + letter["letter"]).input_ids
                        tail = letter["tokens"]
                        if ids[-len(tail):] != tail:
                            sys.exit(f"{path}:{n}: letter {letter['letter']}: transformers tokenizes the tail as "
                                     f"{ids[-len(tail):]}, llama.cpp as {tail}")
                        expected = letter_logprob(model, ids, len(tail))
                        got = line["scores"][i]
                        worst = max(worst, abs(expected - got))
                        if abs(expected - got) > TOLERANCE:
                            sys.exit(f"{path}:{n}: letter {letter['letter']}: llama.cpp {got:.6f}, transformers "
                                     f"{expected:.6f} (|diff| {abs(expected - got):.3g} > {TOLERANCE})")
                        ours.append(expected)
                        checked += 1
                    best = max(range(len(ours)), key=lambda k: ours[k])
                    margin = sorted(ours)[-1] - sorted(ours)[-2]
                    if margin > 2 * TOLERANCE:  # a closer call is a tie at this tolerance
                        decided += 1
                        if "ABCDE"[best] != line["res"]:
                            sys.exit(f"{path}:{n}: transformers picks {'ABCDE'[best]}, llama.cpp {line['res']}")
                        same += 1
    if checked == 0:
        sys.exit("no scores checked")
    return (f"{checked} letter scores agree with transformers (largest difference {worst:.3g} nats); "
            f"same letter on {same} of {decided} questions decided by more than {2 * TOLERANCE} nats")


if __name__ == "__main__":
    main()
