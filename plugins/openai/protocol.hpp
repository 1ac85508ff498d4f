#pragma once
// What the openai plugin says to each kind of server and how it reads the answers: request bodies and response parsing
// only, no I/O, so that the formats are unit-tested (tests/openai/test_protocol.cpp) on responses as the servers'
// sources and documentation give them.
//
// llama-server (tools/server of the llama.cpp the build fetches):
//   POST /completion {prompt: [ids], n_predict, temperature: 0, n_probs: K, return_tokens, cache_prompt}
//     -> {tokens: [ids], stop_type, completion_probabilities: [{id, bytes, logprob, top_logprobs: [{id, bytes, logprob}]}]}
//     the log-probabilities are of the full softmax before sampling (post_sampling_probs false).
//   POST /tokenize {content, add_special, parse_special: false, with_pieces: true} -> {tokens: [{id, piece}]}
//     piece is a string, or an array of byte values when the piece is not valid UTF-8.
//   No prompt log-probabilities: /v1/completions answers echo with "Only no echo is supported".
// vLLM (OpenAI-compatible server, vllm/entrypoints/openai):
//   POST /v1/completions {model, prompt: [ids], max_tokens, temperature: 0, logprobs: K, echo, return_tokens_as_token_ids}
//     -> {choices: [{text, finish_reason, logprobs: {tokens: ["token_id:N"], token_logprobs: [lp|null],
//                                                    top_logprobs: [null | {"token_id:N": lp}]}}]}
//   POST /tokenize {model, prompt, add_special_tokens} -> {tokens: [ids], max_model_len}
//   POST /detokenize {model, tokens: [ids]} -> {prompt}

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace clika::openai {

using Json = nlohmann::json;
using Token = std::int32_t;

enum class ServerKind { llama_server, vllm };

[[nodiscard]] inline std::string_view name(ServerKind kind) noexcept { return kind == ServerKind::llama_server ? "llama-server" : "vllm"; }

struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The log-probabilities a server returned for one next-token position.
struct NextToken {
    Token chosen = -1;                             // the greedy (temperature 0) token
    std::vector<std::pair<Token, double>> top;     // the top K, best first
};

// Log-probability of `id` at this position: exact when it is in the top K, else the K-th value as an upper bound.
struct Bounded {
    double logprob = 0;
    bool bounded = false;
};

[[nodiscard]] inline Bounded logprob_of(const NextToken& n, Token id) {
    for (const auto& [t, lp] : n.top)
        if (t == id) return {lp, false};
    if (n.top.empty()) throw ProtocolError("the server returned no top log-probabilities");
    double lowest = n.top.front().second;
    for (const auto& entry : n.top) lowest = std::min(lowest, entry.second);
    return {lowest, true};
}

// A generated continuation: the tokens and whether the server stopped at end-of-generation.
struct Completion {
    std::vector<Token> tokens;
    std::vector<std::string> pieces;  // per token, its bytes when the server sent them (else empty)
    bool complete = false;            // stopped by itself (end of generation, stop word), not by the length limit
};

namespace detail {

[[nodiscard]] inline const Json& field(const Json& j, std::string_view key, std::string_view where) {
    if (!j.is_object()) throw ProtocolError(std::string(where) + ": expected a JSON object, got " + j.type_name());
    const auto it = j.find(key);
    if (it == j.end()) throw ProtocolError(std::string(where) + ": no \"" + std::string(key) + "\" field");
    return *it;
}

[[nodiscard]] inline double logprob_value(const Json& v, std::string_view where) {
    if (v.is_number()) return v.get<double>();
    if (v.is_null()) return -std::numeric_limits<double>::infinity();  // a probability of 0 has no finite logarithm
    throw ProtocolError(std::string(where) + ": a log-probability is " + v.type_name());
}

// vLLM with return_tokens_as_token_ids names tokens "token_id:N".
[[nodiscard]] inline Token vllm_token(const std::string& text, std::string_view where) {
    constexpr std::string_view prefix = "token_id:";
    if (text.rfind(prefix, 0) != 0)
        throw ProtocolError(std::string(where) + ": token \"" + text + "\" is not \"token_id:N\" (is return_tokens_as_token_ids supported by this vLLM?)");
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text.substr(prefix.size()), &used);
        if (used + prefix.size() != text.size() || v < 0 || v > std::numeric_limits<Token>::max()) throw std::out_of_range("");
        return static_cast<Token>(v);
    } catch (const std::exception&) {
        throw ProtocolError(std::string(where) + ": token \"" + text + "\" has no valid id");
    }
}

[[nodiscard]] inline std::string bytes_of(const Json& entry) {
    std::string out;
    if (const auto it = entry.find("bytes"); it != entry.end() && it->is_array())
        for (const Json& b : *it) out.push_back(static_cast<char>(b.get<int>()));
    return out;
}

}  // namespace detail

// ---- llama-server -------------------------------------------------------------------------------------------------

[[nodiscard]] inline Json llama_completion_body(const std::vector<Token>& prompt, int n_predict, int n_probs, bool cache_prompt) {
    return {{"prompt", prompt},
            {"n_predict", n_predict},
            {"temperature", 0.0},
            {"n_probs", n_probs},
            {"post_sampling_probs", false},
            {"return_tokens", true},
            {"cache_prompt", cache_prompt},
            {"stream", false}};
}

// The next-token log-probabilities of a /completion with n_predict 1 (or position `at` of a longer one). Pieces of the
// tokens seen are added to `pieces` (id -> bytes) when the server sent them.
template <class PieceSink>
[[nodiscard]] NextToken llama_next_token(const Json& response, std::size_t at, PieceSink&& pieces) {
    const Json& probs = detail::field(response, "completion_probabilities", "llama-server /completion");
    if (!probs.is_array() || probs.size() <= at)
        throw ProtocolError("llama-server /completion: completion_probabilities has no entry " + std::to_string(at) +
                            " (was n_probs ignored?)");
    const Json& p = probs[at];
    NextToken out;
    out.chosen = detail::field(p, "id", "llama-server completion_probabilities").get<Token>();
    pieces(out.chosen, detail::bytes_of(p));
    for (const Json& t : detail::field(p, "top_logprobs", "llama-server completion_probabilities")) {
        const Token id = detail::field(t, "id", "llama-server top_logprobs").get<Token>();
        out.top.emplace_back(id, detail::logprob_value(detail::field(t, "logprob", "llama-server top_logprobs"), "llama-server top_logprobs"));
        pieces(id, detail::bytes_of(t));
    }
    return out;
}

[[nodiscard]] inline Completion llama_completion(const Json& response) {
    Completion out;
    const Json& tokens = detail::field(response, "tokens", "llama-server /completion");
    for (const Json& t : tokens) out.tokens.push_back(t.get<Token>());
    out.pieces.resize(out.tokens.size());
    if (const auto it = response.find("completion_probabilities"); it != response.end() && it->is_array())
        for (std::size_t i = 0; i < it->size() && i < out.pieces.size(); ++i)
            if ((*it)[i].value("id", -1) == out.tokens[i]) out.pieces[i] = detail::bytes_of((*it)[i]);
    const std::string stop = response.value("stop_type", std::string("limit"));
    out.complete = stop == "eos" || stop == "word";
    return out;
}

[[nodiscard]] inline Json llama_tokenize_body(std::string_view text, bool add_special) {
    return {{"content", std::string(text)}, {"add_special", add_special}, {"parse_special", false}, {"with_pieces", true}};
}

// /tokenize with pieces: the ids, and each one's bytes into `pieces`.
template <class PieceSink>
[[nodiscard]] std::vector<Token> llama_tokens(const Json& response, PieceSink&& pieces) {
    std::vector<Token> out;
    for (const Json& t : detail::field(response, "tokens", "llama-server /tokenize")) {
        if (t.is_number_integer()) {  // a server that ignored with_pieces
            out.push_back(t.get<Token>());
            continue;
        }
        const Token id = detail::field(t, "id", "llama-server /tokenize").get<Token>();
        const Json& piece = detail::field(t, "piece", "llama-server /tokenize");
        std::string bytes;
        if (piece.is_string()) bytes = piece.get<std::string>();
        else
            for (const Json& b : piece) bytes.push_back(static_cast<char>(b.get<int>()));
        pieces(id, bytes);
        out.push_back(id);
    }
    return out;
}

// ---- vLLM ---------------------------------------------------------------------------------------------------------

[[nodiscard]] inline Json vllm_completion_body(const std::string& model, const std::vector<Token>& prompt, int max_tokens, int logprobs, bool echo) {
    return {{"model", model},        {"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0.0},
            {"logprobs", logprobs},  {"echo", echo},     {"return_tokens_as_token_ids", true}};
}

[[nodiscard]] inline const Json& vllm_logprobs(const Json& response) {
    const Json& choices = detail::field(response, "choices", "vLLM /v1/completions");
    if (!choices.is_array() || choices.empty()) throw ProtocolError("vLLM /v1/completions: no choices");
    const Json& lp = detail::field(choices.front(), "logprobs", "vLLM /v1/completions choice");
    if (lp.is_null()) throw ProtocolError("vLLM /v1/completions: logprobs is null (was logprobs ignored?)");
    return lp;
}

[[nodiscard]] inline NextToken vllm_top(const Json& tokens, const Json& top, std::size_t at) {
    if (!tokens.is_array() || tokens.size() <= at || !top.is_array() || top.size() <= at)
        throw ProtocolError("vLLM /v1/completions: logprobs has no position " + std::to_string(at));
    NextToken out;
    out.chosen = detail::vllm_token(tokens[at].get<std::string>(), "vLLM logprobs.tokens");
    if (top[at].is_object())
        for (const auto& [key, value] : top[at].items())
            out.top.emplace_back(detail::vllm_token(key, "vLLM top_logprobs"), detail::logprob_value(value, "vLLM top_logprobs"));
    std::stable_sort(out.top.begin(), out.top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

// The first generated token's top-K of a max_tokens 1 request without echo.
[[nodiscard]] inline NextToken vllm_next_token(const Json& response) {
    const Json& lp = vllm_logprobs(response);
    return vllm_top(detail::field(lp, "tokens", "vLLM logprobs"), detail::field(lp, "top_logprobs", "vLLM logprobs"), 0);
}

// An echoed prompt's continuation: log p of each of `continuation`'s tokens, the last continuation.size() prompt
// positions before the one generated token; every token must be the one asked for. greedy: each was the top token.
struct EchoedContinuation {
    double logprob = 0;
    bool greedy = true;
};

[[nodiscard]] inline EchoedContinuation vllm_echoed(const Json& response, std::size_t prompt_length, const std::vector<Token>& continuation) {
    const Json& lp = vllm_logprobs(response);
    const Json& tokens = detail::field(lp, "tokens", "vLLM logprobs");
    const Json& values = detail::field(lp, "token_logprobs", "vLLM logprobs");
    const Json& top = detail::field(lp, "top_logprobs", "vLLM logprobs");
    if (!tokens.is_array() || tokens.size() < prompt_length || !values.is_array() || values.size() < prompt_length)
        throw ProtocolError("vLLM /v1/completions: the echoed prompt has " + std::to_string(tokens.is_array() ? tokens.size() : 0) +
                            " tokens, fewer than the " + std::to_string(prompt_length) + " sent (was echo ignored?)");
    EchoedContinuation out;
    const std::size_t first = prompt_length - continuation.size();
    for (std::size_t j = 0; j < continuation.size(); ++j) {
        const std::size_t at = first + j;
        const Token seen = detail::vllm_token(tokens[at].get<std::string>(), "vLLM logprobs.tokens");
        if (seen != continuation[j])
            throw ProtocolError("vLLM echoed token " + std::to_string(seen) + " at prompt position " + std::to_string(at) + " where token " +
                                std::to_string(continuation[j]) + " was sent: the server's tokens are not the ones clika planned");
        const double value = detail::logprob_value(values[at], "vLLM token_logprobs");
        out.logprob += value;
        if (top.is_array() && at < top.size() && top[at].is_object())
            for (const auto& [key, other] : top[at].items())
                if (detail::logprob_value(other, "vLLM top_logprobs") > value) out.greedy = false;
    }
    return out;
}

[[nodiscard]] inline Completion vllm_completion(const Json& response) {
    Completion out;
    const Json& choices = detail::field(response, "choices", "vLLM /v1/completions");
    if (!choices.is_array() || choices.empty()) throw ProtocolError("vLLM /v1/completions: no choices");
    const Json& lp = vllm_logprobs(response);
    for (const Json& t : detail::field(lp, "tokens", "vLLM logprobs")) out.tokens.push_back(detail::vllm_token(t.get<std::string>(), "vLLM logprobs.tokens"));
    out.pieces.resize(out.tokens.size());
    out.complete = choices.front().value("finish_reason", std::string("length")) != "length";
    return out;
}

[[nodiscard]] inline Json vllm_tokenize_body(const std::string& model, std::string_view text, bool add_special) {
    return {{"model", model}, {"prompt", std::string(text)}, {"add_special_tokens", add_special}};
}

[[nodiscard]] inline std::vector<Token> vllm_tokens(const Json& response) {
    std::vector<Token> out;
    for (const Json& t : detail::field(response, "tokens", "vLLM /tokenize")) out.push_back(t.get<Token>());
    return out;
}

// ---- telling them apart -------------------------------------------------------------------------------------------

// From GET /props (llama-server answers; vLLM has no such route: `props` is null) and GET /v1/models.
[[nodiscard]] inline std::optional<ServerKind> server_kind(const Json& props, const Json& models) {
    if (props.is_object() && (props.contains("default_generation_settings") || props.contains("total_slots"))) return ServerKind::llama_server;
    if (models.is_object())
        if (const auto data = models.find("data"); data != models.end() && data->is_array() && !data->empty() &&
                                                  data->front().value("owned_by", std::string()) == "vllm")
            return ServerKind::vllm;
    return std::nullopt;
}

}  // namespace clika::openai
