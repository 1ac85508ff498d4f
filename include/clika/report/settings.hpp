#pragma once
// How every report states its interval settings: JSON settings.bootstrap and the caption over a table of intervals.

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/metrics/scoring_settings.hpp"

namespace clika::report {

[[nodiscard]] inline nlohmann::ordered_json bootstrap_json(const ScoringSettings& s) {
    return {{"resamples", s.bootstrap_resamples}, {"seed", s.seed}, {"confidence", s.confidence}};
}

[[nodiscard]] inline std::string bootstrap_caption(const ScoringSettings& s) {
    return fmt::format("{:g}% bootstrap intervals ({} resamples over questions, seed {})", s.confidence * 100.0, s.bootstrap_resamples, s.seed);
}

}  // namespace clika::report
