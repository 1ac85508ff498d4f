#pragma once
// Seeded resampling that gives the same numbers on every platform and thread count.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "clika/metrics/accuracy.hpp"
#include "clika/random.hpp"

namespace clika {

// Each resample draws from its own stream, so splitting resamples across threads changes nothing.
[[nodiscard]] constexpr std::uint64_t resample_seed(std::uint64_t seed, std::uint64_t resample, std::uint64_t stream) noexcept {
    SplitMix64 mix(seed ^ (resample * 0xD1B54A32D192ED03ull) ^ (stream * 0x8CB92BA72F3D8DD7ull));
    return mix.next();
}

// One resample with replacement of n items: counts[i] = how many draws fell on item i.
inline void draw_item_counts(SplitMix64& rng, std::vector<std::uint32_t>& counts) {
    std::fill(counts.begin(), counts.end(), 0u);
    const std::size_t n = counts.size();
    for (std::size_t i = 0; i < n; ++i) ++counts[rng.below(n)];
}

struct Interval {
    double low = not_a_number;
    double high = not_a_number;
};

// Percentile interval (numpy's linear interpolation) of the finite values; NaN when there are none.
[[nodiscard]] inline Interval percentile_interval(std::vector<double> values, double confidence) {
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    if (values.empty()) return {};
    std::sort(values.begin(), values.end());
    auto quantile = [&](double q) {
        double pos = q * static_cast<double>(values.size() - 1);
        auto below = static_cast<std::size_t>(std::floor(pos));
        std::size_t above = std::min(below + 1, values.size() - 1);
        return values[below] + (values[above] - values[below]) * (pos - static_cast<double>(below));
    };
    double tail = (1.0 - confidence) / 2.0;
    return {quantile(tail), quantile(1.0 - tail)};
}

}  // namespace clika
