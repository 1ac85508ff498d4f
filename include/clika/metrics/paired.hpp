#pragma once
// Tests for two models answering the same questions: the exact McNemar test, multiple-testing corrections over many
// cells, the minimum detectable difference, and a two-sided p-value from paired-bootstrap differences.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>

#include "clika/metrics/accuracy.hpp"

namespace clika {

// Exact two-sided McNemar p-value: under "no difference" the discordant pairs split as Binomial(b + c, 1/2); the p-value
// is twice the smaller tail, at most 1 (1 when there are no discordant pairs). Boost's CDF is exact for any count.
[[nodiscard]] inline double mcnemar_exact_p(std::size_t b, std::size_t c) {
    const std::size_t n = b + c;
    if (n == 0) return 1.0;
    const boost::math::binomial_distribution<double> split(static_cast<double>(n), 0.5);
    const double tail = boost::math::cdf(split, static_cast<double>(std::min(b, c)));
    return std::min(1.0, 2.0 * tail);
}

enum class Correction { holm, bh, none };

[[nodiscard]] constexpr std::string_view name(Correction c) noexcept {
    switch (c) {
    case Correction::holm: return "holm";
    case Correction::bh: return "bh";
    case Correction::none: return "none";
    }
    return "?";
}

// Adjusted p-values in the order given; NaN entries are not tests and stay NaN (nor do they count in m).
// Holm: p_(i) * (m - i + 1), made non-decreasing in rank. Benjamini–Hochberg: p_(i) * m / i, made non-increasing from
// the largest rank down. Both capped at 1.
[[nodiscard]] inline std::vector<double> adjust_p_values(std::span<const double> p, Correction correction) {
    std::vector<double> out(p.begin(), p.end());
    if (correction == Correction::none) return out;
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (std::isfinite(p[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return p[x] < p[y]; });
    const double m = static_cast<double>(order.size());
    if (correction == Correction::holm) {
        double running = 0;
        for (std::size_t rank = 0; rank < order.size(); ++rank) {
            running = std::max(running, std::min(1.0, p[order[rank]] * (m - static_cast<double>(rank))));
            out[order[rank]] = running;
        }
    } else {
        double running = 1.0;
        for (std::size_t rank = order.size(); rank-- > 0;) {
            running = std::min(running, std::min(1.0, p[order[rank]] * m / static_cast<double>(rank + 1)));
            out[order[rank]] = running;
        }
    }
    return out;
}

// Minimum detectable difference of two paired proportions (McNemar, normal approximation with the δ² term dropped,
// Connor 1987): MDD = (z_{1-α/2} + z_{power}) · sqrt(ψ / n), ψ = observed share of discordant questions. NaN when
// there is nothing to estimate ψ from (no questions or no discordant pair).
[[nodiscard]] inline double min_detectable_difference(std::size_t discordant, std::size_t questions, double alpha = 0.05, double power = 0.8) {
    if (questions == 0 || discordant == 0) return not_a_number;
    const boost::math::normal_distribution<double> z;
    const double psi = static_cast<double>(discordant) / static_cast<double>(questions);
    return (boost::math::quantile(z, 1.0 - alpha / 2.0) + boost::math::quantile(z, power)) * std::sqrt(psi / static_cast<double>(questions));
}

// Two-sided p-value of a difference from its bootstrap resamples: twice the smaller share of finite resampled
// differences at or below 0 and at or above 0, at most 1; NaN without finite resamples.
[[nodiscard]] inline double bootstrap_p_value(std::span<const double> differences) {
    std::size_t n = 0, at_or_below = 0, at_or_above = 0;
    for (double d : differences) {
        if (!std::isfinite(d)) continue;
        ++n;
        if (d <= 0) ++at_or_below;
        if (d >= 0) ++at_or_above;
    }
    if (n == 0) return not_a_number;
    return std::min(1.0, 2.0 * static_cast<double>(std::min(at_or_below, at_or_above)) / static_cast<double>(n));
}

}  // namespace clika
