// The server backend (--plugin openai): clika's requests sent to llama-server or to vLLM's OpenAI-compatible server,
// many in flight. The model argument is the server, or several as a comma-separated list of URLs that serve the same
// model. What each server is asked, and how its answers are read: protocol.hpp (answers parsed as JSON by
// answer_json.hpp); transport, retries, budget and bounded waits and bodies: http_pool.hpp. At open every server is
// identified by what it computes for a fixed probe (protocol.hpp: fingerprint), and servers that differ are refused.
//
// Letter mode asks for the top K next-token log-probabilities (K = top_logprobs): a letter outside them gets the K-th
// value as an upper bound and its flag in clika_score_options.next_bounded. Multi-token continuations are scored a
// token at a time on llama-server (each token must be within the top K) and from the echoed prompt on vLLM, which is
// also how loglik mode works there; llama-server cannot return prompt log-probabilities, so loglik is refused at open.
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "clika/plugin/requests.hpp"
#include "clika/plugin/settings.hpp"
#include "clika/plugin_abi.h"
#include "clika/plugin_support.hpp"
#include "answer_json.hpp"
#include "http_pool.hpp"
#include "protocol.hpp"
#include "server_settings.hpp"

namespace {

using namespace clika::openai;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using clika::plugin::holds;

// What `clika run` offers as --concurrency, --top-logprobs, ... (clika_setting, plugin_abi.h): the one place of each
// option's type, bounds, default and help.
constexpr std::uint32_t min_and_max = CLIKA_SETTING_HAS_MIN | CLIKA_SETTING_HAS_MAX;
constexpr clika_setting declared_settings[] = {
    {sizeof(clika_setting), CLIKA_SETTING_INT, "concurrency", "8", "requests in flight in total, over all servers", min_and_max, 1, 4096},
    {sizeof(clika_setting), CLIKA_SETTING_INT, "top_logprobs", "20",
     "letter mode: next-token log-probabilities asked per question (vLLM caps it at its --max-logprobs, default 20)", min_and_max, 1, 100000},
    {sizeof(clika_setting), CLIKA_SETTING_INT, "retries", "5",
     "retries of a failed request (connection error, timeout, 429, 5xx), with exponential backoff", min_and_max, 0, 100},
    {sizeof(clika_setting), CLIKA_SETTING_INT, "max_requests", "0",
     "stop (resumably) after this many scoring or generation requests (0: no limit; tokenization is not counted)", min_and_max, 0, 1e15},
    {sizeof(clika_setting), CLIKA_SETTING_NUMBER, "request_timeout", "600", "seconds one request may take before it is retried", min_and_max, 0.1, 86400},
    {sizeof(clika_setting), CLIKA_SETTING_NUMBER, "discovery_timeout", "10", "seconds one request at open (GET /props, /v1/models) may take",
     min_and_max, 0.1, 3600},
    {sizeof(clika_setting), CLIKA_SETTING_NUMBER, "max_wait", "300",
     "seconds a server owed answers may stay silent before the run stops (exit 3; it resumes when run again); also bounds the retries at open",
     min_and_max, 1, 86400},
    {sizeof(clika_setting), CLIKA_SETTING_INT, "max_response_bytes", "0",
     "the longest answer accepted from a server (0: derived from what each request asks for)", min_and_max, 0, 1e15},
    {sizeof(clika_setting), CLIKA_SETTING_STRING, "api_key_env", "CLIKA_API_KEY",
     "NAME of the environment variable holding the API key (not the key), sent as a bearer token (never printed or recorded)", 0, 0, 0},
    {sizeof(clika_setting), CLIKA_SETTING_BOOL, "server_cache", "true",
     "llama-server: reuse a slot's cached prompt prefix (--no-server-cache: slower; numbers then never depend on what a slot held before)", 0, 0, 0},
};

struct Settings {
    std::string mode = "letter";  // what the run needs: letter, loglik, generate, generate+loglik
    int max_new_tokens = 64;
    int top_logprobs = 0;
    bool server_cache = true;
    HttpSettings http;
};

[[nodiscard]] Settings read_settings(const clika_open_options& o) {
    const clika::plugin::Settings declared(&o, declared_settings);
    Settings s;
    s.mode = declared.given().value("mode", s.mode);
    s.max_new_tokens = declared.given().value("max_new_tokens", s.max_new_tokens);
    s.top_logprobs = static_cast<int>(declared.integer("top_logprobs"));
    s.server_cache = declared.flag("server_cache");
    s.http.concurrency = static_cast<int>(declared.integer("concurrency"));
    s.http.retries = static_cast<int>(declared.integer("retries"));
    s.http.max_requests = static_cast<std::uint64_t>(declared.integer("max_requests"));
    s.http.timeout_seconds = declared.number("request_timeout");
    s.http.api_key_env = declared.text("api_key_env");
    s.http.discovery_timeout = declared.number("discovery_timeout");
    s.http.max_wait = declared.number("max_wait");
    s.http.max_body = static_cast<std::size_t>(declared.integer("max_response_bytes"));
    // A value that is no variable name is most likely the key itself: refused, and never repeated.
    const std::string& name = s.http.api_key_env;
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0 ||
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        throw Failure("--api-key-env takes the NAME of an environment variable that holds the key, never the key itself (a command line shows in "
                      "ps and shell history): export MY_KEY=...; --api-key-env MY_KEY (the value given is not shown)");
    return s;
}

[[nodiscard]] std::vector<std::string> split_urls(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::string url = text.substr(start, comma - start);
        if (!url.empty()) {
            if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
                throw Failure("\"" + url + "\" is not a server URL: --plugin openai takes http://HOST:PORT (several separated by commas)");
            out.push_back(std::move(url));
        }
        start = comma + 1;
    }
    if (out.empty()) throw Failure("no server URL: --model http://HOST:PORT for --plugin openai");
    return out;
}

// One generation in progress: what the server generated for it, and how much of that the host has taken.
struct Sequence {
    std::vector<Token> prompt;       // the prompt plus every token the host has appended
    std::vector<Token> generated;    // from the server, not yet all taken
    std::size_t taken = 0;
    bool alive = true;
};

// The longest answer a request can legitimately get, from what it asks for: a completion lists up to K + 1 tokens
// (each with its text and bytes, well under 2 KiB) at each position it returns; tokenization a few dozen bytes per
// byte of text.
[[nodiscard]] std::size_t completion_limit(std::size_t positions, int top) {
    return (std::size_t{64} << 10) + positions * (static_cast<std::size_t>(std::max(top, 0)) + 2) * 2048;
}
[[nodiscard]] std::size_t tokenize_limit(std::string_view text) { return (std::size_t{64} << 10) + text.size() * 64; }

struct Model : clika::plugin::ModelBase {
    Settings settings;
    ServerKind kind = ServerKind::llama_server;
    std::string model_name;  // vLLM: the served model's id, sent with every request
    std::unique_ptr<HttpPool> pool;
    HttpCounters counters;  // since open; the host's counters get the differences
    clika_model_info info{};
    std::unordered_map<Token, std::string> pieces;
    std::vector<Sequence> sequences;

    void remember_piece(Token id, const std::string& bytes) {
        if (!bytes.empty()) pieces.emplace(id, bytes);
    }

    [[nodiscard]] Json post(const std::string& path, const Json& body, std::size_t max_body = 0) {
        const HttpRequest r{path, body.dump(-1, ' ', false, Json::error_handler_t::replace), max_body};
        return pool->send_all({&r, 1}, counters, false).front();
    }
    // Completions: these count against --max-requests.
    [[nodiscard]] std::vector<Json> post_all(const std::string& path, const std::vector<Json>& bodies) {
        std::vector<HttpRequest> rs;
        rs.reserve(bodies.size());
        for (const Json& b : bodies) rs.push_back({path, b.dump(-1, ' ', false, Json::error_handler_t::replace), answer_limit(b)});
        return pool->send_all(rs, counters, true);
    }
    // From a completion body: the positions it gets log-probabilities for and how many tokens each.
    [[nodiscard]] std::size_t answer_limit(const Json& body) const {
        if (kind == ServerKind::llama_server) return completion_limit(body.value("n_predict", 1), body.value("n_probs", 0));
        const std::size_t echoed = body.value("echo", false) ? body["prompt"].size() : 0;
        return completion_limit(echoed + body.value("max_tokens", 1), body.value("logprobs", 0));
    }

    // A token id from a server must be one of the model's: anything else would be saved as an answer.
    Token in_vocabulary(Token id, std::string_view where) const {
        if (id >= info.n_vocab)
            throw Failure(std::string(name(kind)) + " " + std::string(where) + ": token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                          std::to_string(info.n_vocab) + " tokens");
        return id;
    }
    void in_vocabulary(const std::vector<Token>& ids, std::string_view where) const {
        for (const Token id : ids) in_vocabulary(id, where);
    }
    [[nodiscard]] std::string completion_path() const { return kind == ServerKind::llama_server ? "/completion" : "/v1/completions"; }

    [[nodiscard]] std::vector<Token> tokenize(std::string_view text, bool add_special) {
        return read("/tokenize", [&] {
            std::vector<Token> ids =
                kind == ServerKind::llama_server
                    ? llama_tokens(post("/tokenize", llama_tokenize_body(text, add_special), tokenize_limit(text)),
                                   [this](Token id, const std::string& b) { remember_piece(id, b); })
                    : vllm_tokens(post("/tokenize", vllm_tokenize_body(model_name, text, add_special), tokenize_limit(text)));
            in_vocabulary(ids, "/tokenize");
            return ids;
        });
    }

    // Reads an answer: a JSON type the protocol code did not foresee still names the server kind and endpoint.
    template <class Fn>
    auto read(std::string_view endpoint, Fn&& fn) -> decltype(fn()) {
        try {
            return fn();
        } catch (const Json::exception& e) {
            throw Failure(std::string(name(kind)) + " " + std::string(endpoint) + ": the answer has an unexpected shape (" + json_reason(e) + ")");
        }
    }

    [[nodiscard]] std::string piece(Token id) {
        if (const auto it = pieces.find(id); it != pieces.end()) return it->second;
        const Json answer = post("/detokenize", kind == ServerKind::llama_server ? Json{{"tokens", {id}}} : Json{{"model", model_name}, {"tokens", {id}}});
        std::string text = detail::optional_string(answer, kind == ServerKind::llama_server ? "content" : "prompt", "", std::string(name(kind)) + " /detokenize");
        pieces.emplace(id, text);
        return text;
    }

    // Completion bodies for the next token after `prompt` (n 1, top K) or greedy generation (n tokens).
    [[nodiscard]] Json next_token_body(const std::vector<Token>& prompt) const {
        return kind == ServerKind::llama_server ? llama_completion_body(prompt, 1, settings.top_logprobs, settings.server_cache)
                                                : vllm_completion_body(model_name, prompt, 1, settings.top_logprobs, false);
    }
    [[nodiscard]] Json generate_body(const std::vector<Token>& prompt, int n) const {
        return kind == ServerKind::llama_server ? llama_completion_body(prompt, n, 1, settings.server_cache)
                                                : vllm_completion_body(model_name, prompt, n, 1, false);
    }
    [[nodiscard]] NextToken next_token(const Json& answer) {
        return read(completion_path(), [&] {
            NextToken next = kind == ServerKind::llama_server
                                 ? llama_next_token(answer, 0, [this](Token id, const std::string& b) { remember_piece(id, b); })
                                 : vllm_next_token(answer);
            in_vocabulary(next.chosen, completion_path() + " (the chosen token)");
            for (const auto& entry : next.top) in_vocabulary(entry.first, completion_path() + " (top log-probabilities)");
            return next;
        });
    }
    [[nodiscard]] Completion completion(const Json& answer) {
        return read(completion_path(), [&] {
            Completion c = kind == ServerKind::llama_server ? llama_completion(answer) : vllm_completion(answer);
            in_vocabulary(c.tokens, completion_path() + " (generated tokens)");
            for (std::size_t i = 0; i < c.tokens.size(); ++i) remember_piece(c.tokens[i], c.pieces[i]);
            return c;
        });
    }
};

Model& self(clika_model* m) { return *reinterpret_cast<Model*>(m); }

[[nodiscard]] std::string loglik_refusal(const std::string& url) {
    return url + " is llama-server, which cannot return log-probabilities of prompt tokens (its /v1/completions refuses echo: "
                 "\"Only no echo is supported\"), and loglik scoring needs them: use --mode letter (multiple choice) or "
                 "--fictional-mode generate (fictional), or serve the model with vLLM";
}

// What GET /props and GET /v1/models say; `unreadable`: why an HTTP 200 body of either was not JSON (a torn answer),
// for the message when neither kind of server is recognised.
struct Discovered {
    Json props, models;
    std::string unreadable;
};

// What GET /props and GET /v1/models say, with retries while a server is starting (connection refused, 503 loading),
// each within --discovery-timeout and all within --max-wait, with a "waiting for" line before each retry.
[[nodiscard]] Discovered discover(HttpPool& pool, std::size_t server, const Settings& s, HttpCounters& counters) {
    const std::string& url = pool.server_url(server);
    const auto began = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
        const HttpPool::Answer props = pool.probe(server, {"/props", ""}, counters, s.http.discovery_timeout);
        // A server that took /props and said nothing is not asked /v1/models as well: it would wait as long again.
        const HttpPool::Answer models = props.timed_out ? props : pool.probe(server, {"/v1/models", ""}, counters, s.http.discovery_timeout);
        const bool down = props.status == 0 && models.status == 0;
        const bool loading = props.status == 503 || models.status == 503;
        if (models.status == 401 || models.status == 403) throw Failure(pool.key_message(url, models.status, models.body));
        if (!down && !loading) {
            Discovered found;
            auto parse = [&](const HttpPool::Answer& a, std::string_view path) -> Json {
                if (a.status != 200) return {};
                try {
                    return parse_answer(a.body);
                } catch (const AnswerNotJson& e) {
                    found.unreadable += "; GET " + std::string(path) + " answered " + e.what() + " (" + std::to_string(a.body.size()) + " bytes)";
                    return {};
                }
            };
            found.props = parse(props, "/props");
            found.models = parse(models, "/v1/models");
            return found;
        }
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        const double delay = 0.5 * (1 << std::min(attempt, 6));
        const std::string why = !down ? ": the server is still loading its model"
                                : props.timed_out ? "/props never answered (" + props.body + ", --discovery-timeout)"
                                                  : ": no server answers (" + props.body + ")";
        if (attempt >= s.http.retries || waited + delay > s.http.max_wait)
            throw Failure(url + why + ", still after " + HttpPool::seconds(std::round(waited)) + " and " + std::to_string(attempt) + " retries (--retries, --max-wait); " +
                          (props.timed_out ? "it accepts connections but says nothing: a stuck server, or not an HTTP server?"
                                           : "start it first (llama-server --port, vllm serve --port)"));
        std::fprintf(stderr, "clika openai: waiting for %s (%.0f s)%s; retry %d of %d in %.1f s\n", url.c_str(), waited,
                     (why.front() == '/' ? ": " + why : why).c_str(), attempt + 1, s.http.retries, delay);
        std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    }
}

// Runs fn, which reads a server's answer: a JSON type the reader did not foresee names `where`.
template <class Fn>
auto shaped(const std::string& where, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const ProtocolError& e) {
        throw Failure(where + ": " + e.what());
    } catch (const Json::exception& e) {
        throw Failure(where + ": the answer has an unexpected shape (" + json_reason(e) + ")");
    }
}

// One request to one server at open: the server's answer (any HTTP status), or a failure naming the endpoint when
// there is none (no connection, a timeout, a refused key).
[[nodiscard]] HttpPool::Answer answer_to(HttpPool& pool, std::size_t server, const std::string& path, const Json& body, std::size_t max_body,
                                         const Settings& s, HttpCounters& counters) {
    const double timeout = std::min(s.http.timeout_seconds, s.http.max_wait);
    HttpPool::Answer a = pool.probe(server, {path, body.dump(-1, ' ', false, Json::error_handler_t::replace), max_body}, counters, timeout);
    const std::string where = pool.server_url(server) + path;
    if (a.status == 401 || a.status == 403) throw Failure(pool.key_message(pool.server_url(server), a.status, a.body));
    if (a.timed_out) throw Failure(where + " never answered: no answer in " + HttpPool::seconds(timeout) + " (--request-timeout, --max-wait)");
    if (a.status == 0) throw Failure(where + ": " + a.body);
    return a;
}

// One request to one server at open: its parsed answer, or a failure naming the endpoint.
[[nodiscard]] Json ask(HttpPool& pool, std::size_t server, const std::string& path, const Json& body, std::size_t max_body, const Settings& s,
                       HttpCounters& counters) {
    const HttpPool::Answer a = answer_to(pool, server, path, body, max_body, s, counters);
    const std::string where = pool.server_url(server) + path;
    if (const auto cap = a.status == 400 ? vllm_logprobs_cap_message(a.body) : std::nullopt) throw Failure(where + ": " + *cap);
    // Every id sent at open is one the server's own /tokenize gave.
    if (const auto id = vllm_refused_token(a.status, a.body))
        throw Failure(where + " refuses token id " + *id + " as out of its vocabulary, though its own /tokenize returned it: its tokenizer and its model "
                              "do not belong together");
    if (a.status != 200) throw Failure(where + " answered HTTP " + std::to_string(a.status) + ": " + pool.excerpt(a.body));
    try {
        return parse_answer(a.body);
    } catch (const AnswerNotJson& e) {
        throw Failure(where + " answered " + e.what() + " (" + std::to_string(a.body.size()) + " bytes)");
    }
}

// What the server computes for the fixed probe (protocol.hpp): its tokens and next-token top list.
[[nodiscard]] Fingerprint probe_server(HttpPool& pool, std::size_t server, ServerKind kind, const std::string& model_name, const Settings& s,
                                       HttpCounters& counters) {
    const std::string where = pool.server_url(server);
    try {
        std::vector<Token> ids;
        NextToken next;
        if (kind == ServerKind::llama_server) {
            ids = llama_tokens(ask(pool, server, "/tokenize", llama_tokenize_body(probe_text, true), tokenize_limit(probe_text), s, counters),
                               [](Token, const std::string&) {});
            next = llama_next_token(ask(pool, server, "/completion", llama_completion_body(ids, 1, probe_top, false), completion_limit(1, probe_top), s, counters),
                                    0, [](Token, const std::string&) {});
        } else {
            ids = vllm_tokens(ask(pool, server, "/tokenize", vllm_tokenize_body(model_name, probe_text, true), tokenize_limit(probe_text), s, counters));
            next = vllm_next_token(
                ask(pool, server, "/v1/completions", vllm_completion_body(model_name, ids, 1, probe_top, false), completion_limit(1, probe_top), s, counters));
        }
        if (next.top.size() < 5) throw Failure(where + ": the probe's answer lists " + std::to_string(next.top.size()) + " top tokens, fewer than 5");
        return fingerprint(ids, next);
    } catch (const ProtocolError& e) {
        throw Failure(where + ", probing what it computes: " + e.what());
    } catch (const Json::exception& e) {
        throw Failure(where + ", probing what it computes: the answer has an unexpected shape (" + json_reason(e) + ")");
    }
}

// vLLM's vocabulary size, asked of the first server (the others compute the same numbers: the fingerprint): 0 when
// it cannot be asked, with a warning saying why; then token ids in its answers are only range-checked. `known`: the
// largest id of the probe, which the server took.
[[nodiscard]] Token vllm_vocabulary(HttpPool& pool, const std::string& model_name, Token known, const Settings& s, HttpCounters& counters) {
    const std::string& url = pool.server_url(0);
    const auto unchecked = [&](const std::string& why) {
        std::fprintf(stderr, "clika openai: warning: %s%s; token ids in its answers are only checked to be whole numbers in 0..%d, not against its vocabulary\n",
                     url.c_str(), why.c_str(), std::numeric_limits<Token>::max());
        return Token{0};
    };
    const HttpPool::Answer version = pool.probe(0, {"/version", ""}, counters, s.http.discovery_timeout);
    const std::optional<std::array<int, 3>> v = version.status == 200 ? vllm_version(version.body) : std::nullopt;
    const std::string since = std::to_string(vllm_checks_prompt_ids_since[0]) + "." + std::to_string(vllm_checks_prompt_ids_since[1]);
    if (!v)
        return unchecked(" says no vLLM version (GET /version), so clika cannot tell whether it refuses token ids beyond its vocabulary (vLLM " + since +
                         " or newer does; an older one can crash on them) and does not ask it its vocabulary size");
    if (*v < vllm_checks_prompt_ids_since)
        return unchecked(" is vLLM " + std::to_string((*v)[0]) + "." + std::to_string((*v)[1]) + "." + std::to_string((*v)[2]) + ", older than " + since +
                         ", which may crash on a token id beyond its vocabulary instead of refusing it, so clika does not ask it its vocabulary size");
    const auto accepts = [&](Token id) {
        const Json body{{"model", model_name}, {"prompt", {id}}, {"max_tokens", 1}, {"temperature", 0.0}};
        const HttpPool::Answer a = answer_to(pool, 0, "/v1/completions", body, completion_limit(1, 0), s, counters);
        if (a.status == 200) return true;
        if (vllm_refused_token(a.status, a.body)) return false;
        throw Failure(url + "/v1/completions answered HTTP " + std::to_string(a.status) + " to a prompt of token " + std::to_string(id) +
                      " (asking its vocabulary size, which vLLM reports nowhere): " + pool.excerpt(a.body));
    };
    const std::optional<Token> size = vocabulary_size(known, accepts);
    if (!size) return unchecked(" takes token id " + std::to_string(std::numeric_limits<Token>::max()) + " in a prompt, so it checks no ids against its vocabulary");
    return *size;
}

// The log-probabilities of one run's servers may differ by batching and hardware in their last digits, never by this.
constexpr double same_numbers_tolerance = 0.25;

clika_model* plugin_open(const char* path, const clika_open_options* options) {
    return clika::plugin::guarded(nullptr, [&]() -> clika_model* {
        if (path == nullptr) throw Failure("no server URL");
        if (!clika::plugin::is_v2(options)) throw Failure("open options are NULL or smaller than ABI v2.0's");
        if (options->lora_path != nullptr) throw Failure("a server applies no LoRA adapter sent by clika: serve the merged model, or load the adapter in the server");
        auto m = std::make_unique<Model>();
        m->settings = read_settings(*options);
        if (const char* key = std::getenv(m->settings.http.api_key_env.c_str()); key != nullptr) m->settings.http.api_key = key;
        else if (m->settings.http.api_key_env != HttpSettings{}.api_key_env)  // (the name is not shown: it may be a key typed in its place)
            throw Failure("the environment variable that --api-key-env names is not set; --api-key-env takes the NAME of a variable that holds the key "
                          "(export MY_KEY=...; --api-key-env MY_KEY), never the key itself");
        const std::vector<std::string> urls = split_urls(path);
        m->pool = std::make_unique<HttpPool>(urls, m->settings.http);

        Json identity;
        Fingerprint first_fingerprint;
        for (std::size_t s = 0; s < urls.size(); ++s) {
            const std::string& url = m->pool->server_url(s);
            const Discovered found = discover(*m->pool, s, m->settings, m->counters);
            const Json& props = found.props;  // (not a structured binding: lambdas below capture it, which clang 14 refuses)
            const Json& models = found.models;
            const std::optional<ServerKind> kind = shaped(url + " GET /v1/models", [&] { return server_kind(props, models); });
            if (!kind)
                throw Failure(url + " is neither llama-server (GET /props) nor vLLM (GET /v1/models with owned_by \"vllm\"): the servers "
                                    "clika knows how to ask for log-probabilities" + found.unreadable);
            Json id;
            std::string model_name;
            id["server"] = std::string(name(*kind));
            shaped(url + " GET /props and /v1/models", [&] {
                if (*kind == ServerKind::llama_server) {
                    const Json meta = models.is_object() && models.contains("data") && models["data"].is_array() && !models["data"].empty() &&
                                              models["data"][0].is_object()
                                          ? models["data"][0].value("meta", Json::object())
                                          : Json::object();
                    id["model"] = props.value("model_alias", std::string());
                    id["weights"] = props.value("model_path", std::string());
                    id["n_params"] = meta.value("n_params", Json());
                    id["size"] = meta.value("size", Json());
                    id["build"] = props.value("build_info", std::string());
                    if (s == 0) {
                        m->info.n_vocab = meta.value("n_vocab", 0);
                        m->info.n_ctx_train = meta.value("n_ctx_train", 0);
                        m->info.n_ctx = props.contains("default_generation_settings") ? props["default_generation_settings"].value("n_ctx", 0) : 0;
                    }
                } else {
                    const Json& first = models["data"][0];
                    model_name = first.value("id", std::string());
                    id["model"] = model_name;
                    id["root"] = first.value("root", Json());
                    if (s == 0) {
                        m->info.n_ctx = first.value("max_model_len", 0);
                        m->info.n_ctx_train = m->info.n_ctx;
                    }
                }
            });
            // Identified by what it computes, not by the path or name it reports.
            const Fingerprint fp = probe_server(*m->pool, s, *kind, model_name, m->settings, m->counters);
            id["fingerprint"] = fp.to_json();
            // The cache settings vLLM shows (GET /metrics) change its numbers: recorded, and the same on every server.
            if (*kind == ServerKind::vllm)
                if (const HttpPool::Answer metrics = m->pool->probe(s, {"/metrics", ""}, m->counters, m->settings.http.discovery_timeout); metrics.status == 200)
                    if (Json cache = vllm_cache_settings(metrics.body); !cache.is_null()) id["cache"] = std::move(cache);
            if (s == 0) {
                m->kind = *kind;
                m->model_name = model_name;
                identity = id;
                first_fingerprint = fp;
            } else if (id["fingerprint"] != identity["fingerprint"]) {
                throw Failure(url + " and " + m->pool->server_url(0) + " compute different numbers for the same probe (next tokens " +
                              id["fingerprint"].dump() + " against " + identity["fingerprint"].dump() +
                              "): they serve different weights or tokenizers, whatever names they report; every server of one run must serve the same model");
            } else if (const double d = largest_difference(fp, first_fingerprint); d > same_numbers_tolerance) {
                throw Failure(url + " and " + m->pool->server_url(0) + " compute log-probabilities " + std::to_string(d) +
                              " nats apart for the same probe (more than " + std::to_string(same_numbers_tolerance) +
                              "): they serve different weights; every server of one run must serve the same model");
            } else if (id != identity) {
                throw Failure(url + " serves " + id.dump() + ", but " + m->pool->server_url(0) + " serves " + identity.dump() +
                              ": every server of one run must serve the same model");
            }
        }
        if (m->kind == ServerKind::vllm) m->info.n_vocab = vllm_vocabulary(*m->pool, m->model_name, first_fingerprint.largest_probe_token, m->settings, m->counters);
        if (m->info.n_vocab <= 0) m->info.n_vocab = std::numeric_limits<std::int32_t>::max();  // not known: ids are only range-checked
        const bool needs_loglik = m->settings.mode.find("loglik") != std::string::npos;
        if (needs_loglik && m->kind == ServerKind::llama_server) throw Failure(loglik_refusal(m->pool->server_url(0)));
        // Settings that change the numbers belong to the model's identity in run.json.
        if (m->settings.mode == "letter") identity["top_logprobs"] = m->settings.top_logprobs;
        if (m->kind == ServerKind::llama_server) identity["server_cache"] = m->settings.server_cache;
        identity["mode"] = m->settings.mode;
        if (needs_loglik && m->kind == ServerKind::vllm && prefix_caching_on(identity.value("cache", Json())))
            std::fprintf(stderr, "clika openai: warning: %s has prefix caching on (GET /metrics: enable_prefix_caching=\"True\"): its prompt "
                                 "log-probabilities can change with the order of requests; start vLLM with --no-enable-prefix-caching for "
                                 "reproducible scores\n", m->pool->server_url(0).c_str());

        const std::vector<Token> with_bos = m->tokenize("", true);
        // vLLM refuses more top log-probabilities than its --max-logprobs: asked once of each server now, not at the
        // first question (the probe asked for probe_top).
        if (m->kind == ServerKind::vllm && m->settings.mode == "letter" && m->settings.top_logprobs > probe_top)
            for (std::size_t s = 0; s < urls.size(); ++s)
                (void)ask(*m->pool, s, "/v1/completions", vllm_completion_body(m->model_name, m->tokenize("Answer:", true), 1, m->settings.top_logprobs, false),
                          completion_limit(1, m->settings.top_logprobs), m->settings, m->counters);
        m->info.adds_bos = with_bos.empty() ? 0 : 1;
        m->info.bos = with_bos.empty() ? -1 : with_bos.front();
        m->info.eos = -1;
        if (m->kind == ServerKind::llama_server)
            if (const std::string props = m->pool->probe(0, {"/props", ""}, m->counters, m->settings.http.discovery_timeout).body; !props.empty()) {
                const Json p = Json::parse(props, nullptr, false);
                const std::string eos = p.is_object() && p.contains("eos_token") && p["eos_token"].is_string() ? p["eos_token"].get<std::string>() : std::string();
                if (!eos.empty()) {
                    Json body = llama_tokenize_body(eos, false);
                    body["parse_special"] = true;
                    const std::vector<Token> ids = m->read("/tokenize", [&] { return llama_tokens(m->post("/tokenize", body), [](Token, const std::string&) {}); });
                    if (ids.size() == 1) m->info.eos = m->in_vocabulary(ids.front(), "/tokenize (the end-of-generation token)");
                }
            }
        if (m->info.n_ctx <= 0) throw Failure(m->pool->server_url(0) + " did not say its context size (llama-server /props n_ctx, vLLM max_model_len)");

        const std::string text = identity.dump();
        if (text.size() >= sizeof(m->info.identity)) throw Failure("the server's identity is longer than " + std::to_string(sizeof(m->info.identity)) + " bytes");
        std::memcpy(m->info.identity, text.c_str(), text.size() + 1);
        std::snprintf(m->info.description, sizeof m->info.description, "%s %s at %s%s", std::string(name(m->kind)).c_str(),
                      identity.value("model", std::string()).c_str(), m->pool->server_url(0).c_str(), urls.size() > 1 ? " and others" : "");
        return reinterpret_cast<clika_model*>(m.release());
    });
}

void plugin_close(clika_model* model) { delete reinterpret_cast<Model*>(model); }

int32_t plugin_describe(clika_model* model, clika_model_info* out) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(out)) throw Failure("model info is NULL or smaller than ABI v2.0's");
        const std::uint32_t size = out->struct_size;
        const bool has_identity = holds(*out, &clika_model_info::identity);
        std::memcpy(out, &m.info, has_identity ? sizeof(clika_model_info) : offsetof(clika_model_info, identity));
        out->struct_size = size;
        // Every request is its own HTTP call: no pass limits beyond the context.
        out->max_pass_tokens = out->n_ctx;
        out->max_pass_sequences = 1 << 16;
        out->capabilities = CLIKA_CAP_GENERATE;
        return 0;
    });
}

int64_t plugin_tokenize(clika_model* model, const char* text, size_t length, int32_t add_special, int32_t* out, size_t capacity) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&] {
        const std::vector<Token> ids = m.tokenize(std::string_view(text, length), add_special != 0);
        return clika::plugin::copy_out(std::span<const Token>(ids), out, capacity);
    });
}

int64_t plugin_token_piece(clika_model* model, int32_t token, char* out, size_t capacity) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&] { return clika::plugin::copy_out(std::string_view(m.piece(token)), out, capacity); });
}

// Adds this call's requests and retries to the host's counters.
struct CountInto {
    Model& m;
    std::uint64_t* sent;
    std::uint64_t* retries;
    HttpCounters before = m.counters;
    ~CountInto() {
        if (sent != nullptr) *sent += m.counters.sent - before.sent;
        if (retries != nullptr) *retries += m.counters.retries - before.retries;
    }
};

// The counters of score or generate options, when the host's struct has them.
template <class Options>
[[nodiscard]] CountInto count_into(Model& m, const Options& o) {
    const bool has = holds(o, &Options::retries);
    return {m, has ? o.requests_sent : nullptr, has ? o.retries : nullptr};
}

int32_t plugin_score(clika_model* model, const clika_score_request* reqs, clika_score_result* results, size_t count,
                     const clika_score_options* options) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw Failure("score options are NULL or smaller than ABI v2.0's");
        const CountInto counting = count_into(m, *options);
        uint8_t* bounded = holds(*options, &clika_score_options::next_bounded) ? options->next_bounded : nullptr;
        clika::plugin::validate_requests(reqs, results, count, {m.info.n_vocab, static_cast<std::size_t>(m.info.n_ctx), false});
        m.sequences.clear();

        // Every HTTP request this call needs, then one batch over the servers.
        struct Part {  // what one answer is read for
            std::size_t request;
            std::size_t continuation;  // next_read: the next-token read of the context
            std::size_t token;         // llama-server: which continuation token
            std::size_t answer;        // index into the answers
        };
        constexpr std::size_t next_read = static_cast<std::size_t>(-1);
        std::vector<Json> bodies;
        std::vector<Part> parts;
        std::uint64_t tokens = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const clika_score_request& r = reqs[i];
            const std::vector<Token> context(r.context.tokens, r.context.tokens + r.context.count);
            const std::size_t context_answer = bodies.size();
            bodies.push_back(m.next_token_body(context));
            parts.push_back({i, next_read, 0, context_answer});
            tokens += context.size();
            for (std::size_t c = 0; c < r.n_continuations; ++c) {
                const clika_token_span& span = r.continuations[c];
                std::vector<Token> sequence = context;
                if (m.kind == ServerKind::vllm) {  // the echoed prompt scores every continuation token at once
                    sequence.insert(sequence.end(), span.tokens, span.tokens + span.count);
                    parts.push_back({i, c, 0, bodies.size()});
                    bodies.push_back(vllm_completion_body(m.model_name, sequence, 1, 1, true));
                    tokens += sequence.size();
                    continue;
                }
                // llama-server: log p(token t | context + the tokens before it); token 0 is read from the context's answer.
                parts.push_back({i, c, 0, context_answer});
                for (std::size_t t = 1; t < span.count; ++t) {
                    sequence.push_back(span.tokens[t - 1]);
                    parts.push_back({i, c, t, bodies.size()});
                    bodies.push_back(m.next_token_body(sequence));
                    tokens += sequence.size();
                }
            }
        }
        const std::vector<Json> answers = m.post_all(m.completion_path(), bodies);

        std::size_t flag = 0;
        for (std::size_t i = 0; i < count; ++i) {
            results[i].greedy_next = -1;
            for (std::size_t c = 0; c < reqs[i].n_continuations; ++c) {
                results[i].continuation_logprob[c] = 0;
                results[i].continuation_greedy[c] = 1;
            }
        }
        for (const Part& p : parts) {
            const clika_score_request& r = reqs[p.request];
            clika_score_result& out = results[p.request];
            if (p.continuation == next_read) {
                const NextToken next = m.next_token(answers[p.answer]);
                out.greedy_next = next.chosen;
                for (std::size_t j = 0; j < r.n_next_ids; ++j, ++flag) {
                    const Bounded b = logprob_of(next, r.next_ids[j]);
                    out.next_logprob[j] = b.logprob;
                    if (bounded != nullptr && b.bounded) bounded[flag] = 1;
                }
                continue;
            }
            const clika_token_span& span = r.continuations[p.continuation];
            if (m.kind == ServerKind::vllm) {
                const std::vector<Token> cont(span.tokens, span.tokens + span.count);
                const EchoedContinuation e = m.read(m.completion_path(), [&] { return vllm_echoed(answers[p.answer], r.context.count + span.count, cont); });
                out.continuation_logprob[p.continuation] = e.logprob;
                out.continuation_greedy[p.continuation] = e.greedy ? 1 : 0;
                continue;
            }
            const NextToken next = m.next_token(answers[p.answer]);
            const Bounded b = logprob_of(next, span.tokens[p.token]);
            if (b.bounded)
                throw Failure("request " + std::to_string(p.request) + ": continuation " + std::to_string(p.continuation) + " token " +
                              std::to_string(span.tokens[p.token]) + " is not among the server's top " + std::to_string(m.settings.top_logprobs) +
                              " tokens, so its log-probability is unknown: raise --top-logprobs");
            out.continuation_logprob[p.continuation] += b.logprob;
            if (next.chosen != span.tokens[p.token]) out.continuation_greedy[p.continuation] = 0;
        }
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        return 0;
    });
}

// Generation: the server generates up to max_new_tokens for each prompt at once; the host then takes them a token at
// a time. Should it want more (it appended something else, or the server stopped by length), the rest is asked for
// again from the prompt plus what the host appended.
void fill(Model& m, std::span<std::size_t> which) {
    std::vector<Json> bodies;
    for (std::size_t i : which) bodies.push_back(m.generate_body(m.sequences[i].prompt, m.settings.max_new_tokens));
    const std::vector<Json> answers = m.post_all(m.completion_path(), bodies);
    for (std::size_t k = 0; k < which.size(); ++k) {
        Sequence& s = m.sequences[which[k]];
        Completion c = m.completion(answers[k]);
        s.generated = std::move(c.tokens);
        s.taken = 0;
        if (s.generated.empty()) s.generated.push_back(m.info.eos);  // stopped before any token: end of sequence
    }
}

int32_t plugin_generate_begin(clika_model* model, const clika_score_request* prompts, size_t count, int32_t* greedy_next,
                              const clika_generate_options* options) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw Failure("generate options are NULL or smaller than ABI v2.0's");
        const CountInto counting = count_into(m, *options);
        m.sequences.assign(count, {});
        std::vector<std::size_t> all(count);
        for (std::size_t i = 0; i < count; ++i) {
            m.sequences[i].prompt.assign(prompts[i].context.tokens, prompts[i].context.tokens + prompts[i].context.count);
            all[i] = i;
            if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += prompts[i].context.count;
        }
        fill(m, all);
        for (std::size_t i = 0; i < count; ++i) greedy_next[i] = m.sequences[i].generated.front();
        return 0;
    });
}

int32_t plugin_generate_step(clika_model* model, const int32_t* tokens, size_t count, int32_t* greedy_next, const clika_generate_options* options) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (count != m.sequences.size()) throw Failure("generate_step for " + std::to_string(count) + " sequences, begun with " + std::to_string(m.sequences.size()));
        if (!clika::plugin::is_v2(options)) throw Failure("generate options are NULL or smaller than ABI v2.0's");
        const CountInto counting = count_into(m, *options);
        std::vector<std::size_t> refill;
        for (std::size_t i = 0; i < count; ++i) {
            Sequence& s = m.sequences[i];
            if (!s.alive) continue;
            if (tokens[i] < 0) {
                s.alive = false;
                continue;
            }
            s.prompt.push_back(tokens[i]);
            const bool as_generated = s.taken < s.generated.size() && s.generated[s.taken] == tokens[i];
            if (as_generated) ++s.taken;
            if (!as_generated || s.taken >= s.generated.size()) refill.push_back(i);
        }
        if (!refill.empty()) fill(m, refill);
        for (std::size_t i = 0; i < count; ++i) {
            const Sequence& s = m.sequences[i];
            if (s.alive) greedy_next[i] = s.generated[s.taken];
        }
        return 0;
    });
}

void plugin_generate_end(clika_model* model) { self(model).sequences.clear(); }

const char* plugin_last_error(clika_model* model) { return clika::plugin::last_error(model == nullptr ? nullptr : &self(model)); }

const clika_plugin_api_v2 api{
    CLIKA_PLUGIN_ABI_VERSION,
    sizeof(clika_plugin_api_v2),
    "openai",
    "0.1.0 (llama-server, vLLM; libcurl)",
    plugin_open,
    plugin_close,
    plugin_describe,
    plugin_tokenize,
    plugin_token_piece,
    plugin_score,
    plugin_last_error,
    plugin_generate_begin,
    plugin_generate_step,
    plugin_generate_end,
    declared_settings,
    std::size(declared_settings),
    CLIKA_PLUGIN_MODEL_NOT_A_FILE,  // the model argument is the server
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
