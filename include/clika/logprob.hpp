#pragma once
// What a backend may hand back as a log-probability, and how one is written into a JSON line. The rule is applied to
// every plugin's scores in one place (PluginBackend::score); a score that breaks it is a backend error, never written.

#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace clika {

// How far above 0 a log-probability may come out of floating-point rounding. Plugins compute log-softmax in float32:
// for a token of probability ~1 the result is 0 give or take a few 1e-7, a continuation sums a few dozen tokens, and
// servers print six or so significant digits. 1e-4 is a hundred times that, and still far below anything a model could
// mean by it (e^1e-4 = 1.0001: a probability 0.01% above 1). It is also the tolerance the tests hold paths to.
inline constexpr double logprob_rounding = 1e-4;

// JSON has no infinities (nlohmann writes them as null, which readers refuse), so an exact -inf is written as this
// string in `scores` arrays and read back as -inf.
inline constexpr std::string_view minus_infinity_text = "-inf";

// Why `value` cannot be a log-probability, or nullopt when it can. `exact`: the plugin reports the value as exact (it did
// not flag it in clika_score_options.next_bounded). Only an exact value may be -inf: probability 0, as for a masked
// token. A bound of -inf would claim the same thing from a top-K list, which cannot show it.
[[nodiscard]] inline std::optional<std::string> not_a_logprob(double value, bool exact) {
    if (std::isnan(value)) return "NaN (the model computed no number: NaN or overflowing weights or activations?)";
    if (value == std::numeric_limits<double>::infinity()) return "+inf (a probability above 1)";
    if (value > logprob_rounding) return fmt::format("{} (above 0 beyond rounding: a probability above 1)", value);
    if (value == -std::numeric_limits<double>::infinity() && !exact)
        return "-inf as an upper bound (outside the top K, a probability cannot be known to be exactly 0)";
    return std::nullopt;
}

// Log-probabilities as a JSON array: numbers, and minus_infinity_text for -inf.
[[nodiscard]] inline nlohmann::ordered_json logprobs_json(std::span<const double> values) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (double v : values) {
        if (v == -std::numeric_limits<double>::infinity()) out.push_back(std::string(minus_infinity_text));
        else out.push_back(v);
    }
    return out;
}

}  // namespace clika
