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

#include "clika/eval/engine.hpp"
#include "clika/fictional_eval.hpp"
#include "clika/metrics/conductivity.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/run_files.hpp"

namespace clika {

// A published model's predictions in the data folder (the paper's tables for llama_13b, chatgpt, ...).
[[nodiscard]] inline Scorecard score_published(const std::filesystem::path& data_dir, std::string_view model, const ScoreSettings& settings = {},
                                               std::span<const Task> tasks = multiple_choice_tasks, std::span<const Lang> langs = all_langs) {
    return score(load_published(data_dir, model, tasks, langs), settings);
}

// A run directory written by `clika run`. A file the run has not finished is left out (its questions would not match
// the other languages'), and the card's warnings name it and every task and language not started.
[[nodiscard]] inline Scorecard score_run(const std::filesystem::path& run_dir, const ScoreSettings& settings = {},
                                         std::span<const Task> tasks = multiple_choice_tasks, std::span<const Lang> langs = all_langs) {
    ResultSet results = load_run(run_dir, tasks, langs);
    const std::filesystem::path manifest_path = run_dir / "run.json";
    std::error_code ec;
    if (!std::filesystem::exists(manifest_path, ec)) {
        Scorecard card = score(results, settings);
        card.warnings.push_back(fmt::format("{} has no run.json: whether the run is finished cannot be checked", run_dir.string()));
        return card;
    }
    const nlohmann::json manifest = read_run_manifest(manifest_path);
    const std::vector<RunGap> gaps = run_gaps(manifest, results, tasks, langs);
    for (const RunGap& gap : gaps) results.drop(gap.task, gap.lang);
    Scorecard card = score(results, settings);
    for (const RunGap& gap : gaps) card.warnings.push_back(describe(gap));
    if (manifest.value("mode", "") == "loglik" && !manifest.contains("res_norm"))
        card.warnings.push_back(fmt::format("this loglik run predates lm-evaluation-harness's acc_norm rule: its res_norm is {} (acc_norm here "
                                            "is that, not the harness's per-code-point rule)", norm_rule_legacy));
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
