#!/usr/bin/env python3
"""A stand-in for vLLM's OpenAI-compatible server, answering in vLLM's documented formats, so that the openai plugin's
vLLM path (discovery, echoed prompt log-probabilities, top-K letters, several servers) runs end to end. It is not a
language model: a byte-level tokenizer (id = byte + 3, BOS 1, EOS 2) and a fixed, made-up next-token distribution
(`logprobs_after`) that the test recomputes to check clika's numbers. As vLLM 0.9 and later, it says its version
(GET /version) and refuses a prompt token id beyond its vocabulary of 259. No real vLLM server runs in these tests.

usage: fake_vllm.py PORT STATS_FILE     (serves until killed; STATS_FILE gets the request count after each request)
       fake_vllm.py --expect RUN_DIR    (checks every predictions line of a run against this distribution)
"""
import json
import math
import pathlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VOCAB = 259
BOS, EOS = 1, 2


def logprobs_after(tokens):
    """log p(next | tokens) over the whole vocabulary: depends on the last two tokens only."""
    a = tokens[-1] if tokens else 0
    b = tokens[-2] if len(tokens) > 1 else 0
    logits = [((a * 31 + b * 7 + c * 17) % 97) / 9.0 for c in range(VOCAB)]
    top = max(logits)
    norm = top + math.log(sum(math.exp(x - top) for x in logits))
    return [x - norm for x in logits]


def tokenize(text, add_special):
    ids = [b + 3 for b in text.encode("utf-8")]
    return [BOS] + ids if add_special else ids


def top_k(lps, k):
    order = sorted(range(VOCAB), key=lambda c: (-lps[c], c))[:k]
    return {f"token_id:{c}": lps[c] for c in order}


VERSION = "0.11.0"


def vocabulary_refusal(body, vocab=VOCAB):
    """vLLM's refusal of a prompt token id beyond its vocabulary (vllm/v1/engine/processor.py), checked before the
    model runs, in its older flat error format; None when every id is in the vocabulary."""
    beyond = [t for t in body.get("prompt", []) if isinstance(t, int) and t >= vocab]
    if not beyond:
        return None
    return {"object": "error", "message": f"Token id {max(beyond)} is out of vocabulary", "type": "BadRequestError", "param": None, "code": 400}


def completion(body):
    prompt = list(body["prompt"])
    k = int(body.get("logprobs") or 0)
    echo = bool(body.get("echo"))
    tokens, token_logprobs, tops = [], [], []
    if echo:
        for i, t in enumerate(prompt):
            tokens.append(f"token_id:{t}")
            if i == 0:
                token_logprobs.append(None)
                tops.append(None)
            else:
                lps = logprobs_after(prompt[:i])
                token_logprobs.append(lps[t])
                top = top_k(lps, k)
                top[f"token_id:{t}"] = lps[t]  # vLLM adds the prompt token itself
                tops.append(top)
    seq = list(prompt)
    finish = "length"
    for _ in range(int(body.get("max_tokens", 16))):
        lps = logprobs_after(seq)
        best = max(range(VOCAB), key=lambda c: (lps[c], -c))
        tokens.append(f"token_id:{best}")
        token_logprobs.append(lps[best])
        tops.append(top_k(lps, k))
        seq.append(best)
        if best == EOS:
            finish = "stop"
            break
    return {"id": "cmpl-fake", "object": "text_completion", "model": body.get("model"),
            "choices": [{"index": 0, "text": "", "finish_reason": finish,
                         "logprobs": {"tokens": tokens, "token_logprobs": token_logprobs, "top_logprobs": tops,
                                      "text_offset": [0] * len(tokens)}}]}


def serve(port, stats_path):
    count = {"requests": 0, "completions": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/v1/models":
                self.answer(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "vllm",
                                                              "root": "fake-model", "max_model_len": 4096}]})
            elif self.path == "/version":
                self.answer(200, {"version": VERSION})
            else:
                self.answer(404, {"detail": "Not Found"})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            count["requests"] += 1
            if self.path == "/tokenize":
                self.answer(200, {"tokens": tokenize(body["prompt"], body.get("add_special_tokens", True)), "max_model_len": 4096})
            elif self.path == "/detokenize":
                self.answer(200, {"prompt": bytes(t - 3 for t in body["tokens"] if 3 <= t < VOCAB).decode("utf-8", "replace")})
            elif self.path == "/v1/completions" and vocabulary_refusal(body):
                self.answer(400, vocabulary_refusal(body))
            elif self.path == "/v1/completions":
                count["completions"] += 1
                self.answer(200, completion(body))
            else:
                self.answer(404, {"detail": "Not Found"})
            pathlib.Path(stats_path).write_text(json.dumps(count))

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def expect(run_dir):
    """Every line's scores are what this distribution gives: letters by next-token log-probability, loglik by the
    sum over the option's tokens."""
    manifest = json.loads((pathlib.Path(run_dir) / "run.json").read_text())
    checked = 0
    for path in sorted(pathlib.Path(run_dir).glob("*/*/predictions.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            prompt = tokenize(r["input"], True)
            letters = "ABCDE"[:len(r["scores"])]
            if r["mode"] == "letter":
                # A letter outside the top K is scored by the K-th value, an upper bound, and listed as bounded.
                lps = logprobs_after(prompt)
                kth = sorted(lps, reverse=True)[manifest["model"]["top_logprobs"] - 1]
                want = [kth if l in r.get("bounded", []) else lps[tokenize(l, False)[0]] for l in letters]
                for l in letters:
                    lp, bounded = lps[tokenize(l, False)[0]], l in r.get("bounded", [])
                    if (bounded and lp > kth) or (not bounded and lp < kth):
                        sys.exit(f"{path}: {r['uuid']}: letter {l} (log p {lp}, K-th {kth}) is {'' if bounded else 'not '}marked bounded")
            else:
                want = []
                for option in options_of(r, len(letters)):
                    cont = tokenize(" " + option, False)
                    seq = prompt + cont
                    want.append(sum(logprobs_after(seq[:len(prompt) + j])[cont[j]] for j in range(len(cont))))
            worst = max(abs(x - y) for x, y in zip(want, r["scores"]))
            if worst > 1e-9:
                sys.exit(f"{path}: {r['uuid']}: scores {r['scores']} but the fake server's distribution gives {want}")
            checked += 1
    print(f"{checked} questions ({manifest['mode']}) have exactly the fake server's log-probabilities")


def options_of(r, n):
    # The options are the prompt's last "A. ... D. ..." lines before "Answer:".
    lines = r["input"].rstrip().split("\n")
    body = lines[-1 - n:-1]
    return [l.split(". ", 1)[1] for l in body]


if __name__ == "__main__":
    if sys.argv[1] == "--expect":
        expect(sys.argv[2])
    else:
        serve(int(sys.argv[1]), sys.argv[2])
