// The options of `clika run` that only a server plugin (--plugin openai) reads, and how they reach it.
#include <cctype>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ranges.hpp"
#include "run_options.hpp"

namespace clika::cli {

namespace {

constexpr std::string_view key_not_on_command_line =
    "--api-key-env takes the NAME of an environment variable that holds the key, never the key itself (a command line shows in ps "
    "and shell history): export MY_KEY=...; --api-key-env MY_KEY";

}  // namespace

std::string plugin_settings(const RunOptions& o, const std::string& mode) {
    nlohmann::ordered_json s;
    s["mode"] = mode;
    s["max_new_tokens"] = o.max_new_tokens;
    s["concurrency"] = o.concurrency;
    s["top_logprobs"] = o.top_logprobs;
    s["retries"] = o.retries;
    s["max_requests"] = o.max_requests;
    s["request_timeout"] = o.request_timeout;
    s["discovery_timeout"] = o.discovery_timeout;
    s["max_wait"] = o.max_wait;
    s["max_response_bytes"] = o.max_response_bytes;
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
    cmd.add_option("--discovery-timeout", o.discovery_timeout, "seconds one request at open (GET /props, /v1/models) may take")
        ->check(within(0.1, 3600))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--max-wait", o.max_wait,
                   "seconds a server owed answers may stay silent before the run stops (exit 3; it resumes when run again); also bounds the "
                   "retries at open")
        ->check(within(1, 86400))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--max-response-bytes", o.max_response_bytes,
                   "the longest answer accepted from a server (0: derived from what each request asks for)")
        ->check(count_up_to(any_count))
        ->capture_default_str()
        ->group(group);
    // A value that is no variable name is most likely the key itself: refused, and never repeated in the message.
    cmd.add_option("--api-key-env", o.api_key_env,
                   "NAME of the environment variable holding the API key (not the key), sent as a bearer token (never printed or recorded)")
        ->check(CLI::Validator(
            [](std::string& name) -> std::string {
                const bool is_name = !name.empty() && std::isdigit(static_cast<unsigned char>(name.front())) == 0 &&
                                     name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
                return is_name ? std::string() : std::string(key_not_on_command_line) + " (the value given is not shown)";
            },
            "NAME"))
        ->capture_default_str()
        ->group(group);
    // The natural guess, --api-key KEY: refused without repeating the key (CLI11 would list it as unexpected).
    cmd.add_option("--api-key", o.api_key_given)
        ->check(CLI::Validator(
            [](std::string&) -> std::string {  // (thrown past CLI11's validator message, which names no hidden option)
                throw CLI::ArgumentMismatch("--api-key: no such option; " + std::string(key_not_on_command_line) + " (the value given is not shown)");
            },
            ""))
        ->group("");
    cmd.add_flag("!--no-server-cache", o.server_cache,
                 "llama-server: do not reuse a slot's cached prompt prefix (slower; numbers then never depend on what a slot held before)")
        ->group(group);
}

}  // namespace clika::cli
