#pragma once
// Range checks for numeric options, each naming the range in its message (CLI11 reports "--opt: <message>", exit 2).
// CLI11's own Range lets NaN through and unsigned options wrap "-1" to 2^64 - 1: these check the text first.

#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

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

// A count: a whole number >= 0 (at most `high`).
[[nodiscard]] inline CLI::Validator count_up_to(double high) {
    return CLI::Validator(
        [high](std::string& text) -> std::string {
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
                return fmt::format("\"{}\" is not a whole number >= 0", text);
            if (std::stod(text) > high) return fmt::format("{} is more than {}", text, high);
            return {};
        },
        fmt::format("COUNT in 0..{}", high));
}

inline constexpr double any_count = 1e15;

// Threads: beyond the machine's hardware threads a backend only contends with itself.
[[nodiscard]] inline double hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace clika::cli
