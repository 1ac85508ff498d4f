#pragma once
// Evaluating a model on the fictional test files (the Conductivity level): the test sets per language, the prompt,
// the grading of answers, and the lines `clika run --tasks fictional` writes.
//
// Test items ("Which continent is X located in?") and Translate items (English -> L name) are asked in LLaMA-Factory's
// `alpaca` template, the one `clika conductivity export` configures for training:
//   "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
//   "### Instruction:\n" + prompt [+ "\n" + input] + "\n\n### Response:\n"
//
// Two ways to answer a test item:
//   generate  greedy decoding (up to N tokens, until end-of-sequence or a line break after some text). Correct when
//             the answer names the gold continent in the item's language: after removing the item's city name
//             (city names may contain continent names, e.g. "Empyrean-Imperium"), the continent named first is the
//             gold one. Names are compared case-insensitively (ASCII, Latin-1/Extended-A, Greek, Cyrillic).
//   choice    a 20-way log-likelihood choice (chance 1/20): the reference answer up to its (last) mention of the
//             continent ("Astralyn Sands is located in the continent of") continued by each of the language's 20
//             continent names; the most likely name is the answer. Tokens all 20 continuations start with are scored
//             once as context, so `scores` are log-likelihoods from the first token where the names differ (the same
//             ranking as the whole names').
// Translate items: generate -- the answer contains the reference translation (case-insensitively); choice -- the
// reference translation is the greedy continuation (every token the argmax).
//
// Facts are matched across languages by line: line i of test<L>.jsonl asks about the same city as line i of
// testEN.jsonl (checked when the test sets load: same type tags, and names that are translations per translate<L>).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/fictional.hpp"
#include "clika/jsonl.hpp"
#include "clika/logprob.hpp"
#include "clika/metrics/conductivity.hpp"
#include "clika/utf8.hpp"

namespace clika {

inline constexpr std::string_view alpaca_system =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n";

// LLaMA-Factory's alpaca template for an Alpaca record (its user turn is instruction + "\n" + input).
[[nodiscard]] inline std::string alpaca_prompt(std::string_view instruction, std::string_view input) {
    std::string out(alpaca_system);
    out += "### Instruction:\n";
    out += instruction;
    if (!input.empty()) {
        out += "\n";
        out += input;
    }
    out += "\n\n### Response:\n";
    return out;
}

// ---- case folding and grading ---------------------------------------------------------------------------------------

[[nodiscard]] constexpr char32_t fold_code_point(char32_t c) noexcept {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1u) != 0 ? c + 1 : c;
    if (c == 0x178) return 0xFF;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    return c;
}

inline void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Lower case for the scripts of the ten languages that have case; invalid UTF-8 bytes are kept as they are.
[[nodiscard]] inline std::string fold_case(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        char32_t c = 0;
        const std::size_t len = decode_utf8(text, c);
        if (len == 0) {
            out += text.front();
            text.remove_prefix(1);
            continue;
        }
        append_utf8(out, fold_code_point(c));
        text.remove_prefix(len);
    }
    return out;
}

// Index of the continent an answer names first once the item's city is removed (ties: the longer name); -1 for none.
// `continents` must be case-folded.
[[nodiscard]] inline int named_continent(std::string_view answer, std::string_view city, const std::vector<std::string>& continents) {
    std::string text = fold_case(answer);
    const std::string folded_city = fold_case(city);
    if (!folded_city.empty())
        for (std::size_t at = text.find(folded_city); at != std::string::npos; at = text.find(folded_city, at + 1)) text.replace(at, folded_city.size(), "\n");
    int best = -1;
    std::size_t best_at = std::string::npos;
    for (std::size_t k = 0; k < continents.size(); ++k) {
        if (continents[k].empty()) continue;
        const std::size_t at = text.find(continents[k]);
        if (at == std::string::npos) continue;
        if (best < 0 || at < best_at || (at == best_at && continents[k].size() > continents[static_cast<std::size_t>(best)].size())) {
            best = static_cast<int>(k);
            best_at = at;
        }
    }
    return best;
}

[[nodiscard]] inline bool contains_folded(std::string_view text, std::string_view needle) {
    return !needle.empty() && fold_case(text).find(fold_case(needle)) != std::string::npos;
}

// The answer part of generated text: leading whitespace dropped, cut at the first line break after some text.
[[nodiscard]] inline std::string answer_text(std::string_view generated) {
    std::string_view text = strip_leading_space(generated);
    if (const std::size_t nl = text.find('\n'); nl != std::string_view::npos) text = text.substr(0, nl);
    return std::string(text);
}

// The reference answer up to its last mention of the gold continent: the cloze context of the choice mode (empty when
// the answer does not mention it).
[[nodiscard]] inline std::string answer_prefix(std::string_view sentence, std::string_view gold) {
    const std::size_t at = gold.empty() ? std::string_view::npos : sentence.rfind(gold);
    return at == std::string_view::npos ? std::string() : std::string(sentence.substr(0, at));
}

// ---- test sets --------------------------------------------------------------------------------------------------------

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

// ---- run files -------------------------------------------------------------------------------------------------------

[[nodiscard]] inline fs::path fictional_run_dir(const fs::path& run_dir, Lang lang) { return run_dir / "fictional" / std::string(code(lang)); }
[[nodiscard]] inline fs::path fictional_predictions_path(const fs::path& run_dir, Lang lang) { return fictional_run_dir(run_dir, lang) / "predictions.jsonl"; }
[[nodiscard]] inline fs::path fictional_translate_run_path(const fs::path& run_dir, Lang lang) { return fictional_run_dir(run_dir, lang) / "translate.jsonl"; }

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

[[nodiscard]] inline std::string fictional_mode_name(bool generate, bool choice) {
    return generate && choice ? "both" : generate ? "generate" : "choice";
}

[[nodiscard]] inline std::string fictional_test_line(std::size_t uuid, const FictionalTestSet& set, const std::string& prompt, const FictionalAnswer& a) {
    const FictionalTestItem& t = set.items[uuid];
    nlohmann::ordered_json line;
    line["id"] = uuid;
    line["uuid"] = uuid;
    line["type"] = t.item.type;
    line["input"] = prompt;
    line["label"] = t.item.continent;
    line["city"] = t.item.city;
    line["mode"] = fictional_mode_name(a.generated_present, a.choice_present);
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
    line["mode"] = fictional_mode_name(a.generated_present, a.choice_present);
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
    return fs::is_directory(run_dir / "fictional", ec);
}

[[nodiscard]] inline FictionalRun load_fictional_run(const fs::path& run_dir, std::span<const Lang> langs = all_langs) {
    FictionalRun run;
    run.model = run_dir.filename().string();
    bool any = false;
    for (Lang lang : langs) {
        run.langs[index(lang)] = load_fictional_run_lang(run_dir, lang);
        any = any || run.langs[index(lang)].has_value();
    }
    if (!any) fail_input({run_dir / "fictional"}, "no fictional/<lang>/predictions.jsonl", "a directory written by `clika run --tasks fictional`");
    return run;
}

}  // namespace clika
