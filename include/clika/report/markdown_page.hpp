#pragma once
// `clika report`'s report.md: the page's facts and tables in Markdown, each chart linked as its SVG and CSV.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/figures.hpp"
#include "clika/report/page_facts.hpp"

namespace clika::report {

[[nodiscard]] inline std::string markdown_page(const std::vector<ReportSource>& sources, const Figures& figures, const PageFacts& facts) {
    std::string out = fmt::format("# CLiKA report\n\n{}\n\n", produced_line(facts));
    out += render_markdown(sources_grid(sources)) + "\n";
    for (const std::string& w : all_warnings(sources)) {
        std::string quoted = w;
        for (std::size_t at = quoted.find('\n'); at != std::string::npos && at + 1 < quoted.size(); at = quoted.find('\n', at + 3)) quoted.replace(at, 1, "\n> ");
        out += fmt::format("> **Warning** {}\n\n", quoted);
    }
    for (const Grid& g : figures.tables) out += render_markdown(g) + "\n";
    out += "## Charts\n\n";
    for (const GroupedBars& chart : figures.bars) out += fmt::format("![{0}]({1}.svg)\n\n[{1}.csv]({1}.csv)\n\n", chart.title, chart.id);
    for (const auto* maps : {&figures.heat_maps, &figures.both_right_maps})
        for (const HeatMap& map : *maps) out += fmt::format("![{0}]({1}.svg)\n\n[{1}.csv]({1}.csv)\n\n", map.title, map.id);
    return out;
}

}  // namespace clika::report
