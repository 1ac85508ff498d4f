#pragma once
// Range checks for numeric options, each naming the range in its message (CLI11 reports "--opt: <message>", exit 2).
// CLI11's own Range lets NaN through and unsigned options wrap "-1" to 2^64 - 1: these check the text first.

#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "clika/metrics/scoring_settings.hpp"

namespace clika::cli {

// A finite number in [low, high].
[[nodiscard]] inline CLI::Validator within(double low, double high) {
    return CLI::Validator(
        [low, high](std::string& text) -> std::string {
            double value = 0;
            try {
                std::size_t used = 0;
                value = std::stod(text, &used);
                if (used != text.size()) return fmt::format("\"{}\" is not a number", text);
            } catch (const std::exception&) {
                return fmt::format("\"{}\" is not a number", text);
            }
            if (!std::isfinite(value) || value < low || value > high) return fmt::format("{} is outside {}..{}", text, low, high);
            return {};
        },
        fmt::format("NUMBER in {}..{}", low, high));
}

// A count: a whole number in low..high.
[[nodiscard]] inline CLI::Validator count_in(double low, double high) {
    return CLI::Validator(
        [low, high](std::string& text) -> std::string {
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
                return fmt::format("\"{}\" is not a whole number >= {}", text, low);
            if (std::stod(text) > high) return fmt::format("{} is more than {}", text, high);
            if (std::stod(text) < low) return fmt::format("{} is less than {}", text, low);
            return {};
        },
        fmt::format("COUNT in {}..{}", low, high));
}

// A count: a whole number >= 0 (at most `high`).
[[nodiscard]] inline CLI::Validator count_up_to(double high) { return count_in(0, high); }

inline constexpr double any_count = 1e15;

// Threads: beyond the machine's hardware threads a backend only contends with itself.
[[nodiscard]] inline double hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

// The options that shape a backend's passes and the questions asked, defined once for `run` and `bench` (any struct
// with threads, ctx, batch, parallel, chunk and limit).
template <class Options>
void add_pass_options(CLI::App& cmd, Options& o) {
    cmd.add_option("--limit", o.limit, "only the first N questions of each task and language (0: all)")->check(count_up_to(any_count))->capture_default_str();
    cmd.add_option("--threads", o.threads, "CPU threads for the backend (0: its default; at most the machine's hardware threads)")
        ->check(count_up_to(hardware_threads()))
        ->capture_default_str();
    cmd.add_option("--ctx", o.ctx, "KV cache size in tokens (0: the plugin's default)")->check(count_up_to(1 << 24))->capture_default_str();
    cmd.add_option("--batch", o.batch, "tokens per forward pass (0: the plugin's default)")->check(count_up_to(1 << 20))->capture_default_str();
    cmd.add_option("--parallel", o.parallel, "sequences evaluated together (0: the plugin's default)")->check(count_up_to(1 << 16))->capture_default_str();
    cmd.add_option("--chunk", o.chunk, "questions per backend call: the unit of progress and of resuming")->check(count_in(1, 1 << 20))->capture_default_str();
}

// --bootstrap, --seed and --confidence of every scoring command (score, compare), into the one settings type.
inline void add_scoring_options(CLI::App& cmd, ScoringSettings& s, const std::string& bootstrap_help = "bootstrap resamples for the intervals (0: none)") {
    cmd.add_option("--bootstrap", s.bootstrap_resamples, bootstrap_help)
        ->check(count_up_to(static_cast<double>(ScoringSettings::max_resamples)))
        ->capture_default_str();
    cmd.add_option("--seed", s.seed, "bootstrap seed")->check(count_up_to(any_count))->capture_default_str();
    cmd.add_option("--confidence", s.confidence, "interval coverage")
        ->check(within(ScoringSettings::min_confidence, ScoringSettings::max_confidence))
        ->capture_default_str();
}

}  // namespace clika::cli
