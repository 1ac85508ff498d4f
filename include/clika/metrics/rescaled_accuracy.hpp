#pragma once

#include <algorithm>

namespace clika {

// The paper's RA: how far above chance a model gets, as a share of the reference's distance above chance,
// floored at 0. All three arguments on the same scale (fractions or percents); the result is a fraction.
[[nodiscard]] constexpr double rescaled_accuracy(double accuracy, double chance, double reference) noexcept {
    return std::max(0.0, (accuracy - chance) / (reference - chance));
}

}  // namespace clika
