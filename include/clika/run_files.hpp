#pragma once
// Where a clika run keeps its outputs: RUN_DIR/<task>/<folder>/predictions.jsonl, in the upstream prediction format.

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/path_kind.hpp"
#include "clika/predictions.hpp"
#include "clika/results.hpp"

namespace clika {

[[nodiscard]] inline fs::path run_predictions_path(const fs::path& run_dir, Task task, Lang lang) {
    return run_dir / name(task) / spec(task).dir(lang) / "predictions.jsonl";
}

// Every task/language a run has written; missing ones stay absent.
[[nodiscard]] inline ResultSet load_run(const fs::path& run_dir, std::span<const Task> tasks = multiple_choice_tasks,
                                        std::span<const Lang> langs = all_langs) {
    require_existing_directory(run_dir, "run directory", "a directory written by `clika run --out`");
    std::error_code ec;
    ResultSet out;
    out.model = run_dir.filename().string();
    bool any = false;
    for (Task task : tasks)
        for (Lang lang : langs) {
            fs::path file = run_predictions_path(run_dir, task, lang);
            if (!fs::exists(file, ec)) continue;
            out.put(task, lang, load_predictions(file, task));
            any = true;
        }
    if (!any) fail_input({run_dir}, "no predictions.jsonl in any task/language folder", "RUN_DIR/<task>/<folder>/predictions.jsonl");
    return out;
}

namespace detail_run_files {

// Where nlohmann's parser is in a file: it reads the bytes one at a time through this iterator, which keeps the line of
// the last byte read -- when the parser reports a key, its closing quote; when a number overflows, the byte after it.
struct ReadLines {
    std::size_t newlines = 0;  // before the next byte
    std::size_t last = 1;      // line of the last byte read (1-based)
};

class LineCountingIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    LineCountingIterator() = default;
    LineCountingIterator(const char* at, ReadLines* lines) : at_(at), lines_(lines) {}
    reference operator*() const { return *at_; }
    LineCountingIterator& operator++() {
        lines_->last = lines_->newlines + 1;
        if (*at_ == '\n') ++lines_->newlines;
        ++at_;
        return *this;
    }
    LineCountingIterator operator++(int) {
        LineCountingIterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const LineCountingIterator& other) const { return at_ == other.at_; }

private:
    const char* at_ = nullptr;
    ReadLines* lines_ = nullptr;
};

}  // namespace detail_run_files

// A run's manifest as written; an unreadable one is an error naming the file. Strict like every input clika reads
// (clika/jsonl.hpp): trailing bytes, literals JSON does not have (NaN, Infinity), numbers out of double's range and a
// key twice in one object are errors with file:line. (nlohmann keeps the last of two equal keys, simdjson the first:
// refuse rather than pick one.)
[[nodiscard]] inline nlohmann::json read_run_manifest(const fs::path& path) {
    require_regular_file(path, "run manifest", "the run.json clika wrote");  // /dev/zero would be read until memory runs out
    std::ifstream in(path, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) fail_input({path}, "cannot read the run manifest");
    if (text.starts_with("\xEF\xBB\xBF"))  // nlohmann would skip it; Python's json.load refuses it, as do clika's loaders
        fail_input({path, 1}, "the file starts with a UTF-8 byte-order mark (BOM), which JSON does not allow",
                   "UTF-8 without a BOM: remove the first three bytes, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE");
    using Json = nlohmann::json;
    struct OpenObject {
        std::vector<std::string> keys;  // in order of appearance
        std::string key;                // the key whose value is being read
    };
    std::vector<OpenObject> open;
    detail_run_files::ReadLines lines;
    std::optional<Location> duplicate;
    const Json::parser_callback_t strict = [&](int, Json::parse_event_t event, Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start: open.emplace_back(); break;
            case Json::parse_event_t::object_end:
                if (!open.empty()) open.pop_back();
                break;
            case Json::parse_event_t::key: {
                if (open.empty() || duplicate) break;
                OpenObject& object = open.back();
                object.key = parsed.get<std::string>();
                if (std::find(object.keys.begin(), object.keys.end(), object.key) != object.keys.end()) {
                    std::string field;
                    for (const OpenObject& o : open) field += (field.empty() ? "" : ".") + o.key;
                    duplicate = Location{path, lines.last, std::move(field)};
                } else {
                    object.keys.push_back(object.key);
                }
                break;
            }
            default: break;
        }
        return true;
    };
    Json manifest;
    try {
        manifest = Json::parse(detail_run_files::LineCountingIterator(text.data(), &lines),
                               detail_run_files::LineCountingIterator(text.data() + text.size(), &lines), strict);
    } catch (const std::exception& e) {
        // (the message names line and column too; the location names the line, as for every other input)
        fail_input({path, text.empty() ? 0 : lines.last}, fmt::format("unreadable run manifest: {}", e.what()), "the run.json clika wrote");
    }
    if (duplicate) fail_input(std::move(*duplicate), "appears twice in one object", "every key once per object, as clika writes run.json");
    return manifest;
}

// A task and language a run was asked for that holds fewer answers than its run.json counts (an unfinished run).
struct RunGap {
    Task task{};
    Lang lang{};
    std::size_t answered = 0;
    std::size_t expected = 0;  // 0: not recorded (manifests written before clika recorded the counts)
};

// Every gap within `tasks` and `langs` between a run's manifest and the results loaded from its directory.
[[nodiscard]] inline std::vector<RunGap> run_gaps(const nlohmann::json& manifest, const ResultSet& results, std::span<const Task> tasks,
                                                  std::span<const Lang> langs) {
    std::vector<RunGap> out;
    if (!manifest.contains("tasks") || !manifest["tasks"].is_array() || !manifest.contains("langs") || !manifest["langs"].is_array()) return out;
    const nlohmann::json* counts = manifest.contains("questions") && manifest["questions"].is_object() ? &manifest["questions"] : nullptr;
    for (const auto& task_name : manifest["tasks"]) {
        const auto task = task_name.is_string() ? parse_task(task_name.get<std::string>()) : std::nullopt;
        if (!task || std::find(tasks.begin(), tasks.end(), *task) == tasks.end()) continue;
        for (const auto& lang_code : manifest["langs"]) {
            const auto lang = lang_code.is_string() ? parse_lang(lang_code.get<std::string>()) : std::nullopt;
            if (!lang || std::find(langs.begin(), langs.end(), *lang) == langs.end()) continue;
            const auto& got = results.get(*task, *lang);
            RunGap gap{*task, *lang, got ? got->correct.size() : 0, 0};
            if (counts != nullptr) {
                const auto at = counts->find(name(*task));
                if (at != counts->end() && at->contains(code(*lang)) && (*at)[code(*lang)].is_number_unsigned())
                    gap.expected = (*at)[code(*lang)].get<std::size_t>();
            }
            if (gap.answered == 0 || gap.answered < gap.expected) out.push_back(gap);
        }
    }
    return out;
}

[[nodiscard]] inline std::string describe(const RunGap& gap) {
    constexpr std::string_view resume = "run the same `clika run` command to resume";
    if (gap.answered == 0) return fmt::format("{} {}: not answered yet (the run is unfinished: {})", name(gap.task), code(gap.lang), resume);
    return fmt::format("{} {}: {} of {} questions answered, left out of these scores until the run is finished ({})", name(gap.task),
                       code(gap.lang), gap.answered, gap.expected, resume);
}

}  // namespace clika
