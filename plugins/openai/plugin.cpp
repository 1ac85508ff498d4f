// The server backend (--plugin openai): clika's requests sent to llama-server or to vLLM's OpenAI-compatible server,
// many in flight. The model argument is the server, or several as a comma-separated list of URLs that serve the same
// model. What each server is asked, and how its answers are read: protocol.hpp; transport, retries and budget:
// http_pool.hpp.
//
// Letter mode asks for the top K next-token log-probabilities (K = top_logprobs): a letter outside them gets the K-th
// value as an upper bound and its flag in clika_score_options.next_bounded. Multi-token continuations are scored a
// token at a time on llama-server (each token must be within the top K) and from the echoed prompt on vLLM, which is
// also how loglik mode works there; llama-server cannot return prompt log-probabilities, so loglik is refused at open.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
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
#include "http_pool.hpp"
#include "protocol.hpp"

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
    {sizeof(clika_setting), CLIKA_SETTING_STRING, "api_key_env", "CLIKA_API_KEY",
     "environment variable holding the API key, sent as a bearer token (never printed or recorded)", 0, 0, 0},
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

    [[nodiscard]] Json post(const std::string& path, const Json& body) {
        const HttpRequest r{path, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
        return pool->send_all({&r, 1}, counters, false).front();
    }
    // Completions: these count against --max-requests.
    [[nodiscard]] std::vector<Json> post_all(const std::string& path, const std::vector<Json>& bodies) {
        std::vector<HttpRequest> rs;
        rs.reserve(bodies.size());
        for (const Json& b : bodies) rs.push_back({path, b.dump(-1, ' ', false, Json::error_handler_t::replace)});
        return pool->send_all(rs, counters, true);
    }
    [[nodiscard]] std::string completion_path() const { return kind == ServerKind::llama_server ? "/completion" : "/v1/completions"; }

    [[nodiscard]] std::vector<Token> tokenize(std::string_view text, bool add_special) {
        if (kind == ServerKind::llama_server)
            return llama_tokens(post("/tokenize", llama_tokenize_body(text, add_special)), [this](Token id, const std::string& b) { remember_piece(id, b); });
        return vllm_tokens(post("/tokenize", vllm_tokenize_body(model_name, text, add_special)));
    }

    [[nodiscard]] std::string piece(Token id) {
        if (const auto it = pieces.find(id); it != pieces.end()) return it->second;
        const Json answer = post("/detokenize", kind == ServerKind::llama_server ? Json{{"tokens", {id}}} : Json{{"model", model_name}, {"tokens", {id}}});
        std::string text = answer.value(kind == ServerKind::llama_server ? "content" : "prompt", std::string());
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
        if (kind == ServerKind::llama_server) return llama_next_token(answer, 0, [this](Token id, const std::string& b) { remember_piece(id, b); });
        return vllm_next_token(answer);
    }
    [[nodiscard]] Completion completion(const Json& answer) {
        Completion c = kind == ServerKind::llama_server ? llama_completion(answer) : vllm_completion(answer);
        for (std::size_t i = 0; i < c.tokens.size(); ++i) remember_piece(c.tokens[i], c.pieces[i]);
        return c;
    }
};

Model& self(clika_model* m) { return *reinterpret_cast<Model*>(m); }

[[nodiscard]] std::string loglik_refusal(const std::string& url) {
    return url + " is llama-server, which cannot return log-probabilities of prompt tokens (its /v1/completions refuses echo: "
                 "\"Only no echo is supported\"), and loglik scoring needs them: use --mode letter (multiple choice) or "
                 "--fictional-mode generate (fictional), or serve the model with vLLM";
}

// What GET /props and GET /v1/models say, with retries while a server is starting (connection refused, 503 loading).
[[nodiscard]] std::pair<Json, Json> discover(HttpPool& pool, std::size_t server, const Settings& s, HttpCounters& counters) {
    const std::string& url = pool.server_url(server);
    for (int attempt = 0;; ++attempt) {
        const HttpPool::Answer props = pool.probe(server, {"/props", ""}, counters);
        const HttpPool::Answer models = pool.probe(server, {"/v1/models", ""}, counters);
        const bool down = props.status == 0 && models.status == 0;
        const bool loading = props.status == 503 || models.status == 503;
        if (models.status == 401 || models.status == 403) throw Failure(pool.key_message(url, models.status, models.body));
        if (!down && !loading) {
            auto parse = [](const HttpPool::Answer& a) { return a.status == 200 ? Json::parse(a.body, nullptr, false) : Json(); };
            return {parse(props), parse(models)};
        }
        if (attempt >= s.http.retries)
            throw Failure(url + (down ? ": no server answers (" + props.body + ")" : ": the server is still loading its model") + ", still after " +
                          std::to_string(s.http.retries) + " retries; start it first (llama-server --port, vllm serve --port)");
        std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(500 * (1 << std::min(attempt, 6)))));
    }
}

clika_model* plugin_open(const char* path, const clika_open_options* options) {
    return clika::plugin::guarded(nullptr, [&]() -> clika_model* {
        if (path == nullptr) throw Failure("no server URL");
        if (!clika::plugin::is_v2(options)) throw Failure("open options are NULL or smaller than ABI v2.0's");
        if (options->lora_path != nullptr) throw Failure("a server applies no LoRA adapter sent by clika: serve the merged model, or load the adapter in the server");
        auto m = std::make_unique<Model>();
        m->settings = read_settings(*options);
        if (const char* key = std::getenv(m->settings.http.api_key_env.c_str()); key != nullptr) m->settings.http.api_key = key;
        const std::vector<std::string> urls = split_urls(path);
        m->pool = std::make_unique<HttpPool>(urls, m->settings.http);

        Json identity;
        for (std::size_t s = 0; s < urls.size(); ++s) {
            const auto [props, models] = discover(*m->pool, s, m->settings, m->counters);
            const std::optional<ServerKind> kind = server_kind(props, models);
            if (!kind)
                throw Failure(urls[s] + " is neither llama-server (GET /props) nor vLLM (GET /v1/models with owned_by \"vllm\"): the servers "
                                        "clika knows how to ask for log-probabilities");
            Json id;
            id["server"] = std::string(name(*kind));
            if (*kind == ServerKind::llama_server) {
                const Json meta = models.is_object() && models.contains("data") && !models["data"].empty() ? models["data"][0].value("meta", Json::object())
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
                id["model"] = first.value("id", std::string());
                id["root"] = first.value("root", Json());
                if (s == 0) {
                    m->model_name = first.value("id", std::string());
                    m->info.n_ctx = first.value("max_model_len", 0);
                    m->info.n_ctx_train = m->info.n_ctx;
                }
            }
            if (s == 0) {
                m->kind = *kind;
                identity = id;
            } else if (id != identity) {
                throw Failure(urls[s] + " serves " + id.dump() + ", but " + urls[0] + " serves " + identity.dump() +
                              ": every server of one run must serve the same model");
            }
        }
        const bool needs_loglik = m->settings.mode.find("loglik") != std::string::npos;
        if (needs_loglik && m->kind == ServerKind::llama_server) throw Failure(loglik_refusal(urls[0]));
        // Settings that change the numbers belong to the model's identity in run.json.
        if (m->settings.mode == "letter") identity["top_logprobs"] = m->settings.top_logprobs;
        if (m->kind == ServerKind::llama_server) identity["server_cache"] = m->settings.server_cache;
        identity["mode"] = m->settings.mode;

        // An authenticated request at once: a missing or wrong key fails here, before any work.
        const std::vector<Token> with_bos = m->tokenize("", true);
        m->info.adds_bos = with_bos.empty() ? 0 : 1;
        m->info.bos = with_bos.empty() ? -1 : with_bos.front();
        m->info.eos = -1;
        if (m->kind == ServerKind::llama_server)
            if (const std::string props = m->pool->probe(0, {"/props", ""}, m->counters).body; !props.empty()) {
                const Json p = Json::parse(props, nullptr, false);
                const std::string eos = p.is_object() ? p.value("eos_token", std::string()) : std::string();
                if (!eos.empty()) {
                    Json body = llama_tokenize_body(eos, false);
                    body["parse_special"] = true;
                    const std::vector<Token> ids = llama_tokens(m->post("/tokenize", body), [](Token, const std::string&) {});
                    if (ids.size() == 1) m->info.eos = ids.front();
                }
            }
        if (m->info.n_vocab <= 0) m->info.n_vocab = std::numeric_limits<std::int32_t>::max();  // vLLM does not say: ids are not checked here
        if (m->info.n_ctx <= 0) throw Failure(urls[0] + " did not say its context size (llama-server /props n_ctx, vLLM max_model_len)");

        const std::string text = identity.dump();
        if (text.size() >= sizeof(m->info.identity)) throw Failure("the server's identity is longer than " + std::to_string(sizeof(m->info.identity)) + " bytes");
        std::memcpy(m->info.identity, text.c_str(), text.size() + 1);
        std::snprintf(m->info.description, sizeof m->info.description, "%s %s at %s%s", std::string(name(m->kind)).c_str(),
                      identity.value("model", std::string()).c_str(), urls[0].c_str(), urls.size() > 1 ? " and others" : "");
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
                const EchoedContinuation e = vllm_echoed(answers[p.answer], r.context.count + span.count, cont);
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
