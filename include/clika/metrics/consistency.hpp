#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "clika/metrics/accuracy.hpp"

namespace clika {

// en-CO(X): of the questions answered correctly in X, the share also answered correctly in English.
// Both spans are in the same question order. NaN when X has no correct answer.
[[nodiscard]] inline double en_consistency(std::span<const std::uint8_t> english, std::span<const std::uint8_t> other) noexcept {
    std::size_t correct_other = 0, correct_both = 0;
    for (std::size_t i = 0; i < other.size() && i < english.size(); ++i) {
        correct_other += other[i];
        correct_both += other[i] & english[i];
    }
    if (correct_other == 0) return not_a_number;
    return static_cast<double>(correct_both) / static_cast<double>(correct_other);
}

}  // namespace clika
