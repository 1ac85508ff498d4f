#pragma once
// Per-question outcomes of one model: where predictions files, clika runs and other harnesses meet.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/language.hpp"
#include "clika/task.hpp"

namespace clika {

// Outcomes of one task in one language, in the order of its source file.
struct LangResults {
    std::filesystem::path source;
    std::vector<std::string> uuids;
    std::vector<std::uint8_t> correct;  // 0 or 1, one per question
    std::vector<char> predicted;        // option letter, or 0 when the answer named none
    std::vector<char> gold;
    // Per question, one score per option in option order (clika runs); empty when the source has none.
    std::vector<std::vector<double>> option_scores;
    // loglik runs: correctness by res_norm (acc_norm) and res_bytes (acc_bytes); empty when the source has none.
    std::vector<std::uint8_t> correct_norm;
    std::vector<std::uint8_t> correct_bytes;
    // Answers that named no option: an empty or non-letter `res`, or (clika runs) an unrestricted next token that was
    // not an option letter.
    std::size_t off_format = 0;
    // clika runs against a server that returns top-K log-probabilities, where a letter outside the top K is scored by
    // an upper bound (the line's "bounded" letters). `bounded`: answers decided between bounds only, whose chosen letter
    // is itself bounded, so which letter is the argmax is not known (every letter outside the top K, or a tie with the
    // K-th value). `unranked`: answers with two or more bounded letters, whose order among them is not known.
    std::size_t bounded = 0;
    std::size_t unranked = 0;
};

// A model's outcomes over the multiple-choice tasks; any task/language may be absent.
class ResultSet {
public:
    std::string model;

    void put(Task task, Lang lang, LangResults results) { slot(task, lang) = std::move(results); }

    [[nodiscard]] const std::optional<LangResults>& get(Task task, Lang lang) const {
        return table_[static_cast<std::size_t>(task)][index(lang)];
    }

    [[nodiscard]] bool has(Task task, Lang lang) const { return get(task, lang).has_value(); }
    void drop(Task task, Lang lang) { slot(task, lang).reset(); }

private:
    std::optional<LangResults>& slot(Task task, Lang lang) { return table_[static_cast<std::size_t>(task)][index(lang)]; }

    std::array<std::array<std::optional<LangResults>, lang_count>, multiple_choice_tasks.size()> table_;
};

// One task's outcomes with every language put in English's question order, so language columns compare per question.
struct AlignedTask {
    Task task{};
    std::size_t question_count = 0;
    std::array<std::optional<std::vector<std::uint8_t>>, lang_count> correct;
    std::array<std::optional<std::vector<std::vector<double>>>, lang_count> option_scores;  // where the source has them
    std::array<std::optional<std::vector<std::uint8_t>>, lang_count> correct_norm;         // loglik runs
    std::array<std::optional<std::vector<std::uint8_t>>, lang_count> correct_bytes;
};

[[nodiscard]] inline AlignedTask align(const ResultSet& results, Task task) {
    AlignedTask out{task, 0, {}};
    const std::optional<LangResults>& english = results.get(task, Lang::en);
    std::unordered_map<std::string_view, std::size_t> position;
    if (english) {
        out.question_count = english->uuids.size();
        position.reserve(english->uuids.size());
        for (std::size_t i = 0; i < english->uuids.size(); ++i) position.emplace(english->uuids[i], i);
        out.correct[index(Lang::en)] = english->correct;
        if (!english->option_scores.empty()) out.option_scores[index(Lang::en)] = english->option_scores;
        if (!english->correct_norm.empty()) out.correct_norm[index(Lang::en)] = english->correct_norm;
        if (!english->correct_bytes.empty()) out.correct_bytes[index(Lang::en)] = english->correct_bytes;
    }
    for (Lang lang : all_langs) {
        if (lang == Lang::en) continue;
        const std::optional<LangResults>& other = results.get(task, lang);
        if (!other) continue;
        if (!english) {
            if (out.question_count == 0) out.question_count = other->uuids.size();
            if (other->uuids.size() == out.question_count) {
                out.correct[index(lang)] = other->correct;
                if (!other->option_scores.empty()) out.option_scores[index(lang)] = other->option_scores;
                if (!other->correct_norm.empty()) out.correct_norm[index(lang)] = other->correct_norm;
                if (!other->correct_bytes.empty()) out.correct_bytes[index(lang)] = other->correct_bytes;
                continue;
            }
            fail_input({other->source}, fmt::format("has {} questions, another language has {}", other->uuids.size(), out.question_count),
                       "the same question count in every language");
        }
        if (other->uuids.size() != english->uuids.size())
            fail_input({other->source}, fmt::format("has {} questions but English ({}) has {}", other->uuids.size(),
                                                    english->source.string(), english->uuids.size()),
                       "the same question count in every language");
        std::vector<std::uint8_t> ordered(out.question_count, 0);
        std::vector<std::vector<double>> ordered_scores(other->option_scores.empty() ? 0 : out.question_count);
        std::vector<std::uint8_t> ordered_norm(other->correct_norm.empty() ? 0 : out.question_count);
        std::vector<std::uint8_t> ordered_bytes(other->correct_bytes.empty() ? 0 : out.question_count);
        for (std::size_t i = 0; i < other->uuids.size(); ++i) {
            auto at = position.find(other->uuids[i]);
            if (at == position.end())
                fail_input({other->source, i + 1, "uuid"}, fmt::format("question \"{}\" is not among English's questions", other->uuids[i]),
                           fmt::format("a uuid of {}", english->source.string()));
            ordered[at->second] = other->correct[i];
            if (!ordered_scores.empty()) ordered_scores[at->second] = other->option_scores[i];
            if (!ordered_norm.empty()) ordered_norm[at->second] = other->correct_norm[i];
            if (!ordered_bytes.empty()) ordered_bytes[at->second] = other->correct_bytes[i];
        }
        out.correct[index(lang)] = std::move(ordered);
        if (!ordered_scores.empty()) out.option_scores[index(lang)] = std::move(ordered_scores);
        if (!ordered_norm.empty()) out.correct_norm[index(lang)] = std::move(ordered_norm);
        if (!ordered_bytes.empty()) out.correct_bytes[index(lang)] = std::move(ordered_bytes);
    }
    return out;
}

}  // namespace clika
