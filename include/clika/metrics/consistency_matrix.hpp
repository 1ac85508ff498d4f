#pragma once
// The directional consistency matrix CO(X→Y) and overall success for every pair of languages, per task and per level
// (the mean of the level's two tasks, as en-CO's), with percentile bootstrap intervals drawn exactly as `clika score`
// draws them (same seed, resample and task streams), so the column Y = en is en-CO, interval included. Towards every
// pivot Y, also the level's "others" (the mean over the languages besides en, zh and Y), drawn the same way, so towards
// en it is clika score's en-CO "others", interval included.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/cross_consistency.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/parallel.hpp"
#include "clika/results.hpp"

namespace clika {

struct PairEstimate {
    double value = not_a_number;
    Interval ci;
};

// [x][y]: from language X to language Y; the diagonal is 1 wherever X has a right answer.
using PairMatrix = std::array<std::array<PairEstimate, lang_count>, lang_count>;

struct ConsistencyMatrices {
    std::array<PairMatrix, mc_task_count> task_co{}, task_success{};
    std::array<PairMatrix, level_count> level_co{}, level_success{};
    std::array<std::array<std::size_t, lang_count>, mc_task_count> questions{};  // per task and language; 0: absent
    std::array<std::array<PairEstimate, lang_count>, level_count> level_others_co{};  // [level][pivot Y]

    [[nodiscard]] const PairEstimate& co(Level level, Lang x, Lang y) const { return level_co[static_cast<std::size_t>(level)][index(x)][index(y)]; }
    [[nodiscard]] const PairEstimate& success(Level level, Lang x, Lang y) const {
        return level_success[static_cast<std::size_t>(level)][index(x)][index(y)];
    }
    // The mean of CO(X→pivot) over the "others" X: other_langs besides the pivot, skipping absent ones, as clika score's.
    [[nodiscard]] const PairEstimate& others_co(Level level, Lang pivot) const {
        return level_others_co[static_cast<std::size_t>(level)][index(pivot)];
    }
};

namespace detail {

// Pairwise right-answer counts of one task, weighted by how often each question was drawn.
struct PairTally {
    double questions = 0;
    std::array<std::array<double, lang_count>, lang_count> both{};  // both[x][x]: right in x
};

// Per question, the languages it was answered right in (bit l), and which languages are measured at all.
struct TaskOutcomes {
    std::vector<std::uint16_t> bits;
    std::uint16_t measured = 0;
    std::uint16_t present = 0;
};

[[nodiscard]] inline TaskOutcomes task_outcomes(const ResultSet& results, Task task) {
    const AlignedTask aligned = align(results, task);
    TaskOutcomes out;
    out.bits.assign(aligned.question_count, 0);
    for (Lang lang : all_langs) {
        const auto& correct = aligned.correct[index(lang)];
        const auto& r = results.get(task, lang);
        if (!correct || !r) continue;
        out.present |= std::uint16_t(1u << index(lang));
        // Answers decided between bounds only are not measurements: the language's row and column stay NaN.
        if (r->bounded == 0) out.measured |= std::uint16_t(1u << index(lang));
        for (std::size_t i = 0; i < aligned.question_count; ++i)
            if ((*correct)[i] != 0) out.bits[i] |= std::uint16_t(1u << index(lang));
    }
    return out;
}

inline void tally_pairs(const TaskOutcomes& t, std::span<const std::uint32_t> counts, PairTally& out) {
    out = PairTally{};
    for (std::size_t i = 0; i < t.bits.size(); ++i) {
        const double k = counts.empty() ? 1.0 : counts[i];
        if (k == 0) continue;
        out.questions += k;
        const std::uint16_t bits = t.bits[i];
        for (std::size_t x = 0; x < lang_count; ++x) {
            if ((bits >> x & 1u) == 0) continue;
            for (std::size_t y = 0; y < lang_count; ++y)
                if ((bits >> y & 1u) != 0) out.both[x][y] += k;
        }
    }
}

// Flat values of one draw: [task co | task success | level co | level success], each lang_count × lang_count, then
// [level others co], level_count × lang_count.
inline constexpr std::size_t matrix_cells = lang_count * lang_count;
inline constexpr std::size_t others_values_at = 2 * (mc_task_count + level_count) * matrix_cells;
inline constexpr std::size_t consistency_values = others_values_at + level_count * lang_count;

// "others" towards `pivot` skips absent languages but, as clika score's, is null when one present in a task of the level
// (or the pivot there) has answers decided between bounds only.
[[nodiscard]] inline bool others_unmeasured(const std::array<TaskOutcomes, mc_task_count>& outcomes, Level level, std::size_t pivot) {
    for (Task task : level_tasks(level)) {
        const TaskOutcomes& t = outcomes[static_cast<std::size_t>(task)];
        auto unmeasured = [&](std::size_t l) { return (t.present >> l & 1u) != 0 && (t.measured >> l & 1u) == 0; };
        for (Lang x : other_langs)
            if (index(x) != pivot && (t.present >> index(x) & 1u) != 0 && (unmeasured(index(x)) || unmeasured(pivot))) return true;
    }
    return false;
}

inline void evaluate_pairs(const std::array<PairTally, mc_task_count>& tallies, const std::array<TaskOutcomes, mc_task_count>& outcomes,
                           std::vector<double>& out) {
    out.assign(consistency_values, not_a_number);
    auto at = [&](std::size_t block, std::size_t x, std::size_t y) -> double& { return out[block * matrix_cells + x * lang_count + y]; };
    for (std::size_t t = 0; t < mc_task_count; ++t) {
        const PairTally& p = tallies[t];
        for (std::size_t x = 0; x < lang_count; ++x)
            for (std::size_t y = 0; y < lang_count; ++y) {
                const std::uint16_t both = std::uint16_t((1u << x) | (1u << y));
                if ((outcomes[t].measured & both) != both) continue;
                const PairOutcomes pair{p.questions, p.both[x][x], p.both[y][y], p.both[x][y]};
                at(t, x, y) = directional_consistency(pair);
                at(mc_task_count + t, x, y) = overall_success(pair);
            }
    }
    for (Level level : scored_levels) {
        const auto [first, second] = level_tasks(level);
        const std::size_t v = static_cast<std::size_t>(level);
        for (std::size_t x = 0; x < lang_count; ++x)
            for (std::size_t y = 0; y < lang_count; ++y)
                for (std::size_t measure = 0; measure < 2; ++measure) {
                    const std::size_t base = measure * mc_task_count;
                    at(2 * mc_task_count + measure * level_count + v, x, y) =
                        (at(base + static_cast<std::size_t>(first), x, y) + at(base + static_cast<std::size_t>(second), x, y)) / 2.0;
                }
        for (std::size_t y = 0; y < lang_count; ++y) {
            if (others_unmeasured(outcomes, level, y)) continue;
            std::array<double, other_langs.size()> towards_y;
            towards_y.fill(not_a_number);
            for (std::size_t i = 0; i < other_langs.size(); ++i)
                if (index(other_langs[i]) != y) towards_y[i] = at(2 * mc_task_count + v, index(other_langs[i]), y);
            out[others_values_at + v * lang_count + y] = mean_of_finite(towards_y);
        }
    }
}

}  // namespace detail

[[nodiscard]] inline ConsistencyMatrices consistency_matrices(const ResultSet& results, const ScoreSettings& settings = {}) {
    std::array<detail::TaskOutcomes, mc_task_count> outcomes;
    ConsistencyMatrices out;
    for (Task task : multiple_choice_tasks) {
        const auto t = static_cast<std::size_t>(task);
        outcomes[t] = detail::task_outcomes(results, task);
        for (Lang lang : all_langs)
            if (const auto& r = results.get(task, lang)) out.questions[t][index(lang)] = r->correct.size();
    }
    std::array<detail::PairTally, mc_task_count> tallies;
    for (std::size_t t = 0; t < mc_task_count; ++t) detail::tally_pairs(outcomes[t], {}, tallies[t]);
    std::vector<double> point;
    detail::evaluate_pairs(tallies, outcomes, point);

    const std::size_t resamples = settings.bootstrap_resamples;
    std::vector<std::vector<double>> samples(resamples);
    auto work = [&](std::size_t begin, std::size_t end) {
        std::array<std::vector<std::uint32_t>, mc_task_count> counts;
        std::array<detail::PairTally, mc_task_count> drawn;
        for (std::size_t t = 0; t < mc_task_count; ++t) counts[t].resize(outcomes[t].bits.size());
        for (std::size_t r = begin; r < end; ++r) {
            for (std::size_t t = 0; t < mc_task_count; ++t) {
                SplitMix64 rng(resample_seed(settings.seed, r, t));
                draw_item_counts(rng, counts[t]);
                detail::tally_pairs(outcomes[t], counts[t], drawn[t]);
            }
            detail::evaluate_pairs(drawn, outcomes, samples[r]);
        }
    };
    if (resamples > 0) {
        const unsigned threads = worker_count(settings.threads, resamples);
        parallel_for(threads, threads, [&](std::size_t i) { work(resamples * i / threads, resamples * (i + 1) / threads); });
    }

    std::vector<double> column(resamples);
    auto estimate = [&](std::size_t k) {
        PairEstimate e{point[k], {}};
        if (resamples == 0 || !std::isfinite(e.value)) return e;
        for (std::size_t r = 0; r < resamples; ++r) column[r] = samples[r][k];
        e.ci = percentile_interval(column, settings.confidence);
        return e;
    };
    for (std::size_t x = 0; x < lang_count; ++x)
        for (std::size_t y = 0; y < lang_count; ++y) {
            const std::size_t cell = x * lang_count + y;
            for (std::size_t t = 0; t < mc_task_count; ++t) {
                out.task_co[t][x][y] = estimate(t * detail::matrix_cells + cell);
                out.task_success[t][x][y] = estimate((mc_task_count + t) * detail::matrix_cells + cell);
            }
            for (std::size_t v = 0; v < level_count; ++v) {
                out.level_co[v][x][y] = estimate((2 * mc_task_count + v) * detail::matrix_cells + cell);
                out.level_success[v][x][y] = estimate((2 * mc_task_count + level_count + v) * detail::matrix_cells + cell);
            }
        }
    for (std::size_t v = 0; v < level_count; ++v)
        for (std::size_t y = 0; y < lang_count; ++y) out.level_others_co[v][y] = estimate(detail::others_values_at + v * lang_count + y);
    return out;
}

}  // namespace clika
