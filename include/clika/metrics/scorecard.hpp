#pragma once
// Everything `clika score` reports for CLiKA's tasks: the outcome engine's cells (metrics/outcome_engine.hpp), one per
// task and language in English's question order with English as the pivot, plus the levels averaged over their tasks
// and the "others" column. Resampling streams: resample b of task t draws from resample_seed(seed, b, t), the same
// questions for every language of the task (and for both sources in clika compare).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clika/language.hpp"
#include "clika/metrics/accuracy.hpp"
#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/outcome_engine.hpp"
#include "clika/metrics/rank_consistency.hpp"
#include "clika/metrics/scoring_settings.hpp"
#include "clika/results.hpp"
#include "clika/task.hpp"

namespace clika {

inline constexpr std::size_t mc_task_count = multiple_choice_tasks.size();
inline constexpr std::size_t level_count = 2;  // basic, factual
inline constexpr std::size_t column_count = lang_count + 1;  // the ten languages, then "others"
inline constexpr std::size_t others_column = lang_count;

inline constexpr std::array<Level, level_count> scored_levels{Level::basic, Level::factual};

[[nodiscard]] constexpr std::array<double, mc_task_count> paper_references_percent() noexcept {
    std::array<double, mc_task_count> out{};
    for (Task task : multiple_choice_tasks) out[static_cast<std::size_t>(task)] = spec(task).paper_reference_percent;
    return out;
}

// CLiKA's tasks: the shared settings plus RA's reference accuracies.
struct ScoreSettings : ScoringSettings {
    std::array<double, mc_task_count> reference_percent = paper_references_percent();
    std::string reference_source = "paper";
};

// A flat vector of every reported number; NaN where a task or language is absent.
class Metrics {
public:
    static constexpr std::size_t task_measures = 6;  // accuracy, RA, en-CO, RankC, acc_norm, acc_bytes
    static constexpr std::size_t size = task_measures * mc_task_count * lang_count + 2 * level_count * column_count;

    Metrics() { values_.fill(not_a_number); }

    double& accuracy(Task t, Lang l) { return values_[task_slot(0, t, l)]; }
    double& rescaled(Task t, Lang l) { return values_[task_slot(1, t, l)]; }
    double& en_co(Task t, Lang l) { return values_[task_slot(2, t, l)]; }
    double& rank_c(Task t, Lang l) { return values_[task_slot(3, t, l)]; }
    double& accuracy_norm(Task t, Lang l) { return values_[task_slot(4, t, l)]; }
    double& accuracy_bytes(Task t, Lang l) { return values_[task_slot(5, t, l)]; }
    double& level_ra(Level v, std::size_t column) { return values_[level_slot(0, v, column)]; }
    double& level_en_co(Level v, std::size_t column) { return values_[level_slot(1, v, column)]; }

    [[nodiscard]] double accuracy(Task t, Lang l) const { return values_[task_slot(0, t, l)]; }
    [[nodiscard]] double rescaled(Task t, Lang l) const { return values_[task_slot(1, t, l)]; }
    [[nodiscard]] double en_co(Task t, Lang l) const { return values_[task_slot(2, t, l)]; }
    [[nodiscard]] double rank_c(Task t, Lang l) const { return values_[task_slot(3, t, l)]; }
    [[nodiscard]] double accuracy_norm(Task t, Lang l) const { return values_[task_slot(4, t, l)]; }
    [[nodiscard]] double accuracy_bytes(Task t, Lang l) const { return values_[task_slot(5, t, l)]; }
    [[nodiscard]] double level_ra(Level v, std::size_t column) const { return values_[level_slot(0, v, column)]; }
    [[nodiscard]] double level_en_co(Level v, std::size_t column) const { return values_[level_slot(1, v, column)]; }

    [[nodiscard]] double operator[](std::size_t i) const { return values_[i]; }
    double& operator[](std::size_t i) { return values_[i]; }
    [[nodiscard]] std::span<const double, size> values() const { return values_; }
    [[nodiscard]] static Metrics of(std::span<const double> values) {
        Metrics m;
        std::copy_n(values.begin(), size, m.values_.begin());
        return m;
    }

private:
    static constexpr std::size_t task_slot(std::size_t measure, Task t, Lang l) {
        return (measure * mc_task_count + static_cast<std::size_t>(t)) * lang_count + index(l);
    }
    static constexpr std::size_t level_slot(std::size_t measure, Level v, std::size_t column) {
        return task_measures * mc_task_count * lang_count + (measure * level_count + static_cast<std::size_t>(v)) * column_count + column;
    }

    std::array<double, size> values_;
};

namespace detail {

[[nodiscard]] inline double mean_of_finite(std::span<const double> values) {
    double sum = 0;
    std::size_t n = 0;
    for (double v : values)
        if (std::isfinite(v)) { sum += v; ++n; }
    return n == 0 ? not_a_number : sum / static_cast<double>(n);
}

}  // namespace detail

// Which task/language pairs have results: absent ones stay NaN instead of counting as zero.
using Presence = std::array<std::array<bool, lang_count>, mc_task_count>;

// Task/language pairs whose numbers would not be measurements (LangResults::bounded, ::unranked): `decision`, some
// answer was decided between bounds only (accuracy, RA, en-CO there and en-CO of every language against English, and
// the levels and "others" built on them, are null); `ranking`, some answer has two or more bounded letters (RankC
// there, and against English for every language, is null).
struct Unmeasured {
    Presence decision{};
    Presence ranking{};
};

// Where each task and language sits among the engine's cells; absent pairs have none.
using CellIndex = std::array<std::array<std::optional<std::size_t>, lang_count>, mc_task_count>;

// The reported numbers of one draw from its cells' estimates: what answers decided between bounds only make null is
// left out, then the levels and "others" are averaged.
[[nodiscard]] inline Metrics evaluate(std::span<const CellEstimates> cells, const CellIndex& at, const Unmeasured& unmeasured = {}) {
    Metrics m;
    Presence present{};
    for (Task task : multiple_choice_tasks) {
        const std::size_t t = static_cast<std::size_t>(task);
        for (Lang lang : all_langs) {
            const std::size_t l = index(lang);
            if (!at[t][l]) continue;
            present[t][l] = true;
            const CellEstimates& e = cells[*at[t][l]];
            const bool decided = !unmeasured.decision[t][l];
            if (decided) {
                m.accuracy(task, lang) = e.accuracy;
                m.rescaled(task, lang) = e.ra;
            }
            if (decided && !unmeasured.decision[t][index(Lang::en)]) m.en_co(task, lang) = e.co;
            if (!unmeasured.ranking[t][l] && !unmeasured.ranking[t][index(Lang::en)]) m.rank_c(task, lang) = e.rank_c;
            m.accuracy_norm(task, lang) = e.acc_norm;
            m.accuracy_bytes(task, lang) = e.acc_bytes;
        }
    }
    for (Level level : scored_levels) {
        const auto [first, second] = level_tasks(level);
        std::array<double, lang_count> ra{}, co{};
        for (Lang lang : all_langs) {
            // The paper's level RA is the mean of its two tasks' RA (a fraction here, like every number the engine
            // gives; human tables print it in percent); en-CO likewise averages tasks.
            ra[index(lang)] = (m.rescaled(first, lang) + m.rescaled(second, lang)) / 2.0;
            co[index(lang)] = (m.en_co(first, lang) + m.en_co(second, lang)) / 2.0;
            m.level_ra(level, index(lang)) = ra[index(lang)];
            m.level_en_co(level, index(lang)) = co[index(lang)];
        }
        std::array<double, other_langs.size()> other_ra{}, other_co{};
        // "others" skips absent languages (and says so in the warnings), but never one that is present and unmeasured.
        bool ra_unmeasured = false, co_unmeasured = false;
        for (std::size_t i = 0; i < other_langs.size(); ++i) {
            other_ra[i] = ra[index(other_langs[i])];
            other_co[i] = co[index(other_langs[i])];
            for (Task task : {first, second}) {
                const std::size_t t = static_cast<std::size_t>(task);
                if (!present[t][index(other_langs[i])]) continue;
                ra_unmeasured = ra_unmeasured || unmeasured.decision[t][index(other_langs[i])];
                co_unmeasured = co_unmeasured || unmeasured.decision[t][index(other_langs[i])] || unmeasured.decision[t][index(Lang::en)];
            }
        }
        m.level_ra(level, others_column) = ra_unmeasured ? not_a_number : detail::mean_of_finite(other_ra);
        m.level_en_co(level, others_column) = co_unmeasured ? not_a_number : detail::mean_of_finite(other_co);
    }
    return m;
}

struct TaskLangCounts {
    std::size_t questions = 0;
    std::size_t correct = 0;
    std::size_t off_format = 0;  // answers that named no option letter
    std::size_t bounded = 0;     // answers decided between upper bounds only (LangResults::bounded)
    std::size_t unranked = 0;    // answers with two or more letters bounded (LangResults::unranked)
};

struct Scorecard {
    std::string model;
    ScoreSettings settings;
    Presence present{};
    std::array<std::array<TaskLangCounts, lang_count>, mc_task_count> counts{};
    Metrics point;
    Metrics low;   // lower bound of the bootstrap interval, per metric
    Metrics high;  // upper bound
    std::vector<Lang> others;           // the languages "others" averages: all eight besides en and zh unless some are absent
    std::vector<std::string> warnings;  // what makes these numbers not the paper's protocol; every report shows them

    [[nodiscard]] bool has(Task t, Lang l) const { return present[static_cast<std::size_t>(t)][index(l)]; }
    [[nodiscard]] const TaskLangCounts& count(Task t, Lang l) const { return counts[static_cast<std::size_t>(t)][index(l)]; }

    // Answers decided between bounds only among those a number draws on, shown beside the numbers they make null: a
    // task's in `lang` (with_english: en-CO, which reads English's answers too), or a level's in a column (others: every
    // "others" language).
    [[nodiscard]] std::size_t bounded(Task t, Lang l, bool with_english) const {
        if (!has(t, l)) return 0;
        return count(t, l).bounded + (with_english && l != Lang::en ? count(t, Lang::en).bounded : 0);
    }
    [[nodiscard]] std::size_t bounded(Level level, std::size_t column, bool with_english) const {
        std::vector<Lang> langs = column == others_column ? others : std::vector<Lang>{all_langs[column]};
        std::size_t n = 0;
        for (Task task : level_tasks(level)) {
            bool any = false;
            for (Lang lang : langs) {
                n += count(task, lang).bounded;
                any = any || has(task, lang);
            }
            if (with_english && any && column != index(Lang::en)) n += count(task, Lang::en).bounded;  // once per task
        }
        return n;
    }
    // Answers with two or more bounded letters that RankC of `lang` against English draws on.
    [[nodiscard]] std::size_t unranked(Task t, Lang l) const {
        if (!has(t, l)) return 0;
        return count(t, l).unranked + (l != Lang::en ? count(t, Lang::en).unranked : 0);
    }
};

namespace detail {

// RankC_q of `lang` against English per question; empty where either side lacks option scores.
[[nodiscard]] inline std::vector<double> rank_values_against_english(const AlignedTask& aligned, Lang lang) {
    const auto& english = aligned.option_scores[index(Lang::en)];
    const auto& other = aligned.option_scores[index(lang)];
    std::vector<double> out;
    if (lang == Lang::en || !english || !other) return out;
    out.resize(aligned.question_count);
    for (std::size_t i = 0; i < aligned.question_count; ++i) out[i] = question_rank_consistency((*other)[i], (*english)[i]);
    return out;
}

}  // namespace detail

// The cells of one source's tasks, appended to `cells`: English the pivot, RA against settings' references, stream =
// task. `every_measure`: RankC, acc_norm and acc_bytes where the source has them; without it, accuracy, RA and en-CO.
[[nodiscard]] inline CellIndex append_task_cells(std::vector<OutcomeCell>& cells, const std::array<AlignedTask, mc_task_count>& aligned,
                                                 const ScoreSettings& settings, bool every_measure = true) {
    CellIndex at{};
    for (Task task : multiple_choice_tasks) {
        const std::size_t t = static_cast<std::size_t>(task);
        const std::optional<std::size_t> english = aligned[t].correct[index(Lang::en)] ? std::optional<std::size_t>(cells.size()) : std::nullopt;
        for (Lang lang : all_langs) {
            const std::size_t l = index(lang);
            if (!aligned[t].correct[l]) continue;
            OutcomeCell cell;
            cell.correct = *aligned[t].correct[l];
            if (lang != Lang::en) cell.pivot = english;
            if (every_measure) {
                cell.rank_c = detail::rank_values_against_english(aligned[t], lang);
                if (aligned[t].correct_norm[l]) cell.correct_norm = *aligned[t].correct_norm[l];
                if (aligned[t].correct_bytes[l]) cell.correct_bytes = *aligned[t].correct_bytes[l];
            }
            cell.chance = spec(task).chance();
            cell.reference = settings.reference_percent[t] / 100.0;
            cell.stream = t;
            at[t][l] = cells.size();
            cells.push_back(std::move(cell));
        }
    }
    return at;
}

// What answers decided between bounds only do to a report, and how to get measurements instead.
[[nodiscard]] inline std::string bounded_warning(std::size_t bounded, std::size_t unranked) {
    std::string out;
    if (bounded > 0)
        out = fmt::format("{} answers were decided between upper bounds only (their chosen letter was outside the server's top-K "
                          "log-probabilities): accuracy, RA and en-CO drawing on them are null, shown as \"- (N bounded)\"",
                          bounded);
    if (unranked > 0)
        out += fmt::format("{}{} answers have two or more letters outside the top K, in an unknown order: RankC drawing on them is null",
                           out.empty() ? "" : "; ", unranked);
    return out + "; raise --top-logprobs (clika run into a new --out; vLLM serves at most its --max-logprobs)";
}

[[nodiscard]] inline Scorecard score(const ResultSet& results, const ScoreSettings& settings = {}) {
    Scorecard card;
    card.model = results.model;
    card.settings = settings;
    std::array<AlignedTask, mc_task_count> aligned;
    for (Task task : multiple_choice_tasks) {
        const std::size_t t = static_cast<std::size_t>(task);
        aligned[t] = align(results, task);
        for (Lang lang : all_langs) {
            const auto& r = results.get(task, lang);
            if (!r) continue;
            card.present[t][index(lang)] = true;
            TaskLangCounts& c = card.counts[t][index(lang)];
            c.questions = r->correct.size();
            c.correct = count_correct(r->correct);
            c.off_format = r->off_format;
            c.bounded = r->bounded;
            c.unranked = r->unranked;
        }
    }

    for (Lang lang : other_langs)
        if (std::any_of(card.present.begin(), card.present.end(), [&](const auto& row) { return row[index(lang)]; })) card.others.push_back(lang);
    if (!card.others.empty() && card.others.size() < other_langs.size()) {
        std::string listed;
        for (Lang lang : card.others) listed += fmt::format("{}{}", listed.empty() ? "" : ", ", code(lang));
        card.warnings.push_back(fmt::format("\"others\" is the mean over {} only ({} of the {} languages besides en and zh), not the paper's",
                                            listed, card.others.size(), other_langs.size()));
    }

    Unmeasured unmeasured;
    std::size_t bounded = 0, unranked = 0;
    for (std::size_t t = 0; t < mc_task_count; ++t)
        for (std::size_t l = 0; l < lang_count; ++l) {
            bounded += card.counts[t][l].bounded;
            unranked += card.counts[t][l].unranked;
            unmeasured.decision[t][l] = card.counts[t][l].bounded > 0;
            unmeasured.ranking[t][l] = card.counts[t][l].unranked > 0;
        }

    std::vector<OutcomeCell> cells;
    const CellIndex at = append_task_cells(cells, aligned, settings);
    const Bootstrapped numbers = bootstrap_cells(cells, Metrics::size, settings, [&](std::span<const CellEstimates> estimates, std::span<double> out) {
        const Metrics m = evaluate(estimates, at, unmeasured);
        std::copy(m.values().begin(), m.values().end(), out.begin());
    });
    card.point = Metrics::of(numbers.point);
    for (std::size_t k = 0; k < Metrics::size; ++k) {
        const Interval ci = numbers.interval(k, settings.confidence);
        card.low[k] = ci.low;
        card.high[k] = ci.high;
    }
    // Last, so that it is the last line under a table: what to do about it.
    if (bounded + unranked > 0) card.warnings.push_back(bounded_warning(bounded, unranked));
    return card;
}

// RA references taken from a model's English accuracy, for `--reference MODEL`.
[[nodiscard]] inline std::array<double, mc_task_count> references_from(const ResultSet& reference) {
    std::array<double, mc_task_count> out = paper_references_percent();
    for (Task task : multiple_choice_tasks) {
        const auto& english = reference.get(task, Lang::en);
        if (!english) fail_input({}, fmt::format("reference model {} has no English {} predictions", reference.model, name(task)));
        out[static_cast<std::size_t>(task)] = accuracy(english->correct) * 100.0;
    }
    return out;
}

}  // namespace clika
