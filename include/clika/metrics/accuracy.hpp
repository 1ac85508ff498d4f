#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace clika {

inline constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

[[nodiscard]] inline std::size_t count_correct(std::span<const std::uint8_t> correct) noexcept {
    std::size_t n = 0;
    for (std::uint8_t c : correct) n += c;
    return n;
}

// Share of questions answered correctly, in [0, 1]; NaN for no questions.
[[nodiscard]] inline double accuracy(std::span<const std::uint8_t> correct) noexcept {
    if (correct.empty()) return not_a_number;
    return static_cast<double>(count_correct(correct)) / static_cast<double>(correct.size());
}

}  // namespace clika
