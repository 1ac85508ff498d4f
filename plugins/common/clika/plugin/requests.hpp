#pragma once
// The checks every plugin makes of the requests it is handed, written once: arrays present, contexts and
// continuations non-empty, every token id inside the vocabulary, every sequence within the context size. (The
// shared-prefix rule is the host's to keep: PluginBackend checks it before the call.) Throws std::runtime_error naming
// the request; a plugin's guarded() turns that into its last error. Plugin-specific limits (tokens per pass) stay with
// the plugin.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "clika/plugin_abi.h"

namespace clika::plugin {

struct RequestLimits {
    std::int32_t n_vocab = 0;
    std::size_t n_ctx = 0;            // tokens one sequence (context + continuation) may hold
    bool empty_context_allowed = false;  // a plugin that predicts the first token from BOS by itself
};

inline void check_token_ids(const clika_token_span& span, std::int32_t n_vocab, std::size_t request, const char* what) {
    if (span.count > 0 && span.tokens == nullptr) throw std::runtime_error("request " + std::to_string(request) + ": NULL " + what + " tokens");
    for (std::size_t k = 0; k < span.count; ++k)
        if (span.tokens[k] < 0 || span.tokens[k] >= n_vocab)
            throw std::runtime_error("request " + std::to_string(request) + ": " + what + " token id " + std::to_string(span.tokens[k]) +
                                     " is outside the vocabulary (0.." + std::to_string(n_vocab - 1) + ")");
}

inline void validate_requests(const clika_score_request* requests, const clika_score_result* results, std::size_t count,
                              const RequestLimits& limits) {
    if (count > 0 && (requests == nullptr || results == nullptr)) throw std::runtime_error("NULL requests or results");
    for (std::size_t i = 0; i < count; ++i) {
        const clika_score_request& r = requests[i];
        const clika_score_result& out = results[i];
        const std::string where = "request " + std::to_string(i);
        if (r.context.count == 0 && !limits.empty_context_allowed) throw std::runtime_error(where + " has an empty context");
        check_token_ids(r.context, limits.n_vocab, i, "context");
        if (r.n_continuations > 0 && (r.continuations == nullptr || out.continuation_logprob == nullptr || out.continuation_greedy == nullptr))
            throw std::runtime_error(where + ": NULL continuation arrays");
        if (r.n_next_ids > 0 && (r.next_ids == nullptr || out.next_logprob == nullptr)) throw std::runtime_error(where + ": NULL next-token arrays");
        std::size_t longest = r.context.count;
        for (std::size_t j = 0; j < r.n_continuations; ++j) {
            if (r.continuations[j].count == 0) throw std::runtime_error(where + ": continuation " + std::to_string(j) + " is empty");
            check_token_ids(r.continuations[j], limits.n_vocab, i, "continuation");
            longest = std::max(longest, r.context.count + r.continuations[j].count);
        }
        check_token_ids({r.next_ids, r.n_next_ids}, limits.n_vocab, i, "next");
        if (longest > limits.n_ctx)
            throw std::runtime_error(where + ": " + std::to_string(longest) + " tokens are longer than the context (" +
                                     std::to_string(limits.n_ctx) + " tokens; raise --ctx)");
    }
}

}  // namespace clika::plugin
