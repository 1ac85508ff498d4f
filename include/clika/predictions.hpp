#pragma once
// Published predictions ({model}_res_bf16_add_simple_example.jsonl, chatgpt_res.jsonl) and clika's own run files.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/jsonl.hpp"
#include "clika/logprob.hpp"
#include "clika/parallel.hpp"
#include "clika/results.hpp"
#include "clika/utf8.hpp"

namespace clika {

[[nodiscard]] inline std::string prediction_file_name(std::string_view model) {
    if (model == "chatgpt") return "chatgpt_res.jsonl";
    return fmt::format("{}_res_bf16_add_simple_example.jsonl", model);
}

[[nodiscard]] inline fs::path predictions_path(const fs::path& data_dir, Task task, Lang lang, std::string_view model) {
    return lang_dir(data_dir, task, lang) / prediction_file_name(model);
}

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

// Every multiple-choice task and language of a published model.
[[nodiscard]] inline ResultSet load_published(const fs::path& data_dir, std::string_view model,
                                              std::span<const Task> tasks = multiple_choice_tasks,
                                              std::span<const Lang> langs = all_langs) {
    ResultSet out;
    out.model = model;
    std::vector<LangResults> loaded(tasks.size() * langs.size());
    parallel_for(loaded.size(), 0, [&](std::size_t i) {
        const Task task = tasks[i / langs.size()];
        loaded[i] = load_predictions(predictions_path(data_dir, task, langs[i % langs.size()], model), task);
    });
    for (std::size_t i = 0; i < loaded.size(); ++i) out.put(tasks[i / langs.size()], langs[i % langs.size()], std::move(loaded[i]));
    return out;
}

}  // namespace clika
