#pragma once
// Consistency between every pair of languages, not only against English: the directional consistency CO(X→Y) and
// ECLeKTic's (Goldman et al. 2025, arXiv 2502.21228) overall success and transfer score. Pure functions over
// per-question outcomes (0/1, both spans in the same question order).

#include <cstddef>
#include <cstdint>
#include <span>

#include "clika/metrics/accuracy.hpp"

namespace clika {

// How two languages' answers to the same questions agree.
struct PairOutcomes {
    double questions = 0;
    double right_x = 0;
    double right_y = 0;
    double right_both = 0;
};

[[nodiscard]] inline PairOutcomes pair_outcomes(std::span<const std::uint8_t> x, std::span<const std::uint8_t> y) noexcept {
    PairOutcomes out;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        out.questions += 1;
        out.right_x += x[i] != 0;
        out.right_y += y[i] != 0;
        out.right_both += (x[i] != 0) && (y[i] != 0);
    }
    return out;
}

// CO(X→Y): of the questions right in X, the share also right in Y. en-CO(X) is CO(X→en). NaN when X has none right.
[[nodiscard]] constexpr double directional_consistency(const PairOutcomes& p) noexcept {
    return p.right_x > 0 ? p.right_both / p.right_x : not_a_number;
}

// ECLeKTic's "overall success": the share of questions right in both X and Y. NaN without questions.
[[nodiscard]] constexpr double overall_success(const PairOutcomes& p) noexcept {
    return p.questions > 0 ? p.right_both / p.questions : not_a_number;
}

// ECLeKTic's "transfer score": overall success conditioned on X right, which is CO(X→Y) by another name.
[[nodiscard]] constexpr double transfer_score(const PairOutcomes& p) noexcept { return directional_consistency(p); }

[[nodiscard]] inline double directional_consistency(std::span<const std::uint8_t> x, std::span<const std::uint8_t> y) noexcept {
    return directional_consistency(pair_outcomes(x, y));
}
[[nodiscard]] inline double overall_success(std::span<const std::uint8_t> x, std::span<const std::uint8_t> y) noexcept {
    return overall_success(pair_outcomes(x, y));
}
[[nodiscard]] inline double transfer_score(std::span<const std::uint8_t> x, std::span<const std::uint8_t> y) noexcept {
    return transfer_score(pair_outcomes(x, y));
}

}  // namespace clika
