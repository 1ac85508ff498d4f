#pragma once
// A titled table of text cells, rendered as aligned plain text or as Markdown.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace clika::report {

struct Grid {
    std::string title;
    std::vector<std::string> header;  // first column labels rows
    std::vector<std::vector<std::string>> rows;
};

// Display width of UTF-8 text: one column per code point is enough for the labels used here.
[[nodiscard]] inline std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

[[nodiscard]] inline std::string render_text(const Grid& grid) {
    std::vector<std::size_t> width(grid.header.size(), 0);
    auto widen = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], display_width(row[i]));
    };
    widen(grid.header);
    for (const auto& row : grid.rows) widen(row);
    auto line = [&](const std::vector<std::string>& row) {
        std::string out;
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::string pad(width[i] - display_width(row[i]), ' ');
            out += i == 0 ? row[i] + pad : "  " + pad + row[i];
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = grid.title.empty() ? "" : grid.title + "\n";
    out += line(grid.header);
    for (const auto& row : grid.rows) out += line(row);
    return out;
}

[[nodiscard]] inline std::string render_markdown(const Grid& grid) {
    auto line = [](const std::vector<std::string>& row) {
        std::string out = "|";
        for (const auto& cell : row) out += " " + cell + " |";
        return out + "\n";
    };
    std::string out = grid.title.empty() ? "" : "### " + grid.title + "\n\n";
    out += line(grid.header);
    out += "|";
    for (std::size_t i = 0; i < grid.header.size(); ++i) out += i == 0 ? " --- |" : " ---: |";
    out += "\n";
    for (const auto& row : grid.rows) out += line(row);
    return out;
}

}  // namespace clika::report
