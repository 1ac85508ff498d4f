#pragma once
// `clika compare A B`: two sources of the same questions, compared per task and language (accuracy difference, exact
// McNemar test, paired-bootstrap interval) and per level (RA and en-CO differences with bootstrap intervals and
// p-values). A resample draws the same questions for both sources, with clika score's seeds and draws, so each side's
// resamples are exactly the ones `clika score` makes for it.

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "clika/lm_eval_score.hpp"
#include "clika/metrics/paired.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/scoring.hpp"

namespace clika {

struct CompareSettings {
    ScoreSettings scoring;  // RA references, bootstrap resamples, seed, confidence, threads: as for clika score
    Correction correction = Correction::holm;
    double alpha = 0.05;  // for the minimum detectable difference
    double power = 0.8;
};

// One task in one language. Difference = B − A; `a_only` = questions right in A only, `b_only` right in B only.
struct CellComparison {
    Task task{};
    Lang lang{};
    std::size_t questions = 0;
    std::size_t a_correct = 0, b_correct = 0;
    std::size_t a_only = 0, b_only = 0;
    double accuracy_a = not_a_number, accuracy_b = not_a_number, difference = not_a_number;
    Interval interval;
    double p = not_a_number;           // exact McNemar
    double p_adjusted = not_a_number;  // by CompareSettings::correction over all cells
    double min_detectable = not_a_number;
};

enum class LevelMeasure { ra, en_co };

[[nodiscard]] constexpr std::string_view name(LevelMeasure m) noexcept { return m == LevelMeasure::ra ? "RA" : "en-CO"; }

// A level's RA or en-CO (fractions) in one column (a language, or others_column).
struct LevelComparison {
    Level level{};
    LevelMeasure measure{};
    std::size_t column = 0;
    double a = not_a_number, b = not_a_number, difference = not_a_number;
    Interval interval;
    double p = not_a_number;  // two-sided, from the paired-bootstrap differences
};

struct Comparison {
    std::string model_a, model_b;
    CompareSettings settings;
    std::vector<CellComparison> cells;    // task-major, languages in all_langs order
    std::vector<LevelComparison> levels;  // level, measure, column
    std::vector<Lang> others;             // the languages "others" averages
    std::vector<std::string> warnings;
};

[[nodiscard]] inline std::string column_name(std::size_t column) {
    return column == others_column ? std::string("others") : std::string(code(all_langs[column]));
}

namespace detail {

// The question order align() puts a task in: English's, or the first language's where English is absent.
[[nodiscard]] inline const LangResults* order_source(const ResultSet& results, Task task) {
    if (results.has(task, Lang::en)) return &*results.get(task, Lang::en);
    for (Lang lang : all_langs)
        if (results.has(task, lang)) return &*results.get(task, lang);
    return nullptr;
}

// Refuses cells whose question sets differ, naming the first uuid of one that the other lacks.
inline void require_same_questions(const LangResults& a, const LangResults& b) {
    const std::unordered_set<std::string_view> in_b(b.uuids.begin(), b.uuids.end());
    for (std::size_t i = 0; i < a.uuids.size(); ++i)
        if (!in_b.contains(a.uuids[i]))
            fail_input({a.source, i + 1, "uuid"}, fmt::format("question \"{}\" is not among the questions of {}", a.uuids[i], b.source.string()),
                       "two sources of the same questions");
    const std::unordered_set<std::string_view> in_a(a.uuids.begin(), a.uuids.end());
    for (std::size_t i = 0; i < b.uuids.size(); ++i)
        if (!in_a.contains(b.uuids[i]))
            fail_input({b.source, i + 1, "uuid"}, fmt::format("question \"{}\" is not among the questions of {}", b.uuids[i], a.source.string()),
                       "two sources of the same questions");
    if (a.uuids.size() != b.uuids.size())
        fail_input({b.source}, fmt::format("has {} questions, {} has {} (a uuid repeats)", b.uuids.size(), a.source.string(), a.uuids.size()),
                   "two sources of the same questions");
}

// B's aligned outcomes put in A's question order.
[[nodiscard]] inline AlignedTask in_order_of(AlignedTask b, const LangResults& b_order, const LangResults& a_order) {
    std::unordered_map<std::string_view, std::size_t> position;
    for (std::size_t i = 0; i < a_order.uuids.size(); ++i) position.emplace(a_order.uuids[i], i);
    for (auto& correct : b.correct) {
        if (!correct) continue;
        std::vector<std::uint8_t> ordered(correct->size(), 0);
        for (std::size_t i = 0; i < correct->size(); ++i) ordered[position.at(b_order.uuids[i])] = (*correct)[i];
        correct = std::move(ordered);
    }
    return b;
}

[[nodiscard]] inline Unmeasured unmeasured_of(const ResultSet& a, const ResultSet& b) {
    Unmeasured out;
    for (Task task : multiple_choice_tasks)
        for (Lang lang : all_langs) {
            const auto t = static_cast<std::size_t>(task);
            for (const ResultSet* side : {&a, &b})
                if (const auto& r = side->get(task, lang); r && r->bounded > 0) out.decision[t][index(lang)] = true;
        }
    return out;
}

}  // namespace detail

[[nodiscard]] inline Comparison compare(ResultSet a, ResultSet b, const CompareSettings& settings = {}) {
    Comparison out;
    out.model_a = a.model;
    out.model_b = b.model;
    out.settings = settings;

    // Cells present in one source only are left out (and named); shared cells must hold the same questions.
    Presence present{};
    for (Task task : multiple_choice_tasks)
        for (Lang lang : all_langs) {
            const bool in_a = a.has(task, lang), in_b = b.has(task, lang);
            if (in_a && in_b) {
                detail::require_same_questions(*a.get(task, lang), *b.get(task, lang));
                present[static_cast<std::size_t>(task)][index(lang)] = true;
            } else if (in_a || in_b) {
                out.warnings.push_back(fmt::format("{} {} is only in {}: not compared", name(task), code(lang), in_a ? "A" : "B"));
                (in_a ? a : b).drop(task, lang);
            }
        }
    bool any = false;
    for (const auto& row : present)
        for (bool p : row) any = any || p;
    if (!any) fail_input({}, "the two sources have no task and language in common", "two sources of the same questions");
    for (Lang lang : other_langs)
        if (std::any_of(present.begin(), present.end(), [&](const auto& row) { return row[index(lang)]; })) out.others.push_back(lang);

    std::array<AlignedTask, mc_task_count> aligned_a, aligned_b;
    for (Task task : multiple_choice_tasks) {
        const auto t = static_cast<std::size_t>(task);
        aligned_a[t] = align(a, task);
        aligned_b[t] = align(b, task);
        if (const LangResults* a_order = detail::order_source(a, task))
            aligned_b[t] = detail::in_order_of(std::move(aligned_b[t]), *detail::order_source(b, task), *a_order);
    }
    const Unmeasured unmeasured = detail::unmeasured_of(a, b);

    // A's cells, then B's in A's question order: the same streams and counts, so every resample draws the same questions
    // for both. Reported per draw: A's numbers, B's, and B - A.
    std::vector<OutcomeCell> cells;
    const CellIndex at_a = append_task_cells(cells, aligned_a, settings.scoring, false);
    const CellIndex at_b = append_task_cells(cells, aligned_b, settings.scoring, false);
    constexpr std::size_t of_a = 0, of_b = Metrics::size, of_difference = 2 * Metrics::size;
    const Bootstrapped numbers = bootstrap_cells(cells, 3 * Metrics::size, settings.scoring, [&](std::span<const CellEstimates> estimates, std::span<double> out) {
        const Metrics ma = evaluate(estimates, at_a, unmeasured), mb = evaluate(estimates, at_b, unmeasured);
        for (std::size_t k = 0; k < Metrics::size; ++k) {
            out[of_a + k] = ma[k];
            out[of_b + k] = mb[k];
            out[of_difference + k] = mb[k] - ma[k];
        }
    });
    const Metrics point_a = Metrics::of(std::span(numbers.point).subspan(of_a, Metrics::size));
    const Metrics point_b = Metrics::of(std::span(numbers.point).subspan(of_b, Metrics::size));
    // The slot of a reported number in Metrics: a metric's own slot, found by pointing at it in a Metrics.
    const Metrics slots = [] {
        Metrics m;
        for (std::size_t k = 0; k < Metrics::size; ++k) m[k] = static_cast<double>(k);
        return m;
    }();
    const std::size_t resamples = settings.scoring.bootstrap_resamples;

    std::vector<double> raw_p;
    for (Task task : multiple_choice_tasks) {
        const auto t = static_cast<std::size_t>(task);
        for (Lang lang : all_langs) {
            if (!present[t][index(lang)]) continue;
            CellComparison cell{.task = task, .lang = lang};
            const auto& ca = *aligned_a[t].correct[index(lang)];
            const auto& cb = *aligned_b[t].correct[index(lang)];
            cell.questions = ca.size();
            for (std::size_t i = 0; i < ca.size(); ++i) {
                cell.a_correct += ca[i] != 0;
                cell.b_correct += cb[i] != 0;
                cell.a_only += ca[i] != 0 && cb[i] == 0;
                cell.b_only += ca[i] == 0 && cb[i] != 0;
            }
            cell.accuracy_a = point_a.accuracy(task, lang);
            cell.accuracy_b = point_b.accuracy(task, lang);
            cell.difference = cell.accuracy_b - cell.accuracy_a;
            if (std::isfinite(cell.difference)) {
                cell.p = mcnemar_exact_p(cell.a_only, cell.b_only);
                cell.min_detectable = min_detectable_difference(cell.a_only + cell.b_only, cell.questions, settings.alpha, settings.power);
                cell.interval = numbers.interval(of_difference + static_cast<std::size_t>(slots.accuracy(task, lang)), settings.scoring.confidence);
            }
            raw_p.push_back(cell.p);
            out.cells.push_back(cell);
        }
    }
    const std::vector<double> adjusted = adjust_p_values(raw_p, settings.correction);
    for (std::size_t i = 0; i < out.cells.size(); ++i) out.cells[i].p_adjusted = adjusted[i];

    for (Level level : scored_levels)
        for (LevelMeasure measure : {LevelMeasure::ra, LevelMeasure::en_co})
            for (std::size_t column = 0; column < column_count; ++column) {
                auto value = [&](const Metrics& m) { return measure == LevelMeasure::ra ? m.level_ra(level, column) : m.level_en_co(level, column); };
                LevelComparison row{.level = level, .measure = measure, .column = column, .a = value(point_a), .b = value(point_b)};
                row.difference = row.b - row.a;
                if (!std::isfinite(row.difference)) continue;
                const std::size_t slot = of_difference + static_cast<std::size_t>(value(slots));
                row.interval = numbers.interval(slot, settings.scoring.confidence);
                if (resamples > 0) row.p = bootstrap_p_value(numbers.resampled(slot));
                out.levels.push_back(row);
            }
    return out;
}

// Where a source's questions come from, as `clika compare` names them: run:DIR, model:STEM, lm-eval:DIR.
struct SourceOptions {
    std::filesystem::path data;  // the data folder, for model:STEM
    LmEvalSettings lm_eval;      // lm-eval:DIR: metric, task map, model folder
    std::span<const Task> tasks = multiple_choice_tasks;
    std::span<const Lang> langs = all_langs;
};

struct LoadedSource {
    ResultSet results;
    std::vector<std::string> warnings;
};

[[nodiscard]] inline LoadedSource load_source(std::string_view spec, const SourceOptions& options = {}) {
    const std::size_t colon = spec.find(':');
    const std::string_view kind = colon == std::string_view::npos ? std::string_view{} : spec.substr(0, colon);
    const std::filesystem::path where(std::string(colon == std::string_view::npos ? spec : spec.substr(colon + 1)));
    if (where.empty() || (kind != "run" && kind != "model" && kind != "lm-eval"))
        fail_input({}, fmt::format("source \"{}\" is not one clika compare reads", spec), "run:DIR, model:STEM or lm-eval:DIR");
    if (kind == "model") return {load_published(options.data, where.string(), options.tasks, options.langs), {}};
    if (kind == "run") {
        RunResults run = load_run_results(where, options.tasks, options.langs);
        return {std::move(run.results), std::move(run.warnings)};
    }
    LmEvalSamples samples = load_lm_eval(where, options.lm_eval);
    std::optional<ResultSet> results = clika_results(samples);
    if (!results)
        fail_input({where}, "holds samples of tasks other than CLiKA's", "samples of clika_<task>_<lang> tasks only (examples/lm_eval_tasks)");
    for (Task task : multiple_choice_tasks)
        for (Lang lang : all_langs)
            if (std::find(options.tasks.begin(), options.tasks.end(), task) == options.tasks.end() ||
                std::find(options.langs.begin(), options.langs.end(), lang) == options.langs.end())
                results->drop(task, lang);
    return {std::move(*results), std::move(samples.warnings)};
}

// Both sources loaded and compared; each source's warnings come first, marked A or B.
[[nodiscard]] inline Comparison compare_sources(std::string_view a, std::string_view b, const SourceOptions& options = {},
                                                const CompareSettings& settings = {}) {
    LoadedSource sa = load_source(a, options);
    LoadedSource sb = load_source(b, options);
    Comparison out = compare(std::move(sa.results), std::move(sb.results), settings);
    std::vector<std::string> warnings;
    for (std::string& w : sa.warnings) warnings.push_back("A: " + std::move(w));
    for (std::string& w : sb.warnings) warnings.push_back("B: " + std::move(w));
    warnings.insert(warnings.end(), out.warnings.begin(), out.warnings.end());
    out.warnings = std::move(warnings);
    return out;
}

}  // namespace clika
