#pragma once
// Turning texts into score requests, written once for every caller (the multiple-choice engine, greedy generation,
// the fictional choices): the shared-prefix rule, lm-evaluation-harness's continuation split, and packing many
// continuations of one context into requests that fit the backend's pass.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/request.hpp"

namespace clika {

// The shared-prefix rule (plugin_abi.h: `shared_prefix`): the longest token prefix common to every sequence, leaving
// each at least one token of its own — the row a next-token distribution is read from, or a continuation's last token.
[[nodiscard]] inline std::size_t shared_prefix_length(std::span<const Tokens> sequences) {
    if (sequences.empty()) return 0;
    std::size_t shared = sequences.front().size();
    for (const Tokens& s : sequences) {
        if (s.empty()) return 0;
        shared = std::min({shared, common_prefix_length(sequences.front(), s), s.size() - 1});
    }
    return shared;
}

// Sets every request's shared_prefix by that rule over their contexts.
inline void set_shared_prefix(std::span<ScoreRequest> requests) {
    std::vector<Tokens> contexts;
    contexts.reserve(requests.size());
    for (const ScoreRequest& r : requests) contexts.push_back(r.context);
    const std::size_t shared = shared_prefix_length(contexts);
    for (ScoreRequest& r : requests) r.shared_prefix = shared;
}

// lm-evaluation-harness's split: encode prompt and prompt + continuation, keep what follows the prompt's tokens; when
// the whole does not start with them (a merge across the boundary), the continuation is encoded alone.
template <class B>
[[nodiscard]] Tokens continuation_tokens(B& backend, const std::string& prompt, const Tokens& prompt_tokens, const std::string& continuation) {
    Tokens whole = backend.tokenize(prompt + continuation, true);
    if (whole.size() > prompt_tokens.size() && std::equal(prompt_tokens.begin(), prompt_tokens.end(), whole.begin()))
        return Tokens(whole.begin() + static_cast<std::ptrdiff_t>(prompt_tokens.size()), whole.end());
    Tokens alone = backend.tokenize(continuation, false);
    if (alone.empty()) throw Error(ErrorKind::backend, {}, fmt::format("\"{}\" tokenizes to nothing", continuation));
    return alone;
}

// A choice between continuations of one context: the tokens they all start with join the context (keeping one own
// token each). Their log-likelihoods then differ from the whole continuations' by the same constant, the
// log-probability of the shared start, so the choice is the same, for a fraction of the tokens.
struct Choice {
    Tokens context;
    std::vector<Tokens> continuations;
};

[[nodiscard]] inline Choice fold_common_start(Tokens context, std::vector<Tokens> continuations) {
    Choice out{std::move(context), std::move(continuations)};
    const std::size_t shared = shared_prefix_length(out.continuations);
    if (shared == 0) return out;
    const Tokens& first = out.continuations.front();
    out.context.insert(out.context.end(), first.begin(), first.begin() + static_cast<std::ptrdiff_t>(shared));
    for (Tokens& c : out.continuations) c.erase(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(shared));
    return out;
}

// Requests for many contexts with many continuations each, all sharing the contexts' common prefix. A context's
// continuations are spread over several requests when together they exceed `pass_tokens` (the tokens one backend pass
// takes); `origin[k]` says which context request k belongs to and the index of its first continuation.
struct PackedRequests {
    std::vector<ScoreRequest> requests;
    std::vector<std::pair<std::size_t, std::size_t>> origin;
};

[[nodiscard]] inline PackedRequests pack_continuations(std::span<const Tokens> contexts, std::span<const std::vector<Tokens>> continuations,
                                                       std::size_t pass_tokens) {
    PackedRequests out;
    const std::size_t shared = shared_prefix_length(contexts);
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        const std::size_t own = contexts[i].size() - shared;
        std::size_t j = 0;
        while (j < continuations[i].size()) {
            ScoreRequest r;
            r.context = contexts[i];
            r.shared_prefix = shared;
            std::size_t used = own;
            const std::size_t first = j;
            while (j < continuations[i].size() && (r.continuations.empty() || used + continuations[i][j].size() <= pass_tokens)) {
                used += continuations[i][j].size();
                r.continuations.push_back(continuations[i][j++]);
            }
            out.requests.push_back(std::move(r));
            out.origin.emplace_back(i, first);
        }
    }
    return out;
}

}  // namespace clika
