#pragma once
// What the engine asks of a backend, and what it gets back, on the C++ side of the plugin boundary.

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clika {

using Token = std::int32_t;
using Tokens = std::vector<Token>;

[[nodiscard]] inline std::size_t common_prefix_length(std::span<const Token> a, std::span<const Token> b) {
    return static_cast<std::size_t>(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}

// One question: its context, the continuations to score and/or next-token ids (single-token letter continuations).
struct ScoreRequest {
    Tokens context;
    std::size_t shared_prefix = 0;  // leading context tokens identical across the requests of one score() call
    std::vector<Tokens> continuations;
    Tokens next_ids;
    std::string label;  // what the request asks, for messages ("x_csqa en question \"17\""); empty: its position in the call
};

struct OptionScores {
    std::vector<double> logprob;     // per continuation: sum of token log-probabilities
    std::vector<int> n_tokens;       // per continuation
    std::vector<bool> all_greedy;    // per continuation: every token was the argmax
    std::vector<double> next_logprob;  // per next id
    std::vector<bool> next_bounded;    // per next id: next_logprob is an upper bound (outside a server's top K)
    Token greedy_next = -1;            // argmax after the context
};

struct ScoreOptions {
    bool share_prefix = true;  // false: the reference path (no reuse, one sequence at a time)
};

// Work counters a backend accumulates, for `clika bench` and progress lines.
struct ScoreStats {
    std::uint64_t tokens_evaluated = 0;
    std::uint64_t prefix_reuses = 0;
    std::uint64_t requests_sent = 0;  // server plugins: HTTP requests, and retries among them
    std::uint64_t retries = 0;
};

struct ModelInfo {
    int n_vocab = 0;
    int n_ctx_train = 0;
    int n_ctx = 0;
    Token bos = -1;
    Token eos = -1;
    bool adds_bos = false;
    std::string description;
    int max_pass_tokens = 512;    // a request's own tokens per backend pass
    int max_pass_sequences = 64;  // sequences per pass
    bool supports_lora = false;
    bool supports_generation = false;  // incremental greedy decoding (generate_begin/step/end)
    std::string identity;  // JSON object naming a server's weights (clika_model_info.identity); empty for file models
};

// What the engine needs from a model. The C-ABI plugin adapter satisfies it; so can an in-process backend.
template <class B>
concept Backend = requires(B& backend, std::string_view text, Token token, std::span<const ScoreRequest> requests,
                           const ScoreOptions& options, ScoreStats& stats) {
    { backend.tokenize(text, true) } -> std::same_as<Tokens>;
    { backend.piece(token) } -> std::convertible_to<std::string>;
    { backend.score(requests, options, stats) } -> std::same_as<std::vector<OptionScores>>;
    { backend.info() } -> std::convertible_to<ModelInfo>;
};

}  // namespace clika
