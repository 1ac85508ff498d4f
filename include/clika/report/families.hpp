#pragma once
// Reports of a FamilyScorecard (lm-eval samples): JSON tasks.<family>.<lang>.{accuracy, ra, en_co, rank_c, questions,
// correct} with "_ci" siblings ([low, high]; null where undefined), families.<family> with what each number was measured
// against, and the same long CSV, text and Markdown as the scorecard's.

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/metrics/family_scorecard.hpp"
#include "clika/report/csv.hpp"
#include "clika/report/grid.hpp"
#include "clika/report/json.hpp"
#include "clika/report/percent.hpp"
#include "clika/report/tables.hpp"
#include "clika/version.hpp"

namespace clika::report {

[[nodiscard]] inline Json to_json(const FamilyScorecard& card) {
    Json out;
    out["clika_version"] = std::string(version);
    out["model"] = card.model;
    out["source"] = card.source;
    out["metric"] = card.metric;
    out["settings"] = {{"pivots", card.settings.pivots},
                       {"bootstrap", bootstrap_json(card.settings)}};
    out["families"] = Json::object();
    out["tasks"] = Json::object();
    for (const FamilyScore& f : card.families) {
        Json langs = Json::array();
        for (const FamilyLangScore& l : f.langs) langs.push_back(l.lang);
        out["families"][f.name] = {{"options", f.option_count},
                                   {"chance", number(f.chance)},
                                   {"reference_percent", f.reference_percent},
                                   {"reference_source", f.reference_source},
                                   {"parallel", f.parallel},
                                   {"pivot", f.pivot.empty() ? Json(nullptr) : Json(f.pivot)},
                                   {"consistency_note", f.consistency_note.empty() ? Json(nullptr) : Json(f.consistency_note)},
                                   {"langs", std::move(langs)}};
        Json& cells = out["tasks"][f.name];
        cells = Json::object();
        for (const FamilyLangScore& l : f.langs) {
            Json cell;
            cell["lm_eval_task"] = l.source_task;
            cell["source"] = l.source.string();
            cell["questions"] = l.questions;
            cell["correct"] = l.correct;
            auto put = [&](const char* key, const MetricEstimate& m) {
                cell[key] = number(m.value);
                cell[std::string(key) + "_ci"] = pair(m.ci.low, m.ci.high);
            };
            put("accuracy", l.accuracy);
            put("ra", l.ra);
            put("en_co", l.en_co);
            put("rank_c", l.rank_c);
            cells[l.lang] = std::move(cell);
        }
    }
    out["warnings"] = card.warnings;
    return out;
}

[[nodiscard]] inline std::string to_csv(const FamilyScorecard& card) {
    std::string out = "metric,scope,lang,value,ci_low,ci_high\n";
    for (const FamilyScore& f : card.families)
        for (const FamilyLangScore& l : f.langs)
            for (const auto& [metric, m] : {std::pair{"accuracy", &l.accuracy}, std::pair{"ra", &l.ra}, std::pair{"en_co", &l.en_co},
                                            std::pair{"rank_c", &l.rank_c}})
                if (std::isfinite(m->value))
                    out += fmt::format("{},{},{},{},{},{}\n", metric, f.name, l.lang, csv_number(m->value), csv_number(m->ci.low), csv_number(m->ci.high));
    return out;
}

[[nodiscard]] inline Grid family_grid(const FamilyScore& f, const FamilySettings& settings) {
    const std::string against = f.pivot.empty() ? std::string() : fmt::format("; en-CO and RankC against {}", f.pivot);
    Grid g{fmt::format("{}: {} options, chance {:.3f}, RA reference {:g}% ({}){}", f.name, f.option_count, f.chance, f.reference_percent,
                       f.reference_source, against),
           {"lang", "lm-eval task", "questions", "acc %", "RA", "en-CO", "RankC"}, {}};
    const bool intervals = settings.bootstrap_resamples > 0;
    auto cell = [&](const MetricEstimate& m, bool in_percent, int decimals) {
        const double value = in_percent ? percent(m.value) : m.value;
        const Interval ci = in_percent ? percent(m.ci) : m.ci;
        std::string text = fixed(value, decimals);
        if (intervals && std::isfinite(m.value)) text += " " + interval(ci.low, ci.high, decimals);
        return text;
    };
    for (const FamilyLangScore& l : f.langs)
        g.rows.push_back({l.lang, l.source_task, fmt::format("{}", l.questions), cell(l.accuracy, true, 1), cell(l.ra, true, 2),
                          cell(l.en_co, false, 4), cell(l.rank_c, false, 4)});
    return g;
}

[[nodiscard]] inline std::string family_heading(const FamilyScorecard& card) {
    std::string out = fmt::format("clika score: {} ({}, correct by {})\n", card.model, card.source, card.metric);
    if (card.settings.bootstrap_resamples > 0)
        out += "[low, high]: " + bootstrap_caption(card.settings) + "\n";
    return out;
}

[[nodiscard]] inline std::string family_notes(const FamilyScorecard& card) {
    std::string out;
    for (const FamilyScore& f : card.families)
        if (!f.consistency_note.empty()) out += fmt::format("{}: no en-CO or RankC: {}\n", f.name, f.consistency_note);
    for (const std::string& w : card.warnings) out += "warning: " + w + "\n";
    return out;
}

[[nodiscard]] inline std::string to_table(const FamilyScorecard& card) {
    std::string out = family_heading(card);
    for (const FamilyScore& f : card.families) out += "\n" + render_text(family_grid(f, card.settings));
    if (std::string notes = family_notes(card); !notes.empty()) out += "\n" + notes;
    return out;
}

[[nodiscard]] inline std::string to_markdown(const FamilyScorecard& card) {
    std::string out = "## " + family_heading(card);
    for (const FamilyScore& f : card.families) out += "\n" + render_markdown(family_grid(f, card.settings));
    if (std::string notes = family_notes(card); !notes.empty()) out += "\n" + notes;
    return out;
}

}  // namespace clika::report
