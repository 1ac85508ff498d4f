#pragma once
// Reading a multiple-choice run directory back: the answers it holds (their lines as clika/run/prediction_line.hpp
// reads them) and the gaps between them and what run.json says a finished run holds.

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/results.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/paths.hpp"
#include "clika/path_kind.hpp"
#include "clika/run/prediction_line.hpp"

namespace clika {

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
