#pragma once
// The charts and tables of `clika report`, as data: the paper's Figure 1a/1b (Basic and Factual RA per language),
// 1c (Factual CO towards the pivot language, en-CO by default), the consistency matrices, XRR per language (Table 4)
// and the Tables 5–7 layout (en / zh / others), each model side by side.

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/bar_chart.hpp"
#include "clika/report/grid.hpp"
#include "clika/report/heat_map.hpp"
#include "clika/report/percent.hpp"
#include "clika/report_sources.hpp"

namespace clika::report {

struct Figures {
    std::vector<GroupedBars> bars;
    std::vector<HeatMap> heat_maps;        // CO(X→Y) per model and level
    std::vector<HeatMap> both_right_maps;  // overall success (right in both X and Y) per model and level
    std::vector<Grid> tables;
};

namespace detail_figures {

[[nodiscard]] inline std::vector<std::string> lang_labels() {
    std::vector<std::string> out;
    for (Lang lang : all_langs) out.emplace_back(code(lang));
    return out;
}

[[nodiscard]] inline std::size_t level_questions(const Scorecard& card, Level level, Lang lang) {
    std::size_t n = 0;
    for (Task task : level_tasks(level))
        if (card.has(task, lang)) n += card.count(task, lang).questions;
    return n;
}

// Questions of the level's tasks answered in both X and Y.
[[nodiscard]] inline std::size_t pair_questions(const ConsistencyMatrices& m, Level level, Lang x, Lang y) {
    std::size_t n = 0;
    for (Task task : level_tasks(level)) {
        const auto& q = m.questions[static_cast<std::size_t>(task)];
        if (q[index(x)] > 0 && q[index(y)] > 0) n += q[index(x)];
    }
    return n;
}

[[nodiscard]] inline ChartPoint ra_point(const Scorecard& card, Level level, std::size_t column) {
    return {card.point.level_ra(level, column), card.low.level_ra(level, column), card.high.level_ra(level, column), 0};
}

[[nodiscard]] inline std::string co_name(Lang pivot) { return pivot == Lang::en ? "en-CO" : fmt::format("CO(X→{})", code(pivot)); }

using PairMeasure = const PairEstimate& (ConsistencyMatrices::*)(Level, Lang, Lang) const;

// One model's level matrix of a pair measure, every cell with its interval and question count.
[[nodiscard]] inline HeatMap pair_heat_map(const ReportSource& s, Level level, PairMeasure measure, HeatMap map) {
    map.series = s.label;
    map.labels = lang_labels();
    for (Lang x : all_langs) {
        std::vector<ChartPoint> row;
        for (Lang y : all_langs) {
            const PairEstimate& e = ((*s.matrices).*measure)(level, x, y);
            row.push_back({e.value, e.ci.low, e.ci.high, pair_questions(*s.matrices, level, x, y)});
        }
        map.cells.push_back(std::move(row));
    }
    return map;
}

// The Tables 5–7 cell: the value and its interval.
[[nodiscard]] inline std::string cell(const ChartPoint& p, int decimals) { return format_point(p, decimals); }

}  // namespace detail_figures

[[nodiscard]] inline Figures build_figures(const std::vector<ReportSource>& sources, Lang pivot = Lang::en) {
    using namespace detail_figures;
    Figures out;
    std::vector<const ReportSource*> scored;
    for (const ReportSource& s : sources)
        if (s.card) scored.push_back(&s);

    if (!scored.empty()) {
        for (Level level : scored_levels) {
            GroupedBars chart{.id = fmt::format("{}_ra", level == Level::basic ? "basic" : "factual"),
                              .title = fmt::format("{} RA per language", level == Level::basic ? "Basic" : "Factual"),
                              .axis_label = "RA (0-100)",
                              .value_column = "ra",
                              .in_percent = true,
                              .decimals = 1,
                              .categories = lang_labels(),
                              .floor = 0,
                              .ceiling = 100};
            for (const ReportSource* s : scored) {
                chart.series.push_back(s->label);
                std::vector<ChartPoint> row;
                for (Lang lang : all_langs) {
                    ChartPoint p = ra_point(*s->card, level, index(lang));
                    p.questions = level_questions(*s->card, level, lang);
                    row.push_back(p);
                }
                chart.points.push_back(std::move(row));
            }
            out.bars.push_back(std::move(chart));
        }
        GroupedBars co{.id = "factual_co",
                       .title = fmt::format("Factual {} per language", co_name(pivot)),
                       .axis_label = fmt::format("{} (fraction)", co_name(pivot)),
                       .value_column = pivot == Lang::en ? "en_co" : fmt::format("co_to_{}", code(pivot)),
                       .decimals = 3,
                       .categories = lang_labels(),
                       .floor = 0,
                       .ceiling = 1};
        for (const ReportSource* s : scored) {
            co.series.push_back(s->label);
            std::vector<ChartPoint> row;
            for (Lang lang : all_langs) {
                if (lang == pivot) {
                    row.emplace_back();
                    continue;
                }
                const PairEstimate& e = s->matrices->co(Level::factual, lang, pivot);
                row.push_back({e.value, e.ci.low, e.ci.high, pair_questions(*s->matrices, Level::factual, lang, pivot)});
            }
            co.points.push_back(std::move(row));
        }
        out.bars.push_back(std::move(co));

        for (std::size_t model = 0; model < scored.size(); ++model)
            for (Level level : scored_levels) {
                const ReportSource& s = *scored[model];
                const char* level_id = level == Level::basic ? "basic" : "factual";
                const char* level_title = level == Level::basic ? "Basic" : "Factual";
                out.heat_maps.push_back(pair_heat_map(s, level, &ConsistencyMatrices::co,
                                                      {.id = fmt::format("consistency_{}_{}", level_id, model + 1),
                                                       .title = fmt::format("{}: {} CO(X→Y)", s.label, level_title),
                                                       .row_label = "from X (questions right in X)",
                                                       .column_label = "to Y (share also right in Y)",
                                                       .value_column = "co"}));
                out.both_right_maps.push_back(pair_heat_map(s, level, &ConsistencyMatrices::success,
                                                            {.id = fmt::format("both_right_{}_{}", level_id, model + 1),
                                                             .title = fmt::format("{}: {} both right", s.label, level_title),
                                                             .row_label = "X",
                                                             .column_label = "Y (share of questions right in both)",
                                                             .value_column = "both_right"}));
            }

        // The paper's Tables 5–7: one row per model, en / zh / others.
        const std::size_t en = index(Lang::en), zh = index(Lang::zh);
        for (Level level : scored_levels) {
            Grid g{fmt::format("{} RA (0-100), 95% bootstrap interval", level == Level::basic ? "Basic" : "Factual"), {"model", "en", "zh", "others"}, {}};
            for (const ReportSource* s : scored)
                g.rows.push_back({s->label, cell(percent(ra_point(*s->card, level, en)), 2), cell(percent(ra_point(*s->card, level, zh)), 2),
                                  cell(percent(ra_point(*s->card, level, others_column)), 2)});
            out.tables.push_back(std::move(g));
        }
        Grid g{fmt::format("Factual {}, 95% bootstrap interval", co_name(pivot)), {"model", "en", "zh", "others"}, {}};
        for (const ReportSource* s : scored) {
            auto at = [&](Lang lang) {
                if (lang == pivot) return std::string("-");
                const PairEstimate& e = s->matrices->co(Level::factual, lang, pivot);
                return cell({e.value, e.ci.low, e.ci.high, 0}, 4);
            };
            // "others" towards English is clika score's own number, interval included; towards another pivot, drawn alike.
            const PairEstimate& others = s->matrices->others_co(Level::factual, pivot);
            g.rows.push_back({s->label, at(Lang::en), at(Lang::zh), cell({others.value, others.ci.low, others.ci.high, 0}, 4)});
        }
        out.tables.push_back(std::move(g));
    }

    // XRR per language (the paper's Table 4), one series per source and answer mode.
    GroupedBars xrr{.id = "xrr",
                    .title = "Conductivity: XRR per language",
                    .axis_label = "XRR (fraction)",
                    .value_column = "xrr",
                    .decimals = 3,
                    .categories = {},
                    .floor = 0,
                    .ceiling = 1};
    for (Lang lang : all_langs)
        if (lang != Lang::en) xrr.categories.emplace_back(code(lang));
    for (const ReportSource& s : sources)
        for (const ConductivityCard& card : s.conductivity) {
            xrr.series.push_back(s.conductivity.size() > 1 ? fmt::format("{} ({})", s.label, name(card.mode)) : s.label);
            std::vector<ChartPoint> row;
            for (Lang lang : all_langs) {
                if (lang == Lang::en) continue;
                const ConductivityLang& l = card.at(lang);
                row.push_back(l.present ? ChartPoint{l.xrr, l.xrr_ci.low, l.xrr_ci.high, l.facts} : ChartPoint{});
            }
            xrr.points.push_back(std::move(row));
        }
    if (!xrr.series.empty()) out.bars.push_back(std::move(xrr));
    return out;
}

}  // namespace clika::report
