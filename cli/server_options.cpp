// The options of `clika run` that only a server plugin (--plugin openai) reads, and how they reach it.
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ranges.hpp"
#include "run_options.hpp"

namespace clika::cli {

std::string plugin_settings(const RunOptions& o, const std::string& mode) {
    nlohmann::ordered_json s;
    s["mode"] = mode;
    s["max_new_tokens"] = o.max_new_tokens;
    s["concurrency"] = o.concurrency;
    s["top_logprobs"] = o.top_logprobs;
    s["retries"] = o.retries;
    s["max_requests"] = o.max_requests;
    s["request_timeout"] = o.request_timeout;
    s["api_key_env"] = o.api_key_env;  // the name of the variable, never the key
    s["server_cache"] = o.server_cache;
    return s.dump();
}

void add_server_options(CLI::App& cmd, RunOptions& o) {
    const std::string group = "Servers (--plugin openai)";
    cmd.add_option("--concurrency", o.concurrency, "requests in flight in total, over all servers")
        ->check(within(1, 4096))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--top-logprobs", o.top_logprobs,
                   "letter mode: next-token log-probabilities asked per question (vLLM caps it at its --max-logprobs, default 20)")
        ->check(within(1, 100000))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--retries", o.retries, "retries of a failed request (connection error, timeout, 429, 5xx), with exponential backoff")
        ->check(within(0, 100))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--max-requests", o.max_requests, "stop (resumably) after this many scoring or generation requests (0: no limit; tokenization is not counted)")
        ->check(count_up_to(any_count))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--request-timeout", o.request_timeout, "seconds one request may take before it is retried")
        ->check(within(0.1, 86400))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--api-key-env", o.api_key_env, "environment variable holding the API key, sent as a bearer token (never printed or recorded)")
        ->capture_default_str()
        ->group(group);
    cmd.add_flag("!--no-server-cache", o.server_cache,
                 "llama-server: do not reuse a slot's cached prompt prefix (slower; numbers then never depend on what a slot held before)")
        ->group(group);
}

}  // namespace clika::cli
