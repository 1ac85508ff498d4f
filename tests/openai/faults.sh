#!/usr/bin/env bash
# --plugin openai against servers that misbehave (tests/openai/stand_in.py, on 127.0.0.1): each fault ends in one clear
# message and exit 3 (2 for a refused option), never a hang, an unbounded body, a wrong number or a secret shown. Small
# timeouts are set through the plugin's options so that every case takes seconds; `timeout` turns a hang into a
# failure. One section per CTest test:
#   silent       a server that accepts connections and never answers: at open (discovery, the probe) and mid-run
#   endless      answers that never end: at open and mid-run; --max-response-bytes sets the limit
#   answers      token ids outside the vocabulary or beyond int32, a token twice in the top list, a wrong JSON type, a
#                torn body: errors naming the endpoint and field (or the parser's reason and position)
#   tls          https:// to a plain-HTTP server: "TLS failed", at once
#   budget       --max-requests below one chunk: refused as such, not "spent"
#   secrets      a URL password, a 401 body echoing the Authorization header, --api-key KEY, a key as --api-key-env's
#                value: none of them shown
#   fingerprint  servers with other weights under the same name are refused together and on resume
#   discovery    a torn GET /props or /v1/models answer: the parser's reason, not only "neither llama-server nor vLLM"
#   vllm_settings  vLLM's --max-logprobs below what is asked: refused at open naming the server flag; prefix caching on
#                for a loglik run: a warning, and the cache settings recorded in run.json
#   vocabulary   vLLM's vocabulary size, learned at open from the ids it refuses: an answer's id beyond it is an error,
#                the last id inside it is not; a server refusing an id its own tokenizer gave is refused; a vLLM too old
#                to refuse ids (or of no version) is warned about, never sent an id beyond its vocabulary
# Usage: faults.sh SECTION CLIKA DATA WORK PLUGIN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"  # fails_with
SECTION="$1"; CLIKA="$2"; DATA="$3"; WORK="$4"; PLUGINS="$5"
rm -rf "$WORK"; mkdir -p "$WORK"
PY=/usr/bin/python3
HERE="$(cd "$(dirname "$0")" && pwd)"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# stand_in VAR KIND [stand_in.py options...]: starts one on a free port (in VAR) and returns once it accepts connections.
stand_in() {
  local var=$1 kind=$2; shift 2
  local free; free=$(free_port)
  $PY "$HERE/stand_in.py" "$kind" "$free" "$@" >> "$WORK/stand-in-$free.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    $PY -c "import socket; socket.create_connection(('127.0.0.1', $free), timeout=1).close()" 2>/dev/null && { printf -v "$var" %s "$free"; return 0; }
    sleep 0.1
  done
  echo "stand-in $kind $* did not start"; exit 1
}

run_clika() {  # run_clika NAME [clika run options...]: exit status in $status, stderr in $WORK/NAME.err, stdout in $WORK/NAME.out
  local name=$1; shift
  status=0
  timeout 120 "$CLIKA" run --data "$DATA" --plugin-path "$PLUGINS" --plugin openai --tasks x_geo --langs en --limit "${LIMIT:-4}" --out "$WORK/$name" "$@" \
    > "$WORK/$name.out" 2> "$WORK/$name.err" || status=$?
}

expect() {  # expect NAME STATUS PATTERN...: the run exited STATUS and its stderr has every (fixed-string) pattern
  local name=$1
  exited_as -F "$name" "$2" "$status" "${@:3}"
  if grep -qF "json.exception" "$WORK/$name.err"; then cat "$WORK/$name.err"; echo "$name: a library's exception tag in the message"; exit 1; fi
}

case $SECTION in
silent)
  stand_in port vllm --fault silent
  run_clika open --model "http://127.0.0.1:$port" --discovery-timeout 1 --max-wait 6
  expect open 3 "waiting for http://127.0.0.1:$port" "http://127.0.0.1:$port/props never answered" "accepts connections but says nothing"
  stand_in port llama-server --fault silent-completions  # silent from the probe at open on
  run_clika probe --model "http://127.0.0.1:$port" --max-wait 3
  expect probe 3 "http://127.0.0.1:$port/completion never answered: no answer in 3 s"
  stand_in port vllm --fault silent-completions --clean 1
  run_clika midrun --model "http://127.0.0.1:$port" --max-wait 4
  expect midrun 3 "waiting for http://127.0.0.1:$port/v1/completions" "http://127.0.0.1:$port/v1/completions never answered" "--max-wait"
  echo "a silent server ends the run at open and mid-run, naming the endpoint, with waiting lines before"
  ;;

endless)
  stand_in port llama-server --fault endless
  run_clika open --model "http://127.0.0.1:$port"
  expect open 3 "http://127.0.0.1:$port/props answered more than 4194304 bytes" "--max-response-bytes"
  stand_in port vllm --fault endless-completions --clean 1
  run_clika midrun --model "http://127.0.0.1:$port"
  expect midrun 3 "http://127.0.0.1:$port/v1/completions answered more than" "--max-response-bytes"
  stand_in port vllm
  run_clika small --model "http://127.0.0.1:$port" --max-response-bytes 100
  expect small 3 "http://127.0.0.1:$port/v1/models answered more than 100 bytes"
  echo "endless bodies end at the limit with the endpoint and size named; --max-response-bytes sets the limit"
  ;;

answers)
  for fault in token=99999 token=1e12 duplicate-top string-id torn-json; do
    stand_in port llama-server --fault "$fault" --clean 1
    run_clika "$fault" --model "http://127.0.0.1:$port" --retries 0
    case $fault in
      token=99999) expect "$fault" 3 "llama-server /completion (the chosen token): token id 99999 is outside the model's vocabulary of 259 tokens" ;;
      token=1e12) expect "$fault" 3 "completion_probabilities.id: a token id must be a whole number in 0..2147483647, got 1000000000000.0 (number)" ;;
      duplicate-top) expect "$fault" 3 "llama-server /completion top_logprobs: token" "is listed twice" ;;
      string-id) expect "$fault" 3 "llama-server /completion completion_probabilities.id: a token id must be a whole number" "(string)" ;;
      torn-json) expect "$fault" 3 "http://127.0.0.1:$port/completion: answered 200 with a body that is not JSON (parse error at line 1, column" ;;
    esac
    if cat "$WORK/$fault"/*/*/predictions.jsonl 2>/dev/null | grep -q . ; then echo "$fault: answers were written"; exit 1; fi
  done
  stand_in port vllm --fault token=99999999999 --clean 1
  run_clika vllm-token --model "http://127.0.0.1:$port" --retries 0
  expect vllm-token 3 "vLLM /v1/completions logprobs.tokens: token \"token_id:99999999999\" has no valid id"
  stand_in port vllm --fault duplicate-top --clean 1
  run_clika vllm-duplicate --model "http://127.0.0.1:$port" --retries 0
  expect vllm-duplicate 3 "http://127.0.0.1:$port/v1/completions: answered 200 with JSON that names the key \"token_id:" "twice in one object"
  echo "bad token ids, a token twice, wrong types and torn bodies are errors naming endpoint and field; nothing written"
  ;;

tls)
  stand_in port llama-server
  run_clika tls --model "https://127.0.0.1:$port"
  expect tls 3 "https://127.0.0.1:$port/props: TLS failed" "http://"
  if grep -q "no server answers\|retry" "$WORK/tls.err"; then cat "$WORK/tls.err"; echo "a TLS failure was retried or called a dead server"; exit 1; fi
  echo "https:// to a plain-HTTP server: TLS failed, at once"
  ;;

budget)
  stand_in port vllm
  run_clika below --model "http://127.0.0.1:$port" --chunk 4 --max-requests 2
  expect below 3 "one chunk of this run needs 4 requests, more than the whole budget of 2 (--max-requests)" "lower --chunk"
  if grep -q "keeps what it finished" "$WORK/below.err"; then cat "$WORK/below.err"; echo "promised to keep what it could never finish"; exit 1; fi
  run_clika spent --model "http://127.0.0.1:$port" --chunk 2 --max-requests 3
  expect spent 3 "the request budget of 3 requests (--max-requests) is spent" "resumes when run again"
  [[ $(wc -l < "$WORK"/spent/x_geo/*/predictions.jsonl) == 2 ]] || { echo "a budget of 3 did not stop after one chunk of 2"; exit 1; }
  echo "a budget below one chunk is refused as such; a spent budget keeps what it finished"
  ;;

secrets)
  password="pw$RANDOM$RANDOM"; key="key$RANDOM$RANDOM"
  stand_in port vllm
  run_clika url --model "http://user:$password@127.0.0.1:$port"
  [[ $status == 0 ]] || { cat "$WORK/url.err"; echo "url: exit $status"; exit 1; }
  grep -qF "user:***@127.0.0.1:$port" "$WORK/url.out" "$WORK/url/run.json" || { cat "$WORK/url.out"; echo "the server is not named without its password"; exit 1; }
  stand_in port vllm --fault echo-auth
  CLIKA_API_KEY="$key" run_clika echo --model "http://user:$password@127.0.0.1:$port"
  expect echo 3 "answered HTTP 401" "***"
  status=0; "$CLIKA" run --data "$DATA" --model x --out "$WORK/flag" --api-key "$key" > "$WORK/flag.out" 2> "$WORK/flag.err" || status=$?
  expect flag 2 "do not know --api-key (values are not shown)" "takes the NAME of an"
  status=0; "$CLIKA" run --data "$DATA" --model x --out "$WORK/asname" --api-key-env "sk-$key" > "$WORK/asname.out" 2> "$WORK/asname.err" || status=$?
  expect asname 2 "values are not shown"
  stand_in port vllm
  env -u "K$key" "$CLIKA" run --data "$DATA" --plugin-path "$PLUGINS" --plugin openai --model "http://127.0.0.1:$port" --tasks x_geo --langs en \
    --limit 2 --out "$WORK/unset" --api-key-env "K$key" > "$WORK/unset.out" 2> "$WORK/unset.err" && status=0 || status=$?
  expect unset 3 "the environment variable that --api-key-env names is not set"
  b64=$(printf 'user:%s' "$password" | base64)
  if grep -rlF -e "$password" -e "$key" -e "$b64" "$WORK"/*.out "$WORK"/*.err "$WORK"/url "$WORK"/echo 2>/dev/null; then echo "a secret shows in the files above"; exit 1; fi
  echo "no password, key or Basic credentials in any message, report or file"
  ;;

fingerprint)
  stand_in a vllm; stand_in b vllm --weights 3
  run_clika mixed --model "http://127.0.0.1:$a,http://127.0.0.1:$b"
  expect mixed 3 "http://127.0.0.1:$b and http://127.0.0.1:$a compute different numbers for the same probe" "different weights"
  [[ ! -e "$WORK/mixed/run.json" ]] || { echo "a refused run left a run directory"; exit 1; }
  stand_in c llama-server; stand_in d llama-server --weights 3
  run_clika mixed-llama --model "http://127.0.0.1:$c,http://127.0.0.1:$d"
  expect mixed-llama 3 "http://127.0.0.1:$d and http://127.0.0.1:$c compute different numbers for the same probe"
  stand_in e vllm
  run_clika same --model "http://127.0.0.1:$a,http://127.0.0.1:$e"
  [[ $status == 0 ]] || { cat "$WORK/same.err"; echo "two servers of the same weights: exit $status"; exit 1; }
  grep -q '"fingerprint"' "$WORK/same/run.json" || { cat "$WORK/same/run.json"; echo "run.json records no fingerprint"; exit 1; }
  # The same URL serving other weights on resume: refused, naming the difference.
  LIMIT=2 run_clika resumed --model "http://127.0.0.1:$a"
  [[ $status == 0 ]] || { cat "$WORK/resumed.err"; exit 1; }
  kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
  $PY "$HERE/stand_in.py" vllm "$a" --weights 3 >> "$WORK/stand-in-$a.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $a), timeout=1).close()" 2>/dev/null && break; sleep 0.1; done
  LIMIT=2 run_clika resumed --model "http://127.0.0.1:$a"
  expect resumed 2 "made by a different command" "fingerprint"
  [[ $(wc -l < "$WORK"/resumed/x_geo/*/predictions.jsonl) == 2 ]] || { echo "the refused resume changed the answers"; exit 1; }
  echo "servers with other weights under the same name are refused together and on resume"
  ;;

discovery)
  stand_in port llama-server --fault torn-discovery
  run_clika torn --model "http://127.0.0.1:$port" --retries 0
  expect torn 3 "is neither llama-server" "GET /props answered a body that is not JSON (" "GET /v1/models answered a body that is not JSON ("
  echo "a torn discovery answer names the endpoint and the parser's reason"
  ;;

vllm_settings)
  stand_in small vllm --max-logprobs 5  # below even the probe's 20
  run_clika probe-cap --model "http://127.0.0.1:$small" --retries 0
  expect probe-cap 3 "http://127.0.0.1:$small/v1/completions: vLLM allows at most 5 log-probabilities per token (its --max-logprobs)" \
    "start vLLM with --max-logprobs 20 or more"
  if grep -q "lower --top-logprobs" "$WORK/probe-cap.err"; then cat "$WORK/probe-cap.err"; echo "suggested a --top-logprobs that cannot help"; exit 1; fi
  stand_in port vllm  # vLLM's default --max-logprobs, 20
  run_clika letters-cap --model "http://127.0.0.1:$port" --retries 0 --top-logprobs 30
  expect letters-cap 3 "http://127.0.0.1:$port/v1/completions: vLLM allows at most 20 log-probabilities per token (its --max-logprobs), fewer than the 30 asked for" \
    "start vLLM with --max-logprobs 30 or more, or lower --top-logprobs"
  [[ ! -e "$WORK/letters-cap/run.json" ]] || { echo "a refused --top-logprobs left a run directory"; exit 1; }
  stand_in cached vllm --prefix-caching on
  run_clika cached --model "http://127.0.0.1:$cached" --mode loglik
  expect cached 0 "has prefix caching on" "--no-enable-prefix-caching"
  grep -q '"enable_prefix_caching": "True"' "$WORK/cached/run.json" || { cat "$WORK/cached/run.json"; echo "run.json records no cache settings"; exit 1; }
  run_clika cached-letter --model "http://127.0.0.1:$cached"
  expect cached-letter 0
  if grep -q "prefix caching" "$WORK/cached-letter.err"; then cat "$WORK/cached-letter.err"; echo "warned about prefix caching in letter mode"; exit 1; fi
  stand_in uncached vllm --prefix-caching off
  run_clika uncached --model "http://127.0.0.1:$uncached" --mode loglik
  expect uncached 0
  if grep -q "prefix caching" "$WORK/uncached.err"; then cat "$WORK/uncached.err"; echo "warned with prefix caching off"; exit 1; fi
  grep -q '"enable_prefix_caching": "False"' "$WORK/uncached/run.json" || { cat "$WORK/uncached/run.json"; echo "run.json records no cache settings"; exit 1; }
  echo "vLLM's --max-logprobs is named when too small; prefix caching is recorded and warned about for loglik runs"
  ;;

vocabulary)
  no_answers() { if cat "$WORK/$1"/*/*/predictions.jsonl 2>/dev/null | grep -q . ; then echo "$1: answers were written"; exit 1; fi; }
  stand_in port vllm --fault token=259 --clean 1  # the stand-in's tokenizer has ids 0..258
  run_clika beyond --model "http://127.0.0.1:$port" --retries 0
  expect beyond 3 "vllm /v1/completions (the chosen token): token id 259 is outside the model's vocabulary of 259 tokens"
  no_answers beyond
  stand_in port vllm --fault token=258 --clean 1
  run_clika last --model "http://127.0.0.1:$port" --retries 0
  expect last 0
  grep -q '"greedy_token":258' "$WORK"/last/x_geo/en/predictions.jsonl || { head -n 1 "$WORK"/last/x_geo/en/predictions.jsonl; echo "token 258 was not kept"; exit 1; }
  if grep -q "only checked" "$WORK/last.err"; then cat "$WORK/last.err"; echo "warned although the vocabulary was learned"; exit 1; fi
  stand_in port vllm --vocab 100  # refuses ids its own tokenizer gives: tokenizer and model of different vocabularies
  run_clika mismatched --model "http://127.0.0.1:$port" --retries 0
  expect mismatched 3 "http://127.0.0.1:$port/v1/completions refuses token id" "as out of its vocabulary, though its own /tokenize returned it"
  [[ ! -e "$WORK/mismatched/run.json" ]] || { echo "a refused server left a run directory"; exit 1; }
  for server in "--version none|says no vLLM version (GET /version)" "--version 0.8.5|is vLLM 0.8.5, older than 0.9" \
                "--vocab 0|takes token id 2147483647 in a prompt, so it checks no ids against its vocabulary"; do
    stand_in port vllm ${server%%|*}
    run_clika unchecked --model "http://127.0.0.1:$port" --retries 0
    expect unchecked 0 "${server#*|}" "token ids in its answers are only checked to be whole numbers in 0..2147483647"
    if [[ $server == --version* ]] && grep -q "out of vocabulary" "$WORK/stand-in-$port.log"; then
      cat "$WORK/stand-in-$port.log"; echo "$server: a token id beyond the vocabulary was sent to a vLLM that may crash on it"; exit 1
    fi
    rm -rf "$WORK/unchecked"
  done
  echo "vLLM's vocabulary is learned from what it refuses and checked; a vLLM that cannot be asked is warned about, never probed"
  ;;

*) echo "unknown section $SECTION"; exit 2 ;;
esac
