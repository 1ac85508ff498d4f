#pragma once
// `clika compare` reports: a terminal table, Markdown, CSV (one tidy row per number) and JSON. Absent numbers are "-"
// in the tables, empty in CSV, null in JSON; the tables show accuracy and RA in percent, CSV and JSON fractions.

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/compare.hpp"
#include "clika/report/percent.hpp"

namespace clika::report {

namespace detail_compare {

[[nodiscard]] inline std::string num(double v, int decimals) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "-"; }
[[nodiscard]] inline std::string signed_num(double v, int decimals) { return std::isfinite(v) ? fmt::format("{:+.{}f}", v, decimals) : "-"; }
[[nodiscard]] inline std::string pval(double p) {
    if (!std::isfinite(p)) return "-";
    return p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p);
}
// A bootstrap p-value of 0 only says no resample fell on the other side of 0: below the resolution 2 / resamples.
[[nodiscard]] inline std::string bootstrap_pval(double p, std::size_t resamples) {
    if (p == 0.0 && resamples > 0) return fmt::format("<{:g}", 2.0 / static_cast<double>(resamples));
    return pval(p);
}
[[nodiscard]] inline std::string interval(const Interval& ci, int decimals) {
    if (!std::isfinite(ci.low)) return "-";
    return fmt::format("[{:+.{}f}, {:+.{}f}]", ci.low, decimals, ci.high, decimals);
}
[[nodiscard]] inline nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Two values, their difference and its interval as the human tables print them: accuracy and RA in percent with two
// decimals (the precision the fractions had with four), en-CO a fraction with four.
struct Shown {
    std::string a, b, difference, interval;
};

[[nodiscard]] inline Shown shown(double a, double b, double difference, const Interval& ci, bool in_percent) {
    const int decimals = in_percent ? 2 : 4;
    if (in_percent) return {num(percent(a), decimals), num(percent(b), decimals), signed_num(percent(difference), decimals), interval(percent(ci), decimals)};
    return {num(a, decimals), num(b, decimals), signed_num(difference, decimals), interval(ci, decimals)};
}

[[nodiscard]] inline Shown shown(const CellComparison& cell) {
    return shown(cell.accuracy_a, cell.accuracy_b, cell.difference, cell.interval, true);
}

[[nodiscard]] inline Shown shown(const LevelComparison& row) { return shown(row.a, row.b, row.difference, row.interval, row.measure == LevelMeasure::ra); }

// The minimum detectable difference is a difference of accuracies: in percent too.
[[nodiscard]] inline std::string min_detectable(const CellComparison& cell) { return num(percent(cell.min_detectable), 2); }

[[nodiscard]] inline std::string header(const Comparison& c) {
    const ScoreSettings& s = c.settings.scoring;
    std::string out = fmt::format("A = {}, B = {}; difference = B - A\n", c.model_a, c.model_b);
    out += fmt::format("p: exact McNemar per task and language, {} over {} cells; levels: paired bootstrap, two-sided\n",
                       c.settings.correction == Correction::none ? std::string("no correction") : fmt::format("{}-adjusted", name(c.settings.correction)),
                       c.cells.size());
    out += fmt::format("intervals: {:g}% paired bootstrap, {} resamples, seed {}; MDD: McNemar at alpha {:g}, power {:g}\n",
                       s.confidence * 100, s.bootstrap_resamples, s.seed, c.settings.alpha, c.settings.power);
    out += "accuracy, RA, their differences, intervals and MDD in percent; en-CO as a fraction\n";
    return out;
}

}  // namespace detail_compare

[[nodiscard]] inline std::string to_table(const Comparison& c) {
    using namespace detail_compare;
    const std::string adj = fmt::format("p {}", name(c.settings.correction));
    std::string out = header(c) + "\n";
    out += fmt::format("{:<7} {:<4} {:>5} {:>7} {:>7} {:>8} {:>20} {:>5} {:>5} {:>9} {:>9} {:>7}\n", "task", "lang", "n", "acc A", "acc B", "diff",
                       "interval", "A>B", "B>A", "p", adj, "MDD");
    for (const CellComparison& cell : c.cells) {
        const Shown text = shown(cell);
        out += fmt::format("{:<7} {:<4} {:>5} {:>7} {:>7} {:>8} {:>20} {:>5} {:>5} {:>9} {:>9} {:>7}\n", name(cell.task), code(cell.lang), cell.questions,
                           text.a, text.b, text.difference, text.interval, cell.a_only, cell.b_only, pval(cell.p), pval(cell.p_adjusted), min_detectable(cell));
    }
    if (!c.levels.empty()) out += fmt::format("\n{:<8} {:<7} {:<6} {:>8} {:>8} {:>8} {:>20} {:>9}\n", "level", "measure", "column", "A", "B", "diff", "interval", "p");
    for (const LevelComparison& row : c.levels) {
        const Shown text = shown(row);
        out += fmt::format("{:<8} {:<7} {:<6} {:>8} {:>8} {:>8} {:>20} {:>9}\n", name(row.level), name(row.measure), column_name(row.column), text.a, text.b,
                           text.difference, text.interval, bootstrap_pval(row.p, c.settings.scoring.bootstrap_resamples));
    }
    for (const std::string& w : c.warnings) out += fmt::format("warning: {}\n", w);
    return out;
}

[[nodiscard]] inline std::string to_markdown(const Comparison& c) {
    using namespace detail_compare;
    std::string out;
    for (char ch : header(c)) out += ch == '\n' ? std::string("  \n") : std::string(1, ch);
    out += fmt::format("\n| task | lang | n | acc A | acc B | diff | interval | A>B | B>A | p | p {} | MDD |\n", name(c.settings.correction));
    out += "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
    for (const CellComparison& cell : c.cells) {
        const Shown text = shown(cell);
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", name(cell.task), code(cell.lang), cell.questions, text.a, text.b,
                           text.difference, text.interval, cell.a_only, cell.b_only, pval(cell.p), pval(cell.p_adjusted), min_detectable(cell));
    }
    if (!c.levels.empty()) out += "\n| level | measure | column | A | B | diff | interval | p |\n|---|---|---|--:|--:|--:|--:|--:|\n";
    for (const LevelComparison& row : c.levels) {
        const Shown text = shown(row);
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", name(row.level), name(row.measure), column_name(row.column), text.a, text.b,
                           text.difference, text.interval, bootstrap_pval(row.p, c.settings.scoring.bootstrap_resamples));
    }
    if (!c.warnings.empty()) out += "\n";
    for (const std::string& w : c.warnings) out += fmt::format("- warning: {}\n", w);
    return out;
}

// Tidy: one row per reported number (scope task or level), full precision.
[[nodiscard]] inline std::string to_csv(const Comparison& c) {
    auto f = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
    std::string out = "scope,name,measure,column,questions,a,b,difference,low,high,a_only,b_only,p,p_adjusted,min_detectable\n";
    for (const CellComparison& cell : c.cells)
        out += fmt::format("task,{},accuracy,{},{},{},{},{},{},{},{},{},{},{},{}\n", name(cell.task), code(cell.lang), cell.questions, f(cell.accuracy_a),
                           f(cell.accuracy_b), f(cell.difference), f(cell.interval.low), f(cell.interval.high), cell.a_only, cell.b_only, f(cell.p),
                           f(cell.p_adjusted), f(cell.min_detectable));
    for (const LevelComparison& row : c.levels)
        out += fmt::format("level,{},{},{},,{},{},{},{},{},,,{},,\n", name(row.level), name(row.measure), column_name(row.column), f(row.a), f(row.b),
                           f(row.difference), f(row.interval.low), f(row.interval.high), f(row.p));
    return out;
}

[[nodiscard]] inline nlohmann::json to_json(const Comparison& c) {
    using detail_compare::number;
    const ScoreSettings& s = c.settings.scoring;
    nlohmann::json out;
    out["a"] = c.model_a;
    out["b"] = c.model_b;
    out["difference"] = "b - a";
    out["settings"] = {{"bootstrap_resamples", s.bootstrap_resamples}, {"seed", s.seed},          {"confidence", s.confidence},
                       {"correction", name(c.settings.correction)},
                       {"bootstrap_p_resolution", s.bootstrap_resamples > 0 ? number(2.0 / static_cast<double>(s.bootstrap_resamples)) : nlohmann::json(nullptr)},    {"alpha", c.settings.alpha}, {"power", c.settings.power}};
    out["cells"] = nlohmann::json::array();
    for (const CellComparison& cell : c.cells)
        out["cells"].push_back({{"task", name(cell.task)},
                                {"lang", code(cell.lang)},
                                {"questions", cell.questions},
                                {"accuracy_a", number(cell.accuracy_a)},
                                {"accuracy_b", number(cell.accuracy_b)},
                                {"difference", number(cell.difference)},
                                {"interval", {number(cell.interval.low), number(cell.interval.high)}},
                                {"a_only", cell.a_only},
                                {"b_only", cell.b_only},
                                {"p", number(cell.p)},
                                {"p_adjusted", number(cell.p_adjusted)},
                                {"min_detectable_difference", number(cell.min_detectable)}});
    out["levels"] = nlohmann::json::array();
    for (const LevelComparison& row : c.levels)
        out["levels"].push_back({{"level", name(row.level)},
                                 {"measure", name(row.measure)},
                                 {"column", column_name(row.column)},
                                 {"a", number(row.a)},
                                 {"b", number(row.b)},
                                 {"difference", number(row.difference)},
                                 {"interval", {number(row.interval.low), number(row.interval.high)}},
                                 {"p", number(row.p)}});
    nlohmann::json others = nlohmann::json::array();
    for (Lang lang : c.others) others.push_back(code(lang));
    out["others"] = others;
    out["warnings"] = c.warnings;
    return out;
}

}  // namespace clika::report
