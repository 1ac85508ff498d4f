#pragma once
// What `clika score` reports, from each kind of source, as one call each: the CLI and the Python module are thin
// callers of these.

#include <algorithm>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clika/metrics/conductivity.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/run/fictional_lines.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/reader.hpp"

namespace clika {

// A published model's predictions in the data folder (the paper's tables for llama_13b, chatgpt, ...).
[[nodiscard]] inline Scorecard score_published(const std::filesystem::path& data_dir, std::string_view model, const ScoreSettings& settings = {},
                                               std::span<const Task> tasks = multiple_choice_tasks, std::span<const Lang> langs = all_langs) {
    return score(load_published(data_dir, model, tasks, langs), settings);
}

// A run directory's outcomes as score_run scores them: a file the run has not finished is left out (its questions
// would not match the other languages'); the warnings name it and every task and language not started.
struct RunResults {
    ResultSet results;
    std::vector<std::string> warnings;
};

[[nodiscard]] inline RunResults load_run_results(const std::filesystem::path& run_dir, std::span<const Task> tasks = multiple_choice_tasks,
                                                 std::span<const Lang> langs = all_langs) {
    RunResults out{load_run(run_dir, tasks, langs), {}};
    const std::filesystem::path manifest_path = run_dir / "run.json";
    std::error_code ec;
    if (!std::filesystem::exists(manifest_path, ec)) {
        out.warnings.push_back(fmt::format("{} has no run.json: whether the run is finished cannot be checked", run_dir.string()));
        return out;
    }
    const nlohmann::json manifest = read_run_manifest(manifest_path);
    const std::vector<RunGap> gaps = run_gaps(manifest, out.results, tasks, langs);
    for (const RunGap& gap : gaps) {
        out.results.drop(gap.task, gap.lang);
        out.warnings.push_back(describe(gap));
    }
    if (manifest.value("mode", "") == "loglik" && !manifest.contains("res_norm"))
        out.warnings.push_back(fmt::format("this loglik run predates lm-evaluation-harness's acc_norm rule: its res_norm is {} (acc_norm here "
                                           "is that, not the harness's per-code-point rule)", norm_rule_legacy));
    return out;
}

// A run directory written by `clika run` (see load_run_results).
[[nodiscard]] inline Scorecard score_run(const std::filesystem::path& run_dir, const ScoreSettings& settings = {},
                                         std::span<const Task> tasks = multiple_choice_tasks, std::span<const Lang> langs = all_langs) {
    RunResults run = load_run_results(run_dir, tasks, langs);
    Scorecard card = score(run.results, settings);
    for (std::string& warning : run.warnings) card.warnings.push_back(std::move(warning));
    return card;
}

// A run of `--tasks fictional`: one card per answering mode (generate, choice). English is always scored: XRR and the
// training gate need it.
[[nodiscard]] inline std::vector<ConductivityCard> score_fictional_run(const std::filesystem::path& run_dir, const ConductivitySettings& settings = {},
                                                                       std::vector<Lang> langs = {all_langs.begin(), all_langs.end()}) {
    if (std::find(langs.begin(), langs.end(), Lang::en) == langs.end()) langs.insert(langs.begin(), Lang::en);
    const FictionalRun run = load_fictional_run(run_dir, langs);
    std::vector<ConductivityCard> cards;
    for (FictionalMode mode : run.modes()) cards.push_back(score_conductivity(run, mode, settings));
    if (cards.empty())
        fail_input({run_dir / "fictional"}, "the languages of this run were answered in different modes", "one --fictional-mode for the whole run");
    return cards;
}

}  // namespace clika
