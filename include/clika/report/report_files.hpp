#pragma once
// Writes a `clika report` folder: index.html, report.md, and each chart as <id>.svg with its data as <id>.csv.

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "clika/atomic_file.hpp"
#include "clika/error.hpp"
#include "clika/report/figures.hpp"
#include "clika/report/html_page.hpp"
#include "clika/report/markdown_page.hpp"
#include "clika/report/tidy_csv.hpp"

namespace clika::report {

static_assert(series_colours.size() >= most_report_sources, "a colour per source");

// Returns the paths written, index.html last.
inline std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir, const std::vector<ReportSource>& sources, const PageFacts& facts) {
    const Figures figures = build_figures(sources, facts.pivot);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail_input({dir}, fmt::format("cannot create the report folder: {}", ec.message()));
    std::vector<std::filesystem::path> written;
    auto write = [&](const std::string& name, const std::string& text, std::string_view what) {
        written.push_back(dir / name);
        write_file_atomically(written.back(), text, what);
    };
    for (const GroupedBars& chart : figures.bars) {
        write(chart.id + ".svg", bar_chart_svg(chart), "chart");
        write(chart.id + ".csv", tidy_csv(chart), "chart data");
    }
    for (const auto* maps : {&figures.heat_maps, &figures.both_right_maps})
        for (const HeatMap& map : *maps) {
            write(map.id + ".svg", heat_map_svg(map), "chart");
            write(map.id + ".csv", tidy_csv(map), "chart data");
        }
    write("report.md", markdown_page(sources, figures, facts), "report");
    write("index.html", html_page(sources, figures, facts), "report");
    return written;
}

}  // namespace clika::report
