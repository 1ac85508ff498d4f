#pragma once
// The fictional test sets per language (the Conductivity level), read and cross-checked before a run starts.
// Facts are matched across languages by line: line i of test<L>.jsonl asks about the same city as line i of
// testEN.jsonl (checked when the test sets load: same type tags, and names that are translations per translate<L>).

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/fictional.hpp"
#include "clika/jsonl.hpp"

namespace clika {

struct FictionalTestItem {
    FictionalItem item;
    std::size_t line = 0;
    std::size_t gold = 0;  // index into FictionalTestSet::continents
};

struct FictionalTestSet {
    Lang lang = Lang::en;
    fs::path test_path;
    fs::path translate_path;                         // empty for English
    std::vector<FictionalTestItem> items;            // in file order; uuid = index
    std::vector<std::string> continents;             // the item language's names, in order of first appearance
    std::vector<InstructionRecord> translations;     // English -> L (non-English only), in file order
    std::unordered_map<std::string, std::string> translation_of;  // English name -> L name
};

[[nodiscard]] inline FictionalTestSet load_fictional_test_set(const fs::path& data_dir, Lang lang) {
    FictionalTestSet set;
    set.lang = lang;
    set.test_path = fictional_test_path(data_dir, lang);
    std::unordered_map<std::string, std::size_t> continent_index;
    JsonlFile file(set.test_path);
    file.for_each([&](const JsonRecord& r) {
        const std::string_view answer = r.string("answer");
        const auto tags = parse_fictional_tags(answer);
        if (!tags) r.fail("answer", "tags are missing or malformed", "the answer to end in [[continent:NAME]][[city:NAME]][[type:0|1]]");
        FictionalTestItem t{{std::string(r.string("prompt")), std::string(r.string("input")), std::string(tags->text), std::string(tags->continent),
                             std::string(tags->city), tags->type},
                            r.line(), 0};
        auto [at, fresh] = continent_index.try_emplace(t.item.continent, set.continents.size());
        if (fresh) set.continents.push_back(t.item.continent);
        t.gold = at->second;
        set.items.push_back(std::move(t));
    });
    if (set.items.empty()) fail_input({set.test_path}, "no test items in file", "one JSON line per item");
    if (set.continents.size() < 2) fail_input({set.test_path}, "the items name fewer than two continents", "a choice between continents");
    if (lang != Lang::en) {
        set.translate_path = fictional_translate_path(data_dir, lang);
        set.translations = load_fictional_translations(data_dir, lang);
        for (const InstructionRecord& r : set.translations) set.translation_of.try_emplace(r.input, r.answer);
    }
    return set;
}

// Line i of `other` must be the fact of line i of `english`: same type, and city and continent translated as
// translate<L>.jsonl says (where it lists them).
inline void check_parallel(const FictionalTestSet& english, const FictionalTestSet& other) {
    if (other.items.size() != english.items.size())
        fail_input({other.test_path}, fmt::format("{} items, {} has {}", other.items.size(), english.test_path.string(), english.items.size()),
                   "the same facts, line by line, in every language");
    for (std::size_t i = 0; i < other.items.size(); ++i) {
        const FictionalTestItem& e = english.items[i];
        const FictionalTestItem& x = other.items[i];
        const Location where{other.test_path, x.line, "answer"};
        if (e.item.type != x.item.type)
            fail_input(where, fmt::format("type {} here, type {} on line {} of {}", x.item.type, e.item.type, e.line, english.test_path.string()),
                       "the same fact on the same line in every language");
        auto expect = [&](const std::string& english_name, const std::string& local, std::string_view what) {
            auto t = other.translation_of.find(english_name);
            if (t != other.translation_of.end() && t->second != local)
                fail_input(where, fmt::format("{} \"{}\" is not \"{}\" (line {} of {}), which {} translates as \"{}\"", what, local, english_name, e.line,
                                              english.test_path.string(), other.translate_path.string(), t->second),
                           "the same fact on the same line in every language");
        };
        expect(e.item.city, x.item.city, "city");
        expect(e.item.continent, x.item.continent, "continent");
    }
}

// The languages of a fictional run in run order: English first, added when missing (XRR and the training gate need
// its answers).
[[nodiscard]] inline std::vector<Lang> fictional_run_langs(std::vector<Lang> langs) {
    if (std::find(langs.begin(), langs.end(), Lang::en) == langs.end()) langs.insert(langs.begin(), Lang::en);
    std::stable_partition(langs.begin(), langs.end(), [](Lang l) { return l == Lang::en; });
    return langs;
}

// Every test set of `langs` (English first: fictional_run_langs), read and checked against English's before a model
// loads.
[[nodiscard]] inline std::vector<FictionalTestSet> load_fictional_test_sets(const fs::path& data_dir, std::span<const Lang> langs) {
    std::vector<FictionalTestSet> sets;
    for (Lang lang : langs) {
        sets.push_back(load_fictional_test_set(data_dir, lang));
        if (lang != Lang::en) check_parallel(sets.front(), sets.back());
    }
    return sets;
}

// Which of `count` items --limit N keeps: N spread evenly over them (positions floor(j * count / N)), so that a short
// run still covers every continent; all when N is 0 or not below count.
[[nodiscard]] inline std::vector<std::size_t> spread_positions(std::size_t count, std::size_t limit) {
    std::vector<std::size_t> out;
    if (limit == 0 || limit >= count) {
        for (std::size_t i = 0; i < count; ++i) out.push_back(i);
        return out;
    }
    for (std::size_t j = 0; j < limit; ++j) out.push_back(j * count / limit);
    return out;
}

// The test items kept under --limit N: N of type 0 and N of type 1, each spread evenly over that type's items, as
// line indices in file order.
[[nodiscard]] inline std::vector<std::size_t> limited_items(const FictionalTestSet& set, std::size_t limit) {
    std::vector<std::size_t> by_type[2];
    for (std::size_t i = 0; i < set.items.size(); ++i) by_type[set.items[i].item.type].push_back(i);
    std::vector<std::size_t> out;
    for (const auto& items : by_type)
        for (std::size_t p : spread_positions(items.size(), limit)) out.push_back(items[p]);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace clika
