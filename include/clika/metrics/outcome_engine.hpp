#pragma once
// The one scoring engine behind every scorecard: CLiKA's tasks (metrics/scorecard.hpp), lm-eval families
// (family_scorecard.hpp), the Conductivity level's XRR (conductivity.hpp) and `clika compare`. Per-question outcomes
// by (group, language), the "cells", go in; per cell accuracy, RA, CO against a pivot cell, RankC, acc_norm and
// acc_bytes come out, and whatever a scorecard derives from them (level averages, two sources' differences), each
// with a percentile bootstrap interval. A point estimate counts every question once and a resample the multiplicities
// it drew, through the same code, so estimates and intervals cannot disagree; a new measure is one field here.
//
// The resampling streams are the caller's: in resample b a cell draws its question positions from
// SplitMix64(resample_seed(seed, b, cell.stream)). Cells with the same stream and question count draw the same
// questions, which is what pairs the languages of a parallel group (or two sources in clika compare). Each scorecard
// keeps the streams it has always used (its header says which), so its intervals stay as they were.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "clika/metrics/accuracy.hpp"
#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/rescaled_accuracy.hpp"
#include "clika/metrics/scoring_settings.hpp"
#include "clika/parallel.hpp"

namespace clika {

// One (group, language): per question, in the order its stream draws from; optional columns are empty where the source
// has none.
struct OutcomeCell {
    std::vector<std::uint8_t> correct;        // 0 or 1
    std::optional<std::size_t> pivot;         // the cell (same list, same question order) that CO is measured against
    std::vector<double> rank_c;               // RankC_q against the pivot
    std::vector<std::uint8_t> correct_norm;   // correct by acc_norm's rule (loglik runs)
    std::vector<std::uint8_t> correct_bytes;  // correct by acc_bytes' rule
    double chance = not_a_number;
    double reference = 1.0;  // RA's reference accuracy, a fraction
    std::uint64_t stream = 0;
};

// NaN where a cell lacks what a measure needs.
struct CellEstimates {
    double accuracy = not_a_number;
    double ra = not_a_number;
    double co = not_a_number;  // share of the questions right here that are right in the pivot too (en-CO)
    double rank_c = not_a_number;
    double acc_norm = not_a_number;
    double acc_bytes = not_a_number;
};

// Cell c's estimates with question i counted counts[i] times (empty: every question once).
[[nodiscard]] inline CellEstimates estimate(std::span<const OutcomeCell> cells, std::size_t c, std::span<const std::uint32_t> counts) {
    const OutcomeCell& cell = cells[c];
    const std::uint8_t* pivot = cell.pivot ? cells[*cell.pivot].correct.data() : nullptr;
    double n = 0, correct = 0, both = 0, rank = 0, norm = 0, bytes = 0;
    for (std::size_t i = 0; i < cell.correct.size(); ++i) {
        const double k = counts.empty() ? 1.0 : counts[i];
        n += k;
        correct += k * cell.correct[i];
        if (pivot != nullptr) both += k * (cell.correct[i] & pivot[i]);
        if (!cell.rank_c.empty()) rank += k * cell.rank_c[i];
        if (!cell.correct_norm.empty()) norm += k * cell.correct_norm[i];
        if (!cell.correct_bytes.empty()) bytes += k * cell.correct_bytes[i];
    }
    CellEstimates e;
    if (n <= 0) return e;
    e.accuracy = correct / n;
    e.ra = rescaled_accuracy(e.accuracy, cell.chance, cell.reference);
    if (pivot != nullptr && correct > 0) e.co = both / correct;
    if (!cell.rank_c.empty()) e.rank_c = rank / n;
    if (!cell.correct_norm.empty()) e.acc_norm = norm / n;
    if (!cell.correct_bytes.empty()) e.acc_bytes = bytes / n;
    return e;
}

// The reported numbers of a scorecard: their point estimates and, per resample, their resampled values.
struct Bootstrapped {
    std::size_t value_count = 0;
    std::size_t resamples = 0;
    std::vector<double> point;
    std::vector<double> samples;  // resample-major: samples[b * value_count + k]

    [[nodiscard]] std::vector<double> resampled(std::size_t k) const {
        std::vector<double> column(resamples);
        for (std::size_t b = 0; b < resamples; ++b) column[b] = samples[b * value_count + k];
        return column;
    }
    // The percentile interval of number k; none where its point estimate is undefined.
    [[nodiscard]] Interval interval(std::size_t k, double confidence) const {
        if (resamples == 0 || !std::isfinite(point[k])) return {};
        return percentile_interval(resampled(k), confidence);
    }
};

// `derive(estimates, out)` turns one draw's estimates of every cell into the value_count reported numbers.
template <class Derive>
[[nodiscard]] Bootstrapped bootstrap_cells(std::span<const OutcomeCell> cells, std::size_t value_count, const ScoringSettings& settings,
                                           Derive&& derive) {
    Bootstrapped out{value_count, settings.bootstrap_resamples, std::vector<double>(value_count, not_a_number), {}};
    std::vector<CellEstimates> estimates(cells.size());
    for (std::size_t c = 0; c < cells.size(); ++c) estimates[c] = estimate(cells, c, {});
    derive(std::span<const CellEstimates>(estimates), std::span<double>(out.point));
    if (out.resamples == 0) return out;

    // A cell whose stream and count an earlier cell has takes that cell's draws: the same numbers, drawn once.
    std::vector<std::size_t> draws_of(cells.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
        draws_of[c] = c;
        for (std::size_t d = 0; d < c; ++d)
            if (cells[d].stream == cells[c].stream && cells[d].correct.size() == cells[c].correct.size()) {
                draws_of[c] = d;
                break;
            }
    }
    out.samples.assign(out.resamples * value_count, not_a_number);
    auto work = [&](std::size_t begin, std::size_t end) {
        std::vector<std::vector<std::uint32_t>> counts(cells.size());
        std::vector<CellEstimates> drawn(cells.size());
        for (std::size_t b = begin; b < end; ++b) {
            for (std::size_t c = 0; c < cells.size(); ++c) {
                if (draws_of[c] == c) {
                    SplitMix64 rng(resample_seed(settings.seed, b, cells[c].stream));
                    counts[c].resize(cells[c].correct.size());
                    draw_item_counts(rng, counts[c]);
                }
                drawn[c] = estimate(cells, c, counts[draws_of[c]]);
            }
            derive(std::span<const CellEstimates>(drawn), std::span<double>(out.samples).subspan(b * value_count, value_count));
        }
    };
    const unsigned threads = worker_count(settings.threads, out.resamples);
    parallel_for(threads, threads, [&](std::size_t i) { work(out.resamples * i / threads, out.resamples * (i + 1) / threads); });
    return out;
}

}  // namespace clika
