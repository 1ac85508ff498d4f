#pragma once
// What every chart of `clika report` shares: XML escaping, the series palette, the data a chart draws, axis ticks.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clika/metrics/accuracy.hpp"

namespace clika::report {

[[nodiscard]] inline std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// Okabe–Ito's colour-blind-safe palette, one colour per model (up to eight).
inline constexpr std::array<std::string_view, 8> series_colours{"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                                "#56B4E9", "#D55E00", "#F0E442", "#000000"};

[[nodiscard]] inline std::string_view series_colour(std::size_t series) { return series_colours[series % series_colours.size()]; }

// One number of a chart with its bootstrap interval and the questions it rests on.
struct ChartPoint {
    double value = not_a_number;
    double low = not_a_number;
    double high = not_a_number;
    std::size_t questions = 0;
};

[[nodiscard]] inline std::string format_value(double v, int decimals) {
    return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

// A value with its interval, as a tooltip and a table cell show it.
[[nodiscard]] inline std::string format_point(const ChartPoint& p, int decimals) {
    if (!std::isfinite(p.value)) return "-";
    if (!std::isfinite(p.low) || !std::isfinite(p.high)) return format_value(p.value, decimals);
    return fmt::format("{:.{}f} [{:.{}f}, {:.{}f}]", p.value, decimals, p.low, decimals, p.high, decimals);
}

// Axis ticks: a round step giving about five ticks over [low, high].
[[nodiscard]] inline double tick_step(double low, double high) {
    const double span = std::max(high - low, 1e-9);
    const double raw = span / 5.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (raw <= m * magnitude) return m * magnitude;
    return 10.0 * magnitude;
}

}  // namespace clika::report
