#pragma once
// `clika score --lm-eval-samples DIR` as one call: lm-evaluation-harness samples in, a FamilyScorecard out (what the
// JSON report serialises).

#include <filesystem>
#include <string>
#include <utility>

#include "clika/lm_eval.hpp"
#include "clika/metrics/family_scorecard.hpp"

namespace clika {

struct LmEvalSettings {
    LmEvalMetric metric = LmEvalMetric::acc;
    std::filesystem::path task_map;  // empty: the built-in families only
    FamilySettings scoring;
};

[[nodiscard]] inline FamilyScorecard score_lm_eval(const std::filesystem::path& dir, const LmEvalSettings& settings = {}) {
    const LmEvalTaskMap map = settings.task_map.empty() ? LmEvalTaskMap{} : load_task_map(settings.task_map);
    LmEvalSamples samples = load_lm_eval_dir(dir, settings.metric, map);
    FamilyScorecard card;
    card.model = std::move(samples.model);
    card.source = "lm-eval samples";
    card.metric = std::string(name(settings.metric));
    card.settings = settings.scoring;
    card.warnings = std::move(samples.warnings);
    card.families = score_families(std::move(samples.families), settings.scoring);
    return card;
}

}  // namespace clika
