#pragma once
// Turns questions into scoring requests and backend scores into decisions. Backend-agnostic: the prefix every
// question of a task/language shares is measured here (longest common token prefix) and handed to the backend, which
// evaluates it once and reuses its state.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/eval/letter_split.hpp"
#include "clika/utf8.hpp"
#include "clika/eval/planner.hpp"
#include "clika/prompt.hpp"
#include "clika/question.hpp"
#include "clika/request.hpp"
#include "clika/run/prediction_line.hpp"  // ScoringMode, QuestionOutcome: what a line records

namespace clika {

// Index of the first maximum: ties go to the earlier option, as argmax does upstream.
[[nodiscard]] inline int first_argmax(std::span<const double> values) {
    if (values.empty()) return -1;
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

// Whether a letter-mode request scores exactly `split`'s continuations.
[[nodiscard]] inline bool scores_continuations_of(const ScoreRequest& r, const LetterSplit& split) {
    const std::size_t n = split.letters.size();
    if (!r.continuations.empty()) {
        if (r.continuations.size() != n) return false;
        for (std::size_t i = 0; i < n; ++i)
            if (r.continuations[i] != split.letters[i].tokens) return false;
        return true;
    }
    if (r.next_ids.size() != n) return false;
    for (std::size_t i = 0; i < n; ++i)
        if (split.letters[i].tokens.size() != 1 || split.letters[i].tokens.front() != r.next_ids[i]) return false;
    return true;
}

template <Backend B>
class Engine {
public:
    // A tokenizer that appends tokens after the text (encoder models) is refused before any work is done: both modes
    // score what follows the prompt.
    Engine(B& backend, ScoringMode mode, Shots shots) : backend_(backend), mode_(mode), shots_(shots) {
        require_open_ended_tokenizer(backend_);
    }

    [[nodiscard]] ScoringMode mode() const noexcept { return mode_; }
    [[nodiscard]] Shots shots() const noexcept { return shots_; }

    // Letter mode's split of one question's prompt (clika/eval/letter_split.hpp): the context and each letter's continuation.
    [[nodiscard]] LetterSplit letter_split(const Question& q) {
        const std::string prompt = build_prompt(q, shots_);
        return split_letters(backend_, prompt, backend_.tokenize(prompt, true), q.options.size());
    }

    // One request per question. The prompt is the paper's; letter mode scores each letter's continuation by the rule
    // of letter_split.hpp, loglik mode " " + option text.
    [[nodiscard]] std::vector<ScoreRequest> requests(std::span<const Question> questions) {
        std::vector<ScoreRequest> out;
        out.reserve(questions.size());
        for (const Question& q : questions) {
            ScoreRequest r;
            r.label = fmt::format("{} {} question \"{}\"", name(q.task), code(q.lang), q.uuid);
            const std::string prompt = build_prompt(q, shots_);
            r.context = backend_.tokenize(prompt, true);
            if (mode_ == ScoringMode::letter) {
                LetterSplit split = split_letters(backend_, prompt, r.context, q.options.size());
                r.context.resize(split.context_length);
                // Single-token continuations are next-token reads of one row; the backend's fast path.
                const bool single = split.single_tokens();
                for (LetterContinuation& c : split.letters) {
                    if (single) r.next_ids.push_back(c.tokens.front());
                    else r.continuations.push_back(std::move(c.tokens));
                }
            } else {
                for (const std::string& option : q.options) r.continuations.push_back(continuation_tokens(backend_, prompt, r.context, " " + option));
            }
            out.push_back(std::move(r));
        }
        set_shared_prefix(out);
        return out;
    }

    [[nodiscard]] std::vector<QuestionOutcome> score(std::span<const Question> questions, std::span<const ScoreRequest> reqs,
                                                     const ScoreOptions& options, ScoreStats& stats) {
        std::vector<OptionScores> raw = backend_.score(reqs, options, stats);
        if (raw.size() != reqs.size())
            throw Error(ErrorKind::backend, {}, fmt::format("backend returned {} results for {} requests", raw.size(), reqs.size()));
        std::vector<QuestionOutcome> out(questions.size());
        for (std::size_t i = 0; i < questions.size(); ++i) out[i] = decide(questions[i], reqs[i], raw[i]);
        return out;
    }

private:
    [[nodiscard]] QuestionOutcome decide(const Question& q, const ScoreRequest& r, const OptionScores& s) const {
        QuestionOutcome o;
        o.greedy_next = s.greedy_next;
        if (mode_ == ScoringMode::letter) {
            // Off-format: greedy decoding after the context would not produce any letter's continuation.
            if (r.continuations.empty()) {
                o.scores = s.next_logprob;
                if (std::find(s.next_bounded.begin(), s.next_bounded.end(), true) != s.next_bounded.end()) o.bounded = s.next_bounded;
                o.greedy_is_option = std::find(r.next_ids.begin(), r.next_ids.end(), s.greedy_next) != r.next_ids.end();
            } else {
                o.scores = s.logprob;
                o.greedy_is_option = std::find(s.all_greedy.begin(), s.all_greedy.end(), true) != s.all_greedy.end();
            }
            o.predicted = first_argmax(o.scores);
            return o;
        }
        o.scores = s.logprob;
        o.n_tokens = s.n_tokens;
        // As lm-evaluation-harness divides (lm_eval/api/task.py): by len(choice) and len(choice.encode("utf-8")) of the
        // option text without the " " delimiter. An empty option (none in CLiKA) counts as length 1, not a division by 0.
        for (std::size_t i = 0; i < q.options.size(); ++i) {
            o.scores_norm.push_back(s.logprob[i] / static_cast<double>(std::max<std::size_t>(1, code_point_count(q.options[i]))));
            o.scores_bytes.push_back(s.logprob[i] / static_cast<double>(std::max<std::size_t>(1, q.options[i].size())));
        }
        o.predicted = first_argmax(o.scores);
        o.predicted_norm = first_argmax(o.scores_norm);
        o.predicted_bytes = first_argmax(o.scores_bytes);
        return o;
    }

    B& backend_;
    ScoringMode mode_;
    Shots shots_;
};

}  // namespace clika
