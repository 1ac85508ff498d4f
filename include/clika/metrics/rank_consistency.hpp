#pragma once
// RankC of Qi, Fernández and Bisazza, "Cross-Lingual Consistency of Factual Knowledge in Multilingual Language Models"
// (EMNLP 2023): how similarly two languages rank a question's options, not only whether both pick the gold one.
//
// Per question with N options (matched by position across languages), rank the options by score in each language
// (higher first; equal scores keep option order, as argmax does) and take
//   RankC_q = sum_{j=1..N} w_j * |top_j(X) ∩ top_j(pivot)| / j,   w_j = softmax([N, N-1, ..., 1])_j,
// so agreement on the first places weighs most. RankC is the mean of RankC_q over questions: 1 when every ranking
// agrees, lower the more they differ. Symmetric in the two languages.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <vector>

#include "clika/metrics/accuracy.hpp"

namespace clika {

// softmax([N, N-1, ..., 1]): w_j proportional to e^(N-j+1).
[[nodiscard]] inline std::vector<double> rank_weights(std::size_t options) {
    std::vector<double> w(options);
    double total = 0;
    for (std::size_t j = 0; j < options; ++j) total += w[j] = std::exp(-static_cast<double>(j));
    for (double& v : w) v /= total;
    return w;
}

// Option indices from best to worst score; ties keep the lower index first.
[[nodiscard]] inline std::vector<std::size_t> option_ranking(std::span<const double> scores) {
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    return order;
}

// RankC_q of one question; NaN when the two score lists differ in length or are empty.
[[nodiscard]] inline double question_rank_consistency(std::span<const double> scores, std::span<const double> pivot_scores) {
    const std::size_t n = scores.size();
    if (n == 0 || pivot_scores.size() != n) return not_a_number;
    const std::vector<std::size_t> a = option_ranking(scores), b = option_ranking(pivot_scores);
    const std::vector<double> w = rank_weights(n);
    std::vector<bool> in_a(n, false), in_b(n, false);
    std::size_t shared = 0;
    double out = 0;
    for (std::size_t j = 0; j < n; ++j) {
        // Growing both top-j sets by one element each changes the overlap only through those two elements.
        in_a[a[j]] = true;
        in_b[b[j]] = true;
        shared += in_b[a[j]] ? 1 : 0;
        if (b[j] != a[j] && in_a[b[j]]) ++shared;
        out += w[j] * static_cast<double>(shared) / static_cast<double>(j + 1);
    }
    return out;
}

// Mean RankC_q over questions in the same order in both spans; NaN for no questions.
[[nodiscard]] inline double rank_consistency(std::span<const std::vector<double>> scores, std::span<const std::vector<double>> pivot_scores) {
    const std::size_t n = std::min(scores.size(), pivot_scores.size());
    if (n == 0) return not_a_number;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += question_rank_consistency(scores[i], pivot_scores[i]);
    return sum / static_cast<double>(n);
}

}  // namespace clika
