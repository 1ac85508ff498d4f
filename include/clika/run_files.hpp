#pragma once
// Where a clika run keeps its outputs: RUN_DIR/<task>/<folder>/predictions.jsonl, in the upstream prediction format.

#include <filesystem>
#include <span>
#include <string_view>

#include "clika/dataset.hpp"
#include "clika/predictions.hpp"
#include "clika/results.hpp"

namespace clika {

[[nodiscard]] inline fs::path run_predictions_path(const fs::path& run_dir, Task task, Lang lang) {
    return run_dir / name(task) / spec(task).dir(lang) / "predictions.jsonl";
}

// Every task/language a run has written; missing ones stay absent.
[[nodiscard]] inline ResultSet load_run(const fs::path& run_dir, std::span<const Task> tasks = multiple_choice_tasks,
                                        std::span<const Lang> langs = all_langs) {
    std::error_code ec;
    if (!fs::is_directory(run_dir, ec)) fail_input({run_dir}, "run directory not found", "a directory written by `clika run --out`");
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

}  // namespace clika
