#pragma once
// The options of commands that read sources as `clika compare` names them (run:DIR, model:STEM, lm-eval:DIR):
// --data for published predictions and --lm-eval-model, --task-map, --metric for lm-eval samples.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "clika/compare.hpp"
#include "options.hpp"

namespace clika::cli {

struct SourceArgs {
    std::string data;
    std::string lm_eval_model;
    std::string task_map;
    std::string metric = "acc";
};

inline void add_source_options(CLI::App* cmd, SourceArgs& a) {
    cmd->add_option("--data", a.data, "CLiKA data folder for model:STEM sources (default: $CLIKA_DATA)");
    cmd->add_option("--lm-eval-model", a.lm_eval_model, "lm-eval sources: the model folder to read where DIR holds several");
    cmd->add_option("--task-map", a.task_map, "lm-eval sources: JSON {\"my_task_de\": [\"my_family\", \"de\"]} for tasks clika does not know");
    cmd->add_option("--metric", a.metric, "lm-eval sources: the per-sample metric that decides correct")
        ->check(CLI::IsMember({"acc", "acc_norm"}))
        ->capture_default_str();
}

// $CLIKA_DATA is only needed, and only looked up, for model:STEM sources.
[[nodiscard]] inline SourceOptions source_options(const SourceArgs& a, const std::vector<std::string>& specs, std::span<const Task> tasks,
                                                  std::span<const Lang> langs) {
    SourceOptions out{.tasks = tasks, .langs = langs};
    for (const std::string& spec : specs)
        if (spec.starts_with("model:")) out.data = data_dir_or_env(a.data);
    out.lm_eval.metric = a.metric == "acc_norm" ? LmEvalMetric::acc_norm : LmEvalMetric::acc;
    out.lm_eval.task_map = a.task_map;
    out.lm_eval.model = a.lm_eval_model;
    return out;
}

}  // namespace clika::cli
