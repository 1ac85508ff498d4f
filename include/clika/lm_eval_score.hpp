#pragma once
// `clika score --lm-eval-samples DIR` as one call: lm-evaluation-harness samples in, a FamilyScorecard out (what the
// JSON report serialises); samples of CLiKA's own tasks also give the paper's tables, as `clika score --run` does.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "clika/lm_eval.hpp"
#include "clika/metrics/family_scorecard.hpp"
#include "clika/metrics/scorecard.hpp"

namespace clika {

struct LmEvalSettings {
    LmEvalMetric metric = LmEvalMetric::acc;
    std::filesystem::path task_map;  // empty: the built-in families only
    std::string model;               // the model folder to read where DIR holds several; empty: the only one
    FamilySettings scoring;
};

[[nodiscard]] inline LmEvalSamples load_lm_eval(const std::filesystem::path& dir, const LmEvalSettings& settings = {}) {
    const LmEvalTaskMap map = settings.task_map.empty() ? LmEvalTaskMap{} : load_task_map(settings.task_map);
    return load_lm_eval_dir(dir, settings.metric, map, settings.model);
}

[[nodiscard]] inline FamilyScorecard score_lm_eval(LmEvalSamples samples, const LmEvalSettings& settings = {}) {
    FamilyScorecard card;
    card.model = std::move(samples.model);
    card.source = "lm-eval samples";
    card.metric = std::string(name(settings.metric));
    card.settings = settings.scoring;
    card.warnings = std::move(samples.warnings);
    card.families = score_families(std::move(samples.families), settings.scoring);
    return card;
}

[[nodiscard]] inline FamilyScorecard score_lm_eval(const std::filesystem::path& dir, const LmEvalSettings& settings = {}) {
    return score_lm_eval(load_lm_eval(dir, settings), settings);
}

// Samples of CLiKA's tasks (clika_<task>_<lang>, every family one of x_copa, x_csqa, x_geo, x_name and every language
// one of the ten) as a ResultSet; nullopt when any family or language is another. Questions are matched across
// languages by doc_id: the task YAMLs read every language's file in the order the languages share.
[[nodiscard]] inline std::optional<ResultSet> clika_results(const LmEvalSamples& samples) {
    ResultSet out;
    out.model = samples.model;
    for (const Family& family : samples.families) {
        const std::optional<Task> task = parse_task(family.name);
        if (!task || *task == Task::fictional) return std::nullopt;
        for (const FamilyLang& lang : family.langs) {
            const std::optional<Lang> code = parse_lang(lang.lang);
            if (!code) return std::nullopt;
            LangResults r;
            r.source = lang.source;
            r.uuids = lang.doc_ids;
            r.correct = lang.correct;
            r.option_scores = lang.option_scores;
            r.correct_norm = lang.correct_norm;
            out.put(*task, *code, std::move(r));
        }
    }
    return out;
}

// The paper's tables (RA per level en / zh / others, en-CO (Factual), per-language rows, intervals) from samples of
// CLiKA's tasks, with the same engine and settings as `clika score --run`; nullopt for samples of other tasks.
[[nodiscard]] inline std::optional<Scorecard> score_lm_eval_clika(const LmEvalSamples& samples, const LmEvalSettings& settings = {}) {
    std::optional<ResultSet> results = clika_results(samples);
    if (!results) return std::nullopt;
    Scorecard card = score(*results, ScoreSettings{settings.scoring});
    card.warnings.insert(card.warnings.begin(), samples.warnings.begin(), samples.warnings.end());
    return card;
}

}  // namespace clika
