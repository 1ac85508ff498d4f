#pragma once
// Greedy generation on any Backend: each step is one score() call over every unfinished prompt (context = prompt +
// tokens so far), appending the backend's greedy_next. Backends score from a cleared state each call, so the result
// of a prompt does not depend on the other prompts of the batch.

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "clika/eval/planner.hpp"
#include "clika/request.hpp"
#include "clika/utf8.hpp"

namespace clika {

struct GenerationSettings {
    std::size_t max_new_tokens = 48;
    bool stop_at_newline = true;  // stop at a line break that follows some non-blank text
};

struct Generated {
    Tokens tokens;
    std::string text;
    bool ended = false;  // the model produced end-of-sequence
};

template <Backend B>
[[nodiscard]] std::vector<Generated> greedy_generate(B& backend, std::span<const Tokens> prompts, const GenerationSettings& settings,
                                                     const ScoreOptions& options, ScoreStats& stats) {
    const ModelInfo info = backend.info();
    std::vector<Generated> out(prompts.size());
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < prompts.size(); ++i)
        if (settings.max_new_tokens > 0 && !prompts[i].empty()) active.push_back(i);
    while (!active.empty()) {
        std::vector<ScoreRequest> requests(active.size());
        for (std::size_t k = 0; k < active.size(); ++k) {
            requests[k].context = prompts[active[k]];
            requests[k].context.insert(requests[k].context.end(), out[active[k]].tokens.begin(), out[active[k]].tokens.end());
        }
        set_shared_prefix(requests);
        const std::vector<OptionScores> scores = backend.score(requests, options, stats);
        std::vector<std::size_t> still;
        for (std::size_t k = 0; k < active.size(); ++k) {
            Generated& g = out[active[k]];
            const Token next = scores[k].greedy_next;
            if (next < 0 || next == info.eos) {
                g.ended = next == info.eos;
                continue;
            }
            g.tokens.push_back(next);
            g.text += backend.piece(next);
            bool done = g.tokens.size() >= settings.max_new_tokens;
            if (settings.stop_at_newline) {
                const std::string_view text = strip_leading_space(g.text);
                done = done || text.find('\n') != std::string_view::npos;
            }
            if (info.n_ctx > 0 && requests[k].context.size() + 2 > static_cast<std::size_t>(info.n_ctx)) done = true;
            if (!done) still.push_back(active[k]);
        }
        active = std::move(still);
    }
    return out;
}

}  // namespace clika
