#!/usr/bin/env bash
# --plugin openai against a real llama-server (built from the same llama.cpp tree as the llamacpp plugin), started here
# on 127.0.0.1 with a free port and a tiny generated model, F32 KV cache and flash attention off so that its numbers
# can match the in-process plugin's. One section per CTest test:
#   agreement  letter mode on x_geo and x_csqa in en, zh, ar: the same letters as --plugin llamacpp on the same GGUF and
#              every option score within 1e-3 nats; nothing bounded (K is large enough on this model)
#   generate   fictional generate mode: the same answers, byte for byte
#   restart    the server is killed mid-run and restarted: the run rides through on retries, or fails with a clear
#              message and resumes; the final files equal an uninterrupted run's bytes
#   api_key    a server with --api-key: a missing or wrong key is one clear error (exit 3, 401), the right one works,
#              and the key appears nowhere in clika's output or files
#   refusals   loglik mode (and fictional choice mode) against llama-server are refused at open, naming what to use;
#              --max-requests stops a run resumably; a URL where nothing listens fails clearly after its retries
#   vllm_fake  the vLLM path end to end against two stand-ins answering in vLLM's formats (tests/openai/fake_vllm.py):
#              letter and loglik scores exactly what their distribution gives, requests spread over both
# Usage: servers.sh SECTION CLIKA DATA WORK PLUGIN_DIR LLAMA_SERVER
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with, exited_as
SECTION="$1"; CLIKA="$2"; DATA="$3"; WORK="$4"; PLUGINS="$5"; SERVER_BIN="$6"
rm -rf "$WORK"; mkdir -p "$WORK"
PY="$CLIKA_PYTHON"

server_pid=""
stop_server() {
  # SIGKILL: a crash. (On SIGTERM llama-server shuts down gracefully and may hold a request open until it is done.)
  if [[ -n $server_pid ]]; then kill -KILL "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server PORT SLOTS [extra llama-server flags...]: returns once /health answers 200.
start_server() {
  local port=$1 slots=$2; shift 2
  "$SERVER_BIN" -m "$WORK/tiny.gguf" --host 127.0.0.1 --port "$port" -np "$slots" -c $((2048 * slots)) --threads 1 \
    --cache-type-k f32 --cache-type-v f32 -fa off "$@" >> "$WORK/server-$port.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    if $PY -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1).status == 200 else 1)" 2>/dev/null; then
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server-$port.log"; echo "llama-server exited at start"; exit 1; }
    sleep 0.1
  done
  cat "$WORK/server-$port.log"; echo "llama-server did not become healthy"; exit 1
}

if [[ $SECTION == restart ]]; then  # big enough that a run lasts seconds, so the server can be killed mid-run
  "$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 11 --dim 256 --layers 4 --heads 4 --kv-heads 2 --ff 512 --type f32 > /dev/null
else
  "$CLIKA" make-model --out "$WORK/tiny.gguf" --seed 1 --type f32 > /dev/null  # F32: batch shapes move F16 scores by up to 2.5e-3 nats
fi
common=(--data "$DATA" --plugin-path "$PLUGINS" --no-report)

case $SECTION in
agreement)
  port=$(free_port)
  start_server "$port" 4
  mc=(run "${common[@]}" --tasks x_geo,x_csqa --langs en,zh,ar --limit 30 --mode letter --chunk 16)
  "$CLIKA" "${mc[@]}" --plugin llamacpp --model "$WORK/tiny.gguf" --threads 1 --out "$WORK/inprocess"
  "$CLIKA" "${mc[@]}" --plugin openai --model "http://127.0.0.1:$port" --concurrency 4 --top-logprobs 32000 --out "$WORK/server" 2> "$WORK/err.txt" \
    || { cat "$WORK/err.txt"; exit 1; }
  summary="$($PY "$(dirname "$0")/../run/compare_runs.py" "$WORK/inprocess" "$WORK/server" --tolerance 1e-3 --min-questions 180)"
  echo "$summary"
  [[ "$summary" =~ ^([0-9]+)\ questions.*\ ([0-9]+)\ identical\ letters$ ]] || { echo "unexpected summary"; exit 1; }
  [[ "${BASH_REMATCH[1]}" == "${BASH_REMATCH[2]}" ]] || { echo "only ${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} letters identical"; exit 1; }
  if grep -l '"bounded"' "$WORK"/server/*/*/predictions.jsonl; then echo "questions were bounded with K = 32000 (the whole vocabulary)"; exit 1; fi
  # The server's model is recorded by what identifies it, not by a local file.
  $PY - "$WORK/server/run.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["model"]
assert m["server"] == "llama-server", m
assert m["weights"].endswith("tiny.gguf"), m
assert m["top_logprobs"] == 32000, m
print("run.json model:", json.dumps(m))
EOF
  # A small K bounds some letters: they are marked on their lines and every fully bounded question is counted.
  "$CLIKA" run "${common[@]}" --tasks x_geo --langs en --limit 30 --mode letter --plugin openai --model "http://127.0.0.1:$port" \
    --top-logprobs 1 --out "$WORK/k1" 2> /dev/null
  grep -rq '"bounded":\["' "$WORK/k1" || { echo "K = 1 bounded no letter"; exit 1; }
  "$CLIKA" score --run "$WORK/k1" > "$WORK/k1-report.txt"
  grep -q "bounded" "$WORK/k1-report.txt" || { cat "$WORK/k1-report.txt"; echo "the report does not count bounded questions"; exit 1; }
  ;;

generate)
  port=$(free_port)
  start_server "$port" 4
  fic=(run "${common[@]}" --tasks fictional --fictional-mode generate --langs en,de,zh --limit 6 --max-new-tokens 24)
  "$CLIKA" "${fic[@]}" --plugin llamacpp --model "$WORK/tiny.gguf" --threads 1 --out "$WORK/inprocess"
  "$CLIKA" "${fic[@]}" --plugin openai --model "http://127.0.0.1:$port" --out "$WORK/server" 2> "$WORK/err.txt" || { cat "$WORK/err.txt"; exit 1; }
  n=0
  for f in $(cd "$WORK/inprocess" && find . -name 'predictions.jsonl' | sort); do
    cmp "$WORK/inprocess/$f" "$WORK/server/$f" || { diff <(head -c 2000 "$WORK/inprocess/$f") <(head -c 2000 "$WORK/server/$f") || true; exit 1; }
    n=$((n + $(wc -l < "$WORK/inprocess/$f")))
  done
  (( n >= 30 )) || { echo "only $n generated answers compared"; exit 1; }
  echo "$n generated answers identical to the in-process plugin's"
  ;;

restart)
  # One slot, one request at a time, no prompt cache: every request is evaluated from scratch in the same place, so
  # numbers cannot depend on what ran before (or before a restart).
  port=$(free_port)
  mc=(run "${common[@]}" --tasks x_geo,x_csqa --langs en,de --limit 40 --mode letter --chunk 4 --plugin openai
      --model "http://127.0.0.1:$port" --concurrency 1 --no-server-cache)
  start_server "$port" 1
  "$CLIKA" "${mc[@]}" --out "$WORK/whole" 2> /dev/null
  total=$(cat "$WORK"/whole/*/*/predictions.jsonl | wc -l)

  # Rides through: the server is down for ~2 s while the run retries (backoff 0.5, 1, 2, 4 s ...).
  "$CLIKA" "${mc[@]}" --retries 8 --out "$WORK/ride" 2> "$WORK/ride.err" &
  run=$!
  for _ in $(seq 1 400); do (( $(cat "$WORK"/ride/*/*/predictions.jsonl 2>/dev/null | wc -l) >= 20 )) && break; sleep 0.05; done
  stop_server
  sleep 2
  start_server "$port" 1
  wait "$run" || { cat "$WORK/ride.err"; echo "the run did not ride through a restart"; exit 1; }
  grep -q "retry" "$WORK/ride.err" || { cat "$WORK/ride.err"; echo "no retry was reported, so the restart missed the run"; exit 1; }
  diff -r "$WORK/whole" "$WORK/ride" > /dev/null || { echo "files after riding through differ"; exit 1; }
  echo "rode through a restart: $(grep -c retry "$WORK/ride.err") retries reported, files identical"

  # Fails clearly: the server stays down longer than the retries last; the same command later resumes.
  "$CLIKA" "${mc[@]}" --retries 1 --out "$WORK/resumed" 2> "$WORK/fail.err" &
  run=$!
  for _ in $(seq 1 400); do (( $(cat "$WORK"/resumed/*/*/predictions.jsonl 2>/dev/null | wc -l) >= 20 )) && break; sleep 0.05; done
  stop_server
  status=0; wait "$run" || status=$?
  exited_as fail 3 "$status" "resumes when run again"
  on_disk=$(cat "$WORK"/resumed/*/*/predictions.jsonl | wc -l)
  (( on_disk > 0 && on_disk < total )) || { echo "$on_disk of $total lines: the failure did not land mid-run"; exit 1; }
  start_server "$port" 1
  "$CLIKA" "${mc[@]}" --out "$WORK/resumed" 2> /dev/null
  diff -r "$WORK/whole" "$WORK/resumed" || { echo "resumed files differ"; exit 1; }
  echo "failed clearly with $on_disk of $total lines, resumed to identical files"
  ;;

api_key)
  port=$(free_port)
  key="clika-test-key-$RANDOM$RANDOM"
  start_server "$port" 2 --api-key "$key"
  mc=(run "${common[@]}" --tasks x_geo --langs en --limit 8 --plugin openai --model "http://127.0.0.1:$port")
  fails_with none 3 "401" "CLIKA_API_KEY" -- env -u CLIKA_API_KEY "$CLIKA" "${mc[@]}" --out "$WORK/none"
  fails_with wrong 3 "refused the API key" -- env CLIKA_API_KEY="wrong-$key" "$CLIKA" "${mc[@]}" --out "$WORK/wrong"
  [[ $(grep -c . "$WORK/wrong.err") -le 2 ]] || { cat "$WORK/wrong.err"; echo "more than one error for a wrong key"; exit 1; }
  MY_KEY="$key" "$CLIKA" "${mc[@]}" --api-key-env MY_KEY --out "$WORK/right" > "$WORK/right.out" 2> "$WORK/right.err" \
    || { cat "$WORK/right.err"; exit 1; }
  [[ $(wc -l < "$WORK/right/x_geo/"*/predictions.jsonl) == 8 ]] || { echo "the right key did not score the 8 questions"; exit 1; }
  "$CLIKA" score --run "$WORK/right" > "$WORK/score.out" 2>&1
  if grep -rlF -- "$key" "$WORK"/none* "$WORK"/wrong* "$WORK"/right* "$WORK/score.out"; then echo "the API key leaked into the files above"; exit 1; fi
  echo "401 without or with a wrong key, 8 questions with the right one; the key is in none of clika's output or files"
  ;;

refusals)
  port=$(free_port)
  start_server "$port" 1
  fails_with loglik 3 "Only no echo is supported" "--mode letter" -- \
    "$CLIKA" run "${common[@]}" --tasks x_geo --langs en --limit 4 --mode loglik --plugin openai --model "http://127.0.0.1:$port" --out "$WORK/loglik"
  [[ ! -e "$WORK/loglik/run.json" ]] || { echo "a refused run left a run directory"; exit 1; }
  fails_with choice 3 "--fictional-mode generate" -- \
    "$CLIKA" run "${common[@]}" --tasks fictional --fictional-mode both --langs en --limit 2 --plugin openai --model "http://127.0.0.1:$port" --out "$WORK/choice"
  # A request budget stops the run resumably: what was finished stays, the same command without the budget completes it.
  budget=(run "${common[@]}" --tasks x_geo --langs en --limit 8 --chunk 2 --plugin openai --model "http://127.0.0.1:$port" --out "$WORK/budget")
  fails_with budget 3 "request budget of 5 requests" -- "$CLIKA" "${budget[@]}" --max-requests 5
  [[ $(wc -l < "$WORK"/budget/x_geo/*/predictions.jsonl) == 4 ]] || { echo "the budget of 5 did not stop after two chunks of 2"; exit 1; }
  "$CLIKA" "${budget[@]}" 2> /dev/null
  [[ $(wc -l < "$WORK"/budget/x_geo/*/predictions.jsonl) == 8 ]] || { echo "the resumed run did not finish"; exit 1; }
  stop_server
  fails_with down 3 "no server answers" -- \
    "$CLIKA" run "${common[@]}" --tasks x_geo --langs en --limit 4 --plugin openai --model "http://127.0.0.1:$port" --retries 1 --out "$WORK/down"
  fails_with nourl 3 "is not a server URL" -- "$CLIKA" run "${common[@]}" --tasks x_geo --langs en --plugin openai --model "127.0.0.1:$port" --out "$WORK/nourl"
  echo "loglik and fictional choice refused naming the mode to use; a spent budget stops resumably; a dead server and a non-URL fail clearly"
  ;;

vllm_fake)
  # No vLLM server can run here: fake_vllm.py answers in vLLM's documented formats with a made-up distribution it can
  # recompute. Two of them as one comma-separated --model: both must get work, and every score must be exact.
  a=$(free_port); b=$(free_port)
  $PY "$(dirname "$0")/fake_vllm.py" "$a" "$WORK/a.json" & fake_a=$!
  $PY "$(dirname "$0")/fake_vllm.py" "$b" "$WORK/b.json" & fake_b=$!
  trap 'kill $fake_a $fake_b 2>/dev/null || true' EXIT
  for port in $a $b; do
    for _ in $(seq 1 100); do
      $PY -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v1/models', timeout=1)" 2>/dev/null && break
      sleep 0.1
    done
  done
  for mode in letter loglik; do
    "$CLIKA" run "${common[@]}" --tasks x_geo,x_csqa --langs en,ja --limit 10 --mode "$mode" --plugin openai \
      --model "http://127.0.0.1:$a,http://127.0.0.1:$b" --concurrency 4 --top-logprobs 5 --out "$WORK/$mode" 2> "$WORK/$mode.err" \
      || { cat "$WORK/$mode.err"; exit 1; }
    $PY "$(dirname "$0")/fake_vllm.py" --expect "$WORK/$mode"
  done
  $PY - "$WORK/a.json" "$WORK/b.json" "$WORK/letter/run.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["completions"] for p in sys.argv[1:3])
assert a > 20 and b > 20, f"completions per server: {a} and {b}"
m = json.load(open(sys.argv[3]))["model"]
assert m["server"] == "vllm" and m["model"] == "fake-model", m
print(f"completions spread over the two servers: {a} and {b}")
PY
  # Letters outside the top 5 are bounded, and the line says which.
  grep -q '"bounded":\["' "$WORK"/letter/*/*/predictions.jsonl || { echo "no letter was bounded with K = 5"; exit 1; }
  ;;

*) echo "unknown section $SECTION"; exit 2 ;;
esac
