#pragma once
// Where a run directory keeps its files. Multiple-choice runs: RUN_DIR/<task>/<folder>/predictions.jsonl, in the
// upstream prediction format. Fictional (Conductivity) runs: RUN_DIR/fictional/<lang>/predictions.jsonl and
// translate.jsonl. Both: RUN_DIR/run.json (what produced the run) and RUN_DIR/.clika.lock (held while it is written).

#include <filesystem>
#include <string>

#include "clika/dataset.hpp"

namespace clika {

[[nodiscard]] inline fs::path run_manifest_path(const fs::path& run_dir) { return run_dir / "run.json"; }
[[nodiscard]] inline fs::path run_lock_path(const fs::path& run_dir) { return run_dir / ".clika.lock"; }

[[nodiscard]] inline fs::path run_predictions_path(const fs::path& run_dir, Task task, Lang lang) {
    return run_dir / name(task) / spec(task).dir(lang) / "predictions.jsonl";
}

[[nodiscard]] inline fs::path fictional_runs_dir(const fs::path& run_dir) { return run_dir / "fictional"; }
[[nodiscard]] inline fs::path fictional_run_dir(const fs::path& run_dir, Lang lang) { return fictional_runs_dir(run_dir) / std::string(code(lang)); }
[[nodiscard]] inline fs::path fictional_predictions_path(const fs::path& run_dir, Lang lang) { return fictional_run_dir(run_dir, lang) / "predictions.jsonl"; }
[[nodiscard]] inline fs::path fictional_translate_run_path(const fs::path& run_dir, Lang lang) { return fictional_run_dir(run_dir, lang) / "translate.jsonl"; }

}  // namespace clika
