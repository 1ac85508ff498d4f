#pragma once
// Turns questions into scoring requests and backend scores into decisions. Backend-agnostic: the prefix every
// question of a task/language shares is measured here (longest common token prefix) and handed to the backend, which
// evaluates it once and reuses its state.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/prompt.hpp"
#include "clika/question.hpp"
#include "clika/request.hpp"

namespace clika {

enum class ScoringMode {
    letter,  // the paper's protocol: compare next-token log-probabilities of the option letters after "Answer:"
    loglik,  // lm-evaluation-harness style: log-likelihood of each option's text as the continuation
};

[[nodiscard]] constexpr std::string_view name(ScoringMode mode) noexcept { return mode == ScoringMode::letter ? "letter" : "loglik"; }

struct QuestionOutcome {
    std::vector<double> scores;       // per option: log p(letter) or log p(option text)
    std::vector<double> scores_norm;  // loglik: per byte of the option text (acc_norm)
    std::vector<int> n_tokens;        // loglik: continuation tokens per option
    int predicted = -1;               // option index by scores
    int predicted_norm = -1;          // option index by scores_norm (loglik)
    Token greedy_next = -1;           // the unrestricted argmax after the prompt
    bool greedy_is_option = true;     // letter: whether that argmax was one of the option letters
};

[[nodiscard]] inline std::size_t common_prefix_length(std::span<const Token> a, std::span<const Token> b) {
    return static_cast<std::size_t>(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}

// Index of the first maximum: ties go to the earlier option, as argmax does upstream.
[[nodiscard]] inline int first_argmax(std::span<const double> values) {
    if (values.empty()) return -1;
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

template <Backend B>
class Engine {
public:
    Engine(B& backend, ScoringMode mode, Shots shots) : backend_(backend), mode_(mode), shots_(shots) {}

    [[nodiscard]] ScoringMode mode() const noexcept { return mode_; }
    [[nodiscard]] Shots shots() const noexcept { return shots_; }

    // The token that spells each option letter right after "Answer:", as the demonstration writes it ("Answer:D. 5").
    [[nodiscard]] const Tokens& letter_tokens(std::size_t option_count) {
        if (letters_.size() < option_count) {
            const Tokens cue = backend_.tokenize(prompt_text::answer_cue, false);
            letters_.clear();
            for (std::size_t i = 0; i < option_count; ++i) {
                const std::string spelled = std::string(prompt_text::answer_cue) + option_letters[i];
                const Tokens with_letter = backend_.tokenize(spelled, false);
                const std::size_t common = common_prefix_length(cue, with_letter);
                if (common >= with_letter.size())
                    throw Error(ErrorKind::backend, {}, fmt::format("the tokenizer has no token for option letter {} after \"Answer:\"", option_letters[i]));
                letters_.push_back(with_letter[common]);
            }
            for (std::size_t i = 0; i < letters_.size(); ++i)
                for (std::size_t j = 0; j < i; ++j)
                    if (letters_[i] == letters_[j])
                        throw Error(ErrorKind::backend, {}, fmt::format("option letters {} and {} share a token", option_letters[j], option_letters[i]));
        }
        return letters_;
    }

    // One request per question. The prompt is the paper's; continuations are " " + option text (loglik mode).
    [[nodiscard]] std::vector<ScoreRequest> requests(std::span<const Question> questions) {
        std::vector<ScoreRequest> out;
        out.reserve(questions.size());
        for (const Question& q : questions) {
            ScoreRequest r;
            const std::string prompt = build_prompt(q, shots_);
            r.context = backend_.tokenize(prompt, true);
            if (mode_ == ScoringMode::letter) {
                r.next_ids = letter_tokens(q.options.size());
                r.next_ids.resize(q.options.size());
            } else {
                for (const std::string& option : q.options) r.continuations.push_back(continuation_tokens(prompt, r.context, option));
            }
            out.push_back(std::move(r));
        }
        if (!out.empty()) {
            std::size_t shared = out.front().context.size();
            for (const ScoreRequest& r : out) shared = std::min(shared, common_prefix_length(out.front().context, r.context));
            // Keep at least one token of every context outside the prefix: the next-token distribution is read there.
            for (ScoreRequest& r : out) r.shared_prefix = std::min(shared, r.context.size() - 1);
        }
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
    [[nodiscard]] Tokens continuation_tokens(const std::string& prompt, const Tokens& context, const std::string& option) {
        // lm-evaluation-harness's split: encode context and context+continuation, keep what follows the context.
        const std::string continuation = " " + option;
        Tokens whole = backend_.tokenize(prompt + continuation, true);
        if (whole.size() > context.size() && std::equal(context.begin(), context.end(), whole.begin()))
            return Tokens(whole.begin() + static_cast<std::ptrdiff_t>(context.size()), whole.end());
        Tokens alone = backend_.tokenize(continuation, false);
        if (alone.empty()) throw Error(ErrorKind::backend, {}, fmt::format("option \"{}\" tokenizes to nothing", option));
        return alone;
    }

    [[nodiscard]] QuestionOutcome decide(const Question& q, const ScoreRequest& r, const OptionScores& s) const {
        QuestionOutcome o;
        o.greedy_next = s.greedy_next;
        if (mode_ == ScoringMode::letter) {
            o.scores = s.next_logprob;
            o.greedy_is_option = std::find(r.next_ids.begin(), r.next_ids.end(), s.greedy_next) != r.next_ids.end();
            o.predicted = first_argmax(o.scores);
            return o;
        }
        o.scores = s.logprob;
        o.n_tokens = s.n_tokens;
        for (std::size_t i = 0; i < q.options.size(); ++i)
            o.scores_norm.push_back(s.logprob[i] / static_cast<double>(std::max<std::size_t>(1, q.options[i].size() + 1)));
        o.predicted = first_argmax(o.scores);
        o.predicted_norm = first_argmax(o.scores_norm);
        return o;
    }

    B& backend_;
    ScoringMode mode_;
    Shots shots_;
    Tokens letters_;
};

}  // namespace clika
