#pragma once
// The paper's tables (levels × en / zh / others) and the per-language detail behind them, with accuracies and RA in
// percent (report/percent.hpp).

#include <cmath>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/metrics/scorecard.hpp"
#include "clika/report/grid.hpp"
#include "clika/report/percent.hpp"
#include "clika/report/settings.hpp"

namespace clika::report {

[[nodiscard]] inline std::string fixed(double value, int decimals) {
    return std::isfinite(value) ? fmt::format("{:.{}f}", value, decimals) : std::string("-");
}

// A number, or, where answers decided between bounds only made it null, "-" with their count beside it.
[[nodiscard]] inline std::string fixed(double value, int decimals, std::size_t bounded, std::string_view why = "bounded") {
    if (!std::isfinite(value) && bounded > 0) return fmt::format("- ({} {})", bounded, why);
    return fixed(value, decimals);
}

[[nodiscard]] inline std::string interval(double low, double high, int decimals) {
    if (!std::isfinite(low) || !std::isfinite(high)) return "-";
    return fmt::format("[{:.{}f}, {:.{}f}]", low, decimals, high, decimals);
}

[[nodiscard]] inline std::string level_title(Level level) { return level == Level::basic ? "Basic" : "Factual"; }

[[nodiscard]] inline Grid summary_grid(const Scorecard& card) {
    Grid g{"Paper tables (RA on a 0-100 scale; en-CO as a fraction)", {"", "en", "zh", "others"}, {}};
    const std::size_t en = index(Lang::en), zh = index(Lang::zh);
    auto ra = [&](Level level, std::size_t c) { return fixed(percent(card.point.level_ra(level, c)), 2, card.bounded(level, c, false)); };
    auto co = [&](std::size_t c) { return fixed(card.point.level_en_co(Level::factual, c), 4, card.bounded(Level::factual, c, true)); };
    for (Level level : scored_levels) g.rows.push_back({level_title(level) + " RA", ra(level, en), ra(level, zh), ra(level, others_column)});
    g.rows.push_back({"en-CO (Factual)", "-", co(zh), co(others_column)});
    return g;
}

[[nodiscard]] inline std::vector<std::string> lang_header() {
    std::vector<std::string> h{""};
    for (Lang lang : all_langs) h.emplace_back(code(lang));
    h.emplace_back("others");
    return h;
}

[[nodiscard]] inline Grid detail_grid(const Scorecard& card) {
    Grid g{"Per language (accuracy in %)", lang_header(), {}};
    for (Task task : multiple_choice_tasks) {
        std::vector<std::string> row{fmt::format("{} acc", name(task))};
        for (Lang lang : all_langs) row.push_back(fixed(percent(card.point.accuracy(task, lang)), 1, card.bounded(task, lang, false)));
        row.emplace_back("");
        g.rows.push_back(std::move(row));
    }
    for (Level level : scored_levels) {
        std::vector<std::string> row{level_title(level) + " RA"};
        for (std::size_t c = 0; c < column_count; ++c) row.push_back(fixed(percent(card.point.level_ra(level, c)), 2, card.bounded(level, c, false)));
        g.rows.push_back(std::move(row));
    }
    for (Level level : scored_levels) {
        std::vector<std::string> row{level_title(level) + " en-CO"};
        for (std::size_t c = 0; c < column_count; ++c)
            row.push_back(c == index(Lang::en) ? fixed(card.point.level_en_co(level, c), 4) : fixed(card.point.level_en_co(level, c), 4, card.bounded(level, c, true)));
        g.rows.push_back(std::move(row));
    }
    std::vector<std::string> answered{"questions"};
    for (Lang lang : all_langs) {
        std::size_t total = 0;
        for (Task task : multiple_choice_tasks) total += card.count(task, lang).questions;
        answered.push_back(total == 0 ? "-" : fmt::format("{}", total));
    }
    answered.emplace_back("");
    g.rows.push_back(std::move(answered));
    std::vector<std::string> off{"off-format"};
    for (Lang lang : all_langs) {
        std::size_t n = 0, total = 0;
        for (Task task : multiple_choice_tasks) {
            n += card.count(task, lang).off_format;
            total += card.count(task, lang).questions;
        }
        off.push_back(total == 0 ? "-" : fmt::format("{}", n));
    }
    off.emplace_back("");
    g.rows.push_back(std::move(off));
    // Only runs against a top-K server can have these; a row of zeros elsewhere would be noise.
    for (const auto& [label, member] : {std::pair{"bounded", &TaskLangCounts::bounded}, std::pair{"unranked", &TaskLangCounts::unranked}}) {
        std::vector<std::string> row{label};
        std::size_t any = 0;
        for (Lang lang : all_langs) {
            std::size_t n = 0, total = 0;
            for (Task task : multiple_choice_tasks) {
                n += card.count(task, lang).*member;
                total += card.count(task, lang).questions;
            }
            any += n;
            row.push_back(total == 0 ? "-" : fmt::format("{}", n));
        }
        row.emplace_back("");
        if (any > 0) g.rows.push_back(std::move(row));
    }
    return g;
}

[[nodiscard]] inline Grid interval_grid(const Scorecard& card) {
    Grid g{bootstrap_caption(card.settings), {"", "en", "zh", "others"}, {}};
    const std::size_t columns[] = {index(Lang::en), index(Lang::zh), others_column};
    for (Level level : scored_levels) {
        std::vector<std::string> row{level_title(level) + " RA"};
        for (std::size_t c : columns) row.push_back(interval(percent(card.low.level_ra(level, c)), percent(card.high.level_ra(level, c)), 2));
        g.rows.push_back(std::move(row));
    }
    std::vector<std::string> row{"en-CO (Factual)"};
    for (std::size_t c : columns) row.push_back(interval(card.low.level_en_co(Level::factual, c), card.high.level_en_co(Level::factual, c), 4));
    g.rows.push_back(std::move(row));
    return g;
}

// RankC against English per task, with its interval; only for predictions that carry option scores.
[[nodiscard]] inline std::optional<Grid> rank_c_grid(const Scorecard& card) {
    Grid g{card.settings.bootstrap_resamples > 0
               ? fmt::format("RankC against en (rank agreement of option scores; {:g}% bootstrap interval)", card.settings.confidence * 100.0)
               : std::string("RankC against en (rank agreement of option scores)"),
           {""}, {}};
    for (Lang lang : all_langs)
        if (lang != Lang::en) g.header.emplace_back(code(lang));
    for (Task task : multiple_choice_tasks) {
        std::vector<std::string> row{std::string(name(task))};
        bool any = false;
        for (Lang lang : all_langs) {
            if (lang == Lang::en) continue;
            const double v = card.point.rank_c(task, lang);
            const std::size_t unranked = card.has(task, lang) ? card.unranked(task, lang) : 0;
            any = any || std::isfinite(v) || unranked > 0;
            std::string cell = fixed(v, 4, unranked, "unranked");
            if (std::isfinite(v) && card.settings.bootstrap_resamples > 0)
                cell += " " + interval(card.low.rank_c(task, lang), card.high.rank_c(task, lang), 3);
            row.push_back(std::move(cell));
        }
        if (any) g.rows.push_back(std::move(row));
    }
    if (g.rows.empty()) return std::nullopt;
    return g;
}

// loglik runs: acc, acc_norm and acc_bytes per task and language (in %), each with its interval.
[[nodiscard]] inline std::optional<Grid> loglik_grid(const Scorecard& card) {
    const bool intervals = card.settings.bootstrap_resamples > 0;
    Grid g{intervals ? fmt::format("loglik accuracy in % by lm-evaluation-harness's rules ({:g}% bootstrap interval)", card.settings.confidence * 100.0)
                     : std::string("loglik accuracy in % by lm-evaluation-harness's rules"),
           {"", "metric"}, {}};
    for (Lang lang : all_langs) g.header.emplace_back(code(lang));
    using Getter = double (Metrics::*)(Task, Lang) const;
    const std::pair<const char*, Getter> measures[] = {
        {"acc", &Metrics::accuracy}, {"acc_norm", &Metrics::accuracy_norm}, {"acc_bytes", &Metrics::accuracy_bytes}};
    for (Task task : multiple_choice_tasks) {
        bool any = false;
        for (Lang lang : all_langs) any = any || std::isfinite(card.point.accuracy_norm(task, lang));
        if (!any) continue;
        for (const auto& [label, get] : measures) {
            std::vector<std::string> row{std::string(name(task)), label};
            for (Lang lang : all_langs) {
                const double v = (card.point.*get)(task, lang);
                std::string cell = fixed(percent(v), 1);
                if (std::isfinite(v) && intervals) cell += " " + interval(percent((card.low.*get)(task, lang)), percent((card.high.*get)(task, lang)), 1);
                row.push_back(std::move(cell));
            }
            g.rows.push_back(std::move(row));
        }
    }
    if (g.rows.empty()) return std::nullopt;
    return g;
}

[[nodiscard]] inline std::string heading(const Scorecard& card) {
    std::string refs;
    for (Task task : multiple_choice_tasks)
        refs += fmt::format("{}{} {:.2f}", refs.empty() ? "" : ", ", name(task), card.settings.reference_percent[static_cast<std::size_t>(task)]);
    return fmt::format("clika score: {}\nRA reference ({}): {}\n", card.model, card.settings.reference_source, refs);
}

[[nodiscard]] inline std::vector<Grid> grids(const Scorecard& card) {
    std::vector<Grid> out{summary_grid(card), detail_grid(card)};
    if (card.settings.bootstrap_resamples > 0) out.push_back(interval_grid(card));
    if (auto rank = rank_c_grid(card)) out.push_back(std::move(*rank));
    if (auto loglik = loglik_grid(card)) out.push_back(std::move(*loglik));
    return out;
}

[[nodiscard]] inline std::string warning_lines(const Scorecard& card, std::string_view bullet) {
    std::string out;
    for (const std::string& w : card.warnings) out += fmt::format("{}{}\n", bullet, w);
    return out;
}

[[nodiscard]] inline std::string to_table(const Scorecard& card) {
    std::string out = heading(card);
    for (const Grid& g : grids(card)) out += "\n" + render_text(g);
    if (!card.warnings.empty()) out += "\nWarnings:\n" + warning_lines(card, "  - ");
    return out;
}

[[nodiscard]] inline std::string to_markdown(const Scorecard& card) {
    std::string out = fmt::format("## clika score: {}\n\nRA reference: {}\n", card.model, card.settings.reference_source);
    if (!card.warnings.empty()) out += "\n**Warnings:**\n\n" + warning_lines(card, "- ");
    for (const Grid& g : grids(card)) out += "\n" + render_markdown(g);
    return out;
}

}  // namespace clika::report
