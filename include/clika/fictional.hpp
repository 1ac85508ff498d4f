#pragma once
// The Conductivity experiment's files: English-taught fictional facts, their test items and name translations.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/jsonl.hpp"

namespace clika {

// An instruction-tuning record: training data and Translate test items share this shape.
struct InstructionRecord {
    std::string prompt;
    std::string input;
    std::string answer;
};

// "Which continent is X located in?" with its reference answer and the tags that grade it.
struct FictionalItem {
    std::string prompt;
    std::string input;
    std::string answer;     // the reference sentence, tags removed
    std::string continent;  // in the item's language
    std::string city;
    int type = 0;  // 0: asked in the training language; 1: the Conductivity test set
};

[[nodiscard]] inline fs::path fictional_train_path(const fs::path& data_dir, Lang lang) {
    return data_dir / "fictional" / "train" / fmt::format("{}.json", spec(Task::fictional).dir(lang));
}

[[nodiscard]] inline fs::path fictional_test_path(const fs::path& data_dir, Lang lang) {
    return data_dir / "fictional" / "test" / "target" / fmt::format("test{}.jsonl", spec(Task::fictional).dir(lang));
}

[[nodiscard]] inline fs::path fictional_translate_path(const fs::path& data_dir, Lang lang) {
    return data_dir / "fictional" / "test" / "Translate" / fmt::format("translate{}.jsonl", spec(Task::fictional).dir(lang));
}

struct FictionalTags {
    std::string_view text;
    std::string_view continent;
    std::string_view city;
    int type = 0;
};

// Splits "sentence[[continent:C]][[city:Y]][[type:0|1]]"; nullopt unless all three tags close the answer in order.
[[nodiscard]] inline std::optional<FictionalTags> parse_fictional_tags(std::string_view answer) {
    constexpr std::string_view open_continent = "[[continent:", open_city = "]][[city:", open_type = "]][[type:";
    const std::size_t at = answer.rfind(open_continent);
    if (at == std::string_view::npos || !answer.ends_with("]]")) return std::nullopt;
    std::string_view tags = answer.substr(at + open_continent.size());
    tags.remove_suffix(2);
    const std::size_t city = tags.find(open_city);
    if (city == std::string_view::npos) return std::nullopt;
    const std::size_t type = tags.find(open_type, city);
    if (type == std::string_view::npos) return std::nullopt;
    FictionalTags out{answer.substr(0, at), tags.substr(0, city), tags.substr(city + open_city.size(), type - city - open_city.size()), 0};
    std::string_view type_text = tags.substr(type + open_type.size());
    if (type_text != "0" && type_text != "1") return std::nullopt;
    if (out.continent.empty() || out.city.empty()) return std::nullopt;
    out.type = type_text == "1" ? 1 : 0;
    return out;
}

namespace detail {

inline std::vector<InstructionRecord> load_instructions(const fs::path& path) {
    JsonlFile file(path);
    std::vector<InstructionRecord> out;
    file.for_each([&](const JsonRecord& r) {
        out.push_back({std::string(r.string("prompt")), std::string(r.string("input")), std::string(r.string("answer"))});
    });
    if (out.empty()) fail_input({path}, "no records in file", "one JSON line per record");
    return out;
}

}  // namespace detail

// fictional/train/<L>.json (JSON Lines despite the name). English has no file: every language's set teaches English facts.
[[nodiscard]] inline std::vector<InstructionRecord> load_fictional_train(const fs::path& data_dir, Lang lang) {
    if (lang == Lang::en) fail_input({}, "there is no English training file: each language's file holds the English facts", "a language other than en");
    return detail::load_instructions(fictional_train_path(data_dir, lang));
}

[[nodiscard]] inline std::vector<InstructionRecord> load_fictional_translations(const fs::path& data_dir, Lang lang) {
    if (lang == Lang::en) fail_input({}, "there is no English Translate file", "a language other than en");
    return detail::load_instructions(fictional_translate_path(data_dir, lang));
}

[[nodiscard]] inline std::vector<FictionalItem> load_fictional_test(const fs::path& data_dir, Lang lang) {
    JsonlFile file(fictional_test_path(data_dir, lang));
    std::vector<FictionalItem> out;
    file.for_each([&](const JsonRecord& r) {
        std::string_view answer = r.string("answer");
        auto tags = parse_fictional_tags(answer);
        if (!tags) r.fail("answer", "tags are missing or malformed", "the answer to end in [[continent:NAME]][[city:NAME]][[type:0|1]]");
        out.push_back({std::string(r.string("prompt")), std::string(r.string("input")), std::string(tags->text),
                       std::string(tags->continent), std::string(tags->city), tags->type});
    });
    if (out.empty()) fail_input({file.path()}, "no test items in file", "one JSON line per item");
    return out;
}

}  // namespace clika
