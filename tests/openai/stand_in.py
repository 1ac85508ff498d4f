#!/usr/bin/env python3
"""Stand-in servers that misbehave, for the openai plugin's fault tests (tests/openai/faults.sh). Each answers in
llama-server's or vLLM's format with fake_vllm.py's made-up distribution (a byte tokenizer: id = byte + 3, vocabulary
259), except where its fault says otherwise.

usage: stand_in.py KIND PORT [--weights N] [--fault FAULT] [--clean N] [--max-logprobs N] [--prefix-caching on|off]
                             [--version V] [--vocab N]
  KIND     llama-server | vllm
  weights  a different made-up distribution: a server "with other weights" that reports the same model
  fault    silent              accepts connections, never answers anything
           silent-completions  answers discovery and tokenization, never answers a completion
           endless             answers every request 200 with a body that never ends
           endless-completions the same for completions only
           token=N             every completion's chosen token is N (its top list unchanged); N as written (1e12 too)
           duplicate-top       the top list names its best token twice (vLLM: a key twice in one object)
           string-id           a completion's chosen token id is a string
           torn-json           a completion's body is cut off mid-JSON
           echo-auth           every request is refused 401 with a body that echoes the Authorization header
           torn-discovery      GET /props and GET /v1/models answer 200 with a body cut off mid-JSON
  clean    the first N completions that ask for log-probabilities are answered without the fault (the plugin's probe
           at open is the first; the one-token prompts that ask vLLM its vocabulary size ask for none and are never
           faulted)
  max-logprobs    vllm: a completion asking more log-probabilities is refused 400 as vLLM refuses it (default 20)
  prefix-caching  vllm: GET /metrics carries vLLM's vllm:cache_config_info gauge with enable_prefix_caching True/False
                  (absent: /metrics is not served)
  version  vllm: what GET /version says (default fake_vllm.VERSION; "none": no such route, as before vLLM had one)
  vocab    vllm: a completion whose prompt holds an id >= N is refused 400 "Token id N is out of vocabulary", as vLLM
           0.9 and later refuse one (default 259, the tokenizer's; 0: no id is refused, as a vLLM without the check)
"""
import argparse
import json
import math
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_vllm  # noqa: E402

VOCAB = fake_vllm.VOCAB


def logprobs_after(tokens, weights):
    if weights == 0:
        return fake_vllm.logprobs_after(tokens)
    a = tokens[-1] if tokens else 0
    logits = [((a * 13 + c * (weights + 5) + weights) % 89) / 7.0 for c in range(VOCAB)]
    top = max(logits)
    norm = top + math.log(sum(math.exp(x - top) for x in logits))
    return [x - norm for x in logits]


def piece(t):
    return bytes([t - 3]) if 3 <= t < VOCAB else b""  # an id beyond the vocabulary decodes to nothing, as in vLLM


def greedy(prompt, n, k, weights):
    """n greedy tokens after prompt, each with its top k: [(best, lps, top ids)]."""
    seq, out = list(prompt), []
    for _ in range(n):
        lps = logprobs_after(seq, weights)
        order = sorted(range(VOCAB), key=lambda c: (-lps[c], c))
        out.append((order[0], lps, order[:k]))
        seq.append(order[0])
        if order[0] == fake_vllm.EOS:
            break
    return out


def llama_completion(body, weights):
    steps = greedy(body["prompt"], int(body.get("n_predict", 16)), int(body.get("n_probs", 0)), weights)

    def entry(t, lps):
        return {"id": t, "token": piece(t).decode("latin-1"), "bytes": list(piece(t)), "logprob": lps[t]}

    probs = [dict(entry(best, lps), top_logprobs=[entry(t, lps) for t in top]) for best, lps, top in steps]
    tokens = [best for best, _, _ in steps]
    return {"content": "", "tokens": tokens, "stop": True, "stop_type": "eos" if tokens and tokens[-1] == fake_vllm.EOS else "limit",
            "completion_probabilities": probs}


def vllm_completion(body, weights):
    if weights == 0:
        return fake_vllm.completion(body)
    steps = greedy(body["prompt"], int(body.get("max_tokens", 16)), int(body.get("logprobs") or 0), weights)
    return {"choices": [{"index": 0, "text": "", "finish_reason": "length",
                         "logprobs": {"tokens": [f"token_id:{b}" for b, _, _ in steps], "token_logprobs": [lps[b] for b, lps, _ in steps],
                                      "top_logprobs": [{f"token_id:{t}": lps[t] for t in top} for _, lps, top in steps]}}]}


def with_fault(answer, kind, fault):
    """A completion answer changed as the fault says (a JSON text)."""
    if kind == "llama-server":
        first = answer["completion_probabilities"][0]
        if fault.startswith("token="):
            return json.dumps(answer).replace(f'"id": {first["id"]}', f'"id": {fault[6:]}', 1)
        if fault == "duplicate-top":
            first["top_logprobs"].insert(1, dict(first["top_logprobs"][0]))
        if fault == "string-id":
            first["id"] = str(first["id"])
    else:
        lp = answer["choices"][0]["logprobs"]
        if fault == "duplicate-top":  # a key twice in the top object (json.dumps cannot write one)
            text, marker = json.dumps(answer), '"top_logprobs": [{'
            at = text.index(marker) + len(marker)
            return text[:at] + f'"{next(iter(lp["top_logprobs"][0]))}": -0.01, ' + text[at:]
        if fault.startswith("token="):
            lp["tokens"][-1] = f"token_id:{fault[6:]}"
        if fault == "string-id":
            lp["tokens"][-1] = 7
    text = json.dumps(answer)
    return text[:len(text) // 2] if fault == "torn-json" else text


def cache_metrics(prefix_caching):
    on = "True" if prefix_caching == "on" else "False"
    return ("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n"
            "# TYPE vllm:cache_config_info gauge\n"
            f'vllm:cache_config_info{{block_size="16",cache_dtype="auto",enable_prefix_caching="{on}",'
            'gpu_memory_utilization="0.9",num_gpu_blocks="2048"} 1.0\n'
            "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
            '# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine="0",model_name="stand-in"} 0.0\n')


def serve(kind, port, weights, fault, clean, max_logprobs=20, prefix_caching="", version=fake_vllm.VERSION, vocab=VOCAB):
    completions = {"n": 0}
    lock = threading.Lock()
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, text):
            data = text.encode() if isinstance(text, str) else text
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def endless(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            chunk = b'{"x": "' + b"a" * 65536
            try:
                while True:
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True

        def hang(self):
            time.sleep(3600)

        def do_GET(self):
            if fault == "echo-auth":
                return self.send(401, json.dumps({"error": "invalid key", "got": self.headers.get("Authorization", "")}))
            if fault == "endless":
                return self.endless()
            if fault == "torn-discovery" and self.path in ("/props", "/v1/models"):
                return self.send(200, '{"object": "list", "data": [{"id": "stand-in", "owned_')
            if self.path == "/metrics" and kind == "vllm" and prefix_caching:
                data = cache_metrics(prefix_caching).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return self.wfile.write(data)
            if self.path == "/version" and kind == "vllm" and version != "none":
                return self.send(200, json.dumps({"version": version}))
            if self.path == "/props" and kind == "llama-server":
                return self.send(200, json.dumps({"default_generation_settings": {"n_ctx": 4096}, "total_slots": 1,
                                                  "model_path": "/models/stand-in.gguf", "model_alias": "stand-in", "build_info": "b1-stand-in"}))
            if self.path == "/v1/models":
                model = {"id": "stand-in", "object": "model", "owned_by": "llamacpp" if kind == "llama-server" else "vllm", "root": "stand-in"}
                if kind == "llama-server":
                    model["meta"] = {"n_vocab": VOCAB, "n_ctx_train": 4096, "n_params": 1000, "size": 4000}
                else:
                    model["max_model_len"] = 4096
                return self.send(200, json.dumps({"object": "list", "data": [model]}))
            self.send(404, json.dumps({"error": "not found"}))

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if fault == "echo-auth":
                return self.send(401, json.dumps({"error": "invalid key", "got": self.headers.get("Authorization", "")}))
            if fault == "endless":
                return self.endless()
            if self.path == "/tokenize":
                text = body["content"] if kind == "llama-server" else body["prompt"]
                add = body.get("add_special", False) if kind == "llama-server" else body.get("add_special_tokens", True)
                ids = fake_vllm.tokenize(text, add)
                if kind == "llama-server":
                    return self.send(200, json.dumps({"tokens": [{"id": t, "piece": list(piece(t))} for t in ids]}))
                return self.send(200, json.dumps({"tokens": ids, "max_model_len": 4096}))
            if self.path == "/detokenize":
                text = b"".join(piece(t) for t in body["tokens"]).decode("utf-8", "replace")
                return self.send(200, json.dumps({"content" if kind == "llama-server" else "prompt": text}))
            if self.path == "/v1/completions" and kind == "vllm" and vocab and fake_vllm.vocabulary_refusal(body, vocab):
                refusal = fake_vllm.vocabulary_refusal(body, vocab)  # in vLLM's current nested error format
                print(refusal["message"], file=sys.stderr, flush=True)  # the log shows every id asked beyond the vocabulary
                return self.send(400, json.dumps({"error": {k: refusal[k] for k in ("message", "type", "param", "code")}}))
            if self.path == "/v1/completions" and kind == "vllm" and body.get("logprobs", 0) > max_logprobs:
                return self.send(400, json.dumps({"object": "error", "type": "BadRequestError", "param": None, "code": 400, "message":
                                                  f"Requested sample logprobs of {body['logprobs']}, which is greater than max allowed: {max_logprobs}"}))
            if self.path in ("/completion", "/v1/completions"):
                with lock:
                    asks_logprobs = bool(body.get("n_probs") or body.get("logprobs"))
                    completions["n"] += asks_logprobs
                    faulty = asks_logprobs and completions["n"] > clean
                if not faulty:
                    answer = llama_completion(body, weights) if kind == "llama-server" else vllm_completion(body, weights)
                    return self.send(200, json.dumps(answer))
                if fault == "silent-completions":
                    return self.hang()
                if fault == "endless-completions":
                    return self.endless()
                answer = llama_completion(body, weights) if kind == "llama-server" else vllm_completion(body, weights)
                return self.send(200, with_fault(answer, kind, fault or ""))
            self.send(404, json.dumps({"error": "not found"}))

    if fault == "silent":
        listener = socket.create_server(("127.0.0.1", port))
        held = []
        while True:  # accept, keep, never answer
            conn, _ = listener.accept()
            held.append(conn)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["llama-server", "vllm"])
    p.add_argument("port", type=int)
    p.add_argument("--weights", type=int, default=0)
    p.add_argument("--fault", default="")
    p.add_argument("--clean", type=int, default=0)
    p.add_argument("--max-logprobs", type=int, default=20)
    p.add_argument("--prefix-caching", choices=["on", "off"], default="")
    p.add_argument("--version", default=fake_vllm.VERSION)
    p.add_argument("--vocab", type=int, default=VOCAB)
    a = p.parse_args()
    serve(a.kind, a.port, a.weights, a.fault, a.clean, a.max_logprobs, a.prefix_caching, a.version, a.vocab)
