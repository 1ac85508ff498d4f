#pragma once
// Long-format CSV, one metric per line: metric,scope,lang,value,ci_low,ci_high; every value a fraction. A metric that answers decided between
// bounds only made null has an empty value, followed by a line "<metric>_bounded" whose value counts those answers.

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "clika/metrics/scorecard.hpp"
#include "clika/report/json.hpp"

namespace clika::report {

[[nodiscard]] inline std::string csv_number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : std::string(); }

[[nodiscard]] inline std::string to_csv(const Scorecard& card) {
    std::string out = "metric,scope,lang,value,ci_low,ci_high\n";
    auto row = [&](std::string_view metric, std::string_view scope, const std::string& lang, double v, double lo, double hi, std::size_t bounded = 0) {
        if (!std::isfinite(v) && bounded > 0) {
            out += fmt::format("{},{},{},,,\n{}_bounded,{},{},{},,\n", metric, scope, lang, metric, scope, lang, bounded);
            return;
        }
        if (!std::isfinite(v)) return;
        out += fmt::format("{},{},{},{},{},{}\n", metric, scope, lang, csv_number(v), csv_number(lo), csv_number(hi));
    };
    for (Level level : scored_levels)
        for (std::size_t c = 0; c < column_count; ++c)
            row("ra", name(level), column_name(c), card.point.level_ra(level, c), card.low.level_ra(level, c), card.high.level_ra(level, c),
                card.bounded(level, c, false));
    for (Level level : scored_levels)
        for (std::size_t c = 0; c < column_count; ++c)
            row("en_co", name(level), column_name(c), card.point.level_en_co(level, c), card.low.level_en_co(level, c),
                card.high.level_en_co(level, c), c == index(Lang::en) ? 0 : card.bounded(level, c, true));
    for (Task task : multiple_choice_tasks)
        for (Lang lang : all_langs) {
            const std::string l(code(lang));
            const bool present = card.has(task, lang);
            row("accuracy", name(task), l, card.point.accuracy(task, lang), card.low.accuracy(task, lang), card.high.accuracy(task, lang),
                present ? card.bounded(task, lang, false) : 0);
            row("ra", name(task), l, card.point.rescaled(task, lang), card.low.rescaled(task, lang), card.high.rescaled(task, lang),
                present ? card.bounded(task, lang, false) : 0);
            row("en_co", name(task), l, card.point.en_co(task, lang), card.low.en_co(task, lang), card.high.en_co(task, lang),
                present && lang != Lang::en ? card.bounded(task, lang, true) : 0);
            row("rank_c", name(task), l, card.point.rank_c(task, lang), card.low.rank_c(task, lang), card.high.rank_c(task, lang),
                present ? card.unranked(task, lang) : 0);
            row("acc_norm", name(task), l, card.point.accuracy_norm(task, lang), card.low.accuracy_norm(task, lang), card.high.accuracy_norm(task, lang));
            row("acc_bytes", name(task), l, card.point.accuracy_bytes(task, lang), card.low.accuracy_bytes(task, lang),
                card.high.accuracy_bytes(task, lang));
        }
    return out;
}

}  // namespace clika::report
