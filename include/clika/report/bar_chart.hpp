#pragma once
// Grouped bars with error bars as a standalone SVG: one group per category (language), one bar per series (model),
// the interval as a whisker, the exact numbers in each bar's <title> (shown on hover).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/percent.hpp"
#include "clika/report/svg.hpp"

namespace clika::report {

struct GroupedBars {
    std::string id;            // file stem of the chart's .svg and .csv
    std::string title;
    std::string axis_label;    // the y axis, with its unit
    std::string value_column;  // the value's CSV column, named with its unit
    bool in_percent = false;   // the SVG draws values in percent (RA); points and CSV keep fractions
    int decimals = 2;
    std::vector<std::string> categories;
    std::vector<std::string> series;
    std::vector<std::vector<ChartPoint>> points;  // [series][category]
    double floor = 0, ceiling = 1;                // the y range always shown, in shown units; data beyond widens it
};

namespace detail {

// The y range: the chart's own, widened to every value and interval end, rounded out to ticks.
[[nodiscard]] inline std::pair<double, double> y_range(const GroupedBars& chart) {
    double low = chart.floor, high = chart.ceiling;
    for (const auto& row : chart.points)
        for (const ChartPoint& p : row)
            for (double v : {p.value, p.low, p.high})
                if (std::isfinite(v)) {
                    low = std::min(low, v);
                    high = std::max(high, v);
                }
    const double step = tick_step(low, high);
    return {std::floor(low / step) * step, std::ceil(high / step) * step};
}

}  // namespace detail

[[nodiscard]] inline std::string bar_chart_svg(const GroupedBars& fractions) {
    GroupedBars chart = fractions;
    if (chart.in_percent)
        for (auto& row : chart.points)
            for (ChartPoint& p : row) p = percent(p);
    const std::size_t n_series = std::max<std::size_t>(chart.series.size(), 1);
    const double group = std::max(48.0, static_cast<double>(n_series) * 15.0 + 14.0);
    const double bar = (group - 14.0) / static_cast<double>(n_series);
    const double left = 64, top = 36, plot_height = 220, legend_item = 170;
    const double plot_width = group * static_cast<double>(chart.categories.size());
    const double width = std::max(left + plot_width + 16, 520.0);
    const std::size_t per_row = std::max<std::size_t>(1, static_cast<std::size_t>((width - left) / legend_item));
    const std::size_t legend_rows = (chart.series.size() + per_row - 1) / per_row;
    const double axis_bottom = top + plot_height;
    const double height = axis_bottom + 44 + 18.0 * static_cast<double>(legend_rows) + 8;
    const std::pair<double, double> range = detail::y_range(chart);  // (no structured binding: clang 14 refuses capturing one)
    const double y_low = range.first, y_high = range.second;
    auto y = [&](double v) { return axis_bottom - (v - y_low) / (y_high - y_low) * plot_height; };

    std::string svg = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart bar-chart\" id=\"{0}\" width=\"{1:.0f}\" height=\"{2:.0f}\" "
        "viewBox=\"0 0 {1:.0f} {2:.0f}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{3}\">\n"
        "<title>{3}</title>\n<text x=\"{4:.0f}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{3}</text>\n",
        xml_escape(chart.id), width, height, xml_escape(chart.title), left);
    // Grid lines and y ticks.
    const double step = tick_step(y_low, y_high);
    for (double v = y_low; v <= y_high + step / 2; v += step) {
        const double at = y(v);
        svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/>", left, left + plot_width, at, at,
                           std::abs(v) < step / 1000 ? "#444" : "#ddd");
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, at + 4,
                           fmt::format("{:.{}f}", v, step >= 1 ? 0 : step >= 0.1 ? 1 : 2));
    }
    svg += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n", top + plot_height / 2,
                       xml_escape(chart.axis_label));
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#444\"/>\n", left, top, axis_bottom);

    const double zero = y(std::clamp(0.0, y_low, y_high));
    for (std::size_t c = 0; c < chart.categories.size(); ++c) {
        const double group_left = left + group * static_cast<double>(c);
        svg += fmt::format("<text class=\"category\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", group_left + group / 2,
                           axis_bottom + 16, xml_escape(chart.categories[c]));
        for (std::size_t s = 0; s < chart.series.size(); ++s) {
            const ChartPoint& p = chart.points[s][c];
            if (!std::isfinite(p.value)) continue;
            const double x = group_left + 7 + bar * static_cast<double>(s);
            const double top_y = std::min(y(p.value), zero), bottom_y = std::max(y(p.value), zero);
            svg += fmt::format(
                "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{} · {}: {} (n = {})</title></rect>",
                x, top_y, std::max(bar - 1, 1.0), std::max(bottom_y - top_y, 0.5), series_colour(s), xml_escape(chart.series[s]),
                xml_escape(chart.categories[c]), format_point(p, chart.decimals), p.questions);
            if (std::isfinite(p.low) && std::isfinite(p.high)) {
                const double mid = x + (bar - 1) / 2, cap = std::min(bar / 3, 4.0);
                svg += fmt::format(
                    "<path class=\"error-bar\" d=\"M{0:.1f} {1:.1f}V{2:.1f}M{3:.1f} {1:.1f}H{4:.1f}M{3:.1f} {2:.1f}H{4:.1f}\" stroke=\"#222\" fill=\"none\"/>",
                    mid, y(p.high), y(p.low), mid - cap, mid + cap);
            }
            svg += "\n";
        }
    }
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const double x = left + legend_item * static_cast<double>(s % per_row);
        const double ly = axis_bottom + 36 + 18.0 * static_cast<double>(s / per_row);
        svg += fmt::format("<g class=\"legend-item\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                           "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text></g>\n",
                           x, ly - 10, series_colour(s), x + 16, ly, xml_escape(chart.series[s]));
    }
    return svg + "</svg>\n";
}

}  // namespace clika::report
