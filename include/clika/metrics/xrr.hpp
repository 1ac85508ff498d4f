#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "clika/metrics/accuracy.hpp"

namespace clika {

// Cross-lingual retrieval ratio, rescaled above chance r:
//   XRR_X = max(0, (c(en ∧ X) / c(en) − r) / (1 − r))
// c(en) counts facts retrieved in English, c(en ∧ X) those retrieved in both English and X; r = 1/20 by default
// (20 continents). The paper defines these terms but its printed formula did not survive; this is our reading.
[[nodiscard]] constexpr double cross_retrieval_ratio(double correct_english, double correct_both, double chance = 0.05) noexcept {
    if (correct_english <= 0) return not_a_number;
    return std::max(0.0, (correct_both / correct_english - chance) / (1.0 - chance));
}

[[nodiscard]] inline double cross_retrieval_ratio(std::span<const std::uint8_t> english, std::span<const std::uint8_t> other,
                                                  double chance = 0.05) noexcept {
    std::size_t correct_english = 0, correct_both = 0;
    for (std::size_t i = 0; i < english.size() && i < other.size(); ++i) {
        correct_english += english[i];
        correct_both += english[i] & other[i];
    }
    return cross_retrieval_ratio(static_cast<double>(correct_english), static_cast<double>(correct_both), chance);
}

}  // namespace clika
