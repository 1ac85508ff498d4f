#pragma once
// lm-evaluation-harness's requests on any Backend (clika.lm_eval is the caller): log-likelihoods of (context,
// continuation) pairs with lm-eval's token split, and the rolling windows of loglikelihood_rolling. Planned as the
// engine plans questions: one request per distinct context holding all its continuations (a document's options share
// its context's evaluation), the prefix all contexts share evaluated once per call, many sequences per pass.

#include <algorithm>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/eval/planner.hpp"
#include "clika/request.hpp"

namespace clika {

struct TokenPair {
    Tokens context;
    Tokens continuation;
};

struct Loglikelihood {
    double logprob = 0;   // sum of the continuation's token log-probabilities
    bool greedy = false;  // every continuation token is the argmax (lm-eval's is_greedy)
};

// lm-eval's split (lm_eval/api/model.py, TemplateLM): trailing whitespace of the context moves to the continuation; an
// empty context is the prefix token (BOS, else EOS) and the continuation encoded alone; otherwise the continuation's
// tokens are what follows the context's in the encoding of both (clika/eval/planner.hpp).
template <Backend B>
[[nodiscard]] TokenPair lm_eval_pair(B& backend, std::string context, std::string continuation) {
    const std::size_t kept = context.find_last_not_of(" \t\n\r\f\v");
    const std::size_t cut = kept == std::string::npos ? 0 : kept + 1;
    continuation.insert(0, context, cut);
    context.resize(cut);
    if (continuation.empty()) fail_input({}, "an empty continuation has no log-likelihood", "a continuation of at least one character");
    if (context.empty()) {
        const ModelInfo info = backend.info();
        Tokens alone = backend.tokenize(continuation, false);
        if (alone.empty()) fail_input({}, fmt::format("continuation \"{}\" tokenizes to nothing", continuation));
        return {{info.bos >= 0 ? info.bos : info.eos}, std::move(alone)};
    }
    Tokens prompt = backend.tokenize(context, true);
    Tokens cont = continuation_tokens(backend, context, prompt, continuation);
    return {std::move(prompt), std::move(cont)};
}

// lm-eval's rolling windows (lm_eval/utils.py get_rolling_token_windows with context_len 1, then make_disjoint_window):
// every token of `tokens` is predicted once, in windows of `max_seq_len` tokens after the prefix token (the first) or
// after as many preceding tokens as make the window max_seq_len + 1 long (the others).
[[nodiscard]] inline std::vector<TokenPair> rolling_windows(const Tokens& tokens, Token prefix, std::size_t max_seq_len) {
    std::vector<TokenPair> out;
    if (tokens.empty()) return out;
    if (max_seq_len == 0) fail_input({}, "max_length 0 leaves no room for a window", "max_length of at least 1");
    std::size_t predicted = std::min(max_seq_len, tokens.size());
    out.push_back({{prefix}, Tokens(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(predicted))});
    while (predicted < tokens.size()) {
        const std::size_t n = std::min(tokens.size() - predicted, max_seq_len);
        const auto start = tokens.begin() + static_cast<std::ptrdiff_t>(predicted);
        out.push_back({Tokens(start - static_cast<std::ptrdiff_t>(max_seq_len - n + 1), start), Tokens(tokens.begin() + static_cast<std::ptrdiff_t>(predicted),
                                                       tokens.begin() + static_cast<std::ptrdiff_t>(predicted + n))});
        predicted += n;
    }
    return out;
}

// Scores every pair in one backend call. A context whose own tokens with its longest continuation exceed one pass is
// scored in calls of its own that share all of it but its last token, so only its continuations need to fit a pass.
template <Backend B>
[[nodiscard]] std::vector<Loglikelihood> score_pairs(B& backend, std::span<const TokenPair> pairs, const ScoreOptions& options, ScoreStats& stats) {
    const ModelInfo info = backend.info();
    const std::size_t pass_tokens = static_cast<std::size_t>(info.max_pass_tokens);
    const std::size_t pass_sequences = static_cast<std::size_t>(info.max_pass_sequences);
    std::vector<Tokens> contexts;
    std::vector<std::vector<Tokens>> continuations;
    std::vector<std::vector<std::size_t>> asked_by;  // per context, the pairs of its continuations
    std::map<Tokens, std::size_t> context_index;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const TokenPair& p = pairs[i];
        if (p.context.empty() || p.continuation.empty()) fail_input({}, fmt::format("request {} has an empty context or continuation", i));
        const std::size_t needed = p.context.size() + p.continuation.size();
        if (info.n_ctx > 0 && needed > static_cast<std::size_t>(info.n_ctx))
            fail_input({}, fmt::format("request {} needs {} tokens (context and continuation), more than the backend's context of {}", i, needed, info.n_ctx),
                       fmt::format("ctx={} or more in model_args", needed));
        if (p.continuation.size() + 1 > pass_tokens)
            fail_input({}, fmt::format("request {}: its continuation of {} tokens does not fit one pass of {} tokens", i, p.continuation.size(), pass_tokens),
                       fmt::format("batch={} or more in model_args", p.continuation.size() + 1));
        const auto [at, fresh] = context_index.try_emplace(p.context, contexts.size());
        if (fresh) {
            contexts.push_back(p.context);
            continuations.emplace_back();
            asked_by.emplace_back();
        }
        continuations[at->second].push_back(p.continuation);
        asked_by[at->second].push_back(i);
    }

    std::vector<Loglikelihood> out(pairs.size());
    // Requests of one call, each with the context it came from and its first continuation; a request holds at most
    // one pass of sequences.
    auto run = [&](const PackedRequests& packed, std::span<const std::size_t> context_ids) {
        std::vector<ScoreRequest> requests;
        std::vector<std::pair<std::size_t, std::size_t>> origin;
        for (std::size_t k = 0; k < packed.requests.size(); ++k) {
            const ScoreRequest& r = packed.requests[k];
            for (std::size_t first = 0; first < r.continuations.size(); first += pass_sequences) {
                ScoreRequest part;
                part.context = r.context;
                part.shared_prefix = r.shared_prefix;
                const std::size_t end = std::min(r.continuations.size(), first + pass_sequences);
                part.continuations.assign(r.continuations.begin() + static_cast<std::ptrdiff_t>(first), r.continuations.begin() + static_cast<std::ptrdiff_t>(end));
                requests.push_back(std::move(part));
                origin.emplace_back(context_ids[packed.origin[k].first], packed.origin[k].second + first);
            }
        }
        const std::vector<OptionScores> scores = backend.score(requests, options, stats);
        if (scores.size() != requests.size())
            throw Error(ErrorKind::backend, {}, fmt::format("backend returned {} results for {} requests", scores.size(), requests.size()));
        for (std::size_t k = 0; k < requests.size(); ++k)
            for (std::size_t j = 0; j < requests[k].continuations.size(); ++j) {
                const std::size_t pair = asked_by[origin[k].first][origin[k].second + j];
                out[pair] = {scores[k].logprob.at(j), j < scores[k].all_greedy.size() && scores[k].all_greedy[j]};
            }
    };

    const std::size_t shared = shared_prefix_length(contexts);
    std::vector<std::size_t> fitting;
    std::vector<Tokens> fitting_contexts;
    std::vector<std::vector<Tokens>> fitting_continuations;
    for (std::size_t c = 0; c < contexts.size(); ++c) {
        std::size_t longest = 0;
        for (const Tokens& t : continuations[c]) longest = std::max(longest, t.size());
        if (contexts[c].size() - shared + longest <= pass_tokens) {
            fitting.push_back(c);
            fitting_contexts.push_back(contexts[c]);
            fitting_continuations.push_back(continuations[c]);
            continue;
        }
        PackedRequests alone = pack_continuations(std::span(contexts).subspan(c, 1), std::span(continuations).subspan(c, 1), pass_tokens - 1);
        for (ScoreRequest& r : alone.requests) r.shared_prefix = contexts[c].size() - 1;
        const std::size_t id[] = {c};
        run(alone, id);
    }
    if (!fitting.empty()) run(pack_continuations(fitting_contexts, fitting_continuations, pass_tokens), fitting);
    return out;
}

}  // namespace clika
