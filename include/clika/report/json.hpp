#pragma once
// Machine-readable scorecard, every number a fraction (README "Number scales"): levels.<level>.ra.<lang|others>,
// consistency.en_co.<lang|others> (Factual level as in the paper), tasks.<task>.<lang>.{accuracy, ra, en_co, rank_c}
// (rank_c against English, only where option scores exist); "_ci" siblings hold [low, high]. Numbers that answers decided
// between bounds only make null have counts beside them: tasks.<task>.<lang>.{bounded, unranked, en_co_bounded},
// levels.<level>.ra_bounded.<col>, consistency.en_co_bounded.<col> (present only where not 0).

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "clika/metrics/scorecard.hpp"
#include "clika/report/settings.hpp"
#include "clika/version.hpp"

namespace clika::report {

using Json = nlohmann::ordered_json;

[[nodiscard]] inline Json number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

[[nodiscard]] inline Json pair(double low, double high) {
    if (!std::isfinite(low) || !std::isfinite(high)) return nullptr;
    return Json::array({low, high});
}

[[nodiscard]] inline std::string column_name(std::size_t column) {
    return column == others_column ? std::string("others") : std::string(code(all_langs[column]));
}

[[nodiscard]] inline Json to_json(const Scorecard& card) {
    Json out;
    out["clika_version"] = std::string(version);
    out["model"] = card.model;
    Json& settings = out["settings"];
    for (Task task : multiple_choice_tasks) {
        settings["reference_percent"][std::string(name(task))] = card.settings.reference_percent[static_cast<std::size_t>(task)];
        settings["chance"][std::string(name(task))] = spec(task).chance();
    }
    settings["reference_source"] = card.settings.reference_source;
    settings["bootstrap"] = bootstrap_json(card.settings);
    settings["others_languages"] = Json::array();
    for (Lang lang : card.others) settings["others_languages"].push_back(std::string(code(lang)));
    out["warnings"] = card.warnings;

    auto level_block = [&](Level level, bool ra) {
        Json values, intervals;
        for (std::size_t c = 0; c < column_count; ++c) {
            const std::string key = column_name(c);
            if (ra) {
                values[key] = number(card.point.level_ra(level, c));
                intervals[key] = pair(card.low.level_ra(level, c), card.high.level_ra(level, c));
            } else if (c != index(Lang::en)) {
                values[key] = number(card.point.level_en_co(level, c));
                intervals[key] = pair(card.low.level_en_co(level, c), card.high.level_en_co(level, c));
            }
        }
        return std::pair{values, intervals};
    };
    // Beside numbers that answers decided between bounds only made null: how many such answers they draw on (only
    // when there are any, so other reports keep their shape).
    auto bounded_block = [&](Level level, bool ra) {
        Json counts = Json::object();
        for (std::size_t c = 0; c < column_count; ++c)
            if (ra || c != index(Lang::en))
                if (const std::size_t n = card.bounded(level, c, !ra); n > 0) counts[column_name(c)] = n;
        return counts;
    };
    for (Level level : scored_levels) {
        auto [values, intervals] = level_block(level, true);
        Json& block = out["levels"][std::string(name(level))];
        block["tasks"] = Json::array();
        for (Task task : level_tasks(level)) block["tasks"].push_back(std::string(name(task)));
        block["ra"] = values;
        block["ra_ci"] = intervals;
        if (Json counts = bounded_block(level, true); !counts.empty()) block["ra_bounded"] = std::move(counts);
    }
    {
        auto [values, intervals] = level_block(Level::factual, false);
        Json& consistency = out["consistency"];
        consistency["level"] = "factual";
        consistency["en_co"] = values;
        consistency["en_co_ci"] = intervals;
        if (Json counts = bounded_block(Level::factual, false); !counts.empty()) consistency["en_co_bounded"] = std::move(counts);
        for (Level level : scored_levels) {
            auto [v, i] = level_block(level, false);
            consistency["by_level"][std::string(name(level))] = {{"en_co", v}, {"en_co_ci", i}};
            if (Json counts = bounded_block(level, false); !counts.empty())
                consistency["by_level"][std::string(name(level))]["en_co_bounded"] = std::move(counts);
        }
    }
    for (Task task : multiple_choice_tasks) {
        for (Lang lang : all_langs) {
            if (!card.has(task, lang)) continue;
            const TaskLangCounts& counts = card.count(task, lang);
            Json cell;
            cell["questions"] = counts.questions;
            cell["correct"] = counts.correct;
            cell["off_format"] = counts.off_format;
            if (counts.bounded > 0) cell["bounded"] = counts.bounded;
            if (counts.unranked > 0) cell["unranked"] = counts.unranked;
            cell["accuracy"] = number(card.point.accuracy(task, lang));
            cell["accuracy_ci"] = pair(card.low.accuracy(task, lang), card.high.accuracy(task, lang));
            cell["ra"] = number(card.point.rescaled(task, lang));
            cell["ra_ci"] = pair(card.low.rescaled(task, lang), card.high.rescaled(task, lang));
            if (lang != Lang::en) {
                cell["en_co"] = number(card.point.en_co(task, lang));
                cell["en_co_ci"] = pair(card.low.en_co(task, lang), card.high.en_co(task, lang));
                if (lang != Lang::en && card.bounded(task, lang, true) > 0) cell["en_co_bounded"] = card.bounded(task, lang, true);
                // RankC needs option scores (clika runs); published predictions have none. Null where answers with
                // two or more bounded letters leave rankings unknown.
                if (std::isfinite(card.point.rank_c(task, lang)) || card.unranked(task, lang) > 0) {
                    cell["rank_c"] = number(card.point.rank_c(task, lang));
                    cell["rank_c_ci"] = pair(card.low.rank_c(task, lang), card.high.rank_c(task, lang));
                }
            }
            // loglik runs: lm-evaluation-harness's acc_norm (per code point) and acc_bytes (per UTF-8 byte), fractions.
            if (std::isfinite(card.point.accuracy_norm(task, lang))) {
                cell["acc_norm"] = number(card.point.accuracy_norm(task, lang));
                cell["acc_norm_ci"] = pair(card.low.accuracy_norm(task, lang), card.high.accuracy_norm(task, lang));
            }
            if (std::isfinite(card.point.accuracy_bytes(task, lang))) {
                cell["acc_bytes"] = number(card.point.accuracy_bytes(task, lang));
                cell["acc_bytes_ci"] = pair(card.low.accuracy_bytes(task, lang), card.high.accuracy_bytes(task, lang));
            }
            out["tasks"][std::string(name(task))][std::string(code(lang))] = std::move(cell);
        }
    }
    return out;
}

}  // namespace clika::report
