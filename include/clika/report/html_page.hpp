#pragma once
// `clika report`'s index.html: one self-contained page (inline SVG and CSS, no script, nothing fetched) with what
// produced it, the warnings, every chart with links to its .svg and .csv, and the tables.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/conductivity.hpp"
#include "clika/report/figures.hpp"
#include "clika/report/page_facts.hpp"

namespace clika::report {

namespace detail_html {

[[nodiscard]] inline std::string table_html(const Grid& g, std::string_view css_class) {
    std::string out = fmt::format("<table class=\"{}\"><caption>{}</caption>\n<tr>", css_class, xml_escape(g.title));
    for (const std::string& h : g.header) out += fmt::format("<th>{}</th>", xml_escape(h));
    out += "</tr>\n";
    for (const auto& row : g.rows) {
        out += "<tr>";
        for (const std::string& c : row) out += fmt::format("<td>{}</td>", xml_escape(c));
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

[[nodiscard]] inline std::string figure_html(const std::string& id, const std::string& svg) {
    return fmt::format("<figure class=\"figure\" id=\"figure-{0}\">\n{1}<figcaption><a href=\"{0}.svg\">{0}.svg</a> · <a href=\"{0}.csv\">{0}.csv</a>"
                       "</figcaption></figure>\n",
                       xml_escape(id), svg);
}

inline constexpr std::string_view style = R"(body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
caption{font-weight:bold;text-align:left;padding:4px 0}.figure{margin:1.5em 0}.figures{display:flex;flex-wrap:wrap;gap:1em}
.warning{background:#fff4e5;border-left:4px solid #D55E00;padding:6px 10px;white-space:pre-wrap;font-family:monospace;font-size:12px}
figcaption{font-size:12px;color:#555}svg{max-width:100%;height:auto})";

}  // namespace detail_html

[[nodiscard]] inline std::string html_page(const std::vector<ReportSource>& sources, const Figures& figures, const PageFacts& facts) {
    using namespace detail_html;
    std::string out = fmt::format("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>CLiKA report</title>\n<style>\n{}\n</style>\n"
                                  "</head>\n<body>\n<h1>CLiKA report</h1>\n<p class=\"produced\">{}</p>\n",
                                  style, xml_escape(produced_line(facts)));
    out += table_html(sources_grid(sources), "sources");
    for (const std::string& w : all_warnings(sources)) out += fmt::format("<div class=\"warning\">{}</div>\n", xml_escape(w));

    out += "<h2>Figures</h2>\n";
    for (const GroupedBars& chart : figures.bars) out += figure_html(chart.id, bar_chart_svg(chart));
    if (!figures.heat_maps.empty()) {
        out += "<h2>Consistency matrices</h2>\n<p>CO(X→Y): of the questions right in X (row), the share also right in Y (column); "
               "the column en is en-CO. Each level's value is the mean of its two tasks'.</p>\n<div class=\"figures\">\n";
        for (const HeatMap& map : figures.heat_maps) out += figure_html(map.id, heat_map_svg(map));
        out += "</div>\n";
    }
    if (!figures.both_right_maps.empty()) {
        out += "<h2>Both right (overall success)</h2>\n<p>The share of questions right in both X (row) and Y (column), ECLeKTic's "
               "overall success; the diagonal is the accuracy in X. Each level's value is the mean of its two tasks'.</p>\n"
               "<div class=\"figures\">\n";
        for (const HeatMap& map : figures.both_right_maps) out += figure_html(map.id, heat_map_svg(map));
        out += "</div>\n";
    }
    if (!figures.tables.empty()) {
        out += "<h2>Tables (the paper's Tables 5–7 layout)</h2>\n";
        for (const Grid& g : figures.tables) out += table_html(g, "paper-table");
    }
    return out + "</body>\n</html>\n";
}

}  // namespace clika::report
