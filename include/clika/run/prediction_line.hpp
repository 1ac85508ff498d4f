#pragma once
// One answered multiple-choice question as a line of predictions.jsonl: the upstream prediction format ({id, input,
// res, label, uuid}, as the published {model}_res_*.jsonl files have it) plus clika's scores. Written and read here,
// so that what a run writes is what scoring reads.

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/jsonl.hpp"
#include "clika/logprob.hpp"
#include "clika/question.hpp"
#include "clika/request.hpp"
#include "clika/results.hpp"
#include "clika/utf8.hpp"

namespace clika {

enum class ScoringMode {
    letter,  // the paper's protocol: compare log-probabilities of the option letters after "Answer:" (eval/letter_split.hpp)
    loglik,  // lm-evaluation-harness style: log-likelihood of each option's text as the continuation
};

[[nodiscard]] constexpr std::string_view name(ScoringMode mode) noexcept { return mode == ScoringMode::letter ? "letter" : "loglik"; }

// How a loglik run's res_norm and res_bytes are normalised, in the words its run.json records. Runs written before
// run.json recorded them used norm_rule_legacy for res_norm and had no res_bytes.
inline constexpr std::string_view norm_rule_lm_eval = "lm-eval acc_norm: log-likelihood / code points of the option";
inline constexpr std::string_view bytes_rule_lm_eval = "lm-eval acc_bytes: log-likelihood / UTF-8 bytes of the option";
inline constexpr std::string_view norm_rule_legacy = "log-likelihood / UTF-8 bytes of \" \" + option";

// What the engine decided for one question (clika/eval/engine.hpp), as its line records it.
struct QuestionOutcome {
    std::vector<double> scores;       // per option: log p(letter's continuation) or log p(option text)
    std::vector<double> scores_norm;   // loglik: per code point of the option text (lm-evaluation-harness acc_norm)
    std::vector<double> scores_bytes;  // loglik: per UTF-8 byte of the option text (lm-evaluation-harness acc_bytes)
    std::vector<int> n_tokens;         // loglik: continuation tokens per option
    int predicted = -1;                // option index by scores
    int predicted_norm = -1;           // option index by scores_norm (loglik)
    int predicted_bytes = -1;          // option index by scores_bytes (loglik)
    Token greedy_next = -1;           // the unrestricted argmax after the prompt
    bool greedy_is_option = true;     // letter: whether greedy decoding produces one of the letters' continuations
    // letter: per option, whether its score is only an upper bound (a server's top-K log-probabilities left it out);
    // empty when every score is exact. The decision is exact while one option's score is.
    std::vector<bool> bounded;
};

// ---- writing ----------------------------------------------------------------------------------------------------------

// The line of question `q`, asked as `prompt`. Letter mode: `greedy_piece` is the text of the unrestricted next token,
// and `own_continuations` (eval/letter_split.hpp: letter_split_json) is written when a question's continuations differ
// from its task's in run.json; null otherwise.
[[nodiscard]] inline std::string prediction_line(std::size_t id, const Question& q, const std::string& prompt, ScoringMode mode,
                                                 const QuestionOutcome& o, const std::string& greedy_piece,
                                                 const nlohmann::ordered_json* own_continuations = nullptr) {
    nlohmann::ordered_json line;
    line["id"] = id;
    line["input"] = prompt;
    line["res"] = o.predicted >= 0 ? std::string(1, option_letters[static_cast<std::size_t>(o.predicted)]) : std::string();
    line["label"] = std::string(1, q.label_letter());
    if (q.uuid_is_integer) line["uuid"] = std::stoll(q.uuid);
    else line["uuid"] = q.uuid;
    line["scores"] = logprobs_json(o.scores);
    line["mode"] = std::string(name(mode));
    if (mode == ScoringMode::letter) {
        line["greedy"] = greedy_piece;  // may be a partial UTF-8 sequence (byte tokens): written with U+FFFD
        line["greedy_token"] = o.greedy_next;
        line["greedy_is_option"] = o.greedy_is_option;
        if (own_continuations != nullptr) line["continuations"] = *own_continuations;
        if (!o.bounded.empty()) {  // letters whose scores are upper bounds; all of them: the decision is not exact
            nlohmann::ordered_json letters = nlohmann::ordered_json::array();
            for (std::size_t i = 0; i < o.bounded.size(); ++i)
                if (o.bounded[i]) letters.push_back(std::string(1, option_letters[i]));
            line["bounded"] = std::move(letters);
        }
    } else {
        auto letter = [](int index) { return index >= 0 ? std::string(1, option_letters[static_cast<std::size_t>(index)]) : std::string(); };
        line["res_norm"] = letter(o.predicted_norm);
        line["scores_norm"] = logprobs_json(o.scores_norm);
        line["res_bytes"] = letter(o.predicted_bytes);
        line["scores_bytes"] = logprobs_json(o.scores_bytes);
        line["n_tokens"] = o.n_tokens;
    }
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// ---- reading ----------------------------------------------------------------------------------------------------------

// The paper's reading of a generation: the first character of the stripped text; empty (or not a letter) is wrong.
[[nodiscard]] inline char predicted_letter(std::string_view res, std::size_t option_count) {
    std::string_view text = strip_leading_space(res);
    if (text.empty()) return 0;
    char first = text.front();
    return option_letters.substr(0, option_count).find(first) == std::string_view::npos ? 0 : first;
}

// A clika run line's scores: one number per option, in option order.
[[nodiscard]] inline std::vector<double> option_scores_of(const JsonRecord& r, std::size_t option_count) {
    std::vector<double> out;
    for (simdjson::dom::element e : r.array("scores")) {
        const auto value = e.get_double();
        if (value.error() == simdjson::SUCCESS) {
            out.push_back(value.value_unsafe());
            continue;
        }
        // An exact -inf (probability 0), as prediction_line writes it: JSON has no infinities.
        if (const auto text = e.get_string(); text.error() == simdjson::SUCCESS && text.value_unsafe() == minus_infinity_text) {
            out.push_back(-std::numeric_limits<double>::infinity());
            continue;
        }
        r.fail(fmt::format("scores[{}]", out.size()), fmt::format("is {}", JsonRecord::type_name(e)),
               fmt::format("a number: one log-probability per option (\"{}\" for -inf)", minus_infinity_text));
    }
    if (out.size() != option_count)
        r.fail("scores", fmt::format("holds {} scores for {} options", out.size(), option_count), "one log-probability per option");
    return out;
}

// A clika run line carries the scores its `res` was decided from (first argmax); an edited `res` that contradicts them
// would be scored silently.
inline void check_res_agrees_with_scores(const JsonRecord& r, char predicted, std::span<const double> scores) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < scores.size(); ++i)
        if (scores[i] > scores[best]) best = i;
    if (scores.empty()) return;
    const char expected = option_letters[best];
    if (predicted != expected)
        r.fail("res", fmt::format("\"{}\" contradicts the line's scores, whose first maximum is option {}", r.string("res"), expected),
               "the res clika wrote, or no scores field");
}

// A clika run line's "bounded" letters (options whose score is only an upper bound), in the line's order.
[[nodiscard]] inline std::string bounded_letters(const JsonRecord& r, std::size_t option_count) {
    std::string out;
    if (!r.has("bounded")) return out;
    for (simdjson::dom::element e : r.array("bounded")) {
        const auto text = e.get_string();
        if (text.error() != simdjson::SUCCESS || text.value_unsafe().size() != 1 ||
            option_letters.substr(0, option_count).find(text.value_unsafe().front()) == std::string_view::npos)
            r.fail(fmt::format("bounded[{}]", out.size()), fmt::format("is {}", text.error() == simdjson::SUCCESS ? std::string(text.value_unsafe()) : std::string(JsonRecord::type_name(e))),
                   fmt::format("an option letter {}..{}", option_letters.front(), option_letters[option_count - 1]));
        out += text.value_unsafe().front();
    }
    return out;
}

// A predictions file of `task`, published or written by a clika run: every line's outcome, and clika's scores where
// every line has them.
[[nodiscard]] inline LangResults load_predictions(const fs::path& path, Task task) {
    const std::size_t options = spec(task).option_count;
    JsonlFile file(path);
    LangResults out;
    out.source = path;
    out.uuids.reserve(spec(task).questions_per_lang);
    detail::UuidSet seen;
    file.for_each([&](const JsonRecord& r) {
        char gold = option_letters[static_cast<std::size_t>(detail::letter_label(r, "label", r.string("label"), options))];
        char predicted = predicted_letter(r.string("res"), options);
        if (r.has("scores")) {
            out.option_scores.push_back(option_scores_of(r, options));
            check_res_agrees_with_scores(r, predicted, out.option_scores.back());
        }
        // loglik runs: the normalised decisions, scored as lm-evaluation-harness's acc_norm and acc_bytes.
        if (r.has("res_norm")) out.correct_norm.push_back(predicted_letter(r.string("res_norm"), options) == gold ? 1 : 0);
        if (r.has("res_bytes")) out.correct_bytes.push_back(predicted_letter(r.string("res_bytes"), options) == gold ? 1 : 0);
        out.uuids.push_back(r.id_text("uuid"));
        seen.insert(r, "uuid", out.uuids.back());
        out.gold.push_back(gold);
        out.predicted.push_back(predicted);
        out.correct.push_back(predicted == gold ? 1 : 0);
        const bool off_format = predicted == 0 || (r.has("greedy_is_option") && r.at("greedy_is_option").is_bool() &&
                                                   !r.at("greedy_is_option").get_bool().value_unsafe());
        out.off_format += off_format ? 1 : 0;
        const std::string bounded = bounded_letters(r, options);
        if (predicted != 0 && bounded.find(predicted) != std::string::npos) ++out.bounded;
        if (bounded.size() >= 2) ++out.unranked;
    });
    if (out.uuids.empty()) fail_input({path}, "no predictions in file", "one JSON line per question");
    // Option scores count only when every question has them (RankC compares whole rankings per question).
    if (out.option_scores.size() != out.uuids.size()) out.option_scores.clear();
    if (out.correct_norm.size() != out.uuids.size()) out.correct_norm.clear();
    if (out.correct_bytes.size() != out.uuids.size()) out.correct_bytes.clear();
    return out;
}

}  // namespace clika
