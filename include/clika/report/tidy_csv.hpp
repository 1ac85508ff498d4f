#pragma once
// A chart's data as tidy CSV: one row per drawn number, a model column, a question-count column, one unit per column.

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "clika/report/bar_chart.hpp"
#include "clika/report/heat_map.hpp"

namespace clika::report {

[[nodiscard]] inline std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

[[nodiscard]] inline std::string tidy_number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : std::string(); }

[[nodiscard]] inline std::string tidy_csv(const GroupedBars& chart) {
    std::string out = fmt::format("model,language,questions,{0},{0}_ci_low,{0}_ci_high\n", chart.value_column);
    for (std::size_t s = 0; s < chart.series.size(); ++s)
        for (std::size_t c = 0; c < chart.categories.size(); ++c) {
            const ChartPoint& p = chart.points[s][c];
            if (!std::isfinite(p.value)) continue;
            out += fmt::format("{},{},{},{},{},{}\n", csv_field(chart.series[s]), csv_field(chart.categories[c]), p.questions, tidy_number(p.value),
                               tidy_number(p.low), tidy_number(p.high));
        }
    return out;
}

[[nodiscard]] inline std::string tidy_csv(const HeatMap& map) {
    std::string out = fmt::format("model,from_language,to_language,questions,{0},{0}_ci_low,{0}_ci_high\n", map.value_column);
    for (std::size_t r = 0; r < map.cells.size(); ++r)
        for (std::size_t c = 0; c < map.cells[r].size(); ++c) {
            const ChartPoint& p = map.cells[r][c];
            if (!std::isfinite(p.value)) continue;
            out += fmt::format("{},{},{},{},{},{},{}\n", csv_field(map.series), map.labels[r], map.labels[c], p.questions, tidy_number(p.value),
                               tidy_number(p.low), tidy_number(p.high));
        }
    return out;
}

}  // namespace clika::report
