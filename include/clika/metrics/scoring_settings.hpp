#pragma once
// The settings every scorer shares: how intervals are drawn. Each engine's own settings (RA references, pivot
// languages, the Conductivity gate) extend this one type, so a front end (CLI, Python) fills it once for any source.

#include <cstddef>
#include <cstdint>

#include "clika/error.hpp"

namespace clika {

struct ScoringSettings {
    std::size_t bootstrap_resamples = 1000;
    std::uint64_t seed = 2404'04659;
    double confidence = 0.95;
    unsigned threads = 0;  // 0: as many as the machine has

    static constexpr std::size_t max_resamples = 1'000'000;
    static constexpr double min_confidence = 0.5;
    static constexpr double max_confidence = 0.9999;
};

// The one range check for settings that arrive without the CLI's option checks (Python, embedding programs).
inline void check_scoring_settings(const ScoringSettings& s) {
    if (s.bootstrap_resamples > ScoringSettings::max_resamples)
        fail_input({}, fmt::format("bootstrap={} is more than {}", s.bootstrap_resamples, ScoringSettings::max_resamples));
    if (!(s.confidence >= ScoringSettings::min_confidence && s.confidence <= ScoringSettings::max_confidence))
        fail_input({}, fmt::format("confidence={} is outside {}..{}", s.confidence, ScoringSettings::min_confidence, ScoringSettings::max_confidence));
}

}  // namespace clika
