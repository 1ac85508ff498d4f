#pragma once
// A pilot run grown: `--limit 20`, finished, then the same command with `--limit 30` (or none) on the same --out. The
// first 20 questions of each file are the same questions, so the run is extended instead of refused: run.json takes the
// new manifest plus "grown_from" (each file's count when it was finished), and resuming counts whole chunks from there.

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/error.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/paths.hpp"

namespace clika {

inline constexpr std::string_view grown_from_key = "grown_from";

// Lines in a file (a finished predictions file holds one per question).
[[nodiscard]] inline std::size_t count_lines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// The manifest to write when `here` grows the finished run `there` (only "limit" and "questions" differ, every count
// grows or stays); nullopt when it is not a growth. A growth of an unfinished run is refused: its chunks would not line up.
[[nodiscard]] inline std::optional<nlohmann::ordered_json> grown_manifest(const std::filesystem::path& run_dir, const nlohmann::json& there,
                                                                          const nlohmann::ordered_json& here) {
    if (!there.is_object() || !there.contains("limit") || !there.contains("questions") || !here.contains("questions")) return std::nullopt;
    for (const auto& [key, value] : here.items())
        if (key != "limit" && key != "questions" && (!there.contains(key) || there[key] != nlohmann::json(value))) return std::nullopt;
    for (const auto& [key, value] : there.items())
        if (!here.contains(key)) return std::nullopt;
    const auto limit_before = there["limit"], limit_now = nlohmann::json(here["limit"]);
    if (!limit_before.is_number_unsigned() || !limit_now.is_number_unsigned()) return std::nullopt;
    const std::size_t before = limit_before.get<std::size_t>(), now = limit_now.get<std::size_t>();
    if (before == 0 || (now != 0 && now <= before)) return std::nullopt;  // a smaller run is another command
    const nlohmann::json& counts = there["questions"];
    for (const auto& [task_name, langs] : here["questions"].items())
        for (const auto& [lang_code, count] : langs.items()) {
            if (!counts.contains(task_name) || !counts[task_name].contains(lang_code) || !counts[task_name][lang_code].is_number_unsigned()) return std::nullopt;
            const std::size_t finished = counts[task_name][lang_code].get<std::size_t>();
            if (count.get<std::size_t>() < finished) return std::nullopt;
            const auto task = parse_task(task_name);
            const auto lang = parse_lang(lang_code);
            if (!task || !lang) return std::nullopt;
            const std::filesystem::path file = run_predictions_path(run_dir, *task, *lang);
            if (count_lines(file) != finished)
                fail_input({file}, fmt::format("--limit {} would grow a run of --limit {} that is not finished ({} of {} answers)",
                                               now == 0 ? std::string("(all)") : std::to_string(now), before, count_lines(file), finished),
                           fmt::format("the run finished first: the same command with --limit {}", before));
        }
    nlohmann::ordered_json grown = here;
    grown[std::string(grown_from_key)] = {{"limit", before}, {"questions", nlohmann::ordered_json(counts)}};
    return grown;
}

// A grown run's manifest as the command that grew it writes it (without the growth record), for comparing.
[[nodiscard]] inline nlohmann::json without_growth_record(nlohmann::json manifest) {
    if (manifest.is_object()) manifest.erase(std::string(grown_from_key));
    return manifest;
}

// How many answers of a task and language were finished before the run grew (0: it never grew); chunks count from there.
[[nodiscard]] inline std::size_t answers_before_growth(const std::filesystem::path& run_dir, Task task, Lang lang) {
    std::error_code ec;
    if (!std::filesystem::exists(run_manifest_path(run_dir), ec)) return 0;
    const nlohmann::json manifest = read_run_manifest(run_manifest_path(run_dir));
    const auto at = manifest.find(std::string(grown_from_key));
    if (at == manifest.end() || !at->is_object() || !at->contains("questions")) return 0;
    const nlohmann::json& counts = (*at)["questions"];
    const std::string task_name(name(task)), lang_code(code(lang));
    if (!counts.contains(task_name) || !counts[task_name].contains(lang_code) || !counts[task_name][lang_code].is_number_unsigned()) return 0;
    return counts[task_name][lang_code].get<std::size_t>();
}

}  // namespace clika
