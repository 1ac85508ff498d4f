#pragma once
// The README's number rule, applied in one place: engines, JSON, CSV and Python carry fractions; human tables (table,
// Markdown, the HTML report's charts and tables) show accuracy, RA and differences of them in percent, while the
// consistency measures (en-CO, RankC, XRR) stay fractions, as in the paper.

namespace clika::report {

[[nodiscard]] constexpr double percent(double fraction) noexcept { return fraction * 100.0; }

// An interval (low, high) or a chart point (value, low, high) in percent; whatever else it carries is left as it is.
template <class Point>
    requires requires(Point p) {
        p.low;
        p.high;
    }
[[nodiscard]] constexpr Point percent(Point p) noexcept {
    if constexpr (requires { p.value; }) p.value = percent(p.value);
    p.low = percent(p.low);
    p.high = percent(p.high);
    return p;
}

}  // namespace clika::report
