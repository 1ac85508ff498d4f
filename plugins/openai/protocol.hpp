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
//   POST /detokenize {model, tokens: [ids]} -> {prompt}       (an id beyond the vocabulary decodes to "", unrefused)
//   GET /version -> {version}; no vocabulary size anywhere: server_settings.hpp learns it from refused prompt ids.

#include <algorithm>
#include <cmath>
#include <cstdio>
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

// What a JSON value is, for messages: its text (cut short) and type.
[[nodiscard]] inline std::string describe(const Json& v) {
    std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 40) + "...";
    return text + " (" + v.type_name() + ")";
}

[[nodiscard]] inline const Json& field(const Json& j, std::string_view key, std::string_view where) {
    if (!j.is_object()) throw ProtocolError(std::string(where) + ": expected a JSON object, got " + describe(j));
    const auto it = j.find(key);
    if (it == j.end()) throw ProtocolError(std::string(where) + ": no \"" + std::string(key) + "\" field");
    return *it;
}

[[nodiscard]] inline const Json& array_field(const Json& j, std::string_view key, std::string_view where) {
    const Json& v = field(j, key, where);
    if (!v.is_array()) throw ProtocolError(std::string(where) + "." + std::string(key) + ": expected an array, got " + describe(v));
    return v;
}

// A token id as a server sends it: a whole number in 0..2^31-1 (1e12 or -1 are no ids; a wrapped cast would make one).
[[nodiscard]] inline Token token_id(const Json& v, std::string_view where) {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<Token>::max()))
        return static_cast<Token>(v.get<std::uint64_t>());
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= std::numeric_limits<Token>::max())
        return static_cast<Token>(v.get<std::int64_t>());
    throw ProtocolError(std::string(where) + ": a token id must be a whole number in 0.." + std::to_string(std::numeric_limits<Token>::max()) +
                        ", got " + describe(v));
}

[[nodiscard]] inline const std::string& string_value(const Json& v, std::string_view where) {
    if (!v.is_string()) throw ProtocolError(std::string(where) + ": expected a string, got " + describe(v));
    return v.get_ref<const std::string&>();
}

// An optional string field (absent: `otherwise`), which must be a string when present.
[[nodiscard]] inline std::string optional_string(const Json& j, std::string_view key, std::string_view otherwise, std::string_view where) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::string(otherwise);
    return string_value(*it, std::string(where) + "." + std::string(key));
}

[[nodiscard]] inline double logprob_value(const Json& v, std::string_view where) {
    if (v.is_number()) return v.get<double>();
    if (v.is_null()) return -std::numeric_limits<double>::infinity();  // a probability of 0 has no finite logarithm
    throw ProtocolError(std::string(where) + ": a log-probability must be a number, got " + describe(v));
}

// vLLM with return_tokens_as_token_ids names tokens "token_id:N".
[[nodiscard]] inline Token vllm_token(const Json& v, std::string_view where) {
    const std::string& text = string_value(v, where);
    constexpr std::string_view prefix = "token_id:";
    if (text.rfind(prefix, 0) != 0)
        throw ProtocolError(std::string(where) + ": token \"" + text + "\" is not \"token_id:N\" (is return_tokens_as_token_ids supported by this vLLM?)");
    const std::string digits = text.substr(prefix.size());
    if (digits.empty() || digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(digits) > std::numeric_limits<Token>::max())
        throw ProtocolError(std::string(where) + ": token \"" + text + "\" has no valid id (a whole number in 0.." +
                            std::to_string(std::numeric_limits<Token>::max()) + ")");
    return static_cast<Token>(std::stoll(digits));
}

// The bytes of a token: an array of values 0..255.
[[nodiscard]] inline std::string byte_values(const Json& array, std::string_view where) {
    if (!array.is_array()) throw ProtocolError(std::string(where) + ": expected an array of byte values, got " + describe(array));
    std::string out;
    for (const Json& b : array) {
        if (!b.is_number_integer() || b.get<std::int64_t>() < 0 || b.get<std::int64_t>() > 255)
            throw ProtocolError(std::string(where) + ": a byte value must be a whole number in 0..255, got " + describe(b));
        out.push_back(static_cast<char>(b.get<int>()));
    }
    return out;
}

[[nodiscard]] inline std::string bytes_of(const Json& entry, std::string_view where) {
    if (const auto it = entry.find("bytes"); it != entry.end() && !it->is_null()) return byte_values(*it, std::string(where) + ".bytes");
    return {};
}

// A top list names each token once: a token twice would be scored by whichever entry was read.
inline void require_distinct(const std::vector<std::pair<Token, double>>& top, std::string_view where) {
    std::vector<Token> ids;
    for (const auto& entry : top) ids.push_back(entry.first);
    std::sort(ids.begin(), ids.end());
    if (const auto twice = std::adjacent_find(ids.begin(), ids.end()); twice != ids.end())
        throw ProtocolError(std::string(where) + ": token " + std::to_string(*twice) + " is listed twice");
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
    constexpr std::string_view where = "llama-server /completion completion_probabilities";
    NextToken out;
    out.chosen = detail::token_id(detail::field(p, "id", where), "llama-server /completion completion_probabilities.id");
    pieces(out.chosen, detail::bytes_of(p, where));
    for (const Json& t : detail::array_field(p, "top_logprobs", where)) {
        const Token id = detail::token_id(detail::field(t, "id", "llama-server /completion top_logprobs"), "llama-server /completion top_logprobs.id");
        out.top.emplace_back(id, detail::logprob_value(detail::field(t, "logprob", "llama-server /completion top_logprobs"),
                                                       "llama-server /completion top_logprobs.logprob"));
        pieces(id, detail::bytes_of(t, "llama-server /completion top_logprobs"));
    }
    detail::require_distinct(out.top, "llama-server /completion top_logprobs");
    return out;
}

[[nodiscard]] inline Completion llama_completion(const Json& response) {
    Completion out;
    for (const Json& t : detail::array_field(response, "tokens", "llama-server /completion")) out.tokens.push_back(detail::token_id(t, "llama-server /completion tokens"));
    out.pieces.resize(out.tokens.size());
    if (const auto it = response.find("completion_probabilities"); it != response.end() && it->is_array())
        for (std::size_t i = 0; i < it->size() && i < out.pieces.size(); ++i) {
            const Json& p = (*it)[i];
            if (p.is_object() && p.contains("id") && detail::token_id(p["id"], "llama-server /completion completion_probabilities.id") == out.tokens[i])
                out.pieces[i] = detail::bytes_of(p, "llama-server /completion completion_probabilities");
        }
    const std::string stop = detail::optional_string(response, "stop_type", "limit", "llama-server /completion");
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
    for (const Json& t : detail::array_field(response, "tokens", "llama-server /tokenize")) {
        if (t.is_number()) {  // a server that ignored with_pieces
            out.push_back(detail::token_id(t, "llama-server /tokenize tokens"));
            continue;
        }
        const Token id = detail::token_id(detail::field(t, "id", "llama-server /tokenize tokens"), "llama-server /tokenize tokens.id");
        const Json& piece = detail::field(t, "piece", "llama-server /tokenize tokens");
        const std::string bytes = piece.is_string() ? piece.get<std::string>() : detail::byte_values(piece, "llama-server /tokenize tokens.piece");
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
    out.chosen = detail::vllm_token(tokens[at], "vLLM /v1/completions logprobs.tokens");
    if (top[at].is_object())
        for (const auto& [key, value] : top[at].items())
            out.top.emplace_back(detail::vllm_token(key, "vLLM /v1/completions top_logprobs"), detail::logprob_value(value, "vLLM /v1/completions top_logprobs"));
    detail::require_distinct(out.top, "vLLM /v1/completions top_logprobs");
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
        const Token seen = detail::vllm_token(tokens[at], "vLLM /v1/completions logprobs.tokens");
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
    for (const Json& t : detail::array_field(lp, "tokens", "vLLM /v1/completions logprobs")) out.tokens.push_back(detail::vllm_token(t, "vLLM /v1/completions logprobs.tokens"));
    out.pieces.resize(out.tokens.size());
    out.complete = detail::optional_string(choices.front(), "finish_reason", "length", "vLLM /v1/completions choices[0]") != "length";
    return out;
}

[[nodiscard]] inline Json vllm_tokenize_body(const std::string& model, std::string_view text, bool add_special) {
    return {{"model", model}, {"prompt", std::string(text)}, {"add_special_tokens", add_special}};
}

[[nodiscard]] inline std::vector<Token> vllm_tokens(const Json& response) {
    std::vector<Token> out;
    for (const Json& t : detail::array_field(response, "tokens", "vLLM /tokenize")) out.push_back(detail::token_id(t, "vLLM /tokenize tokens"));
    return out;
}

// ---- telling them apart -------------------------------------------------------------------------------------------

// From GET /props (llama-server answers; vLLM has no such route: `props` is null) and GET /v1/models.
[[nodiscard]] inline std::optional<ServerKind> server_kind(const Json& props, const Json& models) {
    if (props.is_object() && (props.contains("default_generation_settings") || props.contains("total_slots"))) return ServerKind::llama_server;
    if (models.is_object())
        if (const auto data = models.find("data"); data != models.end() && data->is_array() && !data->empty() &&
                                                  data->front().is_object() &&
                                                  detail::optional_string(data->front(), "owned_by", "", "GET /v1/models data[0]") == "vllm")
            return ServerKind::vllm;
    return std::nullopt;
}

// ---- what a server computes ---------------------------------------------------------------------------------------

// A fixed probe asked of every server at open: its tokens and next-token top list identify the tokenizer and weights
// by what they compute, whatever path or name the server reports. Text in three scripts, so that a tokenizer change
// anywhere shows.
inline constexpr std::string_view probe_text = "The capital of France is Paris. 東京は日本の首都です。 عاصمة مصر هي القاهرة. Die Hauptstadt von Italien ist";
inline constexpr int probe_top = 20;  // vLLM's default --max-logprobs

struct Fingerprint {
    std::uint64_t prompt_digest = 0;              // of the probe's token ids
    std::vector<Token> next;                      // the most likely next tokens, in id order
    std::vector<std::pair<Token, double>> top;    // the top list they were read from, best first
    Token largest_probe_token = -1;               // the probe's largest id: one the server's tokenizer has

    // For run.json: the digest and the token set, not the log-probabilities, which move in their last digits from run
    // to run; those are compared between the servers of one run (same_numbers).
    [[nodiscard]] Json to_json() const {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(prompt_digest));
        return {{"probe_tokens", hex}, {"next_tokens", next}};
    }
};

// The probe's most likely next tokens as a set, cut at the widest gap between consecutive log-probabilities among
// ranks 4..K: noise in the last digits cannot move a token across a wide gap, so the set is the same on every run of
// the same weights, while other weights give another set.
[[nodiscard]] inline Fingerprint fingerprint(const std::vector<Token>& probe, const NextToken& next) {
    Fingerprint f;
    f.prompt_digest = 14695981039346656037ull;  // FNV-1a over the ids' bytes
    for (const Token id : probe) {
        f.largest_probe_token = std::max(f.largest_probe_token, id);
        for (int shift = 0; shift < 32; shift += 8) f.prompt_digest = (f.prompt_digest ^ ((static_cast<std::uint32_t>(id) >> shift) & 0xff)) * 1099511628211ull;
    }
    f.top = next.top;
    std::stable_sort(f.top.begin(), f.top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::size_t cut = f.top.size();
    double widest = -1;
    for (std::size_t rank = 4; rank < f.top.size(); ++rank)
        if (const double gap = f.top[rank - 1].second - f.top[rank].second; gap > widest) {
            widest = gap;
            cut = rank;
        }
    for (std::size_t i = 0; i < cut; ++i) f.next.push_back(f.top[i].first);
    std::sort(f.next.begin(), f.next.end());
    return f;
}

// The largest difference between two servers' log-probabilities of the tokens both list in their top (0 when none).
[[nodiscard]] inline double largest_difference(const Fingerprint& a, const Fingerprint& b) {
    double worst = 0;
    for (const auto& [id, lp] : a.top)
        for (const auto& [other_id, other_lp] : b.top)
            if (id == other_id && std::isfinite(lp) && std::isfinite(other_lp)) worst = std::max(worst, std::abs(lp - other_lp));
    return worst;
}

}  // namespace clika::openai
