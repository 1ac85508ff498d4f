#pragma once
// Greedy generation on any Backend. A backend that keeps sequence state (info().supports_generation: the plugin ABI's
// generate_begin/step/end) is asked once per new token of each sequence: linear in the answer length. Any other
// backend re-scores prompt + tokens so far at every step (one score() call per step over every unfinished prompt).
// Either way backends start from a cleared state, so a prompt's result does not depend on the other prompts.
#include <algorithm>
#include <concepts>
#include <cstddef>
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
    std::vector<std::string> stop;  // stop once the text holds one of these (lm-eval's `until`; the text is not cut)
};

struct Generated {
    Tokens tokens;
    std::string text;
    bool ended = false;  // the model produced end-of-sequence
};

// The incremental interface PluginBackend offers when its plugin supports generation.
template <class B>
concept IncrementalGenerator = requires(B& b, std::span<const Tokens> prompts, std::span<const Token> appended, const ScoreOptions& o,
                                        ScoreStats& stats) {
    { b.generate_begin(prompts, std::size_t{0}, o, stats) } -> std::same_as<Tokens>;
    { b.generate_step(appended, o, stats) } -> std::same_as<Tokens>;
    b.generate_end();
};

namespace detail {

// Takes one greedy token into `g`; returns whether the sequence goes on. `context_tokens`: prompt + tokens before it.
template <class B>
bool accept_token(B& backend, Generated& g, Token next, std::size_t context_tokens, const ModelInfo& info, const GenerationSettings& settings) {
    if (next < 0 || next == info.eos) {
        g.ended = next == info.eos;
        return false;
    }
    g.tokens.push_back(next);
    g.text += backend.piece(next);
    bool done = g.tokens.size() >= settings.max_new_tokens;
    if (settings.stop_at_newline) done = done || strip_leading_space(g.text).find('\n') != std::string_view::npos;
    for (const std::string& s : settings.stop) done = done || (!s.empty() && g.text.find(s) != std::string::npos);
    if (info.n_ctx > 0 && context_tokens + 2 > static_cast<std::size_t>(info.n_ctx)) done = true;
    return !done;
}

template <Backend B>
void generate_by_rescoring(B& backend, std::span<const Tokens> prompts, std::span<const std::size_t> todo, std::span<Generated> out,
                           const GenerationSettings& settings, const ScoreOptions& options, ScoreStats& stats) {
    const ModelInfo info = backend.info();
    std::vector<std::size_t> active(todo.begin(), todo.end());
    while (!active.empty()) {
        std::vector<ScoreRequest> requests(active.size());
        for (std::size_t k = 0; k < active.size(); ++k) {
            requests[k].context = prompts[active[k]];
            requests[k].context.insert(requests[k].context.end(), out[active[k]].tokens.begin(), out[active[k]].tokens.end());
        }
        set_shared_prefix(requests);
        const std::vector<OptionScores> scores = backend.score(requests, options, stats);
        std::vector<std::size_t> still;
        for (std::size_t k = 0; k < active.size(); ++k)
            if (accept_token(backend, out[active[k]], scores[k].greedy_next, requests[k].context.size(), info, settings)) still.push_back(active[k]);
        active = std::move(still);
    }
}

// Prompts go in groups that the backend can hold at once: at most max_pass_sequences, and every sequence's own tokens
// plus its new ones within the KV capacity.
template <class B>
void generate_incrementally(B& backend, std::span<const Tokens> prompts, std::span<const std::size_t> todo, std::span<Generated> out,
                            const GenerationSettings& settings, const ScoreOptions& options, ScoreStats& stats) {
    const ModelInfo info = backend.info();
    std::size_t first = 0;
    while (first < todo.size()) {
        std::size_t end = first + 1;
        std::vector<Tokens> group{prompts[todo[first]]};
        auto fits = [&] {
            const std::size_t shared = shared_prefix_length(group);
            std::size_t cells = shared;
            for (const Tokens& p : group) cells += p.size() - shared + settings.max_new_tokens;
            return group.size() <= static_cast<std::size_t>(info.max_pass_sequences) &&
                   (info.n_ctx <= 0 || cells <= static_cast<std::size_t>(info.n_ctx));
        };
        while (end < todo.size()) {
            group.push_back(prompts[todo[end]]);
            if (!fits()) {
                group.pop_back();
                break;
            }
            ++end;
        }
        Tokens next = backend.generate_begin(group, shared_prefix_length(group), options, stats);
        try {
            std::vector<std::size_t> lengths;
            for (const Tokens& p : group) lengths.push_back(p.size());
            std::vector<bool> finished(group.size(), false);
            for (;;) {
                Tokens appended(group.size(), -1);  // -1: the sequence is done
                bool any = false;
                for (std::size_t k = 0; k < group.size(); ++k) {
                    if (finished[k]) continue;
                    Generated& g = out[todo[first + k]];
                    if (accept_token(backend, g, next[k], lengths[k], info, settings)) {
                        appended[k] = g.tokens.back();
                        ++lengths[k];
                        any = true;
                    } else {
                        finished[k] = true;
                    }
                }
                if (!any) break;
                const Tokens stepped = backend.generate_step(appended, options, stats);
                for (std::size_t k = 0; k < group.size(); ++k)
                    if (appended[k] >= 0) next[k] = stepped[k];
            }
        } catch (...) {
            backend.generate_end();
            throw;
        }
        backend.generate_end();
        first = end;
    }
}

}  // namespace detail

template <Backend B>
[[nodiscard]] std::vector<Generated> greedy_generate(B& backend, std::span<const Tokens> prompts, const GenerationSettings& settings,
                                                     const ScoreOptions& options, ScoreStats& stats) {
    std::vector<Generated> out(prompts.size());
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < prompts.size(); ++i)
        if (settings.max_new_tokens > 0 && !prompts[i].empty()) todo.push_back(i);
    if constexpr (IncrementalGenerator<B>) {
        if (backend.info().supports_generation) {
            detail::generate_incrementally(backend, prompts, todo, out, settings, options, stats);
            return out;
        }
    }
    detail::generate_by_rescoring(backend, prompts, todo, out, settings, options, stats);
    return out;
}

}  // namespace clika
