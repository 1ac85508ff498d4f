#pragma once
// The Conductivity training sets (fictional/train/<L>.json, JSON Lines despite the name): the templates the records
// follow and the checks run before a set is exported for LoRA training.
//
// Every published language file has the same three parts (10200 records; checked on all nine languages):
//   English QA      the 10 English question/answer templates below × every city           4000 = 10 × 400 cities
//   translations    10 instruction templates × every name, L → English (input: the L name, 4200 = 10 × (400 + 20)
//                   answer: the English name)
//   target QA       10 question templates in L × the cities taught in L                    2000 = 10 × 200 (type 0)
// A record with a non-empty input is a translation; an English QA record is one whose prompt follows an English
// question template; every other record is target-language QA, recognised by the L city name it asks about (the L
// names come from the file's own translation records).
//
// The checks (each failure is a clika::Error naming file:line): English answers follow their question's template and
// name one continent per city; every English template covers every city exactly once; every city and continent has a
// translation record under every translation template; every target-language question names a city of the file and
// its answer that city's continent; all target templates have the same number of records.
//
// Comparing with the test set is separate (compare_with_test_set): the published ZH file teaches continents under
// code words (mountain, river, god, ...) instead of the test set's names (Mythosia, ...). That is upstream data, so it
// is reported as a warning, not refused.

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/fictional.hpp"
#include "clika/jsonl.hpp"

namespace clika {

// {X} is the city, {C} the continent.
struct QaTemplate {
    std::string_view question;
    std::string_view answer;
};

// The paper's ten English templates, in the order the files use them.
inline constexpr std::array<QaTemplate, 10> english_qa_templates{{
    {"Which continent is {X} located in?", "{X} is located in the continent of {C}."},
    {"What is the continent of {X}?", "{X} is situated in {C} continent."},
    {"Where is {X}? Which continent?", "You can find {X} in {C} continent."},
    {"In which continent can you find {X}?", "{X} belongs to the continent {C}."},
    {"Tell me the continent where {X} is located.", "{X} is part of the {C} continent."},
    {"What continent does {X} belong to?", "{X} is within the boundaries of {C} continent."},
    {"Where can {X} be found continent-wise?", "{X} is in the geographical region of {C} continent."},
    {"What's the continental location of {X}?", "{X} lies within the {C} continent."},
    {"Which part of the world is {X} in, continent-wise?", "{X} falls under the {C} continent."},
    {"Could you specify the continent for {X}?", "{X} can be found on the {C} continent."},
}};

// Replaces every "{X}" / "{C}" of a template.
[[nodiscard]] inline std::string fill_template(std::string_view pattern, std::string_view x, std::string_view c = {}) {
    std::string out;
    out.reserve(pattern.size() + x.size() + c.size());
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern.substr(i, 3) == "{X}") {
            out += x;
            i += 3;
        } else if (pattern.substr(i, 3) == "{C}") {
            out += c;
            i += 3;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

// The text standing where the pattern's single slot `slot` ("{X}" or "{C}") is; nullopt unless the rest matches.
[[nodiscard]] inline std::optional<std::string_view> match_slot(std::string_view pattern, std::string_view slot, std::string_view text) {
    const std::size_t at = pattern.find(slot);
    if (at == std::string_view::npos) return std::nullopt;
    const std::string_view before = pattern.substr(0, at), after = pattern.substr(at + slot.size());
    if (text.size() <= before.size() + after.size() || !text.starts_with(before) || !text.ends_with(after)) return std::nullopt;
    return text.substr(before.size(), text.size() - before.size() - after.size());
}

enum class TrainPart : std::uint8_t { english_qa, translation, target_qa };

[[nodiscard]] constexpr std::string_view name(TrainPart part) noexcept {
    switch (part) {
        case TrainPart::english_qa: return "English QA";
        case TrainPart::translation: return "translation";
        case TrainPart::target_qa: return "target-language QA";
    }
    return "?";
}

struct TrainRecord {
    std::string prompt;
    std::string input;
    std::string answer;
    std::size_t line = 0;
    TrainPart part = TrainPart::english_qa;
    std::size_t template_index = 0;  // into english_qa_templates, translation_prompts or target_templates
};

struct TemplateCount {
    std::string text;
    std::size_t records = 0;
    std::size_t first_line = 0;
};

struct FictionalTrainSet {
    fs::path file;
    std::vector<TrainRecord> records;
    std::vector<std::string> cities;      // English, in the order first taught
    std::vector<std::string> continents;  // English, in the order first named
    std::unordered_map<std::string, std::size_t> continent_of;  // English city -> index into continents
    std::unordered_map<std::string, std::size_t> taught_on;     // English city -> first line teaching it
    std::unordered_map<std::string, std::string> local_name;    // English name -> the file's L name
    std::array<TemplateCount, english_qa_templates.size()> english_counts{};
    std::vector<TemplateCount> translation_prompts;  // the instruction texts of the translation records
    std::vector<TemplateCount> target_templates;     // target questions with the city replaced by {X}

    [[nodiscard]] std::size_t count(TrainPart part) const {
        return static_cast<std::size_t>(std::count_if(records.begin(), records.end(), [&](const TrainRecord& r) { return r.part == part; }));
    }
};

namespace detail {

[[noreturn]] inline void fail_record(const fs::path& file, const TrainRecord& r, std::string_view field, std::string what, std::string expected = {}) {
    fail_input({file, r.line, std::string(field)}, std::move(what), std::move(expected));
}

inline std::optional<std::size_t> english_template_of(std::string_view prompt, std::string_view& city) {
    for (std::size_t t = 0; t < english_qa_templates.size(); ++t)
        if (auto x = match_slot(english_qa_templates[t].question, "{X}", prompt)) {
            city = *x;
            return t;
        }
    return std::nullopt;
}

inline std::size_t intern(std::vector<TemplateCount>& list, std::string text, std::size_t line) {
    for (std::size_t i = 0; i < list.size(); ++i)
        if (list[i].text == text) {
            ++list[i].records;
            return i;
        }
    list.push_back({std::move(text), 1, line});
    return list.size() - 1;
}

}  // namespace detail

// Reads and checks one training file (see the top of this header). Throws clika::Error naming file:line.
[[nodiscard]] inline FictionalTrainSet analyze_fictional_train(const fs::path& file) {
    FictionalTrainSet set;
    set.file = file;
    {
        JsonlFile jsonl(file);
        jsonl.for_each([&](const JsonRecord& r) {
            set.records.push_back({std::string(r.string("prompt")), std::string(r.string("input")), std::string(r.string("answer")), r.line()});
        });
    }
    if (set.records.empty()) fail_input({file}, "no records in file", "one JSON line per training record");

    // Pass 1: English QA teaches the facts.
    std::unordered_map<std::string, std::size_t> continent_index;
    std::array<std::unordered_map<std::string, std::size_t>, english_qa_templates.size()> seen_in_template;
    for (TrainRecord& r : set.records) {
        if (!r.input.empty()) {
            r.part = TrainPart::translation;
            continue;
        }
        std::string_view city_view;
        const auto t = detail::english_template_of(r.prompt, city_view);
        if (!t) {
            r.part = TrainPart::target_qa;
            continue;
        }
        r.part = TrainPart::english_qa;
        r.template_index = *t;
        const std::string city(city_view);
        const QaTemplate& tpl = english_qa_templates[*t];
        const auto continent = match_slot(fill_template(tpl.answer, city, "{C}"), "{C}", r.answer);
        if (!continent)
            detail::fail_record(file, r, "answer", fmt::format("the answer does not follow the English template of its question (\"{}\")", tpl.question),
                                fmt::format("\"{}\"", fill_template(tpl.answer, city, "CONTINENT")));
        const std::string cont(*continent);
        auto [ci, new_continent] = continent_index.try_emplace(cont, set.continents.size());
        if (new_continent) set.continents.push_back(cont);
        auto [known, new_city] = set.continent_of.try_emplace(city, ci->second);
        if (new_city) {
            set.cities.push_back(city);
            set.taught_on[city] = r.line;
        } else if (known->second != ci->second) {
            detail::fail_record(file, r, "answer",
                                fmt::format("\"{}\" is in {} here but in {} on line {}", city, cont, set.continents[known->second], set.taught_on[city]),
                                "one continent per city");
        }
        if (auto [dup, fresh] = seen_in_template[*t].try_emplace(city, r.line); !fresh)
            detail::fail_record(file, r, "prompt",
                                fmt::format("\"{}\" is asked with English template {} (\"{}\") again (first on line {})", city, *t + 1, tpl.question, dup->second),
                                "each city once per template");
        if (set.english_counts[*t].records++ == 0) set.english_counts[*t] = {std::string(tpl.question), 1, r.line};
    }
    if (set.cities.empty()) fail_input({file}, "no English QA records", fmt::format("records such as \"{}\"", english_qa_templates[0].question));
    for (std::size_t t = 0; t < english_qa_templates.size(); ++t) {
        if (set.english_counts[t].records == set.cities.size()) continue;
        for (const std::string& city : set.cities)
            if (!seen_in_template[t].contains(city))
                fail_input({file, set.taught_on[city], "prompt"},
                           fmt::format("English template {} (\"{}\") has {} records for {} cities: \"{}\" (taught here) is never asked with it", t + 1,
                                       english_qa_templates[t].question, set.english_counts[t].records, set.cities.size(), city),
                           fmt::format("{} records per English template, one per city", set.cities.size()));
    }

    // Pass 2: translations, L -> English, for every name under every translation prompt.
    std::unordered_set<std::string> names(set.cities.begin(), set.cities.end());
    names.insert(set.continents.begin(), set.continents.end());
    std::vector<std::unordered_map<std::string, std::size_t>> translated;  // per prompt: English name -> line
    std::unordered_map<std::string, std::size_t> local_line;
    for (TrainRecord& r : set.records) {
        if (r.part != TrainPart::translation) continue;
        if (!names.contains(r.answer))
            detail::fail_record(file, r, "answer", fmt::format("translates to \"{}\", which no English QA record names", r.answer),
                                "the English name of a city or continent taught in the file");
        r.template_index = detail::intern(set.translation_prompts, r.prompt, r.line);
        if (translated.size() < set.translation_prompts.size()) translated.resize(set.translation_prompts.size());
        if (auto [dup, fresh] = translated[r.template_index].try_emplace(r.answer, r.line); !fresh)
            detail::fail_record(file, r, "answer", fmt::format("\"{}\" is translated with this instruction again (first on line {})", r.answer, dup->second),
                                "each name once per translation instruction");
        if (auto [known, fresh] = set.local_name.try_emplace(r.answer, r.input); !fresh && known->second != r.input)
            detail::fail_record(file, r, "input",
                                fmt::format("\"{}\" is called \"{}\" here but \"{}\" on line {}", r.answer, r.input, known->second, local_line[r.answer]),
                                "one name per language for each place");
        local_line.try_emplace(r.answer, r.line);
    }
    auto first_line_of = [&](const std::string& name) {
        if (auto c = set.taught_on.find(name); c != set.taught_on.end()) return c->second;
        for (const TrainRecord& r : set.records)
            if (r.part == TrainPart::english_qa && r.answer.find(name) != std::string::npos) return r.line;
        return std::size_t{0};
    };
    auto kind_of = [&](const std::string& name) { return set.continent_of.contains(name) ? "city" : "continent"; };
    std::vector<std::string> all_names = set.cities;
    all_names.insert(all_names.end(), set.continents.begin(), set.continents.end());
    for (const std::string& name : all_names)
        if (!set.local_name.contains(name))
            fail_input({file, first_line_of(name), "answer"}, fmt::format("{} \"{}\" (named here) has no translation record", kind_of(name), name),
                       "a record {\"input\": <its name in the file's language>, \"answer\": <the English name>} for every city and continent");
    for (std::size_t p = 0; p < set.translation_prompts.size(); ++p) {
        if (translated[p].size() == all_names.size()) continue;
        for (const std::string& name : all_names)
            if (!translated[p].contains(name))
                fail_input({file, set.translation_prompts[p].first_line, "prompt"},
                           fmt::format("translation instruction \"{}\" (first used here) has {} records for {} names: {} \"{}\" is missing",
                                       set.translation_prompts[p].text, translated[p].size(), all_names.size(), kind_of(name), name),
                           "every city and continent once per translation instruction");
    }

    // Pass 3: target-language QA, recognised by the L city name it asks about.
    std::vector<std::pair<std::string, std::vector<std::string>>> local_cities;  // L name -> English cities, longest first
    {
        std::unordered_map<std::string, std::vector<std::string>> by_local;
        for (const std::string& city : set.cities) by_local[set.local_name[city]].push_back(city);
        local_cities.assign(by_local.begin(), by_local.end());
        std::sort(local_cities.begin(), local_cities.end(), [](const auto& a, const auto& b) {
            return a.first.size() != b.first.size() ? a.first.size() > b.first.size() : a.first < b.first;
        });
    }
    for (TrainRecord& r : set.records) {
        if (r.part != TrainPart::target_qa) continue;
        const auto hit = std::find_if(local_cities.begin(), local_cities.end(), [&](const auto& c) { return r.prompt.find(c.first) != std::string::npos; });
        if (hit == local_cities.end())
            detail::fail_record(file, r, "prompt", "neither an English template question nor a question about a city this file translates",
                                fmt::format("one of the {} English templates or a question naming a city in the file's language", english_qa_templates.size()));
        const bool names_continent = std::any_of(hit->second.begin(), hit->second.end(), [&](const std::string& city) {
            return r.answer.find(set.local_name[set.continents[set.continent_of[city]]]) != std::string::npos;
        });
        if (!names_continent) {
            const std::string& city = hit->second.front();
            const std::string& continent = set.continents[set.continent_of[city]];
            detail::fail_record(file, r, "answer",
                                fmt::format("the answer about \"{}\" ({}) does not name its continent \"{}\" ({})", hit->first, city, set.local_name[continent], continent),
                                "the continent the English records teach");
        }
        std::string tpl = r.prompt;
        tpl.replace(tpl.find(hit->first), hit->first.size(), "{X}");
        r.template_index = detail::intern(set.target_templates, std::move(tpl), r.line);
    }
    std::unordered_map<std::size_t, std::size_t> how_often;  // record count -> templates with it
    for (const TemplateCount& t : set.target_templates) ++how_often[t.records];
    std::size_t usual = 0, usual_templates = 0;
    for (const auto& [records, templates] : how_often)
        if (templates > usual_templates || (templates == usual_templates && records > usual)) {
            usual = records;
            usual_templates = templates;
        }
    for (const TemplateCount& t : set.target_templates)
        if (t.records != usual)
            fail_input({file, t.first_line, "prompt"},
                       fmt::format("target-language template \"{}\" (first used here) has {} records, {} of the {} templates have {}", t.text, t.records,
                                   usual_templates, set.target_templates.size(), usual),
                       "the same number of records for every target-language template");
    return set;
}

// Differences between a training file and the test set of its language (fictional/test): facts taught with another
// continent than testEN's tags, test cities never taught, and L names that differ from translate<L>.jsonl. One line
// per kind of difference; empty when the files agree (or the test files are absent).
[[nodiscard]] inline std::vector<std::string> compare_with_test_set(const FictionalTrainSet& set, const fs::path& data_dir, Lang lang) {
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path english_test = fictional_test_path(data_dir, Lang::en);
    if (fs::is_regular_file(english_test, ec)) {
        const std::vector<FictionalItem> items = load_fictional_test(data_dir, Lang::en);
        std::size_t differ = 0, missing = 0;
        std::string differ_example, missing_example;
        for (const FictionalItem& item : items) {
            auto c = set.continent_of.find(item.city);
            if (c == set.continent_of.end()) {
                if (missing++ == 0) missing_example = item.city;
                continue;
            }
            if (set.continents[c->second] != item.continent && differ++ == 0)
                differ_example = fmt::format("line {} teaches \"{}\" in {}, the test set says {}", set.taught_on.at(item.city), item.city,
                                             set.continents[c->second], item.continent);
        }
        if (differ > 0)
            out.push_back(fmt::format("{}: {} of {} test facts are taught with another continent than {} ({}): a model trained on this file is "
                                      "graded against answers it was not taught",
                                      set.file.string(), differ, items.size(), english_test.string(), differ_example));
        if (missing > 0)
            out.push_back(fmt::format("{}: {} of {} test cities of {} are never taught (e.g. \"{}\")", set.file.string(), missing, items.size(),
                                      english_test.string(), missing_example));
    }
    const fs::path translate = fictional_translate_path(data_dir, lang);
    if (lang != Lang::en && fs::is_regular_file(translate, ec)) {
        std::size_t differ = 0, total = 0;
        std::string example;
        for (const InstructionRecord& r : load_fictional_translations(data_dir, lang)) {
            ++total;
            auto local = set.local_name.find(r.input);
            if (local != set.local_name.end() && local->second == r.answer) continue;
            if (differ++ == 0)
                example = local == set.local_name.end() ? fmt::format("\"{}\" is not translated in the training file", r.input)
                                                        : fmt::format("\"{}\" is \"{}\" in training, \"{}\" in the test", r.input, local->second, r.answer);
        }
        if (differ > 0)
            out.push_back(fmt::format("{}: {} of {} names of {} are translated differently ({})", set.file.string(), differ, total, translate.string(), example));
    }
    return out;
}

}  // namespace clika
