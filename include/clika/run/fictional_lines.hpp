#pragma once
// The lines of a fictional (Conductivity) run: RUN/fictional/<lang>/predictions.jsonl (test items) and translate.jsonl
// (Translate items), written and read here. Items are identified by their line in the test file (uuid = index).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/fictional.hpp"
#include "clika/fictional/results.hpp"
#include "clika/fictional/test_set.hpp"
#include "clika/jsonl.hpp"
#include "clika/logprob.hpp"
#include "clika/run/paths.hpp"

namespace clika {

struct FictionalAnswer {
    // generate
    bool generated_present = false;
    std::string generated;
    std::string named;  // the continent the answer names first (empty: none)
    bool correct_generate = false;
    // choice
    bool choice_present = false;
    std::vector<double> scores;
    std::vector<int> n_tokens;
    std::size_t chosen = 0;
    bool correct_choice = false;
};

[[nodiscard]] inline std::string fictional_test_line(std::size_t uuid, const FictionalTestSet& set, const std::string& prompt, const FictionalAnswer& a) {
    const FictionalTestItem& t = set.items[uuid];
    nlohmann::ordered_json line;
    line["id"] = uuid;
    line["uuid"] = uuid;
    line["type"] = t.item.type;
    line["input"] = prompt;
    line["label"] = t.item.continent;
    line["city"] = t.item.city;
    line["mode"] = std::string(name(modes_of(a.generated_present, a.choice_present)));
    line["n_continents"] = set.continents.size();
    if (a.generated_present) {
        line["generated"] = a.generated;
        line["named"] = a.named;
        line["correct_generate"] = a.correct_generate;
    }
    if (a.choice_present) {
        line["res"] = set.continents[a.chosen];
        line["scores"] = logprobs_json(a.scores);
        line["n_tokens"] = a.n_tokens;
        line["correct_choice"] = a.correct_choice;
    }
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

struct TranslateAnswer {
    bool generated_present = false;
    std::string generated;
    bool correct_generate = false;
    bool choice_present = false;
    double logprob = 0;
    bool greedy = false;
};

[[nodiscard]] inline std::string fictional_translate_line(std::size_t uuid, const InstructionRecord& r, const std::string& prompt, const TranslateAnswer& a) {
    nlohmann::ordered_json line;
    line["id"] = uuid;
    line["uuid"] = uuid;
    line["input"] = prompt;
    line["source"] = r.input;
    line["label"] = r.answer;
    line["mode"] = std::string(name(modes_of(a.generated_present, a.choice_present)));
    if (a.generated_present) {
        line["generated"] = a.generated;
        line["correct_generate"] = a.correct_generate;
    }
    if (a.choice_present) {
        line["logprob"] = logprobs_json(std::span(&a.logprob, 1)).front();
        line["correct_choice"] = a.greedy;
    }
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

namespace detail {

[[nodiscard]] inline std::optional<bool> optional_bool(const JsonRecord& r, std::string_view field) {
    auto value = r.root().at_key(field);
    if (value.error() != simdjson::SUCCESS) return std::nullopt;
    auto b = value.get_bool();
    if (b.error() != simdjson::SUCCESS) r.fail(field, fmt::format("is {}", JsonRecord::type_name(value.value_unsafe())), "true or false");
    return b.value_unsafe();
}

inline void read_correct(const JsonRecord& r, FictionalModeOutcomes& out, std::array<bool, fictional_mode_count>& seen, bool first) {
    for (FictionalMode mode : fictional_modes) {
        const auto m = static_cast<std::size_t>(mode);
        const auto v = optional_bool(r, mode == FictionalMode::generate ? "correct_generate" : "correct_choice");
        if (first) seen[m] = v.has_value();
        else if (seen[m] != v.has_value())
            r.fail(mode == FictionalMode::generate ? "correct_generate" : "correct_choice", "present on some lines of the file and not on others",
                   "one answer mode for the whole file");
        if (v) out[m].push_back(*v ? 1 : 0);
    }
}

}  // namespace detail

// What a run directory holds for one language; nullopt when it has no fictional/<lang>/predictions.jsonl.
[[nodiscard]] inline std::optional<FictionalRunLang> load_fictional_run_lang(const fs::path& run_dir, Lang lang) {
    std::error_code ec;
    const fs::path predictions = fictional_predictions_path(run_dir, lang);
    if (!fs::exists(predictions, ec)) return std::nullopt;
    FictionalRunLang out;
    {
        JsonlFile file(predictions);
        bool first = true;
        file.for_each([&](const JsonRecord& r) {
            const std::int64_t uuid = r.integer("uuid");
            if (uuid < 0) r.fail("uuid", "is negative", "the item's line index in the test file");
            const std::int64_t type = r.integer("type");
            if (type != 0 && type != 1) r.fail("type", fmt::format("is {}", type), "0 or 1");
            const std::int64_t continents = r.integer("n_continents");
            if (continents < 2) r.fail("n_continents", fmt::format("is {}", continents), "at least 2");
            if (first) out.n_continents = static_cast<std::size_t>(continents);
            else if (out.n_continents != static_cast<std::size_t>(continents))
                r.fail("n_continents", fmt::format("is {}, {} on the first line", continents, out.n_continents), "one continent count per file");
            out.uuid.push_back(static_cast<std::size_t>(uuid));
            out.type.push_back(static_cast<std::uint8_t>(type));
            detail::read_correct(r, out.correct, out.has_mode, first);
            first = false;
        });
        if (out.uuid.empty()) fail_input({predictions}, "no answers in file", "one JSON line per test item");
    }
    const fs::path translate = fictional_translate_run_path(run_dir, lang);
    if (fs::exists(translate, ec)) {
        JsonlFile file(translate);
        bool first = true;
        std::array<bool, fictional_mode_count> seen{};
        file.for_each([&](const JsonRecord& r) {
            (void)r.integer("uuid");
            detail::read_correct(r, out.translate_correct, seen, first);
            first = false;
        });
        out.has_translate = !first;
        for (FictionalMode mode : fictional_modes)
            if (out.has_translate && seen[static_cast<std::size_t>(mode)] != out.has_mode[static_cast<std::size_t>(mode)])
                fail_input({translate}, fmt::format("answered in other modes than {}", predictions.string()), "the same modes for test and Translate items");
    }
    return out;
}

[[nodiscard]] inline bool has_fictional_run(const fs::path& run_dir) {
    std::error_code ec;
    return fs::is_directory(fictional_runs_dir(run_dir), ec);
}

[[nodiscard]] inline FictionalRun load_fictional_run(const fs::path& run_dir, std::span<const Lang> langs = all_langs) {
    FictionalRun run;
    run.model = run_dir.filename().string();
    bool any = false;
    for (Lang lang : langs) {
        run.langs[index(lang)] = load_fictional_run_lang(run_dir, lang);
        any = any || run.langs[index(lang)].has_value();
    }
    if (!any) fail_input({fictional_runs_dir(run_dir)}, "no fictional/<lang>/predictions.jsonl", "a directory written by `clika run --tasks fictional`");
    return run;
}

}  // namespace clika
