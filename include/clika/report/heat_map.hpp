#pragma once
// A square matrix as a standalone SVG heat map: rows "from" X, columns "to" Y, each cell's value written in it and,
// with its interval and question count, in its <title>.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/svg.hpp"

namespace clika::report {

struct HeatMap {
    std::string id;
    std::string title;
    std::string series;                          // the model
    std::string row_label, column_label;         // e.g. "from X (right in X)", "to Y"
    std::string value_column;
    std::vector<std::string> labels;             // rows and columns alike
    std::vector<std::vector<ChartPoint>> cells;  // [row][column], values in [0, 1]
};

namespace detail {

// White to Okabe–Ito blue; text turns white on the darker half.
[[nodiscard]] inline std::string heat_colour(double v) {
    const double t = std::clamp(v, 0.0, 1.0);
    auto mix = [&](int from, int to) { return static_cast<int>(std::lround(from + (to - from) * t)); };
    return fmt::format("#{:02x}{:02x}{:02x}", mix(0xff, 0x00), mix(0xff, 0x50), mix(0xff, 0x8f));
}

}  // namespace detail

[[nodiscard]] inline std::string heat_map_svg(const HeatMap& map) {
    const double cell = 40, left = 90, top = 64;
    const double side = cell * static_cast<double>(map.labels.size());
    const double width = std::max(left + side + 20, 420.0), height = top + side + 56;
    std::string svg = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart heat-map\" id=\"{0}\" width=\"{1:.0f}\" height=\"{2:.0f}\" "
        "viewBox=\"0 0 {1:.0f} {2:.0f}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{3}\">\n"
        "<title>{3}</title>\n<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{3}</text>\n"
        "<text x=\"{4:.1f}\" y=\"42\" text-anchor=\"middle\">{5}</text>\n"
        "<text transform=\"translate(18 {6:.1f}) rotate(-90)\" text-anchor=\"middle\">{7}</text>\n",
        xml_escape(map.id), width, height, xml_escape(map.title), left + side / 2, xml_escape(map.column_label), top + side / 2,
        xml_escape(map.row_label));
    for (std::size_t i = 0; i < map.labels.size(); ++i) {
        const double at = static_cast<double>(i) * cell + cell / 2;
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", left + at, top - 6, xml_escape(map.labels[i]));
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, top + at + 4, xml_escape(map.labels[i]));
    }
    for (std::size_t r = 0; r < map.cells.size(); ++r)
        for (std::size_t c = 0; c < map.cells[r].size(); ++c) {
            const ChartPoint& p = map.cells[r][c];
            const double x = left + cell * static_cast<double>(c), y = top + cell * static_cast<double>(r);
            const bool known = std::isfinite(p.value);
            svg += fmt::format("<g class=\"heat-cell\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"#fff\"/>",
                               x, y, cell, cell, known ? detail::heat_colour(p.value) : "#eeeeee");
            svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{}\">{}</text>", x + cell / 2,
                               y + cell / 2 + 4, known && p.value > 0.55 ? "#fff" : "#222", known ? format_value(p.value, 2) : "-");
            svg += fmt::format("<title>{}: {} → {}: {} (n = {})</title></g>\n", xml_escape(map.series), xml_escape(map.labels[r]),
                               xml_escape(map.labels[c]), format_point(p, 4), p.questions);
        }
    // The colour scale.
    const double scale_y = top + side + 18;
    for (int i = 0; i <= 10; ++i)
        svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"20\" height=\"10\" fill=\"{}\"/>", left + 20.0 * i, scale_y,
                           detail::heat_colour(i / 10.0));
    svg += fmt::format("\n<text x=\"{:.1f}\" y=\"{:.1f}\">0</text><text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">1</text>\n", left,
                       scale_y + 24, left + 220, scale_y + 24);
    return svg + "</svg>\n";
}

}  // namespace clika::report
